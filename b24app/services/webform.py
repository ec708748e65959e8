"""The public web form: a client sends a request from the company's site without a Bitrix24 account.

The submission is validated and stored, then a job creates it in Bitrix24: the contact is found by email
(crm.duplicate.findbycomm) or added, the company is found by INN when one is given, and the item is
added to the smart process with the web form as its channel. Routing, SLA and the registration email
(with the number) follow from the item's creation like for any other request. Retried jobs never add
the item twice: it carries the submission's xmlId.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from onec_client import inn_is_valid

from ..bitrix.client import B24Client
from ..extensions import db
from ..jobs.queue import enqueue
from ..models import Portal, PortalStatus, WebFormStatus, WebFormSubmission, utcnow
from .fields import FieldMap

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIMITS = {
    "name": 100,
    "email": 255,
    "phone": 32,
    "company": 255,
    "inn": 12,
    "subject": 200,
    "description": 5000,
}
RATE_WINDOW = timedelta(minutes=10)
RATE_MAX = 5  # submissions from one address per window and portal
CONTACT, COMPANY = 3, 4


class FormClosed(LookupError):
    """No such form, or its portal switched it off or left."""


class TooManySubmissions(Exception):
    pass


@dataclass(frozen=True)
class FormData:
    name: str
    email: str
    phone: str
    company: str
    inn: str
    subject: str
    description: str


def form_key(portal: Portal) -> str | None:
    settings = (portal.settings or {}).get("web_form") or {}
    return f"{portal.id}-{settings['key']}" if settings.get("key") else None


def form_enabled(portal: Portal) -> bool:
    settings = (portal.settings or {}).get("web_form") or {}
    return bool(settings.get("key")) and settings.get("enabled", True) is not False


def help_enabled(portal: Portal) -> bool:
    """The public knowledge base (/help/<key>) shares the form's key; it has a switch of its own."""
    settings = (portal.settings or {}).get("web_form") or {}
    return bool(settings.get("key")) and settings.get("help_enabled", True) is not False


def set_help_enabled(portal: Portal, enabled: bool) -> None:
    ensure_form(portal)
    settings = dict(portal.settings or {})
    settings["web_form"] = {**settings["web_form"], "help_enabled": enabled}
    portal.settings = settings


def ensure_form(portal: Portal) -> str:
    """The portal's form key, made on first use (the form is on until an admin switches it off)."""
    if not form_key(portal):
        settings = dict(portal.settings or {})
        settings["web_form"] = {"key": secrets.token_urlsafe(12), "enabled": True}
        portal.settings = settings
    return form_key(portal) or ""


def set_enabled(portal: Portal, enabled: bool) -> None:
    ensure_form(portal)
    settings = dict(portal.settings or {})
    settings["web_form"] = {**settings["web_form"], "enabled": enabled}
    portal.settings = settings


def portal_of(key: str, page: str = "form") -> Portal:
    """The portal whose form (or, with page="help", public knowledge base) this key opens; FormClosed
    for anything else, a switched-off page included."""
    portal_id, _sep, secret = key.partition("-")
    portal = db.session.get(Portal, int(portal_id)) if portal_id.isdigit() and secret else None
    enabled = help_enabled if page == "help" else form_enabled
    if portal is None or portal.status != PortalStatus.ACTIVE or not enabled(portal):
        raise FormClosed(key)
    expected = ((portal.settings or {}).get("web_form") or {}).get("key") or ""
    if not hmac.compare_digest(expected.encode(), secret.encode()):
        raise FormClosed(key)
    if not (portal.settings or {}).get("smart_process"):
        raise FormClosed(key)
    return portal


def clean(form: Any) -> tuple[FormData, dict[str, str]]:
    """The submitted fields, trimmed, and what is wrong with them (field -> message for people)."""
    values = {name: " ".join(str(form.get(name) or "").split()) for name in LIMITS if name != "description"}
    values["description"] = str(form.get("description") or "").strip()
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = _("Не длиннее %(limit)s символов", limit=limit)
    for name in ("name", "email", "subject", "description"):
        if not values[name]:
            errors[name] = _("Заполните это поле")
    if values["email"] and "email" not in errors and not EMAIL.match(values["email"]):
        errors["email"] = _("Проверьте адрес: например, ivanov@example.ru")
    digits = re.sub(r"\D", "", values["phone"])
    if values["phone"] and not 10 <= len(digits) <= 15:
        errors["phone"] = _("Телефон: от 10 до 15 цифр, например +7 912 345-67-89")
    if values["inn"] and "inn" not in errors:
        check = inn_is_valid(values["inn"])
        if not check:
            errors["inn"] = _("ИНН не прошёл проверку: %(reason)s", reason=check.reason)
    return FormData(**values), errors


def source_hash(secret: str, portal_id: int, address: str) -> str:
    return hmac.new(secret.encode(), f"{portal_id}:{address}".encode(), hashlib.sha256).hexdigest()


