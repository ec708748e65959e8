"""The routing step of the request pipeline (proposal of type and urgency, then the decision) and the
work-off of the groups' queues as capacity frees."""

from __future__ import annotations

import importlib
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from ..bitrix.client import B24Client
from ..extensions import db
from ..i18n import _m, store
from ..jobs.queue import enqueue
from ..models import Portal, RequestState, ServiceRequest, utcnow
from ..models.routing import Agent, RequestRouting, RoutingRule
from . import routing_agents, routing_rules
from .pipeline import PipelineContext, step
from .routing import Decision, QueueEntry, RequestFacts, decide, work_off_queue
from .routing_agents import LOAD_STATES
from .triage import DEFAULT_THRESHOLD, LabelledText, Proposal, Triage

log = logging.getLogger(__name__)

HISTORY_LIMIT = 2000
CLOSED_STATES = (RequestState.RESOLVED, RequestState.CLOSED, RequestState.CANCELLED)


def enqueue_assign_queue(portal_id: int) -> None:
    enqueue("routing.assign_queue", {}, portal_id=portal_id, dedupe_key=f"routing.assign_queue:{portal_id}")


def record_of(req: ServiceRequest) -> RequestRouting | None:
    return db.session.scalars(select(RequestRouting).where(RequestRouting.request_id == req.id)).first()


def auto_apply_threshold(portal: Portal) -> float:
    value = ((portal.settings or {}).get("routing") or {}).get("auto_apply_threshold", DEFAULT_THRESHOLD)
    try:
        return float(value)
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD


def facts_of(req: ServiceRequest) -> RequestFacts:
    return RequestFacts(
        request_type=req.request_type,
        urgency=req.urgency,
        channel=req.channel,
        company_id=req.company_id,
        title=req.title or "",
        description=req.description or "",
    )


