"""The escalation tick: find running SLA clocks past their warning, breach or second-level moment,
claim each level once (across workers and ticks) and act on it.

The selection reads only the stored schedule (an indexed range on `sla_escalation.next_at`), never
recomputes a request; a level whose notifications must wait for working hours is left unclaimed.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select, update

from ..bitrix.errors import B24Error
from ..extensions import db
from ..models import ServiceRequest, SlaEscalation, SlaPolicyRecord
from .calendar import is_working_time
from .sla_policies import CalendarCache
from .sla_timeline import PAUSED_STATES

log = logging.getLogger(__name__)

WARNING, BREACH, SECOND_LEVEL = 1, 2, 3
LEVEL_NAMES = {WARNING: "warning", BREACH: "breach", SECOND_LEVEL: "second_level"}
# One tick handles at most this many requests; the rest wait for the next minute.
TICK_LIMIT = 500


@dataclass(frozen=True)
class DueClock:
    """One row of the selection: a request whose next escalation moment has passed."""

    request_id: int
    b24_id: int
    title: str
    level: int
    episode: str
    policy_id: int | None
    warning_at: datetime | None
    breach_at: datetime | None
    second_at: datetime | None
    assigned_by_id: int | None
    urgency: str | None
    priority: str | None

    def due_level(self, now: datetime) -> int:
        moments = ((SECOND_LEVEL, self.second_at), (BREACH, self.breach_at), (WARNING, self.warning_at))
        return next((lvl for lvl, at in moments if at is not None and at <= now), 0)

    def next_after(self, level: int) -> datetime | None:
        moments = {WARNING: self.warning_at, BREACH: self.breach_at, SECOND_LEVEL: self.second_at}
        return min((at for lvl, at in moments.items() if lvl > level and at is not None), default=None)


@dataclass(frozen=True)
class Decision:
    clock: DueClock
    level: int  # the level to claim

    @property
    def actions(self) -> list[str]:
        """What the level does; a breach found without a warning first skips the stale warning."""
        if self.level == WARNING:
            return ["notify_responsible"]
        done = []
        if self.clock.level < BREACH:
            done += ["raise_priority", "add_head_observer", "notify_responsible", "notify_head", "comment"]
        if self.level == SECOND_LEVEL:
            done += ["notify_service_manager"]
        return done


@dataclass
class TickReport:
    selected: int = 0
    claimed: list[Decision] = field(default_factory=list)
    deferred: int = 0  # outside working hours
    lost_claims: int = 0  # another worker claimed first
    actions: Counter = field(default_factory=Counter)


def due_clocks(portal_id: int, now: datetime, limit: int | None = TICK_LIMIT) -> list[DueClock]:
    r, e = ServiceRequest, SlaEscalation
    query = (
        select(
            e.request_id,
            r.b24_id,
            r.title,
            r.escalation_level,
            e.episode,
            e.policy_id,
            e.warning_at,
            e.breach_at,
            e.second_at,
            r.assigned_by_id,
            r.urgency,
            r.priority,
        )
        .join(r, r.id == e.request_id)
        .where(e.portal_id == portal_id, e.next_at <= now, r.deleted.is_(False))
        .where(r.state.not_in(PAUSED_STATES))
        .order_by(e.next_at)
    )
    if limit:
        query = query.limit(limit)
    return [DueClock(*row) for row in db.session.execute(query)]


def decide(
    portal_id: int, clocks: list[DueClock], now: datetime, report: TickReport
) -> tuple[list[Decision], list[DueClock]]:
    """Levels to claim now, and clocks whose stored next moment is stale (already past their level)."""
    policies = {
        p.id: p
        for p in db.session.scalars(select(SlaPolicyRecord).where(SlaPolicyRecord.portal_id == portal_id))
    }
    calendars = CalendarCache(portal_id)
    working: dict[int | None, bool] = {}
    decisions, stale = [], []
    for clock in clocks:
        level = clock.due_level(now)
        if level <= clock.level:
            stale.append(clock)
            continue
        policy = policies.get(clock.policy_id)
        if policy is None or policy.notify_in_working_hours_only:
            calendar_id = policy.calendar_id if policy else None
            if calendar_id not in working:
                cal = calendars.get(calendar_id)
                working[calendar_id] = cal is None or is_working_time(cal, now)
            if not working[calendar_id]:
                report.deferred += 1
                continue
        decisions.append(Decision(clock, level))
    return decisions, stale


def claim(decision: Decision) -> bool:
    """Take the level for this worker: true only for the one UPDATE that changed the row."""
    clock = decision.clock
    same_clock = exists().where(
        SlaEscalation.request_id == clock.request_id, SlaEscalation.episode == clock.episode
    )
    result = db.session.execute(
        update(ServiceRequest)
        .where(
            ServiceRequest.id == clock.request_id,
            ServiceRequest.escalation_level < decision.level,
            same_clock,
        )
        .values(escalation_level=decision.level)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.execute(
        update(SlaEscalation)
        .where(SlaEscalation.request_id == clock.request_id)
        .values(next_at=clock.next_after(decision.level))
        .execution_options(synchronize_session=False)
    )
    return True


def plan_tick(
    portal_id: int, now: datetime, limit: int | None = TICK_LIMIT
) -> tuple[TickReport, list[Decision]]:
    """Selection and decisions only (no claims, no REST): what a tick would do."""
    report = TickReport()
    clocks = due_clocks(portal_id, now, limit)
    report.selected = len(clocks)
    decisions, stale = decide(portal_id, clocks, now, report)
    for clock in stale:
        db.session.execute(
            update(SlaEscalation)
            .where(SlaEscalation.request_id == clock.request_id)
            .values(next_at=clock.next_after(clock.level))
            .execution_options(synchronize_session=False)
        )
    for decision in decisions:
        report.actions.update(decision.actions)
    return report, decisions


def run_tick(
    portal_id: int,
    now: datetime,
    act: Callable[[Decision], None] | None = None,
    limit: int | None = TICK_LIMIT,
) -> TickReport:
    """One tick for a portal: claim due levels (each committed before acting), then act on them."""
    report, decisions = plan_tick(portal_id, now, limit)
    report.actions.clear()
    db.session.commit()
    for decision in decisions:
        if not claim(decision):
            db.session.rollback()
            report.lost_claims += 1
            continue
        db.session.commit()
        report.claimed.append(decision)
        report.actions.update(decision.actions)
        if act is None:
            continue
        try:
            act(decision)
        except B24Error as exc:
            # The level stays claimed: escalating twice is worse than a notification lost to an outage.
            log.warning("portal %s: escalating request %s failed: %s", portal_id, decision.clock.b24_id, exc)
        db.session.commit()
    return report
