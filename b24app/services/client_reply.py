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
