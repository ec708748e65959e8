"""The Bitrix24 cloud: portals, the registered app and every OAuth token (BITRIX24.md §5)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sandbox.portal.errors import OAuthError, RestError
from sandbox.portal.state import Portal

REFRESH_TTL = 180 * 24 * 3600
CODE_TTL = 30
DEFAULT_SCOPE = "crm,placement,user,department,im,imopenlines,userfieldconfig"


@dataclass
class AppRegistration:
    handler_url: str
    install_url: str
    event_handler_url: str
    scope: str = DEFAULT_SCOPE
    app_id: int = 17
    code: str = "local.sandbox.servicedesk"


@dataclass
class Token:
    access_token: str
    refresh_token: str
    member_id: str
    user_id: int
    expires_at: float
    scope: str
    active: bool = True  # false once refreshed: the old access and refresh tokens both die


class Cloud:
    """Holds portals and tokens; one lock guards the whole cloud so handlers stay simple."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.RLock()
        self.portals: dict[str, Portal] = {}
        self.app: AppRegistration | None = None
        self.oauth_url = "http://oauth.sandbox.invalid"  # set once the OAuth server has a port
        self._by_access: dict[str, Token] = {}
        self._by_refresh: dict[str, Token] = {}
        self._codes: dict[str, tuple[str, int, float]] = {}

    def add_portal(self, domain: str | None = None, seed: bool = True) -> Portal:
        from sandbox.portal.delivery import EventQueue
        from sandbox.portal.seeding import seed_portal

        portal = Portal(self, domain)
        portal.events = EventQueue(portal)
        with self.lock:
            self.portals[portal.member_id] = portal
        if seed:
            seed_portal(portal)
        return portal

    def register_app(self, reg: AppRegistration) -> None:
        self.app = reg

    @property
    def server_endpoint(self) -> str:
        return self.oauth_url.rstrip("/") + "/rest/"

    @property
    def scope(self) -> str:
        return self.app.scope if self.app else DEFAULT_SCOPE

    # --- tokens -------------------------------------------------------------------------------

    def issue_tokens(self, portal: Portal, user_id: int) -> Token:
        token = Token(
            access_token=secrets.token_hex(24),
            refresh_token=secrets.token_hex(24),
            member_id=portal.member_id,
            user_id=user_id,
            expires_at=time.time() + portal.settings.token_ttl,
            scope=self.scope,
        )
        with self.lock:
            self._by_access[token.access_token] = token
            self._by_refresh[token.refresh_token] = token
        return token

    def issue_code(self, portal: Portal, user_id: int) -> str:
        code = secrets.token_hex(16)
        with self.lock:
            self._codes[code] = (portal.member_id, user_id, time.time() + CODE_TTL)
        return code

    def exchange_code(self, code: str) -> Token:
        with self.lock:
            member_id, user_id, expires_at = self._codes.pop(code, ("", 0, 0.0))
            portal = self.portals.get(member_id)
            if portal is None or expires_at < time.time():
                self._count_invalid_grant(portal)
                raise OAuthError("invalid_grant", "Invalid authorization code", 400)
            return self.issue_tokens(portal, user_id)

    def refresh(self, refresh_token: str) -> Token:
        with self.lock:
            old = self._by_refresh.get(refresh_token)
            portal = self.portals.get(old.member_id) if old else None
            if old is None or portal is None or not old.active:
                self._count_invalid_grant(portal)
                raise OAuthError("invalid_grant", "Invalid refresh token", 400)
            old.active = False
            portal.stats.refreshes += 1
            return self.issue_tokens(portal, old.user_id)

    def _count_invalid_grant(self, portal: Portal | None) -> None:
        if portal is not None:
            portal.stats.invalid_grant += 1
        else:
            # A token never seen anywhere: count it on every portal, as the tests look per portal.
            for each in self.portals.values():
                each.stats.invalid_grant += 1

    def token_for_rest(self, portal: Portal, access_token: str) -> Token:
        """The live token behind `auth`, or the REST error a real portal answers."""
        if not access_token:
            raise RestError("NO_AUTH_FOUND", "Wrong authorization data", 401)
        with self.lock:
            token = self._by_access.get(access_token)
        if token is None or not token.active or token.member_id != portal.member_id:
            raise RestError("invalid_token", "Unable to get application by token", 401)
        if token.expires_at <= time.time():
            raise RestError("expired_token", "The access token provided has expired.", 401)
        return token

    def expire_tokens(self, portal: Portal) -> int:
        count = 0
        with self.lock:
            for token in self._by_access.values():
                if token.member_id == portal.member_id and token.active:
                    token.expires_at = min(token.expires_at, time.time() - 1)
                    count += 1
        return count

    def revoke_tokens(self, portal: Portal) -> None:
        """The app was uninstalled: none of its tokens on this portal work any more."""
        with self.lock:
            for token in self._by_access.values():
                if token.member_id == portal.member_id:
                    token.active = False

    def token_answer(self, token: Token) -> dict:
        """Fields of a token endpoint answer (BITRIX24.md §5)."""
        portal = self.portals[token.member_id]
        return {
            "access_token": token.access_token,
            "refresh_token": token.refresh_token,
            "expires": int(token.expires_at),
            "expires_in": portal.settings.token_ttl,
            "scope": token.scope,
            "domain": urlsplit(self.oauth_url).netloc,
            "server_endpoint": self.server_endpoint,
            "status": "L",
            "client_endpoint": portal.client_endpoint,
            "member_id": portal.member_id,
            "user_id": token.user_id,
        }
