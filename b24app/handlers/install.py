"""The install wizard page: a frame POST that stores the tokens, binds placements and events, then
lets the page call BX24.installFinish() (until then the portal shows no widget and sends no event)."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext as _

from ..bitrix.errors import B24Error
from ..bitrix.frames import MalformedFrame, parse_frame
from ..extensions import db
from ..models import PortalStatus
from ..placements.frames import frame_headers
from ..services import lifecycle
from ..services.portals import PortalRejected, client_for
from ..services.setup import bind_placements

log = logging.getLogger(__name__)
bp = Blueprint("install", __name__)
bp.after_request(frame_headers)


@bp.post("/install/")
def install():
    settings = current_app.config["SETTINGS"]
    try:
        frame = parse_frame(request.args, request.form)
        portal = lifecycle.install_from_frame(frame, settings)
    except MalformedFrame as exc:
        abort(400, description=str(exc))
    except PortalRejected as exc:
        db.session.rollback()
        abort(401, description=str(exc))
    g.lang = frame.lang
    g.frame_ancestor = portal.base_url
    db.session.commit()
    client = client_for(portal.id, settings)
    try:
        if not client.call("user.admin").result:
            abort(403, description=_("Установить приложение может только администратор портала."))
        bound = bind_placements(portal, client, settings.app_base_url)
    except B24Error as exc:
        log.warning("install on %s: binding failed: %s", portal.domain, exc)
        abort(502, description=_("Битрикс24 не принял привязку обработчиков: %(error)s", error=exc))
    if portal.status == PortalStatus.INSTALLING:
        portal.status = PortalStatus.ACTIVE
    db.session.commit()
    return render_template(
        "frames/install.html",
        portal=portal,
        bound=bound,
        already=[],
        sdk_url=settings.b24_js_sdk_url,
        frame_token="",
    )
