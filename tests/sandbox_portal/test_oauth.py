"""OAuth token lifetime and single-use refresh tokens (BITRIX24.md §5)."""

from __future__ import annotations

import requests

from tests.sandbox_portal.conftest import CLIENT_ID, CLIENT_SECRET


def _refresh(sandbox, refresh_token: str, secret: str = CLIENT_SECRET) -> requests.Response:
    params = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": secret,
        "refresh_token": refresh_token,
    }
    return requests.get(f"{sandbox.oauth_url}/oauth/token/", params=params, timeout=5)


def test_rest_without_auth_answers_no_auth_found(sandbox):
    response = requests.post(f"{sandbox.url}/rest/user.current.json", timeout=5)
    assert response.status_code == 401
    assert response.json()["error"] == "NO_AUTH_FOUND"


def test_expired_access_token_answers_expired_token_until_refreshed(sandbox):
    pair = sandbox.tokens()
    sandbox.control("expire-tokens")
    expired = sandbox.call("user.current", pair["access_token"])
    assert (expired.status_code, expired.json()["error"]) == (401, "expired_token")

    fresh = _refresh(sandbox, pair["refresh_token"])
    assert fresh.status_code == 200
    body = fresh.json()
    for key in (
        "access_token",
        "refresh_token",
        "expires",
        "expires_in",
        "client_endpoint",
        "server_endpoint",
        "domain",
        "member_id",
        "scope",
        "status",
        "user_id",
    ):
        assert key in body
    assert body["client_endpoint"] == f"{sandbox.url}/rest/"
    assert body["member_id"] == sandbox.portal.member_id
    assert sandbox.call("user.current", body["access_token"]).json()["result"]["ID"] == "1"


def test_refresh_token_is_single_use_and_kills_the_old_pair(sandbox):
    pair = sandbox.tokens()
    new = _refresh(sandbox, pair["refresh_token"]).json()

    old_access = sandbox.call("user.current", pair["access_token"])
    assert (old_access.status_code, old_access.json()["error"]) == (401, "invalid_token")
    reused = _refresh(sandbox, pair["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert sandbox.call("user.current", new["access_token"]).status_code == 200
    stats = sandbox.stats()
    assert (stats["refreshes"], stats["invalid_grant"]) == (1, 1)


def test_wrong_client_secret_is_invalid_client(sandbox):
    response = _refresh(sandbox, sandbox.tokens()["refresh_token"], secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_authorization_code_gives_a_token_pair_once(sandbox):
    code = sandbox.cloud.issue_code(sandbox.portal, 2)
    params = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": code,
    }
    first = requests.get(f"{sandbox.oauth_url}/oauth/token/", params=params, timeout=5)
    assert first.json()["user_id"] == 2
    again = requests.get(f"{sandbox.oauth_url}/oauth/token/", params=params, timeout=5)
    assert again.json()["error"] == "invalid_grant"


def test_token_of_one_user_acts_as_that_user(sandbox):
    auth = sandbox.tokens(3)["access_token"]
    assert sandbox.call("user.current", auth).json()["result"]["LAST_NAME"] == "Кузнецова"
    assert sandbox.call("user.admin", auth).json()["result"] is False
    denied = sandbox.call("crm.type.add", auth, fields={"title": "x"})
    assert (denied.status_code, denied.json()["error"]) == (403, "ACCESS_DENIED")
