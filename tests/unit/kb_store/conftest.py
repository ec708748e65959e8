"""Fixtures of the knowledge-base storage tests: a portal and a way to write articles."""

from __future__ import annotations

from typing import Any

import pytest

from b24app.extensions import db
from b24app.services.kb.articles import save_article
from b24app.services.kb.registry import KbRegistry
from tests.factories import make_portal


@pytest.fixture
def portal(ctx):
    return make_portal()


@pytest.fixture
def registry(ctx):
    # Checks the version stamp on every call, so tests see other writers at once.
    return KbRegistry(stamp_interval=0)


def article(portal_id: int, **fields: Any):
    data: dict[str, Any] = {"kind": "faq", "status": "published", "body": "Текст статьи."}
    data.update(fields)
    saved = save_article(portal_id, data, author_id=1)
    db.session.commit()
    return saved
