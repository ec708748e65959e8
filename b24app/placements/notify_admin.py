"""The «Уведомления» admin tab: client email templates per stage (edit, preview, validation) and the
notifications that failed, with «Повторить»."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import NotifyEvent, utcnow
from ..services import notify, survey_reminders
from ..services.notify_templates import EVENT_LABELS, PLACEHOLDERS, TemplateProblem, validate
from .admin_tabs import AdminTab, register_tab
from .card_notify import STATUS_LABELS
from .frames import admin_required, frame_api, frame_headers

bp = Blueprint("notify_admin", __name__)
bp.after_request(frame_headers)

register_tab(
    AdminTab(
        order=50,
        name="notify",
        title=_l("Уведомления"),
        fragment_url="/frame-api/admin/notify",
        script="notify_admin.js",
    )
)


def _template_body() -> tuple[str, str, bool]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description=_('ожидается JSON {"subject": …, "body": …, "active": true|false}'))
    subject, text, active = body.get("subject"), body.get("body"), body.get("active", True)
    if not isinstance(subject, str) or not isinstance(text, str) or not isinstance(active, bool):
        abort(400, description=_("subject и body — строки, active — true или false"))
    return subject, text, active


def _problem(exc: TemplateProblem):
    return jsonify(error="invalid_template", field=exc.field, line=exc.line, message=exc.message), 400


def _event(event: str) -> str:
    if event not in NotifyEvent.ALL:
        abort(404, description=_("нет такого уведомления: %(event)s", event=event))
    return event


@bp.get("/frame-api/admin/notify")
@frame_api
def tab():
    admin_required(g.call)
    portal_id = g.call.portal.id
    templates = notify.templates_of(portal_id)
    db.session.commit()  # the defaults seeded on first use
    return render_template(
        "frames/admin_notify.html",
        templates=templates,
        labels=EVENT_LABELS,
        placeholders=PLACEHOLDERS,
        failed=notify.failed_notifications(portal_id),
        status_labels=STATUS_LABELS,
        reminder_days=survey_reminders.reminder_days(g.call.portal),
        max_reminder_days=survey_reminders.MAX_DAYS,
    )


@bp.put("/frame-api/admin/notify/survey-reminder")
@frame_api
def save_survey_reminder():
    admin_required(g.call)
    body = request.get_json(silent=True)
    days = body.get("days") if isinstance(body, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= survey_reminders.MAX_DAYS:
        abort(
            400,
            description=_(
                "Через сколько дней напомнить: целое число от 0 до %(max)s (0 — не напоминать)",
                max=survey_reminders.MAX_DAYS,
            ),
        )
    survey_reminders.set_reminder_days(g.call.portal, days)
    db.session.commit()
    return jsonify(days=days)


@bp.post("/frame-api/admin/notify/preview")
@frame_api
def preview():
    admin_required(g.call)
    subject, text, _active = _template_body()
    try:
        rendered = validate(subject, text)
    except TemplateProblem as exc:
        return _problem(exc)
    return jsonify(subject=rendered.subject, body=rendered.body)


@bp.post("/frame-api/admin/notify/templates/<event>")
@frame_api
def save_template(event: str):
    admin_required(g.call)
    event = _event(event)
    subject, text, active = _template_body()
    try:
        validate(subject, text)
    except TemplateProblem as exc:
        return _problem(exc)
    row = notify.templates_of(g.call.portal.id)[event]
    row.subject, row.body, row.active = subject, text, active
    row.updated_at, row.updated_by = utcnow(), g.call.user_id
    db.session.commit()
    return jsonify(event=event, subject=row.subject, body=row.body, active=row.active)


@bp.post("/frame-api/admin/notify/failed/<int:notification_id>/retry")
@frame_api
def retry(notification_id: int):
    admin_required(g.call)
    row = notify.retry(g.call.portal.id, notification_id)
    if row is None:
        abort(404, description=_("уведомление не найдено или уже отправлено"))
    db.session.commit()
    return jsonify(id=row.id, status=row.status)
