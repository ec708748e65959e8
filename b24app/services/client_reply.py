"""An operator's reply sent to the client from the card (an article or a filled template), in the client's
channel (their open-line chat, else email), recorded as a public reply, so it counts as a response for
the SLA."""

from __future__ import annotations

from ..bitrix.client import B24Client
from ..models import EventKind, Portal, RequestEvent, ServiceRequest, utcnow
from . import client_channels as channels
from . import history
from .notify import Outbox, Undeliverable


def already_sent(req: ServiceRequest, ref: str) -> bool:
    return any(e.source_ref == f"reply:{ref}" for e in history.events_of(req))


def send_reply(
    portal: Portal,
    client: B24Client,
    req: ServiceRequest,
    text: str,
    outbox: Outbox,
    *,
    user_id: int | None,
    ref: str,
) -> RequestEvent | None:
    """Send the reply (raises MailError to be retried, Undeliverable when the client cannot be reached)."""
    if already_sent(req, ref):
        return None
    found = channels.addresses(portal, client, req)
    subject = f"Ответ по обращению №{req.b24_id}: {req.title}"[:200]
    try:
        sent = channels.send(
            portal,
            client,
            req,
            found,
            subject=subject,
            text=text,
            smtp_url=outbox.smtp_url,
            sender_name=outbox.sender_name,
            sender_id=user_id,
        )
    except LookupError as exc:
        raise Undeliverable(
            "у клиента нет ни открытого чата, ни email: ответ остался только в ленте"
        ) from exc
    return history.record(
        req,
        EventKind.PUBLIC_REPLY,
        f"reply:{ref}",
        utcnow(),
        actor_id=user_id,
        channel=sent.channel,
        text=text,
    )


def tell_undelivered(
    portal: Portal, client: B24Client, req: ServiceRequest, user_id: int | None, reason: str
) -> None:
    """The operator learns that the reply did not reach the client: a timeline comment on the request
    and a notification to whoever sent it (one batch)."""
    etid = int(((portal.settings or {}).get("smart_process") or {}).get("entity_type_id") or 0)
    commands: dict = {}
    if etid:
        comment = {
            "ENTITY_ID": req.b24_id,
            "ENTITY_TYPE": f"dynamic_{etid}",
            "COMMENT": f"Ответ клиенту не доставлен: {reason}.",
        }
        commands["comment"] = ("crm.timeline.comment.add", {"fields": comment})
    if user_id:
        message = f"Ответ по обращению «{req.title}» (#{req.b24_id}) не доставлен клиенту: {reason}."
        commands["notify"] = ("im.notify.system.add", {"USER_ID": user_id, "MESSAGE": message})
    if commands:
        outcome = client.batch(commands)
        if outcome.errors:
            raise next(iter(outcome.errors.values()))
