"""Reply templates of the knowledge base (text with placeholders filled from the request) and how
often operators sent each one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class KbTemplate(db.Model):
    """A reply an operator fills in the card: placeholders such as {client_name} in `body`."""

    __tablename__ = "kb_template"
    __table_args__ = (Index("ix_kb_template_portal_active", "portal_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class KbTemplateUse(db.Model):
    """A template an operator posted to a request (the knowledge-base usage metric counts these too)."""

    __tablename__ = "kb_template_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(db.ForeignKey("kb_template.id", ondelete="CASCADE"), index=True)
    request_b24_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    signal: Mapped[str] = mapped_column(String(16), default="inserted")
    query_text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
