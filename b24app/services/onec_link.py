"""The portal's link to its 1C infobase: connection settings, the push token 1C calls back with,
the connection check and the exchange log every call to or from 1C is written to."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from onec_client import OneCAuthError, OneCClient, OneCError, OneCNotFound

from ..extensions import db
from ..i18n import Message, _m, render, store
from ..models import ExchangeLog, OneCConnection, Portal, utcnow


class OneCLinkError(ValueError):
    """The 1C connection settings are invalid or missing; the message says what to fix (kept as a
    message, so a page shows it in the reader's language; str() is the Russian text)."""

    def __init__(self, message: Message) -> None:
        super().__init__(render(message, translate=False))
        self.kept = message


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str  # a kept message (i18n.store): render() shows it in the reader's language
    server_time: datetime | None = None
    config: str | None = None


def connection_of(portal: Portal) -> OneCConnection | None:
    return db.session.scalars(select(OneCConnection).where(OneCConnection.portal_id == portal.id)).first()


def _connection_or_new(portal: Portal) -> OneCConnection:
    connection = connection_of(portal)
    if connection is None:
        connection = OneCConnection(portal_id=portal.id)
        db.session.add(connection)
    return connection


def set_connection(
    portal: Portal, base_url: str, username: str, password: str, tz: str | None = None
) -> OneCConnection:
    """Validate and store the 1C address and technical user (the password encrypted at rest)."""
    base_url = (base_url or "").strip().rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OneCLinkError(
            _m(
                "Адрес 1С должен начинаться с http:// или https:// и содержать имя сервера, например "
                "https://1c.example.ru/base/hs/servicedesk/v1 (указано: «%(url)s»)",
                url=base_url,
            )
        )
    username = (username or "").strip()
    if not username:
        raise OneCLinkError(_m("Не указан пользователь 1С"))
    # Basic auth of non-ASCII logins breaks in most HTTP clients and in 1C's web server.
    if not username.isascii():
        raise OneCLinkError(
            _m(
                "Имя пользователя 1С — только латиница и цифры: "
                "заведите технического пользователя, например exchange"
            )
        )
    if not password:
        raise OneCLinkError(_m("Не указан пароль пользователя 1С"))
    if not password.isascii():
        raise OneCLinkError(_m("Пароль пользователя 1С — только латиница, цифры и знаки"))
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise OneCLinkError(
                _m("Неизвестный часовой пояс «%(tz)s»: укажите имя вида Europe/Moscow", tz=tz)
            ) from exc
    connection = _connection_or_new(portal)
    connection.base_url, connection.username, connection.password = base_url, username, password
    connection.tz = tz or None
    connection.last_check_at = connection.last_check_ok = connection.last_check_message = None
    db.session.flush()
    return connection


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_push_token(portal: Portal) -> str:
    """A new bearer token for 1C's calls; only its hash is kept, so this is the one time it is seen."""
    token = secrets.token_urlsafe(32)
    _connection_or_new(portal).push_token_hash = _token_hash(token)
    db.session.flush()
    return token


def issue_hmac_secret(portal: Portal) -> str:
    """A new secret 1C signs its pushes with (X-Signature); from now on unsigned pushes are refused."""
    secret = secrets.token_hex(32)
    _connection_or_new(portal).hmac_secret = secret
    db.session.flush()
    return secret


def verify_push_token(token: str | None) -> OneCConnection | None:
    """The connection whose push token this is, or None; the hash comparison is constant-time."""
    if not token:
        return None
    digest = _token_hash(token)
    connection = db.session.scalars(
        select(OneCConnection).where(OneCConnection.push_token_hash == digest)
    ).first()
    if connection is None or not hmac.compare_digest(connection.push_token_hash or "", digest):
        return None
    return connection


def signature_matches(connection: OneCConnection, body: bytes, header: str | None) -> bool:
    """True when the portal has no HMAC secret, or `header` is `sha256=<hex>` of the raw body."""
    if not connection.hmac_secret:
        return True
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(connection.hmac_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def client_for_portal(portal: Portal, **client_options) -> OneCClient:
    connection = connection_of(portal)
    if connection is None or not connection.configured or not connection.password:
        raise OneCLinkError(_m("Подключение к 1С не настроено"))
    return OneCClient(
        connection.base_url, connection.username, connection.password, tz=connection.tz, **client_options
    )


def log_exchange(
    portal_id: int,
    *,
    direction: str,
    object_kind: str,
    operation: str,
    result: str,
    object_ref: str | None = None,
    duration_ms: int = 0,
    http_status: int | None = None,
    error_text: str | None = None,
) -> ExchangeLog:
    """Add one row to the exchange log in the caller's unit of work."""
    if direction not in ExchangeLog.DIRECTIONS:
        raise ValueError(f"direction must be one of {ExchangeLog.DIRECTIONS}")
    if result not in ExchangeLog.RESULTS:
        raise ValueError(f"result must be one of {ExchangeLog.RESULTS}")
    row = ExchangeLog(
        portal_id=portal_id,
        at=utcnow(),
        direction=direction,
        object_kind=object_kind,
        object_ref=object_ref,
        operation=operation,
        result=result,
        duration_ms=duration_ms,
        http_status=http_status,
        error_text=error_text[:4000] if error_text else None,
    )
    db.session.add(row)
    return row


def result_of(exc: OneCError) -> str:
    """The exchange-log result of a failed call: worth retrying, or an error for a person."""
    return "retry" if exc.retryable else "error"


def _explain(exc: OneCError) -> Message:
    if isinstance(exc, OneCAuthError):
        return _m(
            "1С не приняла имя пользователя или пароль (%(status)s): проверьте технического пользователя. "
            "Ответ 1С: %(said)s",
            status=exc.status,
            said=exc.message,
        )
    if isinstance(exc, OneCNotFound):
        return _m(
            "По этому адресу нет HTTP-сервиса servicedesk (%(status)s): проверьте путь к информационной "
            "базе. %(said)s",
            status=exc.status,
            said=exc.message,
        )
    return _m("1С недоступна или ответила ошибкой: %(error)s", error=str(exc))


def check_connection(portal: Portal, **client_options) -> CheckResult:
    """Call /ping, remember the outcome on the connection and log the exchange (caller commits)."""
    connection = connection_of(portal)
    started = time.monotonic()
    status: int | None = None
    try:
        info = client_for_portal(portal, **client_options).ping()
    except OneCLinkError as exc:
        outcome, kind = CheckResult(False, store(exc.kept)), "error"
    except OneCError as exc:
        outcome, kind, status = CheckResult(False, store(_explain(exc))), result_of(exc), exc.status
    else:
        answered = _m(
            "1С ответила: %(config)s, API %(api)s, часовой пояс %(tz)s",
            config=info.config or _m("конфигурация без имени"),
            api=info.api,
            tz=str(info.tz),
        )
        outcome = CheckResult(True, store(answered), server_time=info.server_time, config=info.config)
        kind, status = "ok", 200
    if connection is not None:
        connection.last_check_at = utcnow()
        connection.last_check_ok = outcome.ok
        connection.last_check_message = outcome.message
    log_exchange(
        portal.id,
        direction="to_1c",
        object_kind="connection",
        operation="ping",
        result=kind,
        duration_ms=int((time.monotonic() - started) * 1000),
        http_status=status,
        error_text=None if outcome.ok else outcome.message,
    )
    db.session.flush()
    return outcome
