"""The CSAT/NPS survey after a resolution: signed single-use links, answers, and what an answer sets off
in Bitrix24 (the SD_CSAT field, a timeline comment, the group head told of a low score)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..bitrix.client import B24Client
from ..bitrix.errors import B24NotFound
from ..extensions import db
from ..i18n import _m, store
from ..models import EventKind, Portal, ServiceRequest, Survey, utcnow
from .fields import FieldMap
from .timeline_copy import add_copy, item_url

log = logging.getLogger(__name__)

SURVEY_TTL = timedelta(days=28)
LOW_SCORE = 3  # 1–3 tells the head of the group
FEEDBACK_KIND = EventKind.CLIENT_FEEDBACK


class SurveyLinkError(Exception):
    status = 400
    title = "Ссылка недействительна"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SurveyLinkTampered(SurveyLinkError):
    status = 400
    title = "Ссылка повреждена"


class SurveyLinkExpired(SurveyLinkError):
    status = 410
    title = "Срок действия ссылки истёк"


class SurveyAlreadyAnswered(SurveyLinkError):
    status = 410
    title = "Вы уже ответили на этот опрос"


def _key(secret: str) -> OctKey:
    # Its own key: a frame token can never pass for a survey link, nor the reverse.
    return OctKey.import_key(hashlib.sha256(f"survey-link:{secret}".encode()).digest())


def open_survey(req: ServiceRequest, resolution_ref: str, now: datetime | None = None) -> Survey | None:
    """The survey of one resolution, created once; None if it already exists."""
    now = now or utcnow()
    survey = Survey(
        portal_id=req.portal_id,
        request_id=req.id,
        resolution_ref=resolution_ref,
        jti=secrets.token_urlsafe(18),
        created_at=now,
        expires_at=now + SURVEY_TTL,
    )
    try:
        with db.session.begin_nested():
            db.session.add(survey)
    except IntegrityError:
        return None
    return survey


def survey_for(req: ServiceRequest, resolution_ref: str) -> Survey | None:
    return db.session.scalars(
        select(Survey).where(
            Survey.portal_id == req.portal_id,
            Survey.request_id == req.id,
            Survey.resolution_ref == resolution_ref,
        )
    ).first()


def link_token(secret: str, survey: Survey) -> str:
    """The signed part of the survey link; the same survey always gives the same token."""
    claims = {
        "pid": survey.portal_id,
        "sid": survey.id,
        "jti": survey.jti,
        "iat": int(survey.created_at.timestamp()),
        "exp": int(survey.expires_at.timestamp()),
    }
    return jwt.encode({"alg": "HS256"}, claims, _key(secret))


def find_survey(secret: str, token: str, now: datetime | None = None) -> Survey:
    """The open survey a link points to.

    Raises SurveyLinkTampered, SurveyLinkExpired or SurveyAlreadyAnswered (each with a message for people).
    """
    now = now or utcnow()
    try:
        claims = jwt.decode(token, _key(secret), algorithms=["HS256"]).claims
        pid, sid, jti = int(claims["pid"]), int(claims["sid"]), str(claims["jti"])
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SurveyLinkTampered(
            "Ссылка на опрос повреждена или неполная: скопируйте её из письма целиком."
        ) from exc
    survey = db.session.get(Survey, sid)
    if survey is None or survey.portal_id != pid or not secrets.compare_digest(survey.jti, jti):
        raise SurveyLinkTampered("Такого опроса нет: проверьте ссылку из письма.")
    if survey.answered_at is not None:
        raise SurveyAlreadyAnswered("Спасибо, ваш ответ уже получен. Ответить повторно нельзя.")
    if survey.expires_at <= now:
        raise SurveyLinkExpired("Ссылка действовала 28 дней и больше не работает.")
    return survey


@dataclass(frozen=True)
class Answer:
    score: int
    nps: int | None
    comment: str


class InvalidAnswer(ValueError):
    pass


def parse_answer(form: dict[str, Any]) -> Answer:
    """Read the survey form; raises InvalidAnswer with a Russian message."""
    try:
        score = int(str(form.get("score", "")).strip())
    except ValueError:
        raise InvalidAnswer("Выберите оценку от 1 до 5 звёзд.") from None
    if not 1 <= score <= 5:
        raise InvalidAnswer("Выберите оценку от 1 до 5 звёзд.")
    raw_nps = str(form.get("nps", "") or "").strip()
    nps = None
    if raw_nps:
        try:
            nps = int(raw_nps)
        except ValueError:
            raise InvalidAnswer("Оценка рекомендации — число от 0 до 10.") from None
        if not 0 <= nps <= 10:
            raise InvalidAnswer("Оценка рекомендации — число от 0 до 10.")
    comment = str(form.get("comment", "") or "").strip()
    if len(comment) > 4000:
        raise InvalidAnswer("Комментарий слишком длинный: не больше 4000 символов.")
    return Answer(score, nps, comment)


def record_answer(survey: Survey, answer: Answer, now: datetime | None = None) -> bool:
    """Store the answer unless one is already stored (two tabs, a double click): True if this one won."""
    now = now or utcnow()
    stored = db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None))
        .values(answered_at=now, score=answer.score, nps=answer.nps, comment=answer.comment or None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(survey)
    return stored == 1


def _stars(score: int) -> str:
    return "★" * score + "☆" * (5 - score)


def feedback_text(survey: Survey) -> str:
    lines = [f"Оценка клиента: {_stars(survey.score or 0)} {survey.score} из 5"]
    if survey.nps is not None:
        lines.append(f"Готовность рекомендовать (NPS): {survey.nps} из 10")
    if survey.comment:
        lines.append(f"Комментарий: {survey.comment}")
    return "\n".join(lines)


def group_head(client: B24Client, req: ServiceRequest) -> int | None:
    """The head of the request's group (a department), else of the responsible's department."""
    department_id = req.group_id
    if not department_id and req.assigned_by_id:
        users = client.call("user.get", {"ID": req.assigned_by_id}).result or []
        departments = (users[0].get("UF_DEPARTMENT") or []) if users else []
        department_id = int(departments[0]) if departments else None
    if not department_id:
        return None
    rows = client.call("department.get", {"ID": department_id}).result or []
    head = int(rows[0].get("UF_HEAD") or 0) if rows else 0
    return head or None


def apply_answer(portal: Portal, client: B24Client, survey: Survey) -> None:
    """Write the answer to Bitrix24; each part is done once, so a retried job picks up where it stopped."""
    req = db.session.get(ServiceRequest, survey.request_id)
    if req is None or survey.score is None:
        return
    etid = int(portal.settings["smart_process"]["entity_type_id"])
    if survey.csat_written_at is None:
        fields = FieldMap(portal.settings.get("fields", {})).write("SD_CSAT", survey.score)
        if fields:
            try:
                client.call("crm.item.update", {"entityTypeId": etid, "id": req.b24_id, "fields": fields})
            except B24NotFound:
                survey.note = store(_m("Обращение удалено в Битрикс24: оценка не записана"))
        survey.csat_written_at = utcnow()
        db.session.commit()
    if survey.timeline_comment_id is None:
        survey.timeline_comment_id = add_copy(client, req, etid, feedback_text(survey), FEEDBACK_KIND)
        db.session.commit()
    if survey.score <= LOW_SCORE and survey.head_notified_id is None:
        head = group_head(client, req)
        if head is None:
            survey.note = store(_m("Низкая оценка: руководитель группы не найден, уведомление не отправлено"))
            survey.head_notified_id = 0
            return
        link = item_url(portal.base_url, etid, req.b24_id)
        message = (
            f"Низкая оценка клиента по обращению [URL={link}]№{req.b24_id} «{req.title}»[/URL]: "
            f"{survey.score} из 5."
        )
        if survey.comment:
            message += f" Комментарий: {survey.comment[:500]}"
        client.call("im.notify.system.add", {"USER_ID": head, "MESSAGE": message})
        survey.head_notified_id = head
