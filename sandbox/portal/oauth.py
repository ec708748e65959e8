"""The OAuth server (oauth.bitrix.info): the token endpoint for refresh and authorization codes."""

from __future__ import annotations

import hmac

from flask import Flask, jsonify, request

from sandbox.portal.cloud import Cloud
from sandbox.portal.errors import OAuthError


def create_oauth_app(cloud: Cloud) -> Flask:
    app = Flask(__name__)

    @app.errorhandler(OAuthError)
    def _oauth_error(exc: OAuthError):
        return jsonify(exc.body()), exc.status

    @app.get("/oauth/token/")
    @app.get("/oauth/token")
    def token():
        args = request.args
        client_ok = hmac.compare_digest(args.get("client_id", ""), cloud.client_id) and hmac.compare_digest(
            args.get("client_secret", ""), cloud.client_secret
        )
        if not client_ok:
            raise OAuthError("invalid_client", "Invalid client credentials", 401)
        grant_type = args.get("grant_type", "")
        if grant_type == "refresh_token":
            new = cloud.refresh(args.get("refresh_token", ""))
        elif grant_type == "authorization_code":
            new = cloud.exchange_code(args.get("code", ""))
        else:
            raise OAuthError("invalid_request", "Unsupported grant_type", 400)
        return jsonify(cloud.token_answer(new))

    @app.get("/rest/<path:method>")
    @app.post("/rest/<path:method>")
    def server_rest(method: str):
        # The auth server's own REST (app.info for marketplace apps) is out of scope here.
        return jsonify({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}), 404

    return app
