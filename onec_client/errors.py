"""Typed errors of the 1C HTTP service, built from whatever 1C answered (JSON, HTML or plain text).

`retryable` says whether sending the same call again later can succeed; the 1C text is always kept
in `message` (and the raw body in `body`) so that an admin sees what 1C said.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

_TAG_RE = re.compile(r"<[^>]+>")
_SCRIPT_RE = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_SPACE_RE = re.compile(r"\s+")
_MAX_TEXT = 2000


class OneCError(Exception):
    """Any failure talking to 1C."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        retryable: bool | None = None,
        body: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details or {}
        self.body = body
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        head = " ".join(str(part) for part in (self.status, self.code) if part)
        return f"{head}: {self.message}" if head else self.message


class OneCUnavailable(OneCError):
    """1C cannot be reached or failed inside: connection error, timeout, 5xx, 408."""

    retryable = True


class OneCThrottled(OneCError):
    """429: 1C (or the web server in front of it) asks to slow down."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class OneCAuthError(OneCError):
    """401/403: the technical user or its password is wrong, or it lacks rights."""


class OneCNotFound(OneCError):
    """404: an unknown object, or (plain text) a URL template the infobase does not publish."""


class OneCStale(OneCError):
    """412: the object changed in 1C since the `data_version` sent; re-read and decide."""


class OneCConflict(OneCError):
    """409: the write conflicts with the state of 1C."""


class OneCAmbiguous(OneCConflict):
    """409 AMBIGUOUS_MATCH: several counterparties fit; an operator must choose among `candidates`."""

    def __init__(self, message: str, *, candidates: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.candidates = candidates or []


class OneCValidation(OneCError):
    """422 (or 400): 1C refused the data, e.g. COUNTERPARTY_INN_INVALID."""


def readable_text(body: str) -> str:
    """The human text of a body: HTML reduced to its words, whitespace collapsed, length bounded."""
    text = body
    if "<" in text and ">" in text:
        text = html.unescape(_TAG_RE.sub(" ", _SCRIPT_RE.sub(" ", text)))
    text = _SPACE_RE.sub(" ", text).strip()
    return text[:_MAX_TEXT]


def _error_envelope(body: str) -> tuple[str | None, str | None, dict[str, Any]]:
    """(code, message, details) from `{"error": {...}}`, or Nones when the body is not that."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None, None, {}
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if not isinstance(error, dict):
        return None, None, {}
    details = error.get("details")
    return error.get("code"), error.get("message"), details if isinstance(details, dict) else {}


def error_for_status(status: int, body: str, retry_after: str | None = None) -> OneCError:
    """The typed error for a non-2xx answer; candidates of a 409 stay raw dicts in `details`."""
    code, message, details = _error_envelope(body)
    message = message or readable_text(body) or f"HTTP {status}"
    common: dict[str, Any] = {"status": status, "code": code, "details": details, "body": body[:_MAX_TEXT]}
    if status >= 500:
        return OneCUnavailable(message, **common)
    if status == 408:
        return OneCUnavailable(message, **common)
    if status == 429:
        return OneCThrottled(message, retry_after=_seconds(retry_after), **common)
    if status in (401, 403):
        return OneCAuthError(message, **common)
    if status == 404:
        return OneCNotFound(message, **common)
    if status == 412:
        return OneCStale(message, **common)
    if status == 409:
        if code == "AMBIGUOUS_MATCH":
            return OneCAmbiguous(message, **common)
        return OneCConflict(message, **common)
    if status in (400, 422):
        return OneCValidation(message, **common)
    return OneCError(message, **common)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
