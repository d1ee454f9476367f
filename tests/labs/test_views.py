"""Laboratory pages: list, detail, create, edit, deactivate; lab managers see only their own."""

import pytest
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.labs.models import Lab, LabKind, LabStatus


@pytest.fixture
def labs(make_lab):
    """Five labs in two regions, of three kinds, one suspended."""
    return [
        make_lab(
            "SC-TC",
            name="四川出入境检验检疫局检验检疫技术中心",
            name_en="Technical Centre",
            kind=LabKind.TECHNICAL_CENTRE,
        ),
        make_lab("SC-PQI", name="四川省产品质量监督检验检测院", kind=LabKind.PRODUCT_QUALITY),
        make_lab("ZG-PQI", name="自贡市产品质量监督检验所", region="Zigong", kind=LabKind.PRODUCT_QUALITY),
        make_lab(
            "ZG-MTI",
            name="自贡市计量测试所",
            region="Zigong",
            kind=LabKind.METROLOGY,
            status=LabStatus.SUSPENDED,
        ),
        make_lab("CD-3P", name="Chengdu Testing Co.", kind=LabKind.THIRD_PARTY),
    ]


def _codes(response) -> list[str]:
    html = response.get_data(as_text=True)
    table = html[html.index('id="labs"') :]
    return [code for code in ("CD-3P", "SC-PQI", "SC-TC", "ZG-MTI", "ZG-PQI") if f">{code}</a>" in table]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["CD-3P", "SC-PQI", "SC-TC", "ZG-MTI", "ZG-PQI"]),
        ("?q=自贡", ["ZG-MTI", "ZG-PQI"]),
        ("?q=technical", ["SC-TC"]),
        ("?q=pqi", ["SC-PQI", "ZG-PQI"]),
        ("?region=Zigong", ["ZG-MTI", "ZG-PQI"]),
        ("?kind=product_quality_institute", ["SC-PQI", "ZG-PQI"]),
        ("?status=suspended", ["ZG-MTI"]),
        ("?region=Zigong&status=active", ["ZG-PQI"]),
        ("?q=nothing-like-this", []),
    ],
)
def test_list_search_and_filters(client, auth, labs, query, expected):
    auth.login("viewer")
    response = client.get("/labs/" + query)
    assert response.status_code == 200
    assert _codes(response) == expected


def test_list_sorts_both_ways(client, auth, labs):
    auth.login("viewer")
    html = client.get("/labs/?sort=-code").get_data(as_text=True)
    positions = [html.index(f">{c}</a>") for c in ("ZG-PQI", "ZG-MTI", "SC-TC", "SC-PQI", "CD-3P")]
    assert positions == sorted(positions)
    html = client.get("/labs/?sort=region").get_data(as_text=True)
    assert html.index(">SC-TC</a>") < html.index(">ZG-MTI</a>")
    # An unknown sort key falls back to the code, never an error.
    assert client.get("/labs/?sort=password_hash").status_code == 200


def test_list_paginates(client, auth, make_lab):
    for n in range(30):
        make_lab(f"L-{n:02d}")
    auth.login("viewer")
    first = client.get("/labs/").get_data(as_text=True)
    assert ">L-00</a>" in first and ">L-24</a>" in first and ">L-25</a>" not in first
    second = client.get("/labs/?page=2").get_data(as_text=True)
    assert ">L-25</a>" in second and ">L-00</a>" not in second
    assert client.get("/labs/?page=99").status_code == 200
    # A page number beyond what a query can skip, or not a number: never an error.
    for page in ("99999999999999999999999", "-1", "x", "1e9"):
        assert client.get(f"/labs/?page={page}").status_code == 200


@pytest.mark.parametrize("query", ["q=%00", "region=a%00b", "kind=castle", "status=gone", "q=" + "x" * 101])
def test_unusable_filters_answer_422_not_500(client, auth, labs, query):
    auth.login("viewer")
    assert client.get(f"/labs/?{query}").status_code == 422
    assert client.get(f"/labs/export?format=csv&{query}").status_code == 422


