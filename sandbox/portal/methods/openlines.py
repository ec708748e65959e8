"""Open-line chats of CRM objects: imopenlines.crm.chat.get, imopenlines.crm.message.add.

A chat belongs to the client's contact (or company, lead, deal) that the open line linked it to; the
client writes from a messenger (the connector) and employees answer in the chat. Messages sent with
imopenlines.crm.message.add go to the client's messenger; the sandbox keeps them for its pages.
"""

from __future__ import annotations

from typing import Any

from sandbox.portal.errors import RestError
from sandbox.portal.params import as_int
from sandbox.portal.rest import CallContext, method
from sandbox.portal.state import Portal, now_iso

ENTITY_TYPES = ("lead", "deal", "company", "contact")
CONNECTORS = {"telegrambot": "Telegram", "livechat": "Онлайн-чат", "whatsappbyedna": "WhatsApp"}


def _upper(params: dict[str, Any]) -> dict[str, Any]:
    return {str(k).upper(): v for k, v in params.items()}


def _argument(p: dict[str, Any], name: str) -> Any:
    value = p.get(name)
    if value in (None, ""):
        raise RestError("ERROR_ARGUMENT", f"Argument '{name}' is null or empty", 400)
    return value


def _entity(p: dict[str, Any]) -> tuple[str, int]:
    entity_type = str(_argument(p, "CRM_ENTITY_TYPE")).lower()
    if entity_type not in ENTITY_TYPES:
        raise RestError("ERROR_ARGUMENT", "Argument 'CRM_ENTITY_TYPE' is invalid", 400)
    entity_id = as_int(_argument(p, "CRM_ENTITY"))
    if entity_id is None:
        raise RestError("ERROR_ARGUMENT", "Argument 'CRM_ENTITY' is invalid", 400)
    return entity_type, entity_id


def open_chat(
    portal: Portal, entity_type: str, entity_id: int, connector: str = "telegrambot"
) -> dict[str, Any]:
    """The active chat of a CRM object on a connector, opened when there is none (a client wrote)."""
    with portal.lock:
        for chat in portal.openline_chats.values():
            if (chat["entity_type"], chat["entity_id"], chat["connector_id"]) == (
                entity_type,
                entity_id,
                connector,
            ) and chat["active"]:
                return chat
        chat_id = portal.next_id("openline_chat", 9850)
        chat = {
            "id": chat_id,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "connector_id": connector,
            "connector_title": CONNECTORS.get(connector, connector),
            "active": True,
            "messages": [],
        }
        portal.openline_chats[chat_id] = chat
        return chat


def close_chat(portal: Portal, chat_id: int) -> bool:
    """The client's conversation ended (an operator closed it): nothing more can be sent there."""
    with portal.lock:
        chat = portal.openline_chats.get(chat_id)
        if chat is None:
            return False
        chat["active"] = False
        return True


def chats_with_messages(portal: Portal) -> list[dict[str, Any]]:
    with portal.lock:
        return [dict(c, messages=list(c["messages"])) for c in portal.openline_chats.values()]


def add_chat_message(chat: dict[str, Any], portal: Portal, text: str, author_id: int | None) -> int:
    """author_id None: the client wrote it from the messenger."""
    message_id = portal.next_id("openline_message", 19880100)
    chat["messages"].append({"id": message_id, "author_id": author_id, "text": text, "created": now_iso()})
    return message_id


@method("imopenlines.crm.chat.get", "imopenlines")
def chat_get(ctx: CallContext, params: dict[str, Any]) -> list[dict[str, str]]:
    p = _upper(params)
    entity_type, entity_id = _entity(p)
    active_only = str(p.get("ACTIVE_ONLY") or "Y").upper() != "N"
    return [
        {"CHAT_ID": str(c["id"]), "CONNECTOR_ID": c["connector_id"], "CONNECTOR_TITLE": c["connector_title"]}
        for c in ctx.portal.openline_chats.values()
        if (c["entity_type"], c["entity_id"]) == (entity_type, entity_id) and (c["active"] or not active_only)
    ]


@method("imopenlines.crm.message.add", "imopenlines")
def message_add(ctx: CallContext, params: dict[str, Any]) -> int:
    p = _upper(params)
    entity_type, entity_id = _entity(p)
    user_id = as_int(_argument(p, "USER_ID"))
    chat_id = as_int(_argument(p, "CHAT_ID"))
    text = str(_argument(p, "MESSAGE"))
    chat = ctx.portal.openline_chats.get(chat_id or 0)
    if chat is None or (chat["entity_type"], chat["entity_id"]) != (entity_type, entity_id):
        raise RestError("CHAT_NOT_IN_CRM", "Chat does not belong to the CRM object being checked", 400)
    if user_id not in ctx.portal.users or not chat["active"]:
        raise RestError("CANCELED", "You cannot send messages to the specified chat", 400)
    return add_chat_message(chat, ctx.portal, text, user_id)
