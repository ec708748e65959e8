"""Custom fields of smart processes and app-defined field types: userfieldconfig.*, userfieldtype.*."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.portal.errors import RestError, not_found
from sandbox.portal.filtering import matches, ordered, page
from sandbox.portal.naming import upper_to_camel
from sandbox.portal.params import as_dict, as_int, as_list, lower_keys
from sandbox.portal.rest import CallContext, ListResult, method
from sandbox.portal.state import Portal, UserfieldType

BUILTIN_TYPES = {
    "string": "Строка",
    "integer": "Целое число",
    "double": "Число",
    "boolean": "Да/Нет",
    "date": "Дата",
    "datetime": "Дата со временем",
    "enumeration": "Список",
    "crm": "Привязка к элементам CRM",
    "employee": "Привязка к сотруднику",
    "url": "Ссылка",
    "money": "Деньги",
}


def _yn(value: Any, default: str = "N") -> str:
    if value in (None, ""):
        return default
    return "Y" if str(value).upper() in ("Y", "1", "TRUE") else "N"


def _lang_map(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if value in (None, ""):
        return {"ru": None, "en": None}
    return {"ru": str(value), "en": str(value)}


def rest_type_id(portal: Portal, user_type_id: str) -> str:
    """Full code of an app-defined type, as userfieldconfig and getTypes show it (`rest_<app>_<code>`)."""
    app = portal.cloud.app
    return f"rest_{app.app_id if app else 0}_{user_type_id}"


def app_type_for(portal: Portal, full_type_id: str) -> UserfieldType | None:
    return next(
        (t for t in portal.userfield_types.values() if rest_type_id(portal, t.user_type_id) == full_type_id),
        None,
    )


def fields_of_type(portal: Portal, type_record: dict[str, Any]) -> list[dict[str, Any]]:
    entity_id = f"CRM_{type_record['id']}"
    return sorted(
        (f for f in portal.userfields.values() if f["entityId"] == entity_id),
        key=lambda f: (f["sort"], f["id"]),
    )


def item_key(field: dict[str, Any]) -> str:
    return upper_to_camel(field["fieldName"])


def field_label(field: dict[str, Any]) -> str:
    labels = field.get("editFormLabel") or {}
    return labels.get("ru") or labels.get("en") or field["fieldName"]


def _set_enum(portal: Portal, record: dict[str, Any], values: list[Any]) -> None:
    old = {str(e["id"]): e for e in record.get("enum", [])}
    result = []
    for raw in values:
        entry = {str(k): v for k, v in as_dict(raw).items()}
        existing = old.get(str(entry.get("id", "")))
        if existing is not None:
            if _yn(entry.get("del")) == "Y":
                continue
            existing.update({k: entry[k] for k in ("value", "def", "sort", "xmlId") if k in entry})
            result.append(existing)
            continue
        result.append(
            {
                "id": portal.next_id("enum", 40),
                "userFieldId": record["id"],
                "value": str(entry.get("value", "")),
                "def": _yn(entry.get("def")),
                "sort": as_int(entry.get("sort"), 100),
                "xmlId": entry.get("xmlId") or secrets.token_hex(16),
            }
        )
    record["enum"] = result


def _module(params: dict[str, Any]) -> None:
    if str(params.get("moduleid", "")).lower() != "crm":
        raise RestError("", "Module not found or access denied", 400)


@method("userfieldconfig.add", "userfieldconfig", admin=True)
def config_add(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    _module(p)
    portal = ctx.portal
    field = as_dict(p.get("field"))
    entity_id = str(field.get("entityId", ""))
    name = str(field.get("fieldName", "")).upper()
    type_id = str(field.get("userTypeId", ""))
    if not name:
        raise RestError("", "The 'FIELD_NAME' field is not found.", 400)
    if not type_id:
        raise RestError("", "The 'USER_TYPE_ID' field is not found.", 400)
    if not any(f"CRM_{t['id']}" == entity_id for t in portal.types.values()) or not name.startswith(
        f"UF_{entity_id}_"
    ):
        raise RestError("", "You cannot create custom fields", 400)
    if type_id not in BUILTIN_TYPES and app_type_for(portal, type_id) is None:
        raise RestError("", f"Type {type_id} is not found", 400)
    if any(f["entityId"] == entity_id and f["fieldName"] == name for f in portal.userfields.values()):
        raise RestError("", f"Field {name} already exists", 400)
    record: dict[str, Any] = {
        "id": portal.next_id("userfield", 200),
        "entityId": entity_id,
        "fieldName": name,
        "userTypeId": type_id,
        "xmlId": field.get("xmlId"),
        "sort": as_int(field.get("sort"), 100),
        "multiple": _yn(field.get("multiple")),
        "mandatory": _yn(field.get("mandatory")),
        "showFilter": _yn(field.get("showFilter")),
        "showInList": "Y",
        "editInList": _yn(field.get("editInList"), "Y"),
        "isSearchable": _yn(field.get("isSearchable")),
        "settings": as_dict(field.get("settings")),
        "languageId": {"ru": "ru", "en": "en"},
        "editFormLabel": _lang_map(field.get("editFormLabel")),
        "listColumnLabel": _lang_map(field.get("listColumnLabel")),
        "listFilterLabel": _lang_map(field.get("listFilterLabel")),
        "errorMessage": _lang_map(None),
        "helpMessage": _lang_map(field.get("helpMessage")),
    }
    if type_id == "enumeration":
        _set_enum(portal, record, as_list(field.get("enum")))
    portal.userfields[record["id"]] = record
    empty = [] if record["multiple"] == "Y" else None
    for etid, type_record in portal.types.items():
        if f"CRM_{type_record['id']}" == entity_id:
            for item in portal.items.get(etid, {}).values():
                item.setdefault(item_key(record), empty)
    return {"field": _public(record)}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    if record["userTypeId"] != "enumeration":
        out.pop("enum", None)
    return out


def _get(portal: Portal, field_id: Any) -> dict[str, Any]:
    record = portal.userfields.get(as_int(field_id, -1) or -1)
    if record is None:
        raise not_found("Поле не найдено")
    return record


@method("userfieldconfig.get", "userfieldconfig")
def config_get(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    _module(p)
    return {"field": _public(_get(ctx.portal, p.get("id")))}


@method("userfieldconfig.list", "userfieldconfig")
def config_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    _module(p)
    keys = {"id", "entityId", "fieldName", "userTypeId", "xmlId", "sort", "multiple", "mandatory"}
    lookup = {k.lower(): k for k in keys}

    def resolve(name: str) -> str | None:
        return lookup.get(name.lower())

    rows = [r for r in ctx.portal.userfields.values() if matches(r, as_dict(p.get("filter")), resolve)]
    rows = ordered(rows, as_dict(p.get("order")) or {"id": "ASC"}, resolve)
    chunk, total, nxt = page(rows, p.get("start"))
    return ListResult({"fields": [_public(r) for r in chunk]}, total, nxt)


@method("userfieldconfig.update", "userfieldconfig", admin=True)
def config_update(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    _module(p)
    record = _get(ctx.portal, p.get("id"))
    field = as_dict(p.get("field"))
    for key in ("sort", "mandatory", "showFilter", "isSearchable", "xmlId"):
        if key in field:
            record[key] = as_int(field[key], 100) if key == "sort" else field[key]
    for key in ("editFormLabel", "listColumnLabel", "listFilterLabel", "helpMessage"):
        if key in field:
            record[key] = _lang_map(field[key])
    if "settings" in field:
        record["settings"] = as_dict(field["settings"])
    if "enum" in field and record["userTypeId"] == "enumeration":
        _set_enum(ctx.portal, record, as_list(field["enum"]))
    return {"field": _public(record)}


@method("userfieldconfig.delete", "userfieldconfig", admin=True)
def config_delete(ctx: CallContext, params: dict[str, Any]) -> bool:
    p = lower_keys(params)
    _module(p)
    record = _get(ctx.portal, p.get("id"))
    del ctx.portal.userfields[record["id"]]
    return True


@method("userfieldconfig.gettypes", "userfieldconfig")
def config_types(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    types = {k: {"userTypeId": k, "description": v} for k, v in BUILTIN_TYPES.items()}
    for t in ctx.portal.userfield_types.values():
        full = rest_type_id(ctx.portal, t.user_type_id)
        types[full] = {"userTypeId": full, "description": t.title}
    return {"types": types}


def _type_row(t: UserfieldType) -> dict[str, Any]:
    return {
        "USER_TYPE_ID": t.user_type_id,
        "HANDLER": t.handler,
        "TITLE": t.title,
        "DESCRIPTION": t.description,
        "OPTIONS": t.options,
    }


@method("userfieldtype.add", "placement", app_only=True)
def type_add(ctx: CallContext, params: dict[str, Any]) -> bool:
    p = {str(k).upper(): v for k, v in params.items()}
    code, handler = str(p.get("USER_TYPE_ID") or ""), str(p.get("HANDLER") or "")
    if not code:
        raise RestError("ERROR_ARGUMENT", "Argument 'USER_TYPE_ID' is null or empty", 400)
    if not handler:
        raise RestError("ERROR_ARGUMENT", "Argument 'HANDLER' is null or empty", 400)
    types = ctx.portal.userfield_types
    if code in types or any(t.handler == handler for t in types.values()):
        raise RestError("ERROR_CORE", "Unable to set placement handler: Handler already binded", 400)
    types[code] = UserfieldType(
        code, handler, str(p.get("TITLE") or code), str(p.get("DESCRIPTION") or ""), as_dict(p.get("OPTIONS"))
    )
    return True


@method("userfieldtype.list", "placement", app_only=True)
def type_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    rows = [_type_row(t) for t in ctx.portal.userfield_types.values()]
    chunk, total, nxt = page(rows, lower_keys(params).get("start"))
    return ListResult(chunk, total, nxt)


@method("userfieldtype.update", "placement", app_only=True)
def type_update(ctx: CallContext, params: dict[str, Any]) -> bool:
    p = {str(k).upper(): v for k, v in params.items()}
    found = ctx.portal.userfield_types.get(str(p.get("USER_TYPE_ID") or ""))
    if found is None:
        raise RestError("ERROR_NOT_FOUND", "User type not found", 400)
    found.handler = str(p.get("HANDLER") or found.handler)
    found.title = str(p.get("TITLE") or found.title)
    found.description = str(p.get("DESCRIPTION") or found.description)
    if "OPTIONS" in p:
        found.options = as_dict(p["OPTIONS"])
    return True


@method("userfieldtype.delete", "placement", app_only=True)
def type_delete(ctx: CallContext, params: dict[str, Any]) -> bool:
    p = {str(k).upper(): v for k, v in params.items()}
    if ctx.portal.userfield_types.pop(str(p.get("USER_TYPE_ID") or ""), None) is None:
        raise RestError("ERROR_NOT_FOUND", "User type not found", 400)
    return True
