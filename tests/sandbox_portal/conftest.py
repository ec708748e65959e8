"""Sandbox portal and OAuth server on loopback, plus a recording receiver standing in for the app."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from flask import Flask, request

from sandbox.http import ServerThread
from sandbox.portal import Cloud, Portal, create_oauth_app, create_portal_app

CLIENT_ID, CLIENT_SECRET = "local.sandbox.test", "s3cret"


@dataclass
class Sandbox:
    cloud: Cloud
    portal: Portal
    url: str
    oauth_url: str

    def tokens(self, user_id: int = 1) -> dict[str, Any]:
        return requests.post(f"{self.url}/sandbox/api/tokens", json={"user_id": user_id}, timeout=5).json()

    def call(self, method: str, auth: str, **params: Any) -> requests.Response:
        return requests.post(f"{self.url}/rest/{method}.json", json={**params, "auth": auth}, timeout=5)

    def control(self, path: str, **body: Any) -> Any:
        return requests.post(f"{self.url}/sandbox/api/{path}", json=body, timeout=30).json()

    def stats(self) -> dict[str, Any]:
        return requests.get(f"{self.url}/sandbox/api/stats", timeout=5).json()


@pytest.fixture
def sandbox():
    cloud = Cloud(CLIENT_ID, CLIENT_SECRET)
    oauth = ServerThread(create_oauth_app(cloud)).start()
    cloud.oauth_url = oauth.url
    portal = cloud.add_portal()
    server = ServerThread(create_portal_app(cloud, portal)).start()
    portal.domain = f"127.0.0.1:{server.port}"
    yield Sandbox(cloud, portal, server.url, oauth.url)
    server.stop()
    oauth.stop()


@pytest.fixture
def admin_token(sandbox) -> str:
    return sandbox.tokens(1)["access_token"]


@dataclass
class Receiver:
    """A tiny app that records every form POST it gets, by path."""

    url: str
    received: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[str, dict[str, str]]]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.received) < count and time.monotonic() < deadline:
                self.cond.wait(deadline - time.monotonic())
            return list(self.received)


@pytest.fixture
def receiver():
    app = Flask("receiver")
    server = ServerThread(app)
    rec = Receiver(server.url)

    @app.post("/<path:path>")
    def record(path: str):
        with rec.cond:
            rec.received.append(("/" + path, request.form.to_dict()))
            rec.cond.notify_all()
        return "ok"

    server.start()
    yield rec
    server.stop()


def make_type(sandbox: Sandbox, auth: str, title: str = "Обращения клиентов") -> dict[str, Any]:
    return sandbox.call("crm.type.add", auth, fields={"title": title}).json()["result"]["type"]
