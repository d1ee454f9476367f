"""The home dashboard's cards of the scope, audits and proficiency areas, per role, with hand-derived numbers."""

import re
from datetime import date

import pytest
from freezegun import freeze_time

from labtrack.audits.models import Audit, AuditKind, AuditStatus, Finding, FindingSource
from labtrack.audits.workflow import State
from labtrack.auth.models import User
from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.proficiency import evaluation, results
from labtrack.proficiency import service as rounds
from labtrack.scope import service as scope_service
from labtrack.scope.models import TestCategory, TestItem

TODAY = "2010-07-01"


def badge(html: str, element_id: str) -> str:
    """The text of the element with this id (a badge)."""
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, f"#{element_id} not on the page"
    return match.group(1).strip()


@pytest.fixture
def frozen():
    """Today is 2010-07-01 (from sign-in to the dashboard)."""
    with freeze_time(TODAY):
        yield


def dashboard(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- audits ------------------------------------------------------------------------------------


@pytest.fixture
def findings_world(app, frozen, make_lab, make_user):
    """Two labs and eight findings; as of 2010-07-01:

    lab A: #1 open due 07-05 (due soon), #2 plan submitted due 06-20 (overdue 11 d, in the inspector's
    audit), #3 closed after 30 days, #4 plan accepted due 08-30.
    lab B: #1 evidence submitted due 06-01 (overdue 30 d, audit without lead), #2 open due 06-25
    (overdue 6 d), #3 closed after 10 days, #4 cancelled.
    """
    lab_a, lab_b = make_lab("LA-A"), make_lab("LA-B")
    inspector = make_user(Role.INSPECTOR, username="insp")
    audit_a = Audit(
        reference="FC-2010-001",
        lab_id=lab_a.id,
        kind=AuditKind.FLIGHT_CHECK,
        title="A",
        started_on=date(2010, 5, 10),
        status=AuditStatus.COMPLETED,
        lead_id=inspector.id,
    )
    audit_b = Audit(
        reference="FC-2010-002",
        lab_id=lab_b.id,
        kind=AuditKind.FLIGHT_CHECK,
        title="B",
        started_on=date(2010, 5, 10),
        status=AuditStatus.COMPLETED,
    )
    db.session.add_all([audit_a, audit_b])
    db.session.flush()

    def finding(audit, number, status, due, **fields):
        db.session.add(
            Finding(
                audit_id=audit.id,
                lab_id=audit.lab_id,
                number=number,
                source=FindingSource.AUDIT,
                severity="major",
                area="quality_control",
                clause="7.7.1",
                description="No internal quality control.",
                raised_on=date(2010, 5, 10),
                due_on=due,
                status=status,
                **fields,
            )
        )

    finding(audit_a, 1, State.OPEN, date(2010, 7, 5))
    finding(audit_a, 2, State.PLAN_SUBMITTED, date(2010, 6, 20))
    finding(audit_a, 3, State.CLOSED, date(2010, 6, 9), closed_on=date(2010, 6, 9))
    finding(audit_a, 4, State.PLAN_ACCEPTED, date(2010, 8, 30))
    finding(audit_b, 1, State.EVIDENCE_SUBMITTED, date(2010, 6, 1))
    finding(audit_b, 2, State.OPEN, date(2010, 6, 25))
    finding(audit_b, 3, State.CLOSED, date(2010, 6, 9), closed_on=date(2010, 5, 20))
    finding(audit_b, 4, State.CANCELLED, date(2010, 6, 9), cancelled_on=date(2010, 6, 1), cancel_reason="dup")
    db.session.commit()
    return {"A": lab_a, "B": lab_b, "inspector": inspector}


def test_lab_manager_sees_only_their_labs_rectification(client, auth, findings_world):
    auth.login(Role.LAB_MANAGER, lab=findings_world["A"])
    html = dashboard(client)
    assert (
        badge(html, "dash-rect-open"),
        badge(html, "dash-rect-due-soon"),
        badge(html, "dash-rect-overdue"),
    ) == ("3", "1", "1")
    assert "/audits/queue" in html and "/audits/findings?overdue=1" in html
    for other in ("dash-verification", "dash-rect-figures", "dash-most-overdue", "FC-2010-002"):
        assert other not in html
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=findings_world["B"])
    html = dashboard(client)
    assert (
        badge(html, "dash-rect-open"),
        badge(html, "dash-rect-due-soon"),
        badge(html, "dash-rect-overdue"),
    ) == ("2", "0", "2")


