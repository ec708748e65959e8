"""Probes for the 1C flow tests: the sandbox stack connected to the sandbox 1C both ways."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from sqlalchemy import select, update

from b24app.extensions import db
from b24app.jobs import queue
from b24app.models import Job, JobStatus, OneCRequestLink, Portal, ServiceRequest, utcnow
from b24app.services.portals import client_for

T = TypeVar("T")


def onec_store(stack):
    return stack.onec_app.extensions["sandbox_onec"].store


def onec_control(stack, path: str, body: dict[str, Any] | None = None) -> Any:
    response = requests.post(f"{stack.onec_url}/sandbox1c/api/{path}", json=body or {}, timeout=10)
    response.raise_for_status()
    return response.json()


def eventually(probe: Callable[[], T], timeout: float = 20.0, what: str = "the expected state") -> T:
    """Poll until the probe returns something truthy (pushes from 1C arrive on their own thread)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value {value!r}")
        time.sleep(0.1)


def settle(stack, timeout: float = 30.0) -> None:
    """Let the portal's events and the app's due jobs run to the end."""
    stack.wait_idle(timeout=timeout)


def run_retries_now(app) -> int:
    """Make jobs waiting for their backoff due now (the test does not wait minutes for the clock)."""
    with app.app_context():
        moved = db.session.execute(
            update(Job).where(Job.status == JobStatus.QUEUED, Job.run_at > utcnow()).values(run_at=utcnow())
        ).rowcount
        db.session.commit()
        db.session.remove()
    return moved


def enqueue_pull(app) -> None:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        queue.enqueue("onec.pull", {}, portal_id=portal.id)
        db.session.commit()
        db.session.remove()


def mirror(app, b24_id: int) -> ServiceRequest:
    with app.app_context():
        row = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == int(b24_id))).one()
        db.session.expunge(row)
        db.session.remove()
        return row


def link(app, b24_id: int) -> OneCRequestLink | None:
    with app.app_context():
        row = db.session.scalars(
            select(OneCRequestLink)
            .join(ServiceRequest, ServiceRequest.id == OneCRequestLink.request_id)
            .where(ServiceRequest.b24_id == int(b24_id))
        ).first()
        if row is not None:
            db.session.expunge(row)
        db.session.remove()
        return row


def portal_item(app, stack, b24_id: int) -> dict[str, Any]:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        item = client_for(portal.id, app.config["SETTINGS"]).call(
            "crm.item.get", {"entityTypeId": stack.entity_type_id(), "id": int(b24_id)}
        )
        db.session.remove()
        return item.result["item"]


def field_key(app, code: str) -> str:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        key = portal.settings["fields"][code]["item_key"]
        db.session.remove()
        return key


def stage_of_state(app, state: str) -> str:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        stage = next(s for s, mapped in portal.settings["stage_map"].items() if mapped == state)
        db.session.remove()
        return stage


def onec_requests(stack) -> list[Any]:
    store = onec_store(stack)
    with store.lock:
        return list(store.requests.values())


def move_stage(app, stack, b24_id: int, stage: str) -> None:
    """An operator moves the card (the portal fires the update event as for a person)."""

    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        client_for(portal.id, app.config["SETTINGS"]).call(
            "crm.item.update",
            {"entityTypeId": stack.entity_type_id(), "id": int(b24_id), "fields": {"stageId": stage}},
        )
        db.session.remove()


def connected_notifications(stack, user_id: int | None = None) -> list[dict[str, Any]]:
    params = {"user_id": user_id} if user_id else {}
    return requests.get(f"{stack.portal_url}/sandbox/api/notifications", params=params, timeout=10).json()
