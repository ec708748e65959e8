"""1C → Bitrix24: apply items of the 1C change feed (pushed or pulled) once each, in effect order, and
without echoing the app's own writes; pull `/changes` and acknowledge only what was applied."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from onec_client import ChangeItem, format_datetime

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import (
    CounterpartyLink,
    InboxStatus,
    OneCConnection,
    OneCInboxItem,
    OneCInteractionLink,
    OneCRequestLink,
    Portal,
    RequestEvent,
    ServiceRequest,
    utcnow,
)
from .fields import FieldMap
from .onec_calls import Exchange
from .onec_link import log_exchange
from .onec_rules import STATE_FOR_STATUS, interaction_comment, status_title
from .onec_sync import CONVERSATION_KINDS, add_comment, enqueue_interactions, notify_user
from .stages import portal_state_label, stage_for_state

log = logging.getLogger(__name__)

REQUEST_TYPES = {"request.status_changed", "request.updated"}
KNOWN_TYPES = REQUEST_TYPES | {"counterparty.updated", "interaction.added"}
PAGE_SIZE = 100
MAX_PAGES = 20
# Unapplied items that a later pull tries again (a push may arrive before the app knows the ref).
RETRY_STATUSES = (InboxStatus.RECEIVED, InboxStatus.UNMATCHED)


@dataclass(frozen=True)
class Applied:
    status: str
    note: str = ""  # "echo", "superseded", a reason for the admin...


def store_item(portal_id: int, item: dict[str, Any]) -> tuple[OneCInboxItem, bool]:
    """The inbox row of a feed item, stored once per (portal, seq); True when it is new."""
    existing = db.session.scalars(
        select(OneCInboxItem).where(OneCInboxItem.portal_id == portal_id, OneCInboxItem.seq == item["seq"])
    ).first()
    if existing is not None:
        return existing, False
    row = OneCInboxItem(
        portal_id=portal_id,
        seq=item["seq"],
        type=item["type"],
        ref=item.get("ref"),
        external_id=item.get("external_id"),
        payload=item,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # A concurrent push or pull stored the same seq first.
        twin = db.session.scalars(
            select(OneCInboxItem).where(
                OneCInboxItem.portal_id == portal_id, OneCInboxItem.seq == item["seq"]
            )
        ).one()
        return twin, False
    return row, True


def _link_by_ref(portal_id: int, ref: str | None) -> OneCRequestLink | None:
    if not ref:
        return None
    return db.session.scalars(
        select(OneCRequestLink).where(OneCRequestLink.portal_id == portal_id, OneCRequestLink.onec_ref == ref)
    ).first()


def _request_by_ref(portal_id: int, ref: str | None, link: OneCRequestLink | None) -> ServiceRequest | None:
    if link is not None:
        return db.session.get(ServiceRequest, link.request_id)
    if not ref:
        return None
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.portal_id == portal_id, ServiceRequest.onec_ref == ref)
    ).first()


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    return payload.get("data") if isinstance(payload.get("data"), dict) else {}


def _apply_request(portal: Portal, b24: B24Client | None, item: OneCInboxItem) -> Applied:
    payload, data = item.payload, _data(item.payload)
    link = _link_by_ref(portal.id, item.ref)
    req = _request_by_ref(portal.id, item.ref, link)
    if req is None:
        return Applied(InboxStatus.UNMATCHED, f"no request of this portal has 1C ref {item.ref!r}")
    if link is not None and item.seq <= link.last_applied_seq:
        return Applied(InboxStatus.APPLIED, "superseded")  # a newer change is already applied
    version = str(payload.get("data_version") or "")
    if link is not None:
        link.last_applied_seq = item.seq
        if item.external_id == link.external_id and version and version == link.last_data_version_written:
            return Applied(InboxStatus.APPLIED, "echo")  # the app's own write coming back
        link.data_version = version or link.data_version
        snapshot = dict(link.snapshot or {})
        snapshot.update({k: data[k] for k in ("status", "subject", "description", "kind") if k in data})
        if payload.get("status"):
            snapshot["status"] = payload["status"]
        link.snapshot = snapshot
    status = str(payload.get("status") or data.get("status") or "") or None
    number = str(data.get("number") or payload.get("number") or "") or None
    updates: dict[str, Any] = {}
    fields = FieldMap((portal.settings or {}).get("fields", {}))
    target_state = STATE_FOR_STATUS.get(status or "")
    stage = None
    if item.type == "request.status_changed" and target_state and target_state != req.state:
        stage = stage_for_state(target_state, (portal.settings or {}).get("stage_map", {}))
        if stage and stage != req.stage_id:
            updates["stageId"] = stage
    if status and fields.read(req.fields or {}, "SD_ONEC_STATUS") != status_title(status):
        updates.update(fields.write("SD_ONEC_STATUS", status_title(status)))
    if number and fields.read(req.fields or {}, "SD_ONEC_NUMBER") != number:
        updates.update(fields.write("SD_ONEC_NUMBER", number))
    if updates and b24 is not None:
        etid = int(portal.settings["smart_process"]["entity_type_id"])
        b24.call("crm.item.update", {"entityTypeId": etid, "id": req.b24_id, "fields": updates})
        if "stageId" in updates:
            label = portal_state_label(target_state)
            notify_user(
                b24,
                req.assigned_by_id,
                f"1С: заявка {number or req.onec_number or ''} по обращению «{req.title}» получила статус "
                f"«{status_title(status or '')}»; обращение переведено в состояние «{label}».",
            )
        req.fields = {**(req.fields or {}), **{k: v for k, v in updates.items() if k != "stageId"}}
    if status:
        req.onec_status = status
    if number:
        req.onec_number = number
    return Applied(InboxStatus.APPLIED)


def _apply_interaction(portal: Portal, b24: B24Client | None, item: OneCInboxItem) -> Applied:
    data = _data(item.payload)
    row_id = str(data.get("id") or "")
    if not row_id:
        return Applied(InboxStatus.UNSUPPORTED, "interaction.added without data.id")
    exists = db.session.scalars(
        select(OneCInteractionLink.id).where(
            OneCInteractionLink.portal_id == portal.id, OneCInteractionLink.interaction_id == row_id
        )
    ).first()
    # The app sends external_id = row id with every row it writes; rows made in 1C carry none.
    if exists or str(data.get("external_id") or "") == row_id:
        return Applied(InboxStatus.APPLIED, "echo")  # written by the app, or already a comment
    link = _link_by_ref(portal.id, item.ref)
    req = _request_by_ref(portal.id, item.ref, link)
    if req is None:
        return Applied(InboxStatus.UNMATCHED, f"no request of this portal has 1C ref {item.ref!r}")
    comment_id = None
    if b24 is not None:
        etid = int(portal.settings["smart_process"]["entity_type_id"])
        comment_id = add_comment(b24, etid, req.b24_id, interaction_comment(data))
    db.session.add(
        OneCInteractionLink(
            portal_id=portal.id,
            request_id=req.id,
            interaction_id=row_id,
            direction=OneCInteractionLink.FROM_1C,
            b24_comment_id=comment_id,
        )
    )
    return Applied(InboxStatus.APPLIED)


def _apply_counterparty(portal: Portal, item: OneCInboxItem) -> Applied:
    data = _data(item.payload)
    rows = db.session.scalars(
        select(CounterpartyLink).where(
            CounterpartyLink.portal_id == portal.id, CounterpartyLink.onec_ref == item.ref
        )
    ).all()
    if not rows:
        return Applied(InboxStatus.DEFERRED, "no linked company: left for the counterparty sync")
    for row in rows:
        if data.get("deletion_mark") and data.get("replaced_by"):
            row.onec_ref = str(data["replaced_by"])  # merged in 1C: follow the survivor
        row.data_version = str(item.payload.get("data_version") or row.data_version or "")
        row.kpp = str(data.get("kpp", row.kpp) or "")
        row.name = str(data.get("name") or row.name)[:255]
    return Applied(InboxStatus.APPLIED)


def apply_item(portal: Portal, b24: B24Client | None, item: OneCInboxItem) -> Applied:
    """Apply one feed item to Bitrix24 and the mirror; its status says what happened. Caller commits."""
    if item.status == InboxStatus.APPLIED:
        return Applied(InboxStatus.APPLIED, "repeat")
    if item.type in REQUEST_TYPES:
        outcome, kind = _apply_request(portal, b24, item), "request"
    elif item.type == "interaction.added":
        outcome, kind = _apply_interaction(portal, b24, item), "interaction"
    elif item.type == "counterparty.updated":
        outcome, kind = _apply_counterparty(portal, item), "counterparty"
    else:
        outcome, kind = (
            Applied(InboxStatus.UNSUPPORTED, f"unknown type {item.type!r} kept for the admin"),
            "event",
        )
    item.status = outcome.status
    if outcome.status == InboxStatus.APPLIED:
        item.applied_at = utcnow()
    failed = outcome.status in (InboxStatus.UNMATCHED, InboxStatus.UNSUPPORTED)
    log_exchange(
        portal.id,
        direction="from_1c",
        object_kind=kind,
        object_ref=item.ref,
        operation=f"{item.type}:{outcome.note}"[:64] if outcome.note and not failed else item.type,
        result="error" if failed else "ok",
        error_text=f"{outcome.note} (seq {item.seq})" if failed else None,
    )
    return outcome


def _payload(item: ChangeItem) -> dict[str, Any]:
    return {
        "seq": item.seq,
        "type": item.type,
        "ref": item.ref,
        "external_id": item.external_id,
        "status": item.status,
        "data_version": item.data_version,
        "occurred_at": format_datetime(item.occurred_at) if item.occurred_at else None,
        "data": item.data,
    }


def pull(portal: Portal, b24: B24Client | None, exchange: Exchange, connection: OneCConnection) -> int:
    """Read the feed after the stored cursor, apply each item (committed one by one), then acknowledge.

    A crash after applying and before the acknowledgement re-reads those items: they are stored as
    applied, and the seq guard and interaction ids make a second application change nothing.
    """
    applied = 0
    for _ in range(MAX_PAGES):
        cursor = connection.feed_cursor
        items, next_cursor = exchange.call(
            "feed", "changes", cursor, lambda c=cursor: exchange.onec.changes(c, PAGE_SIZE)
        )
        for change in sorted(items, key=lambda i: i.seq):
            row, _ = store_item(portal.id, _payload(change))
            exchange.save()
            db.session.commit()  # no write transaction may stay open across the Bitrix24 calls of apply
            if row.status in RETRY_STATUSES:
                apply_item(portal, b24, row)
                applied += 1
                db.session.commit()
        if not items or not next_cursor or next_cursor == cursor:
            break
        exchange.call("feed", "ack", next_cursor, lambda c=next_cursor: exchange.onec.ack(c))
        connection.feed_cursor = next_cursor
        exchange.save()
        db.session.commit()
    connection.last_pull_at = utcnow()
    return applied


def sweep_conversations(portal: Portal, since: timedelta = timedelta(days=1)) -> int:
    """Enqueue calls, emails and comments recorded lately that have not reached 1C yet (comments do
    not run the pipeline, so the pull picks them up)."""
    request_ids = db.session.scalars(
        select(RequestEvent.request_id)
        .join(OneCRequestLink, OneCRequestLink.request_id == RequestEvent.request_id)
        .where(
            RequestEvent.portal_id == portal.id,
            RequestEvent.kind.in_(CONVERSATION_KINDS),
            RequestEvent.recorded_at >= utcnow() - since,
            OneCRequestLink.onec_ref.is_not(None),
        )
        .distinct()
        .limit(500)
    ).all()
    total = 0
    for request_id in request_ids:
        req = db.session.get(ServiceRequest, request_id)
        if req is not None:
            total += enqueue_interactions(portal, req)
    return total
