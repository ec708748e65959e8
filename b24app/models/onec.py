"""The 1C side of a portal: its connection settings, the inbox of pushes from 1C and the exchange log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..encryption import EncryptedText
from ..extensions import db
from .types import UTCDateTime, utcnow


class OneCConnection(db.Model):
    """How the app reaches the portal's 1C infobase, and how 1C proves itself when it calls back."""

    __tablename__ = "onec_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), unique=True)
    # Empty until the admin sets the connection; a push token may be issued before that.
    base_url: Mapped[str] = mapped_column(String(500), default="")
    username: Mapped[str] = mapped_column(String(100), default="")
    password: Mapped[str | None] = mapped_column(EncryptedText)
    # The infobase time zone; None means "as /ping declares".
    tz: Mapped[str | None] = mapped_column(String(64))
    last_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_check_ok: Mapped[bool | None] = mapped_column()
    last_check_message: Mapped[str | None] = mapped_column(Text)
    # sha256 hex of the bearer token 1C sends; the token itself is shown once and never stored.
    push_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    hmac_secret: Mapped[str | None] = mapped_column(EncryptedText)
    # The change feed cursor acknowledged last (1C re-delivers everything after it).
    feed_cursor: Mapped[str | None] = mapped_column(String(64))
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.username)


class InboxStatus:
    RECEIVED = "received"  # stored, the job has not run yet
    APPLIED = "applied"
    UNMATCHED = "unmatched"  # a known type about a request the app does not know (the pull feed reconciles)
    DEFERRED = "deferred"  # a known type this version does not apply yet
    UNSUPPORTED = "unsupported"  # a type the app does not know: kept for the admin, not dropped


class OneCInboxItem(db.Model):
    """One change-feed item pushed by 1C, stored once per (portal, seq)."""

    __tablename__ = "onec_inbox_item"
    __table_args__ = (UniqueConstraint("portal_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=InboxStatus.RECEIVED)


class ExchangeLog(db.Model):
    """One exchange with 1C in either direction: the app's mirror of «История взаимодействий»."""

    __tablename__ = "exchange_log"
    __table_args__ = (Index("ix_exchange_log_portal_id_at", "portal_id", "at"),)

    DIRECTIONS = ("to_1c", "from_1c")
    RESULTS = ("ok", "error", "retry")

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    direction: Mapped[str] = mapped_column(String(8))
    object_kind: Mapped[str] = mapped_column(String(32))
    object_ref: Mapped[str | None] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(8))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_text: Mapped[str | None] = mapped_column(Text)
