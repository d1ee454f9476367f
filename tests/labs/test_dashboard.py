"""The home dashboard: labs by status and expiring certificates, narrowed for lab managers."""

from datetime import date

from freezegun import freeze_time

from labtrack.extensions import db
from labtrack.labs.models import LabStatus, Qualification, QualificationStatus, Scheme


def _cert(lab, number, expires, status=QualificationStatus.VALID):
    db.session.add(
        Qualification(
            lab=lab,
            scheme=Scheme.CMA,
            certificate_no=number,
            issued_on=date(2008, 1, 1),
            expires_on=expires,
            status=status,
        )
    )
    db.session.commit()


@freeze_time("2012-06-01")
def test_staff_dashboard(client, auth, make_lab):
    tc = make_lab("SC-TC", is_model_lab=True)
    zg = make_lab("ZG-PQI", region="Zigong", status=LabStatus.SUSPENDED)
    closed = make_lab("OLD", status=LabStatus.CLOSED)
    _cert(tc, "EXPIRED-1", date(2012, 5, 1))
    _cert(zg, "SOON-1", date(2012, 8, 30))  # day 90
    _cert(tc, "LATER-1", date(2012, 8, 31))  # day 91
    _cert(tc, "WITHDRAWN-1", date(2012, 7, 1), QualificationStatus.WITHDRAWN)
    _cert(closed, "CLOSED-1", date(2012, 7, 1))
    auth.login("viewer")
    html = client.get("/").get_data(as_text=True)
    card = html[html.index('id="labs-by-status"') : html.index('id="expiring"')]
    assert (
        "/labs/?status=active" in card
        and "/labs/?status=suspended" in card
        and "/labs/?status=closed" in card
    )
    assert "3 laboratories in 2 regions; 1 model laboratories." in card
    expiring = html[html.index('id="expiring"') :]
    assert "EXPIRED-1" in expiring and "SOON-1" in expiring
    for absent in ("LATER-1", "WITHDRAWN-1", "CLOSED-1"):
        assert absent not in expiring
    assert expiring.index("EXPIRED-1") < expiring.index("SOON-1")


@freeze_time("2012-06-01")
def test_lab_manager_dashboard_shows_own_lab_only(client, auth, make_lab):
    own = make_lab("ZG-PQI", name="自贡市产品质量监督检验所", region="Zigong")
    other = make_lab("SC-TC")
    _cert(own, "MINE-SOON", date(2012, 7, 1))
    _cert(own, "MINE-LATER", date(2015, 7, 1))
    _cert(other, "THEIRS-SOON", date(2012, 7, 1))
    auth.login("lab_manager", lab=own)
    html = client.get("/").get_data(as_text=True)
    assert 'id="own-lab"' in html and 'href="/labs/ZG-PQI"' in html and "自贡市产品质量监督检验所" in html
    assert "MINE-SOON" in html and "MINE-LATER" in html
    assert "THEIRS-SOON" not in html and "SC-TC" not in html
    assert 'id="labs-by-status"' not in html
