"""Events from the portal reach the mirror; the request tab shows the request; forged input is refused."""

from __future__ import annotations

import re
import threading

import requests
from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models import InboxEvent, Job, Portal, ServiceRequest
from b24app.services.fields import FieldMap
from b24app.services.portals import client_for
from sandbox.demo_data import REQUESTS
from sandbox.portal import seed_requests
from tests.factories import event_form

from .conftest import open_frame, portal_stats


def _requests(app) -> list[ServiceRequest]:
    with app.app_context():
        rows = db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.b24_id)).all()
        db.session.expunge_all()
        return rows


def test_requests_created_in_the_portal_are_mirrored_with_client_and_responsible(installed, app):
    created = installed.seed_requests()
    installed.wait_idle()
    mirrored = _requests(app)
    assert [r.b24_id for r in mirrored] == sorted(int(i["id"]) for i in created)
    first = mirrored[0]
    assert first.title.startswith("Станок ЧПУ Т-400")
    assert first.company_title == "ТЕХНО-ЛОГИСТИК ООО"
    assert first.state == "new"


def test_a_stage_change_in_the_portal_updates_the_mirror(installed, app):
    item = installed.seed_requests()[0]
    installed.wait_idle()
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        stage = next(s for s, state in portal.settings["stage_map"].items() if state == "waiting")
        client_for(portal.id, app.config["SETTINGS"]).call(
            "crm.item.update",
            {"entityTypeId": installed.entity_type_id(), "id": item["id"], "fields": {"stageId": stage}},
        )
    installed.wait_idle()
    req = next(r for r in _requests(app) if r.b24_id == int(item["id"]))
    assert req.stage_id == stage and req.state == "waiting"


def test_request_tab_shows_the_mirrored_request(installed, app):
    item = installed.seed_requests()[1]
    installed.wait_idle()
    tab = f"CRM_DYNAMIC_{installed.entity_type_id()}_DETAIL_TAB"
    response = open_frame(installed, tab, {"ID": str(item["id"])})
    assert response.status_code == 200, response.text
    assert "Гарантийный ремонт гидростанции ГС-250" in response.text
    assert "Уральский машзавод АО" in response.text
    assert f"frame-ancestors {installed.portal_url}" in response.headers["Content-Security-Policy"]


def test_forged_frame_post_never_reaches_data(installed):
    frame = installed.control("frame", {"placement": "DEFAULT"})
    forged = dict(frame["form"], APPLICATION_TOKEN="forged")
    assert requests.post(frame["url"], data=forged, timeout=10).status_code == 401
    wrong_member = dict(frame["form"], member_id="somebody-else")
    assert requests.post(frame["url"], data=wrong_member, timeout=10).status_code == 401
    bad_user = dict(frame["form"], AUTH_ID="not-a-token")
    assert requests.post(frame["url"], data=bad_user, timeout=10).status_code == 401


def test_frame_api_needs_a_valid_frame_token(installed):
    item = installed.seed_requests()[0]
    installed.wait_idle()
    url = f"{installed.app_url}/frame-api/requests/{item['id']}"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"X-Frame-Token": "garbage"}, timeout=10).status_code == 401


def test_forged_and_unknown_portal_events_over_http_leave_no_row(installed, app):
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        form = event_form(portal, **{"data[FIELDS][ENTITY_TYPE_ID]": str(installed.entity_type_id())})
        db.session.remove()
    url = f"{installed.app_url}/b24/events"
    forged = requests.post(url, data={**form, "auth[application_token]": "forged"}, timeout=10)
    unknown = requests.post(url, data={**form, "auth[member_id]": "nobody"}, timeout=10)
    malformed = requests.post(
        url,
        data="event=ONCRMDYNAMICITEMADD&auth[member_id",
        timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (forged.status_code, unknown.status_code, malformed.status_code) == (401, 401, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InboxEvent)) == 0
        assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "b24.event")) == 0


def test_eight_threads_on_an_expired_token_refresh_it_once(installed, app):
    installed.control("stats/reset")
    installed.control("expire-tokens")
    settings = app.config["SETTINGS"]
    with app.app_context():
        portal_id = db.session.scalars(select(Portal.id)).one()
    barrier = threading.Barrier(8)
    results, errors = [], []

    def call():
        with app.app_context():
            client = client_for(portal_id, settings)
            barrier.wait()
            try:
                results.append(client.call("user.current").result["ID"])
            except Exception as exc:  # collected for the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    stats = portal_stats(installed)
    assert errors == []
    assert len(results) == 8
    assert stats["refreshes"] == 1
    assert stats["invalid_grant"] == 0


