"""The «Маршрутизация» admin tab: routing rules (order, add, edit, delete) and agents (cap,
availability). Admins change everything; an agent may only switch their own availability."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..bitrix.errors import B24Error
from ..extensions import db
from ..jobs.queue import enqueue
from ..models.routing import Priority, Strategy
from ..services import routing_agents, routing_rules
from ..services.fields import CHANNELS, REQUEST_TYPES, URGENCIES
from ..services.portals import client_for
from ..services.routing_pipeline import enqueue_assign_queue, set_availability
from .admin_tabs import AdminTab, register_tab
from .card_routing import PRIORITY_LABELS
from .frames import admin_required, frame_api, frame_headers

bp = Blueprint("routing_admin", __name__)
bp.after_request(frame_headers)

register_tab(
    AdminTab(
        order=30,
        name="routing",
        title=_l("Маршрутизация"),
        fragment_url="/frame-api/admin/routing",
        script="routing_admin.js",
        admin_only=False,  # an agent opens it to switch their own availability
    )
)

STRATEGY_LABELS = {
    Strategy.LEAST_LOADED: _l("наименее загруженный"),
    Strategy.ROUND_ROBIN: _l("по очереди"),
    Strategy.FIXED: _l("закреплённый сотрудник"),
}
MAX_CAP = 500


def _known(portal_id: int) -> tuple[set[int], set[int]]:
    departments = {d.department_id for d in routing_agents.departments_of(portal_id)}
    users = {a.user_id for a in routing_agents.agent_states(portal_id)}
    return departments, users


def _rules_json(portal_id: int) -> list[dict[str, Any]]:
    return [
        routing_rules.rule_record(rule, number)
        for number, rule in enumerate(routing_rules.portal_rules(portal_id), start=1)
    ]


def _agent_json(agent) -> dict[str, Any]:
    return {
        "user_id": agent.user_id,
        "name": agent.name,
        "department_ids": list(agent.department_ids),
        "active": agent.active,
        "available": agent.available,
        "cap": agent.cap,
        "open": agent.open_count,
    }


def _invalid(exc: routing_rules.RuleInvalid):
    return jsonify(
        error="invalid_rule", problems=exc.problems, message=_("Правило не сохранено: %(error)s", error=exc)
    ), 400


@bp.get("/frame-api/admin/routing")
@frame_api
def tab():
    call = g.call
    portal_id = call.portal.id
    agents = routing_agents.agent_states(portal_id)
    if not agents and call.is_admin:
        enqueue("routing.sync_agents", {}, portal_id=portal_id, dedupe_key=f"routing.sync_agents:{portal_id}")
        db.session.commit()
    departments = routing_agents.departments_of(portal_id)
    return render_template(
        "frames/admin_routing.html",
        is_admin=call.is_admin,
        me=call.user_id,
        rules=_rules_json(portal_id),
        agents=agents,
        departments=departments,
        department_names={d.department_id: d.name for d in departments},
        agent_names={a.user_id: a.name for a in agents},
        types=REQUEST_TYPES,
        urgencies=URGENCIES,
        channels=CHANNELS,
        strategies=STRATEGY_LABELS,
        priorities=[(p, PRIORITY_LABELS[p]) for p in Priority.ALL],
    )


@bp.get("/frame-api/routing/rules")
@frame_api
def list_rules():
    admin_required(g.call)
    return jsonify(rules=_rules_json(g.call.portal.id))


@bp.post("/frame-api/routing/rules")
@frame_api
def create_rule():
    admin_required(g.call)
    portal_id = g.call.portal.id
    try:
        data = routing_rules.validate_rule(request.get_json(silent=True), *_known(portal_id))
    except routing_rules.RuleInvalid as exc:
        return _invalid(exc)
    rule = routing_rules.add_rule(portal_id, data)
    db.session.commit()
    return jsonify(rule=routing_rules.rule_record(rule, len(routing_rules.portal_rules(portal_id)))), 201


@bp.put("/frame-api/routing/rules/<int:rule_id>")
@frame_api
def update_rule(rule_id: int):
    admin_required(g.call)
    portal_id = g.call.portal.id
    rule = routing_rules.find_rule(portal_id, rule_id)
    if rule is None:
        abort(404, description=_("правило не найдено"))
    try:
        data = routing_rules.validate_rule(request.get_json(silent=True), *_known(portal_id))
    except routing_rules.RuleInvalid as exc:
        return _invalid(exc)
    routing_rules.apply_input(rule, data)
    db.session.commit()
    return jsonify(rules=_rules_json(portal_id))


@bp.delete("/frame-api/routing/rules/<int:rule_id>")
@frame_api
def delete_rule(rule_id: int):
    admin_required(g.call)
    portal_id = g.call.portal.id
    rule = routing_rules.find_rule(portal_id, rule_id)
    if rule is None:
        abort(404, description=_("правило не найдено"))
    db.session.delete(rule)
    db.session.commit()
    return jsonify(rules=_rules_json(portal_id))


@bp.post("/frame-api/routing/rules/order")
@frame_api
def order_rules():
    admin_required(g.call)
    body = request.get_json(silent=True)
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        abort(400, description=_('ожидается {"ids": [номера правил по порядку]}'))
    try:
        routing_rules.reorder(g.call.portal.id, ids)
    except routing_rules.RuleInvalid as exc:
        return _invalid(exc)
    db.session.commit()
    return jsonify(rules=_rules_json(g.call.portal.id))


@bp.post("/frame-api/routing/rules/defaults")
@frame_api
def seed_rules():
    """Create the customer's default rules now (otherwise they appear with the first request)."""
    admin_required(g.call)
    portal = g.call.portal
    try:
        routing_rules.ensure_default_rules(portal, client_for(portal.id, current_app.config["SETTINGS"]))
    except B24Error as exc:
        db.session.rollback()
        abort(502, description=_("Битрикс24 не ответил: %(error)s", error=exc))
    db.session.commit()
    return jsonify(rules=_rules_json(portal.id))


