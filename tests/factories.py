"""Small factories for test data."""

from __future__ import annotations

import secrets
from typing import Any

from b24app.extensions import db
from b24app.models import Portal, PortalStatus


def make_portal(**overrides: Any) -> Portal:
    values: dict[str, Any] = {
        "member_id": secrets.token_hex(16),
        "domain": "acme.bitrix24.ru",
        "client_endpoint": "https://acme.bitrix24.ru/rest/",
        "server_endpoint": "https://oauth.bitrix.info/rest/",
        "access_token": "access-" + secrets.token_hex(8),
        "refresh_token": "refresh-" + secrets.token_hex(8),
        "application_token": "apptoken-" + secrets.token_hex(8),
        "status": PortalStatus.ACTIVE,
        "settings": {},
    }
    values.update(overrides)
    portal = Portal(**values)
    db.session.add(portal)
    db.session.commit()
    return portal


def event_form(portal: Portal | None, event: str = "ONCRMDYNAMICITEMUPDATE", **extra: str) -> dict[str, str]:
    """A form-encoded Bitrix24 event as the portal sends it (BITRIX24.md §4)."""
    member_id = portal.member_id if portal else "unknown-member"
    domain = portal.domain if portal else "nowhere.bitrix24.ru"
    form = {
        "event": event,
        "event_handler_id": "5",
        "data[FIELDS][ID]": "24",
        "data[FIELDS][ENTITY_TYPE_ID]": "1030",
        "ts": "1723538517",
        "auth[access_token]": "event-access",
        "auth[expires]": "1723542117",
        "auth[expires_in]": "3600",
        "auth[scope]": "crm",
        "auth[domain]": domain,
        "auth[server_endpoint]": "https://oauth.bitrix.info/rest/",
        "auth[status]": "L",
        "auth[client_endpoint]": f"https://{domain}/rest/",
        "auth[member_id]": member_id,
        "auth[user_id]": "1",
        "auth[refresh_token]": "event-refresh",
        "auth[application_token]": portal.application_token if portal else "whatever",
    }
    form.update(extra)
    return form
