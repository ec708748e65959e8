"""Requests waiting in a group's queue are assigned as capacity frees: by priority, then SLA due time."""

from __future__ import annotations

from datetime import timedelta

from b24app.services.routing import QueueEntry, RequestFacts, work_off_queue

from .factories import agent, at, rule

FACTS = RequestFacts(request_type="support")


def entry(
    request_id: int, priority: str | None, due_hour: int | None = None, queued_hour: int = 8
) -> QueueEntry:
    return QueueEntry(
        request_id=request_id,
        rule_id=101,
        priority=priority,
        due=at(due_hour) if due_hour is not None else None,
        queued_at=at(queued_hour),
        facts=FACTS,
    )


def test_free_places_go_to_higher_priority_first_then_the_nearest_deadline():
    entries = [
        entry(1, "normal", due_hour=9),
        entry(2, "critical", due_hour=15),
        entry(3, "high", due_hour=None),
        entry(4, "high", due_hour=12),
    ]
    agents = [agent(2, "Петров", 8, cap=10), agent(3, "Кузнецова", 9, cap=10)]  # three free places

    assigned = work_off_queue(entries, [rule()], agents, at(13))

    assert [e.request_id for e, _ in assigned] == [2, 4, 3]


def test_each_assignment_counts_towards_the_cap():
    agents = [agent(2, "Петров", 9, cap=10), agent(3, "Кузнецова", 10, cap=10)]

    assigned = work_off_queue([entry(1, "high"), entry(2, "high", queued_hour=9)], [rule()], agents, at(13))

    assert [(e.request_id, d.assignee.short_name) for e, d in assigned] == [(1, "Петров")]


def test_equal_priority_and_deadline_waits_in_arrival_order():
    agents = [agent(2, "Петров", 9, cap=10)]

    assigned = work_off_queue(
        [entry(1, "normal", queued_hour=10), entry(2, "normal", queued_hour=9)], [rule()], agents, at(13)
    )

    assert [e.request_id for e, _ in assigned] == [2]


def test_nothing_is_assigned_while_everyone_is_full():
    agents = [agent(2, "Петров", 10, cap=10)]

    assert work_off_queue([entry(1, "critical")], [rule()], agents, at(13)) == []


def test_assignments_spread_by_load_within_one_run():
    agents = [
        agent(2, "Петров", 5, last_assigned_at=at(9)),
        agent(3, "Кузнецова", 5, last_assigned_at=at(10)),
    ]

    assigned = work_off_queue([entry(1, "high"), entry(2, "high", queued_hour=9)], [rule()], agents, at(13))

    assert [d.assignee.short_name for _, d in assigned] == ["Петров", "Кузнецова"]


def test_a_request_whose_rule_was_deleted_is_decided_again_over_all_rules():
    orphan = QueueEntry(
        7, rule_id=999, priority="normal", due=None, queued_at=at(8) - timedelta(hours=1), facts=FACTS
    )

    assigned = work_off_queue([orphan], [rule(5)], [agent(2, "Петров")], at(13))

    assert assigned[0][1].rule_id == 105