@bp.get("/frame-api/routing/agents")
@frame_api
def list_agents():
    admin_required(g.call)
    return jsonify(agents=[_agent_json(a) for a in routing_agents.agent_states(g.call.portal.id)])


@bp.patch("/frame-api/routing/agents/<int:user_id>")
@frame_api
def update_agent(user_id: int):
    call = g.call
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body or set(body) - {"cap", "available"}:
        abort(400, description=_('ожидается {"available": true|false} и/или {"cap": число}'))
    if not call.is_admin and (user_id != call.user_id or "cap" in body):
        abort(403, description=_("сотрудник может менять только свою доступность"))
    agent = routing_agents.find_agent(call.portal.id, user_id)
    if agent is None:
        abort(404, description=_("сотрудник не найден: обновите список из Битрикс24"))
    available, cap = body.get("available"), body.get("cap")
    if "available" in body and not isinstance(available, bool):
        abort(400, description=_("available — true или false"))
    if "cap" in body and (not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= MAX_CAP):
        abort(400, description=_("предел нагрузки — целое число от 0 до %(cap)s", cap=MAX_CAP))
    if "cap" in body:
        if cap > agent.cap:
            enqueue_assign_queue(call.portal.id)
        agent.cap = cap
    if "available" in body:
        set_availability(agent, available)
    db.session.commit()
    state = next(a for a in routing_agents.agent_states(call.portal.id) if a.user_id == user_id)
    return jsonify(agent=_agent_json(state))


@bp.post("/frame-api/routing/agents/sync")
@frame_api
def sync_agents():
    admin_required(g.call)
    portal_id = g.call.portal.id
    enqueue("routing.sync_agents", {}, portal_id=portal_id, dedupe_key=f"routing.sync_agents:{portal_id}")
    db.session.commit()
    return jsonify(queued=True), 202
