"""Outgoing event delivery (BITRIX24.md §4): form-encoded POSTs on a background thread, never retried."""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

import requests

from sandbox.portal.params import encode_pairs
from sandbox.portal.state import Actor, Delivery, Portal, now_iso

DELIVERY_TIMEOUT_SEC = 5.0


def auth_block(portal: Portal, user_id: int | None) -> dict[str, Any]:
    """The `auth[...]` keys; tokens only when a user (not a robot) is behind the event."""
    cloud = portal.cloud
    auth: dict[str, Any] = {}
    if user_id is not None:
        token = cloud.issue_tokens(portal, user_id)
        auth.update(
            access_token=token.access_token,
            expires=int(token.expires_at),
            expires_in=portal.settings.token_ttl,
        )
    auth.update(
        scope=cloud.scope,
        domain=portal.domain,
        server_endpoint=cloud.server_endpoint,
        status="L",
        client_endpoint=portal.client_endpoint,
        member_id=portal.member_id,
    )
    if user_id is not None:
        auth.update(user_id=user_id, refresh_token=token.refresh_token)
    auth["application_token"] = portal.app.application_token
    return auth


class EventQueue:
    """One daemon thread per portal posting queued events in order of arrival."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self._queue: queue.Queue[tuple[str, str, list[tuple[str, str]]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._busy = 0
        self._cond = threading.Condition()

    def put(self, url: str, event: str, payload: dict[str, Any]) -> None:
        with self._cond:
            self._busy += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="portal-events", daemon=True)
                self._thread.start()
        self._queue.put((url, event, encode_pairs(payload)))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event has been posted (for scripts and tests)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _run(self) -> None:
        while True:
            url, event, pairs = self._queue.get()
            try:
                post_event(self.portal, url, event, pairs)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()


def post_event(portal: Portal, url: str, event: str, pairs: list[tuple[str, str]]) -> Delivery:
    """POST one event and record it; failures are recorded, not retried (a real portal won't resend)."""
    try:
        response = requests.post(url, data=pairs, timeout=DELIVERY_TIMEOUT_SEC, allow_redirects=False)
        record = Delivery(now_iso(), url, event, response.status_code)
    except requests.RequestException as exc:
        record = Delivery(now_iso(), url, event, None, type(exc).__name__)
    with portal.lock:
        portal.deliveries.append(record)
        portal.stats.events_sent += 1
    return record


def fire(portal: Portal, event: str, fields: dict[str, Any], actor: Actor) -> int:
    """Queue the event for every handler bound to it; returns how many were queued."""
    with portal.lock:
        if not (portal.app.installed and portal.settings.events_enabled):
            return 0
        bindings = [b for b in portal.event_bindings if b.event.upper() == event.upper() and not b.offline]
    for binding in bindings:
        user_id = None if actor.robot else (binding.auth_type or actor.user_id)
        payload = {
            "event": event.upper(),
            "event_handler_id": binding.id,
            "data": {"FIELDS": fields},
            "ts": int(time.time()),
            "auth": auth_block(portal, user_id),
        }
        assert portal.events is not None
        portal.events.put(binding.handler, event.upper(), payload)
    return len(bindings)
