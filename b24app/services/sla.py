"""SLA clocks: deadlines and spent working minutes, with paused time (waiting for the client) left out.

Times are aware datetimes; the clock has minute granularity, so seconds are truncated everywhere.
A calendar of None means calendar hours (around the clock).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .calendar import (
    FOREVER,
    BusinessCalendar,
    Span,
    consume_spans,
    from_epoch,
    measure_spans,
    to_epoch_minute,
    working_spans,
)


@dataclass(frozen=True, slots=True)
class Pause:
    """Time the clock stood still (waiting for the client, resolved, closed); no end while it lasts."""

    start: datetime
    end: datetime | None = None


def pause_spans(pauses: Iterable[Pause], until: datetime | None = None) -> list[Span]:
    """Pauses as sorted, merged epoch-second spans; an open pause ends at `until`, or never."""
    limit = FOREVER if until is None else to_epoch_minute(until)
    raw = []
    for pause in pauses:
        start = to_epoch_minute(pause.start)
        end = limit if pause.end is None else min(to_epoch_minute(pause.end), limit)
        if end > start:
            raw.append((start, end))
    raw.sort()
    merged: list[Span] = []
    for start, end in raw:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def without_pauses(spans: Iterable[Span], holes: list[Span]) -> Iterator[Span]:
    """The spans with the holes cut out; stops at a hole that never ends."""
    first = 0
    for start, end in spans:
        while first < len(holes) and holes[first][1] <= start:
            first += 1
        index = first
        while index < len(holes) and holes[index][0] < end:
            hole_start, hole_end = holes[index]
            if hole_start > start:
                yield (start, hole_start)
            start = max(start, hole_end)
            if start >= FOREVER:
                return
            if start >= end:
                break
            index += 1
        if start < end:
            yield (start, end)


def clock_spans(cal: BusinessCalendar | None, start: int, holes: list[Span]) -> Iterator[Span]:
    """Time on the SLA clock from `start`: working time minus pauses, as epoch-second spans."""
    spans = working_spans(cal, start)
    return without_pauses(spans, holes) if holes else spans


def deadline(
    cal: BusinessCalendar | None, start: datetime, minutes: int, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """When `minutes` of working time after `start` run out, pauses skipped.

    None only when an open pause (no end yet) begins before the budget runs out: the due time then
    depends on when the clock resumes.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    begin = to_epoch_minute(start)
    due = consume_spans(clock_spans(cal, begin, pause_spans(pauses)), minutes * 60)
    return None if due is None else from_epoch(due)


