"""Fixtures of the card and admin tests: a portal with its smart process, mirrored requests, frame
tokens for an operator or an administrator, and the portal's REST endpoint faked with `responses`."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import responses

from b24app.extensions import db
from b24app.models import ServiceRequest
from b24app.placements.frames import FRAME_TOKEN_HEADER, FrameUser, issue_token
from b24app.services.kb.articles import save_article
from b24app.services.kb.registry import registry
from tests.factories import make_portal

ETID = 1038
COMMENT_ADD = re.compile(r"https://acme\.bitrix24\.ru/rest/crm\.timeline\.comment\.add(\.json)?")


@pytest.fixture
def portal(ctx):
    made = make_portal(settings={"smart_process": {"entity_type_id": ETID, "title": "Обращения клиентов"}})
    registry.forget(made.id)  # ids repeat after the database is cleaned; the index lives in memory
    yield made
    registry.forget(made.id)


@pytest.fixture
def other_portal(ctx):
    made = make_portal(domain="other.bitrix24.ru", client_endpoint="https://other.bitrix24.ru/rest/")
    registry.forget(made.id)
    yield made
    registry.forget(made.id)


def mirrored(portal, b24_id: int = 24, **fields: Any) -> ServiceRequest:
    values: dict[str, Any] = {
        "title": "Станок ЧПУ Т-400 не включается после скачка напряжения",
        "description": "После грозы станок не запускается, на панели горит ошибка E-17.",
        "request_type": "support",
        "company_title": "ТЕХНО-ЛОГИСТИК ООО",
        "assigned_name": "Анна Смирнова",
    }
    values.update(fields)
    req = ServiceRequest(portal_id=portal.id, b24_id=b24_id, **values)
    db.session.add(req)
    db.session.commit()
    return req


def article(portal, **fields: Any):
    data: dict[str, Any] = {"kind": "faq", "status": "published", "body": "Текст статьи."}
    data.update(fields)
    saved = save_article(portal.id, data, author_id=1)
    db.session.commit()
    registry.article_changed(portal.id, saved)
    return saved


POWER_FAULT = {
    "slug": "t400-e17",
    "kind": "fault",
    "title": "Станок ЧПУ Т-400 не включается после скачка напряжения (ошибка E-17)",
    "symptoms": "Станок не запускается, горит ошибка E-17",
    "causes": "Перегорел предохранитель F2",
    "remedy": "Замените предохранитель F2 (5 А)",
    "product": "Т-400",
    "body": "Не включайте станок многократно.",
}
SPINDLE = {
    "slug": "t400-spindle",
    "kind": "fault",
    "title": "Станок ЧПУ Т-400: вибрация шпинделя",
    "symptoms": "Вибрация и шум шпинделя",
    "remedy": "Проверьте балансировку патрона",
    "product": "Т-400",
}


@pytest.fixture
def frame_headers(app, portal):
    """Headers of a frame call by a user of the portal (an operator unless admin=True)."""

    def make(admin: bool = False, of=None, user_id: int = 7) -> dict[str, str]:
        with app.test_request_context():
            token = issue_token(of or portal, FrameUser(user_id, "Анна Смирнова", admin), "TAB", {}, "ru")
        return {FRAME_TOKEN_HEADER: token}

    return make


@pytest.fixture
def b24():
    """The portal's REST endpoint: crm.timeline.comment.add answers a new comment id."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, COMMENT_ADD, json={"result": 501, "time": {}})
        yield mock


def posted_comments(mock) -> list[dict[str, Any]]:
    return [
        json.loads(call.request.body)["fields"] for call in mock.calls if "comment.add" in call.request.url
    ]
