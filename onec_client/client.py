"""Client of the 1C HTTP service contract v1 (`/<infobase>/hs/servicedesk/v1`).

It tolerates what real 1C does (a BOM before JSON, no charset, dates in the infobase time zone,
HTML 500 pages) and turns every failure into a typed `OneCError`.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

from onec_client.errors import OneCAmbiguous, OneCError, OneCUnavailable, error_for_status
from onec_client.models import (
    ChangeItem,
    Counterparty,
    CounterpartyPage,
    Interaction,
    OneCRequest,
    PingInfo,
    format_datetime,
    parse_datetime,
)

BOM = b"\xef\xbb\xbf"
T = TypeVar("T")


class OneCClient:
    """One infobase, one technical user; safe to share between threads if the session is."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        session: requests.Session | None = None,
        tz: str | tzinfo | None = None,
    ) -> None:
        # requests encodes Basic credentials as Latin-1 and 1C compares them as it stored them:
        # a Cyrillic login fails in ways that look like a wrong password, so refuse it up front.
        if not username.isascii():
            raise ValueError("1C user name must be ASCII only (create a technical user such as 'exchange')")
        if not password.isascii():
            raise ValueError("1C password must be ASCII only")
        self.base_url = base_url.rstrip("/")
        self.auth = (username, password)
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        self._tz: tzinfo | None = ZoneInfo(tz) if isinstance(tz, str) else tz

    # -- infrastructure ------------------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The infobase time zone: given, or declared by `/ping` (asked once and cached)."""
        if self._tz is None:
            self.ping()
        assert self._tz is not None
        return self._tz

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one call and return the parsed JSON body or raise the typed error."""
        data = None
        sent_headers = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            sent_headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                headers=sent_headers,
                auth=self.auth,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise OneCUnavailable(f"1C did not answer in time: {exc}", code="TIMEOUT") from exc
        except requests.ConnectionError as exc:
            raise OneCUnavailable(f"cannot connect to 1C: {exc}", code="CONNECTION") from exc
        except requests.RequestException as exc:
            raise OneCUnavailable(f"HTTP error talking to 1C: {exc}", code="HTTP") from exc
        text = _body_text(response)
        if response.status_code >= 400:
            raise error_for_status(response.status_code, text, response.headers.get("Retry-After"))
        if response.status_code == 204 or not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise OneCError(
                "1C answered with a body that is not JSON",
                status=response.status_code,
                code="BAD_RESPONSE",
                body=text[:2000],
            ) from exc

    def _parse(self, parser: Callable[[dict[str, Any], tzinfo], T], data: Any) -> T:
        try:
            return parser(data, self.tz)
        except (KeyError, TypeError, ValueError) as exc:
            raise OneCError(
                f"1C answered with an unexpected shape: {exc}", code="BAD_RESPONSE", body=str(data)[:2000]
            ) from exc

    def _write_body(self, data: Mapping[str, Any] | Any, key: str | None) -> tuple[dict[str, Any], str]:
        """The JSON body of a write and its idempotency key; the key is also the body's `external_id`."""
        body = _as_json(data)
        given = body.get("external_id")
        if key and given and given != key:
            raise ValueError("external_id in the data differs from the idempotency key")
        key = key or given or str(uuid.uuid4())
        body["external_id"] = key
        return body, key

    # -- contract ------------------------------------------------------------------------------------

    def ping(self) -> PingInfo:
        data = self._call("GET", "/ping")
        tz_name = str(data.get("tz") or "")
        if self._tz is None:
            if not tz_name:
                raise OneCError("1C /ping did not declare its time zone (tz)", code="BAD_RESPONSE")
            self._tz = ZoneInfo(tz_name)
        return PingInfo(
            status=str(data.get("status", "")),
            api=str(data.get("api", "")),
            config=str(data.get("config", "")),
            tz=tz_name,
            server_time=parse_datetime(data.get("server_time"), self._tz),
        )

    def find_counterparties(self, inn: str, kpp: str | None = None) -> list[Counterparty]:
        """All counterparties with this INN (and KPP): zero, one or several, deletion-marked included."""
        params = {"inn": inn, **({"kpp": kpp} if kpp else {})}
        data = self._call("GET", "/counterparties", params=params)
        return [self._parse(Counterparty.from_json, item) for item in data.get("items") or []]

    def list_counterparties(
        self, after: str | None = None, limit: int = 500
    ) -> tuple[list[Counterparty], str | None]:
        """A page of all counterparties for a full sync; the cursor is None after the last page."""
        page = self.counterparty_page(after, limit)
        return page.items, page.next_cursor

    def counterparty_page(self, after: str | None = None, limit: int = 500) -> CounterpartyPage:
        """The same page with the total count, when 1C reports it (for progress)."""
        params: dict[str, Any] = {"limit": limit, **({"after": after} if after else {})}
        data = self._call("GET", "/counterparties", params=params)
        items = [self._parse(Counterparty.from_json, item) for item in data.get("items") or []]
        total = data.get("total")
        return CounterpartyPage(
            items, data.get("next_cursor") or None, total if isinstance(total, int) else None
        )

    def get_counterparty(self, ref: str) -> Counterparty:
        return self._parse(Counterparty.from_json, self._call("GET", f"/counterparties/{_seg(ref)}"))

    def find_or_create_counterparty(
        self, data: Mapping[str, Any] | Any, key: str | None = None
    ) -> Counterparty:
        """The one counterparty matching INN/KPP, created if none; `OneCAmbiguous` if several."""
        body, key = self._write_body(data, key)
        try:
            answer = self._call("POST", "/counterparties", body=body, headers={"Idempotency-Key": key})
        except OneCAmbiguous as exc:
            exc.candidates = [
                self._parse(Counterparty.from_json, c) for c in exc.details.get("candidates") or []
            ]
            raise
        return self._parse(Counterparty.from_json, answer)

    def update_counterparty(
        self, ref: str, changes: Mapping[str, Any] | Any, data_version: str, key: str | None = None
    ) -> Counterparty:
        body, key = self._write_body(changes, key)
        headers = {"Idempotency-Key": key, "If-Match": data_version}
        return self._parse(
            Counterparty.from_json,
            self._call("PATCH", f"/counterparties/{_seg(ref)}", body=body, headers=headers),
        )

    def create_request(self, data: Mapping[str, Any] | Any, key: str | None = None) -> OneCRequest:
        """Create a «Заявка»; a repeat with the same key returns the document created the first time."""
        body, key = self._write_body(data, key)
        answer = self._call("POST", "/requests", body=body, headers={"Idempotency-Key": key})
        return self._parse(OneCRequest.from_json, answer)

    def get_request(self, ref: str) -> OneCRequest:
        return self._parse(OneCRequest.from_json, self._call("GET", f"/requests/{_seg(ref)}"))

    def update_request(
        self, ref: str, changes: Mapping[str, Any] | Any, data_version: str, key: str | None = None
    ) -> OneCRequest:
        body, key = self._write_body(changes, key)
        headers = {"Idempotency-Key": key, "If-Match": data_version}
        return self._parse(
            OneCRequest.from_json, self._call("PATCH", f"/requests/{_seg(ref)}", body=body, headers=headers)
        )

    def put_interaction(
        self, request_ref: str, interaction_id: str, data: Mapping[str, Any] | Any
    ) -> Interaction:
        """Write a row of «История взаимодействий»; the row id is its idempotency key."""
        body, key = self._write_body(data, interaction_id)
        path = f"/requests/{_seg(request_ref)}/interactions/{_seg(interaction_id)}"
        return self._parse(
            Interaction.from_json, self._call("PUT", path, body=body, headers={"Idempotency-Key": key})
        )

    def changes(self, after: str | None = None, limit: int = 100) -> tuple[list[ChangeItem], str | None]:
        """Changes made in 1C after the cursor (after the last acknowledged one when None)."""
        params: dict[str, Any] = {"limit": limit, **({"after": after} if after else {})}
        data = self._call("GET", "/changes", params=params)
        items = [self._parse(ChangeItem.from_json, item) for item in data.get("items") or []]
        return items, data.get("next_cursor") or after

    def ack(self, cursor: str) -> None:
        """Acknowledge everything up to the cursor; 1C stops re-delivering it."""
        self._call("POST", "/changes/ack", body={"cursor": cursor})


def _body_text(response: requests.Response) -> str:
    """The body as text: 1C writes a UTF-8 BOM and often omits the charset; both are tolerated."""
    raw = response.content or b""
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    charset = "utf-8"
    content_type = response.headers.get("Content-Type", "")
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"'")
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _as_json(data: Mapping[str, Any] | Any) -> dict[str, Any]:
    """A dataclass or mapping as a JSON object: None dropped, datetimes in UTC with `Z`."""
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        data = dataclasses.asdict(data)
    return {name: _json_value(value) for name, value in dict(data).items() if value is not None}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _seg(value: str) -> str:
    return quote(str(value), safe="")
