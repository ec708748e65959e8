"""In-memory state of one sandbox portal: settings, counters, CRM data, app bindings, logs.

CRM rows are plain dicts because, like on a real portal, their set of fields grows at run time
(custom fields); bindings, tokens and logs are dataclasses.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.portal.cloud import Cloud
    from sandbox.portal.delivery import EventQueue

# Portal time zone: Moscow, as most Russian portals show it.
PORTAL_TZ = timezone(timedelta(hours=3))


def now_iso() -> str:
    return datetime.now(PORTAL_TZ).replace(microsecond=0).isoformat()


def to_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, PORTAL_TZ).replace(microsecond=0).isoformat()


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Settings:
    token_ttl: int = 3600
    bucket_size: int = 50
    drain_per_sec: float = 2.0
    operating_limit_sec: float = 480.0
    operating_cost_sec: float = 0.0
    events_enabled: bool = True

    def update(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if not hasattr(self, name):
                raise KeyError(name)
            kind = type(getattr(self, name))
            setattr(self, name, value if kind is bool else kind(value))


@dataclass
class Stats:
    requests: int = 0  # HTTP requests to /rest/ that the bucket let through (a batch is one)
    calls: int = 0  # methods executed, each command of a batch counted
    calls_by_method: dict[str, int] = field(default_factory=dict)
    query_limit_exceeded: int = 0
    operation_time_limit: int = 0
    refreshes: int = 0
    invalid_grant: int = 0
    events_sent: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PlacementBinding:
    id: int
    placement: str
    handler: str
    title: str = ""
    description: str = ""
    group_name: str = ""
    lang_all: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventBinding:
    id: int
    event: str
    handler: str
    auth_type: int = 0
    offline: bool = False


@dataclass
class UserfieldType:
    user_type_id: str
    handler: str
    title: str = ""
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    at: str
    url: str
    event: str
    status: int | None
    error: str = ""


@dataclass
class Actor:
    """Who made a change: a user (events carry that user's tokens) or a robot (events carry none)."""

    user_id: int
    robot: bool = False


@dataclass
class AppInstall:
    version: int = 1
    application_token: str = ""
    installed: bool = False  # installFinish called: widgets show, events are sent
    active: bool = False
    app_sid: str = field(default_factory=lambda: secrets.token_hex(16))


class Portal:
    """One Bitrix24 portal. All state is guarded by the cloud's lock."""

    def __init__(self, cloud: Cloud, domain: str | None, name: str = "ПромТехСервис") -> None:
        self.cloud = cloud
        self.lock: threading.RLock = cloud.lock
        self.member_id = secrets.token_hex(16)
        self.domain = domain
        self.name = name
        self.settings = Settings()
        self.stats = Stats()
        self.bucket_level = 0.0
        self.bucket_at = 0.0
        self.operating: dict[str, deque[tuple[float, float]]] = {}
        self._ids: dict[str, int] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.departments: dict[int, dict[str, Any]] = {}
        self.types: dict[int, dict[str, Any]] = {}  # by entityTypeId
        self.categories: dict[int, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.items: dict[int, dict[int, dict[str, Any]]] = {}  # entityTypeId -> id -> item
        self.userfields: dict[int, dict[str, Any]] = {}
        self.userfield_types: dict[str, UserfieldType] = {}
        self.companies: dict[int, dict[str, Any]] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.requisites: dict[int, dict[str, Any]] = {}
        self.indexes: dict[str, dict[Any, set[int]]] = {}  # "KIND.FIELD" -> value key -> ids
        self.comments: dict[int, dict[str, Any]] = {}
        self.activities: dict[int, dict[str, Any]] = {}
        self.openline_chats: dict[int, dict[str, Any]] = {}  # open-line chats linked to CRM objects
        self.notifications: list[dict[str, Any]] = []
        self.placements: list[PlacementBinding] = []
        self.event_bindings: list[EventBinding] = []
        self.webhooks: dict[str, int] = {}
        self.app = AppInstall()
        self.deliveries: list[Delivery] = []
        self.events: EventQueue | None = None
        self.company_keys: dict[str, int] = {}  # demo company key -> company id

    def next_id(self, kind: str, start: int = 1, step: int = 1) -> int:
        with self.lock:
            value = self._ids.get(kind, start - step) + step
            self._ids[kind] = value
            return value

    @property
    def base_url(self) -> str:
        return f"http://{self.domain}"

    @property
    def client_endpoint(self) -> str:
        return f"{self.base_url}/rest/"

    def is_admin(self, user_id: int) -> bool:
        user = self.users.get(user_id)
        return bool(user and user.get("admin"))
