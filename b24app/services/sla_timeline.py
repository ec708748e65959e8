"""A request's SLA timeline built from its recorded history: when the clock started, stood still,
was answered and resolved. Pure: takes the events, returns a RequestTimeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from ..models import EventKind, RequestState
from .sla import Pause, RequestTimeline

# States in which the SLA clock stands still (SERVICEDESK §1).
PAUSED_STATES = frozenset(
    {RequestState.WAITING, RequestState.RESOLVED, RequestState.CLOSED, RequestState.CANCELLED}
)
DONE_STATES = frozenset({RequestState.RESOLVED, RequestState.CLOSED})


class HistoryEvent(Protocol):
    kind: str
    at: datetime
    to_state: str | None


def build_timeline(
    created_at: datetime,
    events: Iterable[HistoryEvent],
    current_state: str | None = None,
    moved_at: datetime | None = None,
) -> RequestTimeline:
    """The timeline of events sorted by time.

    A `reopened` event resumes the clock (the request is back in work from that moment), and the
    resolution clock with it: `resolved_at` is the entry into resolved/closed after the last reopen.
    `current_state` (the mirror's) covers a stage change whose event was lost, when `moved_at` is later
    than the last recorded change: the pause or the resolution then starts at `moved_at`.
    """
    state: str = RequestState.NEW
    changed_at: datetime | None = None
    paused_since: datetime | None = None
    pauses: list[Pause] = []
    first_response = last_reply = last_client = resolved = None

    def enter(new_state: str, at: datetime) -> None:
        nonlocal state, changed_at, paused_since, resolved
        at = max(at, created_at)
        changed_at = at
        if new_state in PAUSED_STATES and paused_since is None:
            paused_since = at
        elif new_state not in PAUSED_STATES and paused_since is not None:
            pauses.append(Pause(paused_since, at))
            paused_since = None
        if new_state in DONE_STATES and resolved is None:
            resolved = at
        elif new_state not in DONE_STATES:
            resolved = None
        state = new_state

    for event in events:
        if event.kind == EventKind.CREATED and event.to_state:
            enter(event.to_state, created_at)
        elif event.kind == EventKind.STAGE_CHANGED and event.to_state:
            enter(event.to_state, event.at)
        elif event.kind == EventKind.REOPENED:
            enter(RequestState.IN_WORK, event.at)
        elif event.kind == EventKind.PUBLIC_REPLY:
            reply_at = max(event.at, created_at)
            first_response = first_response or reply_at
            last_reply = reply_at
        elif event.kind == EventKind.CLIENT_MESSAGE:
            last_client = max(event.at, created_at)

    # The mirror's state wins only when it is newer than the history (its stage event was lost).
    mirror_at = moved_at or created_at
    if current_state not in (None, state) and (changed_at is None or mirror_at > changed_at):
        enter(current_state, mirror_at)
    if paused_since is not None:
        pauses.append(Pause(paused_since))
    return RequestTimeline(
        created_at=created_at,
        first_response_at=first_response,
        last_client_message_at=last_client,
        last_reply_at=last_reply,
        resolved_at=resolved,
        pauses=tuple(pauses),
    )


def last_entry_into(events: Iterable[HistoryEvent], states: frozenset[str]) -> datetime | None:
    """When the request last entered one of the states (by stage change or creation)."""
    found = None
    for event in events:
        if event.kind in (EventKind.CREATED, EventKind.STAGE_CHANGED) and event.to_state in states:
            found = event.at
        elif event.kind in (EventKind.STAGE_CHANGED, EventKind.REOPENED) and found is not None:
            found = None
    return found
