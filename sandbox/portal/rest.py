"""The REST endpoint: method registry, auth, limits, scopes and the answer envelope."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from sandbox.portal.errors import RestError
from sandbox.portal.limits import check_operating, operating_info, spend_operating, take_bucket
from sandbox.portal.params import parse_pairs
from sandbox.portal.state import Actor, Portal, to_iso

# Scopes every app has without asking (batch, event.*, app.info, scope).
IMPLICIT_SCOPE = "basic"


@dataclass
class ListResult:
    """A list answer: rows plus the `total` and `next` of the envelope."""

    rows: Any
    total: int | None = None
    next: int | None = None


@dataclass
class CallContext:
    portal: Portal
    user_id: int
    auth_type: str  # "oauth" (application context) or "webhook"
    access_token: str = ""
    scope: set[str] = field(default_factory=set)

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id)

    @property
    def is_admin(self) -> bool:
        return self.portal.is_admin(self.user_id)


Handler = Callable[[CallContext, dict[str, Any]], Any]


@dataclass
class MethodSpec:
    name: str
    handler: Handler
    scope: str
    admin: bool = False
    app_only: bool = False


METHODS: dict[str, MethodSpec] = {}


def method(
    name: str, scope: str, admin: bool = False, app_only: bool = False
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name.lower()] = MethodSpec(name.lower(), fn, scope, admin, app_only)
        return fn

    return register


def find_method(name: str) -> MethodSpec:
    spec = METHODS.get(name.lower().removesuffix(".json"))
    if spec is None:
        raise RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)
    return spec


def execute(ctx: CallContext, spec: MethodSpec, params: dict[str, Any]) -> Any:
    """Run one method after scope, rights and operating-time checks; the bucket is the caller's job."""
    if spec.scope != IMPLICIT_SCOPE and spec.scope not in ctx.scope:
        raise RestError("insufficient_scope", "The request requires higher privileges than provided.", 401)
    if spec.app_only and ctx.auth_type != "oauth":
        raise RestError("WRONG_AUTH_TYPE", "Current authorization type is denied for this method", 403)
    if spec.admin and not ctx.is_admin:
        raise RestError("ACCESS_DENIED", "Access denied! Application administrator rights required", 403)
    now = time.time()
    check_operating(ctx.portal, spec.name, now)
    try:
        with ctx.portal.lock:
            return spec.handler(ctx, params)
    finally:
        with ctx.portal.lock:
            stats = ctx.portal.stats
            stats.calls += 1
            stats.calls_by_method[spec.name] = stats.calls_by_method.get(spec.name, 0) + 1
        spend_operating(ctx.portal, spec.name, now)


def time_block(portal: Portal, method_name: str, start: float) -> dict[str, Any]:
    finish = time.time()
    operating, reset_at = operating_info(portal, method_name, finish)
    return {
        "start": start,
        "finish": finish,
        "duration": finish - start,
        "processing": finish - start,
        "date_start": to_iso(start),
        "date_finish": to_iso(finish),
        "operating": operating,
        "operating_reset_at": int(reset_at),
    }


def request_params() -> dict[str, Any]:
    pairs = list(request.args.items(multi=True))
    params = parse_pairs(pairs)
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            params.update(body)
    else:
        params.update(parse_pairs(list(request.form.items(multi=True))))
    return params


def _error(exc: RestError) -> tuple[Response, int]:
    return jsonify(exc.body()), exc.status


def _answer(ctx: CallContext | None, spec: MethodSpec, params: dict[str, Any]) -> tuple[Response, int]:
    portal: Portal = current_app.config["PORTAL"]
    start = time.time()
    try:
        if ctx is None:
            token = portal.cloud.token_for_rest(portal, str(params.pop("auth", "") or ""))
            scope = {s.strip() for s in token.scope.split(",") if s.strip()}
            ctx = CallContext(portal, token.user_id, "oauth", token.access_token, scope)
        take_bucket(portal, start)
        result = execute(ctx, spec, params)
    except RestError as exc:
        return _error(exc)
    body: dict[str, Any] = {}
    if isinstance(result, ListResult):
        body["result"] = result.rows
        if result.next is not None:
            body["next"] = result.next
        if result.total is not None:
            body["total"] = result.total
    else:
        body["result"] = result
    body["time"] = time_block(portal, spec.name, start)
    return jsonify(body), 200


def create_rest_blueprint() -> Blueprint:
    bp = Blueprint("rest", __name__)

    @bp.route("/rest/<string:method_name>", methods=["GET", "POST"])
    def call(method_name: str):
        try:
            spec = find_method(method_name)
        except RestError as exc:
            return _error(exc)
        return _answer(None, spec, request_params())

    @bp.route("/rest/<int:user_id>/<string:code>/<string:method_name>", methods=["GET", "POST"])
    def call_webhook(user_id: int, code: str, method_name: str):
        portal: Portal = current_app.config["PORTAL"]
        if portal.webhooks.get(code) != user_id:
            return _error(RestError("INVALID_CREDENTIALS", "Invalid request credentials", 403))
        try:
            spec = find_method(method_name)
        except RestError as exc:
            return _error(exc)
        scope = {s.strip() for s in portal.cloud.scope.split(",")} | {"crm", "user", "department", "im"}
        ctx = CallContext(portal, user_id, "webhook", "", scope)
        return _answer(ctx, spec, request_params())

    return bp
