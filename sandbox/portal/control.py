"""Control API for scripts and tests: stats, settings, token expiry, headless install, logs."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from sandbox.portal.intake import REQUESTS_TITLE
from sandbox.portal.lifecycle import frame_for, install_headless, uninstall, update_app
from sandbox.portal.methods.crm_types import type_by_title
from sandbox.portal.methods.openlines import chats_with_messages, close_chat
from sandbox.portal.params import as_int
from sandbox.portal.seeding import seed_requests
from sandbox.portal.state import Portal, Stats


def _portal() -> Portal:
    return current_app.config["PORTAL"]


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _fail(message: str, status: int = 400):
    return jsonify({"error": message}), status


def create_control_blueprint() -> Blueprint:
    bp = Blueprint("control", __name__, url_prefix="/sandbox/api")

    @bp.get("/stats")
    def stats():
        portal = _portal()
        with portal.lock:
            return jsonify(portal.stats.as_dict())

    @bp.get("/openlines")
    def openlines():
        """Open-line chats with their messages (what the clients received in their messengers)."""
        return jsonify(chats_with_messages(_portal()))

    @bp.post("/openlines/<int:chat_id>/close")
    def close_openline(chat_id: int):
        if not close_chat(_portal(), chat_id):
            return _fail("no such chat", 404)
        return jsonify({"ok": True})

    @bp.post("/stats/reset")
    def stats_reset():
        portal = _portal()
        with portal.lock:
            portal.stats = Stats()
            portal.bucket_level = 0.0
            portal.operating.clear()
        return jsonify({"ok": True})

    @bp.post("/settings")
    def settings():
        portal = _portal()
        try:
            with portal.lock:
                portal.settings.update(_body())
        except (KeyError, TypeError, ValueError) as exc:
            return _fail(f"bad setting: {exc}")
        return jsonify(asdict(portal.settings))

    @bp.post("/expire-tokens")
    def expire_tokens():
        portal = _portal()
        return jsonify({"expired": portal.cloud.expire_tokens(portal)})

    @bp.post("/tokens")
    def tokens():
        portal = _portal()
        user_id = as_int(_body().get("user_id"), 1) or 1
        if user_id not in portal.users:
            return _fail("unknown user", 404)
        return jsonify(portal.cloud.token_answer(portal.cloud.issue_tokens(portal, user_id)))

    @bp.post("/webhook")
    def webhook():
        portal = _portal()
        user_id = as_int(_body().get("user_id"), 1) or 1
        code = secrets.token_hex(8)
        with portal.lock:
            portal.webhooks[code] = user_id
        return jsonify({"url": f"{portal.base_url}/rest/{user_id}/{code}/"})

    @bp.post("/install")
    def install():
        portal = _portal()
        if portal.cloud.app is None:
            return _fail("no app registered", 409)
        return jsonify(install_headless(portal))

    @bp.post("/update-app")
    def update():
        version = as_int(_body().get("version"))
        if version is None:
            return _fail("version is required")
        return jsonify(update_app(_portal(), version))

    @bp.post("/uninstall")
    def remove():
        return jsonify(uninstall(_portal(), bool(as_int(_body().get("clean"), 0))))

    @bp.post("/frame")
    def frame():
        """The POST a user's browser would send to open a placement (or the main page with DEFAULT)."""
        portal = _portal()
        body = _body()
        placement = str(body.get("placement") or "DEFAULT").upper()
        user_id = as_int(body.get("user_id"), 1) or 1
        handler = body.get("handler")
        if not handler and placement == "DEFAULT" and portal.cloud.app:
            handler = portal.cloud.app.handler_url
        if not handler:
            bound = [b for b in portal.placements if b.placement == placement]
            if not bound:
                return _fail("placement not bound", 404)
            handler = bound[0].handler
        lang = str(body.get("lang") or "ru")
        found = frame_for(portal, str(handler), user_id, placement, body.get("options") or {}, lang=lang)
        return jsonify({"url": found.url, "form": found.form})

    @bp.get("/notifications")
    def notifications():
        portal = _portal()
        user_id = as_int(request.args.get("user_id"))
        with portal.lock:
            rows = [n for n in portal.notifications if user_id is None or n["user_id"] == user_id]
        return jsonify(rows)

    @bp.get("/events-log")
    def events_log():
        portal = _portal()
        with portal.lock:
            return jsonify([asdict(d) for d in portal.deliveries])

    @bp.post("/wait-events")
    def wait_events():
        portal = _portal()
        idle = portal.events.wait_idle(float(_body().get("timeout", 5))) if portal.events else True
        return jsonify({"idle": idle})

    @bp.post("/seed-requests")
    def seed():
        portal = _portal()
        body = _body()
        etid = as_int(body.get("entity_type_id"))
        if etid is None:
            found = type_by_title(portal, REQUESTS_TITLE)
            if found is None:
                return _fail(f"smart process «{REQUESTS_TITLE}» does not exist yet", 409)
            etid = found["entityTypeId"]
        if etid not in portal.types:
            return _fail("unknown entity type", 404)
        items = seed_requests(portal, etid, robot=bool(body.get("robot")))
        return jsonify({"created": [i["id"] for i in items], "entity_type_id": etid})

    @bp.get("/state")
    def state():
        portal = _portal()
        with portal.lock:
            return jsonify(
                {
                    "member_id": portal.member_id,
                    "domain": portal.domain,
                    "app": asdict(portal.app),
                    "placements": [asdict(b) for b in portal.placements],
                    "event_bindings": [asdict(b) for b in portal.event_bindings],
                    "settings": asdict(portal.settings),
                }
            )

    return bp
