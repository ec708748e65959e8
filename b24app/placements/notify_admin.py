"""The «Уведомления» admin tab: client email templates per stage (edit, preview, validation) and the
notifications that failed, with «Повторить»."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, render_template, request

from ..extensions import db
from ..models import NotifyEvent, utcnow
from ..services import notify
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
        title="Уведомления",
        fragment_url="/frame-api/admin/notify",
        script="notify_admin.js",
    )
)


def _template_body() -> tuple[str, str, bool]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description='ожидается JSON {"subject": …, "body": …, "active": true|false}')
    subject, text, active = body.get("subject"), body.get("body"), body.get("active", True)
    if not isinstance(subject, str) or not isinstance(text, str) or not isinstance(active, bool):
        abort(400, description="subject и body — строки, active — true или false")
    return subject, text, active


def _problem(exc: TemplateProblem):
    return jsonify(error="invalid_template", field=exc.field, line=exc.line, message=exc.message), 400


def _event(event: str) -> str:
    if event not in NotifyEvent.ALL:
        abort(404, description=f"нет такого уведомления: {event}")
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
    )


@bp.post("/frame-api/admin/notify/preview")
@frame_api
def preview():
    admin_required(g.call)
    subject, text, _ = _template_body()
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
        abort(404, description="уведомление не найдено или уже отправлено")
    db.session.commit()
    return jsonify(id=row.id, status=row.status)
