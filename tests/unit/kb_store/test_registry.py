"""The per-portal index: follows edits one article at a time, sees other writers, learns, counts gaps."""

from __future__ import annotations

import pytest

from b24app.extensions import db
from b24app.models import KbArticle, KbUse
from b24app.services.kb.articles import save_article
from b24app.services.kb.registry import record_gap, top_gaps
from tests.factories import make_portal

from .conftest import article

PUMP = {
    "slug": "gs250-leak",
    "kind": "fault",
    "title": "ГС-250: течь масла из-под уплотнения насоса",
    "symptoms": "Течь масла у насоса, падает уровень в баке",
    "remedy": "Заменить манжету вала насоса",
    "product": "ГС-250",
    "status": "published",
}
DRIVE = {
    "slug": "pch75-ramp",
    "kind": "manual",
    "title": "ПЧ-75: время разгона и плавный пуск",
    "body": "Параметр P1-05 задаёт время разгона в секундах.",
    "product": "ПЧ-75",
    "status": "published",
}


def titles(hits) -> list[str]:
    return [h.title for h in hits]


def test_edit_is_reflected_in_the_next_suggestion_without_rebuild(portal, registry):
    article(portal.id, **PUMP)
    drive = article(portal.id, **DRIVE)
    assert titles(registry.suggest(portal.id, "Как настроить плавный пуск ПЧ-75?"))[0] == DRIVE["title"]

    edited = save_article(portal.id, {**DRIVE, "title": "ПЧ-75: настройка рампы разгона"}, author_id=2)
    db.session.commit()
    registry.article_changed(portal.id, edited)

    assert titles(registry.suggest(portal.id, "настройка рампы ПЧ-75"))[0] == "ПЧ-75: настройка рампы разгона"
    assert edited.id == drive.id
    assert registry.builds == 1


def test_unpublished_article_is_no_longer_suggested(portal, registry):
    leak = article(portal.id, **PUMP)
    assert titles(registry.suggest(portal.id, "течь масла насос ГС-250")) == [PUMP["title"]]

    hidden = save_article(portal.id, {**PUMP, "status": "draft"}, author_id=1)
    db.session.commit()
    registry.article_changed(portal.id, hidden)

    assert registry.suggest(portal.id, "течь масла насос ГС-250") == []
    assert leak.id == hidden.id and registry.builds == 1


def test_another_process_edit_becomes_visible_through_the_stamp(portal, registry):
    article(portal.id, **PUMP)
    registry.suggest(portal.id, "течь масла")
    # Written by another process: this registry is not told.
    article(portal.id, **DRIVE)

    assert titles(registry.suggest(portal.id, "время разгона ПЧ-75"))[0] == DRIVE["title"]
    assert registry.builds == 2


def test_a_portals_articles_are_never_suggested_to_another_portal(portal, registry):
    other = make_portal()
    article(portal.id, **PUMP)
    article(other.id, **DRIVE)

    assert titles(registry.suggest(other.id, "течь масла из-под уплотнения насоса ГС-250")) != [PUMP["title"]]
    assert PUMP["title"] not in titles(registry.suggest(other.id, "течь масла насос ГС-250", k=10))
    assert titles(registry.suggest(portal.id, "время разгона ПЧ-75 плавный пуск", k=10)) != [DRIVE["title"]]
    assert DRIVE["title"] not in titles(registry.suggest(portal.id, "время разгона ПЧ-75", k=10))


def test_unanswered_questions_are_ranked_by_frequency(portal, registry):
    article(portal.id, **PUMP)
    for text in (
        "Где купить запчасти к вибростенду?",
        "где купить запчасти вибростенд",
        "Вибростенд: где купить запчасти",
    ):
        registry.suggest(portal.id, text)
    registry.suggest(portal.id, "Нужна доставка в Якутск")
    registry.suggest(portal.id, "течь масла из-под уплотнения насоса ГС-250")  # answered: not a gap
    db.session.commit()

    gaps = top_gaps(portal.id)

    assert [g.count for g in gaps] == [3, 1]
    assert "вибростенд" in gaps[0].sample_query.lower()


def test_helped_feedback_is_stored_and_lifts_the_article(portal, registry):
    article(
        portal.id,
        slug="a",
        title="Компрессор КВ-15: перегрев",
        symptoms="перегрев, тепловая защита",
        remedy="почистить радиатор",
        kind="fault",
    )
    oil = article(
        portal.id, slug="b", title="Компрессор КВ-15: замена масла", body="масло перегрев", kind="manual"
    )
    query = "КВ-15 перегревается"
    before = registry.suggest(portal.id, query)

    for _ in range(3):
        registry.record_use(portal.id, oil.id, "helped", query, request_b24_id=7, user_id=3)
    db.session.commit()

    after = registry.suggest(portal.id, query)
    assert before[0].title != oil.title and after[0].title == oil.title
    assert db.session.query(KbUse).filter_by(article_id=oil.id, signal="helped").count() == 3
    assert db.session.query(KbArticle).count() == 2 and registry.builds == 1


def test_a_gap_write_refused_by_a_busy_database_does_not_fail_the_page(portal, registry):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite refuses a write at once when another writer holds the lock mid-transaction")
    worker = db.engine.raw_connection()  # a worker busy writing while the card renders
    try:
        worker.driver_connection.isolation_level = None
        worker.driver_connection.execute("BEGIN IMMEDIATE")
        assert record_gap(portal.id, "Как вернуть деньги за подписку") is None
        db.session.rollback()
    finally:
        worker.driver_connection.execute("ROLLBACK")
        worker.close()
    assert record_gap(portal.id, "Как вернуть деньги за подписку") is not None  # the next render counts it
