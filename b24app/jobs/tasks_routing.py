"""Job handlers of routing: the agents' sync from Bitrix24 and the work-off of the groups' queues."""

from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..models import Job, Portal, PortalStatus
from ..services import routing_agents
from ..services.portals import client_for
from ..services.routing_pipeline import assign_queue
from .registry import PermanentJobError, handles


def _portal(job: Job) -> Portal | None:
    portal = db.session.get(Portal, job.portal_id) if job.portal_id else None
    if portal is None:
        raise PermanentJobError(f"portal {job.portal_id} is not installed")
    return portal if portal.status == PortalStatus.ACTIVE else None


@handles("routing.sync_agents")
def sync_agents(job: Job) -> None:
    portal = _portal(job)
    if portal is None:
        return
    routing_agents.sync_agents(portal, client_for(portal.id, current_app.config["SETTINGS"]))


@handles("routing.assign_queue")
def work_off_queue(job: Job) -> None:
    portal = _portal(job)
    if portal is None or not (portal.settings or {}).get("smart_process"):
        return
    assign_queue(portal, client_for(portal.id, current_app.config["SETTINGS"]))
