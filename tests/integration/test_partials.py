"""The later areas' partials on the core pages: the documents a rectification revises and the
persons a finding names (finding page), each result's analyst (round page), and on a lab's scope
page who is authorised for each held item and the items with nobody."""

from labtrack.extensions import db
from labtrack.proficiency.models import RoundStatus
from tests import factories as f
from tests.personnel.factories import (
    AuthorisationFactory,
    FindingPersonFactory,
    PersonFactory,
    ResultAnalystFactory,
)
from tests.records.factories import FindingDocumentFactory


def test_the_finding_page_shows_the_documents_its_rectification_revises(client, auth):
    link = FindingDocumentFactory()
    db.session.commit()
    revision = link.revision
    auth.login("inspector")
    page = client.get(f"/audits/findings/{link.finding_id}").get_data(as_text=True)
    card = page[page.index('id="finding-documents"') :]
    assert revision.document.code in card and f"/records/findings/{link.finding_id}/documents" in card


def test_the_finding_page_names_the_persons_of_a_personnel_finding(client, auth):
    named = FindingPersonFactory(person__name="王检测")
    db.session.commit()
    auth.login("quality")
    page = client.get(f"/audits/findings/{named.finding_id}").get_data(as_text=True)
    assert 'id="finding-persons"' in page and "王检测" in page[page.index('id="finding-persons"') :]
    other = f.FindingFactory(area="quality_control")
    db.session.commit()
    assert 'id="finding-persons"' not in client.get(f"/audits/findings/{other.id}").get_data(as_text=True)


def test_the_round_page_shows_each_results_analyst(client, auth):
    rnd = f.RoundFactory(status=RoundStatus.CLOSED)
    participant = f.ParticipantFactory(round=rnd)
    result = f.ResultFactory(round=rnd, lab=participant.lab, participant=participant)
    ResultAnalystFactory(result=result, person__name="李分析")
    db.session.commit()
    auth.login("quality")
    page = client.get(f"/rounds/{rnd.code}").get_data(as_text=True)
    table = page[page.index('id="results-table"') :]
    assert "李分析" in table and "<th>Analyst</th>" in table


def test_the_scope_page_says_who_may_perform_each_item_and_lists_the_gaps(client, auth):
    lab = f.LabFactory(code="SC-A")
    lead, cadmium = f.TestItemFactory(code="PB"), f.TestItemFactory(code="CD")
    f.ScopeEntryFactory(lab=lab, item=lead)
    f.ScopeEntryFactory(lab=lab, item=cadmium)
    AuthorisationFactory(person=PersonFactory(lab=lab, name="赵授权"), item=lead)
    db.session.commit()
    auth.login("inspector")
    page = client.get("/scope/labs/SC-A").get_data(as_text=True)
    assert 'id="scope-authorisations"' in page
    gaps = page[page.index('id="scope-authorisations"') : page.index('id="scope"')]
    assert "CD" in gaps and "PB" not in gaps  # nobody may perform cadmium
    rows = page[page.index('id="scope"') :]
    assert rows.count('class="authorised"') == 2 and "nobody authorised" in rows