def test_lab_manager_sees_only_their_lab(client, auth, labs):
    auth.login("lab_manager", lab=labs[2])
    assert _codes(client.get("/labs/")) == ["ZG-PQI"]
    assert _codes(client.get("/labs/?region=Chengdu")) == []
    assert client.get("/labs/ZG-PQI").status_code == 200
    assert client.get("/labs/SC-TC").status_code == 404
    assert client.get("/labs/NO-SUCH").status_code == 404
    # Read-only: no editing, not even of their own lab.
    assert client.get("/labs/ZG-PQI/edit").status_code == 403
    assert client.post("/labs/ZG-PQI/deactivate").status_code == 403
    assert (
        "Edit"
        not in client.get("/labs/ZG-PQI").get_data(as_text=True).split("<main")[1].split("Certificates")[0]
    )


def test_detail_shows_lab(client, auth, labs):
    auth.login("inspector")
    html = client.get("/labs/SC-TC").get_data(as_text=True)
    assert "四川出入境检验检疫局检验检疫技术中心" in html and "Technical Centre" in html
    assert "No certificates recorded." in html


def test_create_lab(client, auth):
    user = auth.login("quality")
    response = client.post(
        "/labs/new",
        data={
            "code": "SC-NEW",
            "name": "新实验室",
            "region": "Leshan",
            "kind": "metrology_institute",
            "status": "active",
            "is_model_lab": "y",
        },
    )
    assert response.headers["Location"] == "/labs/SC-NEW"
    lab = db.session.scalar(select(Lab).where(Lab.code == "SC-NEW"))
    assert (lab.name, lab.region, lab.kind, lab.is_model_lab) == (
        "新实验室",
        "Leshan",
        LabKind.METROLOGY,
        True,
    )
    from labtrack.history.service import history_for

    (entry,) = history_for(lab)
    assert entry.action == "insert" and entry.user_id == user.id


CODE_RULE = "Use letters and digits, with - _ . / between them (no spaces or other characters)."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "sc-tc"}, "code", "Another laboratory already has the code SC-TC."),
        ({"code": "ｓｃ-ｔｃ"}, "code", "Another laboratory already has the code SC-TC."),
        ({"code": ""}, "code", "This field is required."),
        ({"code": "   "}, "code", "This field is required."),
        ({"code": "bad code!"}, "code", CODE_RULE),
        ({"code": "<b>X</b>"}, "code", CODE_RULE),
        ({"code": "A/B"}, "code", "A laboratory code may not contain &#39;/&#39;."),
        ({"code": "New"}, "code", "New is reserved; choose another code."),
        ({"code": "X\x00Y"}, "code", "Control characters are not allowed."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "<script>x</script>"}, "name", "The characters &lt; and &gt; are not allowed here."),
        ({"name": "a\x07b"}, "name", "Control characters are not allowed."),
        ({"name_en": "x" * 201}, "name_en", "At most 200 characters."),
        ({"region": ""}, "region", "This field is required."),
        ({"region": "r" * 81}, "region", "At most 80 characters."),
        ({"kind": "castle"}, "kind", "Not a valid choice."),
        ({"code": "X" * 33}, "code", "At most 32 characters."),
    ],
)
def test_create_lab_rerenders_with_field_messages(client, auth, labs, data, field, message):
    auth.login("admin")
    form = {
        "code": "SC-NEW",
        "name": "n",
        "region": "Leshan",
        "kind": "metrology_institute",
        "status": "active",
    }
    response = client.post("/labs/new", data={**form, **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}"' in html and "is-invalid" in html
    assert db.session.scalar(select(Lab).where(Lab.code == "SC-NEW")) is None


def test_edit_lab_and_refuse_duplicate_code(client, auth, labs):
    auth.login("admin")
    form = {
        "code": "SC-PQI",
        "name": "改名",
        "region": "Chengdu",
        "kind": "product_quality_institute",
        "status": "active",
    }
    assert client.post("/labs/SC-PQI/edit", data=form).headers["Location"] == "/labs/SC-PQI"
    response = client.post("/labs/SC-PQI/edit", data={**form, "code": "sc-tc"})
    assert response.status_code == 422
    assert "Another laboratory already has the code SC-TC." in response.get_data(as_text=True)
    # Its own code in another case is no clash: the lab is renamed.
    assert client.post("/labs/SC-PQI/edit", data={**form, "code": "sc-pqi"}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Lab.name).where(Lab.code == "sc-pqi")) == "改名"
    assert client.get("/labs/NOPE/edit").status_code == 404


