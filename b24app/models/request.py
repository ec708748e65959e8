"""The local mirror of a request (an item of the smart process): the card renders from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class RequestState:
    NEW = "new"
    IN_WORK = "in_work"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    ALL = (NEW, IN_WORK, WAITING, RESOLVED, CLOSED, CANCELLED)


class ServiceRequest(db.Model):
    __tablename__ = "service_request"
    __table_args__ = (
        UniqueConstraint("portal_id", "b24_id"),
        Index("ix_service_request_portal_id_onec_ref", "portal_id", "onec_ref"),
        # The client's requests: the company and contact tabs, the card's client history.
        Index("ix_service_request_portal_id_company_id", "portal_id", "company_id"),
        Index("ix_service_request_portal_id_contact_id", "portal_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    b24_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    stage_id: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(16), default=RequestState.NEW)
    request_type: Mapped[str | None] = mapped_column(String(32))
    urgency: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    company_id: Mapped[int | None] = mapped_column(Integer)
    company_title: Mapped[str | None] = mapped_column(String(255))
    contact_id: Mapped[int | None] = mapped_column(Integer)
    contact_name: Mapped[str | None] = mapped_column(String(255))
    assigned_by_id: Mapped[int | None] = mapped_column(Integer)
    assigned_name: Mapped[str | None] = mapped_column(String(255))
    created_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moved_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deleted: Mapped[bool] = mapped_column(default=False)
    mirrored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The «Заявка» document in 1C, as 1C last reported it (its status is 1C's, not the app's state).
    onec_ref: Mapped[str | None] = mapped_column(String(64))
    onec_number: Mapped[str | None] = mapped_column(String(32))
    onec_status: Mapped[str | None] = mapped_column(String(32))

    # Routing: who and why (the explanation is shown in the card).
    priority: Mapped[str | None] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(Integer)
    routing_rule_id: Mapped[int | None] = mapped_column(Integer)
    routing_explanation: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # waiting for a free agent

    # SLA: the policy, the clocks and where they stand. Stored so reports never recompute history.
    sla_policy_id: Mapped[int | None] = mapped_column(Integer)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_state: Mapped[str | None] = mapped_column(String(16))
    sla_minutes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # working minutes per target
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    parent_b24_id: Mapped[int | None] = mapped_column(Integer)  # a new request opened on a closed one
