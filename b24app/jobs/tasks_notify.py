"""Job handlers of client notifications: deliver one email, apply one survey answer in Bitrix24."""

from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..models import ClientNotification, Job, Portal, PortalStatus, Survey
from ..services import notify, survey
from ..services.portals import client_for
from .registry import PermanentJobError, handles


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