def test_deactivate_lab(client, auth, labs):
    auth.login("quality")
    response = client.post("/labs/SC-PQI/deactivate")
    assert response.headers["Location"] == "/labs/SC-PQI"
    db.session.expire_all()
    assert db.session.scalar(select(Lab.status).where(Lab.code == "SC-PQI")) == LabStatus.CLOSED
    # A closed lab cannot be closed again: the page says so (and offers no button for it).
    response = client.post(
        "/labs/SC-PQI/deactivate", headers={"Referer": "http://localhost.localdomain/labs/SC-PQI"}
    )
    assert (
        response.status_code == 303
        and response.headers["Location"] == "http://localhost.localdomain/labs/SC-PQI"
    )
    html = client.get("/labs/SC-PQI").get_data(as_text=True)
    assert "Laboratory SC-PQI is closed already." in html
    assert "/labs/SC-PQI/deactivate" not in html


def test_a_second_lab_whose_code_differs_only_in_case_or_width_is_refused(client, auth, make_lab):
    make_lab("éx-1")
    auth.login("admin")
    form = {"name": "n", "region": "Leshan", "kind": "metrology_institute", "status": "active"}
    for code in ("ÉX-1", "Éx-1", "ＥＸ-1".replace("Ｅ", "É", 1), "e\u0301x-1"):
        response = client.post("/labs/new", data={**form, "code": code})
        assert response.status_code == 422, code
        assert "Another laboratory already has the code éx-1." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Lab)) == 1
    # A code of another script is a code like any other.
    assert (
        client.post("/labs/new", data={**form, "code": "川-检-1"}).headers["Location"]
        == "/labs/%E5%B7%9D-%E6%A3%80-1"
    )


@pytest.mark.parametrize("role", ["viewer", "inspector", "lab_manager"])
def test_roles_without_labs_edit_cannot_write(client, auth, labs, role):
    auth.login(role)
    assert client.get("/labs/new").status_code == 403
    assert client.post("/labs/SC-TC/qualifications/new", data={}).status_code == 403
    # Contacts: lab managers manage their own lab's; another lab is not theirs to see (404).
    assert client.post("/labs/SC-TC/contacts/new", data={}).status_code == (
        404 if role == "lab_manager" else 403
    )


def test_the_bureaus_notes_are_not_shown_to_the_labs_manager_not_even_in_the_history(client, auth, labs):
    auth.login("quality", username="editor")
    form = {"code": "ZG-PQI", "name": "自贡所", "region": "Zigong", "kind": "product_quality_institute"}
    assert (
        client.post(
            "/labs/ZG-PQI/edit", data={**form, "status": "active", "notes": "暗访：记录不全"}
        ).status_code
        == 303
    )
    assert (
        client.post("/labs/ZG-PQI/edit", data={**form, "status": "active", "notes": "复查通过"}).status_code
        == 303
    )
    html = client.get("/labs/ZG-PQI").get_data(as_text=True)
    assert "暗访：记录不全" in html and 'id="lab-notes"' in html  # in the history, and the notes shown
    auth.logout()
    auth.login("lab_manager", lab=labs[2])
    html = client.get("/labs/ZG-PQI").get_data(as_text=True)
    assert "暗访" not in html and "复查通过" not in html and 'id="lab-notes"' not in html
    assert "自贡所" in html  # the rest of the history is there