def submit(portal: Portal, data: FormData, source: str, now: datetime | None = None) -> WebFormSubmission:
    """Store the submission and queue its creation in Bitrix24; TooManySubmissions past the rate limit."""
    now = now or utcnow()
    recent = db.session.scalar(
        select(func.count())
        .select_from(WebFormSubmission)
        .where(
            WebFormSubmission.portal_id == portal.id,
            WebFormSubmission.source_hash == source,
            WebFormSubmission.created_at > now - RATE_WINDOW,
        )
    )
    if recent >= RATE_MAX:
        raise TooManySubmissions()
    row = WebFormSubmission(portal_id=portal.id, created_at=now, source_hash=source, **data.__dict__)
    db.session.add(row)
    db.session.flush()
    enqueue("webform.create", {"submission_id": row.id}, portal_id=portal.id, dedupe_key=f"webform:{row.id}")
    return row


def _contact(client: B24Client, row: WebFormSubmission, company_id: int | None) -> int:
    found = client.call(
        "crm.duplicate.findbycomm", {"entity_type": "CONTACT", "type": "EMAIL", "values": [row.email]}
    ).result
    ids = (found or {}).get("CONTACT") if isinstance(found, dict) else None
    if ids:
        return int(sorted(int(i) for i in ids)[0])
    first, _sep, last = row.name.partition(" ")
    fields: dict[str, Any] = {
        "NAME": first,
        "LAST_NAME": last,
        "EMAIL": [{"VALUE": row.email, "VALUE_TYPE": "WORK"}],
        "SOURCE_ID": "WEB",
    }
    if row.phone:
        fields["PHONE"] = [{"VALUE": row.phone, "VALUE_TYPE": "WORK"}]
    if company_id:
        fields["COMPANY_ID"] = company_id
    return int(client.call("crm.contact.add", {"fields": fields}).result)


def _company(client: B24Client, inn: str) -> int | None:
    if not inn:
        return None
    rows = client.call(
        "crm.requisite.list",
        {
            "filter": {"RQ_INN": inn, "ENTITY_TYPE_ID": COMPANY},
            "select": ["ENTITY_ID"],
            "order": {"ID": "ASC"},
        },
    ).result
    return int(rows[0]["ENTITY_ID"]) if rows else None


def create_in_bitrix(portal: Portal, client: B24Client, row: WebFormSubmission) -> int:
    """Create the request in Bitrix24 (idempotent); returns the item id."""
    if row.item_b24_id:
        return row.item_b24_id
    smart = portal.settings["smart_process"]
    etid = int(smart["entity_type_id"])
    xml_id = f"webform:{row.id}"
    existing = client.call(
        "crm.item.list", {"entityTypeId": etid, "filter": {"=xmlId": xml_id}, "select": ["id"]}
    ).result
    items = (existing or {}).get("items") or []
    if items:
        row.item_b24_id, row.status = int(items[0]["id"]), WebFormStatus.CREATED
        return row.item_b24_id
    company_id = _company(client, row.inn)
    contact_id = row.contact_b24_id or _contact(client, row, company_id)
    row.contact_b24_id = contact_id
    db.session.commit()  # the contact is kept even if adding the item fails and the job is retried
    fields_map = FieldMap(portal.settings.get("fields", {}))
    details = [row.description]
    if row.company and not company_id:
        details.append(f"Компания: {row.company}" + (f", ИНН {row.inn}" if row.inn else ""))
    if row.phone:
        details.append(f"Телефон: {row.phone}")
    fields: dict[str, Any] = {
        "title": row.subject,
        "xmlId": xml_id,
        "sourceId": "WEB",
        "contactId": contact_id,
        **fields_map.write("SD_CHANNEL", "web_form"),
        **fields_map.write("SD_DESCRIPTION", "\n\n".join(details)),
    }
    if company_id:
        fields["companyId"] = company_id
    created = client.call("crm.item.add", {"entityTypeId": etid, "fields": fields}).result
    row.item_b24_id = int(created["item"]["id"])
    row.status, row.error = WebFormStatus.CREATED, None
    return row.item_b24_id


def stuck(portal_id: int, now: datetime | None = None, limit: int = 20) -> list[WebFormSubmission]:
    """Submissions that did not become requests: failed, or still queued after ten minutes."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(WebFormSubmission)
            .where(
                WebFormSubmission.portal_id == portal_id,
                WebFormSubmission.item_b24_id.is_(None),
                (WebFormSubmission.status == WebFormStatus.FAILED)
                | (WebFormSubmission.created_at < now - timedelta(minutes=10)),
            )
            .order_by(WebFormSubmission.id.desc())
            .limit(limit)
        )
    )


def retry(portal_id: int, submission_id: int) -> WebFormSubmission | None:
    """Queue a submission that did not become a request again (e.g. after the smart process was fixed)."""
    row = db.session.get(WebFormSubmission, submission_id)
    if row is None or row.portal_id != portal_id or row.item_b24_id:
        return None
    row.status, row.error = WebFormStatus.QUEUED, None
    enqueue("webform.create", {"submission_id": row.id}, portal_id=portal_id, dedupe_key=f"webform:{row.id}")
    return row
