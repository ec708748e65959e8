"""The «Уведомления клиенту» section of the request tab: emails sent for this request and the survey."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import NotificationStatus, Survey, utcnow
from ..services.notify import notifications_of
from ..services.notify_templates import EVENT_LABELS
from .card import CardContext, section

STATUS_LABELS = {
    NotificationStatus.QUEUED: "в очереди",
    NotificationStatus.SENT: "отправлено",
    NotificationStatus.FAILED: "ошибка, повторим",
    NotificationStatus.SKIPPED: "не отправлено",
}


def survey_state(survey: Survey | None) -> tuple[str, str]:
    """(code, Russian label) of a survey for the card."""
    if survey is None:
        return "none", "опрос не отправлялся"
    if survey.answered_at is not None:
        return "answered", "клиент ответил"
    if survey.expires_at <= utcnow():
        return "expired", "ссылка истекла без ответа"
    if survey.sent_at is None:
        return "pending", "готовится к отправке"
    return "sent", "ждём ответа клиента"


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
            "error": n.last_error,
        }
        for n in notifications_of(req)
    ]
    survey = db.session.scalars(
        select(Survey)
        .where(Survey.portal_id == req.portal_id, Survey.request_id == req.id)
        .order_by(Survey.id.desc())
    ).first()
    code, label = survey_state(survey)
    return {"rows": rows, "survey": survey, "survey_code": code, "survey_label": label}
