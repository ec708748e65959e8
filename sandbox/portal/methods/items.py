"""Smart-process items (crm.item.*): camelCase fields, custom fields, stages, events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.portal.delivery import fire
from sandbox.portal.errors import invalid_arg, missing_param, not_found
from sandbox.portal.filtering import matches, ordered, page, selected
from sandbox.portal.methods.crm_types import default_category, stages_of
from sandbox.portal.methods.userfields import fields_of_type, item_key
from sandbox.portal.naming import camel_to_upper
from sandbox.portal.params import as_dict, as_int, as_list, lower_keys
from sandbox.portal.rest import CallContext, ListResult, method
from sandbox.portal.state import Actor, Portal, now_iso

# camel name -> (type, read only, multiple, title)
STANDARD_FIELDS: dict[str, tuple[str, bool, bool, str]] = {
    "id": ("integer", True, False, "ID"),
    "xmlId": ("string", False, False, "Внешний код"),
    "title": ("string", False, False, "Название"),
    "createdBy": ("user", True, False, "Кем создан"),
    "updatedBy": ("user", True, False, "Кем изменён"),
    "movedBy": ("user", True, False, "Кем перемещён"),
    "createdTime": ("datetime", True, False, "Создан"),
    "updatedTime": ("datetime", True, False, "Изменён"),
    "movedTime": ("datetime", True, False, "Перемещён"),
    "categoryId": ("crm_category", False, False, "Воронка"),
    "stageId": ("crm_status", False, False, "Стадия"),
    "previousStageId": ("crm_status", True, False, "Предыдущая стадия"),
    "begindate": ("date", False, False, "Дата начала"),
    "closedate": ("date", False, False, "Дата завершения"),
    "companyId": ("crm_company", False, False, "Компания"),
    "contactId": ("crm_contact", False, False, "Контакт"),
    "contactIds": ("crm_contact", False, True, "Контакты"),
    "observers": ("user", False, True, "Наблюдатели"),
    "assignedById": ("user", False, False, "Ответственный"),
    "sourceId": ("crm_status", False, False, "Источник"),
    "sourceDescription": ("text", False, False, "Дополнительно об источнике"),
    "opened": ("boolean", False, False, "Доступен для всех"),
    "entityTypeId": ("integer", True, False, "Тип сущности"),
}
_INTEGER_TYPES = {"integer", "user", "crm_category", "crm_company", "crm_contact", "employee"}


class ItemSchema:
    """The fields of one smart process: standard ones plus its custom fields."""

    def __init__(self, portal: Portal, etid: int) -> None:
        type_record = portal.types.get(etid)
        if type_record is None:
            raise not_found("Смарт-процесс не найден")
        self.portal = portal
        self.etid = etid
        self.type = type_record
        self.custom = {item_key(f): f for f in fields_of_type(portal, type_record)}
        self._lookup: dict[str, str] = {}
        for camel in [*STANDARD_FIELDS, *self.custom]:
            self._lookup[camel.lower()] = camel
            self._lookup[camel_to_upper(camel).lower()] = camel
        for camel, field in self.custom.items():
            self._lookup[field["fieldName"].lower()] = camel

    def resolve(self, name: str) -> str | None:
        return self._lookup.get(name.lower())

    def kind(self, camel: str) -> tuple[str, bool, bool]:
        if camel in STANDARD_FIELDS:
            kind, readonly, multiple, _ = STANDARD_FIELDS[camel]
            return kind, readonly, multiple
        field = self.custom[camel]
        return field["userTypeId"], False, field["multiple"] == "Y"

    def empty_custom(self) -> dict[str, Any]:
        return {camel: ([] if f["multiple"] == "Y" else None) for camel, f in self.custom.items()}


def _scalar(kind: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if kind in _INTEGER_TYPES or kind == "enumeration":
        return as_int(value)
    if kind == "double":
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if kind == "boolean":
        return "Y" if str(value).upper() in ("Y", "1", "TRUE") else "N"
    if kind in ("datetime", "date"):
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return parsed.date().isoformat() if kind == "date" and len(str(value)) <= 10 else parsed.isoformat()
    return str(value)


def _normalize(schema: ItemSchema, raw: dict[str, Any]) -> dict[str, Any]:
    """Writable known fields, typed; unknown fields are silently dropped like on a real portal."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        camel = schema.resolve(str(name))
        if camel is None:
            continue
        kind, readonly, multiple = schema.kind(camel)
        if readonly:
            continue
        if multiple:
            out[camel] = [v for v in (_scalar(kind, x) for x in as_list(value)) if v is not None]
        else:
            out[camel] = _scalar(kind, value[0] if isinstance(value, list) and value else value)
    if "contactIds" in out and "contactId" not in out:
        out["contactId"] = out["contactIds"][0] if out["contactIds"] else None
    elif "contactId" in out and "contactIds" not in out:
        out["contactIds"] = [out["contactId"]] if out["contactId"] else []
    return out


def _check_stage(schema: ItemSchema, item: dict[str, Any]) -> None:
    stages = [s["STATUS_ID"] for s in stages_of(schema.portal, schema.etid, item["categoryId"])]
    if not stages:
        raise invalid_arg("Воронка не найдена")
    if item.get("stageId") in (None, ""):
        item["stageId"] = stages[0]
    elif item["stageId"] not in stages:
        raise invalid_arg(f"Стадия {item['stageId']} не найдена")


