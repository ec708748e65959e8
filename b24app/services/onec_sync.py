"""Pipeline step `onec`: check that a request can go to 1C, tell the responsible what to fix, and
enqueue the durable push of the «Заявка» and of the request's calls, emails and comments."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from ..bitrix.client import B24Client
from ..extensions import db
from ..i18n import render, store
from ..jobs.queue import enqueue
from ..models import (
    Decision,
    EventKind,
    OneCInteractionLink,
    OneCRequestLink,
    Portal,
    RequestEvent,
    ServiceRequest,
)
from .onec_link import connection_of
from .onec_rules import ClientData, client_problem_messages, digest, document_fields, interaction_id
from .pipeline import PipelineContext, step

log = logging.getLogger(__name__)

COMPANY, CONTACT = 4, 3
CONVERSATION_KINDS = (EventKind.CLIENT_MESSAGE, EventKind.PUBLIC_REPLY, EventKind.INTERNAL_NOTE)


# -- Bitrix24 calls shared by the 1C flow ----------------------------------------------------------


def notify_user(b24: B24Client, user_id: int | None, message: str) -> None:
    if user_id:
        b24.call("im.notify.system.add", {"USER_ID": user_id, "MESSAGE": message})


def add_comment(b24: B24Client, entity_type_id: int, b24_id: int, text: str) -> int | None:
    """A timeline comment on the request; its id, so the app knows the comment is its own."""
    answer = b24.call(
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_ID": b24_id, "ENTITY_TYPE": f"dynamic_{entity_type_id}", "COMMENT": text}},
    ).result
    try:
        return int(answer)
    except (TypeError, ValueError):
        return None


def remember_app_comment(req: ServiceRequest, comment_id: int | None, interaction: str | None = None) -> None:
    """Mark a comment the app wrote, so that its echo in the history never travels to 1C."""
    if comment_id is None:
        return
    db.session.add(
        OneCInteractionLink(
            portal_id=req.portal_id,
            request_id=req.id,
            interaction_id=interaction or f"comment:{comment_id}",
            direction=OneCInteractionLink.FROM_1C if interaction else OneCInteractionLink.APP_NOTE,
            b24_comment_id=comment_id,
        )
    )


# -- reading the client ----------------------------------------------------------------------------


def _first_value(row: dict[str, Any] | None, name: str) -> str:
    for entry in (row or {}).get(name) or []:
        if isinstance(entry, dict) and entry.get("VALUE"):
            return str(entry["VALUE"]).strip()
    return ""


def _requisite(rows: Any) -> dict[str, Any]:
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("ACTIVE", "Y") != "N" and row.get("RQ_INN"):
            return row
    return {}


def read_client(b24: B24Client, company_id: int | None, contact_id: int | None) -> ClientData:
    """The client of a request with its contacts and requisites (INN, KPP, OGRN), in one batch."""
    commands: dict[str, tuple[str, dict[str, Any]]] = {}
    if company_id:
        commands["company"] = ("crm.company.get", {"id": company_id})
        commands["company_rq"] = (
            "crm.requisite.list",
            {"filter": {"ENTITY_TYPE_ID": COMPANY, "ENTITY_ID": company_id}},
        )
    if contact_id:
        commands["contact"] = ("crm.contact.get", {"id": contact_id})
        commands["contact_rq"] = (
            "crm.requisite.list",
            {"filter": {"ENTITY_TYPE_ID": CONTACT, "ENTITY_ID": contact_id}},
        )
    if not commands:
        return ClientData()
    found = b24.batch(commands).results
    company = found.get("company") if isinstance(found.get("company"), dict) else None
    contact = found.get("contact") if isinstance(found.get("contact"), dict) else None
    phone = _first_value(company, "PHONE") or _first_value(contact, "PHONE")
    email = _first_value(company, "EMAIL") or _first_value(contact, "EMAIL")
    if company:
        rq = _requisite(found.get("company_rq"))
        name, entity = str(company.get("TITLE") or ""), (COMPANY, int(company["ID"]))
    elif contact:
        rq = _requisite(found.get("contact_rq"))
        name = " ".join(p for p in (contact.get("LAST_NAME"), contact.get("NAME")) if p)
        entity = (CONTACT, int(contact["ID"]))
    else:
        return ClientData()
    return ClientData(
        entity_type_id=entity[0],
        entity_id=entity[1],
        name=name or str(rq.get("RQ_COMPANY_NAME") or ""),
        full_name=str(rq.get("RQ_COMPANY_FULL_NAME") or rq.get("RQ_COMPANY_NAME") or name),
        phone=phone,
        email=email,
        inn=str(rq.get("RQ_INN") or "").strip(),
        kpp=str(rq.get("RQ_KPP") or "").strip(),
        ogrn=str(rq.get("RQ_OGRN") or rq.get("RQ_OGRNIP") or "").strip(),
        legal_address=str((company or {}).get("ADDRESS") or rq.get("RQ_ADDR") or ""),
    )


# -- the step --------------------------------------------------------------------------------------


def link_of(req: ServiceRequest) -> OneCRequestLink | None:
    return db.session.scalars(
        select(OneCRequestLink).where(
            OneCRequestLink.portal_id == req.portal_id, OneCRequestLink.request_id == req.id
        )
    ).first()


def _identity(client: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(client.get(name) for name in ("entity_type_id", "entity_id", "inn", "kpp"))


def _problems_text(req: ServiceRequest, problems: list[str]) -> str:
    lines = "\n".join(f"— {problem}" for problem in problems)
    return f"Обращение «{req.title}» не передано в 1С. Исправьте:\n{lines}"


@step(30, "onec")
def onec_step(ctx: PipelineContext) -> None:
    connection = connection_of(ctx.portal)
    if connection is None or not connection.configured:
        return  # no 1C on this portal: nothing to check or send
    req = ctx.request
    link = link_of(req)
    client = read_client(ctx.client, req.company_id, req.contact_id)
    messages = client_problem_messages(client, req.description or req.title)
    problems = [render(m, translate=False) for m in messages]  # Russian: the timeline's language
    problems_hash = digest(problems) if problems else None
    comment_id = None
    if problems and (link is None or link.problems_hash != problems_hash):
        text = _problems_text(req, problems)
        notify_user(ctx.client, req.assigned_by_id, text)
        comment_id = add_comment(ctx.client, ctx.entity_type_id, req.b24_id, text)
    if link is None:
        link = OneCRequestLink(portal_id=req.portal_id, request_id=req.id, client={}, snapshot={})
        db.session.add(link)
    previous_identity = _identity(link.client or {})
    link.client, link.problems_hash = client.as_json(), problems_hash
    link.problems = [store(m) for m in messages]  # read in the card in the reader's language
    remember_app_comment(req, comment_id)
    if problems:
        link.decision = Decision.INVALID
        return
    if link.decision == Decision.INVALID or previous_identity != _identity(link.client):
        # Fixed, or another client: any earlier choice among candidates no longer applies.
        if link.onec_ref is None:
            link.candidates, link.chosen_counterparty_ref = [], None
        link.decision = Decision.OK
    wanted = document_fields(req.title, req.description, req.request_type, req.state)
    fingerprint = digest({"client": _identity(link.client), "doc": wanted, "ref": link.onec_ref})
    if link.decision == Decision.OK and fingerprint != link.pushed_hash:
        link.pushed_hash = fingerprint
        enqueue_push(req.portal_id, req.id)
    if link.onec_ref:
        enqueue_interactions(ctx.portal, req)


def enqueue_push(portal_id: int, request_id: int) -> None:
    enqueue(
        "onec.push_request",
        {"request_id": request_id},
        portal_id=portal_id,
        dedupe_key=f"onec.push_request:{portal_id}:{request_id}",
        # Backoff is capped at an hour: 20 attempts outlast a 1C outage of more than half a day.
        max_attempts=20,
    )


def unsent_events(portal: Portal, req: ServiceRequest) -> list[RequestEvent]:
    """Calls, emails and comments of the request not yet in «История взаимодействий»."""
    links = db.session.execute(
        select(OneCInteractionLink.interaction_id, OneCInteractionLink.b24_comment_id).where(
            OneCInteractionLink.portal_id == portal.id, OneCInteractionLink.request_id == req.id
        )
    ).all()
    written = {row.interaction_id for row in links}
    own_comments = {f"comment:{row.b24_comment_id}" for row in links if row.b24_comment_id}
    events = db.session.scalars(
        select(RequestEvent)
        .where(
            RequestEvent.portal_id == portal.id,
            RequestEvent.request_id == req.id,
            RequestEvent.kind.in_(CONVERSATION_KINDS),
        )
        .order_by(RequestEvent.at, RequestEvent.id)
    ).all()
    return [
        event
        for event in events
        if event.source_ref not in own_comments
        and interaction_id(portal.member_id, event.source_ref) not in written
    ]


def enqueue_interactions(portal: Portal, req: ServiceRequest) -> int:
    events = unsent_events(portal, req)
    for event in events:
        enqueue(
            "onec.push_interaction",
            {"event_id": event.id},
            portal_id=portal.id,
            dedupe_key=f"onec.push_interaction:{portal.id}:{event.id}",
            max_attempts=20,
        )
    return len(events)
