"""Routing decisions over plain data: which rule matches a request, who in the rule's group takes it
(least loaded, round robin or a fixed person), or why it waits in the group's queue, and the
explanation shown in the card."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..i18n import Message, _m
from ..models.routing import Priority, Strategy
from .kb.text import tokens

PRIORITY_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
_NEVER = datetime.min.replace(tzinfo=UTC)
_FAR = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RequestFacts:
    """What the rules look at."""

    request_type: str | None = None
    urgency: str | None = None
    channel: str | None = None
    company_id: int | None = None
    title: str = ""
    description: str = ""


@dataclass(frozen=True)
class RuleSpec:
    id: int
    number: int  # 1-based place in the list, as the admin sees it
    name: str
    group_name: str = ""
    active: bool = True
    request_types: tuple[str, ...] = ()
    urgencies: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    company_ids: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()
    department_id: int | None = None
    user_ids: tuple[int, ...] = ()
    strategy: str = Strategy.LEAST_LOADED
    fixed_user_id: int | None = None
    priority: str | None = None
    sla_policy_code: str | None = None
    rr_cursor: int | None = None


@dataclass(frozen=True)
class AgentState:
    user_id: int
    name: str
    short_name: str = ""
    department_ids: tuple[int, ...] = ()
    active: bool = True
    available: bool = True
    cap: int = 10
    open_count: int = 0  # open requests whose SLA clock runs (new, in work)
    last_assigned_at: datetime | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name or f"#{self.user_id}"


@dataclass(frozen=True)
class Decision:
    rule_id: int | None
    group_id: int | None
    assignee: AgentState | None
    queued: bool
    priority: str | None
    sla_policy_code: str | None
    explanation: Message  # kept as data and shown in the reader's language (b24app.i18n.render)
    rr_cursor: int | None = None  # the rule's new round-robin cursor, when it moved


@dataclass(frozen=True)
class QueueEntry:
    request_id: int
    rule_id: int | None
    priority: str | None
    due: datetime | None
    queued_at: datetime | None
    facts: RequestFacts = RequestFacts()


def phrase_terms(text: str) -> tuple[str, ...]:
    """Stems of a keyword or a text, case- and ё-insensitive; short words such as «не» are kept."""
    return tuple(token.term for token in tokens(text, keep_stop_words=True))


def contains_phrase(text_terms: Sequence[str], phrase: Sequence[str]) -> bool:
    """The phrase's stems appear in the text one after another («не срочно» is not «не … срочно»)."""
    if not phrase:
        return False
    width = len(phrase)
    first = phrase[0]
    return any(
        term == first and tuple(text_terms[i : i + width]) == tuple(phrase)
        for i, term in enumerate(text_terms)
    )


def keyword_matches(keywords: Iterable[str], text: str) -> str | None:
    """The first keyword (a word or a phrase) found in the text."""
    present = phrase_terms(text)
    for keyword in keywords:
        if contains_phrase(present, phrase_terms(keyword)):
            return keyword
    return None


def rule_matches(rule: RuleSpec, facts: RequestFacts) -> bool:
    if not rule.active:
        return False
    if rule.request_types and facts.request_type not in rule.request_types:
        return False
    if rule.urgencies and facts.urgency not in rule.urgencies:
        return False
    if rule.channels and facts.channel not in rule.channels:
        return False
    if rule.company_ids and facts.company_id not in rule.company_ids:
        return False
    text = f"{facts.title}\n{facts.description}"
    return not rule.keywords or keyword_matches(rule.keywords, text) is not None


def first_match(rules: Sequence[RuleSpec], facts: RequestFacts) -> RuleSpec | None:
    for rule in sorted(rules, key=lambda r: r.number):
        if rule_matches(rule, facts):
            return rule
    return None


def members(rule: RuleSpec, agents: Iterable[AgentState]) -> list[AgentState]:
    if rule.department_id is not None:
        return [a for a in agents if rule.department_id in a.department_ids]
    wanted = set(rule.user_ids)
    return [a for a in agents if a.user_id in wanted]


def open_requests(count: int) -> Message:
    """«1 открытое», «3 открытых», «11 открытых» (Russian agrees the word with the number)."""
    if count % 10 == 1 and count % 100 != 11:
        return _m("%(count)s открытое", count=count)
    return _m("%(count)s открытых", count=count)


def priority_of(rule: RuleSpec, facts: RequestFacts) -> str:
    """The rule's priority when it sets one, else the urgency the client gave, else normal."""
    if rule.priority:
        return rule.priority
    return facts.urgency if facts.urgency in PRIORITY_RANK else Priority.NORMAL