def test_a_burst_of_200_calls_never_hits_the_portal_limit(installed, app):
    # A faster drain on both sides keeps the test short; the bucket logic is the one of production.
    installed.control("settings", {"bucket_size": 50, "drain_per_sec": 20})
    from tests.conftest import reconfigure

    previous = app.config["SETTINGS"].b24_rate
    reconfigure(app, b24_rate=(50, 20.0))
    installed.control("stats/reset")
    with app.app_context():
        portal_id = db.session.scalars(select(Portal.id)).one()
        db.session.execute(db.text("DELETE FROM rate_bucket"))
        db.session.commit()
    errors = []

    def burst(n: int):
        with app.app_context():
            client = client_for(portal_id, app.config["SETTINGS"])
            for _ in range(n):
                try:
                    client.call("user.current")
                except Exception as exc:
                    errors.append(exc)
            db.session.remove()

    threads = [threading.Thread(target=burst, args=(50,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    reconfigure(app, b24_rate=previous)
    stats = portal_stats(installed)
    assert errors == []
    assert stats["calls_by_method"].get("user.current", 0) == 200
    assert stats["query_limit_exceeded"] == 0


def test_history_records_creation_client_messages_replies_and_notes_once(installed, app):
    from b24app.models import RequestEvent

    item = installed.seed_requests()[0]  # arrives by phone: an incoming call activity
    installed.wait_idle()
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        client = client_for(portal.id, app.config["SETTINGS"])
        owner = {"ownerTypeId": installed.entity_type_id(), "ownerId": item["id"]}
        client.call(
            "crm.timeline.comment.add",
            {
                "fields": {
                    "ENTITY_ID": item["id"],
                    "ENTITY_TYPE": f"dynamic_{owner['ownerTypeId']}",
                    "COMMENT": "Проверить журнал ошибок",
                }
            },
        )
    installed.wait_idle()
    with app.app_context():
        req = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == int(item["id"]))).one()
        kinds = db.session.scalars(
            select(RequestEvent.kind).where(RequestEvent.request_id == req.id).order_by(RequestEvent.id)
        ).all()
    assert kinds.count("created") == 1
    assert "client_message" in kinds
    assert kinds.count("internal_note") == 1
    assert "public_reply" not in kinds


def test_the_channel_is_read_from_the_items_source_and_written_to_the_item(installed, app):
    items = installed.seed_requests()
    installed.wait_idle()
    mirrored = {r.b24_id: r.channel for r in _requests(app)}
    assert [mirrored[int(i["id"])] for i in items] == [r.get("channel", "phone") for r in REQUESTS]
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        fields = FieldMap(portal.settings["fields"])
        client = client_for(portal.id, app.config["SETTINGS"])
        item = client.call(
            "crm.item.get", {"entityTypeId": installed.entity_type_id(), "id": items[1]["id"]}
        ).result["item"]
        db.session.remove()
    assert fields.read(item, "SD_CHANNEL") == "email"


def test_the_card_shows_the_clients_other_requests(installed, app):
    first = dict(REQUESTS[0], title="Станок Т-400: не запускается шпиндель")
    second = dict(REQUESTS[0], title="Станок Т-400: ошибка E-21")
    earlier, later = seed_requests(installed.portal, installed.entity_type_id(), [first, second])
    other_client = seed_requests(installed.portal, installed.entity_type_id(), [REQUESTS[1]])[0]
    installed.wait_idle()
    tab = f"CRM_DYNAMIC_{installed.entity_type_id()}_DETAIL_TAB"
    page = open_frame(installed, tab, {"ID": str(later["id"])}).text
    history = page[page.index('id="section-history"') :]
    assert "Станок Т-400: не запускается шпиндель" in history
    assert f'/details/{earlier["id"]}/"' in history and f'/details/{other_client["id"]}/"' not in history
    assert re.search(r'id="history-summary">[^<]*<b>1</b>', history)
    alone = open_frame(installed, tab, {"ID": str(other_client["id"])}).text
    assert 'id="section-history"' not in alone
