"""POST /b24/events: verified events are stored once and queued; bad ones are refused and leave nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models import InboxEvent, Job, Portal, PortalStatus, utcnow
from tests.factories import event_form, make_portal


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(InboxEvent)),
        db.session.scalar(select(func.count()).select_from(Job)),
    )


def test_genuine_event_is_stored_without_tokens_and_queued(client, ctx):
    portal = make_portal()
    response = client.post("/b24/events", data=event_form(portal))
    assert response.status_code == 200
    assert response.json["status"] == "accepted"
    inbox = db.session.scalars(select(InboxEvent)).one()
    assert inbox.event == "ONCRMDYNAMICITEMUPDATE"
    assert inbox.payload["data"]["FIELDS"]["ID"] == "24"
    assert "access_token" not in inbox.payload["auth"]
    assert "application_token" not in inbox.payload["auth"]
    job = db.session.scalars(select(Job)).one()
    assert job.kind == "b24.event" and job.payload == {"inbox_id": inbox.id}


def test_the_same_delivery_twice_is_stored_once(client, ctx):
    portal = make_portal()
    first = client.post("/b24/events", data=event_form(portal))
    second = client.post("/b24/events", data=event_form(portal))
    assert first.status_code == second.status_code == 200
    assert second.json["status"] == "duplicate"
    assert _counts() == (1, 1)


def test_an_identical_event_after_the_first_was_processed_is_a_new_change(client, ctx):
    portal = make_portal()
    client.post("/b24/events", data=event_form(portal))
    db.session.scalars(select(InboxEvent)).one().processed_at = utcnow()
    db.session.commit()
    again = client.post("/b24/events", data=event_form(portal))
    assert again.json["status"] == "accepted"
    assert _counts() == (2, 2)


def test_forged_application_token_is_refused_and_stores_nothing(client, ctx):
    portal = make_portal()
    form = event_form(portal, **{"auth[application_token]": "forged"})
    response = client.post("/b24/events", data=form)
    assert response.status_code == 401
    assert response.json["error"] == "bad_application_token"
    assert _counts() == (0, 0)


def test_unknown_portal_is_refused(client, ctx):
    response = client.post("/b24/events", data=event_form(None))
    assert response.status_code == 401
    assert response.json["error"] == "unknown_portal"
    assert _counts() == (0, 0)


def test_uninstalled_portal_gets_no_more_events(client, ctx):
    portal = make_portal(status=PortalStatus.UNINSTALLED)
    assert client.post("/b24/events", data=event_form(portal)).status_code == 401
    assert _counts() == (0, 0)


def test_malformed_keys_and_missing_fields_are_bad_requests(client, ctx):
    portal = make_portal()
    broken_key = event_form(portal)
    broken_key["data[FIELDS][ID"] = "1"
    no_auth = {"event": "ONCRMDYNAMICITEMADD", "data[FIELDS][ID]": "1"}
    no_event = {k: v for k, v in event_form(portal).items() if k != "event"}
    no_member = {k: v for k, v in event_form(portal).items() if k != "auth[member_id]"}
    for form in (broken_key, no_auth, no_event, no_member):
        response = client.post("/b24/events", data=form)
        assert response.status_code == 400, form
        assert response.json["error"]
    json_body = client.post("/b24/events", json=event_form(portal))
    assert json_body.status_code == 400
    assert json_body.json["error"] == "bad_content_type"
    assert _counts() == (0, 0)


def test_event_made_by_a_robot_without_tokens_is_accepted(client, ctx):
    portal = make_portal()
    form = {
        k: v for k, v in event_form(portal).items() if k not in ("auth[access_token]", "auth[refresh_token]")
    }
    response = client.post("/b24/events", data=form)
    assert response.status_code == 200
    assert db.session.scalars(select(InboxEvent)).one().made_by_robot is True


def test_uninstall_verified_by_token_deactivates_and_forgets_tokens(client, ctx):
    portal = make_portal()
    form = {
        "event": "ONAPPUNINSTALL",
        "data[LANGUAGE_ID]": "ru",
        "data[CLEAN]": "0",
        "ts": "1723538517",
        "auth[domain]": portal.domain,
        "auth[client_endpoint]": portal.client_endpoint,
        "auth[server_endpoint]": portal.server_endpoint,
        "auth[member_id]": portal.member_id,
        "auth[application_token]": portal.application_token,
        "auth[scope]": "crm",
        "auth[status]": "L",
    }
    forged = client.post("/b24/events", data={**form, "auth[application_token]": "nope"})
    assert forged.status_code == 401
    db.session.expire_all()
    assert db.session.get(Portal, portal.id).status == PortalStatus.ACTIVE
    response = client.post("/b24/events", data=form)
    assert response.status_code == 200
    db.session.expire_all()
    stored = db.session.get(Portal, portal.id)
    assert stored.status == PortalStatus.UNINSTALLED
    assert stored.access_token is None and stored.refresh_token is None
