"""Telling the client about their request in their channel (the open-line chat the request came from, else
email): which stage entries notify, the per-portal templates, and delivering one notification (find the
address, render, send, copy to the timeline, record).

The pipeline step only records and enqueues (never waits for SMTP); the job `notify.client` delivers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..bitrix.client import B24Client
from ..extensions import db
from ..i18n import DEFAULT, _m, store
from ..i18n import render as shown
from ..jobs.queue import enqueue
from ..models import (
    ClientNotification,
    EventKind,
    NotificationStatus,
    NotificationTemplate,
    NotifyEvent,
    Portal,
    RequestState,
    ServiceRequest,
    utcnow,
)
from ..templating import localtime
from . import client_channels as channels
from . import survey as surveys
from .mail import MailError
from .notify_templates import DEFAULTS, EVENT_LABELS, TemplateProblem, TemplateValues, render
from .pipeline import PipelineContext, RequestChange, step
from .stages import portal_state_label
from .timeline_copy import add_copy

log = logging.getLogger(__name__)

NOTIFIED_KIND = EventKind.CLIENT_NOTIFIED
NO_EMAIL = store(_m("У клиента нет email (ни у контакта, ни у компании): письмо не отправлено"))
ANSWERED = store(_m("Клиент уже ответил на опрос или ссылка истекла: напоминание не нужно"))
NO_CHANNEL = store(_m("Чат клиента закрыт, а email нет: сообщение не отправлено"))
TEMPLATE_OFF = store(_m("Шаблон этого уведомления выключен"))
MAX_ATTEMPTS = 6


class Undeliverable(Exception):
    """Retrying cannot help (the request or its survey is gone, the template is broken)."""

    retryable = False


_STAGE_EVENTS = {
    RequestState.IN_WORK: NotifyEvent.IN_WORK,
    RequestState.WAITING: NotifyEvent.WAITING,
    RequestState.RESOLVED: NotifyEvent.RESOLVED,
    RequestState.CLOSED: NotifyEvent.CLOSED,
}


def events_to_notify(change: RequestChange) -> list[tuple[str, str]]:
    """(notification event, stage entry ref) for each history event of this run the client hears about."""
    found = []
    for event in change.new_events:
        if event.kind == EventKind.CREATED:
            found.append((NotifyEvent.REGISTERED, event.source_ref))
        elif (
            event.kind == EventKind.STAGE_CHANGED
            and event.to_state in _STAGE_EVENTS
            and event.to_state != event.from_state
        ):
            found.append((_STAGE_EVENTS[event.to_state], event.source_ref))
    return found


def queue_notification(req: ServiceRequest, event: str, ref: str) -> ClientNotification | None:
    """Record the notification and enqueue its delivery; None if this stage entry was already handled."""
    row = ClientNotification(portal_id=req.portal_id, request_id=req.id, event=event, stage_entry_ref=ref)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    enqueue_delivery(row)
    return row


def enqueue_delivery(row: ClientNotification) -> None:
    enqueue(
        "notify.client",
        {"notification_id": row.id},
        portal_id=row.portal_id,
        dedupe_key=f"notify.client:{row.id}",
        max_attempts=MAX_ATTEMPTS,
    )


@step(50, "notify")
def notify_client(ctx: PipelineContext) -> None:
    for event, ref in events_to_notify(ctx.change):
        queue_notification(ctx.request, event, ref)
        if event == NotifyEvent.RESOLVED and surveys.open_survey(ctx.request, ref) is not None:
            queue_notification(ctx.request, NotifyEvent.SURVEY, ref)


# Templates ------------------------------------------------------------------------------------------


def templates_of(portal_id: int) -> dict[str, NotificationTemplate]:
    """Every template of a portal, the Russian defaults added on first use."""
    rows = {
        t.event: t
        for t in db.session.scalars(
            select(NotificationTemplate).where(NotificationTemplate.portal_id == portal_id)
        )
    }
    for event in NotifyEvent.ALL:
        if event not in rows:
            subject, body = DEFAULTS[event]
            row = NotificationTemplate(
                portal_id=portal_id, event=event, subject=subject, body=body, active=True
            )
            try:
                with db.session.begin_nested():
                    db.session.add(row)
            except IntegrityError:  # another process seeded it first
                row = db.session.scalars(
                    select(NotificationTemplate).where(
                        NotificationTemplate.portal_id == portal_id, NotificationTemplate.event == event
                    )
                ).one()
            rows[event] = row
    return {event: rows[event] for event in NotifyEvent.ALL}


def values_for(
    portal: Portal, req: ServiceRequest, survey_url: str = "", survey_expires: datetime | None = None
) -> TemplateValues:
    stage = portal_state_label(req.state)
    for known in (portal.settings or {}).get("stages", []):
        if known.get("status_id") == req.stage_id and known.get("name"):
            stage = known["name"]
    return TemplateValues(
        number=str(req.b24_id),
        title=req.title or "без темы",
        client_name=req.contact_name or req.company_title or "клиент",
        responsible=req.assigned_name or "будет назначен",
        expected_time=localtime(req.resolution_due) if req.resolution_due else "уточняется",
        stage=stage,
        survey_url=survey_url,
        survey_expires=localtime(survey_expires, "%d.%m.%Y") if survey_expires else "",
    )


# Delivery -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outbox:
    """What delivery needs from the app's settings."""

    smtp_url: str
    app_base_url: str
    secret: str
    sender_name: str = "Служба поддержки"


