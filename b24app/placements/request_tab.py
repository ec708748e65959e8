"""The request tab in the card of a request: rendered from the local mirror, never from a live call."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..jobs.queue import enqueue
from ..models import ServiceRequest
from ..services.fields import REQUEST_TYPES, URGENCIES
from ..services.stages import STATE_LABELS
from .card import CardContext, render_sections
from .frames import Frame, frame_api, frame_headers, validate_frame

bp = Blueprint("request_tab", __name__)
bp.after_request(frame_headers)


def _mirrored(portal_id: int, b24_id: int) -> ServiceRequest | None:
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.portal_id == portal_id, ServiceRequest.b24_id == b24_id)
    ).first()


def card_request(frame: Frame) -> tuple[int, ServiceRequest | None]:
    """The request a card placement was opened for (its options' ID; 400 without one), from the mirror."""
    try:
        b24_id = int(frame.options.get("ID", 0))
    except (TypeError, ValueError):
        b24_id = 0
    if b24_id <= 0:
        abort(400, description=_("В PLACEMENT_OPTIONS нет ID обращения."))
    return b24_id, mirrored_or_synced(frame.portal.id, b24_id)


def mirrored_or_synced(portal_id: int, b24_id: int) -> ServiceRequest | None:
    """The request from the mirror; when it is not there yet, its sync is queued (urgently: someone is
    looking at its card) and None is returned."""
    req = _mirrored(portal_id, b24_id)
    if req is None:
        enqueue(
            "request.sync",
            {"b24_id": b24_id},
            portal_id=portal_id,
            dedupe_key=f"request.sync:{portal_id}:{b24_id}",
            priority=10,
        )
        db.session.commit()
    return req


def _stage_name(portal, stage_id: str) -> str:
    for stage in (portal.settings or {}).get("stages", []):
        if stage.get("status_id") == stage_id:
            return stage.get("name") or stage_id
    return stage_id or "—"


def _label(options: tuple[tuple[str, str, str], ...], code: str | None) -> str:
    for xml_id, ru, en in options:
        if xml_id == code:
            return en if g.get("lang") == "en" else ru
    return code or "—"


@bp.post("/placements/request-tab")
def request_tab():
    frame = validate_frame()
    b24_id, req = card_request(frame)
    sections = (
        render_sections(CardContext(frame.portal, req, frame.user.id, frame.user.is_admin, frame.lang))
        if req
        else []
    )
    return render_template(
        "frames/request_tab.html",
        req=req,
        sections=sections,
        b24_id=b24_id,
        stage_name=_stage_name(frame.portal, req.stage_id) if req else "",
        state_label=STATE_LABELS.get(req.state, req.state) if req else "",
        type_label=_label(REQUEST_TYPES, req.request_type) if req else "",
        urgency_label=_label(URGENCIES, req.urgency) if req else "",
        frame_token=frame.token,
        sdk_url=current_app.config["SETTINGS"].b24_js_sdk_url,
    )


@bp.get("/frame-api/requests/<int:b24_id>")
@frame_api
def request_json(b24_id: int):
    portal = g.call.portal
    req = _mirrored(portal.id, b24_id)
    if req is None:
        return jsonify(request=None)
    return jsonify(
        request={
            "id": req.b24_id,
            "title": req.title,
            "client": req.company_title or req.contact_name,
            "stage_id": req.stage_id,
            "stage_name": _stage_name(portal, req.stage_id),
            "state": req.state,
            "responsible": req.assigned_name,
        }
    )
