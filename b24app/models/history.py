"""The history of a request: stage changes, replies and client messages (SLA clocks and metrics read it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class EventKind:
    CREATED = "created"
    STAGE_CHANGED = "stage_changed"
    PUBLIC_REPLY = "public_reply"  # an employee's reply the client sees: outgoing email, logged call
    CLIENT_MESSAGE = "client_message"  # incoming email, call, chat from the client
    INTERNAL_NOTE = "internal_note"  # a timeline comment: never a response
    REOPENED = "reopened"
    CLIENT_NOTIFIED = "client_notified"  # the app's own timeline copy of an email it sent the client
    CLIENT_FEEDBACK = "client_feedback"  # the app's timeline copy of a survey answer


class RequestEvent(db.Model):
    __tablename__ = "request_event"
    __table_args__ = (
        UniqueConstraint("portal_id", "source_ref"),
        Index("ix_request_event_request_at", "request_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(db.ForeignKey("service_request.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # Where it came from, unique per portal so a re-delivered event is recorded once ("activity:12").
    source_ref: Mapped[str] = mapped_column(String(100))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
