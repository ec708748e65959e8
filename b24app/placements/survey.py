"""The public CSAT/NPS survey page a client opens from the email link (no frame, no login: the signed link
is the credential; it works once and for 28 days)."""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..jobs.queue import enqueue
from ..services import survey as surveys
from .frames import public_headers

log = logging.getLogger(__name__)
bp = Blueprint("survey", __name__)

SCORE_LABELS = {
    1: _l("Очень плохо"),
    2: _l("Плохо"),
    3: _l("Нормально"),
    4: _l("Хорошо"),
    5: _l("Отлично"),
}


@bp.after_request
def public_page_headers(response):
    # The token is in the address: never hand it to another site; same-origin keeps Origin on our POST.
    return public_headers(response, referrer="same-origin")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_origin() -> bool:
    """A browser's POST names its page's origin; refuse one from another site (clients without
    Origin and Referer, like scripts, rely on the token alone)."""
    allowed = {_origin(request.host_url), _origin(current_app.config["SETTINGS"].app_base_url)}
    origin = request.headers.get("Origin")
    if origin:
        return origin.lower() in allowed
    referer = request.headers.get("Referer")
    if referer:
        return _origin(referer) in allowed
    return True


def _closed(error: surveys.SurveyLinkError):
    return render_template("survey/closed.html", title=error.title, message=error.message), error.status


def _form(token: str, survey, error: str | None = None, form=None, status: int = 200):
    return (
        render_template(
            "survey/form.html",
            token=token,
            survey=survey,
            error=error,
            form=form or {},
            score_labels=SCORE_LABELS,
        ),
        status,
    )


@bp.get("/survey/<token>")
def survey_page(token: str):
    try:
        survey = surveys.find_survey(current_app.config["SECRET_KEY"], token)
    except surveys.SurveyLinkError as error:
        return _closed(error)
    return _form(token, survey)


@bp.post("/survey/<token>")
def survey_answer(token: str):
    if not _same_origin():
        return _closed(surveys.SurveyLinkTampered(_("Ответ отправлен с чужой страницы и не принят.")))
    if not hmac.compare_digest(request.form.get("token", "").encode(), token.encode()):
        return _closed(
            surveys.SurveyLinkTampered(_("Форма не соответствует ссылке: откройте ссылку из письма."))
        )
    try:
        survey = surveys.find_survey(current_app.config["SECRET_KEY"], token)
    except surveys.SurveyLinkError as error:
        return _closed(error)
    try:
        answer = surveys.parse_answer(request.form)
    except surveys.InvalidAnswer as exc:
        return _form(token, survey, str(exc), request.form, 400)
    if not surveys.record_answer(survey, answer):
        db.session.rollback()
        return _closed(
            surveys.SurveyAlreadyAnswered(_("Спасибо, ваш ответ уже получен. Ответить повторно нельзя."))
        )
    enqueue(
        "survey.answered",
        {"survey_id": survey.id},
        portal_id=survey.portal_id,
        dedupe_key=f"survey.answered:{survey.id}",
    )
    db.session.commit()
    log.info("portal %s: survey %s answered with %s", survey.portal_id, survey.id, answer.score)
    return render_template("survey/thanks.html", score=answer.score, score_labels=SCORE_LABELS)
