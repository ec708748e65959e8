"""Agents and departments come from Bitrix24; what the app's admin set (cap, availability) stays."""

from __future__ import annotations

from sqlalchemy import select

from b24app.extensions import db
from b24app.models import ServiceRequest
from b24app.models.routing import Agent, Department
from b24app.services.routing_agents import agent_states, sync_agents
from tests.factories import make_portal


class PortalDirectory:
    """Answers user.get and department.get the way a portal's REST does (rows, page by page)."""

    def __init__(self, users: list[dict], departments: list[dict]) -> None:
        self.rows = {"user.get": users, "department.get": departments}

    def iter_pages(self, method, params=None, items_key=None):
        yield from self.rows[method]


def user(user_id: int, last: str, departments: list[int], active: bool | str = True) -> dict:
    return {
        "ID": str(user_id),
        "NAME": "Имя",
        "LAST_NAME": last,
        "UF_DEPARTMENT": departments,
        "ACTIVE": active,
    }


DEPARTMENTS = [
    {"ID": "2", "NAME": "Инженеры 1 линии", "PARENT": "1", "UF_HEAD": "2"},
    {"ID": "3", "NAME": "Гарантийный отдел", "PARENT": "1", "UF_HEAD": "5"},
]


def test_sync_keeps_cap_and_availability_and_follows_departments_and_dismissals(ctx):
    portal = make_portal()
    sync_agents(portal, PortalDirectory([user(2, "Петров", [2]), user(3, "Кузнецова", [2])], DEPARTMENTS))
    petrov = db.session.scalars(select(Agent).where(Agent.user_id == 2)).one()
    petrov.cap, petrov.available = 4, False
    db.session.commit()

    report = sync_agents(
        portal, PortalDirectory([user(2, "Петров", [3]), user(3, "Кузнецова", [2], "N")], DEPARTMENTS[1:])
    )
    db.session.commit()

    agents = {a.user_id: a for a in db.session.scalars(select(Agent))}
    assert (agents[2].cap, agents[2].available, agents[2].department_ids) == (4, False, [3])
    assert agents[3].active is False
    assert [d.name for d in db.session.scalars(select(Department))] == ["Гарантийный отдел"]
    assert report.agents == 2 and report.departments == 1


def test_only_requests_with_a_running_clock_count_as_load(ctx):
    portal = make_portal()
    sync_agents(portal, PortalDirectory([user(2, "Петров", [2])], DEPARTMENTS))
    for b24_id, state in enumerate(
        ["new", "in_work", "waiting", "resolved", "closed", "cancelled", "in_work"], 1
    ):
        db.session.add(ServiceRequest(portal_id=portal.id, b24_id=b24_id, state=state, assigned_by_id=2))
    db.session.add(
        ServiceRequest(portal_id=portal.id, b24_id=99, state="new", assigned_by_id=2, deleted=True)
    )
    db.session.commit()

    (petrov,) = agent_states(portal.id)

    assert petrov.open_count == 3
    assert petrov.short_name == "Петров"
