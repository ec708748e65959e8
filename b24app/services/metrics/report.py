"""The report: FRT, TTR, SLA compliance, CSAT, NPS, repeat contacts, reopen rate, FCR, KB usage, load.

Time-based figures come in business minutes (the portal's calendar, pauses excluded) and calendar
minutes. Definitions follow SERVICEDESK.md §5 word for word; each function says which one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..calendar import BusinessCalendar
from ..sla import Pause, working_minutes
from .facts import Filters, RequestFacts, SurveyFacts

OPEN_STATES = {"new", "in_work", "waiting"}
RESOLVED_STATES = {"resolved", "closed"}


def percentile(values: Sequence[float], share: float) -> float | None:
    """Linear interpolation between closest ranks (the usual definition of p50/p90)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Durations:
    """Minutes in business and calendar time, with the median, the 90th percentile and the count."""

    business_p50: float | None
    business_p90: float | None
    calendar_p50: float | None
    calendar_p90: float | None
    count: int

    @classmethod
    def of(cls, business: list[float], calendar: list[float]) -> Durations:
        return cls(
            percentile(business, 0.5),
            percentile(business, 0.9),
            percentile(calendar, 0.5),
            percentile(calendar, 0.9),
            len(business),
        )


@dataclass
class Report:
    requests: int
    frt: Durations
    frt_within_sla: float | None
    ttr: Durations
    sla_compliance: float | None
    breaches_by_type: dict[str, int]
    breaches_by_group: dict[int, int]
    breaches_by_agent: dict[int, int]
    csat_percent: float | None
    csat_average: float | None
    csat_response_rate: float | None
    nps: float | None
    repeat_contacts: float | None
    reopen_rate: float | None
    fcr: float | None
    kb_usage: float | None
    kb_helpful: float | None
    open_by_agent: dict[int, int] = field(default_factory=dict)
    open_by_group: dict[int, int] = field(default_factory=dict)
    backlog_age_p50_hours: float | None = None
    backlog_age_max_hours: float | None = None


def _calendar_minutes(start: datetime, end: datetime, pauses: Iterable[Pause]) -> float:
    """Elapsed minutes minus the parts of pauses that fall inside [start, end]."""
    total = (end - start).total_seconds()
    for pause in pauses:
        p_end = pause.end or end
        overlap = (min(p_end, end) - max(pause.start, start)).total_seconds()
        total -= max(0.0, overlap)
    return max(0.0, total / 60)


def frt(rows: list[RequestFacts], cal: BusinessCalendar | None) -> tuple[Durations, float | None]:
    """Creation → first public employee reply; share answered by the first-response due time."""
    answered = [r for r in rows if r.first_response_at]
    business = [working_minutes(cal, r.created, r.first_response_at) for r in answered]
    calendar = [(r.first_response_at - r.created).total_seconds() / 60 for r in answered]
    with_due = [r for r in answered if r.first_response_due]
    within = sum(1 for r in with_due if r.first_response_at <= r.first_response_due)
    return Durations.of(business, calendar), share(within, len(with_due))


def ttr(rows: list[RequestFacts], cal: BusinessCalendar | None) -> Durations:
    """Creation → resolved stage, minus pauses (business hours); also in calendar hours."""
    resolved = [r for r in rows if r.resolved_at]
    business = [working_minutes(cal, r.created, r.resolved_at, r.pauses) for r in resolved]
    calendar = [_calendar_minutes(r.created, r.resolved_at, r.pauses) for r in resolved]
    return Durations.of(business, calendar)


def repeat_contacts(rows: list[RequestFacts], history: list[RequestFacts], window_days: int) -> float | None:
    """Share of requests whose client had a request of the same type within the window before it."""
    by_client: dict[tuple[str, str | None], list[datetime]] = defaultdict(list)
    for r in history:
        if r.client_key:
            by_client[(r.client_key, r.request_type)].append(r.created)
    window = timedelta(days=window_days)
    with_client = [r for r in rows if r.client_key]
    repeats = sum(
        1
        for r in with_client
        if any(r.created - window <= t < r.created for t in by_client[(r.client_key, r.request_type)])
    )
    return share(repeats, len(with_client))


def compute(
    facts: Iterable[RequestFacts],
    surveys: Iterable[SurveyFacts] = (),
    kb_signals: Iterable[tuple[int | None, str]] = (),
    *,
    calendar: BusinessCalendar | None,
    filters: Filters | None = None,
    now: datetime,
) -> Report:
    """Every metric over the requests the filters admit (surveys and KB signals of those requests)."""
    filters = filters or Filters()
    history = list(facts)
    rows = [r for r in history if filters.admits(r)]
    ids = {r.id for r in rows}
    answers = [s for s in surveys if s.request_id in ids]
    scored = [s.score for s in answers if s.score is not None]
    nps_answers = [s.nps for s in answers if s.nps is not None]
    resolved = [r for r in rows if r.resolved_at or r.state in RESOLVED_STATES]
    open_rows = [r for r in rows if r.state in OPEN_STATES]
    breached = [r for r in rows if r.breached]
    # «Helped / did not help» of the admitted requests only, like every other figure.
    signals = Counter(signal for request_id, signal in kb_signals if request_id in ids)
    frt_durations, frt_within = frt(rows, calendar)
    ages = [(now - r.created).total_seconds() / 3600 for r in open_rows]
    return Report(
        requests=len(rows),
        frt=frt_durations,
        frt_within_sla=frt_within,
        ttr=ttr(rows, calendar),
        sla_compliance=share(len(rows) - len(breached), len(rows)),
        breaches_by_type=dict(Counter(r.request_type or "—" for r in breached)),
        breaches_by_group=dict(Counter(r.group_id for r in breached if r.group_id is not None)),
        breaches_by_agent=dict(Counter(r.agent_id for r in breached if r.agent_id is not None)),
        csat_percent=share(sum(1 for s in scored if s >= 4), len(scored)),
        csat_average=sum(scored) / len(scored) if scored else None,
        csat_response_rate=share(len(scored), len(answers)),
        nps=(
            (sum(1 for n in nps_answers if n >= 9) - sum(1 for n in nps_answers if n <= 6))
            / len(nps_answers)
            * 100
            if nps_answers
            else None
        ),
        repeat_contacts=repeat_contacts(rows, history, filters.repeat_window_days),
        reopen_rate=share(sum(1 for r in resolved if r.reopened), len(resolved)),
        fcr=share(sum(1 for r in resolved if r.public_replies == 1 and not r.reopened), len(resolved)),
        kb_usage=share(sum(1 for r in resolved if r.kb_inserted), len(resolved)),
        kb_helpful=share(signals["helped"], signals["helped"] + signals["not_helped"]),
        open_by_agent=dict(Counter(r.agent_id for r in open_rows if r.agent_id is not None)),
        open_by_group=dict(Counter(r.group_id for r in open_rows if r.group_id is not None)),
        backlog_age_p50_hours=percentile(ages, 0.5),
        backlog_age_max_hours=max(ages) if ages else None,
    )
