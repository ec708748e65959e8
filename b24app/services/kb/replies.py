"""Putting knowledge into a request: an article (its text or a link to it) or a filled template,
posted to the request's timeline, and the signed public link of an article."""

from __future__ import annotations

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ...bitrix.client import B24Client
from ...models import ArticleKind, KbArticle
from .articles import plain_text

MODE_TEXT = "text"
MODE_LINK = "link"
MODES = (MODE_TEXT, MODE_LINK)
MAX_COMMENT = 20_000
_LINK_SALT = "kb-article-link"


class ReplyInvalid(ValueError):
    """What the operator asked to post cannot be posted (said in Russian for the card)."""


def link_token(secret: str, portal_id: int, article_id: int) -> str:
    """An unguessable token naming one portal's article, for a link a client can open."""
    return URLSafeSerializer(secret, salt=_LINK_SALT).dumps([portal_id, article_id])


def read_link_token(secret: str, token: str) -> tuple[int, int]:
    """(portal id, article id) of a link token; LookupError when it was not made by this app."""
    try:
        portal_id, article_id = URLSafeSerializer(secret, salt=_LINK_SALT).loads(token)
        return int(portal_id), int(article_id)
    except (BadSignature, TypeError, ValueError) as exc:
        raise LookupError("not an article link of this application") from exc


def article_text(article: KbArticle) -> str:
    """The article as a reply: title, then for a fault what is seen, why and what to do, then the body."""
    parts = [article.title]
    if article.kind == ArticleKind.FAULT:
        for label, value in (
            ("Признаки", article.symptoms),
            ("Возможные причины", article.causes),
            ("Что сделать", article.remedy),
        ):
            if value:
                parts.append(f"{label}: {value}")
    body = plain_text(article.body or "")
    if body:
        parts.append(body)
    return "\n\n".join(parts)


def article_reply(article: KbArticle, mode: str, link: str) -> str:
    """The comment text for an article inserted as its text or as a link."""
    if mode not in MODES:
        raise ReplyInvalid(_("способ вставки: текст или ссылка"))
    if mode == MODE_LINK:
        return f"{article.title}: {link}"
    return article_text(article)


def template_reply(text: str) -> str:
    """The comment text of a filled template as the operator edited it."""
    text = (text or "").strip()
    if not text:
        raise ReplyInvalid(_("текст ответа пуст"))
    if len(text) > MAX_COMMENT:
        raise ReplyInvalid(_("текст ответа длиннее %(max)s символов", max=MAX_COMMENT))
    return text


def post_to_timeline(client: B24Client, entity_type_id: int, b24_id: int, text: str) -> int:
    """Add a comment to the request's timeline; returns the comment id."""
    result = client.call(
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_ID": b24_id, "ENTITY_TYPE": f"dynamic_{entity_type_id}", "COMMENT": text}},
    )
    return int(result.result)