def test_inspector_sees_what_awaits_their_verification(client, auth, findings_world):
    auth.login(findings_world["inspector"])
    html = dashboard(client)
    assert (badge(html, "dash-verify-mine"), badge(html, "dash-verify-others")) == ("1", "1")
    assert "dash-rectification" not in html and "dash-most-overdue" not in html


@pytest.mark.parametrize("role", [Role.QUALITY, Role.ADMIN])
def test_quality_sees_verification_overdue_closure_and_most_overdue(client, auth, findings_world, role):
    auth.login(role)
    html = dashboard(client)
    assert (badge(html, "dash-verify-mine"), badge(html, "dash-verify-others")) == ("0", "2")
    assert badge(html, "dash-totals-active") == "5"
    assert badge(html, "dash-totals-overdue") == "3"
    assert badge(html, "dash-totals-closure") == "28.6 %"  # 2 closed of 8 - 1 cancelled
    assert 'badge text-bg-danger" id="dash-totals-closure"' in html  # red, not a reassuring green
    assert badge(html, "dash-totals-median") == "20.0"  # median of 30 and 10 days
    card = html[html.index('id="dash-most-overdue"') :]
    order = [card.index(label) for label in ("FC-2010-002 #1", "FC-2010-001 #2", "FC-2010-002 #2")]
    assert order == sorted(order)  # 30, 11, 6 days overdue
    assert "30 d" in card and "11 d" in card and "6 d" in card
    assert "/audits/figures" in html


def test_viewer_sees_the_figures_but_no_work_queue(client, auth, findings_world):
    auth.login(Role.VIEWER)
    html = dashboard(client)
    assert badge(html, "dash-totals-overdue") == "3"
    assert "dash-verification" not in html and "dash-rectification" not in html


def test_audit_cards_empty_states(client, auth, frozen):
    auth.login(Role.LAB_MANAGER)
    html = dashboard(client)
    assert badge(html, "dash-rect-open") == "0" and "No rectification to do." in html
    auth.logout()
    auth.login(Role.QUALITY)
    html = dashboard(client)
    assert "Nothing awaits verification." in html and "No finding is overdue." in html
    assert badge(html, "dash-totals-closure") == "—"
    assert 'badge text-bg-secondary" id="dash-totals-closure"' in html  # nothing to rate yet


# --- proficiency -------------------------------------------------------------------------------


@pytest.fixture
def rounds_world(app, frozen, make_lab, make_user):
    """Labs P1..P5; rounds: OPEN-1 (P1, P2; P1 submitted), OPEN-2 (P2, P3), CLOSED-1, EVAL-1 and PUB-1
    (P1..P4, z = 0.4, -2.0, 2.4, -3.2: 2 of 4 satisfactory). P5 takes part in nothing."""
    labs = [make_lab(f"P{n}") for n in range(1, 6)]
    staff = make_user(Role.QUALITY, username="pt-staff")
    codes = [lab.code for lab in labs]

    def make(code, participants, closes_on):
        rnd = rounds.create_round(
            {
                "code": code,
                "title": f"Lead in ceramics {code}",
                "kind": "blind_sample",
                "measurand": "Pb",
                "unit": "mg/L",
                "assigned_value_method": "reference",
                "x_pt": 10.0,
                "u_x_pt": 0.1,
                "sigma_pt_method": "fixed",
                "sigma_pt": 0.5,
                "closes_on": date.fromisoformat(closes_on),
                "participants": participants,
            },
            staff,
        )
        rounds.transition(rnd, "open", staff)
        return rnd

    def enter(rnd, values):
        results.submit_results(rnd, [{"lab_code": c, "value": v} for c, v in values], staff)

    open_1 = make("OPEN-1", codes[:2], "2010-07-20")
    enter(open_1, [("P1", 10.1)])
    make("OPEN-2", codes[1:3], "2010-07-25")
    closed = make("CLOSED-1", codes[:3], "2010-06-15")
    enter(closed, [("P1", 10.0), ("P2", 10.3)])
    rounds.transition(closed, "closed", staff)
    for code in ("EVAL-1", "PUB-1"):
        rnd = make(code, codes[:4], "2010-06-01")
        enter(rnd, [("P1", 10.2), ("P2", 9.0), ("P3", 11.2), ("P4", 8.4)])
        rounds.transition(rnd, "closed", staff)
        evaluation.evaluate_round(rnd, staff)
        if code == "PUB-1":
            evaluation.publish_round(rnd, staff)
    return labs


