"""Who gets a request, and the explanation the card shows."""

from __future__ import annotations

from b24app.i18n import render, store
from b24app.models.routing import Strategy
from b24app.services.routing import RequestFacts, decide, keyword_matches

from .factories import FIRST_LINE, WARRANTY, agent, at, rule

SUPPORT_HIGH = RequestFacts(request_type="support", urgency="high", title="Станок не включается")


def test_first_matching_rule_wins_even_if_a_later_one_also_matches():
    rules = [
        rule(
            1,
            name="Гарантийный случай",
            request_types=("warranty",),
            department_id=WARRANTY,
            group_name="Гарантия",
        ),
        rule(2, name="Техподдержка срочно", request_types=("support",), urgencies=("high", "critical")),
        rule(3, name="Техподдержка", request_types=("support",)),
    ]
    agents = [agent(2, "Петров"), agent(5, "Волкова", department_ids=(WARRANTY,))]

    decision = decide(SUPPORT_HIGH, rules, agents)

    assert decision.rule_id == 102
    assert decision.assignee.user_id == 2


def test_rules_are_read_in_the_admins_order_not_the_listing_order():
    rules = [
        rule(2, name="Все", department_id=WARRANTY),
        rule(1, name="Техподдержка", request_types=("support",)),
    ]
    agents = [agent(2, "Петров"), agent(5, "Волкова", department_ids=(WARRANTY,))]

    assert decide(SUPPORT_HIGH, rules, agents).assignee.user_id == 2


def test_least_loaded_picks_the_agent_with_fewest_running_requests():
    agents = [agent(2, "Петров", 3), agent(3, "Кузнецова", 1), agent(4, "Соколов", 2)]

    decision = decide(SUPPORT_HIGH, [rule()], agents)

    assert decision.assignee.short_name == "Кузнецова"
    assert not decision.queued


def test_tie_goes_to_the_agent_who_got_a_request_longest_ago():
    agents = [
        agent(2, "Петров", 1, last_assigned_at=at(10)),
        agent(3, "Кузнецова", 1, last_assigned_at=at(9)),
        agent(4, "Соколов", 1, last_assigned_at=at(11)),
    ]

    assert decide(SUPPORT_HIGH, [rule()], agents).assignee.short_name == "Кузнецова"


def test_an_agent_who_never_got_a_request_wins_a_tie():
    agents = [agent(2, "Петров", 0, last_assigned_at=at(8)), agent(4, "Соколов", 0)]

    assert decide(SUPPORT_HIGH, [rule()], agents).assignee.short_name == "Соколов"


def test_unavailable_and_inactive_agents_get_nothing():
    agents = [
        agent(2, "Петров", 0, available=False),
        agent(3, "Кузнецова", 0, active=False),
        agent(4, "Соколов", 7),
    ]

    assert decide(SUPPORT_HIGH, [rule()], agents).assignee.short_name == "Соколов"


def test_agents_at_their_cap_are_skipped():
    agents = [agent(2, "Петров", 2, cap=2), agent(3, "Кузнецова", 5, cap=10)]

    assert decide(SUPPORT_HIGH, [rule()], agents).assignee.short_name == "Кузнецова"


def test_when_everyone_is_at_the_cap_the_request_waits_in_the_group_queue():
    agents = [agent(2, "Петров", 10), agent(3, "Кузнецова", 3, cap=3)]

    decision = decide(SUPPORT_HIGH, [rule(name="Техподдержка")], agents)

    assert decision.assignee is None
    assert decision.queued
    assert decision.group_id == FIRST_LINE
    assert "очереди группы" in render(decision.explanation)
    assert "на пределе нагрузки" in render(decision.explanation)


def test_a_group_with_nobody_available_queues_the_request():
    decision = decide(SUPPORT_HIGH, [rule()], [agent(2, "Петров", available=False)])

    assert decision.queued and decision.assignee is None
    assert "нет доступных сотрудников" in render(decision.explanation)


def test_round_robin_continues_after_the_last_person_and_wraps_around():
    agents = [agent(2, "Петров", 5), agent(3, "Кузнецова", 0), agent(4, "Соколов", 9)]
    rr = rule(strategy=Strategy.ROUND_ROBIN, rr_cursor=3)

    first = decide(SUPPORT_HIGH, [rr], agents)
    second = decide(SUPPORT_HIGH, [rule(strategy=Strategy.ROUND_ROBIN, rr_cursor=first.rr_cursor)], agents)

    assert first.assignee.short_name == "Соколов"  # ignores load: it is a turn
    assert second.assignee.short_name == "Петров"
    assert "по очереди: Соколов" in render(first.explanation)


def test_fixed_person_gets_the_request_whatever_their_load():
    agents = [agent(2, "Петров", 15), agent(3, "Кузнецова", 0)]

    decision = decide(SUPPORT_HIGH, [rule(strategy=Strategy.FIXED, fixed_user_id=2)], agents)

    assert decision.assignee.short_name == "Петров"
    assert "закреплённый сотрудник: Петров" in render(decision.explanation)


