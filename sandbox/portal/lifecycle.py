"""App install, update, uninstall and the fields every frame receives (BITRIX24.md §1-2)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from sandbox.portal.delivery import auth_block, post_event
from sandbox.portal.params import encode_pairs
from sandbox.portal.state import Delivery, Portal

ADMIN_ID = 1
WIZARD_TIMEOUT_SEC = 30.0


@dataclass
class Frame:
    """What the portal's browser POSTs to a handler: the URL with its query string and the form."""

    url: str
    form: dict[str, str]


def frame_for(
    portal: Portal, handler: str, user_id: int, placement: str, options: dict[str, Any], lang: str = "ru"
) -> Frame:
    cloud = portal.cloud
    token = cloud.issue_tokens(portal, user_id)
    query = urlencode({"DOMAIN": portal.domain, "PROTOCOL": 0, "LANG": lang, "APP_SID": portal.app.app_sid})
    form = {
        "AUTH_ID": token.access_token,
        "AUTH_EXPIRES": str(portal.settings.token_ttl),
        "REFRESH_ID": token.refresh_token,
        "SERVER_ENDPOINT": cloud.server_endpoint,
        "APPLICATION_TOKEN": portal.app.application_token,
        "APPLICATION_SCOPE": cloud.scope,
        "member_id": portal.member_id,
        "status": "L",
        "PLACEMENT": placement,
        "PLACEMENT_OPTIONS": json.dumps(options, ensure_ascii=False),
    }
    return Frame(f"{handler}{'&' if '?' in handler else '?'}{query}", form)


def _lifecycle_urls(portal: Portal, event: str) -> list[str]:
    app = portal.cloud.app
    urls = [app.event_handler_url] if app and app.event_handler_url else []
    for binding in portal.event_bindings:
        if binding.event == event and binding.handler not in urls:
            urls.append(binding.handler)
    return urls


def _send_lifecycle(portal: Portal, event: str, data: dict[str, Any], with_tokens: bool) -> list[Delivery]:
    payload = {
        "event": event,
        "data": data,
        "ts": int(time.time()),
        "auth": auth_block(portal, ADMIN_ID if with_tokens else None),
    }
    pairs = encode_pairs(payload)
    return [post_event(portal, url, event, pairs) for url in _lifecycle_urls(portal, event)]


def begin_install(portal: Portal, background: bool = False) -> None:
    """What happens when the admin clicks Install: a new application token and ONAPPINSTALL."""
    with portal.lock:
        portal.app.application_token = secrets.token_hex(16)
        portal.app.active = True
        portal.app.installed = False
    data = {"VERSION": portal.app.version, "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "ru"}
    if background and portal.events is not None:
        payload = {
            "event": "ONAPPINSTALL",
            "data": data,
            "ts": int(time.time()),
            "auth": auth_block(portal, ADMIN_ID),
        }
        for url in _lifecycle_urls(portal, "ONAPPINSTALL"):
            portal.events.put(url, "ONAPPINSTALL", payload)
    else:
        _send_lifecycle(portal, "ONAPPINSTALL", data, with_tokens=True)


def install_finish(portal: Portal) -> None:
    with portal.lock:
        portal.app.installed = True


def install_headless(portal: Portal) -> dict[str, Any]:
    """The admin's browser, scripted: ONAPPINSTALL, the wizard POST, then installFinish if it answered 200."""
    app = portal.cloud.app
    if app is None:
        raise RuntimeError("no app registered in the cloud")
    begin_install(portal)
    frame = frame_for(portal, app.install_url, ADMIN_ID, "DEFAULT", {})
    try:
        status = requests.post(frame.url, data=frame.form, timeout=WIZARD_TIMEOUT_SEC).status_code
    except requests.RequestException:
        status = None
    if status == 200:
        install_finish(portal)
    return {
        "installed": portal.app.installed,
        "member_id": portal.member_id,
        "application_token": portal.app.application_token,
        "wizard_status": status,
    }


def update_app(portal: Portal, version: int) -> dict[str, Any]:
    with portal.lock:
        previous = portal.app.version
        portal.app.version = version
        portal.app.application_token = secrets.token_hex(16)
    data = {"VERSION": version, "PREVIOUS_VERSION": previous, "LANGUAGE_ID": "ru"}
    sent = _send_lifecycle(portal, "ONAPPUPDATE", data, with_tokens=True)
    return {
        "version": version,
        "application_token": portal.app.application_token,
        "delivered": [d.status for d in sent],
    }


def uninstall(portal: Portal, clean: bool) -> dict[str, Any]:
    sent = _send_lifecycle(
        portal, "ONAPPUNINSTALL", {"LANGUAGE_ID": "ru", "CLEAN": int(clean)}, with_tokens=False
    )
    with portal.lock:
        portal.app.installed = False
        portal.app.active = False
        portal.placements.clear()
        portal.event_bindings.clear()
        portal.userfield_types.clear()
    portal.cloud.revoke_tokens(portal)
    return {"uninstalled": True, "delivered": [d.status for d in sent]}
