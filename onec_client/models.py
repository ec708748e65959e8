"""Records of the 1C contract v1 and the conversions of 1C dates and references.

1C sends dates without an offset in the infobase time zone and uses `0001-01-01T00:00:00` and the
empty GUID for "nothing"; here they become aware UTC datetimes and None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

EMPTY_DATE = "0001-01-01T00:00:00"
EMPTY_GUID = "00000000-0000-0000-0000-000000000000"


def parse_datetime(value: Any, tz: tzinfo) -> datetime | None:
    """A 1C date as an aware UTC datetime; a value without an offset is read in `tz`."""
    if value in (None, "") or (isinstance(value, str) and value.startswith("0001-01-01")):
        return None
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """UTC with `Z`, as the app sends dates to 1C; a naive datetime is refused, not guessed."""
    if value.tzinfo is None:
        raise ValueError("a naive datetime cannot be sent to 1C: give it a time zone")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ref(value: Any) -> str | None:
    """A GUID reference, or None for an empty one."""
    if not value or value == EMPTY_GUID:
        return None
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class PingInfo:
    status: str
    api: str
    config: str
    tz: str
    server_time: datetime | None


@dataclass(frozen=True)
class Counterparty:
    ref: str
    name: str
    inn: str
    kpp: str = ""
    kind: str = "legal"
    full_name: str = ""
    external_id: str | None = None
    phone: str = ""
    email: str = ""
    legal_address: str = ""
    ogrn: str = ""
    is_branch: bool = False
    head_ref: str | None = None
    replaced_by: str | None = None
    deletion_mark: bool = False
    data_version: str = ""
    modified_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], tz: tzinfo) -> Counterparty:
        return cls(
            ref=str(data["ref"]),
            name=_text(data.get("name")),
            inn=_text(data.get("inn")),
            kpp=_text(data.get("kpp")),
            kind=_text(data.get("kind")) or "legal",
            full_name=_text(data.get("full_name")),
            external_id=parse_ref(data.get("external_id")),
            phone=_text(data.get("phone")),
            email=_text(data.get("email")),
            legal_address=_text(data.get("legal_address")),
            ogrn=_text(data.get("ogrn")),
            is_branch=bool(data.get("is_branch")),
            head_ref=parse_ref(data.get("head_ref")),
            replaced_by=parse_ref(data.get("replaced_by")),
            deletion_mark=bool(data.get("deletion_mark")),
            data_version=_text(data.get("data_version")),
            modified_at=parse_datetime(data.get("modified_at"), tz),
        )


@dataclass(frozen=True)
class CounterpartyPage:
    items: list[Counterparty]
    next_cursor: str | None
    total: int | None = None


@dataclass(frozen=True)
class StatusChange:
    status: str
    at: datetime | None
    author: str = ""


@dataclass(frozen=True)
class OneCRequest:
    """A «Заявка» document."""

    ref: str
    number: str
    date: datetime | None
    counterparty_ref: str | None
    kind: str
    status: str
    subject: str = ""
    description: str = ""
    executor: str = ""
    executors: list[str] = field(default_factory=list)
    external_id: str | None = None
    data_version: str = ""
    posted: bool = False
    warranty: bool = False
    paid: bool = False
    planned_date: datetime | None = None
    actual_date: datetime | None = None
    status_history: list[StatusChange] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any], tz: tzinfo) -> OneCRequest:
        history = [
            StatusChange(
                status=_text(row.get("status")),
                at=parse_datetime(row.get("at"), tz),
                author=_text(row.get("author")),
            )
            for row in data.get("status_history") or []
        ]
        return cls(
            ref=str(data["ref"]),
            number=_text(data.get("number")),
            date=parse_datetime(data.get("date"), tz),
            counterparty_ref=parse_ref(data.get("counterparty_ref")),
            kind=_text(data.get("kind")),
            status=_text(data.get("status")),
            subject=_text(data.get("subject")),
            description=_text(data.get("description")),
            executor=_text(data.get("executor")),
            executors=[str(name) for name in data.get("executors") or []],
            external_id=parse_ref(data.get("external_id")),
            data_version=_text(data.get("data_version")),
            posted=bool(data.get("posted")),
            warranty=bool(data.get("warranty")),
            paid=bool(data.get("paid")),
            planned_date=parse_datetime(data.get("planned_date"), tz),
            actual_date=parse_datetime(data.get("actual_date"), tz),
            status_history=history,
        )


@dataclass(frozen=True)
class Interaction:
    """A row of the «История взаимодействий» register."""

    id: str
    request_ref: str
    at: datetime | None
    kind: str
    direction: str
    status: str = ""
    responsible: str = ""
    text: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any], tz: tzinfo) -> Interaction:
        return cls(
            id=str(data["id"]),
            request_ref=_text(data.get("request_ref")),
            at=parse_datetime(data.get("at"), tz),
            kind=_text(data.get("kind")),
            direction=_text(data.get("direction")),
            status=_text(data.get("status")),
            responsible=_text(data.get("responsible")),
            text=_text(data.get("text")),
        )


@dataclass(frozen=True)
class ChangeItem:
    """An item of the change feed; `data` is the changed object as 1C sent it (dates untouched)."""

    seq: int
    type: str
    ref: str | None
    external_id: str | None = None
    status: str = ""
    data_version: str = ""
    occurred_at: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], tz: tzinfo) -> ChangeItem:
        return cls(
            seq=int(data["seq"]),
            type=_text(data.get("type")),
            ref=parse_ref(data.get("ref")),
            external_id=parse_ref(data.get("external_id")),
            status=_text(data.get("status")),
            data_version=_text(data.get("data_version")),
            occurred_at=parse_datetime(data.get("occurred_at"), tz),
            data=dict(data.get("data") or {}),
        )
