"""SQLAlchemy models, one module per aggregate. Every tenant row carries portal_id."""

from .history import EventKind, RequestEvent
from .kb import ArticleKind, ArticleStatus, BodyFormat, KbArticle, KbGap, KbUse
from .onec import ExchangeLog, InboxStatus, OneCConnection, OneCInboxItem
from .portal import Portal, PortalStatus, RateBucket
from .queue import InboxEvent, Job, JobStatus
from .request import RequestState, ServiceRequest
from .types import UTCDateTime, utcnow

__all__ = [
    "ArticleKind",
    "ArticleStatus",
    "BodyFormat",
    "EventKind",
    "ExchangeLog",
    "InboxEvent",
    "InboxStatus",
    "Job",
    "JobStatus",
    "KbArticle",
    "KbGap",
    "KbUse",
    "OneCConnection",
    "OneCInboxItem",
    "Portal",
    "PortalStatus",
    "RateBucket",
    "RequestEvent",
    "RequestState",
    "ServiceRequest",
    "UTCDateTime",
    "utcnow",
]
