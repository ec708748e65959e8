"""The «Уведомления клиенту» section of the request tab: emails sent for this request and the survey."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..i18n import render
from ..models import NotificationStatus, Survey, utcnow
from ..services.notify import notifications_of
from ..services.notify_templates import EVENT_LABELS
from .card import CardContext, section

STATUS_LABELS = {
    NotificationStatus.QUEUED: _l("в очереди"),
    NotificationStatus.SENT: _l("отправлено"),
    NotificationStatus.FAILED: _l("ошибка, повторим"),
    NotificationStatus.SKIPPED: _l("не отправлено"),
}


def survey_state(survey: Survey | None) -> tuple[str, str]:
    """(code, label in the UI language) of a survey for the card."""
    if survey is None:
        return "none", _("опрос не отправлялся")
    if survey.answered_at is not None:
        return "answered", _("клиент ответил")
    if survey.expires_at <= utcnow():
        return "expired", _("ссылка истекла без ответа")
    if survey.sent_at is None:
        return "pending", _("готовится к отправке")
    return "sent", _("ждём ответа клиента")


@section(50, "notify", "frames/sections/notify.html")
def notify_section(ctx: CardContext) -> dict[str, Any]:
    req = ctx.request
    rows = [
        {
            "event": EVENT_LABELS.get(n.event, n.event),
            "to": n.to,
            "time": n.sent_at or n.created_at,
            "status": n.status,
            "status_label": STATUS_LABELS.get(n.status, n.status),
            "error": render(n.last_error) if n.last_error else None,
        }
        for n in notifications_of(req)
    ]
    survey = db.session.scalars(
        select(Survey)
        .where(Survey.portal_id == req.portal_id, Survey.request_id == req.id)
        .order_by(Survey.id.desc())
    ).first()
    code, label = survey_state(survey)
    note = render(survey.note) if survey is not None and survey.note else None
    return {"rows": rows, "survey": survey, "survey_code": code, "survey_label": label, "survey_note": note}
