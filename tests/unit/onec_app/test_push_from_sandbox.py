"""Over real HTTP on loopback: the sandbox 1C pushes a signed, BOM-prefixed change to the app."""

from __future__ import annotations

import requests
from sqlalchemy import select

from b24app.extensions import db
from b24app.jobs import queue
from b24app.jobs.worker import run_one
from b24app.models import InboxStatus, OneCInboxItem, ServiceRequest
from b24app.services.onec_link import client_for_portal, issue_hmac_secret, issue_push_token, set_connection
from sandbox.http import ServerThread
from sandbox.onec import OneCSettings, create_onec_app
from tests.factories import make_portal


def test_status_changed_in_1c_reaches_the_request_mirror(app, ctx):
    settings = OneCSettings()
    onec = create_onec_app(settings)
    with ServerThread(onec) as onec_server, ServerThread(app) as app_server:
        portal = make_portal()
        set_connection(portal, onec_server.url + settings.base_path, settings.username, settings.password)
        token, secret = issue_push_token(portal), issue_hmac_secret(portal)
        db.session.commit()
        store = onec.extensions["sandbox_onec"].store
        counterparty_ref = next(iter(store.counterparties))
        created = client_for_portal(portal).create_request(
            {"counterparty_ref": counterparty_ref, "subject": "Не запускается насос", "kind": "support"}
        )
        db.session.add(ServiceRequest(portal_id=portal.id, b24_id=7, onec_ref=created.ref))
        db.session.commit()

        control = onec_server.url + "/sandbox1c/api"
        config = {"url": app_server.url + "/api/1c/v1/events", "token": token, "hmac_secret": secret}
        assert requests.post(control + "/push-config", json=config, timeout=5).ok
        assert requests.post(
            f"{control}/requests/{created.ref}/status", json={"status": "resolved"}, timeout=5
        ).ok
        requests.post(control + "/push-now", timeout=10)
        log = requests.get(control + "/push-log", timeout=5).json()["log"]
        onec.extensions["sandbox_onec"].close()

    assert log and all(entry["ok"] for entry in log), log
    while (job := queue.claim("test")) is not None:
        run_one(job)
    db.session.expire_all()
    items = db.session.scalars(select(OneCInboxItem).where(OneCInboxItem.portal_id == portal.id)).all()
    assert any(item.status == InboxStatus.APPLIED for item in items)
    mirror = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == 7)).one()
    assert mirror.onec_status == "resolved"
