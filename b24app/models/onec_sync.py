"""The two-way 1C flow: a request's «Заявка» link, counterparty links, written interactions, incidents."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Decision:
    OK = "ok"
    NEEDS_DECISION = "needs_decision"  # several counterparties fit: an operator picks one
    INVALID = "invalid"  # required data is missing or wrong: nothing goes to 1C

    ALL = (OK, NEEDS_DECISION, INVALID)


# An operator's choice "none of these: create a new counterparty in 1C".
CREATE_NEW = "new"


class OneCRequestLink(db.Model):
    """A request and its «Заявка» in 1C: the idempotency key, versions, problems and pending decisions."""

    __tablename__ = "onec_request_link"
    __table_args__ = (UniqueConstraint("portal_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(db.ForeignKey("service_request.id", ondelete="CASCADE"))
    # Sent as Idempotency-Key and external_id of the «Заявка»: created once, never changed.
    external_id: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()))
    onec_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    counterparty_ref: Mapped[str | None] = mapped_column(String(64))
    # The client as validated by the pipeline (name, INN, KPP, contacts): what the push job sends.
    client: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    problems_hash: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16), default=Decision.OK)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    chosen_counterparty_ref: Mapped[str | None] = mapped_column(String(64))
    # What the step last asked the push job to send (so unchanged requests enqueue nothing).
    pushed_hash: Mapped[str | None] = mapped_column(String(64))
    # The data_version 1C gave the app's own last write: feed items carrying it are echoes.
    last_data_version_written: Mapped[str | None] = mapped_column(String(64))
    data_version: Mapped[str | None] = mapped_column(String(64))
    # The document as 1C last showed it (status, subject, description): the push sends differences only.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_applied_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_exchange_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CounterpartyLink(db.Model):
    """A Bitrix24 company (or contact) and the 1C counterparty it was matched to."""

    __tablename__ = "counterparty_link"
    __table_args__ = (UniqueConstraint("portal_id", "b24_entity_type_id", "b24_entity_id"),)

    COMPANY, CONTACT = 4, 3

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    b24_entity_type_id: Mapped[int] = mapped_column(Integer)  # 4 company, 3 contact
    b24_entity_id: Mapped[int] = mapped_column(Integer)
    onec_ref: Mapped[str] = mapped_column(String(64), index=True)
    inn: Mapped[str] = mapped_column(String(12), default="")
    kpp: Mapped[str] = mapped_column(String(9), default="")
    name: Mapped[str] = mapped_column(String(255), default="")
    data_version: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def b24_company_id(self) -> int | None:
        return self.b24_entity_id if self.b24_entity_type_id == self.COMPANY else None


class OneCInteractionLink(db.Model):
    """A row of «История взаимодействий» the app wrote or turned into a timeline comment (written once).

    Also remembers timeline comments the app added itself, so they never travel back to 1C.
    """

    __tablename__ = "onec_interaction_link"
    __table_args__ = (UniqueConstraint("portal_id", "interaction_id"),)

    TO_1C, FROM_1C, APP_NOTE = "to_1c", "from_1c", "app_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("service_request.id", ondelete="CASCADE"), index=True
    )
    interaction_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    request_event_id: Mapped[int | None] = mapped_column(Integer)
    b24_comment_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OneCIncident(db.Model):
    """1C unreachable or an exchange job given up: open from the first failure to the next success."""

    __tablename__ = "onec_incident"

    UNREACHABLE, DEAD_LETTER = "unreachable", "dead_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=1)
    last_error: Mapped[str | None] = mapped_column(Text)
    notified_user_id: Mapped[int | None] = mapped_column(Integer)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
