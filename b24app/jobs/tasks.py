"""Job handlers of the platform layer: events, request mirroring, binding, purge, reaping, catch-up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..bitrix.errors import B24NotFound
from ..extensions import db
from ..models import InboxEvent, Job, OneCRequestLink, Portal, PortalStatus, ServiceRequest, utcnow
from ..services import history, mirror, pipeline
from ..services.fields import FieldMap
from ..services.pipeline import PipelineContext
from ..services.portals import client_for, purge
from ..services.setup import bind_placements, ensure_widget
from . import queue
from .registry import PermanentJobError, handles

log = logging.getLogger(__name__)

ITEM_EVENTS = {"ONCRMDYNAMICITEMADD", "ONCRMDYNAMICITEMUPDATE", "ONCRMDYNAMICITEMDELETE"}
TIMELINE_EVENTS = {"ONCRMACTIVITYADD": "request.activity", "ONCRMTIMELINECOMMENTADD": "request.comment"}
# A client's data fixed in their card (contact details, requisites): requests held back from 1C for
# it are checked again without waiting for the request itself to change.
REQUISITE_EVENTS = {"ONCRMREQUISITEADD", "ONCRMREQUISITEUPDATE"}
RECHECK_LIMIT = 100
RECHECK_DEBOUNCE_SECONDS = 30  # a counterparty sync fires requisite events by the thousand


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
        enqueue_request_sync(portal.id, _event_object_id(data), priority=5)
    elif inbox.event == "ONCRMCOMPANYUPDATE":
        company_id = _event_object_id(data)
        queue.enqueue(
            "onec.company_changed",
            {"company_id": company_id},
            portal_id=portal.id,
            dedupe_key=f"onec.company_changed:{portal.id}:{company_id}",
        )
        _recheck(portal, "company_id", company_id)
    elif inbox.event == "ONCRMCONTACTUPDATE":
        _recheck(portal, "contact_id", _event_object_id(data))
    elif inbox.event in REQUISITE_EVENTS:
        # The event names the requisite only; asking whose it is would cost a REST call per event, and a
        # counterparty sync fires thousands. One debounced job re-checks the held requests instead.
        queue.enqueue(
            "request.recheck_client",
            {"held": True},
            portal_id=portal.id,
            dedupe_key=f"request.recheck_client:{portal.id}:held",
            run_at=utcnow() + timedelta(seconds=RECHECK_DEBOUNCE_SECONDS),
        )
    elif inbox.event in TIMELINE_EVENTS:
        kind = TIMELINE_EVENTS[inbox.event]
        object_id = _event_object_id(data)
        queue.enqueue(
            kind, {"id": object_id}, portal_id=portal.id, dedupe_key=f"{kind}:{portal.id}:{object_id}"
        )
    else:
        log.debug("portal %s: event %s needs no work here", portal.domain, inbox.event)
    inbox.processed_at = utcnow()


def _recheck(portal: Portal, key: str, object_id: int) -> None:
    queue.enqueue(
        "request.recheck_client",
        {key: object_id},
        portal_id=portal.id,
        dedupe_key=f"request.recheck_client:{portal.id}:{key}:{object_id}",
    )


@handles("request.recheck_client")
def recheck_client(job: Job) -> None:
    """Requests of this company or contact that wait for the client's data to be fixed sync again."""
    portal = _active_portal(job)
    held_only = bool(job.payload.get("held"))
    query = (
        select(ServiceRequest.b24_id, OneCRequestLink.problems)
        .join(OneCRequestLink, OneCRequestLink.request_id == ServiceRequest.id)
        .where(
            ServiceRequest.portal_id == portal.id,
            ServiceRequest.deleted.is_(False),
            OneCRequestLink.onec_ref.is_(None),
            OneCRequestLink.problems_hash.is_not(None),
        )
        .order_by(ServiceRequest.id.desc())
        .limit(RECHECK_LIMIT)
    )
    if not held_only:
        key, owner = next((k, int(v)) for k, v in job.payload.items() if k in ("company_id", "contact_id"))
        column = ServiceRequest.company_id if key == "company_id" else ServiceRequest.contact_id
        query = query.where(column == owner)
    rows = db.session.execute(query).all()
    held = [row.b24_id for row in rows if row.problems]
    for b24_id in held:
        enqueue_request_sync(portal.id, b24_id, priority=3)
    if held:
        log.info("portal %s: client data changed, %d held request(s) checked again", portal.id, len(held))


def _event_object_id(data: dict) -> int:
    try:
        return int((data.get("FIELDS") or {}).get("ID"))
    except (TypeError, ValueError) as exc:
        raise PermanentJobError("the event names no object ID") from exc


def _run_pipeline(portal: Portal, client, synced: mirror.Synced) -> None:
    fields = FieldMap(portal.settings.get("fields", {}))
    pipeline.run(PipelineContext(portal, client, synced.request, synced.item, synced.change, fields))


@handles("request.sync")
def sync_request(job: Job) -> None:
    portal = _active_portal(job)
    client = client_for(portal.id, _settings())
    synced = mirror.sync_request(portal, client, int(job.payload["b24_id"]))
    if synced is not None and not synced.request.deleted:
        _run_pipeline(portal, client, synced)


def _owned_request(portal: Portal, client, owner_type: int | None, owner_id: int) -> mirror.Synced | None:
    """The request a timeline object belongs to, freshly mirrored; None if it is not one of ours."""
    smart = mirror.smart_process_of(portal)
    if not smart or owner_type != int(smart["entity_type_id"]):
        return None
    return mirror.sync_request(portal, client, owner_id)


@handles("request.activity")
def record_activity(job: Job) -> None:
    """An email or call on a request: a client message or a public reply, then the pipeline reacts."""
    portal = _active_portal(job)
    client = client_for(portal.id, _settings())
    try:
        activity = client.call("crm.activity.get", {"id": job.payload["id"]}).result
    except B24NotFound:
        return
    synced = _owned_request(
        portal, client, int(activity.get("OWNER_TYPE_ID") or 0), int(activity.get("OWNER_ID") or 0)
    )
    if synced is None:
        return
    event = history.record_activity(synced.request, activity)
    if event is not None:
        synced.change.new_events.append(event)
        _run_pipeline(portal, client, synced)


@handles("request.comment")
def record_comment(job: Job) -> None:
    """A timeline comment on a request: an internal note (it never counts as a response)."""
    portal = _active_portal(job)
    client = client_for(portal.id, _settings())
    try:
        comment = client.call("crm.timeline.comment.get", {"id": job.payload["id"]}).result
    except B24NotFound:
        return
    entity_type = str(comment.get("ENTITY_TYPE") or "").lower()
    owner_type = int(entity_type.removeprefix("dynamic_")) if entity_type.startswith("dynamic_") else None
    synced = _owned_request(portal, client, owner_type, int(comment.get("ENTITY_ID") or 0))
    if synced is not None:
        history.record_comment(synced.request, comment)


@handles("portal.bind")
def bind(job: Job) -> None:
    portal = _active_portal(job)
    settings = _settings()
    client = client_for(portal.id, settings)
    bind_placements(portal, client, settings.app_base_url)
    ensure_widget(portal, client)
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
