"""Frames: validation of Bitrix24 frame POSTs, short-lived signed frame tokens, and framing rules.

Third-party cookies are blocked in iframes by several browsers, so a validated frame gets a signed
token that its page sends in the X-Frame-Token header with every JSON call.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from ..bitrix.errors import B24Error
from ..bitrix.frames import FramePost, MalformedFrame, parse_frame
from ..extensions import db
from ..models import Portal, PortalStatus
from ..services.portals import find_portal, tokens_match, user_client

log = logging.getLogger(__name__)
FRAME_TOKEN_HEADER = "X-Frame-Token"


@dataclass(frozen=True)
class FrameUser:
    id: int
    name: str
    is_admin: bool


@dataclass(frozen=True)
class Frame:
    portal: Portal
    user: FrameUser
    placement: str
    options: dict[str, Any]
    lang: str
    token: str


class _UserCache:
    """user.current answers per access token, kept for the token's lifetime (one process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, FrameUser]] = {}

    def get(self, key: str) -> FrameUser | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry[0] > time.time():
                return entry[1]
            self._entries.pop(key, None)
            return None

    def put(self, key: str, user: FrameUser, ttl: float) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                now = time.time()
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            self._entries[key] = (time.time() + ttl, user)


user_cache = _UserCache()


def _signing_key() -> OctKey:
    secret = current_app.config["SECRET_KEY"]
    return OctKey.import_key(hashlib.sha256(f"frame-token:{secret}".encode()).digest())


def issue_token(portal: Portal, user: FrameUser, placement: str, options: dict[str, Any], lang: str) -> str:
    ttl = current_app.config["SETTINGS"].frame_token_ttl
    now = int(time.time())
    claims = {
        "pid": portal.id,
        "uid": user.id,
        "name": user.name,
        "adm": user.is_admin,
        "plc": placement,
        "opt": options,
        "lang": lang,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode({"alg": "HS256"}, claims, _signing_key())


def read_token(token: str) -> dict[str, Any]:
    try:
        decoded = jwt.decode(token, _signing_key(), algorithms=["HS256"])
        JWTClaimsRegistry(exp={"essential": True}, pid={"essential": True}).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise PermissionError(str(exc)) from exc
    return decoded.claims


def _resolve_user(portal: Portal, frame: FramePost) -> FrameUser:
    key = hashlib.sha256(f"{portal.id}:{frame.auth_id}".encode()).hexdigest()
    cached = user_cache.get(key)
    if cached:
        return cached
    client = user_client(portal, frame.auth_id, current_app.config["SETTINGS"])
    try:
        outcome = client.batch({"me": ("user.current", {}), "admin": ("user.admin", {})})
    except B24Error as exc:
        log.warning("frame on %s: user.current failed: %s", portal.domain, exc)
        abort(401, description=_("Битрикс24 не подтвердил пользователя: откройте страницу заново."))
    me = outcome.results.get("me")
    if not isinstance(me, dict) or not me.get("ID"):
        abort(401, description=_("Битрикс24 не подтвердил пользователя: откройте страницу заново."))
    name = " ".join(p for p in (me.get("NAME"), me.get("LAST_NAME")) if p) or f"#{me['ID']}"
    user = FrameUser(id=int(me["ID"]), name=name, is_admin=bool(outcome.results.get("admin")))
    user_cache.put(key, user, ttl=max(60, frame.auth_expires - 60))
    return user


def validate_frame(*, allow_installing: bool = False) -> Frame:
    """Check a frame POST (BITRIX24.md §2) and learn its user; aborts with 400/401 otherwise."""
    try:
        post = parse_frame(request.args, request.form)
    except MalformedFrame as exc:
        abort(400, description=str(exc))
    g.lang = post.lang  # errors below read in the user's language
    portal = find_portal(post.member_id)
    usable = (PortalStatus.ACTIVE, PortalStatus.INSTALLING) if allow_installing else (PortalStatus.ACTIVE,)
    if portal is None or portal.status not in usable:
        abort(401, description=_("Приложение не установлено на этом портале."))
    if portal.domain != post.domain:
        abort(401, description=_("Адрес портала не совпадает с адресом, на который установлено приложение."))
    if not tokens_match(portal.application_token, post.application_token):
        abort(401, description=_("Токен приложения не совпадает с установкой."))
    user = _resolve_user(portal, post)
    g.lang = post.lang
    g.frame_ancestor = portal.base_url
    token = issue_token(portal, user, post.placement, post.options, post.lang)
    return Frame(
        portal=portal, user=user, placement=post.placement, options=post.options, lang=post.lang, token=token
    )


@dataclass(frozen=True)
class FrameCall:
    portal: Portal
    user_id: int
    user_name: str
    is_admin: bool
    claims: dict[str, Any]


def frame_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """A JSON endpoint called from a frame page: needs a valid frame token; sets g.call."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = request.headers.get(FRAME_TOKEN_HEADER, "")
        if not token:
            abort(401, description=_("Нет токена страницы: откройте её из портала заново."))
        try:
            claims = read_token(token)
        except PermissionError:
            abort(401, description=_("Сеанс страницы истёк: откройте вкладку заново."))
        portal = db.session.get(Portal, claims["pid"])
        if portal is None or portal.status != PortalStatus.ACTIVE:
            abort(401, description=_("Приложение не установлено на этом портале."))
        g.lang = claims.get("lang", "ru")
        g.call = FrameCall(
            portal, int(claims["uid"]), claims.get("name", ""), bool(claims.get("adm")), claims
        )
        return view(*args, **kwargs)

    return wrapper


def admin_required(call: FrameCall) -> None:
    if not call.is_admin:
        abort(403, description=_("Это может сделать только администратор портала."))


def frame_headers(response):
    """Frames may be embedded by their own portal only; never X-Frame-Options."""
    ancestor = getattr(g, "frame_ancestor", None)
    settings = current_app.config["SETTINGS"]
    sdk = urlsplit(
        settings.b24_js_sdk_url if "://" in settings.b24_js_sdk_url else "https:" + settings.b24_js_sdk_url
    )
    sdk_origin = f"{sdk.scheme}://{sdk.netloc}"
    ancestors = ancestor or "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {sdk_origin}; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; connect-src 'self'; frame-ancestors {ancestors}; "
        "base-uri 'none'; form-action 'self'"
    )
    response.headers.pop("X-Frame-Options", None)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def public_headers(response, *, frame_ancestors: str = "'none'", referrer: str = "same-origin"):
    """Pages for clients (survey, web form): own scripts and styles only, never cached; framed only
    where `frame_ancestors` allows (the web form is made to be embedded on the company's site)."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors}; base-uri 'none'"
    )
    if frame_ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = referrer
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
