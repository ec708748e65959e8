"""Fixtures shared by the whole suite: the app on a migrated database (SQLite, or PostgreSQL when
DATABASE_URL says so), cleaned between tests."""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from b24app import create_app
from b24app.config import Settings
from b24app.extensions import db

TEST_KEYS = (Fernet.generate_key().decode(), Fernet.generate_key().decode())


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    env = {
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "TOKEN_KEYS": ",".join(TEST_KEYS),
        "APP_BASE_URL": "http://127.0.0.1:5999",
        "B24_CLIENT_ID": "local.test-app",
        "B24_CLIENT_SECRET": "test-client-secret",
        "B24_OAUTH_URL": "http://127.0.0.1:5998",
        "B24_ALLOW_HTTP": "1",
        "LOG_LEVEL": "WARNING",
    }
    application = create_app(settings=Settings.from_env(env))
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections before the interpreter collects them


def reconfigure(app, **changes) -> Settings:
    """Change settings of the running app (e.g. the URLs of sandbox servers started by a test)."""
    settings = dataclasses.replace(app.config["SETTINGS"], **changes)
    app.config["SETTINGS"] = settings
    return settings


@pytest.fixture(autouse=True)
def clean_db(app):
    yield
    with app.app_context():
        db.session.remove()
        # Tables of the metadata that the migrations created (tests/unit/core/test_migrations.py checks
        # that the two agree, so a missing table fails there with a clear message, not everywhere).
        existing = set(sa_inspect(db.engine).get_table_names())
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


# Playwright driving Debian's Chromium (/usr/bin/chromium); nothing is downloaded by Playwright.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    yield context.new_page()
    context.close()


def screenshot(page, name: str) -> str:
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
