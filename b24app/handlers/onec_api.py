"""The API the app publishes for 1C (docs/app-1c-api.openapi.yaml): pushes of changes, what the app
knows about a request, health. Every error answers `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..jobs.queue import enqueue
from ..models import OneCConnection, Portal, PortalStatus, ServiceRequest, utcnow
from ..services.onec_feed import store_item
from ..services.onec_link import signature_matches, verify_push_token
from ..services.onec_rules import STATUS_FOR_STATE

log = logging.getLogger(__name__)
bp = Blueprint("onec_api", __name__, url_prefix="/api/1c/v1")

API_VERSION = "1.0"
BOM = b"\xef\xbb\xbf"
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 1000
MAX_SEQ = 2**63 - 1
KNOWN_TYPES = frozenset(
    {"request.status_changed", "request.updated", "counterparty.updated", "interaction.added"}
)
# The app's states in the words of the contract (AppRequest.state).
STATE_FOR_1C = STATUS_FOR_STATE
PULL_AFTER_PUSH_SECONDS = 5


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def error_answer(status: int, code: str, message: str, details: dict[str, Any] | None = None):
    return jsonify(error={"code": code, "message": message, "details": details or {}}), status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    db.session.rollback()
    if exc.status >= 400:
        log.warning("1C API %s %s: %s %s", request.method, request.path, exc.code, exc.message)
    return error_answer(exc.status, exc.code, exc.message, exc.details)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_answer(exc.code or 500, exc.name.upper().replace(" ", "_"), exc.description or exc.name)


def _authorized_connection() -> OneCConnection:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "UNAUTHORIZED", "Authorization: Bearer <token> is required")
    connection = verify_push_token(token.strip())
    if connection is None:
        raise ApiError(401, "UNAUTHORIZED", "invalid token")
    portal = db.session.get(Portal, connection.portal_id)
    if portal is None or portal.status == PortalStatus.UNINSTALLED:
        raise ApiError(401, "UNAUTHORIZED", "the portal of this token is not installed")
    return connection


def _raw_body() -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, "TOO_LARGE", f"the body exceeds {MAX_BODY_BYTES} bytes: send a smaller batch")
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, "TOO_LARGE", f"the body exceeds {MAX_BODY_BYTES} bytes: send a smaller batch")
    return body


def parse_items(body: bytes) -> list[dict[str, Any]]:
    """The items of a push, every one checked before any is stored; raises ApiError naming the problem."""
    # 1C writes a BOM by default and often sends no charset: the body is UTF-8 regardless.
    try:
        decoded = body.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "BAD_PAYLOAD", f"the body is not UTF-8 (byte {exc.start})") from exc
    try:
        document = json.loads(decoded)
    except ValueError as exc:
        raise ApiError(400, "BAD_PAYLOAD", f"the body is not JSON: {exc}") from exc
    if not isinstance(document, dict) or "items" not in document:
        raise ApiError(400, "BAD_PAYLOAD", 'the body must be an object {"items": [...]}')
    items = document["items"]
    if not isinstance(items, list):
        raise ApiError(400, "BAD_PAYLOAD", "items must be a list", {"field": "items"})
    if not items:
        raise ApiError(400, "BAD_PAYLOAD", "items is empty", {"field": "items"})
    if len(items) > MAX_ITEMS:
        raise ApiError(413, "TOO_LARGE", f"at most {MAX_ITEMS} items per push", {"items": len(items)})
    for i, item in enumerate(items):
        _check_item(i, item)
    return items


def _check_item(i: int, item: Any) -> None:
    def bad(field: str, message: str) -> ApiError:
        return ApiError(400, "BAD_PAYLOAD", f"items[{i}].{field} {message}", {"field": f"items[{i}].{field}"})

    if not isinstance(item, dict):
        raise ApiError(400, "BAD_PAYLOAD", f"items[{i}] must be an object", {"field": f"items[{i}]"})
    if "seq" not in item:
        raise bad("seq", "is required")
    seq = item["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise bad("seq", "must be an integer")
    if not 0 <= seq <= MAX_SEQ:
        raise bad("seq", "is out of range")
    if "type" not in item:
        raise bad("type", "is required")
    if not isinstance(item["type"], str) or not item["type"].strip():
        raise bad("type", "must be a non-empty string")
    if len(item["type"]) > 64:
        raise bad("type", "is longer than 64 characters")
    for field in ("ref", "external_id"):
        value = item.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > 64):
            raise bad(field, "must be a string of at most 64 characters")
    if item.get("data") is not None and not isinstance(item["data"], dict):
        raise bad("data", "must be an object")


@bp.post("/events")
def receive_events():
    connection = _authorized_connection()
    body = _raw_body()
    # The signature covers the bytes as sent, BOM included.
    if not signature_matches(connection, body, request.headers.get("X-Signature")):
        raise ApiError(403, "BAD_SIGNATURE", "X-Signature does not match the body")
    items = parse_items(body)
    accepted: list[int] = []
    unknown: set[str] = set()
    try:
        for item in items:
            if item["type"] not in KNOWN_TYPES:
                unknown.add(item["type"])
            if item["seq"] in accepted:
                continue
            accepted.append(item["seq"])
            row, new = store_item(connection.portal_id, item)
            if new:
                enqueue(
                    "onec.apply",
                    {"inbox_id": row.id},
                    portal_id=connection.portal_id,
                    dedupe_key=f"onec.apply:{row.id}",
                )
        # Pushes are hints: the pull right after reconciles anything a push missed.
        enqueue(
            "onec.pull",
            {},
            portal_id=connection.portal_id,
            dedupe_key=f"periodic:onec.pull:{connection.portal_id}",
            run_at=utcnow() + timedelta(seconds=PULL_AFTER_PUSH_SECONDS),
        )
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.exception("portal %s: cannot store a push from 1C", connection.portal_id)
        message = "the app cannot store the items now; send them again later"
        raise ApiError(503, "UNAVAILABLE", message) from exc
    answer: dict[str, Any] = {"accepted": accepted}
    if unknown:
        answer["unknown_types"] = sorted(unknown)
    return jsonify(answer), 202


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


@bp.get("/requests/<ref>")
def request_info(ref: str):
    connection = _authorized_connection()
    row = db.session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.portal_id == connection.portal_id,
            ServiceRequest.onec_ref == ref,
            ServiceRequest.deleted.is_(False),
        )
    ).first()
    if row is None:
        raise ApiError(404, "NOT_FOUND", "the app knows no request with this ref", {"ref": ref})
    answer: dict[str, Any] = {
        "ref": row.onec_ref,
        "b24_item_id": row.b24_id,
        "stage_id": row.stage_id,
        "state": STATE_FOR_1C.get(row.state, row.state),
        "updated_at": _utc(row.updated_time or row.mirrored_at),
    }
    if row.onec_number:
        answer["number"] = row.onec_number
    if row.assigned_name:
        answer["responsible"] = row.assigned_name
    return jsonify(answer), 200


@bp.get("/health")
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return error_answer(503, "UNAVAILABLE", "the database is not reachable")
    return jsonify(status="ok", api=API_VERSION, time=_utc(utcnow())), 200
