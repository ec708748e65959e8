"""The «Ответ клиенту» button above the request's timeline (CRM_DYNAMIC_<etid>_DETAIL_ACTIVITY): a
slider with the knowledge-base suggestions and reply templates for this request, inserted into the
reply with one click, as in the card's tab, without leaving the timeline."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .card import CardContext
from .card_kb import kb_section
from .frames import frame_headers, validate_frame
from .request_tab import card_request

bp = Blueprint("reply", __name__)
bp.after_request(frame_headers)


@bp.post("/placements/reply")
def reply():
    frame = validate_frame()
    _b24_id, req = card_request(frame)
    data = None
    if req is not None:
        data = kb_section(CardContext(frame.portal, req, frame.user.id, frame.user.is_admin, frame.lang))
    return render_template(
        "frames/reply.html",
        req=req,
        data=data,
        frame_token=frame.token,
        sdk_url=current_app.config["SETTINGS"].b24_js_sdk_url,
    )
