"""Install, update and uninstall of the app on a portal (BITRIX24.md §1)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from ..bitrix.client import B24Client, Credentials
from ..bitrix.errors import B24Error
from ..bitrix.frames import FramePost
from ..config import Settings
from ..jobs.queue import enqueue
from ..models import Portal, PortalStatus
from .portals import (
    InstallData,
    PortalRejected,
    check_endpoint,
    deactivate,
    find_portal,
    tokens_match,
    upsert_portal,
)

log = logging.getLogger(__name__)


class _OneShotCredentials:
    def __init__(self, access_token: str, client_endpoint: str) -> None:
        self._creds = Credentials(access_token, client_endpoint, 0)
        self.label = client_endpoint

    def current(self) -> Credentials:
        return self._creds

    def refresh(self, stale: Credentials) -> Credentials:
        raise PortalRejected("the access token presented at install has expired")

    def settled(self) -> Credentials:
        return self.current()

    def moved(self, new_client_endpoint: str) -> None:
        raise PortalRejected("the portal answered with a redirect during install verification")


class _NoLimit:
    """One verification call for a portal that has no bucket row yet."""

    def acquire(self) -> None:
        return None

    def block_until(self, epoch_seconds: float) -> None:
        return None


def verify_with_portal(client_endpoint: str, domain: str, access_token: str, settings: Settings) -> dict:
    """Prove that the token was issued to this app by this portal: app.info answers with our app."""
    check_endpoint(client_endpoint, settings.b24_allow_http)
    if urlsplit(client_endpoint).netloc.lower() != domain.lower():
        raise PortalRejected("client_endpoint and domain name different portals")
    client = B24Client(
        _OneShotCredentials(access_token, client_endpoint), _NoLimit(), timeout=(5, 15), max_wait=10
    )
    try:
        info = client.call("app.info").result
    except B24Error as exc:
        raise PortalRejected(f"the portal did not confirm the token: {exc}") from exc
    code = info.get("CODE") if isinstance(info, dict) else None
    if settings.b24_app_code and code != settings.b24_app_code:
        raise PortalRejected("the token belongs to another application")
    return info


def install_from_frame(frame: FramePost, settings: Settings) -> Portal:
    """The install wizard POST: store the installing admin's tokens (they may precede ONAPPINSTALL)."""
    portal = find_portal(frame.member_id)
    if portal is None or not tokens_match(portal.application_token, frame.application_token):
        verify_with_portal(frame.client_endpoint, frame.domain, frame.auth_id, settings)
    return upsert_portal(
        InstallData(
            member_id=frame.member_id,
            domain=frame.domain,
            client_endpoint=frame.client_endpoint,
            server_endpoint=frame.server_endpoint,
            access_token=frame.auth_id,
            refresh_token=frame.refresh_id or None,
            expires_in=frame.auth_expires,
            application_token=frame.application_token,
            scope=frame.scope,
            app_status=frame.status,
            language=frame.lang,
        )
    )


def _install_data(payload: dict[str, Any]) -> InstallData:
    auth = payload["auth"]
    data = payload.get("data") or {}
    try:
        expires_in = int(auth.get("expires_in") or 3600)
        user_id = int(auth["user_id"]) if auth.get("user_id") else None
    except (TypeError, ValueError) as exc:
        raise PortalRejected("auth[expires_in] or auth[user_id] is not a number") from exc
    return InstallData(
        member_id=auth["member_id"],
        domain=auth["domain"].lower(),
        client_endpoint=auth.get("client_endpoint") or f"https://{auth['domain']}/rest/",
        server_endpoint=auth.get("server_endpoint", ""),
        access_token=auth.get("access_token") or None,
        refresh_token=auth.get("refresh_token") or None,
        expires_in=expires_in,
        application_token=auth["application_token"],
        scope=auth.get("scope", ""),
        app_status=auth.get("status", "L"),
        user_id=user_id,
        language=str(data.get("LANGUAGE_ID") or "ru")[:2],
    )


def on_install_event(payload: dict[str, Any], settings: Settings) -> Portal:
    data = _install_data(payload)
    portal = find_portal(data.member_id)
    known = portal is not None and tokens_match(portal.application_token, data.application_token)
    if not known:
        if not data.access_token:
            raise PortalRejected("ONAPPINSTALL without tokens for an unknown installation")
        verify_with_portal(data.client_endpoint, data.domain, data.access_token, settings)
    portal = upsert_portal(data)
    _set_version(portal, payload)
    enqueue("portal.bind", {}, portal_id=portal.id, dedupe_key=f"portal.bind:{portal.id}")
    return portal


def on_update_event(payload: dict[str, Any], settings: Settings) -> Portal:
    """ONAPPUPDATE brings a new application token: trust it only after the portal confirms the token."""
    data = _install_data(payload)
    portal = find_portal(data.member_id)
    if portal is None or portal.status == PortalStatus.UNINSTALLED:
        raise PortalRejected("ONAPPUPDATE for an unknown installation")
    if not tokens_match(portal.application_token, data.application_token):
        if not data.access_token:
            raise PortalRejected("ONAPPUPDATE with a new application token but no access token to verify it")
        verify_with_portal(portal.client_endpoint, portal.domain, data.access_token, settings)
    portal.application_token = data.application_token
    _set_version(portal, payload)
    enqueue("portal.bind", {}, portal_id=portal.id, dedupe_key=f"portal.bind:{portal.id}")
    return portal


def _set_version(portal: Portal, payload: dict[str, Any]) -> None:
    version = (payload.get("data") or {}).get("VERSION")
    if version and str(version).isdigit():
        portal.version = int(version)


def on_uninstall(portal: Portal, clean: bool) -> None:
    deactivate(portal)
    log.info("portal %s uninstalled (clean=%s)", portal.domain, clean)
    if clean:
        enqueue("portal.purge", {"portal_id": portal.id})
