"""Agents and departments of a portal, mirrored from Bitrix24 (user.get, department.get), and their
current load: open requests whose SLA clock runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import Portal, RequestState, ServiceRequest, utcnow
from ..models.routing import Agent, Department
from .routing import AgentState

log = logging.getLogger(__name__)

# Waiting for the client, resolved, closed and cancelled requests do not hold an agent's time.
LOAD_STATES = (RequestState.NEW, RequestState.IN_WORK)


@dataclass(frozen=True)
class SyncReport:
    agents: int
    departments: int
    deactivated: int


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.upper() in ("Y", "TRUE", "1")
    return bool(value)


def _ids(value: Any) -> list[int]:
    if value in (None, "", False):
        return []
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


def _int_or_none(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number or None


def sync_agents(portal: Portal, client: B24Client) -> SyncReport:
    """Refresh users and departments from Bitrix24; cap and availability set in the app are kept.

    Users that Bitrix24 no longer lists are kept but marked inactive (their history stays readable).
    """
    users = list(
        client.iter_pages("user.get", {"sort": "ID", "order": "ASC", "FILTER": {"USER_TYPE": "employee"}})
    )
    departments = list(client.iter_pages("department.get", {"sort": "ID", "order": "ASC"}))

    existing = {a.user_id: a for a in db.session.scalars(select(Agent).where(Agent.portal_id == portal.id))}
    seen: set[int] = set()
    now = utcnow()
    for row in users:
        user_id = _int_or_none(row.get("ID"))
        if user_id is None:
            continue
        seen.add(user_id)
        agent = existing.get(user_id)
        if agent is None:
            agent = Agent(portal_id=portal.id, user_id=user_id, available=True, cap=10)
            db.session.add(agent)
        first, last = (row.get("NAME") or "").strip(), (row.get("LAST_NAME") or "").strip()
        agent.name = " ".join(p for p in (first, last) if p) or f"#{user_id}"
        agent.short_name = last or first or f"#{user_id}"
        agent.department_ids = _ids(row.get("UF_DEPARTMENT"))
        agent.active = _flag(row.get("ACTIVE", True))
        agent.synced_at = now
    deactivated = 0
    for user_id, agent in existing.items():
        if user_id not in seen and agent.active:
            agent.active = False
            deactivated += 1

    known = {
        d.department_id: d
        for d in db.session.scalars(select(Department).where(Department.portal_id == portal.id))
    }
    listed: set[int] = set()
    for row in departments:
        department_id = _int_or_none(row.get("ID"))
        if department_id is None:
            continue
        listed.add(department_id)
        dept = known.get(department_id)
        if dept is None:
            dept = Department(portal_id=portal.id, department_id=department_id)
            db.session.add(dept)
        dept.name = str(row.get("NAME") or f"#{department_id}")
        dept.parent_id = _int_or_none(row.get("PARENT"))
        dept.head_user_id = _int_or_none(row.get("UF_HEAD"))
    for department_id, dept in known.items():
        if department_id not in listed:
            db.session.delete(dept)
    db.session.flush()
    log.info("portal %s: %d users, %d departments synced", portal.domain, len(seen), len(listed))
    return SyncReport(len(seen), len(listed), deactivated)


def has_agents(portal_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(Agent).where(Agent.portal_id == portal_id)) > 0


def open_loads(portal_id: int) -> dict[int, int]:
    """Open requests per responsible (only those whose SLA clock runs; queued ones belong to nobody)."""
    rows = db.session.execute(
        select(ServiceRequest.assigned_by_id, func.count())
        .where(
            ServiceRequest.portal_id == portal_id,
            ServiceRequest.deleted.is_(False),
            ServiceRequest.state.in_(LOAD_STATES),
            ServiceRequest.queued_at.is_(None),
            ServiceRequest.assigned_by_id.is_not(None),
        )
        .group_by(ServiceRequest.assigned_by_id)
    ).all()
    return {int(user_id): int(count) for user_id, count in rows}


def agent_states(portal_id: int, exclude_request_id: int | None = None) -> list[AgentState]:
    """Every agent of the portal with its current load, as the decision function takes them.

    `exclude_request_id`: the request being decided does not count against its current responsible.
    """
    loads = open_loads(portal_id)
    if exclude_request_id is not None:
        current = db.session.get(ServiceRequest, exclude_request_id)
        if (
            current is not None
            and current.assigned_by_id in loads
            and current.state in LOAD_STATES
            and current.queued_at is None
        ):
            loads[current.assigned_by_id] -= 1
    agents = db.session.scalars(select(Agent).where(Agent.portal_id == portal_id).order_by(Agent.user_id))
    return [
        AgentState(
            user_id=a.user_id,
            name=a.name,
            short_name=a.short_name,
            department_ids=tuple(a.department_ids or ()),
            active=a.active,
            available=a.available,
            cap=a.cap,
            open_count=loads.get(a.user_id, 0),
            last_assigned_at=a.last_assigned_at,
        )
        for a in agents
    ]


def find_agent(portal_id: int, user_id: int) -> Agent | None:
    return db.session.scalars(
        select(Agent).where(Agent.portal_id == portal_id, Agent.user_id == user_id)
    ).first()


def departments_of(portal_id: int) -> list[Department]:
    return list(
        db.session.scalars(
            select(Department).where(Department.portal_id == portal_id).order_by(Department.name)
        )
    )
