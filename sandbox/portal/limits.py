"""Per-portal leaky bucket and per-method operating time (BITRIX24.md §6)."""

from __future__ import annotations

from collections import deque

from sandbox.portal.errors import RestError
from sandbox.portal.state import Portal

OPERATING_WINDOW_SEC = 600.0


def take_bucket(portal: Portal, now: float) -> None:
    """Add one call to the portal's bucket, or refuse it (it is then not executed)."""
    with portal.lock:
        settings = portal.settings
        drained = (now - portal.bucket_at) * settings.drain_per_sec if portal.bucket_at else 0.0
        level = max(0.0, portal.bucket_level - drained)
        portal.bucket_at = now
        if level + 1 > settings.bucket_size:
            portal.bucket_level = level
            portal.stats.query_limit_exceeded += 1
            raise RestError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)
        portal.bucket_level = level + 1
        portal.stats.requests += 1


def _window(portal: Portal, method: str, now: float) -> deque[tuple[float, float]]:
    spent = portal.operating.setdefault(method, deque())
    while spent and spent[0][0] <= now - OPERATING_WINDOW_SEC:
        spent.popleft()
    return spent


def operating_info(portal: Portal, method: str, now: float) -> tuple[float, float]:
    """(seconds spent by the method in the window, when the oldest spending leaves the window)."""
    with portal.lock:
        spent = _window(portal, method, now)
        total = sum(cost for _, cost in spent)
        reset_at = spent[0][0] + OPERATING_WINDOW_SEC if spent else now
        return total, reset_at


def check_operating(portal: Portal, method: str, now: float) -> None:
    total, _ = operating_info(portal, method, now)
    if total >= portal.settings.operating_limit_sec:
        with portal.lock:
            portal.stats.operation_time_limit += 1
        raise RestError(
            "OPERATION_TIME_LIMIT", f"Method is blocked due to operation time limit: {method}", 429
        )


def spend_operating(portal: Portal, method: str, now: float) -> None:
    cost = portal.settings.operating_cost_sec
    if cost > 0:
        with portal.lock:
            _window(portal, method, now).append((now, cost))