def working_minutes(
    cal: BusinessCalendar | None, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> int:
    """Working minutes on the clock from `start` to `end`, pauses left out; 0 if `end` is not later."""
    begin, finish = to_epoch_minute(start), to_epoch_minute(end)
    if finish <= begin:
        return 0
    return measure_spans(clock_spans(cal, begin, pause_spans(pauses)), finish) // 60


# Evaluating a request against its policy.


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"


@dataclass(frozen=True, slots=True)
class SlaTargets:
    """Target minutes per clock; None means the policy sets no target for it."""

    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    targets: SlaTargets
    business_hours: bool = True
    warning_share: float = 0.8


@dataclass(frozen=True, slots=True)
class RequestTimeline:
    """What happened to a request so far; `created_at` is the item's createdTime in Bitrix24.

    `first_response_at` and `last_reply_at` are public employee replies (not internal notes or automatic
    messages); `pauses` cover the time in waiting-for-client, resolved and closed stages.
    """

    created_at: datetime
    first_response_at: datetime | None = None
    last_client_message_at: datetime | None = None
    last_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    pauses: tuple[Pause, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """One clock: when it started and is due, how much of it is spent, and its state.

    `due_at` is None while the clock is paused: it depends on when the clock resumes.
    """

    target_minutes: int
    started_at: datetime
    due_at: datetime | None
    spent_minutes: int
    state: SlaState
    done_at: datetime | None = None

    @property
    def remaining_minutes(self) -> int:
        """Working minutes left; negative once over the target."""
        return self.target_minutes - self.spent_minutes

    @property
    def over_minutes(self) -> int:
        return max(0, self.spent_minutes - self.target_minutes)


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """A request's SLA at one moment; `state` is breached once any target was breached.

    `nearest` names the open target with the least working time left, for the card's countdown.
    """

    first_response: TargetStatus | None
    next_response: TargetStatus | None
    resolution: TargetStatus | None
    state: SlaState
    nearest: str | None
    nearest_due_at: datetime | None
    remaining_minutes: int | None

    def targets(self) -> dict[str, TargetStatus]:
        named = {
            "first_response": self.first_response,
            "next_response": self.next_response,
            "resolution": self.resolution,
        }
        return {name: status for name, status in named.items() if status is not None}


def evaluate(
    policy: SlaPolicy, calendar: BusinessCalendar | None, timeline: RequestTimeline, now: datetime
) -> SlaStatus:
    """The SLA of a request at `now`: due times, spent minutes and state per target and overall."""
    cal = calendar if policy.business_hours else None
    # What happens after `now` is unknown: a pause still open ends now for the purpose of measuring.
    holes = pause_spans(timeline.pauses, until=now)
    paused_now = any(p.start <= now and (p.end is None or p.end > now) for p in timeline.pauses)
    clock = _Clock(cal, holes, to_epoch_minute(now), paused_now, policy.warning_share)
    targets = policy.targets

    first = None
    if targets.first_response is not None:
        first = clock.status(targets.first_response, timeline.created_at, timeline.first_response_at)

    following = None
    if targets.next_response is not None:
        asked = timeline.last_client_message_at or timeline.created_at
        replies = [t for t in (timeline.first_response_at, timeline.last_reply_at) if t is not None]
        answer = max(replies) if replies and max(replies) >= asked else None
        following = clock.status(targets.next_response, asked, answer)

    resolution = None
    if targets.resolution is not None:
        resolution = clock.status(targets.resolution, timeline.created_at, timeline.resolved_at)

    statuses = {"first_response": first, "next_response": following, "resolution": resolution}
    open_ones = {n: s for n, s in statuses.items() if s is not None and s.done_at is None}
    nearest = min(open_ones, key=lambda name: open_ones[name].remaining_minutes, default=None)
    return SlaStatus(
        first_response=first,
        next_response=following,
        resolution=resolution,
        state=_overall([s for s in statuses.values() if s is not None]),
        nearest=nearest,
        nearest_due_at=open_ones[nearest].due_at if nearest else None,
        remaining_minutes=open_ones[nearest].remaining_minutes if nearest else None,
    )


@dataclass(frozen=True, slots=True)
class _Clock:
    cal: BusinessCalendar | None
    holes: list[Span]
    now: int
    paused_now: bool
    warning_share: float

    def status(self, target: int, started_at: datetime, done_at: datetime | None) -> TargetStatus:
        begin = to_epoch_minute(started_at)
        finish = to_epoch_minute(done_at) if done_at is not None else self.now
        spent = measure_spans(clock_spans(self.cal, begin, self.holes), finish) // 60 if finish > begin else 0
        if done_at is None and self.paused_now and spent < target:
            return TargetStatus(target, started_at, None, spent, SlaState.PAUSED)
        due = consume_spans(clock_spans(self.cal, begin, self.holes), target * 60)
        due_at = from_epoch(due) if due is not None else None
        if done_at is not None:
            state = SlaState.MET if spent <= target else SlaState.BREACHED
        elif spent >= target:
            state = SlaState.BREACHED
        elif spent >= target * self.warning_share:
            state = SlaState.WARNING
        else:
            state = SlaState.ON_TRACK
        return TargetStatus(target, started_at, due_at, spent, state, done_at)


_SEVERITY = (SlaState.BREACHED, SlaState.PAUSED, SlaState.WARNING, SlaState.ON_TRACK, SlaState.MET)


def _overall(statuses: list[TargetStatus]) -> SlaState:
    states = {status.state for status in statuses}
    return next((state for state in _SEVERITY if state in states), SlaState.MET)
