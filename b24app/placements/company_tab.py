"""The tab in a company's or a contact's card: the client's requests across channels, from the local
mirror (a person without a company is found by their contact card)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ServiceRequest
from ..services.fields import CHANNELS, REQUEST_TYPES
from ..services.stages import STATE_LABELS
from .frames import frame_headers, validate_frame

bp = Blueprint("company_tab", __name__)
bp.after_request(frame_headers)
OPEN_STATES = ("new", "in_work", "waiting")


def _labels(options: tuple[tuple[str, str, str], ...]) -> dict[str, str]:
    """code → label of a list field, in the frame's language."""
    english = str(get_locale() or "ru") == "en"
    return {code: en if english else ru for code, ru, en in options}


def _client_tab(column, empty: str):
    """The requests of one company or contact (the card's ID), newest first."""
    frame = validate_frame()
    try:
        client_id = int(frame.options.get("ID", 0))
    except (TypeError, ValueError):
        client_id = 0
    if client_id <= 0:
        abort(400, description=_("В PLACEMENT_OPTIONS нет ID карточки."))
    requests = db.session.scalars(
        select(ServiceRequest)
        .where(
            ServiceRequest.portal_id == frame.portal.id,
            column == client_id,
            ServiceRequest.deleted.is_(False),
        )
        .order_by(ServiceRequest.created_time.desc())
        .limit(200)
    ).all()
    return render_template(
        "frames/company_tab.html",
        requests=requests,
        open_count=sum(1 for r in requests if r.state in OPEN_STATES),
        empty=str(empty),  # resolved in the frame's language, then escaped like any text
        states=STATE_LABELS,
        types=_labels(REQUEST_TYPES),
        channels=_labels(CHANNELS),
        etid=(frame.portal.settings or {}).get("smart_process", {}).get("entity_type_id"),
        frame_token=frame.token,
        sdk_url=current_app.config["SETTINGS"].b24_js_sdk_url,
    )


@bp.post("/placements/company-tab")
def company_tab():
    return _client_tab(ServiceRequest.company_id, _l("У этой компании ещё нет обращений."))


@bp.post("/placements/contact-tab")
def contact_tab():
    return _client_tab(ServiceRequest.contact_id, _l("У этого контакта ещё нет обращений."))
