"""Companies, contacts and duplicate search: crm.company.*, crm.contact.*, crm.duplicate.findbycomm."""

from __future__ import annotations

import re
from typing import Any

from sandbox.portal.errors import RestError
from sandbox.portal.methods.classic import (
    ClassicKind,
    add_row,
    delete_row,
    fields_param,
    get_row,
    list_rows,
    row_id_param,
    update_row,
)
from sandbox.portal.params import as_list, lower_keys
from sandbox.portal.rest import CallContext, ListResult, method
from sandbox.portal.state import Portal

_COMMON = (
    "ID",
    "ASSIGNED_BY_ID",
    "CREATED_BY_ID",
    "MODIFY_BY_ID",
    "DATE_CREATE",
    "DATE_MODIFY",
    "OPENED",
    "COMMENTS",
    "HAS_PHONE",
    "HAS_EMAIL",
    "ORIGINATOR_ID",
    "ORIGIN_ID",
    "SOURCE_ID",
)
COMPANY = ClassicKind(
    "COMPANY",
    lambda p: p.companies,
    (*_COMMON, "TITLE", "COMPANY_TYPE", "INDUSTRY", "ADDRESS", "PHONE", "EMAIL", "WEB"),
    required=("TITLE",),
    multi=("PHONE", "EMAIL", "WEB"),
)
CONTACT = ClassicKind(
    "CONTACT",
    lambda p: p.contacts,
    (*_COMMON, "NAME", "LAST_NAME", "SECOND_NAME", "POST", "COMPANY_ID", "TYPE_ID", "PHONE", "EMAIL"),
    multi=("PHONE", "EMAIL"),
)


def _register(kind: ClassicKind, prefix: str) -> None:
    def add(ctx: CallContext, params: dict[str, Any]) -> int:
        return int(add_row(ctx.portal, kind, fields_param(params), ctx.actor)["ID"])

    def get(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        return dict(get_row(ctx.portal, kind, row_id_param(params)))

    def update(ctx: CallContext, params: dict[str, Any]) -> bool:
        update_row(ctx.portal, kind, row_id_param(params), fields_param(params), ctx.actor)
        return True

    def delete(ctx: CallContext, params: dict[str, Any]) -> bool:
        delete_row(ctx.portal, kind, row_id_param(params), ctx.actor)
        return True

    def list_(ctx: CallContext, params: dict[str, Any]) -> ListResult:
        return list_rows(ctx.portal, kind, params)

    for verb, fn in (("add", add), ("get", get), ("update", update), ("delete", delete), ("list", list_)):
        method(f"{prefix}.{verb}", "crm")(fn)


_register(COMPANY, "crm.company")
_register(CONTACT, "crm.contact")


def phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    return digits


def find_by_comm(
    portal: Portal, comm_type: str, values: list[str], entity_type: str | None
) -> dict[str, list]:
    if comm_type == "PHONE":
        wanted = {phone_digits(v) for v in values if phone_digits(v)}

        def hit(v: str) -> bool:
            return phone_digits(v) in wanted
    else:
        wanted = {v.strip().lower() for v in values if v.strip()}

        def hit(v: str) -> bool:
            return v.strip().lower() in wanted

    found: dict[str, list] = {}
    for name, rows in (("CONTACT", portal.contacts), ("COMPANY", portal.companies)):
        if entity_type and entity_type != name:
            continue
        ids = [int(r["ID"]) for r in rows.values() if any(hit(m["VALUE"]) for m in r.get(comm_type, []))]
        if ids:
            found[name] = ids
    return found


@method("crm.duplicate.findbycomm", "crm")
def duplicate_find(ctx: CallContext, params: dict[str, Any]) -> Any:
    p = lower_keys(params)
    comm_type = str(p.get("type", "")).upper()
    if comm_type not in ("EMAIL", "PHONE"):
        raise RestError("", "Parameter 'type' is not defined or invalid", 400)
    values = [str(v) for v in as_list(p.get("values"))]
    if len(values) > 20:
        raise RestError("", "Too many values: no more than 20 are allowed", 400)
    entity_type = str(p.get("entity_type", "")).upper() or None
    return find_by_comm(ctx.portal, comm_type, values, entity_type) or []
