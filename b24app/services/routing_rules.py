"""Routing rules of a portal: validation of what an admin sends, ordering, the customer's default rules,
and the plain records the decision function reads."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import Portal
from ..models.routing import Department, Priority, RoutingRule, Strategy
from .fields import CHANNELS, REQUEST_TYPES, URGENCIES
from .routing import RuleSpec

log = logging.getLogger(__name__)

TYPE_CODES = tuple(code for code, _ru, _en in REQUEST_TYPES)
URGENCY_CODES = tuple(code for code, _ru, _en in URGENCIES)
CHANNEL_CODES = tuple(code for code, _ru, _en in CHANNELS)
MAX_KEYWORDS = 50


class RuleInvalid(ValueError):
    """What is wrong with a rule, per field (Russian messages for the admin)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass
class RuleInput:
    name: str
    active: bool = True
    request_types: list[str] = field(default_factory=list)
    urgencies: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    company_ids: list[int] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    department_id: int | None = None
    user_ids: list[int] = field(default_factory=list)
    strategy: str = Strategy.LEAST_LOADED
    fixed_user_id: int | None = None
    priority: str | None = None
    sla_policy_code: str | None = None


def _codes(value: Any, allowed: Sequence[str], key: str, problems: dict[str, str]) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems[key] = _("ожидается список значений")
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        problems[key] = _("неизвестные значения: %(values)s", values=", ".join(unknown))
    return list(dict.fromkeys(value))


def _int_list(value: Any, key: str, problems: dict[str, str]) -> list[int]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
    if not isinstance(value, list):
        problems[key] = _("ожидается список номеров")
        return []
    out = []
    for v in value:
        try:
            number = int(v)
        except (TypeError, ValueError):
            problems[key] = _("не число: %(value)s", value=v)
            return []
        if number <= 0 or isinstance(v, bool):
            problems[key] = _("некорректный номер: %(value)s", value=v)
            return []
        out.append(number)
    return list(dict.fromkeys(out))


