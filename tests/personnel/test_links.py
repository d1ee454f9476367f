"""Links to the other areas: the persons of a finding, the analyst of a comparison result, what they
put on a person's record, and what the scope page can include."""

from datetime import date

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from labtrack.extensions import db
from labtrack.personnel import links
from labtrack.personnel.models import FindingPerson, ResultAnalyst
from labtrack.services import Forbidden, InvalidInput
from tests import factories as f
from tests.personnel import factories as pf
from tests.personnel.conftest import login


def test_naming_the_persons_of_a_personnel_finding(world):
    finding = f.FindingFactory(audit__lab=world.lab_a, area="personnel_training")
    links.set_finding_persons(world.inspector, finding, [world.ana.id, world.sig.id])
    links.set_finding_persons(world.inspector, finding, f"{world.sig.id}")  # the list replaces the one before
    assert [p.name for p in links.persons_of_finding(finding.id)] == ["李强"]
    with pytest.raises(InvalidInput):
        links.set_finding_persons(world.inspector, finding, [world.bob.id])
    with pytest.raises(Forbidden):
        links.set_finding_persons(world.viewer, finding, [world.ana.id])
    records = f.FindingFactory(audit__lab=world.lab_a, area="records")
    with pytest.raises(InvalidInput):
        links.set_finding_persons(world.inspector, records, [world.ana.id])


def test_the_analyst_and_the_persons_record(world, client):
    rnd = f.RoundFactory(status="published", code="PT-2010-01", closes_on=date(2010, 6, 30))
    result = f.ResultFactory(
        participant__round=rnd, participant__lab=world.lab_a, score=-0.8, score_kind="z", grade="satisfactory"
    )
    links.set_analyst(world.manager_a, result, world.ana.id)
    finding = f.FindingFactory(
        audit__lab=world.lab_a, area="personnel_training", description="未经授权签发报告"
    )
    links.set_finding_persons(world.admin, finding, [world.ana.id])
    rows = links.person_results(world.manager_a, world.ana)
    assert [(r["round_code"], r["grade"]) for r in rows] == [("PT-2010-01", "satisfactory")]
    login(client, world.manager_a)
    page = client.get(f"/personnel/people/{world.ana.id}").get_data(as_text=True)
    assert "PT-2010-01" in page and "未经授权签发报告" in page
    with pytest.raises(InvalidInput):
        links.set_analyst(world.quality, result, world.bob.id)  # not of the result's lab
    links.set_analyst(world.quality, result, None)
    assert links.analyst_of(result.id) is None


def test_an_unpublished_grade_is_not_on_a_lab_managers_record(world):
    rnd = f.RoundFactory(status="evaluated")
    result = f.ResultFactory(
        participant__round=rnd, participant__lab=world.lab_a, score=3.5, grade="unsatisfactory"
    )
    links.set_analyst(world.quality, result, world.ana.id)
    assert links.person_results(world.manager_a, world.ana)[0]["grade"] is None
    assert links.person_results(world.inspector, world.ana)[0]["grade"] == "unsatisfactory"


def test_deleting_a_result_or_finding_removes_its_links(world):
    result = f.ResultFactory(participant__lab=world.lab_a)
    finding = f.FindingFactory(audit__lab=world.lab_a, area="personnel_training")
    links.set_analyst(world.quality, result, world.ana.id)
    links.set_finding_persons(world.inspector, finding, [world.ana.id])
    db.session.delete(result)
    db.session.delete(finding)
    db.session.commit()
    for model in (ResultAnalyst, FindingPerson):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_the_link_pages(world, client):
    finding = f.FindingFactory(audit__lab=world.lab_a, area="personnel_training")
    result = f.ResultFactory(participant__lab=world.lab_a)
    login(client, world.viewer)
    assert 'name="person_ids"' not in client.get(f"/personnel/findings/{finding.id}/persons").get_data(
        as_text=True
    )
    assert (
        client.post(
            f"/personnel/findings/{finding.id}/persons", data={"person_ids": [str(world.ana.id)]}
        ).status_code
        == 403
    )
    client.post("/logout")
    login(client, world.inspector)
    response = client.post(
        f"/personnel/findings/{finding.id}/persons", data={"person_ids": [str(world.ana.id)]}
    )
    assert response.status_code == 303
    assert [p.name for p in links.persons_of_finding(finding.id)] == ["王芳"]
    response = client.post(f"/personnel/results/{result.id}/analyst", data={"person_id": str(world.sig.id)})
    assert response.status_code == 303 and links.analyst_of(result.id).name == "李强"
    client.post("/logout")
    login(client, world.manager_b)
    assert client.get(f"/personnel/findings/{finding.id}/persons").status_code == 404
    assert client.get(f"/personnel/results/{result.id}/analyst").status_code == 404


def test_what_the_scope_page_can_include(world, client, app):
    pf.AuthorisationFactory(person=world.ana, item=world.item, valid_from=date(2009, 1, 1))
    login(client, world.manager_a)
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.manager_a)
        html = render_template_string('{% include "personnel/_scope_authorisations.html" %}', lab=world.lab_a)
        assert 'id="scope-gaps"' in html and "CD-CER" in html
        cell = render_template_string(
            '{% from "personnel/_scope_macros.html" import authorised_cell %}{% set cov = personnel_coverage(lab) %}'
            "{{ authorised_cell(cov, 'PB-CER') }}|{{ authorised_cell(cov, 'CD-CER') }}",
            lab=world.lab_a,
        )
        assert "1 " in cell.split("|")[0] and "nobody authorised" in cell.split("|")[1]
        assert (
            render_template_string(
                '{% include "personnel/_scope_authorisations.html" %}', lab=world.lab_b
            ).strip()
            == ""
        )


def test_what_the_finding_and_round_pages_can_include(world, app):
    finding = f.FindingFactory(audit__lab=world.lab_a, area="personnel_training")
    other = f.FindingFactory(audit__lab=world.lab_a, area="records")
    links.set_finding_persons(world.inspector, finding, [world.ana.id])
    result_a = f.ResultFactory(participant__lab=world.lab_a)
    result_b = f.ResultFactory(participant__lab=world.lab_b)
    links.set_analyst(world.quality, result_a, world.ana.id)
    links.set_analyst(world.quality, result_b, world.bob.id)
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.inspector)
        html = render_template_string('{% include "personnel/_finding_persons.html" %}', finding=finding)
        assert "王芳" in html and "Name the persons concerned" in html
        assert (
            render_template_string('{% include "personnel/_finding_persons.html" %}', finding=other).strip()
            == ""
        )
        cells = render_template_string(
            '{% from "personnel/_link_macros.html" import analyst_cell %}{% set a = personnel_analysts(results) %}'
            "{{ analyst_cell(a, ids[0]) }}|{{ analyst_cell(a, ids[1]) }}",
            results=[{"id": result_a.id}, {"id": result_b.id}],
            ids=[result_a.id, result_b.id],
        )
        assert cells.count("王芳") == 1 and "陈刚" in cells
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.manager_a)
        cells = render_template_string(
            '{% from "personnel/_link_macros.html" import analyst_cell %}{% set a = personnel_analysts(results) %}'
            "{{ analyst_cell(a, ids[0]) }}|{{ analyst_cell(a, ids[1]) }}",
            results=[{"id": result_a.id}, {"id": result_b.id}],
            ids=[result_a.id, result_b.id],
        )
        assert "王芳" in cells and "陈刚" not in cells  # another lab's analyst stays unknown
