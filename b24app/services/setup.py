"""Setup of a portal: find or create the smart process «Обращения клиентов», its fields and stage mapping.

Idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from ..bitrix.client import B24Client
from ..bitrix.errors import B24Error
from ..bitrix.manifest import Manifest, bind_manifest
from ..extensions import db
from ..jobs.queue import enqueue
from ..models import Portal, PortalStatus
from . import stages as stage_rules
from . import webform
from .fields import APP_FIELDS, FieldSpec, field_name, item_key
from .notify import templates_of
from .sla_policies import ensure_defaults

log = logging.getLogger(__name__)

SMART_PROCESS_TITLE = "Обращения клиентов"
WIDGET_FIELD = "SD_WIDGET"  # UF_CRM_<typeId>_SD_WIDGET: holds no value, shows the app's widget
MANIFEST_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "install.json")


@dataclass
class SetupReport:
    entity_type_id: int = 0
    created_type: bool = False
    added_fields: list[str] = field(default_factory=list)
    added_stages: list[str] = field(default_factory=list)
    bound: list[str] = field(default_factory=list)
    widget_field: str = ""  # the card widget's field, once it exists
    widget_problem: str = ""  # why it could not be added this time (setup adds it on its next run)

    @property
    def changed(self) -> bool:
        return self.created_type or bool(self.added_fields or self.added_stages or self.bound)


def load_manifest() -> Manifest:
    return Manifest.load(MANIFEST_PATH)


def bind_placements(portal: Portal, client: B24Client, base_url: str) -> list[str]:
    """Bind what install.json lists (placements of the smart process once it is known)."""
    context: dict[str, Any] = {}
    etid = (portal.settings or {}).get("smart_process", {}).get("entity_type_id")
    if etid:
        context["etid"] = etid
    report = bind_manifest(client, load_manifest(), base_url, context)
    return [str(b) for b in report.bound]


def run_setup(portal: Portal, client: B24Client, base_url: str) -> SetupReport:
    report = SetupReport()
    smart = _find_or_create_type(client, report)
    etid, type_id = int(smart["entityTypeId"]), int(smart["id"])
    report.entity_type_id = etid
    category_id = _default_category(client, etid)
    stages = _ensure_stages(client, etid, category_id, report)
    fields = _ensure_fields(client, type_id, report)

    settings = dict(portal.settings or {})
    settings["smart_process"] = {
        "id": type_id,
        "entity_type_id": etid,
        "category_id": category_id,
        "title": smart.get("title", SMART_PROCESS_TITLE),
    }
    settings["fields"] = fields
    settings["stages"] = [s.__dict__ for s in stages]
    settings["stage_map"] = stage_rules.default_mapping(stages, settings.get("stage_map"))
    portal.settings = settings
    webform.ensure_form(portal)  # the web form's key, so the admin page only reads it
    # Commit before the next REST call: a write transaction held across calls would block the shared
    # rate limiter and token refresh, which take their own row locks.
    db.session.commit()
    report.bound = bind_placements(portal, client, base_url)
    _ensure_widget_field(client, type_id, report)
    _remember_widget(portal, report)
    if portal.status == PortalStatus.INSTALLING:
        portal.status = PortalStatus.ACTIVE
    # The business calendar, SLA policies and client email templates exist before the first request,
    # so the admin tabs only read them.
    ensure_defaults(portal)
    templates_of(portal.id)
    # The employees and departments mirror (routing, the SLA tab's service manager) fills now rather
    # than at the hourly sync.
    enqueue("routing.sync_agents", {}, portal_id=portal.id, dedupe_key=f"routing.sync_agents:{portal.id}")
    db.session.commit()
    log.info("setup of %s: %s", portal.domain, report)
    return report


def ensure_widget(portal: Portal, client: B24Client) -> str:
    """After a re-bind (an app update): a portal set up before the widget existed gets its field."""
    smart = (portal.settings or {}).get("smart_process") or {}
    if not smart.get("id") or (portal.settings or {}).get("widget_field"):
        return (portal.settings or {}).get("widget_field", "")
    report = SetupReport()
    _ensure_widget_field(client, int(smart["id"]), report)
    _remember_widget(portal, report)
    return report.widget_field


def _remember_widget(portal: Portal, report: SetupReport) -> None:
    if report.widget_field and (portal.settings or {}).get("widget_field") != report.widget_field:
        portal.settings = {**(portal.settings or {}), "widget_field": report.widget_field}


def _ensure_widget_field(client: B24Client, type_id: int, report: SetupReport) -> None:
    """A field of the app's own type on the smart process: Bitrix24 shows it in the card's field column
    as the compact widget (placement USERFIELD_TYPE). The type is registered by binding the manifest;
    a field of it needs the full code `rest_<app id>_<type>` and an installed app. Not fatal: a card
    still has the tab, and the next setup run adds the field."""
    types = load_manifest().userfield_types
    if not types:
        return
    name = field_name(type_id, WIDGET_FIELD)
    if name in _list_fields(client, type_id):
        report.widget_field = name
        return
    try:
        info = client.call("app.info").result or {}
        if not info.get("ID") or info.get("INSTALLED") is False:
            report.widget_problem = "the application is not installed yet"
            return
        full_type = f"rest_{info['ID']}_{types[0].user_type_id}"
        label = {"ru": "Сервис-деск", "en": "Service desk"}
        client.call(
            "userfieldconfig.add",
            {
                "moduleId": "crm",
                "field": {
                    "entityId": f"CRM_{type_id}",
                    "fieldName": name,
                    "userTypeId": full_type,
                    "multiple": "N",
                    "mandatory": "N",
                    "showFilter": "N",
                    "editFormLabel": label,
                    "listColumnLabel": label,
                },
            },
        )
    except B24Error as exc:
        report.widget_problem = str(exc)
        log.warning("setup: the card widget field was not added: %s", exc)
        return
    report.widget_field = name
    report.added_fields.append(name)


def _find_or_create_type(client: B24Client, report: SetupReport) -> dict[str, Any]:
    found = client.call("crm.type.list", {"filter": {"title": SMART_PROCESS_TITLE}}).result
    types = found.get("types", []) if isinstance(found, dict) else []
    for smart in types:
        if smart.get("title") == SMART_PROCESS_TITLE:
            return smart
    created = client.call(
        "crm.type.add",
        {
            "fields": {
                "title": SMART_PROCESS_TITLE,
                "isStagesEnabled": "Y",
                "isCategoriesEnabled": "N",
                "isClientEnabled": "Y",
                "isObserversEnabled": "Y",
                "isBeginCloseDatesEnabled": "N",
                "isLinkWithProductsEnabled": "N",
            }
        },
    ).result
    report.created_type = True
    return created["type"]


def _default_category(client: B24Client, etid: int) -> int:
    result = client.call("crm.category.list", {"entityTypeId": etid}).result
    categories = result.get("categories", []) if isinstance(result, dict) else []
    for category in categories:
        if category.get("isDefault") in ("Y", True):
            return int(category["id"])
    return int(categories[0]["id"]) if categories else 0


def _read_stages(client: B24Client, entity_id: str) -> list[stage_rules.Stage]:
    rows = client.call("crm.status.list", {"filter": {"ENTITY_ID": entity_id}}).result or []
    return [
        stage_rules.Stage(
            status_id=row["STATUS_ID"],
            name=row.get("NAME", ""),
            sort=int(row.get("SORT") or 0),
            semantics=row.get("SEMANTICS") or None,
        )
        for row in rows
    ]


def _ensure_stages(
    client: B24Client, etid: int, category_id: int, report: SetupReport
) -> list[stage_rules.Stage]:
    entity_id = f"DYNAMIC_{etid}_STAGE_{category_id}"
    stages = _read_stages(client, entity_id)
    if not report.created_type:
        return stages  # someone else's pipeline: map it, never reshape it
    present = {s.status_id.rsplit(":", 1)[-1] for s in stages}
    for code, name, sort, semantics in stage_rules.APP_STAGES:
        if code in present or semantics:
            continue
        status_id = f"DT{etid}_{category_id}:{code}"
        client.call(
            "crm.status.add",
            {"fields": {"ENTITY_ID": entity_id, "STATUS_ID": status_id, "NAME": name, "SORT": sort}},
        )
        report.added_stages.append(status_id)
    return _read_stages(client, entity_id) if report.added_stages else stages


def _field_payload(spec: FieldSpec, type_id: int) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "entityId": f"CRM_{type_id}",
        "fieldName": field_name(type_id, spec.code),
        "userTypeId": spec.user_type_id,
        "multiple": "N",
        "mandatory": "N",
        "showFilter": "Y",
        "editFormLabel": {"ru": spec.label_ru, "en": spec.label_en},
        "listColumnLabel": {"ru": spec.label_ru, "en": spec.label_en},
    }
    if spec.settings:
        payload["settings"] = spec.settings
    if spec.enum:
        payload["enum"] = [
            {"value": ru, "xmlId": xml_id, "sort": (i + 1) * 10, "def": "N"}
            for i, (xml_id, ru, _en) in enumerate(spec.enum)
        ]
    return payload


def _list_fields(client: B24Client, type_id: int) -> dict[str, dict[str, Any]]:
    result = client.call(
        "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": f"CRM_{type_id}"}}
    ).result
    rows = result.get("fields", []) if isinstance(result, dict) else []
    return {row["fieldName"]: row for row in rows}


def _ensure_fields(client: B24Client, type_id: int, report: SetupReport) -> dict[str, dict[str, Any]]:
    existing = _list_fields(client, type_id)
    missing = [spec for spec in APP_FIELDS if field_name(type_id, spec.code) not in existing]
    if missing:
        commands = {
            spec.code: ("userfieldconfig.add", {"moduleId": "crm", "field": _field_payload(spec, type_id)})
            for spec in missing
        }
        outcome = client.batch(commands)
        if outcome.errors:
            first = next(iter(outcome.errors.values()))
            raise first
        report.added_fields = [field_name(type_id, spec.code) for spec in missing]
        existing = _list_fields(client, type_id)
    fields: dict[str, dict[str, Any]] = {}
    for spec in APP_FIELDS:
        name = field_name(type_id, spec.code)
        row = existing.get(name, {})
        enum = {str(v.get("xmlId")): str(v.get("id")) for v in row.get("enum", []) or [] if v.get("xmlId")}
        fields[spec.code] = {
            "field_name": name,
            "item_key": item_key(name),
            "type": spec.user_type_id,
            "enum": enum,
        }
    return fields
