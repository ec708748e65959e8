"""Small builders of rules and agents for the routing tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from b24app.services.routing import AgentState, RuleSpec

FIRST_LINE = 2
WARRANTY = 3


def rule(number: int = 1, **overrides: Any) -> RuleSpec:
    values: dict[str, Any] = {
        "id": 100 + number,
        "number": number,
        "name": f"Правило {number}",
        "group_name": "Инженеры 1 линии",
        "department_id": FIRST_LINE,
    }
    values.update(overrides)
    return RuleSpec(**values)


def agent(user_id: int, short_name: str, open_count: int = 0, **overrides: Any) -> AgentState:
    values: dict[str, Any] = {
        "user_id": user_id,
        "name": short_name,
        "short_name": short_name,
        "department_ids": (FIRST_LINE,),
        "open_count": open_count,
    }
    values.update(overrides)
    return AgentState(**values)


def at(hour: int) -> datetime:
    return datetime(2025, 3, 3, hour, 0, tzinfo=UTC)
