"""The sandbox stack (OAuth server, portal, 1C, the app and a worker) on loopback for one test."""

from __future__ import annotations

import pytest
import requests

from b24app.extensions import db
from b24app.placements.frames import user_cache
from sandbox.stack import SandboxStack


@pytest.fixture
def stack(app):
    # A faster drain on both sides: the limiter works the same, the suite waits less.
    running = SandboxStack(app, rate=(50, 20.0)).start()
    yield running
    running.stop()
    user_cache._entries.clear()
    with app.app_context():
        db.session.remove()


@pytest.fixture
def installed(stack):
    """A sandbox portal with the app installed and set up (smart process, fields, stages)."""
    stack.install()
    stack.setup()
    stack.wait_idle()
    return stack


def portal_stats(stack) -> dict:
    return requests.get(f"{stack.portal_url}/sandbox/api/stats", timeout=10).json()


def open_frame(
    stack,
    placement: str = "DEFAULT",
    options: dict | None = None,
    user_id: int = 1,
    handler=None,
    lang: str = "ru",
):
    """POST a frame to the app the way the portal's page does; returns the app's response."""
    body = {"placement": placement, "options": options or {}, "user_id": user_id, "lang": lang}
    if handler:
        body["handler"] = handler
    frame = stack.control("frame", body)
    return requests.post(frame["url"], data=frame["form"], timeout=30)
