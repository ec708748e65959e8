"""Pushes change-feed items to the app the way a scheduled job in 1C does it (BOM, no charset, 1C user agent).

One background thread per sandbox: it wakes when the feed grows, sends everything not yet
delivered, and on failure retries with a bounded backoff. The pull feed stays the source of truth,
so giving up after the last retry loses nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from sandbox.onec.store import OneCStore

USER_AGENT = "1C+Enterprise/8.3"
BOM = b"\xef\xbb\xbf"


@dataclass
class PushConfig:
    url: str
    token: str
    hmac_secret: str | None = None


class Pusher:
    def __init__(
        self, store: OneCStore, retry_delays: tuple[float, ...] = (1, 2, 5, 10, 30), timeout: float = 5
    ) -> None:
        self.store = store
        self.retry_delays = retry_delays
        self.timeout = timeout
        self.config: PushConfig | None = None
        self.log: list[dict[str, Any]] = []
        self.pushed_through = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._send_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._generation = 0
        store.listeners.append(self._wake.set)

    def configure(self, config: PushConfig | None) -> None:
        """Start pushing to `config.url` (only items registered from now on), or stop with None."""
        with self._send_lock, self.store.lock:
            self.config = config
            self._generation += 1
            self.pushed_through = max((item["seq"] for item in self.store.feed.items), default=0)
        if config and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-1c-push", daemon=True)
            self._thread.start()

    def reset(self) -> None:
        """Forget the target and the log; waits for a push in flight so it cannot land afterwards."""
        self.configure(None)
        with self._send_lock, self.store.lock:
            self.log.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 1)
            self._thread = None

    def push_now(self) -> dict[str, Any]:
        """Send whatever is pending once, synchronously; the log entry of that attempt."""
        return self._send_pending(attempt=0)

    def _run(self) -> None:
        attempt, failed_generation = 0, 0
        while not self._stop.is_set():
            if attempt:
                # Like the schedule of a 1C job: new items wait for the next retry, not sooner.
                self._stop.wait(self.retry_delays[attempt - 1])
            else:
                self._wake.wait()
            if self._stop.is_set():
                return
            self._wake.clear()
            if self._generation != failed_generation:
                attempt = 0  # reconfigured meanwhile: a fresh start, not a retry
            failed_generation = self._generation
            entry = self._send_pending(attempt)
            if entry.get("ok", True):
                attempt = 0
            elif attempt < len(self.retry_delays):
                attempt += 1
            else:
                with self.store.lock:
                    entry["gave_up"] = True
                attempt = 0

    def _send_pending(self, attempt: int) -> dict[str, Any]:
        with self._send_lock:
            with self.store.lock:
                config = self.config
                items = [item for item in self.store.feed.items if item["seq"] > self.pushed_through]
                down = self.store.quirks.down
            if config is None or not items:
                return {
                    "ok": True,
                    "items": [],
                    "skipped": "nothing to push" if config else "push is not configured",
                }
            entry: dict[str, Any] = {
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "url": config.url,
                "items": [item["seq"] for item in items],
                "attempt": attempt + 1,
            }
            if down:
                entry.update(ok=False, error="1С недоступна (down)")
            else:
                entry.update(self._post(config, items))
            if entry["ok"]:
                with self.store.lock:
                    self.pushed_through = max(self.pushed_through, items[-1]["seq"])
            with self.store.lock:
                self.log.append(entry)
                del self.log[:-100]
            return entry

    def _post(self, config: PushConfig, items: list[dict[str, Any]]) -> dict[str, Any]:
        body = BOM + json.dumps({"items": items}, ensure_ascii=False).encode("utf-8")
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Authorization": f"Bearer {config.token}",
        }
        if config.hmac_secret:
            digest = hmac.new(config.hmac_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
            headers["X-Signature"] = f"sha256={digest}"
        try:
            response = requests.post(config.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            return {"ok": False, "error": str(exc)}
        return {
            "ok": 200 <= response.status_code < 300,
            "status": response.status_code,
            "answer": response.text[:500],
        }
