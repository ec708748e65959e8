"""The Flask app of one portal: REST, web UI, BX24 shim and control API, behind a domain check."""

from __future__ import annotations

from flask import Flask, redirect, request

import sandbox.portal.methods  # noqa: F401  (registers every REST method)
from sandbox.portal.cloud import Cloud
from sandbox.portal.control import create_control_blueprint
from sandbox.portal.rest import create_rest_blueprint
from sandbox.portal.state import Portal
from sandbox.portal.web import create_web_blueprint


def create_portal_app(cloud: Cloud, portal: Portal) -> Flask:
    app = Flask(__name__, template_folder="templates", static_folder=None)
    app.config.update(PORTAL=portal, CLOUD=cloud, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    @app.before_request
    def follow_moved_domain():
        # A portal whose address changed answers 302 to the same path on the new domain.
        if portal.domain and request.host != portal.domain:
            return redirect(f"http://{portal.domain}{request.full_path.rstrip('?')}", code=302)
        return None

    app.register_blueprint(create_rest_blueprint())
    app.register_blueprint(create_control_blueprint())
    app.register_blueprint(create_web_blueprint())
    return app
