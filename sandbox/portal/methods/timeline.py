"""Timeline comments and activities (emails, calls, to-dos): crm.timeline.comment.*, crm.activity.*."""

from __future__ import annotations

from typing import Any

from sandbox.portal.delivery import fire
from sandbox.portal.errors import RestError, missing_param, not_found
from sandbox.portal.filtering import matches, ordered, page, selected
from sandbox.portal.methods.items import get_item
from sandbox.portal.params import as_dict, as_int, as_list, lower_keys
from sandbox.portal.rest import CallContext, ListResult, method
from sandbox.portal.state import Actor, Portal, now_iso

ACTIVITY_CALL, ACTIVITY_EMAIL, ACTIVITY_TODO = 2, 4, 6
DIRECTION_INCOMING, DIRECTION_OUTGOING = 1, 2
OWNER_COMPANY, OWNER_CONTACT = 4, 3
_PROVIDERS = {
    ACTIVITY_CALL: ("VOXIMPLANT_CALL", "CALL"),
    ACTIVITY_EMAIL: ("CRM_EMAIL", "EMAIL"),
    ACTIVITY_TODO: ("CRM_TODO", "TODO"),
}
ACTIVITY_FIELDS = (
    "ID",
    "OWNER_ID",
    "OWNER_TYPE_ID",
    "TYPE_ID",
    "PROVIDER_ID",
    "PROVIDER_TYPE_ID",
    "SUBJECT",
    "DESCRIPTION",
    "DESCRIPTION_TYPE",
    "DIRECTION",
    "COMPLETED",
    "RESPONSIBLE_ID",
    "AUTHOR_ID",
    "EDITOR_ID",
    "CREATED",
    "LAST_UPDATED",
    "START_TIME",
    "END_TIME",
    "DEADLINE",
    "PRIORITY",
    "SETTINGS",
)


def _check_owner(portal: Portal, owner_type_id: int, owner_id: int) -> None:
    if owner_type_id in portal.types:
        get_item(portal, owner_type_id, owner_id)
    elif owner_type_id == OWNER_COMPANY and owner_id not in portal.companies:
        raise not_found("Компания не найдена")
    elif owner_type_id == OWNER_CONTACT and owner_id not in portal.contacts:
        raise not_found("Контакт не найден")


def _owner_of(entity_type: str) -> int | None:
    entity_type = entity_type.lower()
    if entity_type.startswith("dynamic_"):
        return as_int(entity_type.removeprefix("dynamic_"))
    return {"company": OWNER_COMPANY, "contact": OWNER_CONTACT, "lead": 1, "deal": 2}.get(entity_type)


def add_comment(
    portal: Portal, entity_type: str, entity_id: int, comment: str, actor: Actor
) -> dict[str, Any]:
    owner_type = _owner_of(entity_type)
    if owner_type is None:
        raise RestError("ERROR_CORE", f"Unknown ENTITY_TYPE {entity_type}", 400)
    _check_owner(portal, owner_type, entity_id)
    if not comment.strip():
        raise RestError("ERROR_CORE", "Empty comment", 400)
    row = {
        "ID": portal.next_id("comment"),
        "CREATED": now_iso(),
        "ENTITY_ID": entity_id,
        "ENTITY_TYPE": entity_type.lower(),
        "AUTHOR_ID": actor.user_id,
        "COMMENT": comment,
        "FILES": [],
    }
    portal.comments[row["ID"]] = row
    fire(portal, "ONCRMTIMELINECOMMENTADD", {"ID": row["ID"]}, actor)
    return row


