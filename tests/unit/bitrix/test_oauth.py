"""The token endpoint: a GET with the refresh token, answers parsed, errors typed."""

from __future__ import annotations

import pytest
import requests
from responses import matchers

from b24app.bitrix.errors import B24OAuthError, B24Unavailable
from b24app.bitrix.oauth import refresh_tokens

TOKEN_URL = "https://oauth.bitrix.info/oauth/token/"

ANSWER = {
    "access_token": "access-1",
    "refresh_token": "refresh-1",
    "expires": 1_723_542_117,
    "expires_in": 3600,
    "client_endpoint": "https://acme.bitrix24.ru/rest/",
    "server_endpoint": "https://oauth.bitrix.info/rest/",
    "domain": "oauth.bitrix.info",
    "member_id": "member-acme",
    "scope": "crm,placement",
    "status": "L",
    "user_id": 1,
}


def test_refresh_sends_a_get_with_the_grant_and_parses_the_new_pair(rsps):
    rsps.get(
        TOKEN_URL,
        json=ANSWER,
        match=[
            matchers.query_param_matcher(
                {
                    "grant_type": "refresh_token",
                    "client_id": "app.1",
                    "client_secret": "s3cret",
                    "refresh_token": "refresh-0",
                }
            )
        ],
    )

    tokens = refresh_tokens("https://oauth.bitrix.info/", "app.1", "s3cret", "refresh-0", 5)

    assert (tokens.access_token, tokens.refresh_token) == ("access-1", "refresh-1")
    assert tokens.client_endpoint == "https://acme.bitrix24.ru/rest/"
    assert tokens.member_id == "member-acme"
    assert tokens.user_id == 1
    assert tokens.expires_at.timestamp() == 1_723_542_117


@pytest.mark.parametrize("code", ["invalid_grant", "invalid_client", "PAYMENT_REQUIRED"])
def test_auth_server_errors_are_oauth_errors_with_their_code(rsps, code):
    rsps.get(TOKEN_URL, status=400, json={"error": code, "error_description": "refused"})

    with pytest.raises(B24OAuthError) as raised:
        refresh_tokens("https://oauth.bitrix.info", "app.1", "s3cret", "refresh-0", 5)
    assert raised.value.code == code
    assert not raised.value.retryable


def test_an_answer_without_a_refresh_token_is_refused(rsps):
    rsps.get(TOKEN_URL, json={**ANSWER, "refresh_token": ""})

    with pytest.raises(B24OAuthError):
        refresh_tokens("https://oauth.bitrix.info", "app.1", "s3cret", "refresh-0", 5)


def test_an_unreachable_auth_server_is_unavailable(rsps):
    rsps.get(TOKEN_URL, body=requests.ConnectionError("refused"))

    with pytest.raises(B24Unavailable):
        refresh_tokens("https://oauth.bitrix.info", "app.1", "s3cret", "refresh-0", 5)
