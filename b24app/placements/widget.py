"""The compact widget in the request card's field column: a field of the app's own type, which
Bitrix24 renders with the placement USERFIELD_TYPE. At a glance: the SLA state with its countdown, the
1C number and status (or what stops the exchange), the state and the responsible.

Rendered from the local mirror only, like the request tab; the field holds no value of its own.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import Decision, ServiceRequest
from ..services.onec_link import connection_of
from ..services.onec_rules import STATUS_TITLES
from ..services.onec_sync import link_of
from ..services.stages import STATE_LABELS
from .card import CardContext
from .card_sla import sla_section
from .frames import Frame, frame_headers, validate_frame
from .request_tab import mirrored_or_synced

bp = Blueprint("widget", __name__)
bp.after_request(frame_headers)


def _item_id(frame: Frame) -> int:
    """The item the card shows; 0 for a card not saved yet. Aborts when the field is not on a request."""
    options = frame.options
    smart = (frame.portal.settings or {}).get("smart_process") or {}
    entity = str(options.get("ENTITY_ID") or "")
    if not smart.get("id") or entity != f"CRM_{smart['id']}":
        # An admin may add the field to another entity's card: it shows nothing there.
        abort(400, description=_("Это поле показывает только обращения сервис-деска."))
    try:
        return max(0, int(options.get("ENTITY_VALUE_ID") or 0))
    except (TypeError, ValueError):
        abort(400, description=_("В PLACEMENT_OPTIONS нет ENTITY_VALUE_ID."))


def _onec(frame: Frame, req: ServiceRequest) -> dict[str, Any] | None:
    connection = connection_of(frame.portal)
    if connection is None or not connection.configured:
        return None
    link = link_of(req)
    problem = None
    if link is not None and link.problems:
        problem = _l("не хватает данных для 1С")
    elif link is not None and link.decision == Decision.NEEDS_DECISION:
        problem = _l("выберите контрагента")
    elif link is not None and link.last_error:
        problem = _l("ошибка обмена")
    return {
        "number": req.onec_number,
        "status": STATUS_TITLES.get(req.onec_status or "", req.onec_status),
        "problem": problem,
    }


@bp.post("/placements/widget")
def widget():
    frame = validate_frame()
    if frame.placement != "USERFIELD_TYPE":
        abort(400, description=_("Этот адрес открывает поле карточки (USERFIELD_TYPE)."))
    b24_id = _item_id(frame)
    req = mirrored_or_synced(frame.portal.id, b24_id) if b24_id else None
    ctx = CardContext(frame.portal, req, frame.user.id, frame.user.is_admin, frame.lang) if req else None
    return render_template(
        "frames/widget.html",
        b24_id=b24_id,
        req=req,
        sla=sla_section(ctx) if ctx else None,
        onec=_onec(frame, req) if req else None,
        state_label=STATE_LABELS.get(req.state, req.state) if req else "",
        frame_token=frame.token,
        sdk_url=current_app.config["SETTINGS"].b24_js_sdk_url,
    )
