"""A portal is one Bitrix24 installation of the app: the tenant every other row belongs to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..encryption import EncryptedText
from ..extensions import db
from .types import UTCDateTime, utcnow


class PortalStatus:
    INSTALLING = "installing"  # tokens known, binds or installFinish not done yet
    ACTIVE = "active"
    UNINSTALLED = "uninstalled"


class Portal(db.Model):
    __tablename__ = "portal"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), unique=True)
    domain: Mapped[str] = mapped_column(String(255))
    client_endpoint: Mapped[str] = mapped_column(String(255))
    server_endpoint: Mapped[str] = mapped_column(String(255), default="")
    access_token: Mapped[str | None] = mapped_column(EncryptedText)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    application_token: Mapped[str | None] = mapped_column(EncryptedText)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every refresh; a worker holding an older generation knows someone refreshed first.
    token_generation: Mapped[int] = mapped_column(Integer, default=0)
    # Touched to take the row lock (see bitrix.storage); also a cheap change counter.
    lock_counter: Mapped[int] = mapped_column(Integer, default=0)
    scope: Mapped[str] = mapped_column(String(255), default="")
    app_status: Mapped[str] = mapped_column(String(1), default="L")
    status: Mapped[str] = mapped_column(String(16), default=PortalStatus.INSTALLING)
    version: Mapped[int] = mapped_column(Integer, default=1)
    installed_by: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="ru")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def base_url(self) -> str:
        """Scheme and host of the portal, e.g. https://example.bitrix24.ru (used for frame-ancestors)."""
        scheme = self.client_endpoint.split("://", 1)[0] if "://" in self.client_endpoint else "https"
        return f"{scheme}://{self.domain}"

    def __repr__(self) -> str:
        return f"<Portal {self.id} {self.domain} {self.status}>"


class RateBucket(db.Model):
    """Shared leaky-bucket state of one portal, as a GCRA theoretical arrival time (epoch seconds)."""

    __tablename__ = "rate_bucket"

    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), primary_key=True)
    tat: Mapped[float] = mapped_column(Float, default=0.0)
    # Set after a 503/429 from the portal: nobody calls before this instant.
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
