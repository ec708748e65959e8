"""The knowledge-base section of the request tab: articles and reply templates suggested from the
in-memory index, and the calls that post one to the request or say whether it helped."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..bitrix.errors import B24Error
from ..extensions import db
from ..jobs.queue import enqueue
from ..models import ArticleStatus, KbArticle, KbTemplate, KbTemplateUse, ServiceRequest, utcnow
from ..services.kb.articles import render_body
from ..services.kb.cleaning import request_query
from ..services.kb.registry import registry
from ..services.kb.replies import (
    MODE_TEXT,
    ReplyInvalid,
    article_reply,
    link_token,
    post_to_timeline,
    template_reply,
)
from ..services.kb.search import DEFAULT_GAP_THRESHOLD
from ..services.kb.templates import fill, values_for
from ..services.mirror import smart_process_of
from ..services.portals import client_for
from .card import CardContext, section
from .frames import frame_api, frame_headers

log = logging.getLogger(__name__)
bp = Blueprint("kb_card", __name__)
bp.after_request(frame_headers)

SUGGESTIONS = 3
TEMPLATES = 3
KIND_LABELS = {
    "manual": _l("Инструкция"),
    "fault": _l("Неисправность"),
    "warranty": _l("Гарантия"),
    "faq": _l("Вопрос-ответ"),
}


@section(30, "kb", "frames/sections/kb.html")
def kb_section(ctx: CardContext) -> dict[str, Any]:
    req = ctx.request
    portal_id = ctx.portal.id
    found = registry.suggest(
        portal_id,
        req.title or "",
        req.description or "",
        request_type=req.request_type,
        k=SUGGESTIONS,
        request_b24_id=req.b24_id,
    )
    # The gap counted for this request (if any) is this render's only write.
    db.session.commit()
    rows = {
        a.id: a
        for a in db.session.scalars(
            select(KbArticle).where(
                KbArticle.portal_id == portal_id, KbArticle.id.in_([s.article_id for s in found])
            )
        )
    }
    articles = [
        {
            "id": s.article_id,
            "slug": s.slug,
            "title": s.title,
            "kind": KIND_LABELS.get(s.kind, s.kind),
            "score": round(s.score * 100),
            "matched": s.matched_terms,
            "body_html": render_body(rows[s.article_id]),
        }
        for s in found
        if s.article_id in rows
    ]
    return {
        "request_id": req.b24_id,
        "articles": articles,
        "weak": not found or found[0].score < DEFAULT_GAP_THRESHOLD,
        "templates": _templates_for(portal_id, req),
    }


def _templates_for(portal_id: int, req: ServiceRequest) -> list[dict[str, Any]]:
    """Templates matching the request first, then other active ones, each filled for this request."""
    suggested = registry.suggest_templates(portal_id, req.title or "", req.description or "", k=TEMPLATES)
    ids = [s.template_id for s in suggested]
    chosen = {
        t.id: t
        for t in db.session.scalars(
            select(KbTemplate).where(KbTemplate.portal_id == portal_id, KbTemplate.id.in_(ids))
        )
    }
    ordered = [chosen[i] for i in ids if i in chosen and chosen[i].active]
    if len(ordered) < TEMPLATES:
        ordered += db.session.scalars(
            select(KbTemplate)
            .where(
                KbTemplate.portal_id == portal_id,
                KbTemplate.active.is_(True),
                KbTemplate.id.not_in([t.id for t in ordered]),
            )
            .order_by(KbTemplate.title)
            .limit(TEMPLATES - len(ordered))
        ).all()
    values = values_for(req)
    return [{"id": t.id, "title": t.title, "text": fill(t.body, values)} for t in ordered]


def _mirrored_or_404(portal_id: int, b24_id: int) -> ServiceRequest:
    req = db.session.scalar(
        select(ServiceRequest).where(ServiceRequest.portal_id == portal_id, ServiceRequest.b24_id == b24_id)
    )
    if req is None:
        abort(404, description=_("обращение не найдено"))
    return req


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description=_("ожидался объект JSON"))
    return body


def _id_field(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        abort(400, description=_("%(name)s: нужен целый номер", name=name))
    return value


def _published_article_or_404(portal_id: int, article_id: int) -> KbArticle:
    article = db.session.get(KbArticle, article_id)
    if article is None or article.portal_id != portal_id or article.status != ArticleStatus.PUBLISHED:
        abort(404, description=_("статья не найдена или не опубликована"))
    return article


@bp.post("/frame-api/kb/requests/<int:b24_id>/insert")
@frame_api
def insert(b24_id: int):
    """Post an article (text or link) or a filled template to the request's timeline; counts as use."""
    call = g.call
    portal = call.portal
    req = _mirrored_or_404(portal.id, b24_id)
    body = _json_body()
    settings = current_app.config["SETTINGS"]
    article = template = None
    try:
        if "template_id" in body:
            template = db.session.get(KbTemplate, _id_field(body, "template_id"))
            if template is None or template.portal_id != portal.id:
                abort(404, description=_("шаблон не найден"))
            text = template_reply(
                body.get("text") if "text" in body else fill(template.body, values_for(req))
            )
        elif "article_id" in body:
            article = _published_article_or_404(portal.id, _id_field(body, "article_id"))
            token = link_token(current_app.config["SECRET_KEY"], portal.id, article.id)
            link = f"{settings.app_base_url}/kb/a/{token}"
            text = article_reply(article, str(body.get("mode") or MODE_TEXT), link)
        else:
            abort(400, description=_("нужен article_id или template_id"))
    except ReplyInvalid as exc:
        abort(400, description=str(exc))
    smart = smart_process_of(portal)
    if not smart:
        abort(409, description=_("смарт-процесс обращений ещё не настроен"))
    try:
        comment_id = post_to_timeline(
            client_for(portal.id, settings), int(smart["entity_type_id"]), b24_id, text
        )
    except B24Error as exc:
        log.warning("portal %s request %s: timeline comment failed: %s", portal.id, b24_id, exc)
        abort(502, description=_("Битрикс24 не принял комментарий: %(error)s", error=exc))
    query = request_query(req.title or "", req.description or "")
    if article is not None:
        registry.record_use(portal.id, article.id, "inserted", query, b24_id, call.user_id)
    else:
        db.session.add(
            KbTemplateUse(
                portal_id=portal.id,
                template_id=template.id,
                request_b24_id=b24_id,
                user_id=call.user_id,
                signal="inserted",
                query_text=query,
                at=utcnow(),
            )
        )
    sent_to_client = body.get("send", True) is not False
    if sent_to_client:
        # The email goes out from the queue (retried if the mail server is down); the timeline comment
        # above is its copy. Recorded as a public reply, it counts as a response for the SLA.
        enqueue(
            "client.reply",
            {"request_id": req.id, "text": text, "user_id": call.user_id, "ref": f"comment-{comment_id}"},
            portal_id=portal.id,
        )
    db.session.commit()
    message = (
        _("Ответ отправляется клиенту, копия — в ленте; если доставить его не удастся, придёт уведомление")
        if sent_to_client
        else _("Отправлено в ленту")
    )
    return jsonify(ok=True, comment_id=comment_id, sent_to_client=sent_to_client, message=message)


@bp.post("/frame-api/kb/requests/<int:b24_id>/feedback")
@frame_api
def feedback(b24_id: int):
    """The operator says whether an article helped: recorded, and similar questions are re-ranked."""
    call = g.call
    req = _mirrored_or_404(call.portal.id, b24_id)
    body = _json_body()
    helped = body.get("helped")
    if not isinstance(helped, bool):
        abort(400, description=_("helped: нужно true или false"))
    article = _published_article_or_404(call.portal.id, _id_field(body, "article_id"))
    query = request_query(req.title or "", req.description or "")
    registry.record_use(
        call.portal.id, article.id, "helped" if helped else "not_helped", query, b24_id, call.user_id
    )
    db.session.commit()
    return jsonify(ok=True, message=_("Спасибо, учтём") if helped else _("Учтём: статья не помогла"))
