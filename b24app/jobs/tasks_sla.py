"""Job handlers of the SLA: the escalation tick and the recalculation after settings change."""

from __future__ import annotations

from functools import partial

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Job, Portal, PortalStatus, ServiceRequest, utcnow
from ..services.portals import client_for
from ..services.sla_actions import act
from ..services.sla_escalation import run_tick
from ..services.sla_timeline import PAUSED_STATES
from . import queue
from .registry import PermanentJobError, handles


def _active_portal(job: Job) -> Portal:
    portal = db.session.get(Portal, job.portal_id) if job.portal_id else None
    if portal is None or portal.status != PortalStatus.ACTIVE:
        raise PermanentJobError(f"portal {job.portal_id} is not active")
    return portal


@handles("sla.tick")
def sla_tick(job: Job) -> None:
    portal = _active_portal(job)
    if not (portal.settings or {}).get("smart_process"):
        return
    client = client_for(portal.id, current_app.config["SETTINGS"])
    run_tick(portal.id, utcnow(), act=partial(act, portal, client))


@handles("sla.recompute")
def sla_recompute(job: Job) -> None:
    """After a policy or the calendar changed: re-run the pipeline of every open request."""
    portal = _active_portal(job)
    ids = db.session.scalars(
        select(ServiceRequest.b24_id).where(
            ServiceRequest.portal_id == portal.id,
            ServiceRequest.deleted.is_(False),
            ServiceRequest.state.not_in(PAUSED_STATES - {"waiting"}),
        )
    ).all()
    for b24_id in ids:
        queue.enqueue(
            "request.sync",
            {"b24_id": b24_id},
            portal_id=portal.id,
            dedupe_key=f"request.sync:{portal.id}:{b24_id}",
        )
