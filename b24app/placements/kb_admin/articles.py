"""Articles in the admin tab: the list with search and filters, the editor with a sanitised preview,
publishing, deleting, and the gaps to write about."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ...extensions import db
from ...models import ArticleKind, ArticleStatus, BodyFormat, KbArticle, KbGap, KbTemplate
from ...services.kb.articles import (
    ArticleInvalid,
    FieldProblem,
    body_html,
    find_article,
    render_body,
    save_article,
    validate,
)
from ...services.kb.registry import registry, top_gaps
from ...services.kb.templates import PLACEHOLDERS
from ...services.kb.text import fold
from ...services.kb.transfer import article_record
from ..frames import admin_required, frame_api
from . import bp, json_body, problems_response

KIND_LABELS = {
    ArticleKind.MANUAL: _l("Инструкция"),
    ArticleKind.FAULT: _l("Неисправность"),
    ArticleKind.WARRANTY: _l("Гарантия"),
    ArticleKind.FAQ: _l("Вопрос-ответ"),
}
STATUS_LABELS = {ArticleStatus.DRAFT: _l("Черновик"), ArticleStatus.PUBLISHED: _l("Опубликована")}
LIST_LIMIT = 200
GAPS_SHOWN = 20


def _admin_portal_id() -> int:
    admin_required(g.call)
    return g.call.portal.id


def _article_or_404(portal_id: int, article_id: int) -> KbArticle:
    article = db.session.get(KbArticle, article_id)
    if article is None or article.portal_id != portal_id:
        abort(404, description=_("статья не найдена"))
    return article


def matching(articles: list[KbArticle], q: str, status: str, kind: str, product: str) -> list[KbArticle]:
    """Articles whose title, product or tags contain the search text (any case, ё as е), filtered."""
    needle = fold(q.strip())
    found = []
    for a in articles:
        if (status and a.status != status) or (kind and a.kind != kind):
            continue
        if product and fold(a.product or "") != fold(product):
            continue
        haystack = fold(" ".join([a.title, a.product or "", *(a.tags or [])]))
        if needle and needle not in haystack:
            continue
        found.append(a)
    return found


@bp.get("/frame-api/admin/kb")
@frame_api
def tab():
    """The tab's HTML fragment; the same filters as query parameters re-render the list."""
    portal_id = _admin_portal_id()
    args = {name: request.args.get(name, "") for name in ("q", "status", "kind", "product")}
    everything = list(
        db.session.scalars(
            select(KbArticle).where(KbArticle.portal_id == portal_id).order_by(KbArticle.updated_at.desc())
        )
    )
    shown = matching(everything, **args)
    templates = db.session.scalars(
        select(KbTemplate).where(KbTemplate.portal_id == portal_id).order_by(KbTemplate.title)
    ).all()
    return render_template(
        "frames/admin_kb.html",
        articles=shown[:LIST_LIMIT],
        total=len(shown),
        filters=args,
        products=sorted({a.product for a in everything if a.product}),
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        formats=BodyFormat.ALL,
        gaps=top_gaps(portal_id, GAPS_SHOWN),
        templates=templates,
        placeholders=PLACEHOLDERS,
    )


@bp.get("/frame-api/admin/kb/articles/<int:article_id>")
@frame_api
def article_json(article_id: int):
    """What the editor needs: the author's source text, not the rendered HTML."""
    article = _article_or_404(_admin_portal_id(), article_id)
    return jsonify(article={"id": article.id, **article_record(article)})


@bp.post("/frame-api/admin/kb/articles")
@frame_api
def article_save():
    """Create an article, or update the one named by `id`; sanitised on save, re-indexed at once."""
    portal_id = _admin_portal_id()
    data: dict[str, Any] = json_body()
    article_id = data.get("id")
    if article_id is not None:
        if isinstance(article_id, bool) or not isinstance(article_id, int):
            abort(400, description=_("id: нужен целый номер"))
        _article_or_404(portal_id, article_id)
    try:
        if article_id is None:
            # save_article updates by slug; a new article must not overwrite an existing one.
            slug = validate(data).slug
            if find_article(portal_id, slug) is not None:
                raise ArticleInvalid(
                    [FieldProblem("slug", _("адрес «%(slug)s» уже занят другой статьёй", slug=slug))]
                )
        article = save_article(portal_id, data, author_id=g.call.user_id)
    except ArticleInvalid as exc:
        db.session.rollback()
        return problems_response(exc.problems, _("Статья не сохранена"))
    db.session.commit()
    registry.article_changed(portal_id, article)
    return jsonify(article={"id": article.id, "slug": article.slug, "status": article.status})


@bp.post("/frame-api/admin/kb/preview")
@frame_api
def preview():
    """The body as the card will show it (rendered and sanitised), without saving."""
    _admin_portal_id()
    data = json_body()
    source = data.get("body")
    body_format = data.get("body_format") or BodyFormat.MARKDOWN
    if not isinstance(source, str) or body_format not in BodyFormat.ALL:
        abort(400, description=_("нужны body (строка) и body_format (markdown или html)"))
    return jsonify(html=body_html(source, body_format))


@bp.get("/frame-api/admin/kb/articles/<int:article_id>/html")
@frame_api
def rendered(article_id: int):
    """A saved article's body as shown to operators and clients (sanitised again on the way out)."""
    article = _article_or_404(_admin_portal_id(), article_id)
    return jsonify(html=render_body(article))


@bp.post("/frame-api/admin/kb/articles/<int:article_id>/status")
@frame_api
def set_status(article_id: int):
    """Publish or unpublish; publishing checks the article as a whole (a fault needs its remedy)."""
    portal_id = _admin_portal_id()
    article = _article_or_404(portal_id, article_id)
    status = json_body().get("status")
    if status not in ArticleStatus.ALL:
        abort(400, description=_("status: draft или published"))
    try:
        article = save_article(
            portal_id, {**article_record(article), "id": article.id, "status": status}, g.call.user_id
        )
    except ArticleInvalid as exc:
        db.session.rollback()
        return problems_response(exc.problems, _("Статью нельзя опубликовать"))
    db.session.commit()
    registry.article_changed(portal_id, article)
    return jsonify(article={"id": article.id, "status": article.status})


@bp.delete("/frame-api/admin/kb/articles/<int:article_id>")
@frame_api
def article_remove(article_id: int):
    portal_id = _admin_portal_id()
    article = _article_or_404(portal_id, article_id)
    db.session.delete(article)
    db.session.commit()
    registry.article_removed(portal_id, article_id)
    return jsonify(ok=True)


@bp.delete("/frame-api/admin/kb/gaps/<int:gap_id>")
@frame_api
def dismiss_gap(gap_id: int):
    """The editor wrote the article (or the question is not for the KB): off the list."""
    portal_id = _admin_portal_id()
    gone = db.session.execute(delete(KbGap).where(KbGap.portal_id == portal_id, KbGap.id == gap_id))
    if not gone.rowcount:
        abort(404, description=_("пробел не найден"))
    db.session.commit()
    return jsonify(ok=True)