def add_item(portal: Portal, etid: int, raw: dict[str, Any], actor: Actor) -> dict[str, Any]:
    schema = ItemSchema(portal, etid)
    values = _normalize(schema, raw)
    now = now_iso()
    item: dict[str, Any] = {name: None for name in STANDARD_FIELDS}
    item.update(contactIds=[], observers=[], opened="Y", title="")
    item.update(schema.empty_custom())
    item.update(values)
    item.update(
        id=portal.next_id(f"item:{etid}"),
        entityTypeId=etid,
        createdBy=actor.user_id,
        updatedBy=actor.user_id,
        movedBy=actor.user_id,
        createdTime=now,
        updatedTime=now,
        movedTime=now,
    )
    item["assignedById"] = item["assignedById"] or actor.user_id
    item["categoryId"] = item["categoryId"] or default_category(portal, etid)["id"]
    _check_stage(schema, item)
    if not item["title"]:
        item["title"] = f"{schema.type['title']} #{item['id']}"
    portal.items[etid][item["id"]] = item
    fire(portal, "ONCRMDYNAMICITEMADD", {"ID": item["id"], "ENTITY_TYPE_ID": etid}, actor)
    return item


def get_item(portal: Portal, etid: int, item_id: Any) -> dict[str, Any]:
    ItemSchema(portal, etid)
    item = portal.items[etid].get(as_int(item_id, -1) or -1)
    if item is None:
        raise not_found("Элемент не найден")
    return item


def update_item(portal: Portal, etid: int, item_id: Any, raw: dict[str, Any], actor: Actor) -> dict[str, Any]:
    schema = ItemSchema(portal, etid)
    item = get_item(portal, etid, item_id)
    values = _normalize(schema, raw)
    previous_stage = item["stageId"]
    candidate = {**item, **values}
    _check_stage(schema, candidate)
    item.update(candidate)
    now = now_iso()
    item.update(updatedBy=actor.user_id, updatedTime=now)
    if item["stageId"] != previous_stage:
        item.update(previousStageId=previous_stage, movedBy=actor.user_id, movedTime=now)
    fire(portal, "ONCRMDYNAMICITEMUPDATE", {"ID": item["id"], "ENTITY_TYPE_ID": etid}, actor)
    return item


def delete_item(portal: Portal, etid: int, item_id: Any, actor: Actor) -> None:
    item = get_item(portal, etid, item_id)
    del portal.items[etid][item["id"]]
    fire(portal, "ONCRMDYNAMICITEMDELETE", {"ID": item["id"], "ENTITY_TYPE_ID": etid}, actor)


def _etid(params: dict[str, Any]) -> int:
    etid = as_int(params.get("entitytypeid"))
    if etid is None:
        raise missing_param("entityTypeId")
    return etid


def _id(params: dict[str, Any]) -> Any:
    if params.get("id") in (None, ""):
        raise missing_param("id")
    return params["id"]


@method("crm.item.add", "crm")
def item_add(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    return {"item": dict(add_item(ctx.portal, _etid(p), as_dict(p.get("fields")), ctx.actor))}


@method("crm.item.get", "crm")
def item_get(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    return {"item": dict(get_item(ctx.portal, _etid(p), _id(p)))}


@method("crm.item.update", "crm")
def item_update(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = lower_keys(params)
    item = update_item(ctx.portal, _etid(p), _id(p), as_dict(p.get("fields")), ctx.actor)
    return {"item": dict(item)}


@method("crm.item.delete", "crm")
def item_delete(ctx: CallContext, params: dict[str, Any]) -> list:
    p = lower_keys(params)
    delete_item(ctx.portal, _etid(p), _id(p), ctx.actor)
    return []


@method("crm.item.list", "crm")
def item_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    schema = ItemSchema(ctx.portal, _etid(p))
    rows = [
        r
        for r in ctx.portal.items[schema.etid].values()
        if matches(r, as_dict(p.get("filter")), schema.resolve)
    ]
    rows = ordered(rows, as_dict(p.get("order")) or {"id": "ASC"}, schema.resolve)
    chunk, total, nxt = page(rows, p.get("start"))
    select = [str(s) for s in as_list(p.get("select"))]
    everything = list(STANDARD_FIELDS) + list(schema.custom)
    items = [selected(r, select, schema.resolve, everything) for r in chunk]
    return ListResult({"items": items}, total, nxt)


@method("crm.item.fields", "crm")
def item_fields(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    schema = ItemSchema(ctx.portal, _etid(lower_keys(params)))
    out: dict[str, Any] = {}
    for camel, (kind, readonly, multiple, title) in STANDARD_FIELDS.items():
        out[camel] = {
            "type": kind,
            "isRequired": False,
            "isReadOnly": readonly,
            "isImmutable": False,
            "isMultiple": multiple,
            "isDynamic": False,
            "title": title,
            "upperName": camel_to_upper(camel),
        }
    for camel, field in schema.custom.items():
        labels = field["editFormLabel"]
        title = labels.get("ru") or labels.get("en") or field["fieldName"]
        entry = {
            "type": field["userTypeId"],
            "isRequired": field["mandatory"] == "Y",
            "isReadOnly": False,
            "isImmutable": False,
            "isMultiple": field["multiple"] == "Y",
            "isDynamic": True,
            "title": title,
            "listLabel": title,
            "formLabel": title,
            "filterLabel": title,
            "settings": field["settings"],
            "upperName": field["fieldName"],
        }
        if field["userTypeId"] == "enumeration":
            entry["items"] = [{"ID": e["id"], "VALUE": e["value"]} for e in field.get("enum", [])]
        out[camel] = entry
    return {"fields": out}
