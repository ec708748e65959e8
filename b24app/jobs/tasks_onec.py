"""Job `onec.apply`: apply one item pushed by 1C to the local mirror of the request.

What it does now: for `request.status_changed` and `request.updated` it finds the portal's request by
its 1C ref, stores 1C's status and number on it, marks the inbox item applied and logs the exchange.
What it does not do yet: move the Bitrix24 stage, notify anyone, suppress echoes of the app's own
writes, or apply `counterparty.updated` and `interaction.added` (those stay `deferred`). Items it
cannot match stay `unmatched`; the pull feed from 1C remains the source of truth and reconciles them.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import InboxStatus, Job, OneCInboxItem, ServiceRequest, utcnow
from ..services.onec_link import log_exchange
from .registry import PermanentJobError, handles

log = logging.getLogger(__name__)

REQUEST_TYPES = {"request.status_changed", "request.updated"}
DEFERRED_TYPES = {"counterparty.updated", "interaction.added"}


def _status_and_number(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    status = payload.get("status") or data.get("status")
    number = data.get("number") or payload.get("number")
    return (str(status) if status else None), (str(number) if number else None)


def _find_request(portal_id: int, ref: str | None) -> ServiceRequest | None:
    if not ref:
        return None
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.portal_id == portal_id, ServiceRequest.onec_ref == ref)
    ).first()


def _log(item: OneCInboxItem, object_kind: str, result: str, error_text: str | None = None) -> None:
    log_exchange(
        item.portal_id,
        direction="from_1c",
        object_kind=object_kind,
        object_ref=item.ref,
        operation=item.type,
        result=result,
        error_text=error_text,
    )


def _keep(item: OneCInboxItem, status: str, object_kind: str, reason: str) -> None:
    """An item the app cannot apply: keep it with its reason for the admin, and log it."""
    item.status = status
    _log(item, object_kind, "error", reason)


@handles("onec.apply")
def apply_inbox_item(job: Job) -> None:
    item = db.session.get(OneCInboxItem, job.payload.get("inbox_id"))
    if item is None or item.portal_id != job.portal_id:
        raise PermanentJobError("the 1C inbox item is gone")
    if item.status == InboxStatus.APPLIED:
        return
    if item.type in DEFERRED_TYPES:
        item.status = InboxStatus.DEFERRED
        return
    if item.type not in REQUEST_TYPES:
        _keep(
            item,
            InboxStatus.UNSUPPORTED,
            "event",
            f"unknown type {item.type!r} (seq {item.seq}) kept for the admin",
        )
        return
    row = _find_request(item.portal_id, item.ref)
    if row is None:
        _keep(
            item,
            InboxStatus.UNMATCHED,
            "request",
            f"no request of this portal has 1C ref {item.ref!r} (seq {item.seq})",
        )
        return
    status, number = _status_and_number(item.payload)
    if status:
        row.onec_status = status
    if number:
        row.onec_number = number
    item.status = InboxStatus.APPLIED
    item.applied_at = utcnow()
    _log(item, "request", "ok")
    log.info(
        "portal %s: 1C %s applied to request %s (seq %s)", item.portal_id, item.type, row.b24_id, item.seq
    )
