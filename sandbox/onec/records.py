"""Objects of the sandbox infobase (Контрагенты, Заявка, История взаимодействий) and how 1C prints them.

Dates go out the way 1C writes them: local infobase time without an offset, `0001-01-01T00:00:00`
when empty; references are GUIDs, the empty GUID when none.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from onec_client.validation import inn_check_digits, ogrn_check_digit

EMPTY_DATE = "0001-01-01T00:00:00"
EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
REQUEST_KINDS = ("support", "consultation", "warranty", "other")
REQUEST_STATUSES = ("new", "in_progress", "waiting_customer", "resolved", "closed", "cancelled")
STATUS_TITLES = {
    "new": "Новая",
    "in_progress": "В работе",
    "waiting_customer": "Ожидает клиента",
    "resolved": "Выполнена",
    "closed": "Закрыта",
    "cancelled": "Отменена",
}
KIND_TITLES = {
    "support": "Техподдержка",
    "consultation": "Консультация",
    "warranty": "Гарантийный случай",
    "other": "Прочее",
}
INTERACTION_KINDS = ("call", "email", "meeting", "comment", "exchange")
_REF_NAMESPACE = uuid.UUID("6f1c3a52-2b9e-4c1e-9d0a-1c0000000001")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def stable_ref(name: str) -> str:
    """A GUID that stays the same across restarts, so demo links keep working."""
    return str(uuid.uuid5(_REF_NAMESPACE, name))


def local_text(value: datetime | None, tz: tzinfo) -> str:
    """An aware datetime as 1C prints it: infobase local time, no offset."""
    if value is None:
        return EMPTY_DATE
    return value.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")


def parse_incoming(value: Any, tz: tzinfo) -> datetime | None:
    """A date sent to 1C: UTC with Z from the app; without an offset it is taken as local time."""
    if value in (None, "") or str(value).startswith("0001-01-01"):
        return None
    parsed = datetime.fromisoformat(str(value))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)


@dataclass
class CounterpartyRecord:
    ref: str
    name: str
    inn: str
    kpp: str
    kind: str
    full_name: str = ""
    external_id: str = ""
    phone: str = ""
    email: str = ""
    legal_address: str = ""
    ogrn: str = ""
    head_ref: str | None = None
    replaced_by: str | None = None
    deletion_mark: bool = False
    data_version: str = ""
    modified_at: datetime | None = None

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "external_id": self.external_id,
            "kind": self.kind,
            "inn": self.inn,
            "kpp": self.kpp,
            "name": self.name,
            "full_name": self.full_name,
            "phone": self.phone,
            "email": self.email,
            "legal_address": self.legal_address,
            "is_branch": self.head_ref is not None,
            "head_ref": self.head_ref,
            "replaced_by": self.replaced_by or EMPTY_GUID,
            "ogrn": self.ogrn,
            "deletion_mark": self.deletion_mark,
            "data_version": self.data_version,
            "modified_at": local_text(self.modified_at, tz),
        }


@dataclass
class StatusRow:
    status: str
    at: datetime
    author: str


@dataclass
class RequestRecord:
    """A «Заявка» document."""

    ref: str
    number: str
    date: datetime
    counterparty_ref: str
    kind: str
    status: str
    subject: str
    description: str = ""
    executor: str = ""
    executors: list[str] = field(default_factory=list)
    external_id: str = ""
    data_version: str = ""
    posted: bool = False
    warranty: bool = False
    paid: bool = False
    planned_date: datetime | None = None
    actual_date: datetime | None = None
    status_history: list[StatusRow] = field(default_factory=list)

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "external_id": self.external_id,
            "number": self.number,
            "date": local_text(self.date, tz),
            "counterparty_ref": self.counterparty_ref,
            "kind": self.kind,
            "status": self.status,
            "subject": self.subject,
            "description": self.description,
            "executor": self.executor,
            "executors": list(self.executors),
            "warranty": self.warranty,
            "paid": self.paid,
            "planned_date": local_text(self.planned_date, tz),
            "actual_date": local_text(self.actual_date, tz),
            "status_history": [
                {"status": row.status, "at": local_text(row.at, tz), "author": row.author}
                for row in self.status_history
            ],
            "data_version": self.data_version,
            "posted": self.posted,
        }


@dataclass
class InteractionRecord:
    """A row of the «История взаимодействий» register."""

    id: str
    request_ref: str
    at: datetime
    kind: str
    direction: str
    status: str = ""
    responsible: str = ""
    text: str = ""
    external_id: str = ""

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "request_ref": self.request_ref,
            "external_id": self.external_id,
            "at": local_text(self.at, tz),
            "kind": self.kind,
            "direction": self.direction,
            "status": self.status,
            "responsible": self.responsible,
            "text": self.text,
        }


def seed_counterparties(companies: list[dict[str, Any]], now: datetime) -> list[CounterpartyRecord]:
    """The demo companies, plus an unmerged duplicate of the first one and a merged, deleted duplicate."""
    records = []
    for company in companies:
        records.append(
            CounterpartyRecord(
                ref=stable_ref(company["key"]),
                name=company["name"],
                inn=company["inn"],
                kpp=company.get("kpp") or "",
                kind=company.get("kind", "legal"),
                full_name=company.get("full_name", ""),
                phone=company.get("phone", ""),
                email=company.get("email", ""),
                legal_address=company.get("legal_address", ""),
                ogrn=company.get("ogrn", ""),
                head_ref=stable_ref(company["branch_of"]) if company.get("branch_of") else None,
                modified_at=now,
            )
        )
    by_key = {company["key"]: record for company, record in zip(companies, records, strict=True)}
    if "technolog" in by_key:
        original = by_key["technolog"]
        # Entered again by another manager: same INN and KPP, a slightly different name.
        records.append(
            CounterpartyRecord(
                ref=stable_ref("technolog-duplicate"),
                name="Техно-Логистик",
                inn=original.inn,
                kpp=original.kpp,
                kind="legal",
                full_name=original.full_name,
                phone="+7 495 100-20-31",
                modified_at=now,
            )
        )
    if "sibenergo" in by_key:
        original = by_key["sibenergo"]
        # Already merged by «Поиск и удаление дублей»: deletion-marked, pointing at the survivor.
        records.append(
            CounterpartyRecord(
                ref=stable_ref("sibenergo-merged"),
                name="СибЭнергоМонтаж (дубль)",
                inn=original.inn,
                kpp=original.kpp,
                kind="legal",
                full_name=original.full_name,
                replaced_by=original.ref,
                deletion_mark=True,
                modified_at=now,
            )
        )
    return records


def generated_counterparties(
    count: int, taken_inns: set[str], seed: int, now: datetime
) -> list[CounterpartyRecord]:
    """`count` legal entities with valid, unused INN, KPP and OGRN (deterministic for a seed)."""
    rng = random.Random(seed)
    records: list[CounterpartyRecord] = []
    while len(records) < count:
        region = f"{rng.randint(1, 89):02d}"
        body = region + f"{rng.randint(0, 9_999_999):07d}"
        inn = body + inn_check_digits(body)
        if inn in taken_inns:
            continue
        taken_inns.add(inn)
        ogrn_body = f"1{rng.randint(2, 24):02d}{region}{rng.randint(0, 9_999_999):07d}"
        number = len(records) + 1
        records.append(
            CounterpartyRecord(
                ref=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                name=f"Клиент {number:05d} ООО",
                full_name=f'ООО "Клиент {number:05d}"',
                inn=inn,
                kpp=f"{region}{rng.randint(1, 99):02d}01001",
                kind="legal",
                ogrn=ogrn_body + ogrn_check_digit(ogrn_body),
                phone=f"+7 900 {rng.randint(0, 999):03d}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}",
                modified_at=now,
            )
        )
    return records
