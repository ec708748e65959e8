"""Job handler of the public web form: create the stored submission in Bitrix24."""

from __future__ import annotations

from flask import current_app

from ..bitrix.errors import B24Error
from ..extensions import db
from ..models import Job, Portal, PortalStatus, WebFormStatus, WebFormSubmission
from ..services import webform
from ..services.portals import client_for
from .registry import PermanentJobError, handles
from .tasks_notify import owned


@handles("webform.create")
def create_submission(job: Job) -> None:
    portal = db.session.get(Portal, job.portal_id) if job.portal_id else None
    if (
        portal is None
        or portal.status != PortalStatus.ACTIVE
        or not (portal.settings or {}).get("smart_process")
    ):
        raise PermanentJobError(f"portal {job.portal_id} cannot take requests")
    row = owned(WebFormSubmission, job, "submission_id", portal, "submission")
    try:
        webform.create_in_bitrix(portal, client_for(portal.id, current_app.config["SETTINGS"]), row)
    except B24Error as exc:
        row.error = str(exc)[:4000]
        if not exc.retryable:
            row.status = WebFormStatus.FAILED
        db.session.commit()
        raise
    db.session.commit()
