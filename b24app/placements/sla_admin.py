"""The admin tab «SLA и календарь»: policies (targets, hours, warning share, conditions, order) and the
business calendar (weekly hours, date overrides), edited through frame-api JSON calls."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, jsonify, render_template, request

from ..extensions import db
from ..jobs.queue import enqueue
from ..models import SlaPolicyRecord
from ..services.calendar import BusinessCalendar, working_days_in_year
from ..services.fields import REQUEST_TYPES, URGENCIES
from ..services.sla_policies import ensure_defaults, policies_of
from ..services.sla_settings import (
    KIND_LABELS,
    InvalidSettings,
    apply_policy,
    policy_as_dict,
    portal_calendar,
    remove_override,
    set_override,
    set_weekly,
)
from .admin_tabs import AdminTab, register_tab
from .frames import admin_required, frame_api, frame_headers

bp = Blueprint("sla_admin", __name__)
bp.after_request(frame_headers)

register_tab(
    AdminTab(
        order=20,
        name="sla",
        title="SLA и календарь",
        fragment_url="/frame-api/sla/tab",
        script="sla_admin.js",
    )
)

WEEKDAYS = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")


def _admin_portal():
    admin_required(g.call)
    portal = g.call.portal
    ensure_defaults(portal)
    return portal


def _invalid(exc: InvalidSettings):
    db.session.rollback()
    return jsonify(error="invalid", errors=exc.errors, message="; ".join(exc.errors.values())), 400


def _calendar_json(portal_id: int) -> dict:
    record = portal_calendar(portal_id)
    calendar = BusinessCalendar.from_dict(record.data)
    year = date.today().year
    return {
        "id": record.id,
        "name": record.name,
        "tz": calendar.tz,
        "weekly": record.data.get("weekly", {}),
        "overrides": [
            {"day": day.isoformat(), "kind": o.kind, "label": KIND_LABELS[o.kind], **o.to_dict()}
            for day, o in calendar.overrides.items()
            if day.year >= year
        ],
        "working_days": {y: working_days_in_year(calendar, y) for y in (year, year + 1)},
    }


def _settings_changed(portal_id: int) -> None:
    """Deadlines of open requests follow the new settings (SERVICEDESK §1)."""
    enqueue("sla.recompute", {}, portal_id=portal_id, dedupe_key=f"sla.recompute:{portal_id}")


@bp.get("/frame-api/sla/tab")
@frame_api
def tab():
    portal = _admin_portal()
    db.session.commit()
    return render_template(
        "frames/sla_admin.html",
        policies=[policy_as_dict(p) for p in policies_of(portal.id)],
        calendar=_calendar_json(portal.id),
        weekdays=WEEKDAYS,
        request_types=REQUEST_TYPES,
        priorities=URGENCIES,
    )


@bp.get("/frame-api/sla/settings")
@frame_api
def settings():
    portal = _admin_portal()
    db.session.commit()
    return jsonify(
        policies=[policy_as_dict(p) for p in policies_of(portal.id)], calendar=_calendar_json(portal.id)
    )


@bp.post("/frame-api/sla/policies")
@frame_api
def create_policy():
    portal = _admin_portal()
    try:
        policy = apply_policy(portal.id, request.get_json(silent=True))
    except InvalidSettings as exc:
        return _invalid(exc)
    _settings_changed(portal.id)
    db.session.commit()
    return jsonify(policy=policy_as_dict(policy)), 201


@bp.put("/frame-api/sla/policies/<int:policy_id>")
@frame_api
def update_policy(policy_id: int):
    portal = _admin_portal()
    policy = db.session.get(SlaPolicyRecord, policy_id)
    if policy is None or policy.portal_id != portal.id:
        abort(404, description="Политика не найдена")
    try:
        apply_policy(portal.id, request.get_json(silent=True), policy)
    except InvalidSettings as exc:
        return _invalid(exc)
    _settings_changed(portal.id)
    db.session.commit()
    return jsonify(policy=policy_as_dict(policy))


@bp.put("/frame-api/sla/calendar/weekly")
@frame_api
def update_weekly():
    portal = _admin_portal()
    try:
        set_weekly(portal.id, request.get_json(silent=True))
    except InvalidSettings as exc:
        return _invalid(exc)
    _settings_changed(portal.id)
    db.session.commit()
    return jsonify(calendar=_calendar_json(portal.id))


@bp.post("/frame-api/sla/calendar/overrides")
@frame_api
def add_override():
    portal = _admin_portal()
    try:
        set_override(portal.id, request.get_json(silent=True))
    except InvalidSettings as exc:
        return _invalid(exc)
    _settings_changed(portal.id)
    db.session.commit()
    return jsonify(calendar=_calendar_json(portal.id))


@bp.delete("/frame-api/sla/calendar/overrides/<day>")
@frame_api
def delete_override(day: str):
    portal = _admin_portal()
    try:
        remove_override(portal.id, day)
    except InvalidSettings as exc:
        return _invalid(exc)
    _settings_changed(portal.id)
    db.session.commit()
    return jsonify(calendar=_calendar_json(portal.id))
