"""The Bitrix24 OAuth server: exchanging a refresh token for a new token pair (BITRIX24.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from .errors import B24OAuthError, B24Unavailable

Timeout = float | tuple[float, float]


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires: int  # epoch seconds when the access token dies
    expires_in: int
    client_endpoint: str
    server_endpoint: str
    domain: str  # the auth server's domain in this answer, not the portal's
    member_id: str
    scope: str
    status: str
    user_id: int | None

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def refresh_tokens(
    oauth_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    timeout: Timeout = (5, 30),
    session: requests.Session | None = None,
) -> TokenSet:
    """Spend `refresh_token` (single use) for a new pair. Raises B24OAuthError or B24Unavailable."""
    url = f"{oauth_url.rstrip('/')}/oauth/token/"
    params = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    http = session or requests
    try:
        response = http.get(url, params=params, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise B24Unavailable("oauth_unreachable", str(exc), None, "oauth/token") from exc
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        raise B24OAuthError(
            str(body["error"]), str(body.get("error_description", "")), response.status_code, "oauth/token"
        )
    if response.status_code != 200 or not isinstance(body, dict) or not _has_pair(body):
        if response.status_code >= 500 or not isinstance(body, dict):
            raise B24Unavailable("oauth_bad_answer", response.text[:200], response.status_code, "oauth/token")
        raise B24OAuthError("invalid_response", response.text[:200], response.status_code, "oauth/token")
    return _token_set(body)


def _has_pair(body: dict[str, Any]) -> bool:
    # Storing an answer without a refresh token would strand the portal at the next expiry.
    return bool(body.get("access_token")) and bool(body.get("refresh_token"))


def _token_set(body: dict[str, Any]) -> TokenSet:
    expires_in = int(body.get("expires_in") or 3600)
    expires = body.get("expires")
    user_id = body.get("user_id")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body["refresh_token"]),
        expires=int(expires) if expires else int(datetime.now(UTC).timestamp()) + expires_in,
        expires_in=expires_in,
        client_endpoint=str(body.get("client_endpoint") or ""),
        server_endpoint=str(body.get("server_endpoint") or ""),
        domain=str(body.get("domain") or ""),
        member_id=str(body.get("member_id") or ""),
        scope=str(body.get("scope") or ""),
        status=str(body.get("status") or ""),
        user_id=int(user_id) if user_id not in (None, "") else None,
    )