def test_a_fixed_person_outside_the_rules_group_or_with_no_group_still_gets_the_request():
    agents = [agent(2, "Петров", 0), agent(9, "Орлова", 3, department_ids=(WARRANTY,))]

    in_other_group = decide(SUPPORT_HIGH, [rule(strategy=Strategy.FIXED, fixed_user_id=9)], agents)
    no_group = decide(
        SUPPORT_HIGH, [rule(strategy=Strategy.FIXED, fixed_user_id=9, department_id=None)], agents
    )

    assert in_other_group.assignee.short_name == "Орлова" and not in_other_group.queued
    assert no_group.assignee.short_name == "Орлова"


def test_an_unavailable_fixed_person_leaves_the_request_queued():
    agents = [agent(2, "Петров", available=False), agent(3, "Кузнецова")]

    decision = decide(SUPPORT_HIGH, [rule(strategy=Strategy.FIXED, fixed_user_id=2)], agents)

    assert decision.queued and decision.assignee is None


def test_a_list_of_users_can_be_the_target_group():
    agents = [agent(2, "Петров", 0), agent(7, "Новикова", 1, department_ids=(4,))]

    decision = decide(SUPPORT_HIGH, [rule(department_id=None, user_ids=(7,), group_name="")], agents)

    assert decision.assignee.short_name == "Новикова"


def test_explanation_names_the_rule_group_strategy_person_and_load():
    rules = [
        rule(1, name="Гарантийный случай", request_types=("warranty",), department_id=WARRANTY),
        rule(
            2,
            name="Техническая поддержка + высокая срочность",
            request_types=("support",),
            urgencies=("high",),
        ),
    ]
    agents = [agent(2, "Петров", 3), agent(3, "Кузнецова", 4)]

    decision = decide(SUPPORT_HIGH, rules, agents)

    assert render(decision.explanation) == (
        "Правило 2: Техническая поддержка + высокая срочность → Инженеры 1 линии, "
        "наименее загруженный: Петров (3 открытых)"
    )


def test_explanation_agrees_in_number():
    decision = decide(SUPPORT_HIGH, [rule()], [agent(2, "Петров", 1)])

    assert render(decision.explanation).endswith("Петров (1 открытое)")


def test_no_matching_rule_changes_nothing_and_says_so():
    decision = decide(SUPPORT_HIGH, [rule(request_types=("warranty",))], [agent(2, "Петров")])

    assert decision.rule_id is None and decision.assignee is None and not decision.queued
    assert "Ни одно правило не подошло" in render(decision.explanation)


def test_inactive_rule_is_skipped():
    rules = [rule(1, name="Выключено", active=False, department_id=WARRANTY), rule(2)]
    agents = [agent(2, "Петров"), agent(5, "Волкова", department_ids=(WARRANTY,))]

    assert decide(SUPPORT_HIGH, rules, agents).rule_id == 102


def test_rule_priority_wins_over_urgency_and_urgency_is_the_fallback():
    agents = [agent(2, "Петров")]

    assert decide(SUPPORT_HIGH, [rule(priority="critical")], agents).priority == "critical"
    assert decide(SUPPORT_HIGH, [rule()], agents).priority == "high"
    assert decide(RequestFacts(request_type="support"), [rule()], agents).priority == "normal"


def test_channel_and_company_conditions():
    agents = [agent(2, "Петров")]
    facts = RequestFacts(request_type="support", channel="email", company_id=17)

    assert decide(facts, [rule(channels=("phone",))], agents).rule_id is None
    assert decide(facts, [rule(channels=("email",), company_ids=(17,))], agents).rule_id == 101
    assert decide(facts, [rule(company_ids=(18,))], agents).rule_id is None


def test_keywords_match_word_forms_case_and_yo_in_title_and_description():
    assert keyword_matches(["течь масла"], "Гидростанция: ТЕЧИ МАСЛА из-под уплотнения") == "течь масла"
    assert keyword_matches(["ёмкость"], "Треснула емкость ресивера") == "ёмкость"
    assert keyword_matches(["не включается"], "Станок не включился, а потом включается") is None
    assert keyword_matches(["гарантия"], "Просим ремонт по гарантии") == "гарантия"

    facts = RequestFacts(title="Компрессор", description="Стоит линия из-за компрессора")
    agents = [agent(2, "Петров")]
    assert decide(facts, [rule(keywords=("стоит линия",))], agents).rule_id == 101
    assert decide(facts, [rule(keywords=("перегрев",))], agents).rule_id is None


def test_explanation_is_kept_as_data_and_shown_in_the_readers_language(app):
    decision = decide(SUPPORT_HIGH, [rule()], [agent(2, "Петров", 1)])
    kept = store(decision.explanation)
    with app.test_request_context("/?LANG=en"):
        english = render(kept)
    with app.test_request_context("/"):
        russian = render(kept)
    assert russian == render(decision.explanation)
    assert english.startswith("Rule 1: ") and english.endswith("least loaded: Петров (1 open)")
    assert russian.startswith("Правило 1: ") and russian.endswith("наименее загруженный: Петров (1 открытое)")
    assert render("Правило 1: старый текст") == "Правило 1: старый текст"  # stored before, shown as is
