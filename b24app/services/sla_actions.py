"""What an escalation level does in Bitrix24: notifications, a raised priority, the head as observer,
a timeline comment (SERVICEDESK §1)."""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import Portal, ServiceRequest, SlaPolicyRecord
from .fields import FieldMap
from .sla_escalation import BREACH, SECOND_LEVEL, WARNING, Decision
from .sla_policies import CalendarCache

log = logging.getLogger(__name__)

# Lowest to highest; a breach moves the request one step up.
URGENCY_ORDER = ("low", "normal", "high", "critical")


def raised(urgency: str | None) -> str:
    current = urgency if urgency in URGENCY_ORDER else "normal"
    return URGENCY_ORDER[min(URGENCY_ORDER.index(current) + 1, len(URGENCY_ORDER) - 1)]


def department_head(client: B24Client, user_id: int) -> int | None:
    """The head of the user's department; the parent department's head when the user is the head."""
    outcome = client.batch({"user": ("user.get", {"ID": user_id}), "departments": ("department.get", {})})
    users = outcome.results.get("user") or []
    departments = {str(d["ID"]): d for d in outcome.results.get("departments") or []}
    own = [str(d) for d in (users[0].get("UF_DEPARTMENT") or [])] if users else []
    department = departments.get(own[0]) if own else None
    while department is not None:
        head = int(department.get("UF_HEAD") or 0)
        if head and head != user_id:
            return head
        department = departments.get(str(department.get("PARENT") or ""))
    return None


def _notify(client: B24Client, user_id: int | None, message: str) -> None:
    if user_id:
        client.call("im.notify.system.add", {"USER_ID": user_id, "MESSAGE": message})


def _comment(client: B24Client, etid: int, b24_id: int, text: str) -> None:
    client.call(
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_ID": b24_id, "ENTITY_TYPE": f"dynamic_{etid}", "COMMENT": text}},
    )


def act(portal: Portal, client: B24Client, decision: Decision) -> None:
    clock = decision.clock
    etid = int(portal.settings["smart_process"]["entity_type_id"])
    name = f"«{clock.title}» (#{clock.b24_id})"
    policy = db.session.get(SlaPolicyRecord, clock.policy_id) if clock.policy_id else None
    if decision.level == WARNING:
        cal = CalendarCache(portal.id).get(policy.calendar_id if policy else None)
        due = clock.breach_at.astimezone(cal.zone if cal else UTC) if clock.breach_at else None
        when = f" (до {due:%d.%m %H:%M})" if due else ""
        _notify(client, clock.assigned_by_id, f"Обращение {name}: срок по SLA скоро истекает{when}.")
        return
    if clock.level < BREACH:
        _breach(portal, client, etid, decision, name)
    if decision.level == SECOND_LEVEL:
        manager = policy.service_manager_user_id if policy else None
        _notify(client, manager, f"Обращение {name} просрочено более чем на половину срока по SLA.")
        _comment(
            client,
            etid,
            clock.b24_id,
            "Второй уровень эскалации: "
            + ("уведомлён сервис-менеджер." if manager else "сервис-менеджер в политике SLA не указан."),
        )


def _breach(portal: Portal, client: B24Client, etid: int, decision: Decision, name: str) -> None:
    clock = decision.clock
    fields = FieldMap(portal.settings.get("fields", {}))
    item = client.call("crm.item.get", {"entityTypeId": etid, "id": clock.b24_id}).result.get("item") or {}
    urgency = raised(fields.read(item, "SD_URGENCY") or clock.priority or clock.urgency)
    head = department_head(client, clock.assigned_by_id) if clock.assigned_by_id else None
    updates: dict[str, Any] = dict(fields.write("SD_URGENCY", urgency))
    observers = [int(o) for o in item.get("observers") or []]
    if head and head not in observers:
        updates["observers"] = [*observers, head]
    client.call("crm.item.update", {"entityTypeId": etid, "id": clock.b24_id, "fields": updates})
    message = f"Обращение {name}: срок по SLA нарушен. Срочность повышена."
    _notify(client, clock.assigned_by_id, message)
    _notify(client, head, message + " Вы добавлены наблюдателем.")
    _comment(
        client,
        etid,
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
