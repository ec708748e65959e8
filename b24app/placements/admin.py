"""The app's main page for admins: first-visit setup of the smart process and the stage mapping."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request

from ..bitrix.errors import B24Error
from ..extensions import db
from ..models import RequestState
from ..services.portals import client_for
from ..services.setup import run_setup
from ..services.stages import STATE_LABELS
from .admin_tabs import tabs_for
from .frames import admin_required, frame_api, frame_headers, validate_frame

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__)
bp.after_request(frame_headers)


@bp.post("/app/")
def main_page():
    frame = validate_frame()
    portal = frame.portal
    settings = current_app.config["SETTINGS"]
    report = None
    if not (portal.settings or {}).get("smart_process") and frame.user.is_admin:
        try:
            report = run_setup(portal, client_for(portal.id, settings), settings.app_base_url)
        except B24Error as exc:
            db.session.rollback()
            log.warning("setup of %s failed: %s", portal.domain, exc)
            abort(502, description=f"Не удалось настроить смарт-процесс в Битрикс24: {exc}")
        db.session.commit()
    data = portal.settings or {}
    return render_template(
        "frames/admin.html",
        user=frame.user,
        configured=bool(data.get("smart_process")),
        smart=data.get("smart_process", {}),
        fields=data.get("fields", {}),
        stages=sorted(data.get("stages", []), key=lambda s: s.get("sort", 0)),
        stage_map=data.get("stage_map", {}),
        state_labels=STATE_LABELS,
        report=report,
        tabs=tabs_for(frame.user.is_admin),
        frame_token=frame.token,
        sdk_url=settings.b24_js_sdk_url,
    )


@bp.post("/frame-api/admin/stage-map")
@frame_api
def save_stage_map():
    call = g.call
    admin_required(call)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("stage_map"), dict):
        abort(400, description='expected {"stage_map": {stage id: state}}')
    portal = call.portal
    known = {s["status_id"] for s in (portal.settings or {}).get("stages", [])}
    mapping = body["stage_map"]
    unknown = sorted(set(mapping) - known)
    bad = sorted(k for k, v in mapping.items() if v not in RequestState.ALL)
    if unknown or bad:
        return jsonify(
            error="invalid_mapping",
            unknown_stages=unknown,
            invalid_states=bad,
            message="Неизвестные стадии или состояния",
        ), 400
    settings = dict(portal.settings)
    settings["stage_map"] = {**settings.get("stage_map", {}), **mapping}
    portal.settings = settings
    db.session.commit()
    return jsonify(stage_map=settings["stage_map"])
