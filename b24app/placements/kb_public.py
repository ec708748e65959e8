"""An article opened from a link posted to a client: the link is signed, so only articles the app
handed out can be read, and only while they are published."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _

from ..extensions import db
from ..models import ArticleStatus, KbArticle, Portal, PortalStatus
from ..services.kb.articles import render_body
from ..services.kb.replies import read_link_token
from .frames import frame_headers

bp = Blueprint("kb_public", __name__)
bp.after_request(frame_headers)


@bp.get("/kb/a/<token>")
def article_page(token: str):
    try:
        portal_id, article_id = read_link_token(current_app.config["SECRET_KEY"], token)
    except LookupError:
        abort(404, description=_("Статья не найдена."))
    portal = db.session.get(Portal, portal_id)
    article = db.session.get(KbArticle, article_id)
    if (
        portal is None
        or portal.status != PortalStatus.ACTIVE
        or article is None
        or article.portal_id != portal_id
        or article.status != ArticleStatus.PUBLISHED
    ):
        abort(404, description=_("Статья не найдена или снята с публикации."))
    return render_template("kb/article.html", article=article, body_html=render_body(article))
