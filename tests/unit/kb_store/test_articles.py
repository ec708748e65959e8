"""Saving articles: validation for the editor and HTML that cannot run code in the card."""

from __future__ import annotations

import pytest

from b24app.extensions import db
from b24app.models import KbArticle
from b24app.services.kb.articles import ArticleInvalid, render_body, save_article, to_kbdoc

from .conftest import article

EVIL_HTML = (
    '<p>Проверьте <b>давление</b><script>alert("x")</script></p>'
    '<img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(1)">жми</a> <a href="https://example.ru/doc">паспорт</a>'
)


def test_saving_html_strips_scripts_handlers_and_javascript_links(portal):
    saved = article(portal.id, title="Давление", body=EVIL_HTML, body_format="html")

    assert "<script" not in saved.body and "alert" not in saved.body
    assert "onerror" not in saved.body and "<img" not in saved.body
    assert "javascript:" not in saved.body
    assert '<a href="https://example.ru/doc" rel="noopener noreferrer">паспорт</a>' in saved.body
    assert "<b>давление</b>" in saved.body


def test_markdown_is_rendered_then_sanitised(portal):
    saved = article(
        portal.id, title="Md", body="**Важно** [ссылка](javascript:alert(1))\n\n<script>x()</script>"
    )

    assert "<strong>Важно</strong>" in saved.body
    assert "href" not in saved.body and "<script" not in saved.body


def test_render_sanitises_rows_written_behind_the_service(portal):
    saved = article(portal.id, title="Старая статья")
    saved.body = '<p onclick="steal()">текст</p><script>alert(1)</script><a href="javascript:x()">a</a>'
    db.session.commit()

    shown = render_body(db.session.get(KbArticle, saved.id))

    assert shown == '<p>текст</p><a rel="noopener noreferrer">a</a>'


def test_invalid_article_lists_every_field_problem_in_russian(portal):
    with pytest.raises(ArticleInvalid) as caught:
        save_article(portal.id, {"title": "", "kind": "novel", "status": "gone", "tags": 5}, author_id=1)

    fields = {p.field for p in caught.value.problems}
    assert fields == {"title", "kind", "status", "tags"}
    assert any("заголовок обязателен" in p.message for p in caught.value.problems)


def test_saving_the_same_slug_again_updates_and_bumps_version(portal):
    first = article(portal.id, title="Замена фильтра", slug="filter")
    again = article(portal.id, title="Замена фильтра КВ-15", slug="filter")

    assert again.id == first.id and again.version == 2
    assert db.session.query(KbArticle).count() == 1


def test_index_text_has_no_markup(portal):
    saved = article(
        portal.id,
        title="Т",
        body="<p>масло&nbsp;И-40</p><p>фильтр</p>",
        body_format="html",
        tags=["гидравлика"],
        product="ГС-250",
    )

    doc = to_kbdoc(saved)

    assert doc.body == "масло И-40 фильтр"
    assert doc.tags == ("гидравлика",) and doc.product == "ГС-250" and doc.id == str(saved.id)
