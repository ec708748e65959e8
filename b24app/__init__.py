"""The service desk Bitrix24 application: create_app reads like a table of contents."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .config import Settings
from .encryption import keyring
from .extensions import babel, db, migrate
from .templating import register_filters


def create_app(test_config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings = settings or Settings.from_env()
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.flask_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    configure_secrets(app)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    register_extensions(app)
    register_filters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure_secrets(app: Flask) -> None:
    settings: Settings = app.config["SETTINGS"]
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set")
    keyring.configure(app.config.get("TOKEN_KEYS") or settings.token_keys)


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (register the tables with the metadata)
    from .i18n import register_i18n, select_locale

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        render_as_batch=True,
        compare_type=True,
        directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
    )
    babel.init_app(app, locale_selector=select_locale)
    register_i18n(app)


def register_blueprints(app: Flask) -> None:
    from .handlers.events import bp as events_bp
    from .handlers.install import bp as install_bp
    from .handlers.onec_api import bp as onec_api_bp
    from .placements.admin import bp as admin_bp
    from .placements.admin_routing import bp as routing_admin_bp
    from .placements.card_kb import bp as kb_card_bp
    from .placements.card_onec import bp as onec_card_bp
    from .placements.company_tab import bp as company_tab_bp
    from .placements.kb_admin import bp as kb_admin_bp
    from .placements.kb_public import bp as kb_public_bp
    from .placements.notify_admin import bp as notify_admin_bp
    from .placements.onec_admin import bp as onec_admin_bp
    from .placements.reply import bp as reply_bp
    from .placements.report import bp as report_bp
    from .placements.request_tab import bp as request_tab_bp
    from .placements.sla_admin import bp as sla_admin_bp
    from .placements.survey import bp as survey_bp
    from .placements.webform import bp as webform_bp
    from .placements.widget import bp as widget_bp

    for bp in (
        events_bp,
        install_bp,
        onec_api_bp,
        request_tab_bp,
        admin_bp,
        report_bp,
        company_tab_bp,
        kb_card_bp,
        kb_public_bp,
        kb_admin_bp,
        notify_admin_bp,
        survey_bp,
        sla_admin_bp,
        routing_admin_bp,
        onec_card_bp,
        onec_admin_bp,
        webform_bp,
        widget_bp,
        reply_bp,
    ):
        app.register_blueprint(bp)

    @app.get("/health")
    def health():
        return {"status": "ok"}


def register_errorhandlers(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith(
            ("/b24/", "/api/", "/frame-api/")
        ) or request.accept_mimetypes.best == ("application/json")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            return jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description), exc.code
        return render_template("error.html", code=exc.code, message=exc.description), exc.code


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
