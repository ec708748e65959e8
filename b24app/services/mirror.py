"""The local mirror of requests: re-read an item from Bitrix24 (events carry only ids) and store it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..bitrix.client import B24Client
from ..bitrix.errors import B24NotFound
from ..bitrix.values import parse_time
from ..extensions import db
from ..models import EventKind, Portal, ServiceRequest, utcnow
from . import history
from .fields import FieldMap
from .pipeline import RequestChange
from .stages import state_of

log = logging.getLogger(__name__)


def smart_process_of(portal: Portal) -> dict[str, Any] | None:
    return (portal.settings or {}).get("smart_process")


def is_request_event(portal: Portal, data: dict[str, Any]) -> bool:
    smart = smart_process_of(portal)
    fields = data.get("FIELDS") or {}
    try:
        return bool(smart) and int(fields.get("ENTITY_TYPE_ID", 0)) == int(smart["entity_type_id"])
    except (TypeError, ValueError):
        return False


@dataclass
class Synced:
    request: ServiceRequest
    item: dict[str, Any]
    change: RequestChange


def sync_request(portal: Portal, client: B24Client, b24_id: int) -> Synced | None:
    """Mirror one item with its company, contact and responsible in a single batch call.

    Records its creation and stage changes in the history; returns None when there is nothing to
    mirror (before setup, or the item was deleted).
    """
    smart = smart_process_of(portal)
    if not smart:
        log.info("portal %s: request %s arrived before setup; skipped", portal.domain, b24_id)
        return None
    etid = smart["entity_type_id"]
    outcome = client.batch(
        {
            "item": ("crm.item.get", {"entityTypeId": etid, "id": b24_id}),
            "company": ("crm.company.get", {"id": "$result[item][item][companyId]"}),
            "contact": ("crm.contact.get", {"id": "$result[item][item][contactId]"}),
            "user": ("user.get", {"ID": "$result[item][item][assignedById]"}),
        }
    )
    existing = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.portal_id == portal.id, ServiceRequest.b24_id == b24_id)
    ).first()
    if "item" in outcome.errors:
        error = outcome.errors["item"]
        if isinstance(error, B24NotFound):
            if existing:
                existing.deleted = True
            return None
        raise error
    item = (outcome.results.get("item") or {}).get("item") or {}
    req = existing or ServiceRequest(portal_id=portal.id, b24_id=b24_id)
    change = RequestChange(
        created=existing is None,
        previous_stage=existing.stage_id if existing else None,
        previous_state=existing.state if existing else None,
    )
    if existing is None:
        db.session.add(req)
    apply_item(req, item, FieldMap(portal.settings.get("fields", {})), portal.settings.get("stage_map", {}))
    company = outcome.results.get("company")
    req.company_title = company.get("TITLE") if isinstance(company, dict) else None
    contact = outcome.results.get("contact")
    req.contact_name = (
        " ".join(p for p in (contact.get("NAME"), contact.get("LAST_NAME")) if p)
        if isinstance(contact, dict)
        else None
    )
    users = outcome.results.get("user")
    user = users[0] if isinstance(users, list) and users else None
    req.assigned_name = " ".join(p for p in (user.get("NAME"), user.get("LAST_NAME")) if p) if user else None
    req.mirrored_at = utcnow()
    db.session.flush()
    _record_history(req, change)
    return Synced(req, item, change)


def _record_history(req: ServiceRequest, change: RequestChange) -> None:
    if change.created:
        event = history.record(
            req,
            EventKind.CREATED,
            f"created:{req.b24_id}",
            req.created_time,
            to_state=req.state,
            channel=req.channel,
        )
        change.new_events.extend([event] if event else [])
    elif change.stage_changed(req):
        moved = req.moved_time or utcnow()
        event = history.record(
            req,
            EventKind.STAGE_CHANGED,
            f"stage:{req.b24_id}:{req.stage_id}:{moved.isoformat()}",
            moved,
            from_state=change.previous_state,
            to_state=req.state,
        )
        change.new_events.extend([event] if event else [])


def apply_item(
    req: ServiceRequest, item: dict[str, Any], fields: FieldMap, stage_map: dict[str, str]
) -> None:
    req.title = item.get("title") or ""
    req.stage_id = item.get("stageId") or ""
    req.state = state_of(req.stage_id, stage_map)
    req.company_id = int(item["companyId"]) if item.get("companyId") else None
    req.contact_id = int(item["contactId"]) if item.get("contactId") else None
    req.assigned_by_id = int(item["assignedById"]) if item.get("assignedById") else None
    req.created_time = parse_time(item.get("createdTime"))
    req.updated_time = parse_time(item.get("updatedTime"))
    req.moved_time = parse_time(item.get("movedTime"))
    req.request_type = fields.read(item, "SD_TYPE")
    req.urgency = fields.read(item, "SD_URGENCY")
    req.channel = fields.read(item, "SD_CHANNEL")
    req.description = fields.read(item, "SD_DESCRIPTION") or ""
    req.deleted = False
    req.fields = {k: v for k, v in item.items() if k.startswith("ufCrm")}


def changed_item_ids(portal: Portal, client: B24Client, since: datetime) -> list[int]:
    """Ids of items updated since a moment (the catch-up sweep for lost events)."""
    smart = smart_process_of(portal)
    if not smart:
        return []
    params = {
        "entityTypeId": smart["entity_type_id"],
        "select": ["id", "updatedTime"],
        "filter": {">=updatedTime": (since - timedelta(minutes=1)).isoformat()},
    }
    return [
        int(row["id"]) for row in client.iter_ids("crm.item.list", params, id_key="id", items_key="items")
    ]
