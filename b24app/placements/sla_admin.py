"""The admin tab «SLA и календарь»: policies (targets, hours, warning share, conditions, order) and the
business calendar (weekly hours, date overrides), edited through frame-api JSON calls."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..jobs.queue import enqueue
from ..models import Agent, SlaPolicyRecord
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
        title=_l("SLA и календарь"),
        fragment_url="/frame-api/sla/tab",
        script="sla_admin.js",
    )
)

WEEKDAYS = (_l("Пн"), _l("Вт"), _l("Ср"), _l("Чт"), _l("Пт"), _l("Сб"), _l("Вс"))


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


def _new_policy(policies: list[dict]) -> dict:
    """What the «new policy» row starts with: placed before the first policy without conditions (a
    fallback that would otherwise shadow it), business hours, the usual warning shares."""
    fallbacks = [p["position"] for p in policies if not p["request_types"] and not p["priorities"]]
    if fallbacks:
        position = max(min(fallbacks) - 5, 0)
    else:
        position = max((p["position"] for p in policies), default=0) + 10
    return {
        "code": "",
        "name": "",
        "position": position,
        "request_types": [],
        "priorities": [],
        "first_response": None,
        "next_response": None,
        "resolution": None,
        "business_hours": True,
        "warning_share": 0.8,
        "second_level_share": 0.5,
        "notify_in_working_hours_only": True,
        "service_manager_user_id": None,
        "active": True,
    }


def _settings_changed(portal_id: int) -> None:
    """Deadlines of open requests follow the new settings (SERVICEDESK §1)."""
    enqueue("sla.recompute", {}, portal_id=portal_id, dedupe_key=f"sla.recompute:{portal_id}")


@bp.get("/frame-api/sla/tab")
@frame_api
def tab():
    portal = _admin_portal()
    db.session.commit()
    policies = [policy_as_dict(p) for p in policies_of(portal.id)]
    return render_template(
        "frames/sla_admin.html",
        policies=policies,
        new_policy=_new_policy(policies),
        calendar=_calendar_json(portal.id),
        weekdays=WEEKDAYS,
        request_types=REQUEST_TYPES,
        priorities=URGENCIES,
        managers=db.session.scalars(
            select(Agent).where(Agent.portal_id == portal.id, Agent.active.is_(True)).order_by(Agent.name)
        ).all(),
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
        abort(404, description=_("Политика не найдена"))
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