def test_lab_manager_sees_their_open_rounds_and_what_to_submit(client, auth, rounds_world):
    auth.login(Role.LAB_MANAGER, lab=rounds_world[0])  # P1: in OPEN-1, submitted
    html = dashboard(client)
    assert badge(html, "dash-rounds-open-count") == "1" and badge(html, "dash-rounds-pending") == "0"
    assert "OPEN-1" in html and "OPEN-2" not in html and "submitted" in html
    # The lab's own grade leads the card (P1 scored 10.2 against the robust mean), the round's share
    # is said to be everyone's: a lab is never shown a green badge for a round it failed.
    assert "PUB-1" in html and badge(html, "dash-latest-own") == "My laboratory: satisfactory"
    assert "dash-latest-share" not in html and "All participants: 50 % satisfactory" in html
    assert "dash-rounds-closed" not in html and "dash-rounds-evaluated" not in html and "EVAL-1" not in html
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=rounds_world[1])  # P2: in both open rounds, submitted to none
    html = dashboard(client)
    assert badge(html, "dash-rounds-open-count") == "2" and badge(html, "dash-rounds-pending") == "2"
    assert "to submit" in html


def test_lab_manager_of_a_lab_in_no_round(client, auth, rounds_world):
    auth.login(Role.LAB_MANAGER, lab=rounds_world[4])
    html = dashboard(client)
    assert badge(html, "dash-rounds-open-count") == "0"
    assert "No round is open for results." in html and "No round has been published yet." in html
    assert "OPEN-1" not in html and "PUB-1" not in html


@pytest.mark.parametrize("role", [Role.QUALITY, Role.ADMIN])
def test_quality_sees_rounds_awaiting_evaluation_and_publication(client, auth, rounds_world, role):
    auth.login(role)
    html = dashboard(client)
    assert badge(html, "dash-rounds-open-count") == "2"
    assert badge(html, "dash-rounds-closed") == "1" and badge(html, "dash-rounds-evaluated") == "1"
    assert badge(html, "dash-latest-share") == "50 % satisfactory"
    assert "1/2" in html and "0/2" in html  # results / participants of OPEN-1 and OPEN-2


def test_inspector_sees_open_rounds_but_not_the_pipeline(client, auth, rounds_world):
    auth.login(Role.INSPECTOR)
    html = dashboard(client)
    assert badge(html, "dash-rounds-open-count") == "2"
    assert "dash-rounds-closed" not in html and "PUB-1" in html


# --- scope -------------------------------------------------------------------------------------


@pytest.fixture
def scope_world(app, frozen, make_lab, make_user):
    """Lab S-A holds I1 (3 parameters) and I2 (2) of C1 since 2009; lab S-B held I1 until 2010-02-01
    and holds I3 (4, of C2) since 2010-03-01; lab S-C holds nothing."""
    actor = make_user(Role.ADMIN, username="scope-admin")
    c1, c2 = TestCategory(code="C1", name="Food"), TestCategory(code="C2", name="Toys")
    db.session.add_all([c1, c2])
    db.session.flush()
    i1, i2, i3 = (
        TestItem(code=code, name=code, category_id=cat.id, parameters=p)
        for code, cat, p in (("I1", c1, 3), ("I2", c1, 2), ("I3", c2, 4))
    )
    db.session.add_all([i1, i2, i3])
    db.session.commit()
    lab_a, lab_b, lab_c = make_lab("S-A"), make_lab("S-B"), make_lab("S-C")
    scope_service.grant_item(lab_a, i1, "2009-01-01", actor)
    scope_service.grant_item(lab_a, i2, "2009-01-01", actor)
    scope_service.grant_item(
        lab_b, i1, "2009-01-01", actor, withdrawn_on="2010-02-01", withdrawal_reason="reduction"
    )
    scope_service.grant_item(lab_b, i3, "2010-03-01", actor)
    return {"A": lab_a, "B": lab_b, "C": lab_c}


def test_lab_manager_sees_their_labs_scope(client, auth, scope_world):
    auth.login(Role.LAB_MANAGER, lab=scope_world["A"])
    html = dashboard(client)
    assert [badge(html, f"dash-scope-{m}") for m in ("categories", "items", "parameters")] == ["1", "2", "5"]
    assert "/scope/labs/S-A" in html and "/scope/growth?lab=S-A" in html
    assert "dash-scope-labs" not in html and "S-B" not in html
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=scope_world["B"])
    html = dashboard(client)
    assert [badge(html, f"dash-scope-{m}") for m in ("categories", "items", "parameters")] == ["1", "1", "4"]
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=scope_world["C"])
    assert "My laboratory holds no test item today." in dashboard(client)


