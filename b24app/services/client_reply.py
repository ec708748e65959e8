"""An operator's reply sent to the client from the card (an article or a filled template): an email
to the client, recorded as a public reply, so it counts as a response for the SLA."""

from __future__ import annotations

from ..bitrix.client import B24Client
from ..models import EventKind, RequestEvent, ServiceRequest, utcnow
from . import history
from .mail import OutgoingMail, send_mail
from .notify import Outbox, Undeliverable, client_email


def already_sent(req: ServiceRequest, ref: str) -> bool:
    return any(e.source_ref == f"reply:{ref}" for e in history.events_of(req))


def send_reply(
    client: B24Client, req: ServiceRequest, text: str, outbox: Outbox, *, user_id: int | None, ref: str
) -> RequestEvent | None:
    """Email the reply (raises MailError to be retried, Undeliverable when there is no address)."""
    if already_sent(req, ref):
        return None
    email = client_email(client, req)
    if not email:
        raise Undeliverable("у клиента нет адреса электронной почты: ответ остался только в ленте")
    subject = f"Ответ по обращению №{req.b24_id}: {req.title}"[:200]
    send_mail(
        outbox.smtp_url, OutgoingMail(to=email, subject=subject, text=text, sender_name=outbox.sender_name)
    )
    return history.record(
        req, EventKind.PUBLIC_REPLY, f"reply:{ref}", utcnow(), actor_id=user_id, channel="email", text=text
    )
