"""What a Bitrix24 frame POST carries (BITRIX24.md §2): parsed from the query string and form body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class MalformedFrame(ValueError):
    """A frame POST without the fields every Bitrix24 frame has."""


@dataclass(frozen=True)
class FramePost:
    domain: str
    protocol: str  # "https" or "http"
    lang: str
    member_id: str
    auth_id: str
    refresh_id: str
    auth_expires: int
    application_token: str
    scope: str
    status: str
    placement: str
    options: dict[str, Any] = field(default_factory=dict)
    server_endpoint: str = ""

    @property
    def client_endpoint(self) -> str:
        return f"{self.protocol}://{self.domain}/rest/"

    @property
    def origin(self) -> str:
        return f"{self.protocol}://{self.domain}"


def parse_frame(query: Mapping[str, str], form: Mapping[str, str]) -> FramePost:
    def need(source: Mapping[str, str], name: str) -> str:
        value = (source.get(name) or "").strip()
        if not value:
            raise MalformedFrame(f"the frame request has no {name}")
        return value

    domain = need(query, "DOMAIN") if query.get("DOMAIN") else need(form, "DOMAIN")
    if "/" in domain or "@" in domain or " " in domain:
        raise MalformedFrame("DOMAIN is not a host name")
    raw_options = form.get("PLACEMENT_OPTIONS") or "{}"
    try:
        options = json.loads(raw_options)
    except ValueError as exc:
        raise MalformedFrame("PLACEMENT_OPTIONS is not JSON") from exc
    if not isinstance(options, dict):
        options = {}
    try:
        expires = int(form.get("AUTH_EXPIRES") or 3600)
    except ValueError as exc:
        raise MalformedFrame("AUTH_EXPIRES is not a number") from exc
    protocol = query.get("PROTOCOL", form.get("PROTOCOL", "1"))
    return FramePost(
        domain=domain.lower(),
        protocol="https" if str(protocol) == "1" else "http",
        lang=(query.get("LANG") or form.get("LANG") or "ru")[:2],
        member_id=need(form, "member_id"),
        auth_id=need(form, "AUTH_ID"),
        refresh_id=form.get("REFRESH_ID", ""),
        auth_expires=expires,
        application_token=need(form, "APPLICATION_TOKEN"),
        scope=form.get("APPLICATION_SCOPE", ""),
        status=form.get("status", "L"),
        placement=form.get("PLACEMENT", "DEFAULT") or "DEFAULT",
        options=options,
        server_endpoint=form.get("SERVER_ENDPOINT", ""),
    )
