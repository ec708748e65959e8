"""The sandbox's demo knowledge base loads cleanly and answers the demo requests."""

from __future__ import annotations

from pathlib import Path

from b24app.extensions import db
from b24app.services.kb.transfer import import_path
from sandbox.demo_data import REQUESTS

DEMO_KB = Path(__file__).resolve().parents[3] / "sandbox" / "demo_kb.jsonl"
EXPECTED_FIRST = {
    "Станок ЧПУ Т-400 не включается после скачка напряжения": "t400-e17-power-surge",
    "Гарантийный ремонт гидростанции ГС-250": "warranty-hydraulic-seals",
    "Как настроить плавный пуск на преобразователе ПЧ-75?": "pch75-soft-start",
    "Компрессор КВ-15 перегревается": "kv15-overheat",
}


def test_demo_requests_get_the_article_that_answers_them(portal, registry):
    report = import_path(portal.id, DEMO_KB)
    db.session.commit()
    assert report.ok and report.created >= 40

    for request in REQUESTS:
        hits = registry.suggest(
            portal.id, request["title"], request["description"], request_type=request["type"]
        )
        assert hits[0].slug == EXPECTED_FIRST[request["title"]], request["title"]
        assert hits[0].score >= 0.5
