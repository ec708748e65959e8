"""Client notifications by email (templates per stage, one row per message) and the CSAT/NPS survey."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class NotifyEvent:
    REGISTERED = "registered"
    IN_WORK = "in_work"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"
    SURVEY = "survey"  # the CSAT survey email sent after resolution
    SURVEY_REMINDER = "survey_reminder"  # once, a few days later, if the client has not answered

    STAGES = (REGISTERED, IN_WORK, WAITING, RESOLVED, CLOSED)
    SURVEYS = (SURVEY, SURVEY_REMINDER)
    ALL = (*STAGES, *SURVEYS)


class NotificationStatus:
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # the queue retries it; «Повторить» in the admin tab after the last attempt
    SKIPPED = "skipped"  # nothing to retry by itself: no client email, or the template is switched off


class NotificationTemplate(db.Model):
    __tablename__ = "notification_template"
    __table_args__ = (UniqueConstraint("portal_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(Integer)


class ClientNotification(db.Model):
    """One message to the client about one stage entry of a request: it is sent at most once."""

    __tablename__ = "client_notification"
    __table_args__ = (
        # Named by hand: the conventional name would pass PostgreSQL's 63-character limit.
        UniqueConstraint(
            "portal_id", "request_id", "event", "stage_entry_ref", name="uq_client_notification_stage_entry"
        ),
        Index("ix_client_notification_portal_status", "portal_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(
        db.ForeignKey("service_request.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(16))
    # The history event that caused it (created:12, stage:12:…): the same stage entry never notifies twice.
    stage_entry_ref: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")  # or "chat"
    to: Mapped[str | None] = mapped_column("to_email", String(255))  # the address, or the chat's label
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255))
    timeline_comment_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Survey(db.Model):
    """A CSAT (1–5) and optional NPS (0–10) survey sent after a resolution; answered once."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("portal_id", "request_id", "resolution_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(
        db.ForeignKey("service_request.id", ondelete="CASCADE"), index=True
    )
    resolution_ref: Mapped[str] = mapped_column(String(100))
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the reminder was queued
    score: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    # What the answer set off in Bitrix24, so a retried job does each part once.
    csat_written_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timeline_comment_id: Mapped[int | None] = mapped_column(Integer)
    head_notified_id: Mapped[int | None] = mapped_column(Integer)  # the head (user id) told of a low score
    note: Mapped[str | None] = mapped_column(Text)
