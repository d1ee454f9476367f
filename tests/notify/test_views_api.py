"""The notification list and its API: one's own only, mark one or all read, open the record;
the preferences page; the badge's count."""

import pytest
from sqlalchemy import select

from labtrack.auth.permissions import Role
from labtrack.extensions import db
from labtrack.notify.models import Delivery, Notification, Preference
from labtrack.notify.service import notify, unread_count
from tests import factories as f


def give(user, n=1, kind="finding_raised", record=("findings", 42)):
    params = {"label": "FC-2010-003 #2", "lab": "SC-TC", "severity": "minor", "due_on": "2010-06-30"}
    notes = [notify(kind, [user], record, params)[0] for _ in range(n)]
    db.session.commit()
    return notes


def test_the_list_shows_ones_own_notifications_with_links(app, client, auth):
    user = auth.login(Role.LAB_MANAGER)
    other = f.UserFactory(role=Role.QUALITY)
    (mine,) = give(user)
    give(other)
    page = client.get("/notify/").get_data(as_text=True)
    assert "New Minor finding FC-2010-003 #2 at SC-TC, due 2010-06-30." in page
    assert f"/notify/{mine.id}/open" in page
    assert page.count("FC-2010-003 #2") == 1


def test_opening_marks_read_and_goes_to_the_record(app, client, auth):
    user = auth.login(Role.LAB_MANAGER)
    (note,) = give(user)
    response = client.get(f"/notify/{note.id}/open")
    assert response.status_code == 303 and response.headers["Location"] == "/audits/findings/42"
    db.session.refresh(note)
    assert note.read_at is not None


def test_mark_one_and_mark_all(app, client, auth):
    user = auth.login(Role.INSPECTOR)
    first, *rest = give(user, 3)
    response = client.post(f"/notify/{first.id}/read", data={"next": "/notify/?unread=1"})
    assert response.headers["Location"] == "/notify/?unread=1"
    assert unread_count(user) == 2
    response = client.post("/notify/read-all", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/notify/"  # never off the site
    assert unread_count(user) == 0
    assert "No unread notifications." in client.get("/notify/?unread=1").get_data(as_text=True)


def test_anothers_notification_is_404(app, client, auth):
    (theirs,) = give(f.UserFactory(role=Role.QUALITY))
    auth.login(Role.ADMIN)
    assert client.get(f"/notify/{theirs.id}/open").status_code == 404
    assert client.post(f"/notify/{theirs.id}/read").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.id}/read").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_the_api_lists_the_callers_own_in_the_list_envelope(app, client, api_token):
    user, headers = api_token(Role.LAB_MANAGER)
    notes = give(user, 3)
    give(f.UserFactory(role=Role.QUALITY))
    client.post(f"/api/v1/notifications/{notes[0].id}/read", headers=headers)
    body = client.get("/api/v1/notifications?unread=1&per_page=1", headers=headers).get_json()
    assert body["meta"] == {"page": 1, "per_page": 1, "total": 2}
    item = body["items"][0]
    assert item["id"] == notes[2].id and item["read"] is False and item["kind"] == "finding_raised"
    assert (
        item["url"] == "/audits/findings/42" and item["record_type"] == "findings" and item["record_id"] == 42
    )
    assert client.get("/api/v1/notifications", headers=headers).get_json()["meta"]["total"] == 3


def test_mark_read_in_the_api_answers_the_notification(app, client, api_token):
    user, headers = api_token(Role.VIEWER)
    (note,) = give(user)
    response = client.post(f"/api/v1/notifications/{note.id}/read", headers=headers)
    assert response.status_code == 200 and response.get_json()["read"] is True
    assert client.post("/api/v1/notifications/999999/read", headers=headers).get_json()["code"] == 404


def test_the_api_needs_a_sign_in_and_refuses_bad_arguments(app, client, api_token):
    assert client.get("/api/v1/notifications").status_code == 401
    _user, headers = api_token(Role.VIEWER)
    response = client.get("/api/v1/notifications?unread=maybe", headers=headers)
    assert response.status_code == 422 and "unread" in response.get_json()["errors"]


def test_the_badge_counts_unread(app, client, auth):
    user = auth.login(Role.LAB_MANAGER)
    give(user, 2)
    with app.test_request_context():
        from flask import render_template_string
        from flask_login import login_user

        login_user(user)
        html = render_template_string('{% include "notify/_badge.html" %}')
    assert 'id="notifications-badge"' in html and ">2</span>" in html and "2 unread notifications" in html


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_list_and_preferences(app, client, auth, role):
    auth.login(role)
    assert client.get("/notify/").status_code == 200
    assert client.get("/notify/preferences").status_code == 200


def test_preferences_are_saved_per_user(app, client, auth):
    user = auth.login(Role.LAB_MANAGER, email="manager@lab.example.cn")
    page = client.get("/notify/preferences").get_data(as_text=True)
    assert "This server sends no e-mail yet" in page and user.email in page
    response = client.post("/notify/preferences", data={"delivery": "digest", "email_enabled": ""})
    assert response.status_code == 303 and response.headers["Location"] == "/notify/preferences"
    pref = db.session.scalar(select(Preference).where(Preference.user_id == user.id))
    assert (pref.delivery, pref.email_enabled) == (Delivery.DIGEST, False)
    response = client.post("/notify/preferences", data={"delivery": "hourly", "email_enabled": "y"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)


def test_no_email_address_is_said_on_the_preferences_page(app, client, auth):
    auth.login(Role.VIEWER, email=None)
    assert "Your account has no e-mail address" in client.get("/notify/preferences").get_data(as_text=True)


def test_a_notification_about_a_record_without_a_page_has_no_link(app, client, auth):
    user = auth.login(Role.VIEWER)
    give(user, record=("widgets", 1))
    assert "/open" not in client.get("/notify/").get_data(as_text=True)
    assert db.session.scalar(select(Notification)).record_table == "widgets"
