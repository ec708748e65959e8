"""Smart-process types, their pipelines (categories) and stages: crm.type.*, crm.category.*, crm.status.*."""

from __future__ import annotations

from typing import Any

from sandbox.portal.errors import RestError, missing_param, not_found
from sandbox.portal.filtering import matches, ordered, page
from sandbox.portal.params import as_dict, as_int, lower_keys
from sandbox.portal.rest import CallContext, ListResult, method
from sandbox.portal.state import Portal, now_iso

FIRST_CUSTOM_ENTITY_TYPE_ID = 1030
DEFAULT_STAGES = [
    # status id, name, sort, semantics
    ("NEW", "Новая", 10, None),
    ("PREPARATION", "Подготовка", 20, None),
    ("CLIENT", "Ожидание клиента", 30, None),
    ("SUCCESS", "Успешно", 40, "S"),
    ("FAIL", "Провал", 50, "F"),
]
_TYPE_FLAGS = (
    "isCategoriesEnabled",
    "isStagesEnabled",
    "isBeginCloseDatesEnabled",
    "isClientEnabled",
    "isUseInUserfieldEnabled",
    "isLinkWithProductsEnabled",
    "isMycompanyEnabled",
    "isDocumentsEnabled",
    "isSourceEnabled",
    "isObserversEnabled",
    "isRecyclebinEnabled",
    "isAutomationEnabled",
    "isBizProcEnabled",
    "isSetOpenPermissions",
)


def _flag(value: Any) -> str:
    return "Y" if str(value).upper() in ("Y", "1", "TRUE") else "N"


def stage_entity_id(entity_type_id: int, category_id: int) -> str:
    return f"DYNAMIC_{entity_type_id}_STAGE_{category_id}"


def stage_prefix(entity_type_id: int, category_id: int) -> str:
    return f"DT{entity_type_id}_{category_id}:"


def add_type(portal: Portal, fields: dict[str, Any], user_id: int) -> dict[str, Any]:
    """Create a smart process with its default pipeline and stages."""
    title = str(fields.get("title") or "").strip()
    if not title:
        raise RestError("ERROR_CORE", "Поле «Название» обязательно для заполнения", 400)
    etid = as_int(fields.get("entityTypeId"))
    if etid is None:
        etid = portal.next_id("entity_type", FIRST_CUSTOM_ENTITY_TYPE_ID, 2)
    elif etid in portal.types:
        raise RestError("ERROR_CORE", "Тип с таким entityTypeId уже существует", 400)
    now = now_iso()
    record: dict[str, Any] = {
        "id": portal.next_id("type", 5),
        "title": title,
        "code": fields.get("code"),
        "createdBy": user_id,
        "entityTypeId": etid,
        "customSectionId": None,
        "createdTime": now,
        "updatedTime": now,
        "updatedBy": user_id,
    }
    for flag in _TYPE_FLAGS:
        record[flag] = _flag(fields.get(flag, "Y" if flag in ("isStagesEnabled", "isClientEnabled") else "N"))
    portal.types[etid] = record
    portal.items.setdefault(etid, {})
    add_category(portal, etid, "Общая", is_default=True)
    return record


def add_category(portal: Portal, etid: int, name: str, is_default: bool = False) -> dict[str, Any]:
    category = {
        "id": portal.next_id("category", 8),
        "name": name,
        "sort": 500,
        "entityTypeId": etid,
        "isDefault": "Y" if is_default else "N",
    }
    portal.categories[category["id"]] = category
    for status_id, stage_name, sort, semantics in DEFAULT_STAGES:
        add_status(portal, stage_entity_id(etid, category["id"]), status_id, stage_name, sort, semantics)
    return category


def add_status(
    portal: Portal, entity_id: str, status_id: str, name: str, sort: int, semantics: str | None
) -> dict[str, Any]:
    category_id = None
    if entity_id.startswith("DYNAMIC_") and "_STAGE_" in entity_id:
        etid_text, _, cat_text = entity_id.removeprefix("DYNAMIC_").partition("_STAGE_")
        category_id = int(cat_text)
        if ":" not in status_id:
            status_id = stage_prefix(int(etid_text), category_id) + status_id
    if any(s["ENTITY_ID"] == entity_id and s["STATUS_ID"] == status_id for s in portal.statuses):
        raise RestError("ERROR_CORE", f"Статус {status_id} уже существует", 400)
    status = {
        "ID": portal.next_id("status", 100),
        "ENTITY_ID": entity_id,
        "STATUS_ID": status_id,
        "NAME": name,
        "NAME_INIT": name,
        "SORT": sort,
        "SYSTEM": "Y" if semantics or status_id.endswith(":NEW") else "N",
        "CATEGORY_ID": category_id,
        "COLOR": "#39A8EF",
        "SEMANTICS": semantics,
        "EXTRA": {"SEMANTICS": {"S": "success", "F": "failure"}.get(semantics or "", "process")},
    }
    portal.statuses.append(status)
    return status


