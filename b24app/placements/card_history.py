"""The «История клиента» section of the request tab: the client's other requests across channels (the
contact's, else the company's), newest first, with how many are open and how the client rated us."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import ServiceRequest, Survey
from ..services.fields import CHANNELS
from ..services.stages import STATE_LABELS
from .card import CardContext, section

SHOWN = 5
OPEN_STATES = ("new", "in_work", "waiting")


def _same_client(req: ServiceRequest):
    if req.contact_id and req.company_id:
        return or_(ServiceRequest.contact_id == req.contact_id, ServiceRequest.company_id == req.company_id)
    if req.contact_id:
        return ServiceRequest.contact_id == req.contact_id
    return ServiceRequest.company_id == req.company_id


@section(60, "history", "frames/sections/history.html")
def history_section(ctx: CardContext) -> dict[str, Any] | None:
    req = ctx.request
    if not req.contact_id and not req.company_id:
        return None
    others = (
        ServiceRequest.portal_id == req.portal_id,
        ServiceRequest.id != req.id,
        ServiceRequest.deleted.is_(False),
        _same_client(req),
    )
    total, open_count = db.session.execute(
        select(
            func.count(),
            func.count().filter(ServiceRequest.state.in_(OPEN_STATES)),
        ).where(*others)
    ).one()
    if not total:
        return None
    recent = db.session.scalars(
        select(ServiceRequest).where(*others).order_by(ServiceRequest.created_time.desc()).limit(SHOWN)
    ).all()
    csat = db.session.execute(
        select(func.avg(Survey.score), func.count(Survey.score))
        .join(ServiceRequest, ServiceRequest.id == Survey.request_id)
        .where(*others, Survey.score.is_not(None))
    ).one()
    english = ctx.lang == "en"
    return {
        "total": total,
        "open": open_count,
        "csat": round(float(csat[0]), 1) if csat[1] else None,
        "rated": csat[1],
        "rows": recent,
        "states": STATE_LABELS,
        "channels": {code: en if english else ru for code, ru, en in CHANNELS},
        "etid": (ctx.portal.settings or {}).get("smart_process", {}).get("entity_type_id"),
    }
