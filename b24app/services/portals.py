"""Portals as tenants: install upserts, token checks, REST clients bound to a portal, uninstall and purge."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import socket
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from ..bitrix.client import B24Client, Credentials
from ..bitrix.storage import DbRateLimiter, OAuthConfig, make_client
from ..config import Settings
from ..extensions import db
from ..models import Portal, PortalStatus, utcnow

log = logging.getLogger(__name__)


class PortalRejected(Exception):
    """An install or frame request that cannot belong to a genuine portal."""


@dataclass(frozen=True)
class InstallData:
    member_id: str
    domain: str
    client_endpoint: str
    server_endpoint: str
    access_token: str | None
    refresh_token: str | None
    expires_in: int
    application_token: str
    scope: str = ""
    app_status: str = "L"
    user_id: int | None = None
    language: str = "ru"


def check_endpoint(url: str, allow_http: bool) -> None:
    """Refuse endpoints that would make the app call itself or an internal host (SSRF)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PortalRejected(f"not a portal address: {url!r}")
    if allow_http:
        return
    if parts.scheme != "https":
        raise PortalRejected("a portal must be reached over https")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, None)}
    except OSError as exc:
        raise PortalRejected(f"portal host {parts.hostname} does not resolve") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise PortalRejected(f"portal host {parts.hostname} points to a non-public address")


def tokens_match(stored: str | None, given: str | None) -> bool:
    if not stored or not given:
        return False
    return hmac.compare_digest(stored.encode(), given.encode())


def find_portal(member_id: str) -> Portal | None:
    return db.session.scalars(select(Portal).where(Portal.member_id == member_id)).first()


def upsert_portal(data: InstallData) -> Portal:
    """Create or refresh the portal row from an install (wizard POST or ONAPPINSTALL); caller commits."""
    portal = find_portal(data.member_id)
    if portal is None:
        portal = Portal(member_id=data.member_id, settings={})
        db.session.add(portal)
    portal.domain = data.domain
    portal.client_endpoint = data.client_endpoint
    portal.server_endpoint = data.server_endpoint
    if data.access_token and data.refresh_token:
        portal.access_token = data.access_token
        portal.refresh_token = data.refresh_token
        portal.token_expires_at = utcnow() + timedelta(seconds=data.expires_in or 3600)
        portal.token_generation = (portal.token_generation or 0) + 1
    portal.application_token = data.application_token
    portal.scope = data.scope
    portal.app_status = data.app_status
    portal.language = data.language or "ru"
    if data.user_id:
        portal.installed_by = data.user_id
    if portal.status == PortalStatus.UNINSTALLED:
        portal.status = PortalStatus.INSTALLING
        portal.uninstalled_at = None
    db.session.flush()
    return portal


def oauth_config(settings: Settings) -> OAuthConfig:
    return OAuthConfig(
        oauth_url=settings.b24_oauth_url,
        client_id=settings.b24_client_id,
        client_secret=settings.b24_client_secret,
        timeout=(5, 30),
    )


def client_for(portal_id: int, settings: Settings) -> B24Client:
    """The app's own client for a portal: stored tokens, refresh under lock, shared rate limit."""
    return make_client(db.engine, portal_id, oauth_config(settings), rate=settings.b24_rate)


class _FrameUserCredentials:
    """A frame user's access token: used as given, never refreshed (the frame re-opens with a new one)."""

    def __init__(self, access_token: str, client_endpoint: str, label: str) -> None:
        self._creds = Credentials(access_token=access_token, client_endpoint=client_endpoint, generation=0)
        self.label = label

    def current(self) -> Credentials:
        return self._creds

    def refresh(self, stale: Credentials) -> Credentials:
        from ..bitrix.errors import B24ExpiredToken

        raise B24ExpiredToken("expired_token", "the frame's access token expired", 401, None)

    def settled(self) -> Credentials:
        return self.current()

    def moved(self, new_client_endpoint: str) -> None:
        self._creds = Credentials(self._creds.access_token, new_client_endpoint, 0)


def user_client(portal: Portal, access_token: str, settings: Settings) -> B24Client:
    creds = _FrameUserCredentials(access_token, portal.client_endpoint, label=portal.domain)
    size, drain = settings.b24_rate
    return B24Client(creds, DbRateLimiter(db.engine, portal.id, size=size, drain=drain), timeout=(5, 20))


def deactivate(portal: Portal) -> None:
    portal.status = PortalStatus.UNINSTALLED
    portal.uninstalled_at = utcnow()
    portal.access_token = None
    portal.refresh_token = None
    db.session.flush()


def purge(portal_id: int) -> None:
    """Delete everything the app keeps for a portal (uninstall with CLEAN=1); caller commits."""
    # Every table with a portal_id is tenant data; children first, so foreign keys never object.
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "portal" and "portal_id" in table.c:
            db.session.execute(delete(table).where(table.c.portal_id == portal_id))
    portal = db.session.get(Portal, portal_id)
    if portal is not None:
        portal.settings = {}
        portal.application_token = None
    db.session.flush()
