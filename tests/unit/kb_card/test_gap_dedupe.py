"""A question the knowledge base cannot answer is counted once per request, however often its card
is opened; a question it answers is not counted at all."""

from __future__ import annotations

from sqlalchemy import select

from b24app.extensions import db
from b24app.models import KbGap
from b24app.placements.card import CardContext
from b24app.placements.card_kb import kb_section

from .conftest import POWER_FAULT, article, mirrored

UNANSWERED = {"title": "Где скачать паспорт компрессора КВ-15", "description": "Потеряли бумажный паспорт."}


def open_card(app, portal, req) -> dict:
    with app.test_request_context():
        return kb_section(CardContext(portal, req, 7, False, "ru"))


def gaps() -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(g.sample_query.splitlines()[0], g.count) for g in db.session.scalars(select(KbGap))]


def test_opening_a_card_again_does_not_count_its_question_again(app, portal):
    article(portal, **POWER_FAULT)
    first = mirrored(portal, 31, **UNANSWERED)
    second = mirrored(portal, 32, **UNANSWERED)

    shown = open_card(app, portal, first)
    open_card(app, portal, first)
    open_card(app, portal, first)
    assert shown["weak"] is True
    assert gaps() == [(UNANSWERED["title"], 1)]

    open_card(app, portal, second)
    assert gaps() == [(UNANSWERED["title"], 2)]


def test_an_answered_question_is_not_a_gap(app, portal):
    article(portal, **POWER_FAULT)
    req = mirrored(portal)
    shown = open_card(app, portal, req)
    assert shown["weak"] is False and shown["articles"][0]["slug"] == POWER_FAULT["slug"]
    assert gaps() == []