def stages_of(portal: Portal, etid: int, category_id: int) -> list[dict[str, Any]]:
    entity_id = stage_entity_id(etid, category_id)
    return sorted((s for s in portal.statuses if s["ENTITY_ID"] == entity_id), key=lambda s: s["SORT"])


def default_category(portal: Portal, etid: int) -> dict[str, Any]:
    cats = [c for c in portal.categories.values() if c["entityTypeId"] == etid]
    return next((c for c in cats if c["isDefault"] == "Y"), cats[0])


def type_by_title(portal: Portal, title: str) -> dict[str, Any] | None:
    return next((t for t in portal.types.values() if t["title"] == title), None)


def _type_by_id(portal: Portal, type_id: Any) -> dict[str, Any]:
    wanted = as_int(type_id)
    found = next((t for t in portal.types.values() if t["id"] == wanted), None)
    if found is None:
        raise not_found("Смарт-процесс не найден")
    return found


def _camel_resolver(row_keys: list[str]):
    lookup = {k.lower(): k for k in row_keys}

    def resolve(name: str) -> str | None:
        # camelCase only: an upper-case `ID` does not name a type field.
        return lookup.get(name.lower()) if name != name.upper() or name.islower() else None

    return resolve


@method("crm.type.list", "crm")
def type_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    rows = list(ctx.portal.types.values())
    keys = list(rows[0].keys()) if rows else ["id", "title", "entityTypeId"]
    resolve = _camel_resolver(keys)
    for key in as_dict(p.get("order")):
        if resolve(str(key)) is None:
            raise RestError(100, f"Invalid order field {key}", 400)
    rows = [r for r in rows if matches(r, as_dict(p.get("filter")), resolve)]
    rows = ordered(rows, as_dict(p.get("order")) or {"id": "ASC"}, resolve)
    chunk, total, nxt = page(rows, p.get("start"))
    return ListResult({"types": [dict(r) for r in chunk]}, total, nxt)


@method("crm.type.add", "crm", admin=True)
def type_add(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"type": dict(add_type(ctx.portal, as_dict(lower_keys(params).get("fields")), ctx.user_id))}


@method("crm.type.get", "crm")
def type_get(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    if p.get("id") in (None, ""):
        raise missing_param("id")
    return {"type": dict(_type_by_id(ctx.portal, p.get("id")))}


@method("crm.type.getbyentitytypeid", "crm")
def type_get_by_etid(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    found = ctx.portal.types.get(as_int(lower_keys(params).get("entitytypeid"), -1) or -1)
    if found is None:
        raise not_found("Смарт-процесс не найден")
    return {"type": dict(found)}


@method("crm.type.update", "crm", admin=True)
def type_update(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    record = _type_by_id(ctx.portal, p.get("id"))
    for key, value in as_dict(p.get("fields")).items():
        if key == "title" and str(value).strip():
            record["title"] = str(value).strip()
        elif key in _TYPE_FLAGS:
            record[key] = _flag(value)
    record["updatedTime"] = now_iso()
    record["updatedBy"] = ctx.user_id
    return {"type": dict(record)}


@method("crm.category.list", "crm")
def category_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    etid = as_int(lower_keys(params).get("entitytypeid"))
    if etid is None:
        raise missing_param("entityTypeId")
    if etid not in ctx.portal.types:
        raise not_found("Тип сущности не найден")
    rows = [dict(c) for c in ctx.portal.categories.values() if c["entityTypeId"] == etid]
    return ListResult({"categories": rows}, len(rows))


def _upper_resolver(name: str) -> str | None:
    return name.upper()


@method("crm.status.list", "crm")
def status_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    rows = [s for s in ctx.portal.statuses if matches(s, as_dict(p.get("filter")), _upper_resolver)]
    rows = ordered(rows, as_dict(p.get("order")) or {"SORT": "ASC"}, _upper_resolver)
    return ListResult([dict(s) for s in rows], len(rows))


@method("crm.status.add", "crm", admin=True)
def status_add(ctx: CallContext, params: dict[str, Any]) -> int:
    fields = {str(k).upper(): v for k, v in as_dict(lower_keys(params).get("fields")).items()}
    for required in ("ENTITY_ID", "STATUS_ID", "NAME"):
        if not fields.get(required):
            raise RestError("ERROR_CORE", f"Не заполнено поле {required}", 400)
    semantics = str(fields.get("SEMANTICS") or "").upper() or None
    status = add_status(
        ctx.portal,
        str(fields["ENTITY_ID"]),
        str(fields["STATUS_ID"]),
        str(fields["NAME"]),
        as_int(fields.get("SORT"), 100) or 100,
        semantics if semantics in ("S", "F") else None,
    )
    return status["ID"]
