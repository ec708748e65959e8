"""One exchange session with a portal's 1C: every call is timed and kept for the exchange log.

The log rows are held in memory until `save()`: adding them to the session earlier would open a
database write transaction while Bitrix24 calls still follow (the shared rate limiter writes too).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from onec_client import OneCClient, OneCError

from .onec_link import log_exchange, result_of

T = TypeVar("T")


@dataclass
class Exchange:
    portal_id: int
    onec: OneCClient
    succeeded: bool = False  # at least one call went through (an open incident is over)
    entries: list[dict[str, Any]] = field(default_factory=list)

    def call(self, object_kind: str, operation: str, ref: str | None, fn: Callable[[], T]) -> T:
        """Run one call to 1C and note it; a typed OneCError is noted and raised again."""
        started = time.monotonic()
        entry: dict[str, Any] = {"object_kind": object_kind, "operation": operation, "object_ref": ref}
        try:
            result = fn()
        except OneCError as exc:
            entry.update(result=result_of(exc), http_status=exc.status, error_text=str(exc))
            # Any answer from 1C, even a refusal, shows that it is reachable.
            self.succeeded = self.succeeded or (exc.status is not None and not exc.retryable)
            raise
        else:
            entry.update(result="ok", http_status=200)
            self.succeeded = True
            return result
        finally:
            entry["duration_ms"] = int((time.monotonic() - started) * 1000)
            self.entries.append(entry)

    def save(self) -> None:
        """Write the noted calls to the exchange log in the caller's unit of work."""
        for entry in self.entries:
            log_exchange(self.portal_id, direction="to_1c", **entry)
        self.entries.clear()
