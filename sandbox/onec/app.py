"""The sandbox 1C as a Flask app: the HTTP service, its control API and the page for a person in 1C."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import Flask, Response, request

from sandbox.onec import api, control
from sandbox.onec.push import Pusher
from sandbox.onec.store import OneCStore


@dataclass
class OneCSettings:
    infobase: str = "sd"
    username: str = "exchange"
    password: str = "exchange"
    tz: str = "Europe/Moscow"
    config: str = "Сервис-деск на БП 3.0 (демо)"
    seed: bool = True
    push_retry_delays: tuple[float, ...] = field(default=(1, 2, 5, 10, 30))
    push_timeout: float = 5

    @property
    def base_path(self) -> str:
        return f"/{self.infobase}/hs/servicedesk/v1"


@dataclass
class SandboxOneC:
    """What the app keeps in `app.extensions["sandbox_onec"]`; `close()` stops the push thread."""

    settings: OneCSettings
    store: OneCStore
    pusher: Pusher

    def close(self) -> None:
        self.pusher.stop()


def create_onec_app(settings: OneCSettings | None = None) -> Flask:
    settings = settings or OneCSettings()
    app = Flask(__name__)
    store = OneCStore(ZoneInfo(settings.tz), seed=settings.seed)
    pusher = Pusher(store, settings.push_retry_delays, settings.push_timeout)
    app.extensions["sandbox_onec"] = SandboxOneC(settings, store, pusher)
    app.register_blueprint(api.bp, url_prefix=settings.base_path)
    app.register_blueprint(control.bp, url_prefix="/sandbox1c")

    @app.errorhandler(404)
    def not_found(_error: Exception) -> Response | tuple[str, int]:
        if request.path.startswith(f"/{settings.infobase}/hs/"):
            return api.not_found_text(request.path)
        return "Страница не найдена", 404

    return app
