"""Client requests created the way operators create them: an item plus the call or email behind it."""

from __future__ import annotations

from typing import Any

from sandbox.portal.methods.items import ItemSchema, add_item
from sandbox.portal.methods.openlines import add_chat_message, open_chat
from sandbox.portal.methods.timeline import (
    ACTIVITY_CALL,
    ACTIVITY_EMAIL,
    DIRECTION_INCOMING,
    add_activity,
    add_comment,
)
from sandbox.portal.state import Actor, Portal

REQUESTS_TITLE = "Обращения клиентов"
# An open line gives its items the source "<line id>|<connector>".
SOURCES = {"phone": "CALL", "email": "EMAIL", "web_form": "WEB", "chat": "1|TELEGRAMBOT"}


def _description_field(schema: ItemSchema) -> str | None:
    for camel, field in schema.custom.items():
        if field["fieldName"].endswith("DESCRIPTION") and field["userTypeId"] == "string":
            return camel
    return None


def create_request(
    portal: Portal,
    etid: int,
    *,
    title: str,
    description: str,
    channel: str,
    company_id: int | None,
    contact_id: int | None,
    actor: Actor,
) -> dict[str, Any]:
    """Create the item and, for calls and emails, the activity; events fire as for a person's actions."""
    with portal.lock:
        schema = ItemSchema(portal, etid)
        fields: dict[str, Any] = {"title": title, "sourceId": SOURCES.get(channel, "OTHER")}
        if company_id:
            fields["companyId"] = company_id
        if contact_id:
            fields["contactId"] = contact_id
        desc_field = _description_field(schema)
        if desc_field:
            fields[desc_field] = description
        item = add_item(portal, etid, fields, actor)
        if channel in ("phone", "email"):
            add_activity(
                portal,
                owner_type_id=etid,
                owner_id=item["id"],
                type_id=ACTIVITY_CALL if channel == "phone" else ACTIVITY_EMAIL,
                direction=DIRECTION_INCOMING,
                subject=("Входящий звонок: " if channel == "phone" else "") + title,
                description=description,
                actor=actor,
                responsible_id=item["assignedById"],
            )
        elif channel == "chat" and contact_id:
            # The client wrote to the open line from Telegram; the chat is the contact's.
            chat = open_chat(portal, "contact", contact_id, "telegrambot")
            add_chat_message(chat, portal, description or title, None)
            add_comment(portal, f"dynamic_{etid}", item["id"], f"Сообщение в Telegram: {description}", actor)
        elif description:
            add_comment(portal, f"dynamic_{etid}", item["id"], f"Заявка с веб-формы: {description}", actor)
        return item


def first_contact_of(portal: Portal, company_id: int) -> int | None:
    for contact in portal.contacts.values():
        if contact.get("COMPANY_ID") == str(company_id):
            return int(contact["ID"])
    return None
