"""Proposal of type and urgency from a request's text, with a confidence that decides auto-apply."""

from __future__ import annotations

from b24app.services.triage import LabelledText, Triage

HISTORY = [
    LabelledText(
        "Гарантийный ремонт гидростанции ГС-250. Течь масла, оборудование на гарантии", "warranty", "normal"
    ),
    LabelledText("Гидростанция ГС-100 на гарантии, течь из-под уплотнения", "warranty", "normal"),
    LabelledText("Просим гарантийный ремонт компрессора КВ-15, куплен весной", "warranty", "normal"),
    LabelledText("Замена по гарантии: преобразователь ПЧ-75 сгорел", "warranty", "high"),
    LabelledText("Гарантийный случай: станок ЧПУ Т-400 не включается", "warranty", "high"),
    LabelledText("Станок ЧПУ Т-400 не включается после скачка напряжения, срочно", "support", "high"),
    LabelledText("Компрессор КВ-15 перегревается, срабатывает защита", "support", "normal"),
    LabelledText("Преобразователь ПЧ-75 выдаёт ошибку перегрузки", "support", "normal"),
    LabelledText("Гидростанция не запускается, стоит линия, остановка производства", "support", "critical"),
    LabelledText("Как настроить плавный пуск на ПЧ-75?", "consultation", "low"),
    LabelledText("Подскажите периодичность ТО компрессора", "consultation", "low"),
    LabelledText("Какие параметры задать на ПЧ-22 для насоса?", "consultation", "low"),
]


def test_warranty_words_and_similar_past_requests_propose_warranty_confidently():
    proposal = Triage(HISTORY).propose("Гидростанция ГС-250 течёт масло, она ещё на гарантии")

    assert proposal.request_type.code == "warranty"
    assert proposal.request_type.confidence >= 0.75
    assert proposal.request_type.applies(0.75)


def test_a_production_stop_is_proposed_as_critical():
    proposal = Triage(HISTORY).propose("Компрессор не запускается. Остановка производства!")

    assert proposal.urgency.code == "critical"
    assert proposal.request_type.code == "support"


def test_a_how_to_question_is_a_low_urgency_consultation():
    proposal = Triage(HISTORY).propose("Как настроить время разгона на преобразователе ПЧ-22?")

    assert proposal.request_type.code == "consultation"
    assert proposal.urgency.code == "low"


def test_not_urgent_is_not_read_as_urgent():
    proposal = Triage([]).propose("Не срочно: пришлите инструкцию к компрессору")

    assert proposal.urgency.code == "low"


def test_keywords_alone_never_reach_the_auto_apply_threshold():
    proposal = Triage([]).propose("Станок не включается, срочно")

    assert proposal.request_type.code == "support"
    assert proposal.urgency.code == "high"
    assert not proposal.request_type.applies(0.75)
    assert not proposal.urgency.applies(0.75)


def test_text_with_nothing_to_go_on_proposes_nothing():
    proposal = Triage([]).propose("Добрый день")

    assert proposal.request_type.code is None
    assert proposal.request_type.confidence == 0.0
    assert not proposal.request_type.applies(0.1)


def test_leave_one_out_excludes_the_request_itself():
    triage = Triage(HISTORY)

    near = triage.neighbours(["гарант"], exclude=0)

    assert 0 not in [index for index, _ in near]
