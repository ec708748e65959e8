"""Requisites (INN/KPP/OGRN) of companies and contacts: crm.requisite.*, crm.requisite.preset.list."""

from __future__ import annotations

from typing import Any

from sandbox.portal.filtering import matches, page
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
from sandbox.portal.params import as_dict, lower_keys
from sandbox.portal.rest import CallContext, ListResult, method

PRESETS = [
    {
        "ID": "1",
        "ENTITY_TYPE_ID": "8",
        "COUNTRY_ID": "1",
        "NAME": "Организация",
        "XML_ID": "#CRM_REQUISITE_PRESET_DEF_RU_COMPANY#",
        "ACTIVE": "Y",
        "SORT": "500",
    },
    {
        "ID": "2",
        "ENTITY_TYPE_ID": "8",
        "COUNTRY_ID": "1",
        "NAME": "ИП",
        "XML_ID": "#CRM_REQUISITE_PRESET_DEF_RU_INDIVIDUAL#",
        "ACTIVE": "Y",
        "SORT": "500",
    },
    {
        "ID": "3",
        "ENTITY_TYPE_ID": "8",
        "COUNTRY_ID": "1",
        "NAME": "Физ. лицо",
        "XML_ID": "#CRM_REQUISITE_PRESET_DEF_RU_PERSON#",
        "ACTIVE": "Y",
        "SORT": "500",
    },
]
PRESET_ORGANIZATION, PRESET_SOLE_PROPRIETOR = 1, 2

REQUISITE = ClassicKind(
    "REQUISITE",
    lambda p: p.requisites,
    (
        "ID",
        "ENTITY_TYPE_ID",
        "ENTITY_ID",
        "PRESET_ID",
        "NAME",
        "ACTIVE",
        "SORT",
        "XML_ID",
        "CREATED_BY_ID",
        "MODIFY_BY_ID",
        "DATE_CREATE",
        "DATE_MODIFY",
        "RQ_NAME",
        "RQ_FIRST_NAME",
        "RQ_LAST_NAME",
        "RQ_SECOND_NAME",
        "RQ_COMPANY_NAME",
        "RQ_COMPANY_FULL_NAME",
        "RQ_INN",
        "RQ_KPP",
        "RQ_OGRN",
        "RQ_OGRNIP",
        "RQ_OKPO",
        "RQ_DIRECTOR",
        "RQ_ACCOUNTANT",
        "RQ_ADDR",
    ),
    required=("ENTITY_TYPE_ID", "ENTITY_ID", "PRESET_ID", "NAME"),
    indexed=("RQ_INN",),
)


@method("crm.requisite.add", "crm")
def requisite_add(ctx: CallContext, params: dict[str, Any]) -> int:
    fields = {"ACTIVE": "Y", "SORT": "500", **fields_param(params)}
    return int(add_row(ctx.portal, REQUISITE, fields, ctx.actor)["ID"])


@method("crm.requisite.get", "crm")
def requisite_get(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return dict(get_row(ctx.portal, REQUISITE, row_id_param(params)))


@method("crm.requisite.update", "crm")
def requisite_update(ctx: CallContext, params: dict[str, Any]) -> bool:
    update_row(ctx.portal, REQUISITE, row_id_param(params), fields_param(params), ctx.actor)
    return True


@method("crm.requisite.delete", "crm")
def requisite_delete(ctx: CallContext, params: dict[str, Any]) -> bool:
    delete_row(ctx.portal, REQUISITE, row_id_param(params), ctx.actor)
    return True


@method("crm.requisite.list", "crm")
def requisite_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    return list_rows(ctx.portal, REQUISITE, params)


@method("crm.requisite.preset.list", "crm")
def preset_list(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    rows = [r for r in PRESETS if matches(r, as_dict(p.get("filter")), lambda n: n.upper())]
    chunk, total, nxt = page(rows, p.get("start"))
    return ListResult([dict(r) for r in chunk], total, nxt)
