"""Jobs of the 1C exchange: push a request («Заявка») and its conversation to 1C, pull and apply the
1C change feed. Retryable 1C failures retry with backoff and open one incident; permanent ones are
shown on the card and in the exchange log."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from onec_client import OneCError, OneCThrottled

from ..extensions import db
from ..models import (
    Job,
    OneCInboxItem,
    OneCIncident,
    OneCRequestLink,
    Portal,
    PortalStatus,
    RequestEvent,
    ServiceRequest,
    utcnow,
)
from ..services import counterparty_sync
from ..services.onec_alerts import report_failure, report_success
from ..services.onec_calls import Exchange
from ..services.onec_feed import apply_item, pull, sweep_conversations
from ..services.onec_link import OneCLinkError, client_for_portal, connection_of, log_exchange, result_of
from ..services.onec_push import PushTarget, push_interaction, push_request
from ..services.portals import client_for
from .registry import PermanentJobError, RetryLater, handles

log = logging.getLogger(__name__)


def _portal(job: Job) -> Portal:
    portal = db.session.get(Portal, job.portal_id) if job.portal_id else None
    if portal is None or portal.status == PortalStatus.UNINSTALLED:
        raise PermanentJobError(f"portal {job.portal_id} is not installed")
    return portal


def _b24(portal: Portal):
    return client_for(portal.id, current_app.config["SETTINGS"])


def _target(portal: Portal) -> PushTarget | None:
    """Bitrix24 and 1C clients of the portal; None when the portal has no 1C connection."""
    try:
        onec = client_for_portal(portal)
    except OneCLinkError:
        return None
    return PushTarget(portal, _b24(portal), Exchange(portal.id, onec))


def _handle_failure(
    job: Job, target: PushTarget, exc: OneCError, link: OneCRequestLink | None = None
) -> None:
    """Keep the failure where people see it; retryable ones go back to the queue (raises RetryLater)."""
    if not exc.retryable:
        target.exchange.save()
        if link is not None:
            link.last_error, link.last_error_at = str(exc)[:4000], utcnow()
        if target.exchange.succeeded:
            report_success(target.portal.id)
        db.session.commit()
        log.warning("portal %s: 1C refused %s: %s", target.portal.id, job.kind, exc)
        return
    last = job.attempts >= job.max_attempts
    kind = OneCIncident.DEAD_LETTER if last else OneCIncident.UNREACHABLE
    report_failure(target.portal, target.b24, kind, f"{job.kind}: {exc}")
    target.exchange.save()
    if link is not None:
        link.last_error, link.last_error_at = str(exc)[:4000], utcnow()
    db.session.commit()
    delay = exc.retry_after if isinstance(exc, OneCThrottled) else None
    raise RetryLater(f"1C: {exc}", delay=delay) from exc


def _finish(target: PushTarget) -> None:
    target.exchange.save()
    if target.exchange.succeeded:
        report_success(target.portal.id)


@handles("onec.push_request")
def push_request_job(job: Job) -> None:
    portal = _portal(job)
    req = db.session.get(ServiceRequest, job.payload.get("request_id"))
    if req is None or req.portal_id != portal.id or req.deleted:
        return
    link = db.session.scalars(
        select(OneCRequestLink).where(
            OneCRequestLink.portal_id == portal.id, OneCRequestLink.request_id == req.id
        )
    ).first()
    target = _target(portal)
    if link is None or target is None:
        return
    try:
        outcome = push_request(target, req, link)
    except OneCError as exc:
        _handle_failure(job, target, exc, link)
        return
    _finish(target)
    log.info("portal %s: request %s → 1C: %s", portal.id, req.b24_id, outcome)


@handles("onec.push_interaction")
def push_interaction_job(job: Job) -> None:
    portal = _portal(job)
    event = db.session.get(RequestEvent, job.payload.get("event_id"))
    if event is None or event.portal_id != portal.id:
        return
    req = db.session.get(ServiceRequest, event.request_id)
    link = db.session.scalars(
        select(OneCRequestLink).where(
            OneCRequestLink.portal_id == portal.id, OneCRequestLink.request_id == event.request_id
        )
    ).first()
    target = _target(portal)
    if req is None or link is None or target is None:
        return
    try:
        push_interaction(target, req, link, event)
    except OneCError as exc:
        _handle_failure(job, target, exc)
        return
    _finish(target)


@handles("onec.pull")
def pull_job(job: Job) -> None:
    portal = _portal(job)
    connection = connection_of(portal)
    target = _target(portal)
    if connection is None or target is None:
        return
    try:
        applied = pull(portal, target.b24, target.exchange, connection)
    except OneCError as exc:
        _handle_failure(job, target, exc)
        return
    sweep_conversations(portal)
    _finish(target)
    if applied:
        log.info("portal %s: %d change(s) from 1C applied", portal.id, applied)


@handles("onec.apply")
def apply_inbox_item(job: Job) -> None:
    """One item pushed by 1C (shared with the pull: the same apply, the same inbox row)."""
    item = db.session.get(OneCInboxItem, job.payload.get("inbox_id"))
    if item is None or item.portal_id != job.portal_id:
        raise PermanentJobError("the 1C inbox item is gone")
    portal = _portal(job)
    b24 = _b24(portal) if (portal.settings or {}).get("smart_process") else None
    outcome = apply_item(portal, b24, item)
    log.info("portal %s: 1C %s seq %s → %s %s", portal.id, item.type, item.seq, outcome.status, outcome.note)


@handles("onec.sync_counterparties")
def sync_counterparties_job(job: Job) -> None:
    """Hourly: counterparties of 1C become linked companies in Bitrix24 (resumes a crashed run)."""
    portal = _portal(job)
    try:
        onec = client_for_portal(portal)
    except OneCLinkError:
        return
    try:
        run = counterparty_sync.run_sync(portal.id, _b24(portal), onec)
    except OneCError as exc:
        if not exc.retryable:
            raise PermanentJobError(f"1C refused the counterparty list: {exc}") from exc
        raise RetryLater(f"1C: {exc}") from exc
    log.info("portal %s: counterparties: %s", portal.id, counterparty_sync.summary(run))


@handles("onec.company_changed")
def company_changed_job(job: Job) -> None:
    """A linked company edited in Bitrix24: its name and contacts go to the counterparty in 1C."""
    portal = _portal(job)
    try:
        onec = client_for_portal(portal)
    except OneCLinkError:
        return
    company_id = int(job.payload["company_id"])
    try:
        saved = counterparty_sync.push_company(portal.id, _b24(portal), onec, company_id)
    except OneCError as exc:
        log_exchange(
            portal.id,
            direction="to_1c",
            object_kind="counterparty",
            operation="update",
            result=result_of(exc),
            error_text=str(exc)[:4000],
        )
        db.session.commit()
        if not exc.retryable:
            raise PermanentJobError(f"1C refused the counterparty update: {exc}") from exc
        raise RetryLater(f"1C: {exc}") from exc
    if saved is not None:
        log_exchange(
            portal.id,
            direction="to_1c",
            object_kind="counterparty",
            operation="update",
            result="ok",
            object_ref=saved.ref,
        )
