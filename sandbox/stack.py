"""The whole sandbox on loopback: OAuth server, Bitrix24 portal, 1C, the app and its worker.

Used by `python -m sandbox` and by the integration tests, so both run the same wiring. The app is
configured only through its settings (URLs, client id), exactly as it would be for a real portal.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask
from sqlalchemy import func, select

from b24app.extensions import db
from b24app.jobs.worker import work
from b24app.models import Job, JobStatus, Portal, utcnow
from b24app.services.portals import client_for
from b24app.services.setup import SetupReport, run_setup
from sandbox.demo_kb import load_demo_kb
from sandbox.http import ServerThread
from sandbox.mailbox import create_mailbox_blueprint
from sandbox.onec.app import create_onec_app
from sandbox.portal import AppRegistration, Cloud, create_oauth_app, create_portal_app, seed_requests
from sandbox.smtp import SmtpSink

log = logging.getLogger(__name__)
APP_CODE = "local.sandbox.servicedesk"


@dataclass
class Ports:
    app: int = 0
    portal: int = 0
    oauth: int = 0
    onec: int = 0


@dataclass
class SandboxStack:
    app: Flask
    ports: Ports = field(default_factory=Ports)
    seed: bool = True
    workers: int = 1
    # The portal's leaky bucket (size, drain per second), told to both sides alike. Tests drain faster
    # to stay short; `python -m sandbox` keeps the cloud portal's 50 / 2.
    rate: tuple[int, float] = (50, 2.0)
    client_id: str = APP_CODE
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def start(self) -> SandboxStack:
        self.cloud = Cloud(self.client_id, self.client_secret)
        self.portal = self.cloud.add_portal(seed=self.seed)
        self.portal.settings.bucket_size, self.portal.settings.drain_per_sec = self.rate
        self.oauth_server = ServerThread(create_oauth_app(self.cloud), port=self.ports.oauth)
        self.cloud.oauth_url = self.oauth_server.url
        self.portal_server = ServerThread(create_portal_app(self.cloud, self.portal), port=self.ports.portal)
        self.portal.domain = f"127.0.0.1:{self.portal_server.port}"
        # The clients' mailbox: the app's emails land in the SMTP sink, shown at /mailbox/ on the portal.
        self.smtp = SmtpSink().start()
        mailbox = create_mailbox_blueprint(self.smtp.mailbox, self.portal_url)
        self.portal_server.app.register_blueprint(mailbox)
        self.portal_server.app.config["MAILBOX_URL"] = "/mailbox/"
        self.onec_app = create_onec_app()
        self.onec_server = ServerThread(self.onec_app, port=self.ports.onec)
        self.app_server = ServerThread(self.app, port=self.ports.app)
        self.configure_app()
        self.cloud.register_app(
            AppRegistration(
                handler_url=f"{self.app_url}/app/",
                install_url=f"{self.app_url}/install/",
                event_handler_url=f"{self.app_url}/b24/events",
                code=self.client_id,
            )
        )
        for server in (self.oauth_server, self.portal_server, self.onec_server, self.app_server):
            server.start()
        self._stop = threading.Event()
        self._workers = [
            threading.Thread(
                target=work,
                args=(self.app,),
                kwargs={"stop": self._stop, "poll_interval": 0.1, "worker_id": f"sandbox-{i}"},
                name=f"worker-{i}",
                daemon=True,
            )
            for i in range(self.workers)
        ]
        for thread in self._workers:
            thread.start()
        return self

    def configure_app(self) -> None:
        self._original_settings = self.app.config["SETTINGS"]
        settings = dataclasses.replace(
            self.app.config["SETTINGS"],
            app_base_url=self.app_url,
            b24_client_id=self.client_id,
            b24_client_secret=self.client_secret,
            b24_app_code=self.client_id,
            b24_oauth_url=self.oauth_server.url,
            b24_js_sdk_url=f"{self.portal_url}/bx24.js",
            b24_allow_http=True,
            b24_rate=self.rate,
            smtp_url=self.smtp.url,
        )
        self.app.config["SETTINGS"] = settings

    @property
    def app_url(self) -> str:
        return self.app_server.url

    @property
    def portal_url(self) -> str:
        return self.portal_server.url

    @property
    def onec_url(self) -> str:
        return self.onec_server.url

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.post(f"{self.portal_url}/sandbox/api/{path}", json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def install(self) -> dict[str, Any]:
        return self.control("install")

    def app_portal(self) -> Portal:
        """The app's row for the sandbox portal (call inside an app context)."""
        return db.session.scalars(select(Portal).where(Portal.member_id == self.portal.member_id)).one()

    def web_form_url(self) -> str:
        """The address of the app's public web form for the sandbox portal (made on first use)."""
        from b24app.services.webform import ensure_form

        with self.app.app_context():
            key = ensure_form(self.app_portal())
            db.session.commit()
            db.session.remove()
        return f"{self.app_url}/form/{key}"

    def setup(self) -> SetupReport:
        with self.app.app_context():
            portal = self.app_portal()
            settings = self.app.config["SETTINGS"]
            report = run_setup(portal, client_for(portal.id, settings), settings.app_base_url)
            db.session.commit()
            return report

    def entity_type_id(self) -> int:
        with self.app.app_context():
            return int(self.app_portal().settings["smart_process"]["entity_type_id"])

    def seed_requests(self) -> list[dict[str, Any]]:
        return seed_requests(self.portal, self.entity_type_id())

    def connect_onec(self) -> None:
        """Connect the installed app to the sandbox 1C both ways: its URL and user, and pushes back."""
        from b24app.services.onec_link import issue_push_token, set_connection

        onec = self.onec_app.extensions["sandbox_onec"].settings
        with self.app.app_context():
            portal = self.app_portal()
            set_connection(portal, self.onec_url + onec.base_path, onec.username, onec.password)
            token = issue_push_token(portal)
            db.session.commit()
            db.session.remove()
        push = {"url": f"{self.app_url}/api/1c/v1/events", "token": token}
        requests.post(f"{self.onec_url}/sandbox1c/api/push-config", json=push, timeout=10).raise_for_status()

    def load_demo_kb(self) -> int:
        """Import the demo knowledge base (articles and reply templates); returns how many articles."""
        with self.app.app_context():
            report = load_demo_kb(self.app_portal().id)
            db.session.remove()
        return report.created + report.updated

    def wait_idle(self, timeout: float = 20.0) -> None:
        """Wait until the portal has delivered its events and the app's queue has nothing due."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.control("wait-events", {"timeout": max(0.1, deadline - time.monotonic())})
            with self.app.app_context():
                pending = db.session.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)), Job.run_at <= utcnow())
                )
                db.session.remove()
            if not pending:
                return
            time.sleep(0.05)
        raise TimeoutError("the sandbox did not settle")

    def stop(self) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout=5)
        self.onec_app.extensions["sandbox_onec"].close()
        for server in (self.app_server, self.onec_server, self.portal_server, self.oauth_server):
            server.stop()
        self.smtp.stop()
        self.app.config["SETTINGS"] = self._original_settings
