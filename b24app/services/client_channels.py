"""Reaching the client in their channel: the open-line chat the request came from (Telegram, WhatsApp,
the site's chat…) when it is still open, else email.

A request whose channel is `chat` is answered in the contact's active open-line chat
(imopenlines.crm.chat.get, imopenlines.crm.message.add on behalf of the responsible). When the chat is
closed or refuses the message, and for every other channel, the message goes by email. One batch finds
both addresses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..bitrix.client import B24Client
from ..bitrix.errors import B24Error
from ..models import Portal, ServiceRequest
from .mail import OutgoingMail, send_mail

log = logging.getLogger(__name__)

CHAT_SCOPE = "imopenlines"


@dataclass(frozen=True)
class Chat:
    chat_id: int
    connector: str  # "Telegram", "Онлайн-чат"…
    entity_type: str
    entity_id: int

    @property
    def label(self) -> str:
        return f"{self.connector} · чат {self.chat_id}"


@dataclass(frozen=True)
class Addresses:
    email: str | None
    chat: Chat | None

    @property
    def empty(self) -> bool:
        return not self.email and self.chat is None


@dataclass(frozen=True)
class Sent:
    channel: str  # "chat" or "email"
    to: str  # the email address or the chat's label
    message_id: str | None


def _first_email(row: Any) -> str | None:
    if not isinstance(row, dict):
        return None
    for entry in row.get("EMAIL") or []:
        value = str((entry or {}).get("VALUE") or "").strip()
        if "@" in value:
            return value
    return None


def wants_chat(portal: Portal, req: ServiceRequest) -> bool:
    scopes = {s.strip() for s in (portal.scope or "").split(",")}
    return req.channel == "chat" and bool(req.contact_id) and CHAT_SCOPE in scopes


def addresses(portal: Portal, client: B24Client, req: ServiceRequest) -> Addresses:
    """The contact's email, else the company's; and the contact's open chat for a chat request."""
    commands: dict[str, tuple[str, dict[str, Any]]] = {}
    if req.contact_id:
        commands["contact"] = ("crm.contact.get", {"id": req.contact_id})
    if req.company_id:
        commands["company"] = ("crm.company.get", {"id": req.company_id})
    if wants_chat(portal, req):
        commands["chats"] = (
            "imopenlines.crm.chat.get",
            {"CRM_ENTITY_TYPE": "contact", "CRM_ENTITY": req.contact_id, "ACTIVE_ONLY": "Y"},
        )
    if not commands:
        return Addresses(None, None)
    outcome = client.batch(commands)
    email = _first_email(outcome.results.get("contact")) or _first_email(outcome.results.get("company"))
    chat = None
    if "chats" in outcome.errors:
        log.warning(
            "portal %s request %s: open-line chats: %s", portal.id, req.b24_id, outcome.errors["chats"]
        )
    rows = [r for r in outcome.results.get("chats") or [] if isinstance(r, dict) and r.get("CHAT_ID")]
    if rows:
        last = max(rows, key=lambda r: int(r["CHAT_ID"]))  # the newest chat is the live conversation
        chat = Chat(
            int(last["CHAT_ID"]), str(last.get("CONNECTOR_TITLE") or "чат"), "contact", int(req.contact_id)
        )
    return Addresses(email, chat)


def send(
    portal: Portal,
    client: B24Client,
    req: ServiceRequest,
    found: Addresses,
    *,
    subject: str,
    text: str,
    smtp_url: str,
    sender_name: str,
    sender_id: int | None = None,
) -> Sent:
    """Send to the chat if there is one, else (or when the chat refuses) by email.

    Raises MailError or a retryable B24Error to be retried, LookupError when no channel is left."""
    author = sender_id or req.assigned_by_id or portal.installed_by
    if found.chat is not None and author:
        try:
            message_id = client.call(
                "imopenlines.crm.message.add",
                {
                    "CRM_ENTITY_TYPE": found.chat.entity_type,
                    "CRM_ENTITY": found.chat.entity_id,
                    "USER_ID": author,
                    "CHAT_ID": found.chat.chat_id,
                    "MESSAGE": text,
                },
            ).result
            return Sent("chat", found.chat.label, str(message_id))
        except B24Error as exc:
            if exc.retryable:
                raise
            # Closed meanwhile, or not this client's chat any more: the email still reaches them.
            log.warning(
                "portal %s request %s: chat %s refused: %s", portal.id, req.b24_id, found.chat.chat_id, exc
            )
    if not found.email:
        raise LookupError("no channel to the client")
    message_id = send_mail(smtp_url, OutgoingMail(found.email, subject, text, sender_name))
    return Sent("email", found.email, message_id)
