"""SLA settings of a portal (business calendars, policies) and the escalation schedule of open requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class BusinessCalendarRecord(db.Model):
    """A stored BusinessCalendar (its to_dict form); one per portal is the default."""

    __tablename__ = "business_calendar"
    __table_args__ = (UniqueConstraint("portal_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_default: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SlaPolicyRecord(db.Model):
    """Targets in minutes for requests of some types and priorities; the first active match wins."""

    __tablename__ = "sla_policy"
    __table_args__ = (UniqueConstraint("portal_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Empty lists match anything; a policy with neither is the fallback.
    request_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    priorities: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_response: Mapped[int | None] = mapped_column(Integer)
    next_response: Mapped[int | None] = mapped_column(Integer)
    resolution: Mapped[int | None] = mapped_column(Integer)
    business_hours: Mapped[bool] = mapped_column(default=True)
    warning_share: Mapped[float] = mapped_column(Float, default=0.8)
    calendar_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("business_calendar.id", ondelete="SET NULL")
    )
    second_level_share: Mapped[float] = mapped_column(Float, default=0.5)
    notify_in_working_hours_only: Mapped[bool] = mapped_column(default=True)
    service_manager_user_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_fallback(self) -> bool:
        return not self.request_types and not self.priorities


class SlaEscalation(db.Model):
    """When the open clock of a request reaches its next escalation level (written by the SLA step).

    The tick reads only rows whose `next_at` has passed (an indexed range), so it stays cheap however
    many requests are open. `episode` names the clock being escalated (target and its start): a new
    clock (the next response after a client's message) starts again from level 0.
    """

    __tablename__ = "sla_escalation"
    __table_args__ = (Index("ix_sla_escalation_portal_next", "portal_id", "next_at"),)

    request_id: Mapped[int] = mapped_column(
        db.ForeignKey("service_request.id", ondelete="CASCADE"), primary_key=True
    )
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"))
    policy_id: Mapped[int | None] = mapped_column(Integer)
    episode: Mapped[str] = mapped_column(String(64))
    warning_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breach_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    second_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The moment of the lowest level not yet reached; None when nothing is left to escalate.
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def moments(self) -> dict[int, datetime | None]:
        return {1: self.warning_at, 2: self.breach_at, 3: self.second_at}

    def next_after(self, level: int) -> datetime | None:
        later = [at for lvl, at in self.moments().items() if lvl > level and at is not None]
        return min(later, default=None)
