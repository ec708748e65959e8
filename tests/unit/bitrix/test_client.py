"""B24Client.call: auth, refresh only on expired_token, throttling answers, redirects, typed errors."""

from __future__ import annotations

import pytest
import requests
import responses

from b24app.bitrix.client import B24Client
from b24app.bitrix.errors import (
    B24AccessDenied,
    B24AuthError,
    B24ExpiredToken,
    B24NotFound,
    B24OperationLimited,
    B24PortalDeleted,
    B24RateLimited,
    B24ScopeError,
    B24Unavailable,
)

from .conftest import ENDPOINT, sent

URL = ENDPOINT + "crm.item.get.json"


def error(code: str, description: str = "") -> dict:
    return {"error": code, "error_description": description}


def test_call_posts_json_with_auth_and_returns_result(rsps, client, limiter):
    rsps.post(URL, json={"result": {"item": {"id": 5}}, "total": 1, "time": {"operating": 0.1}})

    answer = client.call("crm.item.get", {"entityTypeId": 1036, "id": 5})

    assert answer.result == {"item": {"id": 5}}
    assert answer.total == 1
    assert answer.time == {"operating": 0.1}
    assert sent(rsps.calls[0]) == {"entityTypeId": 1036, "id": 5, "auth": "token-1"}
    assert limiter.acquired == 1


def test_expired_token_refreshes_once_and_repeats_with_the_new_token(rsps, client, store, limiter):
    rsps.post(URL, status=401, json=error("expired_token", "The access token provided has expired."))
    rsps.post(URL, json={"result": {"item": {"id": 5}}})

    assert client.call("crm.item.get", {"id": 5}).result == {"item": {"id": 5}}

    assert len(store.refreshes) == 1
    assert store.refreshes[0].access_token == "token-1"
    assert sent(rsps.calls[1])["auth"] == "token-2"
    assert limiter.acquired == 2


def test_a_token_still_expired_after_refresh_is_raised_not_refreshed_again(rsps, client, store):
    rsps.post(URL, status=401, json=error("expired_token"))

    with pytest.raises(B24ExpiredToken):
        client.call("crm.item.get", {"id": 5})
    assert len(store.refreshes) == 1
    assert len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "insufficient_scope", B24ScopeError),
        (401, "invalid_token", B24AuthError),
        (401, "NO_AUTH_FOUND", B24AuthError),
        (403, "INVALID_CREDENTIALS", B24AuthError),
        (403, "ACCESS_DENIED", B24AccessDenied),
        (403, "WRONG_AUTH_TYPE", B24AccessDenied),
        (400, "NOT_FOUND", B24NotFound),
        (500, "PORTAL_DELETED", B24PortalDeleted),
    ],
)
def test_other_auth_and_access_errors_never_refresh_and_are_typed(
    rsps, client, store, status, code, expected
):
    rsps.post(URL, status=status, json=error(code, "nope"))

    with pytest.raises(expected) as raised:
        client.call("crm.item.get", {"id": 5})

    assert store.refreshes == []
    assert len(rsps.calls) == 1
    assert raised.value.code == code
    assert raised.value.status == status
    assert raised.value.method == "crm.item.get"


def test_query_limit_blocks_the_shared_limiter_and_retries(rsps, client, limiter, clock):
    rsps.post(URL, status=503, json=error("QUERY_LIMIT_EXCEEDED", "Too many requests"))
    rsps.post(URL, status=503, json=error("QUERY_LIMIT_EXCEEDED", "Too many requests"))
    rsps.post(URL, json={"result": {"item": {"id": 5}}})

    start = clock.now
    assert client.call("crm.item.get", {"id": 5}).result == {"item": {"id": 5}}

    assert limiter.blocks == [start + 1, start + 1 + 2]  # exponential backoff through the limiter
    assert limiter.acquired == 3


def test_query_limit_gives_up_when_the_wait_would_exceed_max_wait(rsps, store, limiter, clock):
    client = B24Client(store, limiter, clock=clock, sleep=clock.sleep, max_wait=5)
    rsps.post(URL, status=503, json=error("QUERY_LIMIT_EXCEEDED"))
    start = clock.now

    with pytest.raises(B24RateLimited) as raised:
        client.call("crm.item.get", {"id": 5})
    assert raised.value.retryable
    assert limiter.blocks == [start + 1, start + 3]  # waiting 4 s more would pass the 5 s budget
    assert len(rsps.calls) == 3


def test_operation_time_limit_waits_until_the_reset_and_retries(rsps, client, clock):
    reset_at = clock.now + 42
    body = error("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.")
    rsps.post(URL, status=429, json={**body, "time": {"operating": 481, "operating_reset_at": reset_at}})
    rsps.post(URL, json={"result": {"item": {"id": 5}}})

    assert client.call("crm.item.get", {"id": 5}).result == {"item": {"id": 5}}
    assert clock.now == reset_at


def test_operation_time_limit_beyond_max_wait_raises_with_the_reset_time(rsps, client, clock):
    reset_at = clock.now + 600
    rsps.post(
        URL,
        status=429,
        json={**error("OPERATION_TIME_LIMIT"), "time": {"operating_reset_at": reset_at}},
    )

    with pytest.raises(B24OperationLimited) as raised:
        client.call("crm.item.get", {"id": 5})
    assert raised.value.reset_at == reset_at
    assert clock.slept == []


def test_operation_time_limit_without_a_reset_time_backs_off_within_max_wait(rsps, client, clock):
    rsps.post(URL, status=429, json=error("OPERATION_TIME_LIMIT"))
    start = clock.now

    with pytest.raises(B24OperationLimited):
        client.call("crm.item.get", {"id": 5})
    assert clock.slept[:3] == [1, 2, 4]
    assert clock.now - start <= 120


def test_redirect_is_followed_with_the_same_post_and_the_new_endpoint_is_stored(rsps, client, store):
    new_url = "https://acme-new.bitrix24.ru/rest/crm.item.get.json"
    rsps.post(URL, status=302, headers={"Location": new_url})
    rsps.post(new_url, json={"result": {"item": {"id": 5}}})

    assert client.call("crm.item.get", {"id": 5}).result == {"item": {"id": 5}}

    assert rsps.calls[1].request.method == "POST"
    assert sent(rsps.calls[1]) == {"id": 5, "auth": "token-1"}
    assert store.moves == ["https://acme-new.bitrix24.ru/rest/"]


def test_redirect_to_plain_http_is_refused(rsps, client, store):
    rsps.post(URL, status=302, headers={"Location": "http://evil.example/rest/crm.item.get.json"})

    with pytest.raises(B24Unavailable):
        client.call("crm.item.get", {"id": 5})
    assert store.moves == []


def test_timeouts_and_unknown_server_errors_are_unavailable_and_retryable(rsps, client):
    rsps.post(URL, body=requests.Timeout("read timed out"))
    with pytest.raises(B24Unavailable) as raised:
        client.call("crm.item.get", {"id": 5})
    assert raised.value.retryable

    rsps.replace(responses.POST, URL, status=502, body="<html>Bad gateway</html>")
    with pytest.raises(B24Unavailable):
        client.call("crm.item.get", {"id": 5})


def test_every_request_carries_a_timeout(store, limiter):
    seen = []

    class Session(requests.Session):
        def post(self, url, **kwargs):
            seen.append(kwargs["timeout"])
            raise requests.ConnectionError("refused")

    client = B24Client(store, limiter, session=Session(), timeout=(3, 30))
    with pytest.raises(B24Unavailable):
        client.call("app.info")
    assert seen == [(3, 30)]
