"""Requests clients send through the app's public web form: stored first, then created in Bitrix24 by a
job (the contact found by email or added, the item in the smart process)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class WebFormStatus:
    QUEUED = "queued"
    CREATED = "created"
    FAILED = "failed"


class WebFormSubmission(db.Model):
    __tablename__ = "web_form_submission"
    __table_args__ = (
        Index("ix_web_form_submission_portal_source", "portal_id", "source_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_hash: Mapped[str] = mapped_column(String(64))  # a keyed hash of the sender's address (rate limit)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str] = mapped_column(String(32), default="")
    company: Mapped[str] = mapped_column(String(255), default="")
    inn: Mapped[str] = mapped_column(String(12), default="")
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=WebFormStatus.QUEUED)
    contact_b24_id: Mapped[int | None] = mapped_column(Integer)
    item_b24_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