def survey_link(outbox: Outbox, survey) -> str:
    return f"{outbox.app_base_url}/survey/{surveys.link_token(outbox.secret, survey)}"


def deliver(portal: Portal, client: B24Client, row: ClientNotification, outbox: Outbox) -> None:
    """Send one notification and copy it to the timeline. Raises MailError when sending failed (the
    failure is committed first, so it stays visible while the queue retries)."""
    req = db.session.get(ServiceRequest, row.request_id)
    if req is None or req.portal_id != portal.id:
        raise Undeliverable("the request is gone")
    etid = int(portal.settings["smart_process"]["entity_type_id"])
    if row.status == NotificationStatus.SENT:
        if row.timeline_comment_id is None:  # sent, but the copy failed last time
            row.timeline_comment_id = add_copy(client, req, etid, _copy_text(row), NOTIFIED_KIND)
        return
    template = templates_of(portal.id)[row.event]
    if not template.active:
        _skip(row, TEMPLATE_OFF)
        return
    survey, survey_url, expires = None, "", None
    if row.event in NotifyEvent.SURVEYS:
        survey = surveys.survey_for(req, row.stage_entry_ref)
        if survey is None:
            raise Undeliverable("the survey of this resolution is gone")
        if row.event == NotifyEvent.SURVEY_REMINDER and (survey.answered_at or survey.expires_at <= utcnow()):
            _skip(row, ANSWERED)
            return
        survey_url, expires = survey_link(outbox, survey), survey.expires_at
    found = channels.addresses(portal, client, req)
    if found.empty:
        _skip(row, NO_EMAIL)
        return
    try:
        rendered = render(template.subject, template.body, values_for(portal, req, survey_url, expires))
    except TemplateProblem as exc:
        problem = _m("Шаблон не работает: %(error)s", error=str(exc.message))
        row.status, row.last_error = NotificationStatus.FAILED, store(problem)
        db.session.commit()
        raise Undeliverable(shown(problem)) from exc
    row.subject, row.body = rendered.subject, rendered.body
    row.attempts += 1
    try:
        sent = channels.send(
            portal,
            client,
            req,
            found,
            subject=rendered.subject,
            text=rendered.body,
            smtp_url=outbox.smtp_url,
            sender_name=outbox.sender_name,
        )
    except LookupError:  # the chat refused and there is no email
        _skip(row, NO_CHANNEL)
        db.session.commit()
        return
    except MailError as exc:
        row.to = found.email
        row.status, row.last_error = (
            NotificationStatus.FAILED,
            store(_m("Письмо не отправлено: %(error)s", error=str(exc))),
        )
        db.session.commit()
        log.warning("portal %s request %s: %s notification failed: %s", portal.id, req.b24_id, row.event, exc)
        raise
    row.channel, row.to, row.message_id = sent.channel, sent.to, sent.message_id
    row.status, row.sent_at, row.last_error = NotificationStatus.SENT, utcnow(), None
    if survey is not None and survey.sent_at is None:
        survey.sent_at = row.sent_at
    db.session.commit()
    row.timeline_comment_id = add_copy(client, req, etid, _copy_text(row), NOTIFIED_KIND)


def _skip(row: ClientNotification, note: str) -> None:
    row.status, row.last_error = NotificationStatus.SKIPPED, note


def _copy_text(row: ClientNotification) -> str:
    with force_locale(DEFAULT):  # the timeline copy is in the portal's language, not the UI's
        label = str(EVENT_LABELS.get(row.event, row.event))
    if row.channel == "chat":
        return f"Клиенту отправлено сообщение «{label}» в {row.to}\n\n{row.body or ''}".strip()
    return f"Клиенту отправлено письмо «{label}» на {row.to}\nТема: {row.subject}\n\n{row.body or ''}".strip()


# Reading, for the card and the admin tab --------------------------------------------------------------


def notifications_of(req: ServiceRequest) -> list[ClientNotification]:
    return list(
        db.session.scalars(
            select(ClientNotification)
            .where(ClientNotification.portal_id == req.portal_id, ClientNotification.request_id == req.id)
            .order_by(ClientNotification.id)
        )
    )


def failed_notifications(portal_id: int, limit: int = 100) -> list[tuple[ClientNotification, ServiceRequest]]:
    rows = db.session.execute(
        select(ClientNotification, ServiceRequest)
        .join(ServiceRequest, ServiceRequest.id == ClientNotification.request_id)
        .where(
            ClientNotification.portal_id == portal_id,
            ClientNotification.status.in_((NotificationStatus.FAILED, NotificationStatus.SKIPPED)),
        )
        .order_by(ClientNotification.id.desc())
        .limit(limit)
    )
    return [(n, r) for n, r in rows]


def retry(portal_id: int, notification_id: int) -> ClientNotification | None:
    """Queue a failed or skipped notification again (e.g. after the client's email was added)."""
    row = db.session.get(ClientNotification, notification_id)
    if row is None or row.portal_id != portal_id or row.status == NotificationStatus.SENT:
        return None
    row.status, row.last_error = NotificationStatus.QUEUED, None
    enqueue_delivery(row)
    return row
