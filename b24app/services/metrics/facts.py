"""What the metrics read about each request: a flat record built from the mirror and its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..sla import Pause


@dataclass(frozen=True)
class RequestFacts:
    id: int
    created: datetime
    state: str
    request_type: str | None = None
    group_id: int | None = None
    agent_id: int | None = None
    channel: str | None = None
    client_key: str | None = None  # company or contact: who asked
    first_response_at: datetime | None = None
    first_response_due: datetime | None = None
    resolved_at: datetime | None = None
    pauses: tuple[Pause, ...] = ()
    breached: bool = False  # any SLA target breached
    reopened: int = 0
    public_replies: int = 0
    kb_inserted: bool = False


@dataclass(frozen=True)
class SurveyFacts:
    request_id: int
    score: int | None = None  # 1..5, None while unanswered
    nps: int | None = None  # 0..10, optional question


@dataclass(frozen=True)
class Filters:
    start: datetime | None = None  # requests created in [start, end)
    end: datetime | None = None
    request_type: str | None = None
    group_id: int | None = None
    agent_id: int | None = None
    channel: str | None = None
    repeat_window_days: int = 14
    extra: dict[str, str] = field(default_factory=dict)

    def admits(self, facts: RequestFacts) -> bool:
        return (
            (self.start is None or facts.created >= self.start)
            and (self.end is None or facts.created < self.end)
            and (self.request_type is None or facts.request_type == self.request_type)
            and (self.group_id is None or facts.group_id == self.group_id)
            and (self.agent_id is None or facts.agent_id == self.agent_id)
            and (self.channel is None or facts.channel == self.channel)
        )
