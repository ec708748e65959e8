"""What an escalation level does in Bitrix24: notifications, a raised priority, the head as observer,
a timeline comment (SERVICEDESK §1).

A level costs at most two REST requests, whatever it does: one batch reads the item (and, for an
assignee the app has not mirrored, their department), one batch writes the item, the notifications and
the comment together. Each level is claimed before it acts and is not acted on twice: a command that
fails is logged, never retried (escalating twice is worse than a notification lost to an outage).
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

from sqlalchemy import select

from ..bitrix.batch import Command
from ..bitrix.client import B24Client
from ..extensions import db
from ..models import Agent, Department, Portal, ServiceRequest, SlaPolicyRecord
from .fields import FieldMap
from .sla_escalation import BREACH, SECOND_LEVEL, WARNING, Decision
from .sla_policies import CalendarCache

log = logging.getLogger(__name__)

# Lowest to highest; a breach moves the request one step up.
URGENCY_ORDER = ("low", "normal", "high", "critical")


def raised(urgency: str | None) -> str:
    current = urgency if urgency in URGENCY_ORDER else "normal"
    return URGENCY_ORDER[min(URGENCY_ORDER.index(current) + 1, len(URGENCY_ORDER) - 1)]


def head_of(user_id: int, own: list[str], departments: dict[str, dict[str, Any]]) -> int | None:
    """The head of the user's first department; up the tree while the user is that head."""
    department = departments.get(own[0]) if own else None
    seen: set[str] = set()
    while department is not None and str(department.get("ID")) not in seen:
        seen.add(str(department.get("ID")))
        head = int(department.get("UF_HEAD") or 0)
        if head and head != user_id:
            return head
        department = departments.get(str(department.get("PARENT") or ""))
    return None


def mirrored_head(portal_id: int, user_id: int) -> tuple[bool, int | None]:
    """(known, head) from the departments and agents mirrored for routing; known is False when the
    user is not mirrored, and Bitrix24 has to be asked."""
    agent = db.session.scalars(
        select(Agent).where(Agent.portal_id == portal_id, Agent.user_id == user_id)
    ).one_or_none()
    if agent is None or not agent.department_ids:
        return False, None
    departments = {
        str(d.department_id): {"ID": d.department_id, "UF_HEAD": d.head_user_id, "PARENT": d.parent_id}
        for d in db.session.scalars(select(Department).where(Department.portal_id == portal_id))
    }
    own = [str(d) for d in agent.department_ids]
    if own[0] not in departments:
        return False, None
    return True, head_of(user_id, own, departments)


def department_head(client: B24Client, user_id: int) -> int | None:
    """The head of the user's department asked from Bitrix24 (two commands in one batch)."""
    outcome = client.batch({"user": ("user.get", {"ID": user_id}), "departments": ("department.get", {})})
    return _head_from(outcome.results, user_id)


def _head_from(results: dict[str, Any], user_id: int) -> int | None:
    users = results.get("user") or []
    departments = {str(d["ID"]): d for d in results.get("departments") or []}
    own = [str(d) for d in (users[0].get("UF_DEPARTMENT") or [])] if users else []
    return head_of(user_id, own, departments)


class Writes:
    """Commands of one level, sent together as one batch."""

    def __init__(self, etid: int) -> None:
        self.etid = etid
        self.commands: dict[str, Command] = {}

    def notify(self, user_id: int | None, message: str) -> None:
        if user_id:
            self.commands[f"notify{len(self.commands)}"] = (
                "im.notify.system.add",
                {"USER_ID": user_id, "MESSAGE": message},
            )

    def comment(self, b24_id: int, text: str) -> None:
        self.commands[f"comment{len(self.commands)}"] = (
            "crm.timeline.comment.add",
            {"fields": {"ENTITY_ID": b24_id, "ENTITY_TYPE": f"dynamic_{self.etid}", "COMMENT": text}},
        )

    def update(self, b24_id: int, fields: dict[str, Any]) -> None:
        params = {"entityTypeId": self.etid, "id": b24_id, "fields": fields}
        self.commands["update"] = ("crm.item.update", params)

    def send(self, client: B24Client, portal_id: int, b24_id: int) -> None:
        if not self.commands:
            return
        if len(self.commands) == 1:
            method, params = next(iter(self.commands.values()))
            client.call(method, params)
            return
        outcome = client.batch(self.commands)
        for key, error in outcome.errors.items():
            log.warning("portal %s: escalation of request %s, %s failed: %s", portal_id, b24_id, key, error)


