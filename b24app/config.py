"""Settings read from the environment; the defaults serve the sandbox on loopback."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _rate(value: str) -> tuple[int, float]:
    """Parse "50/2" (bucket size / drain per second) into numbers."""
    size, _, drain = value.partition("/")
    return int(size), float(drain or 2)


@dataclass(frozen=True)
class Settings:
    secret_key: str
    database_url: str | None
    app_base_url: str
    b24_client_id: str
    b24_client_secret: str
    b24_app_code: str
    b24_oauth_url: str
    b24_js_sdk_url: str
    b24_allow_http: bool
    b24_rate: tuple[int, float]
    token_keys: tuple[str, ...]
    smtp_url: str
    log_level: str
    frame_token_ttl: int

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        keys = tuple(k.strip() for k in env.get("TOKEN_KEYS", "").split(",") if k.strip())
        return cls(
            secret_key=env.get("SECRET_KEY", ""),
            database_url=env.get("DATABASE_URL") or None,
            app_base_url=env.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            b24_client_id=env.get("B24_CLIENT_ID", "local.sandbox-servicedesk"),
            b24_client_secret=env.get("B24_CLIENT_SECRET", ""),
            b24_app_code=env.get("B24_APP_CODE", ""),
            b24_oauth_url=env.get("B24_OAUTH_URL", "https://oauth.bitrix.info").rstrip("/"),
            b24_js_sdk_url=env.get("B24_JS_SDK_URL", "//api.bitrix24.com/api/v1/"),
            b24_allow_http=_bool(env.get("B24_ALLOW_HTTP")),
            b24_rate=_rate(env.get("B24_RATE_LIMIT", "50/2")),
            token_keys=keys,
            smtp_url=env.get("SMTP_URL", "smtp://127.0.0.1:2525"),
            log_level=env.get("LOG_LEVEL", "INFO"),
            frame_token_ttl=int(env.get("FRAME_TOKEN_TTL", "1800")),
        )

    def flask_config(self, instance_path: str) -> dict[str, object]:
        database_url = self.database_url or f"sqlite:///{os.path.join(instance_path, 'servicedesk.sqlite')}"
        if database_url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; the bare scheme would ask for psycopg2.
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
            "SETTINGS": self,
            "BABEL_DEFAULT_LOCALE": "ru",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Moscow",
            "JSON_AS_ASCII": False,
            # No request the app serves is bigger than a knowledge-base import: refuse the rest with 413.
            "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        }


def _engine_options(url: str) -> dict[str, object]:
    if url.startswith("sqlite"):
        # Threads of one process share the file; wait for a lock rather than fail at once.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
