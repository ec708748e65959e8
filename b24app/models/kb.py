"""Knowledge-base storage: a portal's articles, how operators used them, and the questions no
article answered (gaps)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class ArticleKind:
    MANUAL = "manual"
    FAULT = "fault"
    WARRANTY = "warranty"
    FAQ = "faq"

    ALL = (MANUAL, FAULT, WARRANTY, FAQ)


class ArticleStatus:
    DRAFT = "draft"
    PUBLISHED = "published"

    ALL = (DRAFT, PUBLISHED)


class BodyFormat:
    HTML = "html"
    MARKDOWN = "markdown"

    ALL = (HTML, MARKDOWN)


class KbArticle(db.Model):
    """One article; `body` is sanitised HTML rendered from `source` (what the author wrote)."""

    __tablename__ = "kb_article"
    __table_args__ = (
        UniqueConstraint("portal_id", "slug"),
        Index("ix_kb_article_portal_status", "portal_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=ArticleKind.FAQ)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[str] = mapped_column(String(16), default=BodyFormat.MARKDOWN)
    source: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    product: Mapped[str] = mapped_column(String(120), default="")
    symptoms: Mapped[str] = mapped_column(Text, default="")
    causes: Mapped[str] = mapped_column(Text, default="")
    remedy: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT)
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<KbArticle {self.id} {self.slug} {self.status}>"


class KbUse(db.Model):
    """An operator inserted an article into a reply or said whether it helped."""

    __tablename__ = "kb_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(db.ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    request_b24_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    signal: Mapped[str] = mapped_column(String(16))
    query_text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KbGap(db.Model):
    """A question (grouped by its stems) for which no article was good enough, with how often."""

    __tablename__ = "kb_gap"
    __table_args__ = (UniqueConstraint("portal_id", "gap_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"))
    gap_key: Mapped[str] = mapped_column(String(500))
    sample_query: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KbGapRequest(db.Model):
    """A request already counted for a gap: the card is rendered many times, the question once."""

    __tablename__ = "kb_gap_request"
    __table_args__ = (UniqueConstraint("gap_id", "request_b24_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(db.ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    gap_id: Mapped[int] = mapped_column(db.ForeignKey("kb_gap.id", ondelete="CASCADE"))
    request_b24_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
