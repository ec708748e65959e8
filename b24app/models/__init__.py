"""SQLAlchemy models, one module per aggregate. Every tenant row carries portal_id."""

from .portal import Portal, PortalStatus, RateBucket
from .queue import InboxEvent, Job, JobStatus
from .request import RequestState, ServiceRequest
from .types import UTCDateTime, utcnow

__all__ = [
    "InboxEvent",
    "Job",
    "JobStatus",
    "Portal",
    "PortalStatus",
    "RateBucket",
    "RequestState",
    "ServiceRequest",
    "UTCDateTime",
    "utcnow",
]
