"""Job handlers of client notifications: deliver one email, apply one survey answer in Bitrix24."""

from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..models import ClientNotification, Job, Portal, PortalStatus, ServiceRequest, Survey
from ..services import client_reply, notify, survey
from ..services.portals import client_for
from .registry import PermanentJobError, handles
from .tasks import enqueue_request_sync


def _portal(job: Job) -> Portal:
    portal = db.session.get(Portal, job.portal_id) if job.portal_id else None
    if portal is None or portal.status == PortalStatus.UNINSTALLED:
        raise PermanentJobError(f"portal {job.portal_id} is not installed")
    if not (portal.settings or {}).get("smart_process"):
        raise PermanentJobError(f"portal {job.portal_id} is not set up")
    return portal


def outbox() -> notify.Outbox:
    settings = current_app.config["SETTINGS"]
    return notify.Outbox(settings.smtp_url, settings.app_base_url, current_app.config["SECRET_KEY"])


@handles("notify.client")
def deliver_notification(job: Job) -> None:
    portal = _portal(job)
    row = db.session.get(ClientNotification, job.payload.get("notification_id"))
    if row is None or row.portal_id != portal.id:
        raise PermanentJobError("the notification is gone")
    notify.deliver(portal, client_for(portal.id, current_app.config["SETTINGS"]), row, outbox())


@handles("survey.answered")
def apply_survey_answer(job: Job) -> None:
    portal = _portal(job)
    answered = db.session.get(Survey, job.payload.get("survey_id"))
    if answered is None or answered.portal_id != portal.id:
        raise PermanentJobError("the survey is gone")
    survey.apply_answer(portal, client_for(portal.id, current_app.config["SETTINGS"]), answered)


@handles("client.reply")
def send_client_reply(job: Job) -> None:
    """A reply from the card reaches the client by email; then the pipeline sees the response."""
    portal = _portal(job)
    req = db.session.get(ServiceRequest, job.payload.get("request_id"))
    if req is None or req.portal_id != portal.id:
        raise PermanentJobError("the request is gone")
    client = client_for(portal.id, current_app.config["SETTINGS"])
    try:
        sent = client_reply.send_reply(
            client,
            req,
            job.payload["text"],
            outbox(),
            user_id=job.payload.get("user_id"),
            ref=job.payload["ref"],
        )
    except notify.Undeliverable as exc:
        raise PermanentJobError(str(exc)) from exc
    if sent is not None:
        enqueue_request_sync(portal.id, req.b24_id, priority=5)
