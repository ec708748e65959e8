"""App → 1C: create or update the «Заявка» of a request (after matching its counterparty), write the
1C number and status back to the item, and write the request's conversation to «История взаимодействий».

REST and 1C calls come first, database writes last; a retried run repeats the same keyed writes, which
1C answers with the first result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from onec_client import OneCRequest, OneCStale

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import (
    CounterpartyLink,
    Decision,
    EventKind,
    OneCInteractionLink,
    OneCRequestLink,
    Portal,
    RequestEvent,
    ServiceRequest,
    utcnow,
)
from .fields import FieldMap
from .onec_calls import Exchange
from .onec_matching import Match, candidate_json, match_counterparty
from .onec_rules import (
    INTERACTION_KINDS,
    ClientData,
    changed_fields,
    digest,
    document_fields,
    interaction_id,
    status_title,
    write_key,
)
from .onec_sync import enqueue_interactions, notify_user

log = logging.getLogger(__name__)


@dataclass
class PushTarget:
    portal: Portal
    b24: B24Client
    exchange: Exchange

    @property
    def fields(self) -> FieldMap:
        return FieldMap(self.portal.settings.get("fields", {}))

    @property
    def entity_type_id(self) -> int:
        return int(self.portal.settings["smart_process"]["entity_type_id"])


def _counterparty_link(portal_id: int, client: ClientData) -> CounterpartyLink | None:
    return db.session.scalars(
        select(CounterpartyLink).where(
            CounterpartyLink.portal_id == portal_id,
            CounterpartyLink.b24_entity_type_id == client.entity_type_id,
            CounterpartyLink.b24_entity_id == client.entity_id,
        )
    ).first()


def _snapshot(doc: OneCRequest) -> dict[str, Any]:
    return {"status": doc.status, "subject": doc.subject, "description": doc.description, "kind": doc.kind}


def _remember(link: OneCRequestLink, doc: OneCRequest, *, written: bool) -> None:
    link.onec_ref, link.counterparty_ref = doc.ref, doc.counterparty_ref or link.counterparty_ref
    link.data_version, link.snapshot = doc.data_version, _snapshot(doc)
    if written:
        link.last_data_version_written = doc.data_version


def _patch(target: PushTarget, link: OneCRequestLink, wanted: dict[str, str]) -> OneCRequest | None:
    """Send what differs; a 412 re-reads the document and tries once more with its new version."""
    onec, ref = target.exchange.onec, link.onec_ref
    assert ref is not None
    for attempt in (1, 2):
        diff = changed_fields(wanted, link.snapshot or {})
        if not diff:
            return None
        key = write_key(link.external_id, "patch", link.data_version, digest(diff))
        version = link.data_version or ""
        try:
            doc = target.exchange.call(
                "request", "update", ref, lambda d=diff, v=version, k=key: onec.update_request(ref, d, v, k)
            )
        except OneCStale:
            if attempt == 2:
                raise
            fresh = target.exchange.call("request", "get", ref, lambda: onec.get_request(ref))
            _remember(link, fresh, written=False)
            continue
        _remember(link, doc, written=True)
        return doc
    return None


def _ask_for_decision(target: PushTarget, req: ServiceRequest, link: OneCRequestLink, match: Match) -> None:
    candidates = [candidate_json(c, match.branches) for c in match.candidates]
    if [c["ref"] for c in candidates] != [c.get("ref") for c in link.candidates or []]:
        names = "; ".join(f"{c['name']} (КПП {c['kpp'] or '—'})" for c in candidates)
        notify_user(
            target.b24,
            req.assigned_by_id,
            f"Обращение «{req.title}»: в 1С несколько подходящих контрагентов ({names}). "
            "Выберите нужного во вкладке «Сервис-деск» карточки.",
        )
    link.decision, link.candidates, link.chosen_counterparty_ref = Decision.NEEDS_DECISION, candidates, None


def _write_back(target: PushTarget, req: ServiceRequest, number: str, status: str) -> None:
    """Number and status of the «Заявка» on the item, when they differ from what it shows."""
    fields = target.fields
    updates: dict[str, Any] = {}
    title = status_title(status)
    if fields.read(req.fields or {}, "SD_ONEC_NUMBER") != number:
        updates.update(fields.write("SD_ONEC_NUMBER", number))
    if fields.read(req.fields or {}, "SD_ONEC_STATUS") != title:
        updates.update(fields.write("SD_ONEC_STATUS", title))
    if updates:
        target.b24.call(
            "crm.item.update", {"entityTypeId": target.entity_type_id, "id": req.b24_id, "fields": updates}
        )
        req.fields = {**(req.fields or {}), **updates}


def push_request(target: PushTarget, req: ServiceRequest, link: OneCRequestLink) -> str:
    """Bring the «Заявка» in line with the request; returns what happened (for logs and tests)."""
    if link.decision == Decision.INVALID:
        return "invalid"
    if link.decision == Decision.NEEDS_DECISION and not link.chosen_counterparty_ref:
        return "needs_decision"
    onec = target.exchange.onec
    wanted = document_fields(req.title, req.description, req.request_type, req.state)
    outcome = "unchanged"
    created: OneCRequest | None = None
    counterparty_link = None
    if link.onec_ref is None:
        client = ClientData.from_json(link.client)
        counterparty_link = _counterparty_link(req.portal_id, client)
        known = (
            counterparty_link.onec_ref if counterparty_link and counterparty_link.inn == client.inn else None
        )
        match = match_counterparty(
            target.exchange,
            client,
            known_ref=known,
            chosen=link.chosen_counterparty_ref,
            key=write_key(link.external_id, "counterparty", client.inn, client.kpp),
        )
        if match.counterparty is None:
            _ask_for_decision(target, req, link, match)
            return "needs_decision"
        body = {
            "counterparty_ref": match.counterparty.ref,
            "subject": wanted["subject"],
            "description": wanted["description"],
            "kind": wanted["kind"],
            "date": req.created_time,
        }
        created = target.exchange.call(
            "request", "create", link.external_id, lambda: onec.create_request(body, link.external_id)
        )
        _remember(link, created, written=True)
        counterparty_link = counterparty_link or CounterpartyLink(
            portal_id=req.portal_id, b24_entity_type_id=client.entity_type_id, b24_entity_id=client.entity_id
        )
        counterparty = match.counterparty
        counterparty_link.onec_ref, counterparty_link.data_version = (
            counterparty.ref,
            counterparty.data_version,
        )
        counterparty_link.inn, counterparty_link.kpp = client.inn, client.kpp
        counterparty_link.name = counterparty.name[:255]
        outcome = "created"
    updated = _patch(target, link, wanted)
    outcome = "updated" if updated and outcome == "unchanged" else outcome
    number = (updated or created).number if (updated or created) else req.onec_number or ""
    status = link.snapshot.get("status") or req.onec_status or ""
    _write_back(target, req, number, status)
    # Database writes last: everything above may be repeated by a retry with the same keys.
    if counterparty_link is not None and counterparty_link.id is None:
        db.session.add(counterparty_link)
    link.decision, link.candidates = Decision.OK, []
    link.last_error, link.last_error_at, link.last_exchange_at = None, None, utcnow()
    req.onec_ref, req.onec_number, req.onec_status = link.onec_ref, number or req.onec_number, status
    if outcome == "created":
        enqueue_interactions(target.portal, req)
    return outcome


def push_interaction(
    target: PushTarget, req: ServiceRequest, link: OneCRequestLink, event: RequestEvent
) -> bool:
    """Write one call, email or comment to «История взаимодействий»; False when there is nothing to do."""
    if not link.onec_ref or event.kind not in (
        EventKind.CLIENT_MESSAGE,
        EventKind.PUBLIC_REPLY,
        EventKind.INTERNAL_NOTE,
    ):
        return False
    row_id = interaction_id(target.portal.member_id, event.source_ref)
    comment_id = _comment_id(event.source_ref)
    mine = (OneCInteractionLink.interaction_id == row_id) | (
        OneCInteractionLink.interaction_id == event.source_ref
    )
    if comment_id is not None:
        mine = mine | (OneCInteractionLink.b24_comment_id == comment_id)
    exists = db.session.scalars(
        select(OneCInteractionLink.id).where(OneCInteractionLink.portal_id == req.portal_id, mine)
    ).first()
    if exists:
        return False
    kind = (
        "comment"
        if event.kind == EventKind.INTERNAL_NOTE
        else INTERACTION_KINDS.get(event.channel or "", "comment")
    )
    body = {
        "at": event.at,
        "kind": kind,
        "direction": "in" if event.kind == EventKind.CLIENT_MESSAGE else "out",
        "status": "",
        "responsible": req.assigned_name or "",
        "text": event.text,
    }
    ref = link.onec_ref
    target.exchange.call(
        "interaction", "put", row_id, lambda: target.exchange.onec.put_interaction(ref, row_id, body)
    )
    db.session.add(
        OneCInteractionLink(
            portal_id=req.portal_id,
            request_id=req.id,
            interaction_id=row_id,
            direction=OneCInteractionLink.TO_1C,
            request_event_id=event.id,
        )
    )
    return True


def _comment_id(source_ref: str) -> int | None:
    prefix, _, number = source_ref.partition(":")
    return int(number) if prefix == "comment" and number.isdigit() else None
