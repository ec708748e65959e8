"""Job kinds and the functions that run them; modules register themselves with @handles."""

from __future__ import annotations

from collections.abc import Callable

from ..models import Job

JobHandler = Callable[[Job], None]
_handlers: dict[str, JobHandler] = {}


class PermanentJobError(Exception):
    """The job cannot succeed by retrying (bad data, a deleted object): dead-letter it at once."""

    retryable = False


class RetryLater(Exception):
    """Try again after `delay` seconds without counting it as an error worth logging loudly."""

    retryable = True

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


def handles(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(fn: JobHandler) -> JobHandler:
        if kind in _handlers and _handlers[kind] is not fn:
            raise RuntimeError(f"job kind {kind!r} registered twice")
        _handlers[kind] = fn
        return fn

    return register


def handler_for(kind: str) -> JobHandler | None:
    load_handlers()
    return _handlers.get(kind)


def load_handlers() -> None:
    """Import the modules that define job handlers (idempotent)."""
    from . import (  # noqa: F401
        tasks,
        tasks_notify,
        tasks_onec,
        tasks_routing,
        tasks_sla,
        tasks_webform,
    )