def _optional_int(value: Any, key: str, problems: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        problems[key] = _("ожидается номер")
        return None
    if number <= 0 or isinstance(value, bool):
        problems[key] = _("ожидается номер")
        return None
    return number


def validate_rule(data: Mapping[str, Any], departments: set[int], users: set[int]) -> RuleInput:
    """Check a rule sent by an admin; raises RuleInvalid naming every problem."""
    problems: dict[str, str] = {}
    if not isinstance(data, Mapping):
        raise RuleInvalid({"rule": _("ожидается объект правила")})
    name = str(data.get("name") or "").strip()
    if not name:
        problems["name"] = _("укажите название правила")
    elif len(name) > 255:
        problems["name"] = _("не длиннее 255 символов")
    keywords_raw = data.get("keywords") or []
    if isinstance(keywords_raw, str):
        keywords_raw = keywords_raw.split(",")
    if not isinstance(keywords_raw, list) or not all(isinstance(k, str) for k in keywords_raw):
        problems["keywords"] = _("ожидается список слов")
        keywords_raw = []
    keywords = list(dict.fromkeys(k.strip() for k in keywords_raw if k.strip()))
    if len(keywords) > MAX_KEYWORDS or any(len(k) > 100 for k in keywords):
        problems["keywords"] = _("не больше %(max)s слов, каждое короче 100 символов", max=MAX_KEYWORDS)
    rule = RuleInput(
        name=name,
        active=bool(data.get("active", True)),
        request_types=_codes(data.get("request_types"), TYPE_CODES, "request_types", problems),
        urgencies=_codes(data.get("urgencies"), URGENCY_CODES, "urgencies", problems),
        channels=_codes(data.get("channels"), CHANNEL_CODES, "channels", problems),
        company_ids=_int_list(data.get("company_ids"), "company_ids", problems),
        keywords=keywords,
        department_id=_optional_int(data.get("department_id"), "department_id", problems),
        user_ids=_int_list(data.get("user_ids"), "user_ids", problems),
        strategy=str(data.get("strategy") or Strategy.LEAST_LOADED),
        fixed_user_id=_optional_int(data.get("fixed_user_id"), "fixed_user_id", problems),
        priority=(str(data["priority"]) if data.get("priority") else None),
        sla_policy_code=(str(data["sla_policy_code"]).strip() or None)
        if data.get("sla_policy_code")
        else None,
    )
    if rule.strategy not in Strategy.ALL:
        problems["strategy"] = _("неизвестная стратегия")
    if rule.priority is not None and rule.priority not in Priority.ALL:
        problems["priority"] = _("неизвестный приоритет")
    if rule.sla_policy_code is not None and len(rule.sla_policy_code) > 64:
        problems["sla_policy_code"] = _("не длиннее 64 символов")
    if rule.strategy == Strategy.FIXED:
        if rule.fixed_user_id is None:
            problems.setdefault("fixed_user_id", _("укажите сотрудника"))
        elif rule.fixed_user_id not in users:
            problems["fixed_user_id"] = _("сотрудник не найден")
    if rule.strategy != Strategy.FIXED:
        rule.fixed_user_id = None
        if rule.department_id is None and not rule.user_ids:
            problems.setdefault("target", _("укажите отдел или сотрудников"))
    if rule.department_id is not None and rule.user_ids:
        problems["target"] = _("укажите либо отдел, либо сотрудников")
    if rule.department_id is not None and rule.department_id not in departments:
        problems["department_id"] = _("отдел не найден")
    unknown_users = [u for u in rule.user_ids if u not in users]
    if unknown_users:
        problems["user_ids"] = _("сотрудники не найдены: %(users)s", users=", ".join(map(str, unknown_users)))
    if problems:
        raise RuleInvalid(problems)
    return rule


def portal_rules(portal_id: int) -> list[RoutingRule]:
    return list(
        db.session.scalars(
            select(RoutingRule)
            .where(RoutingRule.portal_id == portal_id)
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )


def find_rule(portal_id: int, rule_id: int) -> RoutingRule | None:
    return db.session.scalars(
        select(RoutingRule).where(RoutingRule.portal_id == portal_id, RoutingRule.id == rule_id)
    ).first()


def apply_input(rule: RoutingRule, data: RuleInput) -> RoutingRule:
    for name, value in vars(data).items():
        setattr(rule, name, value)
    return rule


def add_rule(portal_id: int, data: RuleInput) -> RoutingRule:
    last = db.session.scalar(select(func.max(RoutingRule.position)).where(RoutingRule.portal_id == portal_id))
    rule = apply_input(RoutingRule(portal_id=portal_id, position=(last or 0) + 10), data)
    db.session.add(rule)
    db.session.flush()
    return rule


def reorder(portal_id: int, rule_ids: Sequence[int]) -> list[RoutingRule]:
    """Put the portal's rules in the given order; every rule must be named exactly once."""
    rules = {r.id: r for r in portal_rules(portal_id)}
    if sorted(rule_ids) != sorted(rules):
        raise RuleInvalid({"order": _("перечислите каждое правило портала ровно один раз")})
    for index, rule_id in enumerate(rule_ids, start=1):
        rules[rule_id].position = index * 10
    db.session.flush()
    return [rules[i] for i in rule_ids]


def rule_specs(portal_id: int) -> list[RuleSpec]:
    names = {
        d.department_id: d.name
        for d in db.session.scalars(select(Department).where(Department.portal_id == portal_id))
    }
    return [to_spec(rule, number, names) for number, rule in enumerate(portal_rules(portal_id), start=1)]


def to_spec(rule: RoutingRule, number: int, department_names: Mapping[int, str]) -> RuleSpec:
    group = department_names.get(rule.department_id, "") if rule.department_id is not None else ""
    return RuleSpec(
        id=rule.id,
        number=number,
        name=rule.name,
        group_name=group,
        active=rule.active,
        request_types=tuple(rule.request_types or ()),
        urgencies=tuple(rule.urgencies or ()),
        channels=tuple(rule.channels or ()),
        company_ids=tuple(rule.company_ids or ()),
        keywords=tuple(rule.keywords or ()),
        department_id=rule.department_id,
        user_ids=tuple(rule.user_ids or ()),
        strategy=rule.strategy,
        fixed_user_id=rule.fixed_user_id,
        priority=rule.priority,
        sla_policy_code=rule.sla_policy_code,
        rr_cursor=rule.rr_cursor,
    )


def rule_record(rule: RoutingRule, number: int) -> dict[str, Any]:
    return {
        "id": rule.id,
        "number": number,
        "name": rule.name,
        "active": rule.active,
        "request_types": rule.request_types or [],
        "urgencies": rule.urgencies or [],
        "channels": rule.channels or [],
        "company_ids": rule.company_ids or [],
        "keywords": rule.keywords or [],
        "department_id": rule.department_id,
        "user_ids": rule.user_ids or [],
        "strategy": rule.strategy,
        "fixed_user_id": rule.fixed_user_id,
        "priority": rule.priority,
        "sla_policy_code": rule.sla_policy_code,
    }


# The customer's process (SERVICEDESK §3): department name, rule fields.
DEFAULT_RULES: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "Гарантийный отдел",
        {"name": "Гарантийный случай", "request_types": ["warranty"], "sla_policy_code": "warranty"},
    ),
    (
        "Инженеры 1 линии",
        {
            "name": "Техническая поддержка + высокая срочность",
            "request_types": ["support"],
            "urgencies": ["high", "critical"],
            "priority": Priority.HIGH,
            "sla_policy_code": "support_high",
        },
    ),
    (
        "Инженеры 1 линии",
        {"name": "Техническая поддержка", "request_types": ["support"], "sla_policy_code": "support"},
    ),
    ("Общая поддержка", {"name": "Все остальные обращения", "sla_policy_code": "general"}),
)


def ensure_default_rules(portal: Portal, client: B24Client) -> list[RoutingRule]:
    """Seed the customer's rules once per portal; departments are found by name (department.get).

    A rule whose department the portal lacks is created inactive, for the admin to point elsewhere.
    Once seeded, the portal's rules are the admin's: deleting them all does not bring these back.
    """
    routing_settings = (portal.settings or {}).get("routing", {})
    existing = portal_rules(portal.id)
    if existing or routing_settings.get("rules_seeded"):
        return existing
    by_name = {
        str(row.get("NAME") or "").strip().casefold(): int(row["ID"])
        for row in client.iter_pages("department.get", {})
        if row.get("ID")
    }
    created = []
    for department_name, fields in DEFAULT_RULES:
        department_id = by_name.get(department_name.casefold())
        rule = RoutingRule(
            portal_id=portal.id, position=(len(created) + 1) * 10, department_id=department_id, **fields
        )
        rule.strategy = Strategy.LEAST_LOADED
        rule.active = department_id is not None
        if department_id is None:
            log.warning(
                "portal %s: no department «%s»; rule «%s» left inactive",
                portal.domain,
                department_name,
                rule.name,
            )
        db.session.add(rule)
        created.append(rule)
    portal.settings = {**(portal.settings or {}), "routing": {**routing_settings, "rules_seeded": True}}
    db.session.flush()
    return created
