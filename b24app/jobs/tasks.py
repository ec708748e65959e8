"""Job handlers of the platform layer: events, request mirroring, binding, purge, reaping, catch-up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app

from ..extensions import db
from ..models import InboxEvent, Job, Portal, PortalStatus, utcnow
from ..services import mirror
from ..services.portals import client_for, purge
from ..services.setup import bind_placements
from . import queue
from .registry import PermanentJobError, handles

log = logging.getLogger(__name__)

ITEM_EVENTS = {"ONCRMDYNAMICITEMADD", "ONCRMDYNAMICITEMUPDATE", "ONCRMDYNAMICITEMDELETE"}


def _settings():
    return current_app.config["SETTINGS"]


def _active_portal(job: Job) -> Portal:
    portal = db.session.get(Portal, job.portal_id) if job.portal_id else None
    if portal is None or portal.status == PortalStatus.UNINSTALLED:
        raise PermanentJobError(f"portal {job.portal_id} is not installed")
    return portal


def enqueue_request_sync(portal_id: int, b24_id: int, priority: int = 0) -> None:
    queue.enqueue(
        "request.sync",
        {"b24_id": b24_id},
        portal_id=portal_id,
        dedupe_key=f"request.sync:{portal_id}:{b24_id}",
        priority=priority,
    )


@handles("b24.event")
def process_event(job: Job) -> None:
    inbox = db.session.get(InboxEvent, job.payload.get("inbox_id"))
    if inbox is None or inbox.portal_id != job.portal_id:
        raise PermanentJobError("the inbox event is gone")
    portal = _active_portal(job)
    data = inbox.payload.get("data") or {}
    if inbox.event in ITEM_EVENTS and mirror.is_request_event(portal, data):
        try:
            b24_id = int((data.get("FIELDS") or {}).get("ID"))
        except (TypeError, ValueError) as exc:
            raise PermanentJobError("the event names no item ID") from exc
        enqueue_request_sync(portal.id, b24_id, priority=5)
    else:
        log.debug("portal %s: event %s needs no work here", portal.domain, inbox.event)
    inbox.processed_at = utcnow()


@handles("request.sync")
def sync_request(job: Job) -> None:
    portal = _active_portal(job)
    mirror.sync_request(portal, client_for(portal.id, _settings()), int(job.payload["b24_id"]))


@handles("portal.bind")
def bind(job: Job) -> None:
    portal = _active_portal(job)
    settings = _settings()
    bind_placements(portal, client_for(portal.id, settings), settings.app_base_url)
    if portal.status == PortalStatus.INSTALLING:
        portal.status = PortalStatus.ACTIVE


@handles("portal.purge")
def purge_portal(job: Job) -> None:
    portal = db.session.get(Portal, job.payload.get("portal_id"))
    if portal is None or portal.status != PortalStatus.UNINSTALLED:
        return  # reinstalled meanwhile: keep the data
    purge(portal.id)


@handles("jobs.reap")
def reap(job: Job) -> None:
    queue.reap()


@handles("b24.catch_up")
def catch_up(job: Job) -> None:
    """Re-read items updated since the last sweep: events are never retried and may be lost."""
    portal = _active_portal(job)
    started = utcnow()
    state = dict(portal.settings or {})
    last = state.get("last_sweep")
    since = datetime.fromisoformat(last) if last else started - timedelta(days=1)
    for b24_id in mirror.changed_item_ids(portal, client_for(portal.id, _settings()), since):
        enqueue_request_sync(portal.id, b24_id)
    state["last_sweep"] = started.isoformat()
    portal.settings = state