@pytest.mark.parametrize("role", [Role.QUALITY, Role.VIEWER, Role.INSPECTOR])
def test_others_see_the_whole_system_and_the_years_growth(client, auth, scope_world, role):
    auth.login(role)
    html = dashboard(client)
    assert [badge(html, f"dash-scope-{m}") for m in ("categories", "items", "labs")] == ["2", "3", "2"]
    # On 2009-12-31: C1 with I1 and I2; on 2010-07-01 also C2 with I3.
    assert "From 1 categories and 2 test items to 2 categories and 3 test items" in html
    assert "since 2009-12-31" in html and 'href="/scope/growth"' in html


def test_scope_card_empty_system(client, auth, frozen):
    auth.login(Role.QUALITY)
    html = dashboard(client)
    assert badge(html, "dash-scope-items") == "0" and "No laboratory holds a test item yet." in html


# --- the demo ----------------------------------------------------------------------------------


def test_every_role_gets_a_dashboard_on_the_demo(app, client):
    from labtrack.demo import DEMO_PASSWORD, load_demo

    load_demo()
    for username in ("admin", "quality", "inspector", "viewer", "manager-SC-TC"):
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code in (302, 303), username
        response = client.get("/")
        assert response.status_code == 200, username
        html = response.get_data(as_text=True)
        assert 'id="dash-scope"' in html and 'id="dash-rounds-open"' in html, username
        client.post("/logout")


# --- reuse: each card is rendered once per audience and data version ---------------------------


@pytest.fixture
def statements(app, tmp_path):
    """The SQL statements run while the test watches (a list, appended to by an engine listener).

    The data version lives in this test's own file (the instance folder's is bumped by every other
    test process writing at the same moment)."""
    from sqlalchemy import event

    app.config["DATA_VERSION_FILE"] = str(tmp_path / "data-version")
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_the_cards_are_reused_until_the_data_changes(client, auth, findings_world, statements):
    auth.login(Role.QUALITY)
    html = dashboard(client)
    assert badge(html, "dash-totals-active") == "5"
    statements.clear()
    assert dashboard(client) == html  # the same page, from the cards already rendered ...
    assert not [s for s in statements if "findings" in s]  # ... without counting the findings again
    # A write (lab B's open finding closed) starts a new data version: the next page counts again.
    finding = db.session.scalar(
        db.select(Finding).where(Finding.lab_id == findings_world["B"].id, Finding.status == State.OPEN)
    )
    finding.status, finding.closed_on = State.CLOSED, date(2010, 6, 30)
    db.session.commit()
    html = dashboard(client)
    assert badge(html, "dash-totals-active") == "4" and badge(html, "dash-totals-overdue") == "2"


def test_a_grant_shows_on_the_next_dashboard_on_the_next_dashboard(client, auth, scope_world):
    auth.login(Role.QUALITY)
    assert badge(dashboard(client), "dash-scope-labs") == "2"
    item = db.session.scalar(db.select(TestItem).where(TestItem.code == "I2"))
    admin = db.session.scalar(db.select(User).where(User.username == "scope-admin"))
    scope_service.grant_item(scope_world["C"], item, "2010-06-01", admin)
    html = dashboard(client)
    assert badge(html, "dash-scope-labs") == "3" and badge(html, "dash-scope-items") == "3"


def test_cards_are_not_shared_between_audiences(client, auth, findings_world, make_user):
    """Two inspectors: the one leading audit A has one finding awaiting them, the other none; a lab
    manager of A after a lab manager of B; the same card in Chinese after English."""
    auth.login(findings_world["inspector"])
    assert badge(dashboard(client), "dash-verify-mine") == "1"
    auth.logout()
    auth.login(make_user(Role.INSPECTOR, username="insp-2"))
    assert badge(dashboard(client), "dash-verify-mine") == "0"
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=findings_world["B"])
    assert badge(dashboard(client), "dash-rect-open") == "2"
    auth.logout()
    auth.login(Role.LAB_MANAGER, lab=findings_world["A"])
    assert badge(dashboard(client), "dash-rect-open") == "3"
    english = dashboard(client)
    client.post("/language/zh_Hans_CN")
    chinese = dashboard(client)
    assert "Active findings" in english and "Active findings" not in chinese


def test_each_block_is_on_the_page_once(client, auth, findings_world):
    """The laboratory figures and each area's card are distinct blocks (an area without a card
    must not be served the figures block again)."""
    auth.login(Role.QUALITY)
    for _ in range(2):  # rendered, then reused
        html = dashboard(client)
        for block in ('id="labs-by-status"', 'id="expiring"', 'id="dash-scope"', 'id="dash-rect-figures"'):
            assert html.count(block) == 1, block
