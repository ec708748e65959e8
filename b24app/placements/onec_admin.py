"""The «1С» tab of the admin page: connection settings and their check, the push token for 1C, jobs
given up, and the exchange log with filters (direction, result, object, period)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..i18n import render
from ..jobs.queue import enqueue
from ..models import ExchangeLog, Job, JobStatus
from ..services.counterparty_sync import current_run
from ..services.onec_alerts import open_incident_of
from ..services.onec_link import (
    OneCLinkError,
    check_connection,
    connection_of,
    issue_hmac_secret,
    issue_push_token,
    set_connection,
)
from .admin_tabs import AdminTab, register_tab
from .frames import admin_required, frame_api, frame_headers

bp = Blueprint("onec_admin", __name__)
bp.after_request(frame_headers)
register_tab(AdminTab(60, "onec", _l("1С"), "/frame-api/admin/onec", script="onec_admin.js"))

PAGE_SIZE = 50
PORTAL_TZ = ZoneInfo("Europe/Moscow")
OBJECT_KINDS = ("request", "counterparty", "interaction", "feed", "connection", "event")
DIRECTION_LABELS = {"to_1c": _l("в 1С"), "from_1c": _l("из 1С")}
RESULT_LABELS = {"ok": _l("успешно"), "error": _l("ошибка"), "retry": _l("повтор")}
OBJECT_LABELS = {
    "request": _l("заявка"),
    "counterparty": _l("контрагент"),
    "interaction": _l("взаимодействие"),
    "feed": _l("журнал изменений"),
    "connection": _l("подключение"),
    "event": _l("событие из 1С"),
}


def _admin_call():
    admin_required(g.call)
    return g.call.portal


def _dead_jobs(portal_id: int) -> list[Job]:
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.portal_id == portal_id, Job.status == JobStatus.DEAD, Job.kind.like("onec.%"))
            .order_by(Job.id.desc())
            .limit(100)
        )
    )


@bp.get("/frame-api/admin/onec")
@frame_api
def tab():
    portal = _admin_call()
    return render_template(
        "frames/admin_onec.html",
        connection=connection_of(portal),
        incident=open_incident_of(portal.id),
        dead=_dead_jobs(portal.id),
        sync_run=current_run(portal.id),
        push_url=f"{current_app.config['SETTINGS'].app_base_url}/api/1c/v1/events",
        directions=DIRECTION_LABELS,
        results=RESULT_LABELS,
        object_labels=OBJECT_LABELS,
        objects=OBJECT_KINDS,
    )


@bp.post("/frame-api/admin/onec/connection")
@frame_api
def save_connection():
    portal = _admin_call()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description=_('Ожидается JSON {"url", "username", "password", "tz"}'))
    existing = connection_of(portal)
    password = body.get("password") or (existing.password if existing else None) or ""
    try:
        set_connection(
            portal,
            str(body.get("url") or ""),
            str(body.get("username") or ""),
            str(password),
            body.get("tz") or None,
        )
    except OneCLinkError as exc:
        db.session.rollback()
        abort(400, description=render(exc.kept))
    db.session.commit()
    return jsonify(ok=True, message=_("Подключение к 1С сохранено"))


@bp.post("/frame-api/admin/onec/check")
@frame_api
def check():
    portal = _admin_call()
    result = check_connection(portal)
    db.session.commit()
    return jsonify(ok=result.ok, message=render(result.message))


@bp.post("/frame-api/admin/onec/token")
@frame_api
def token():
    portal = _admin_call()
    body = request.get_json(silent=True)
    signed = body.get("hmac", False) if isinstance(body, dict) else False
    if not isinstance(signed, bool):
        abort(400, description=_("hmac — true или false"))
    issued = issue_push_token(portal)
    secret = issue_hmac_secret(portal) if signed else None
    db.session.commit()
    push_url = f"{current_app.config['SETTINGS'].app_base_url}/api/1c/v1/events"
    message = (
        _("Сохраните токен и секрет подписи в 1С сейчас: они показываются один раз")
        if signed
        else _("Сохраните токен в 1С сейчас: он показывается один раз")
    )
    return jsonify(token=issued, hmac_secret=secret, push_url=push_url, message=message)


@bp.post("/frame-api/admin/onec/sync")
@frame_api
def sync_now():
    """Start (or resume) the counterparty sync now instead of waiting for the hourly run."""
    portal = _admin_call()
    enqueue(
        "onec.sync_counterparties",
        portal_id=portal.id,
        dedupe_key=f"periodic:onec.sync_counterparties:{portal.id}",
    )
    db.session.commit()
    return jsonify(message=_("Синхронизация контрагентов поставлена в очередь"))


@bp.post("/frame-api/admin/onec/requeue")
@frame_api
def requeue():
    portal = _admin_call()
    jobs = _dead_jobs(portal.id)
    for job in jobs:
        job.status, job.attempts, job.run_at, job.finished_at = JobStatus.QUEUED, 0, datetime.now(UTC), None
    db.session.commit()
    return jsonify(requeued=len(jobs))


def _day(name: str, end: bool = False) -> datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        abort(400, description=_("%(name)s: ожидается дата ГГГГ-ММ-ДД", name=name))
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min, PORTAL_TZ)
    return moment.astimezone(UTC)


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name, "").strip()
    if value and value not in allowed:
        abort(
            400,
            description=_("%(name)s: допустимо одно из %(allowed)s", name=name, allowed=", ".join(allowed)),
        )
    return value or None


@bp.get("/frame-api/admin/onec/log")
@frame_api
def exchange_log():
    """Rows of the exchange log of this portal, newest first, filtered; an HTML fragment."""
    portal = _admin_call()
    stmt = select(ExchangeLog).where(ExchangeLog.portal_id == portal.id)
    if direction := _choice("direction", ExchangeLog.DIRECTIONS):
        stmt = stmt.where(ExchangeLog.direction == direction)
    if result := _choice("result", ExchangeLog.RESULTS):
        stmt = stmt.where(ExchangeLog.result == result)
    if kind := _choice("object", OBJECT_KINDS):
        stmt = stmt.where(ExchangeLog.object_kind == kind)
    since, until = _day("since"), _day("until", end=True)
    if since and until and since >= until:
        abort(400, description=_("Начало периода позже его конца"))
    if since:
        stmt = stmt.where(ExchangeLog.at >= since)
    if until:
        stmt = stmt.where(ExchangeLog.at < until)
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        abort(400, description=_("page: ожидается номер страницы"))
    rows = list(
        db.session.scalars(
            stmt.order_by(ExchangeLog.at.desc(), ExchangeLog.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return render_template(
        "frames/admin_onec_log.html",
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        directions=DIRECTION_LABELS,
        results=RESULT_LABELS,
        object_labels=OBJECT_LABELS,
    )
