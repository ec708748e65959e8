"""The public web form a company puts on its site (a link or an iframe): clients send requests without a
Bitrix24 account; while they type the subject, published knowledge-base articles that may answer it are
offered; the same key opens the portal's public knowledge base (/help/<key>). No login: the form's
key names the portal; a signed, timed form token and a hidden field keep
robots out, and one address may send a few requests per ten minutes."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import select

from ..extensions import db
from ..models import ArticleStatus, KbArticle, Portal, utcnow
from ..services import webform
from ..services.kb.registry import registry
from ..services.kb.replies import link_token
from .card_kb import KIND_LABELS
from .frames import public_headers

log = logging.getLogger(__name__)
bp = Blueprint("webform", __name__)

TOKEN_SALT = "sd-web-form"
MIN_SECONDS = 2  # a person needs longer than this to fill the form in
MAX_SECONDS = 24 * 3600
SUGGESTIONS = 3
HELP_RESULTS = 10
HELP_LIST_LIMIT = 500
HELP_GROUPS = {
    "faq": _l("Частые вопросы"),
    "fault": _l("Неисправности"),
    "manual": _l("Инструкции"),
    "warranty": _l("Гарантия"),
}


@bp.after_request
def public_form_headers(response):
    # The form is made to be embedded on the company's own site: any page may frame it.
    return public_headers(response, frame_ancestors="*", referrer="strict-origin-when-cross-origin")


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def _portal(key: str, page: str = "form") -> Portal:
    try:
        return webform.portal_of(key, page)
    except webform.FormClosed:
        if page == "help":
            abort(404, description=_("База знаний не найдена или закрыта."))
        abort(404, description=_("Форма не найдена или выключена."))


def _page(key: str, portal: Portal, form=None, errors=None, status: int = 200):
    token = _signer().sign(str(portal.id)).decode()
    return (
        render_template(
            "webform/form.html",
            key=key,
            token=token,
            form=form or {},
            errors=errors or {},
            help_open=webform.help_enabled(portal),
        ),
        status,
    )


@bp.get("/form/<key>")
def form_page(key: str):
    return _page(key, _portal(key))


@bp.post("/form/<key>")
def submit(key: str):
    portal = _portal(key)
    try:
        signed_for = _signer().unsign(
            request.form.get("token", ""), max_age=MAX_SECONDS, return_timestamp=True
        )
        portal_id, issued = signed_for
        age = (utcnow() - issued).total_seconds()
    except SignatureExpired:
        return _page(key, portal, request.form, {"form": _("Форма устарела: отправьте её ещё раз.")}, 400)
    except BadSignature:
        return _page(key, portal, request.form, {"form": _("Форма повреждена: откройте её заново.")}, 400)
    if portal_id.decode() != str(portal.id):
        return _page(key, portal, request.form, {"form": _("Форма повреждена: откройте её заново.")}, 400)
    if request.form.get("website") or age < MIN_SECONDS:
        log.info("portal %s: web form submission dropped as automated", portal.id)
        return render_template("webform/thanks.html", email=""), 200  # a robot learns nothing
    data, errors = webform.clean(request.form)
    if errors:
        return _page(key, portal, request.form, errors, 400)
    source = webform.source_hash(current_app.config["SECRET_KEY"], portal.id, request.remote_addr or "")
    try:
        webform.submit(portal, data, source)
    except webform.TooManySubmissions:
        db.session.rollback()
        message = _("Слишком много обращений подряд: попробуйте через несколько минут.")
        return _page(key, portal, request.form, {"form": message}, 429)
    db.session.commit()
    return render_template("webform/thanks.html", email=data.email)


@bp.get("/form/<key>/suggest")
def suggest(key: str):
    """Published articles that may answer what the client is typing (no gap is counted for drafts)."""
    portal = _portal(key)
    query = " ".join(request.args.get("q", "").split())[:300]
    if len(query) < 4:
        return jsonify(articles=[])
    found = registry.suggest(portal.id, query, k=SUGGESTIONS, count_gap=False)
    articles = [{"title": a["title"], "url": a["url"]} for a in _public(portal, found)]
    return jsonify(articles=articles)


def _public(portal: Portal, found) -> list[dict]:
    """Suggestions a client may read: published ones with a match, each with its signed link."""
    published = {
        a.id
        for a in db.session.query(KbArticle.id).filter(
            KbArticle.portal_id == portal.id,
            KbArticle.id.in_([s.article_id for s in found]),
            KbArticle.status == ArticleStatus.PUBLISHED,
        )
    }
    secret = current_app.config["SECRET_KEY"]
    return [
        {
            "title": s.title,
            "url": f"/kb/a/{link_token(secret, portal.id, s.article_id)}",
            "kind": str(KIND_LABELS.get(s.kind, s.kind)),
        }
        for s in found
        if s.article_id in published and s.score > 0
    ]


@bp.get("/help/<key>")
def help_center(key: str):
    """The portal's public knowledge base: search, or every published article by kind; «not found»
    leads to the form. Same key as the form, a switch of its own, embeddable the same way."""
    portal = _portal(key, "help")
    query = " ".join(request.args.get("q", "").split())[:300]
    results = groups = None
    truncated = False
    if query:
        found = registry.suggest(portal.id, query, k=HELP_RESULTS, count_gap=False) if len(query) >= 3 else []
        results = _public(portal, found)
    else:
        secret = current_app.config["SECRET_KEY"]
        rows = db.session.execute(
            select(KbArticle.id, KbArticle.kind, KbArticle.title, KbArticle.product)
            .where(KbArticle.portal_id == portal.id, KbArticle.status == ArticleStatus.PUBLISHED)
            .order_by(KbArticle.title)
            .limit(HELP_LIST_LIMIT + 1)
        ).all()
        truncated, rows = len(rows) > HELP_LIST_LIMIT, rows[:HELP_LIST_LIMIT]
        by_kind: dict[str, list[dict]] = {}
        for row in rows:
            url = f"/kb/a/{link_token(secret, portal.id, row.id)}"
            by_kind.setdefault(row.kind, []).append({"title": row.title, "url": url, "product": row.product})
        groups = [(str(label), by_kind[kind]) for kind, label in HELP_GROUPS.items() if kind in by_kind]
    english = str(get_locale() or "ru") == "en"
    return render_template(
        "webform/help.html",
        key=key,
        query=query,
        results=results,
        groups=groups,
        truncated=truncated,
        list_limit=HELP_LIST_LIMIT,
        form_open=webform.form_enabled(portal),
        lang_args={"lang": "en"} if english else {},
    )
