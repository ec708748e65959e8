"""The app's main page for admins: first-visit setup of the smart process, the stage mapping, the web
form, and the jobs that stopped after all their attempts."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ..bitrix.errors import B24Error
from ..extensions import db
from ..jobs import queue
from ..models import Job, JobStatus, RequestState
from ..services import autoclose, webform
from ..services.portals import client_for
from ..services.setup import run_setup
from ..services.stages import STATE_LABELS
from .admin_tabs import tabs_for
from .frames import admin_required, frame_api, frame_headers, validate_frame

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__)
bp.after_request(frame_headers)


# What a stopped job was doing, for the admin (the 1C exchange has its own list in the «1С» tab).
JOB_LABELS = {
    "b24.event": _l("Событие Битрикс24"),
    "b24.catch_up": _l("Сверка изменённых обращений"),
    "portal.bind": _l("Привязка событий и встроек"),
    "request.sync": _l("Обновление обращения"),
    "request.activity": _l("Письмо или звонок по обращению"),
    "request.comment": _l("Комментарий по обращению"),
    "request.recheck_client": _l("Проверка данных клиента для 1С"),
    "notify.client": _l("Уведомление клиенту"),
    "client.reply": _l("Ответ клиенту из карточки"),
    "survey.answered": _l("Ответ на опрос"),
    "survey.remind": _l("Напоминание об опросе"),
    "requests.autoclose": _l("Автозакрытие решённых обращений"),
    "webform.create": _l("Обращение с веб-формы"),
    "routing.sync_agents": _l("Список сотрудников"),
    "routing.assign_queue": _l("Очередь группы"),
    "sla.tick": _l("Эскалация по SLA"),
    "sla.recompute": _l("Пересчёт сроков SLA"),
}


def _dead_jobs(portal_id: int) -> list[Job]:
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.portal_id == portal_id, Job.status == JobStatus.DEAD, Job.kind.not_like("onec.%"))
            .order_by(Job.id.desc())
            .limit(50)
        )
    )


@bp.post("/app/")
def main_page():
    frame = validate_frame()
    portal = frame.portal
    settings = current_app.config["SETTINGS"]
    report = None
    if not (portal.settings or {}).get("smart_process") and frame.user.is_admin:
        try:
            report = run_setup(portal, client_for(portal.id, settings), settings.app_base_url)
        except B24Error as exc:
            db.session.rollback()
            log.warning("setup of %s failed: %s", portal.domain, exc)
            abort(502, description=_("Не удалось настроить смарт-процесс в Битрикс24: %(error)s", error=exc))
        db.session.commit()
    form_url = None
    if (portal.settings or {}).get("smart_process"):
        key = webform.form_key(portal)
        if key is None:  # set up before the web form existed: made on this visit
            try:
                key = webform.ensure_form(portal)
                db.session.commit()
            except OperationalError:  # SQLite busy with another writer: the next visit makes it
                db.session.rollback()
                key = None
        form_url = f"{settings.app_base_url}/form/{key}" if key else None
    data = portal.settings or {}
    return render_template(
        "frames/admin.html",
        user=frame.user,
        configured=bool(data.get("smart_process")),
        smart=data.get("smart_process", {}),
        fields=data.get("fields", {}),
        stages=sorted(data.get("stages", []), key=lambda s: s.get("sort", 0)),
        stage_map=data.get("stage_map", {}),
        state_labels=STATE_LABELS,
        report=report,
        form_url=form_url,
        form_enabled=webform.form_enabled(portal),
        help_enabled=webform.help_enabled(portal),
        close_after_days=autoclose.close_after_days(portal),
        max_close_days=autoclose.MAX_DAYS,
        form_stuck=webform.stuck(portal.id) if frame.user.is_admin else [],
        dead_jobs=_dead_jobs(portal.id) if frame.user.is_admin else [],
        job_labels=JOB_LABELS,
        tabs=tabs_for(frame.user.is_admin),
        frame_token=frame.token,
        sdk_url=settings.b24_js_sdk_url,
    )


@bp.post("/frame-api/admin/stage-map")
@frame_api
def save_stage_map():
    call = g.call
    admin_required(call)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("stage_map"), dict):
        abort(400, description=_('ожидается JSON {"stage_map": {стадия: состояние}}'))
    portal = call.portal
    known = {s["status_id"] for s in (portal.settings or {}).get("stages", [])}
    mapping = body["stage_map"]
    unknown = sorted(set(mapping) - known)
    bad = sorted(k for k, v in mapping.items() if v not in RequestState.ALL)
    if unknown or bad:
        return jsonify(
            error="invalid_mapping",
            unknown_stages=unknown,
            invalid_states=bad,
            message=_("Неизвестные стадии или состояния"),
        ), 400
    settings = dict(portal.settings)
    settings["stage_map"] = {**settings.get("stage_map", {}), **mapping}
    portal.settings = settings
    db.session.commit()
    return jsonify(stage_map=settings["stage_map"])


@bp.put("/frame-api/admin/autoclose")
@frame_api
def save_autoclose():
    call = g.call
    admin_required(call)
    body = request.get_json(silent=True)
    days = body.get("days") if isinstance(body, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= autoclose.MAX_DAYS:
        abort(
            400,
            description=_(
                "Через сколько дней закрывать: целое число от 0 до %(max)s (0 — не закрывать)",
                max=autoclose.MAX_DAYS,
            ),
        )
    autoclose.set_close_after_days(call.portal, days)
    db.session.commit()
    return jsonify(days=days)


@bp.put("/frame-api/admin/web-form")
@frame_api
def save_web_form():
    call = g.call
    admin_required(call)
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    switches = {k: body[k] for k in ("enabled", "help_enabled") if k in body}
    if not switches or not all(isinstance(v, bool) for v in switches.values()):
        abort(400, description=_('ожидается JSON {"enabled": true|false} и/или {"help_enabled": true|false}'))
    if "enabled" in switches:
        webform.set_enabled(call.portal, switches["enabled"])
    if "help_enabled" in switches:
        webform.set_help_enabled(call.portal, switches["help_enabled"])
    db.session.commit()
    return jsonify(enabled=webform.form_enabled(call.portal), help_enabled=webform.help_enabled(call.portal))


@bp.post("/frame-api/admin/web-form/submissions/<int:submission_id>/retry")
@frame_api
def retry_web_form_submission(submission_id: int):
    call = g.call
    admin_required(call)
    row = webform.retry(call.portal.id, submission_id)
    if row is None:
        abort(404, description=_("обращение с формы не найдено или уже создано"))
    db.session.commit()
    return jsonify(id=row.id, status=row.status)


@bp.post("/frame-api/admin/jobs/requeue")
@frame_api
def requeue_jobs():
    """Every stopped job of this portal back in the queue with fresh attempts (`flask jobs retry` too)."""
    call = g.call
    admin_required(call)
    ids = [job.id for job in _dead_jobs(call.portal.id)]
    return jsonify(requeued=queue.requeue(ids, portal_id=call.portal.id) if ids else 0)
