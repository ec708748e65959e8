"""The «1С» section of the request tab: the «Заявка» number and status, what to fix, the counterparty
to choose, the last exchange and a banner when 1C is unreachable; plus the operator's actions: choose
the counterparty, send the request to 1C again, ask 1C for its changes now."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..i18n import render
from ..jobs.queue import enqueue, requeue
from ..models import Decision, ExchangeLog, Job, JobStatus, OneCRequestLink, ServiceRequest, utcnow
from ..models.onec_sync import CREATE_NEW
from ..services.onec_alerts import open_incident_of
from ..services.onec_link import connection_of
from ..services.onec_rules import STATUS_TITLES
from ..services.onec_sync import enqueue_push, link_of
from .card import CardContext, section
from .frames import frame_api

bp = Blueprint("card_onec", __name__)


def _last_exchange(portal_id: int, link: OneCRequestLink) -> ExchangeLog | None:
    refs = [ref for ref in (link.onec_ref, link.external_id) if ref]
    return db.session.scalars(
        select(ExchangeLog)
        .where(ExchangeLog.portal_id == portal_id, ExchangeLog.object_ref.in_(refs))
        .order_by(ExchangeLog.id.desc())
    ).first()


def _dead_job(portal_id: int, request_id: int) -> Job | None:
    return db.session.scalars(
        select(Job).where(
            Job.portal_id == portal_id,
            Job.status == JobStatus.DEAD,
            Job.dedupe_key == f"onec.push_request:{portal_id}:{request_id}",
        )
    ).first()


@section(40, "onec", "frames/sections/onec.html")
def onec_section(ctx: CardContext) -> dict[str, Any] | None:
    connection = connection_of(ctx.portal)
    if connection is None or not connection.configured:
        return None
    req = ctx.request
    link = link_of(req)
    incident = open_incident_of(ctx.portal.id)
    dead = _dead_job(ctx.portal.id, req.id)
    return {
        "request_id": req.b24_id,
        "number": req.onec_number,
        "status": STATUS_TITLES.get(req.onec_status or "", req.onec_status),
        "link": link,
        "problems": [render(p) for p in link.problems or []] if link else [],
        "candidates": list(link.candidates or [])
        if link and link.decision == Decision.NEEDS_DECISION
        else [],
        "offer_new": bool(
            link and link.candidates and all(c.get("match") == "branch" for c in link.candidates)
        ),
        "exchange": _last_exchange(ctx.portal.id, link) if link else None,
        "incident": incident,
        "dead": dead,
        "waiting": bool(link and link.decision == Decision.OK and not link.onec_ref and not link.last_error),
        "can_retry": bool(
            link and link.decision == Decision.OK and not link.problems and (dead or link.last_error)
        ),
        "can_refresh": bool(link and link.onec_ref),
    }


@bp.post("/frame-api/onec/requests/<int:b24_id>/counterparty")
@frame_api
def choose_counterparty(b24_id: int):
    """The operator picks one of the candidates (or asks for a new counterparty); the push runs again."""
    portal = g.call.portal
    body = request.get_json(silent=True)
    ref = body.get("ref") if isinstance(body, dict) else None
    if not isinstance(ref, str) or not ref.strip():
        abort(400, description=_("Укажите контрагента: ref одного из предложенных вариантов"))
    req = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.portal_id == portal.id, ServiceRequest.b24_id == b24_id)
    ).first()
    link = link_of(req) if req is not None else None
    if req is None or link is None:
        abort(404, description=_("Обращение не найдено"))
    if link.decision != Decision.NEEDS_DECISION:
        abort(409, description=_("Выбор контрагента для этого обращения не требуется"))
    offered = {c.get("ref") for c in link.candidates or []}
    branches_only = all(c.get("match") == "branch" for c in link.candidates or [])
    if ref not in offered and not (ref == CREATE_NEW and branches_only):
        abort(400, description=_("Этого контрагента нет среди предложенных вариантов"))
    link.chosen_counterparty_ref, link.decision = ref, Decision.OK
    enqueue_push(portal.id, req.id)
    db.session.commit()
    return jsonify(ok=True, chosen=ref)


def _request_and_link(portal_id: int, b24_id: int) -> tuple[ServiceRequest, OneCRequestLink]:
    req = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.portal_id == portal_id, ServiceRequest.b24_id == b24_id)
    ).first()
    link = link_of(req) if req is not None else None
    if req is None or link is None:
        abort(404, description=_("Обращение не найдено"))
    return req, link


def _now(job: Job) -> None:
    """A waiting job (say, in backoff while 1C was down) runs at once: the operator asked for it."""
    now = utcnow()
    if job.run_at is None or job.run_at > now:
        job.run_at = now


@bp.post("/frame-api/onec/requests/<int:b24_id>/retry")
@frame_api
def retry_push(b24_id: int):
    """Send the request to 1C again: after a refusal, or when the attempts ran out."""
    portal = g.call.portal
    req, link = _request_and_link(portal.id, b24_id)
    if link.problems:
        abort(409, description=_("Сначала исправьте данные обращения: что именно — написано выше"))
    if link.decision == Decision.NEEDS_DECISION:
        abort(409, description=_("Сначала выберите контрагента"))
    dead = _dead_job(portal.id, req.id)
    if dead is not None:
        requeue([dead.id], portal_id=portal.id)
    else:
        enqueue_push(portal.id, req.id)
        twin = db.session.scalars(
            select(Job).where(
                Job.dedupe_key == f"onec.push_request:{portal.id}:{req.id}", Job.status == JobStatus.QUEUED
            )
        ).first()
        if twin is not None:
            _now(twin)
    db.session.commit()
    return jsonify(queued=True)


@bp.post("/frame-api/onec/refresh")
@frame_api
def refresh_from_onec():
    """Read the 1C change feed now rather than at the next scheduled pull."""
    portal = g.call.portal
    connection = connection_of(portal)
    if connection is None or not connection.configured:
        abort(409, description=_("1С не подключена"))
    _now(enqueue("onec.pull", {}, portal_id=portal.id, dedupe_key=f"periodic:onec.pull:{portal.id}"))
    db.session.commit()
    return jsonify(queued=True)
