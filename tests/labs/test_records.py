"""Certificates and contacts of a lab: added, edited and removed through the service, with history."""

import io
from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from labtrack.extensions import db
from labtrack.labs.models import LabContact, LabStatus, Qualification, QualificationStatus, Scheme

CERT = {
    "scheme": "CMA",
    "certificate_no": "2010510001",
    "issued_on": "2010-03-01",
    "expires_on": "2013-02-28",
    "status": "valid",
}
CONTACT = {"name": "王伟", "position": "主任", "phone": "028-12345678", "email": "wang@example.cn"}


def _cert(lab, number="CNAS L1234", issued=date(2010, 1, 1), expires=date(2016, 1, 1), **kw) -> Qualification:
    q = Qualification(
        lab=lab,
        scheme=kw.pop("scheme", Scheme.CNAS),
        certificate_no=number,
        issued_on=issued,
        expires_on=expires,
        **kw,
    )
    db.session.add(q)
    db.session.commit()
    return q


def test_add_edit_remove_certificate(client, auth, make_lab):
    lab = make_lab("SC-TC")
    auth.login("quality")
    response = client.post("/labs/SC-TC/qualifications/new", data=CERT)
    assert response.headers["Location"] == "/labs/SC-TC"
    q = db.session.scalar(select(Qualification))
    assert (q.lab_id, q.scheme, q.issued_on, q.expires_on) == (
        lab.id,
        Scheme.CMA,
        date(2010, 3, 1),
        date(2013, 2, 28),
    )
    edited = {**CERT, "expires_on": "2016-02-28", "status": "suspended"}
    assert client.post(f"/labs/SC-TC/qualifications/{q.id}/edit", data=edited).status_code == 303
    db.session.expire_all()
    assert (q.expires_on, q.status) == (date(2016, 2, 28), QualificationStatus.SUSPENDED)
    html = client.get("/labs/SC-TC").get_data(as_text=True)
    assert "2010510001" in html and "2016-02-28" in html
    assert client.post(f"/labs/SC-TC/qualifications/{q.id}/delete").status_code == 303
    assert db.session.scalar(select(Qualification)) is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"expires_on": "2010-03-01"}, "expires_on", "The certificate must expire after it was issued."),
        ({"expires_on": "2009-01-01"}, "expires_on", "The certificate must expire after it was issued."),
        ({"issued_on": "2010-13-45"}, "issued_on", "A valid date is required (YYYY-MM-DD)."),
        ({"expires_on": "next year"}, "expires_on", "A valid date is required (YYYY-MM-DD)."),
        ({"issued_on": ""}, "issued_on", "A valid date is required (YYYY-MM-DD)."),
        ({"certificate_no": ""}, "certificate_no", "This field is required."),
        ({"certificate_no": "cnas l1234"}, "certificate_no", "Certificate cnas l1234 is already recorded."),
        ({"scheme": "ISO"}, "scheme", "Not a valid choice."),
        ({"certificate_no": "CNAS\x00L1"}, "certificate_no", "Control characters are not allowed."),
        ({"issued_on": "1850-01-01"}, "issued_on", "The date must be between 1900-01-01 and 2199-12-31."),
        ({"certificate_no": "9" * 65}, "certificate_no", "At most 64 characters."),
    ],
)
def test_certificate_form_rerenders_with_field_messages(client, auth, make_lab, data, field, message):
    other = make_lab("OTHER")
    _cert(other)
    make_lab("SC-TC")
    auth.login("admin")
    response = client.post("/labs/SC-TC/qualifications/new", data={**CERT, **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="{field}"' in html
    assert db.session.scalar(select(Qualification).where(Qualification.lab_id != other.id)) is None


def test_certificate_of_another_lab_is_404(client, auth, make_lab):
    make_lab("SC-TC")
    q = _cert(make_lab("OTHER"))
    auth.login("admin")
    assert client.get(f"/labs/SC-TC/qualifications/{q.id}/edit").status_code == 404
    assert client.post(f"/labs/SC-TC/qualifications/{q.id}/delete").status_code == 404
    assert client.get("/labs/SC-TC/qualifications/999/edit").status_code == 404
    assert db.session.get(Qualification, q.id) is not None


def test_editing_a_certificate_may_keep_its_own_number(client, auth, make_lab):
    q = _cert(make_lab("SC-TC"))
    auth.login("admin")
    data = {
        "scheme": "CNAS",
        "certificate_no": "CNAS L1234",
        "issued_on": "2010-01-01",
        "expires_on": "2017-01-01",
        "status": "valid",
    }
    assert client.post(f"/labs/SC-TC/qualifications/{q.id}/edit", data=data).status_code == 303


@freeze_time("2012-06-01")
def test_expiry_flags_on_the_lab_page(client, auth, make_lab):
    lab = make_lab("SC-TC")
    _cert(lab, "A-EXPIRED", expires=date(2012, 5, 31))
    _cert(lab, "B-SOON", expires=date(2012, 6, 1) + timedelta(days=90))
    _cert(lab, "C-LATER", expires=date(2012, 6, 1) + timedelta(days=91))
    auth.login("viewer")
    html = client.get("/labs/SC-TC").get_data(as_text=True)
    rows = {n: html[html.index(n) - 300 : html.index(n)] for n in ("A-EXPIRED", "B-SOON", "C-LATER")}
    assert "table-danger" in rows["A-EXPIRED"]
    assert "table-warning" in rows["B-SOON"]
    assert "table-warning" not in rows["C-LATER"] and "table-danger" not in rows["C-LATER"]
    assert html.count(">expired</span>") == 1 and html.count(">expires soon</span>") == 1


def test_add_edit_remove_contact(client, auth, make_lab):
    make_lab("SC-TC")
    auth.login("quality")
    assert client.post("/labs/SC-TC/contacts/new", data=CONTACT).headers["Location"] == "/labs/SC-TC"
    contact = db.session.scalar(select(LabContact))
    assert (contact.name, contact.email) == ("王伟", "wang@example.cn")
    response = client.post(
        f"/labs/SC-TC/contacts/{contact.id}/edit", data={**CONTACT, "phone": "", "position": "质量负责人"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (contact.phone, contact.position) == (None, "质量负责人")
    assert "质量负责人" in client.get("/labs/SC-TC").get_data(as_text=True)
    assert client.post(f"/labs/SC-TC/contacts/{contact.id}/delete").status_code == 303
    assert db.session.scalar(select(LabContact)) is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Invalid e-mail address."),
        ({"email": "a@b"}, "email", "Invalid e-mail address."),
        ({"name": ""}, "name", "This field is required."),
        ({"phone": "call me"}, "phone", "Digits, spaces, +, - and brackets only."),
        ({"name": "x" * 121}, "name", "At most 120 characters."),
        ({"name": "<i>王</i>"}, "name", "The characters &lt; and &gt; are not allowed here."),
        ({"position": "a\nb"}, "position", "Control characters are not allowed."),
        ({"email": "a@b.cn\x00"}, "email", "Control characters are not allowed."),
    ],
)
def test_contact_form_rerenders_with_field_messages(client, auth, make_lab, data, field, message):
    make_lab("SC-TC")
    auth.login("admin")
    response = client.post("/labs/SC-TC/contacts/new", data={**CONTACT, **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="{field}"' in html
    assert db.session.scalar(select(LabContact)) is None


def test_contact_of_another_lab_is_404(client, auth, make_lab):
    make_lab("SC-TC")
    other = make_lab("OTHER")
    contact = LabContact(lab=other, name="李")
    db.session.add(contact)
    db.session.commit()
    auth.login("admin")
    assert client.post(f"/labs/SC-TC/contacts/{contact.id}/edit", data=CONTACT).status_code == 404
    assert client.post(f"/labs/SC-TC/contacts/{contact.id}/delete").status_code == 404


def test_service_validates_what_the_form_cannot(app, make_lab, make_user):
    from labtrack.labs import service
    from labtrack.services import InvalidInput

    lab = make_lab("SC-TC")
    actor = make_user("admin")
    with pytest.raises(InvalidInput) as exc:
        service.add_qualification(
            lab,
            {
                "scheme": "XYZ",
                "certificate_no": " ",
                "issued_on": "2010-02-30",
                "expires_on": None,
                "status": "bogus",
            },
            actor,
        )
    assert set(exc.value.errors) == {"scheme", "certificate_no", "issued_on", "expires_on", "status"}
    with pytest.raises(InvalidInput) as exc:
        service.add_contact(lab, {"name": "", "email": "x@y", "phone": "1" * 41}, actor)
    assert set(exc.value.errors) == {"name", "email", "phone"}


# --- Export ---


def _export_labs(make_lab):
    tc = make_lab(
        "SC-TC", name="技术中心", name_en="Technical Centre", kind="technical_centre", is_model_lab=True
    )
    _cert(tc, "2010510001", scheme=Scheme.CMA, expires=date(2013, 1, 1))
    _cert(tc, "CNAS L0001", expires=date(2015, 1, 1))
    make_lab("ZG-PQI", name='=HYPERLINK("x")', region="Zigong", status=LabStatus.SUSPENDED)


def test_export_csv_of_the_filtered_list(client, auth, make_lab):
    _export_labs(make_lab)
    auth.login("viewer")
    response = client.get("/labs/export?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="laboratories.csv"' in response.headers["Content-Disposition"]
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "code,name,region,kind,name_en,status,model_lab,cma_certificate,cma_expires_on,"
        "cnas_certificate,cnas_expires_on"
    )
    assert lines[1] == (
        "SC-TC,技术中心,Chengdu,technical_centre,Technical Centre,active,yes,2010510001,"
        "2013-01-01,CNAS L0001,2015-01-01"
    )
    assert lines[2].startswith('ZG-PQI,"\'=HYPERLINK(""x"")",Zigong')  # no formula injection
    filtered = client.get("/labs/export?format=csv&region=Zigong").get_data().decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in filtered[1:]] == ["ZG-PQI"]


def test_export_xlsx(client, auth, make_lab):
    _export_labs(make_lab)
    auth.login("viewer")
    response = client.get("/labs/export?format=xlsx&sort=-code")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("code", "name", "region", "kind")
    assert [r[0] for r in rows[1:]] == ["ZG-PQI", "SC-TC"]
    assert rows[2][8] == "2013-01-01"


def test_export_unknown_format_is_400_and_lab_manager_gets_own_lab(client, auth, make_lab):
    _export_labs(make_lab)
    own = db.session.scalar(select(Qualification).where(Qualification.certificate_no == "CNAS L0001")).lab
    auth.login("lab_manager", lab=own)
    assert client.get("/labs/export?format=pdf").status_code == 400
    lines = client.get("/labs/export?format=csv").get_data().decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["SC-TC"]