def decide(facts: RequestFacts, rules: Sequence[RuleSpec], agents: Sequence[AgentState]) -> Decision:
    """Rules top to bottom, first match wins; the matching rule's strategy picks the person."""
    rule = first_match(rules, facts)
    if rule is None:
        return Decision(
            None, None, None, False, None, None, _m("Ни одно правило не подошло: ответственный не изменён")
        )
    return decide_with(rule, facts, agents)


def decide_with(rule: RuleSpec, facts: RequestFacts, agents: Sequence[AgentState]) -> Decision:
    """Pick the person for a request by one rule (also used when the queue is worked off)."""
    group = members(rule, agents)
    eligible = [a for a in group if a.active and a.available]
    head = _m(
        "Правило %(number)s: %(name)s → %(group)s",
        number=rule.number,
        name=rule.name,
        group=rule.group_name or _group_fallback(rule),
    )
    priority = priority_of(rule, facts)
    base = Decision(
        rule.id, rule.department_id, None, True, priority, rule.sla_policy_code, {"m": "", "a": {}}
    )

    if rule.strategy == Strategy.FIXED:
        # The person named by the rule, whether or not the rule also names a group.
        person = next(
            (a for a in agents if a.user_id == rule.fixed_user_id and a.active and a.available), None
        )
        if person is None:
            return replace(
                base,
                explanation=_m(
                    "%(head)s: закреплённый сотрудник недоступен, обращение ждёт в очереди", head=head
                ),
            )
        return replace(
            base,
            assignee=person,
            queued=False,
            explanation=_m("%(head)s, закреплённый сотрудник: %(person)s", head=head, person=person.label),
        )

    if not eligible:
        return replace(
            base,
            explanation=_m(
                "%(head)s: нет доступных сотрудников, обращение ждёт в очереди группы",
                head=head,
            ),
        )
    below_cap = [a for a in eligible if a.open_count < a.cap]
    if not below_cap:
        return replace(
            base,
            explanation=_m(
                "%(head)s: все сотрудники на пределе нагрузки, обращение ждёт в очереди группы", head=head
            ),
        )

    if rule.strategy == Strategy.ROUND_ROBIN:
        ordered = sorted(below_cap, key=lambda a: a.user_id)
        after = [a for a in ordered if rule.rr_cursor is not None and a.user_id > rule.rr_cursor]
        person = (after or ordered)[0]
        return replace(
            base,
            assignee=person,
            queued=False,
            rr_cursor=person.user_id,
            explanation=_m("%(head)s, по очереди: %(person)s", head=head, person=person.label),
        )

    person = min(below_cap, key=lambda a: (a.open_count, a.last_assigned_at or _NEVER, a.user_id))
    return replace(
        base,
        assignee=person,
        queued=False,
        explanation=_m(
            "%(head)s, наименее загруженный: %(person)s (%(load)s)",
            head=head,
            person=person.label,
            load=open_requests(person.open_count),
        ),
    )


def _group_fallback(rule: RuleSpec) -> Message:
    if rule.department_id is not None:
        return _m("отдел #%(id)s", id=rule.department_id)
    return _m("список сотрудников")


def queue_key(entry: QueueEntry) -> tuple:
    """Priority first, then the nearest SLA deadline (none: last), then who waited longest."""
    return (
        PRIORITY_RANK.get(entry.priority or "", len(PRIORITY_RANK)),
        entry.due or _FAR,
        entry.queued_at or _FAR,
        entry.request_id,
    )


def work_off_queue(
    entries: Sequence[QueueEntry], rules: Sequence[RuleSpec], agents: Sequence[AgentState], now: datetime
) -> list[tuple[QueueEntry, Decision]]:
    """Assign waiting requests as capacity allows, in queue order; each assignment adds to the load.

    A request whose rule is gone is decided again over all rules. Returns only the assigned ones.
    """
    by_id = {r.id: r for r in rules}
    state = {a.user_id: a for a in agents}
    assigned: list[tuple[QueueEntry, Decision]] = []
    cursors: dict[int, int | None] = {}
    for entry in sorted(entries, key=queue_key):
        rule = by_id.get(entry.rule_id) if entry.rule_id is not None else None
        if rule is not None and rule.id in cursors:
            rule = replace(rule, rr_cursor=cursors[rule.id])
        current = list(state.values())
        decision = decide_with(rule, entry.facts, current) if rule else decide(entry.facts, rules, current)
        if decision.assignee is None:
            continue
        person = decision.assignee
        state[person.user_id] = replace(person, open_count=person.open_count + 1, last_assigned_at=now)
        if decision.rr_cursor is not None and decision.rule_id is not None:
            cursors[decision.rule_id] = decision.rr_cursor
        assigned.append((entry, decision))
    return assigned