def add_activity(
    portal: Portal,
    *,
    owner_type_id: int,
    owner_id: int,
    type_id: int,
    direction: int,
    subject: str,
    description: str,
    actor: Actor,
    responsible_id: int | None = None,
    deadline: str | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    _check_owner(portal, owner_type_id, owner_id)
    now = now_iso()
    provider, provider_type = _PROVIDERS[type_id]
    row = {
        "ID": str(portal.next_id("activity")),
        "OWNER_ID": str(owner_id),
        "OWNER_TYPE_ID": str(owner_type_id),
        "TYPE_ID": str(type_id),
        "PROVIDER_ID": provider,
        "PROVIDER_TYPE_ID": provider_type,
        "SUBJECT": subject,
        "DESCRIPTION": description,
        "DESCRIPTION_TYPE": "1",
        "DIRECTION": str(direction),
        "COMPLETED": "N" if type_id == ACTIVITY_TODO else "Y",
        "RESPONSIBLE_ID": str(responsible_id or actor.user_id),
        "AUTHOR_ID": str(actor.user_id),
        "EDITOR_ID": str(actor.user_id),
        "CREATED": now,
        "LAST_UPDATED": now,
        "START_TIME": now,
        "END_TIME": deadline or now,
        "DEADLINE": deadline or now,
        "PRIORITY": "2",
        "SETTINGS": settings or {},
    }
    portal.activities[int(row["ID"])] = row
    fire(portal, "ONCRMACTIVITYADD", {"ID": int(row["ID"])}, actor)
    return row


@method("crm.timeline.comment.add", "crm")
def comment_add(ctx: CallContext, params: dict[str, Any]) -> int:
    fields = {str(k).upper(): v for k, v in as_dict(lower_keys(params).get("fields")).items()}
    entity_id = as_int(fields.get("ENTITY_ID"))
    if entity_id is None:
        raise RestError("ERROR_CORE", "ENTITY_ID is required", 400)
    actor = Actor(as_int(fields.get("AUTHOR_ID"), ctx.user_id) or ctx.user_id)
    row = add_comment(
        ctx.portal, str(fields.get("ENTITY_TYPE", "")), entity_id, str(fields.get("COMMENT", "")), actor
    )
    return row["ID"]


@method("crm.timeline.comment.get", "crm")
def comment_get(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    row = ctx.portal.comments.get(as_int(lower_keys(params).get("id"), -1) or -1)
    if row is None:
        raise not_found("Комментарий не найден")
    return dict(row)


def _upper(name: str) -> str | None:
    return name.upper()


@method("crm.timeline.comment.list", "crm")
def comment_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    filt = as_dict(p.get("filter"))
    if not any(k.upper().lstrip("=") == "ENTITY_ID" for k in filt):
        raise missing_param("filter[ENTITY_ID]")
    rows = [r for r in ctx.portal.comments.values() if matches(r, filt, _upper)]
    rows = ordered(rows, as_dict(p.get("order")) or {"ID": "ASC"}, _upper)
    chunk, total, nxt = page(rows, p.get("start"))
    return ListResult([dict(r) for r in chunk], total, nxt)


@method("crm.activity.todo.add", "crm")
def todo_add(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    owner_type, owner_id = as_int(p.get("ownertypeid")), as_int(p.get("ownerid"))
    if owner_type is None or owner_id is None:
        raise missing_param("ownerTypeId" if owner_type is None else "ownerId")
    if not p.get("deadline"):
        raise missing_param("deadline")
    row = add_activity(
        ctx.portal,
        owner_type_id=owner_type,
        owner_id=owner_id,
        type_id=ACTIVITY_TODO,
        direction=0,
        subject=str(p.get("title") or ""),
        description=str(p.get("description") or ""),
        actor=ctx.actor,
        responsible_id=as_int(p.get("responsibleid")),
        deadline=str(p["deadline"]),
    )
    return {"id": int(row["ID"])}


@method("crm.activity.add", "crm")
def activity_add(ctx: CallContext, params: dict[str, Any]) -> int:
    """An email or call logged on an item (the old activity API; to-dos go through crm.activity.todo.add)."""
    fields = {str(k).upper(): v for k, v in as_dict(lower_keys(params).get("fields")).items()}
    owner_type, owner_id = as_int(fields.get("OWNER_TYPE_ID")), as_int(fields.get("OWNER_ID"))
    if owner_type is None or owner_id is None:
        raise missing_param("fields[OWNER_TYPE_ID]" if owner_type is None else "fields[OWNER_ID]")
    type_id = as_int(fields.get("TYPE_ID"))
    if type_id not in (ACTIVITY_CALL, ACTIVITY_EMAIL):
        raise RestError("ERROR_CORE", "TYPE_ID must be 2 (call) or 4 (email)", 400)
    direction = as_int(fields.get("DIRECTION"), DIRECTION_OUTGOING)
    if direction not in (DIRECTION_INCOMING, DIRECTION_OUTGOING):
        raise RestError("ERROR_CORE", "DIRECTION must be 1 (incoming) or 2 (outgoing)", 400)
    row = add_activity(
        ctx.portal,
        owner_type_id=owner_type,
        owner_id=owner_id,
        type_id=type_id,
        direction=direction,
        subject=str(fields.get("SUBJECT") or ""),
        description=str(fields.get("DESCRIPTION") or ""),
        actor=ctx.actor,
        responsible_id=as_int(fields.get("RESPONSIBLE_ID")),
    )
    return int(row["ID"])


@method("crm.activity.get", "crm")
def activity_get(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    row = ctx.portal.activities.get(as_int(lower_keys(params).get("id"), -1) or -1)
    if row is None:
        raise not_found("Дело не найдено")
    return dict(row)


@method("crm.activity.list", "crm")
def activity_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    rows = [r for r in ctx.portal.activities.values() if matches(r, as_dict(p.get("filter")), _upper)]
    rows = ordered(rows, as_dict(p.get("order")) or {"ID": "ASC"}, _upper)
    chunk, total, nxt = page(rows, p.get("start"))
    select = [str(s) for s in as_list(p.get("select"))]
    return ListResult([selected(r, select, _upper, ACTIVITY_FIELDS) for r in chunk], total, nxt)
