"""SQLAlchemy models, one module per aggregate. Every tenant row carries portal_id."""

from .counterparty_sync import CounterpartySyncRun
from .history import EventKind, RequestEvent
from .kb import ArticleKind, ArticleStatus, BodyFormat, KbArticle, KbGap, KbGapRequest, KbUse
from .kb_templates import KbTemplate, KbTemplateUse
from .notify import ClientNotification, NotificationStatus, NotificationTemplate, NotifyEvent, Survey
from .onec import ExchangeLog, InboxStatus, OneCConnection, OneCInboxItem
from .onec_sync import CounterpartyLink, Decision, OneCIncident, OneCInteractionLink, OneCRequestLink
from .portal import Portal, PortalStatus, RateBucket
from .queue import InboxEvent, Job, JobStatus
from .request import RequestState, ServiceRequest
from .routing import Agent, Department, RequestRouting, RoutingRule
from .sla import BusinessCalendarRecord, SlaEscalation, SlaPolicyRecord
from .types import UTCDateTime, utcnow
from .webform import WebFormStatus, WebFormSubmission

__all__ = [
    "Agent",
    "ArticleKind",
    "ArticleStatus",
    "BodyFormat",
    "BusinessCalendarRecord",
    "ClientNotification",
    "CounterpartyLink",
    "CounterpartySyncRun",
    "Decision",
    "Department",
    "EventKind",
    "ExchangeLog",
    "InboxEvent",
    "InboxStatus",
    "Job",
    "JobStatus",
    "KbArticle",
    "KbGap",
    "KbGapRequest",
    "KbTemplate",
    "KbTemplateUse",
    "KbUse",
    "NotificationStatus",
    "NotificationTemplate",
    "NotifyEvent",
    "OneCConnection",
    "OneCInboxItem",
    "OneCIncident",
    "OneCInteractionLink",
    "OneCRequestLink",
    "Portal",
    "PortalStatus",
    "RateBucket",
    "RequestEvent",
    "RequestRouting",
    "RequestState",
    "RoutingRule",
    "ServiceRequest",
    "SlaEscalation",
    "SlaPolicyRecord",
    "Survey",
    "UTCDateTime",
    "WebFormStatus",
    "WebFormSubmission",
    "utcnow",
]
