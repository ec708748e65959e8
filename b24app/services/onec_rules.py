"""Rules of the 1C exchange as plain functions: what a request must have before it goes to 1C, how the
app's states read as 1C statuses, and the stable keys of what the app writes."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from onec_client import inn_is_valid, kpp_is_valid

from ..i18n import DEFAULT, Message, _m, render
from ..models import RequestState

# The app's state → the «Заявка» status in the words of the contract, and back.
STATUS_FOR_STATE = {
    RequestState.NEW: "new",
    RequestState.IN_WORK: "in_progress",
    RequestState.WAITING: "waiting_customer",
    RequestState.RESOLVED: "resolved",
    RequestState.CLOSED: "closed",
    RequestState.CANCELLED: "cancelled",
}
STATE_FOR_STATUS = {status: state for state, status in STATUS_FOR_STATE.items()}
# Labels for the app's pages (translated); the item's field and notices use status_title (Russian).
STATUS_TITLES = {
    "new": _l("Новая"),
    "in_progress": _l("В работе"),
    "waiting_customer": _l("Ожидает клиента"),
    "resolved": _l("Выполнена"),
    "closed": _l("Закрыта"),
    "cancelled": _l("Отменена"),
}
REQUEST_KINDS = ("support", "consultation", "warranty", "other")
INTERACTION_KINDS = {"phone": "call", "email": "email"}
INTERACTION_TITLES = {
    "call": "Звонок",
    "email": "Письмо",
    "meeting": "Встреча",
    "comment": "Комментарий",
    "exchange": "Пакет обмена",
}
_KEYS = uuid.UUID("0d6c1e54-8a3f-4f8e-b1d2-5e1c00000008")


def status_title(status: str) -> str:
    """The «Заявка» status as written to the portal (SD_ONEC_STATUS, notices): always Russian."""
    with force_locale(DEFAULT):
        return str(STATUS_TITLES.get(status, status))


@dataclass(frozen=True)
class ClientData:
    """The request's client as Bitrix24 holds it (company, or contact when there is no company)."""

    entity_type_id: int | None = None  # 4 company, 3 contact
    entity_id: int | None = None
    name: str = ""
    full_name: str = ""
    phone: str = ""
    email: str = ""
    inn: str = ""
    kpp: str = ""
    ogrn: str = ""
    legal_address: str = ""

    @property
    def kind(self) -> str:
        if len(self.inn) == 10:
            return "legal"
        return "sole_proprietor" if self.entity_type_id == 4 else "individual"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ClientData:
        known = {name: value for name, value in (data or {}).items() if name in cls.__dataclass_fields__}
        return cls(**known)

    def counterparty_body(self) -> dict[str, Any]:
        """The find-or-create body of POST /counterparties."""
        body = {
            "kind": self.kind,
            "inn": self.inn,
            "kpp": self.kpp if len(self.inn) == 10 else "",
            "name": self.name,
            "full_name": self.full_name or self.name,
            "phone": self.phone,
            "email": self.email,
            "legal_address": self.legal_address,
            "ogrn": self.ogrn,
        }
        return {key: value for key, value in body.items() if value or key == "kpp"}


def client_problem_messages(client: ClientData, description: str) -> list[Message]:
    """What an operator must fix before the request can go to 1C, as kept messages (b24app.i18n)."""
    problems: list[Message] = []
    if not client.entity_id:
        problems.append(_m("Не указан клиент: выберите компанию или контакт"))
    else:
        if not (client.phone or client.email):
            problems.append(_m("У клиента нет ни телефона, ни e-mail"))
        inn = inn_is_valid(client.inn)
        if not inn:
            problems.append(_m("Реквизиты клиента: %(reason)s", reason=_m(inn.message, **inn.args)))
        elif len(client.inn) == 10:
            kpp = kpp_is_valid(client.kpp)
            if not kpp:
                problems.append(_m("Реквизиты клиента: %(reason)s", reason=_m(kpp.message, **kpp.args)))
        elif client.kpp:
            problems.append(_m("Реквизиты клиента: у ИП и физического лица КПП должен быть пустым"))
    if not description.strip():
        problems.append(_m("Нет описания обращения: заполните «Описание» или название"))
    return problems


def client_problems(client: ClientData, description: str) -> list[str]:
    """The same problems in Russian, as the timeline comment and the notification say them."""
    return [render(m, translate=False) for m in client_problem_messages(client, description)]


def digest(value: Any) -> str:
    """A stable hash of JSON-able data (problem sets, what was pushed)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_fields(title: str, description: str, request_type: str | None, state: str) -> dict[str, str]:
    """The «Заявка» fields the app owns, as it wants them in 1C."""
    return {
        "subject": (title or description)[:250],
        "description": description or title,
        "kind": request_type if request_type in REQUEST_KINDS else "support",
        "status": STATUS_FOR_STATE.get(state, "in_progress"),
    }


def changed_fields(wanted: dict[str, str], snapshot: dict[str, Any]) -> dict[str, str]:
    """Fields whose value in 1C differs from what the app wants (only those are sent)."""
    return {name: value for name, value in wanted.items() if snapshot.get(name) != value}


def interaction_id(member_id: str, source_ref: str) -> str:
    """The row id in «История взаимодействий» of a Bitrix24 event: the same on every retry."""
    return str(uuid.uuid5(_KEYS, f"{member_id}:{source_ref}"))


def write_key(external_id: str, *parts: Any) -> str:
    """An idempotency key for one particular write about a document (a PATCH, a counterparty)."""
    return str(uuid.uuid5(_KEYS, ":".join([external_id, *map(str, parts)])))


def interaction_comment(data: dict[str, Any]) -> str:
    """The timeline comment for a row of «История взаимодействий» written in 1C."""
    kind = INTERACTION_TITLES.get(str(data.get("kind") or ""), "Взаимодействие")
    direction = {"in": "входящее", "out": "исходящее"}.get(str(data.get("direction") or ""), "")
    who = str(data.get("responsible") or "").strip()
    head = " · ".join(part for part in (f"1С: {kind}", direction, who) if part)
    text = str(data.get("text") or "").strip()
    return f"{head}\n{text}" if text else head
