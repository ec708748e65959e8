"""Shared behaviour of the classic CRM objects (UPPER_CASE fields, string values, PHONE/EMAIL lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.portal.delivery import fire
from sandbox.portal.errors import RestError, missing_param, not_found
from sandbox.portal.filtering import matches, ordered, page, selected
from sandbox.portal.params import as_dict, as_list, lower_keys
from sandbox.portal.rest import ListResult
from sandbox.portal.state import Actor, Portal, now_iso

MULTI_FIELDS = ("PHONE", "EMAIL", "WEB", "IM")


@dataclass
class ClassicKind:
    """One classic object: where its rows live, which fields it takes and which events it fires."""

    name: str  # for events and ids, e.g. "COMPANY"
    table: Callable[[Portal], dict[int, dict[str, Any]]]
    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    multi: tuple[str, ...] = ()
    events: bool = True
    id_start: int = 1
    indexed: tuple[str, ...] = ()  # fields with an equality index (a real portal has DB indexes)

    def rows(self, portal: Portal) -> dict[int, dict[str, Any]]:
        return self.table(portal)

    def index(self, portal: Portal, name: str) -> dict[Any, set[int]]:
        return portal.indexes.setdefault(f"{self.name}.{name}", {})


def _index_key(value: Any) -> Any:
    """The key equal values share under the filter's equality (numbers compare as numbers)."""
    try:
        return ("n", float(value))
    except (TypeError, ValueError):
        return ("s", str(value))


def _unindex(portal: Portal, kind: ClassicKind, row: dict[str, Any]) -> None:
    for name in kind.indexed:
        if row.get(name) not in (None, ""):
            kind.index(portal, name).get(_index_key(row[name]), set()).discard(int(row["ID"]))


def _reindex(portal: Portal, kind: ClassicKind, row: dict[str, Any]) -> None:
    for name in kind.indexed:
        if row.get(name) not in (None, ""):
            kind.index(portal, name).setdefault(_index_key(row[name]), set()).add(int(row["ID"]))


def _candidates(portal: Portal, kind: ClassicKind, filt: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows that may pass the filter: an index lookup for a plain equality on an indexed field."""
    table = kind.rows(portal)
    logic = str(filt.get("logic", filt.get("LOGIC", "AND"))).upper()
    if logic == "AND":
        for key, expected in filt.items():
            name = str(key).upper().removeprefix("=")
            if name in kind.indexed and not isinstance(expected, list | dict) and expected not in ("", None):
                ids = kind.index(portal, name).get(_index_key(expected), set())
                return [table[i] for i in sorted(ids) if i in table]
    return list(table.values())


def _multi(portal: Portal, current: list[dict[str, Any]], values: Any) -> list[dict[str, Any]]:
    result = [dict(v) for v in current]
    for raw in as_list(values):
        entry = {str(k).upper(): v for k, v in as_dict(raw).items()}
        if entry.get("ID"):
            for existing in result:
                if str(existing["ID"]) == str(entry["ID"]):
                    existing.update({k: entry[k] for k in ("VALUE", "VALUE_TYPE") if k in entry})
            result = [r for r in result if r.get("VALUE")]
        elif entry.get("VALUE"):
            result.append(
                {
                    "ID": str(portal.next_id("multifield", 100)),
                    "VALUE_TYPE": str(entry.get("VALUE_TYPE") or "WORK"),
                    "VALUE": str(entry["VALUE"]),
                    "TYPE_ID": "",
                }
            )
    return result


def _apply(portal: Portal, kind: ClassicKind, row: dict[str, Any], raw: dict[str, Any]) -> None:
    for key, value in raw.items():
        name = str(key).upper()
        if name in kind.multi:
            row[name] = [dict(v, TYPE_ID=name) for v in _multi(portal, row.get(name, []), value)]
        elif name in kind.fields and name not in ("ID", "DATE_CREATE", "DATE_MODIFY"):
            row[name] = None if value is None else (value if isinstance(value, list | dict) else str(value))
    for name in kind.multi:
        if name in ("PHONE", "EMAIL"):
            row[f"HAS_{name}"] = "Y" if row.get(name) else "N"


def add_row(portal: Portal, kind: ClassicKind, raw: dict[str, Any], actor: Actor) -> dict[str, Any]:
    upper = {str(k).upper(): v for k, v in raw.items()}
    for name in kind.required:
        if upper.get(name) in (None, ""):
            raise RestError("ERROR_CORE", f"Не заполнено обязательное поле {name}", 400)
    now = now_iso()
    row: dict[str, Any] = dict.fromkeys(kind.fields)
    row.update({m: [] for m in kind.multi})
    row_id = portal.next_id(kind.name, kind.id_start)
    row.update(ID=str(row_id), DATE_CREATE=now, DATE_MODIFY=now)
    if "CREATED_BY_ID" in kind.fields:
        row.update(CREATED_BY_ID=str(actor.user_id), MODIFY_BY_ID=str(actor.user_id))
    if "ASSIGNED_BY_ID" in kind.fields:
        row["ASSIGNED_BY_ID"] = str(actor.user_id)
    _apply(portal, kind, row, raw)
    kind.rows(portal)[row_id] = row
    _reindex(portal, kind, row)
    if kind.events:
        fire(portal, f"ONCRM{kind.name}ADD", {"ID": row_id}, actor)
    return row


def get_row(portal: Portal, kind: ClassicKind, row_id: Any) -> dict[str, Any]:
    try:
        found = kind.rows(portal).get(int(str(row_id)))
    except ValueError:
        found = None
    if found is None:
        raise not_found("Not found")
    return found


def update_row(portal: Portal, kind: ClassicKind, row_id: Any, raw: dict[str, Any], actor: Actor) -> dict:
    row = get_row(portal, kind, row_id)
    _unindex(portal, kind, row)
    _apply(portal, kind, row, raw)
    _reindex(portal, kind, row)
    row["DATE_MODIFY"] = now_iso()
    if "MODIFY_BY_ID" in kind.fields:
        row["MODIFY_BY_ID"] = str(actor.user_id)
    if kind.events:
        fire(portal, f"ONCRM{kind.name}UPDATE", {"ID": int(row["ID"])}, actor)
    return row


def delete_row(portal: Portal, kind: ClassicKind, row_id: Any, actor: Actor) -> None:
    row = get_row(portal, kind, row_id)
    _unindex(portal, kind, row)
    del kind.rows(portal)[int(row["ID"])]
    if kind.events:
        fire(portal, f"ONCRM{kind.name}DELETE", {"ID": int(row["ID"])}, actor)


def _upper(name: str) -> str | None:
    return name.upper()


def list_rows(portal: Portal, kind: ClassicKind, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    filt = as_dict(p.get("filter"))
    rows = [r for r in _candidates(portal, kind, filt) if matches(r, filt, _upper)]
    rows = ordered(rows, as_dict(p.get("order")) or {"ID": "ASC"}, _upper)
    chunk, total, nxt = page(rows, p.get("start"))
    select = [str(s) for s in as_list(p.get("select"))]
    # As on a real portal, `*` leaves out PHONE/EMAIL: they come only when selected by name.
    default = [f for f in kind.fields if f not in kind.multi]
    return ListResult([selected(r, select, _upper, default) for r in chunk], total, nxt)


def row_id_param(params: dict[str, Any]) -> Any:
    p = lower_keys(params)
    if p.get("id") in (None, ""):
        raise missing_param("id")
    return p["id"]


def fields_param(params: dict[str, Any]) -> dict[str, Any]:
    return as_dict(lower_keys(params).get("fields"))