def propose_for(req: ServiceRequest) -> Proposal:
    """Propose type and urgency from the portal's labelled past requests and keyword priors."""
    rows = db.session.execute(
        select(
            ServiceRequest.title,
            ServiceRequest.description,
            ServiceRequest.request_type,
            ServiceRequest.urgency,
        )
        .where(
            ServiceRequest.portal_id == req.portal_id,
            ServiceRequest.id != req.id,
            ServiceRequest.deleted.is_(False),
            or_(ServiceRequest.request_type.is_not(None), ServiceRequest.urgency.is_not(None)),
        )
        .order_by(ServiceRequest.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    history = [
        LabelledText(f"{title}\n{description}", rtype, urgency) for title, description, rtype, urgency in rows
    ]
    return Triage(history).propose(f"{req.title}\n{req.description}")


def sla_policy_id(portal_id: int, code: str | None) -> int | None:
    """The SLA policy with this code, when the SLA feature is present; None otherwise."""
    if not code:
        return None
    try:
        module = importlib.import_module("b24app.models.sla")
    except ImportError:
        return None
    model = getattr(module, "SlaPolicyRecord", None)
    if model is None:
        return None
    return db.session.scalar(select(model.id).where(model.portal_id == portal_id, model.code == code))


def _needs_decision(req: ServiceRequest, record: RequestRouting | None) -> bool:
    if record is not None and record.decided_at is not None:
        return False
    return req.state == RequestState.NEW or req.assigned_by_id is None


@step(10, "routing")
def route(ctx: PipelineContext) -> None:
    req, portal = ctx.request, ctx.portal
    record = record_of(req)
    if ctx.change.previous_state in LOAD_STATES and req.state not in LOAD_STATES:
        enqueue_assign_queue(portal.id)  # capacity freed
    if record is not None and record.decided_at is not None:
        _follow_up(ctx, record)
        return
    if not _needs_decision(req, record):
        return
    # REST first (the agents and the default rules on the portal's first request), then our writes.
    if not routing_agents.has_agents(portal.id):
        routing_agents.sync_agents(portal, ctx.client)
        db.session.commit()
    routing_rules.ensure_default_rules(portal, ctx.client)
    db.session.commit()

    record = record or RequestRouting(portal_id=portal.id, request_id=req.id)
    if record.id is None:
        db.session.add(record)
    if req.request_type is None or req.urgency is None:
        _propose(ctx, record)
    decision = decide(
        facts_of(req), routing_rules.rule_specs(portal.id), routing_agents.agent_states(portal.id, req.id)
    )
    apply_decision(ctx, record, decision)


def _propose(ctx: PipelineContext, record: RequestRouting) -> None:
    req = ctx.request
    proposal = propose_for(req)
    threshold = auto_apply_threshold(ctx.portal)
    record.proposed_type = proposal.request_type.code
    record.type_confidence = proposal.request_type.confidence
    record.proposed_urgency = proposal.urgency.code
    record.urgency_confidence = proposal.urgency.confidence
    record.proposal_reasons = {
        "type": list(proposal.request_type.reasons),
        "urgency": list(proposal.urgency.reasons),
    }
    applied = []
    if req.request_type is None and proposal.request_type.applies(threshold) and ctx.fields.key("SD_TYPE"):
        ctx.set_field("SD_TYPE", proposal.request_type.code)
        req.request_type = proposal.request_type.code
        applied.append("type")
    if req.urgency is None and proposal.urgency.applies(threshold) and ctx.fields.key("SD_URGENCY"):
        ctx.set_field("SD_URGENCY", proposal.urgency.code)
        req.urgency = proposal.urgency.code
        applied.append("urgency")
    record.proposal_applied = applied


def apply_decision(ctx: PipelineContext, record: RequestRouting, decision: Decision) -> None:
    req, now = ctx.request, utcnow()
    record.decided_at = now
    record.previous_user_id = req.assigned_by_id
    record.assigned_user_id = None
    record.confirmed = False
    req.routing_explanation = store(decision.explanation)
    req.routing_rule_id = decision.rule_id
    if decision.rule_id is None:
        return
    req.group_id = decision.group_id
    req.priority = decision.priority
    policy_id = sla_policy_id(req.portal_id, decision.sla_policy_code)
    if policy_id is not None:
        req.sla_policy_id = policy_id
    rule = db.session.get(RoutingRule, decision.rule_id)
    if rule is not None and decision.rr_cursor is not None:
        rule.rr_cursor = decision.rr_cursor
    if decision.assignee is None:
        req.queued_at = now
        return
    req.queued_at = None
    ctx.set_item("assignedById", decision.assignee.user_id)
    _assign_locally(req, record, decision, now)


def _assign_locally(req: ServiceRequest, record: RequestRouting, decision: Decision, now: datetime) -> None:
    person = decision.assignee
    assert person is not None
    req.assigned_by_id = person.user_id
    req.assigned_name = person.name
    record.assigned_user_id = person.user_id
    agent = routing_agents.find_agent(req.portal_id, person.user_id)
    if agent is not None:
        agent.last_assigned_at = now


def _follow_up(ctx: PipelineContext, record: RequestRouting) -> None:
    """After the decision: confirm the app's assignment landed, or respect a person's reassignment."""
    req = ctx.request
    if req.queued_at is not None and req.state in CLOSED_STATES:
        req.queued_at = None
    current = req.assigned_by_id
    expected = record.assigned_user_id if record.assigned_user_id is not None else record.previous_user_id
    if current == expected:
        if record.assigned_user_id is not None:
            record.confirmed = True
        return
    if record.assigned_user_id is not None and not record.confirmed and current == record.previous_user_id:
        # Our write-back did not reach the item (the job failed after the decision): ask again.
        ctx.set_item("assignedById", record.assigned_user_id)
        return
    who = req.assigned_name or (f"#{current}" if current else _m("никто"))
    record.overridden_by_person = True
    record.note = store(
        _m("Ответственный изменён вручную: %(who)s. Приложение больше не меняет ответственного.", who=who)
    )
    record.assigned_user_id = current
    record.confirmed = True
    if req.queued_at is not None:
        req.queued_at = None
        enqueue_assign_queue(req.portal_id)


def assign_queue(portal: Portal, client: B24Client) -> int:
    """Assign waiting requests of the portal as agents have room; returns how many were assigned."""
    queued = list(
        db.session.scalars(
            select(ServiceRequest).where(
                ServiceRequest.portal_id == portal.id,
                ServiceRequest.queued_at.is_not(None),
                ServiceRequest.deleted.is_(False),
            )
        )
    )
    for req in [r for r in queued if r.state in CLOSED_STATES]:
        req.queued_at = None
    waiting = {r.id: r for r in queued if r.state in LOAD_STATES}
    if not waiting:
        db.session.commit()
        return 0
    entries = [
        QueueEntry(
            request_id=r.id,
            rule_id=r.routing_rule_id,
            priority=r.priority,
            due=min((d for d in (r.first_response_due, r.resolution_due) if d is not None), default=None),
            queued_at=r.queued_at,
            facts=facts_of(r),
        )
        for r in waiting.values()
    ]
    now = utcnow()
    plan = work_off_queue(
        entries, routing_rules.rule_specs(portal.id), routing_agents.agent_states(portal.id), now
    )
    db.session.commit()  # end the read transaction before the REST call
    if not plan:
        return 0
    etid = int(portal.settings["smart_process"]["entity_type_id"])
    commands: dict[str, tuple[str, dict[str, Any]]] = {
        str(entry.request_id): (
            "crm.item.update",
            {
                "entityTypeId": etid,
                "id": waiting[entry.request_id].b24_id,
                "fields": {"assignedById": d.assignee.user_id},
            },
        )
        for entry, d in plan
        if d.assignee is not None
    }
    outcome = client.batch(commands)
    assigned = 0
    for entry, decision in plan:
        key = str(entry.request_id)
        if key in outcome.errors or key not in outcome.results:
            log.warning(
                "portal %s: queue assignment of request %s failed: %s",
                portal.domain,
                key,
                outcome.errors.get(key),
            )
            continue
        req = db.session.get(ServiceRequest, entry.request_id)
        record = record_of(req) or RequestRouting(portal_id=portal.id, request_id=req.id, decided_at=now)
        if record.id is None:
            db.session.add(record)
        record.previous_user_id = req.assigned_by_id
        record.confirmed = False
        req.queued_at = None
        req.routing_rule_id = decision.rule_id
        req.routing_explanation = store(_m("%(explanation)s (из очереди)", explanation=decision.explanation))
        rule = db.session.get(RoutingRule, decision.rule_id) if decision.rule_id else None
        if rule is not None and decision.rr_cursor is not None:
            rule.rr_cursor = decision.rr_cursor
        _assign_locally(req, record, decision, now)
        assigned += 1
    db.session.commit()
    return assigned


def set_availability(agent: Agent, available: bool) -> None:
    agent.available = available
    if available:
        enqueue_assign_queue(agent.portal_id)