def act(portal: Portal, client: B24Client, decision: Decision) -> None:
    clock = decision.clock
    etid = int(portal.settings["smart_process"]["entity_type_id"])
    name = f"«{clock.title}» (#{clock.b24_id})"
    policy = db.session.get(SlaPolicyRecord, clock.policy_id) if clock.policy_id else None
    writes = Writes(etid)
    if decision.level == WARNING:
        cal = CalendarCache(portal.id).get(policy.calendar_id if policy else None)
        due = clock.breach_at.astimezone(cal.zone if cal else UTC) if clock.breach_at else None
        when = f" (до {due:%d.%m %H:%M})" if due else ""
        writes.notify(clock.assigned_by_id, f"Обращение {name}: срок по SLA скоро истекает{when}.")
        writes.send(client, portal.id, clock.b24_id)
        return
    if clock.level < BREACH:
        _breach(portal, client, writes, decision, name)
    if decision.level == SECOND_LEVEL:
        manager = policy.service_manager_user_id if policy else None
        share = policy.second_level_share if policy else 0.5
        writes.notify(manager, f"Обращение {name} просрочено по SLA ещё на {share:.0%} срока и не решено.")
        writes.comment(
            clock.b24_id,
            "Второй уровень эскалации: "
            + ("уведомлён сервис-менеджер." if manager else "сервис-менеджер в политике SLA не указан."),
        )
    writes.send(client, portal.id, clock.b24_id)


def _breach(portal: Portal, client: B24Client, writes: Writes, decision: Decision, name: str) -> None:
    clock = decision.clock
    fields = FieldMap(portal.settings.get("fields", {}))
    reads: dict[str, Command] = {"item": ("crm.item.get", {"entityTypeId": writes.etid, "id": clock.b24_id})}
    known, head = mirrored_head(portal.id, clock.assigned_by_id) if clock.assigned_by_id else (True, None)
    if not known:
        reads["user"] = ("user.get", {"ID": clock.assigned_by_id})
        reads["departments"] = ("department.get", {})
    outcome = client.batch(reads)
    if "item" in outcome.errors:
        raise outcome.errors["item"]
    if not known:
        head = _head_from(outcome.results, clock.assigned_by_id)
    item = (outcome.results.get("item") or {}).get("item") or {}
    urgency = raised(fields.read(item, "SD_URGENCY") or clock.priority or clock.urgency)
    updates: dict[str, Any] = dict(fields.write("SD_URGENCY", urgency))
    observers = [int(o) for o in item.get("observers") or []]
    if head and head not in observers:
        updates["observers"] = [*observers, head]
    writes.update(clock.b24_id, updates)
    message = f"Обращение {name}: срок по SLA нарушен. Срочность повышена."
    writes.notify(clock.assigned_by_id, message)
    writes.notify(head, message + " Вы добавлены наблюдателем.")
    writes.comment(
        clock.b24_id,
        "Нарушен срок по SLA: срочность повышена, руководитель отдела "
        + ("добавлен наблюдателем." if head else "не найден."),
    )
    req = db.session.get(ServiceRequest, clock.request_id)
    if req is not None:
        req.urgency = urgency
        if req.priority:
            req.priority = urgency
    log.info("portal %s: request %s breached its SLA, escalated", portal.id, clock.b24_id)
