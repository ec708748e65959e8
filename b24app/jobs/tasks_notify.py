"""Job handlers of client notifications: deliver one email, apply one survey answer in Bitrix24."""

from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..models import ClientNotification, Job, Portal, PortalStatus, ServiceRequest, Survey, utcnow
from ..services import autoclose, client_reply, notify, survey, survey_reminders
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


def owned(model, job: Job, key: str, portal: Portal, what: str):
    """The row the job's payload names, if it is still there and belongs to the job's portal."""
    row = db.session.get(model, job.payload.get(key))
    if row is None or row.portal_id != portal.id:
        raise PermanentJobError(f"the {what} is gone")
    return row


def outbox() -> notify.Outbox:
    settings = current_app.config["SETTINGS"]
    return notify.Outbox(settings.smtp_url, settings.app_base_url, current_app.config["SECRET_KEY"])


@handles("notify.client")
def deliver_notification(job: Job) -> None:
    portal = _portal(job)
    row = owned(ClientNotification, job, "notification_id", portal, "notification")
    notify.deliver(portal, client_for(portal.id, current_app.config["SETTINGS"]), row, outbox())


@handles("survey.remind")
def remind_surveys(job: Job) -> None:
    """Periodic: one reminder about each survey left unanswered for a few days."""
    survey_reminders.remind(_portal(job), utcnow())


@handles("requests.autoclose")
def autoclose_requests(job: Job) -> None:
    """Periodic: resolved requests the client left unanswered for the portal's number of days close."""
    portal = _portal(job)
    autoclose.close_silent(portal, client_for(portal.id, current_app.config["SETTINGS"]), utcnow())


@handles("survey.answered")
def apply_survey_answer(job: Job) -> None:
    portal = _portal(job)
    answered = owned(Survey, job, "survey_id", portal, "survey")
    survey.apply_answer(portal, client_for(portal.id, current_app.config["SETTINGS"]), answered)


@handles("client.reply")
def send_client_reply(job: Job) -> None:
    """A reply from the card reaches the client (chat or email); then the pipeline sees the response."""
    portal = _portal(job)
    req = owned(ServiceRequest, job, "request_id", portal, "request")
    client = client_for(portal.id, current_app.config["SETTINGS"])
    try:
        sent = client_reply.send_reply(
            portal,
            client,
            req,
            job.payload["text"],
            outbox(),
            user_id=job.payload.get("user_id"),
            ref=job.payload["ref"],
        )
    except notify.Undeliverable as exc:
        client_reply.tell_undelivered(portal, client, req, job.payload.get("user_id"), str(exc))
        raise PermanentJobError(str(exc)) from exc
    if sent is not None:
        enqueue_request_sync(portal.id, req.b24_id, priority=5)
