"""Routing storage: the portal's agents and departments (mirrored from Bitrix24), its routing rules,
and per request what the app decided and proposed (the decision itself lives on ServiceRequest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Strategy:
    LEAST_LOADED = "least_loaded"
    ROUND_ROBIN = "round_robin"
    FIXED = "fixed"

    ALL = (LEAST_LOADED, ROUND_ROBIN, FIXED)


class Priority:
    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    ALL = (CRITICAL, HIGH, NORMAL, LOW)


class Agent(db.Model):
    """A Bitrix24 user who can take requests; `active` comes from Bitrix24, cap and availability are ours."""

    __tablename__ = "agent"
    __table_args__ = (UniqueConstraint("portal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255), default="")
    short_name: Mapped[str] = mapped_column(String(120), default="")  # the last name, for explanations
    department_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    available: Mapped[bool] = mapped_column(default=True)
    cap: Mapped[int] = mapped_column(Integer, default=10)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Department(db.Model):
    """A Bitrix24 department: rules target it by id; its head sees the group's queue."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("portal_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255), default="")
    parent_id: Mapped[int | None] = mapped_column(Integer)
    head_user_id: Mapped[int | None] = mapped_column(Integer)


class RoutingRule(db.Model):
    """One rule: conditions (an empty list matches anything), a target group and how to pick a person."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    request_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    urgencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    company_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    department_id: Mapped[int | None] = mapped_column(Integer)
    user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    strategy: Mapped[str] = mapped_column(String(16), default=Strategy.LEAST_LOADED)
    fixed_user_id: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[str | None] = mapped_column(String(16))
    sla_policy_code: Mapped[str | None] = mapped_column(String(64))
    rr_cursor: Mapped[int | None] = mapped_column(Integer)  # the user the rule's round robin gave last
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestRouting(db.Model):
    """Per request: the responsible the app set (to notice a person's reassignment) and the proposal of
    type and urgency made from its text."""

    __tablename__ = "request_routing"
    __table_args__ = (UniqueConstraint("request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(db.ForeignKey("service_request.id", ondelete="CASCADE"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_user_id: Mapped[int | None] = mapped_column(Integer)  # the responsible before the decision
    assigned_user_id: Mapped[int | None] = mapped_column(Integer)  # whom the app assigned (None: queued)
    confirmed: Mapped[bool] = mapped_column(default=False)  # the item was seen with the app's responsible
    overridden_by_person: Mapped[bool] = mapped_column(default=False)
    proposed_type: Mapped[str | None] = mapped_column(String(32))
    type_confidence: Mapped[float | None] = mapped_column(Float)
    proposed_urgency: Mapped[str | None] = mapped_column(String(32))
    urgency_confidence: Mapped[float | None] = mapped_column(Float)
    proposal_applied: Mapped[list[str]] = mapped_column(JSON, default=list)  # "type", "urgency"
    proposal_reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
