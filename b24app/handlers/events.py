"""POST /b24/events: every Bitrix24 event, verified, stored in the inbox and queued within milliseconds."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from ..bitrix.forms import parse_php_form
from ..extensions import db
from ..jobs.queue import enqueue
from ..models import InboxEvent, Portal, PortalStatus
from ..services import lifecycle
from ..services.portals import PortalRejected, find_portal, tokens_match

log = logging.getLogger(__name__)
bp = Blueprint("events", __name__)

LIFECYCLE = {"ONAPPINSTALL", "ONAPPUPDATE", "ONAPPUNINSTALL"}
REQUIRED_AUTH = ("member_id", "application_token", "domain")
# Token fields are never stored with the event: the app keeps its own pair, encrypted.
SECRET_AUTH_KEYS = {"access_token", "refresh_token", "application_token"}


class BadEvent(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.post("/b24/events")
def receive():
    try:
        payload = _parse(request)
        name = payload["event"].upper()
        result = _lifecycle(name, payload) if name in LIFECYCLE else _accept(name, payload, payload["auth"])
    except BadEvent as exc:
        db.session.rollback()
        log.warning("event rejected (%s): %s", exc.code, exc.message)
        return jsonify(error=exc.code, message=exc.message), exc.status
    except PortalRejected as exc:
        db.session.rollback()
        return jsonify(error="portal_rejected", message=str(exc)), 401
    return jsonify(result), 200


def _parse(req) -> dict[str, Any]:
    if req.mimetype != "application/x-www-form-urlencoded":
        raise BadEvent(400, "bad_content_type", "events are form-encoded (application/x-www-form-urlencoded)")
    try:
        payload = parse_php_form(req.form.items(multi=True))
    except ValueError as exc:
        raise BadEvent(400, "malformed_form", str(exc)) from exc
    if not isinstance(payload.get("event"), str) or not payload["event"].strip():
        raise BadEvent(400, "no_event", "the form has no event name")
    auth = payload.get("auth")
    if not isinstance(auth, dict):
        raise BadEvent(400, "no_auth", "the form has no auth[...] fields")
    missing = [k for k in REQUIRED_AUTH if not isinstance(auth.get(k), str) or not auth.get(k)]
    if missing:
        raise BadEvent(400, "incomplete_auth", f"auth lacks {', '.join(missing)}")
    if "data" in payload and not isinstance(payload["data"], dict):
        raise BadEvent(400, "malformed_data", "data must be a set of fields")
    return payload


def _verified_portal(auth: dict[str, Any]) -> Portal:
    portal = find_portal(auth["member_id"])
    if portal is None or portal.status == PortalStatus.UNINSTALLED:
        raise BadEvent(401, "unknown_portal", "no installation with this member_id")
    if not tokens_match(portal.application_token, auth["application_token"]):
        raise BadEvent(401, "bad_application_token", "application_token does not match the installation")
    return portal


def dedupe_key(payload: dict[str, Any]) -> str:
    """Identical deliveries (the same event, data, handler and timestamp) collapse into one."""
    basis = json.dumps(
        [
            payload.get("event", "").upper(),
            payload.get("event_handler_id"),
            payload.get("ts"),
            payload.get("data"),
        ],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(basis.encode()).hexdigest()


def stored_payload(payload: dict[str, Any]) -> dict[str, Any]:
    auth = {k: v for k, v in payload.get("auth", {}).items() if k not in SECRET_AUTH_KEYS}
    return {**payload, "auth": auth}


def _accept(name: str, payload: dict[str, Any], auth: dict[str, Any]) -> dict[str, Any]:
    portal = _verified_portal(auth)
    digest = dedupe_key(payload)[:51]  # leaves room for ":<suffix>" in the 64-character column
    # An identical delivery still waiting to be processed adds nothing: that processing re-reads the
    # object anyway. Once it has been processed, an identical payload is a new change (two updates of
    # one item within the same second look the same) and is accepted under a fresh key.
    seen = db.session.execute(
        select(InboxEvent.id, InboxEvent.processed_at)
        .where(InboxEvent.portal_id == portal.id, InboxEvent.dedupe_key.like(f"{digest}%"))
        .order_by(InboxEvent.id.desc())
    ).first()
    if seen is not None and seen.processed_at is None:
        return {"status": "duplicate", "inbox_id": seen.id}
    key = digest if seen is None else f"{digest}:{uuid.uuid4().hex[:12]}"
    inbox = InboxEvent(
        portal_id=portal.id,
        event=name,
        dedupe_key=key,
        payload=stored_payload(payload),
        made_by_robot=not auth.get("access_token"),
    )
    db.session.add(inbox)
    db.session.flush()
    enqueue("b24.event", {"inbox_id": inbox.id}, portal_id=portal.id)
    db.session.commit()
    return {"status": "accepted", "inbox_id": inbox.id}


def _lifecycle(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    settings = current_app.config["SETTINGS"]
    auth = payload["auth"]
    if name == "ONAPPINSTALL":
        portal = lifecycle.on_install_event(payload, settings)
    elif name == "ONAPPUPDATE":
        portal = lifecycle.on_update_event(payload, settings)
    else:
        portal = _verified_portal(auth)
        lifecycle.on_uninstall(portal, clean=str(payload.get("data", {}).get("CLEAN", "0")) == "1")
    db.session.commit()
    return {"status": "accepted", "portal": portal.member_id}
