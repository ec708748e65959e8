"""Database-backed token store and rate limiter, shared by every process of the app."""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text

from b24app.bitrix.client import B24Client
from b24app.bitrix.errors import B24OAuthError
from b24app.bitrix.storage import DbRateLimiter, OAuthConfig, PortalCredentialStore
from b24app.models.portal import Portal, RateBucket

from .conftest import ENDPOINT, FakeClock, RecordingLimiter
from .test_oauth import ANSWER, TOKEN_URL

OAUTH = OAuthConfig("https://oauth.bitrix.info", "app.1", "s3cret", 5)
URL = ENDPOINT + "user.current.json"


class OAuthServer:
    """Single-use refresh tokens, like Bitrix: a second use of one answers invalid_grant."""

    def __init__(self) -> None:
        self.calls = 0
        self.spent: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, request):
        token = parse_qs(urlsplit(request.url).query)["refresh_token"][0]
        with self.lock:
            self.calls += 1
            if token in self.spent:
                return 400, {}, json.dumps({"error": "invalid_grant", "error_description": "spent"})
            self.spent.add(token)
            n = int(token.rsplit("-", 1)[1]) + 1
        return 200, {}, json.dumps({**ANSWER, "access_token": f"access-{n}", "refresh_token": f"refresh-{n}"})


def portal_row(engine, portal_id):
    with engine.connect() as conn:
        return conn.execute(select(Portal.__table__).where(Portal.__table__.c.id == portal_id)).one()


def test_eight_workers_on_an_expired_token_refresh_exactly_once(rsps, engine, portal_id):
    oauth = OAuthServer()
    rsps.add_callback("GET", TOKEN_URL, callback=oauth)
    all_saw_the_expiry = threading.Barrier(8, timeout=20)

    def portal(request):
        if json.loads(request.body)["auth"] == "access-0":
            all_saw_the_expiry.wait()  # every worker holds the stale token before anyone refreshes
            return 401, {}, json.dumps({"error": "expired_token", "error_description": "expired"})
        return 200, {}, json.dumps({"result": {"ID": "1"}})

    rsps.add_callback("POST", URL, callback=portal)
    outcomes: list[object] = []

    def worker():
        client = B24Client(PortalCredentialStore(engine, portal_id, OAUTH), RecordingLimiter())
        try:
            outcomes.append(client.call("user.current").result)
        except Exception as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == [{"ID": "1"}] * 8
    assert oauth.calls == 1
    row = portal_row(engine, portal_id)
    assert (row.access_token, row.refresh_token, row.token_generation) == ("access-1", "refresh-1", 1)
    assert row.token_expires_at.timestamp() == ANSWER["expires"]


def test_the_rotated_pair_is_stored_encrypted_before_it_is_returned(rsps, engine, portal_id):
    rsps.add_callback("GET", TOKEN_URL, callback=OAuthServer())
    store = PortalCredentialStore(engine, portal_id, OAUTH)

    fresh = store.refresh(store.current())

    assert (fresh.access_token, fresh.generation) == ("access-1", 1)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT access_token, refresh_token FROM portal")).one()
    assert "access-1" not in raw.access_token and "refresh-1" not in raw.refresh_token
    assert store.current() == fresh


def test_a_stale_generation_gets_the_stored_pair_without_a_refresh(rsps, engine, portal_id):
    oauth = OAuthServer()
    rsps.add_callback("GET", TOKEN_URL, callback=oauth)
    store = PortalCredentialStore(engine, portal_id, OAUTH)
    stale = store.current()
    store.refresh(stale)

    assert store.refresh(stale).access_token == "access-1"
    assert oauth.calls == 1


def test_a_refused_refresh_leaves_the_stored_tokens_alone(rsps, engine, portal_id):
    rsps.get(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    store = PortalCredentialStore(engine, portal_id, OAUTH)

    with pytest.raises(B24OAuthError):
        store.refresh(store.current())
    row = portal_row(engine, portal_id)
    assert (row.access_token, row.token_generation, row.lock_counter) == ("access-0", 0, 0)


def test_a_moved_portal_keeps_its_new_address(rsps, engine, portal_id):
    new_url = "https://acme-new.bitrix24.ru/rest/user.current.json"
    rsps.post(URL, status=302, headers={"Location": new_url})
    rsps.post(new_url, json={"result": {"ID": "1"}})
    client = B24Client(PortalCredentialStore(engine, portal_id, OAUTH), RecordingLimiter())

    client.call("user.current")

    row = portal_row(engine, portal_id)
    assert (row.client_endpoint, row.domain) == ("https://acme-new.bitrix24.ru/rest/", "acme-new.bitrix24.ru")


def leaky_bucket_peak(instants: list[float], drain: float) -> float:
    """The fullest a portal's bucket (+1 per request, -drain per second) gets for these request times."""
    level, peak, last = 0.0, 0.0, instants[0]
    for instant in sorted(instants):
        level = max(0.0, level - (instant - last) * drain) + 1
        last = instant
        peak = max(peak, level)
    return peak


def test_limiter_never_overfills_the_portal_bucket_and_bursts_when_it_can(engine, portal_id):
    clock = FakeClock()
    limiter = DbRateLimiter(engine, portal_id, size=50, drain=2.0, safety=5, clock=clock, sleep=clock.sleep)
    start = clock.now
    instants = []
    for _ in range(60):
        limiter.acquire()
        instants.append(clock.now)

    assert leaky_bucket_peak(instants, 2.0) <= 50
    assert instants[44] == start  # the first 45 go at once: the bucket keeps 5 slots spare
    assert instants[-1] - start == pytest.approx(15 * 0.5)  # then one every half second


def test_two_processes_share_one_bucket(engine, portal_id):
    clock = FakeClock()
    web, worker = (
        DbRateLimiter(engine, portal_id, size=10, drain=2.0, safety=2, clock=clock, sleep=clock.sleep)
        for _ in range(2)
    )
    instants = []
    for n in range(30):
        (web if n % 2 else worker).acquire()
        instants.append(clock.now)

    assert leaky_bucket_peak(instants, 2.0) <= 10
    assert instants[-1] - instants[0] >= (30 - 8) * 0.5


def test_after_a_block_calls_resume_at_the_drain_rate(engine, portal_id):
    clock = FakeClock()
    limiter = DbRateLimiter(engine, portal_id, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.block_until(clock.now + 10)
    blocked_until = clock.now + 10

    limiter.acquire()
    first = clock.now
    limiter.acquire()

    assert first == pytest.approx(blocked_until)
    assert clock.now == pytest.approx(blocked_until + 0.5)


def test_concurrent_first_use_creates_one_bucket(engine, portal_id):
    errors = []

    def acquire():
        try:
            DbRateLimiter(engine, portal_id, size=50, drain=100.0).acquire()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=acquire) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with engine.connect() as conn:
        assert len(conn.execute(select(RateBucket.__table__)).all()) == 1
