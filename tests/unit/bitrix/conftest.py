"""Fixtures for the Bitrix24 client: fake token store and limiter, a file SQLite database, `responses`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
import responses
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, insert

import b24app.models  # noqa: F401  (registers the tables)
from b24app.bitrix.client import B24Client, Credentials
from b24app.encryption import keyring
from b24app.extensions import Base
from b24app.models.portal import Portal

ENDPOINT = "https://acme.bitrix24.ru/rest/"


@dataclass
class MemoryStore:
    """Tokens in memory; `refresh` hands out the next token in line."""

    access_token: str = "token-1"
    client_endpoint: str = ENDPOINT
    generation: int = 0
    refreshes: list[Credentials] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)
    label: str = "portal test"

    def current(self) -> Credentials:
        return Credentials(self.access_token, self.client_endpoint, self.generation)

    def refresh(self, stale: Credentials) -> Credentials:
        self.refreshes.append(stale)
        self.generation += 1
        self.access_token = f"token-{self.generation + 1}"
        return self.current()

    def settled(self) -> Credentials:
        return self.current()

    def moved(self, new_client_endpoint: str) -> None:
        self.moves.append(new_client_endpoint)
        self.client_endpoint = new_client_endpoint


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class RecordingLimiter:
    """Counts acquisitions; honours blocks by advancing the fake clock, as the real limiter sleeps."""

    clock: FakeClock | None = None
    acquired: int = 0
    blocks: list[float] = field(default_factory=list)

    def acquire(self) -> None:
        self.acquired += 1
        if self.clock and self.blocks and self.blocks[-1] > self.clock.now:
            self.clock.sleep(self.blocks[-1] - self.clock.now)

    def block_until(self, epoch_seconds: float) -> None:
        self.blocks.append(epoch_seconds)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def limiter(clock) -> RecordingLimiter:
    return RecordingLimiter(clock)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(store, limiter, clock) -> B24Client:
    return B24Client(store, limiter, clock=clock, sleep=clock.sleep, max_wait=120)


def sent(call) -> dict:
    """The JSON body a recorded request carried."""
    return json.loads(call.request.body)


@pytest.fixture
def engine(tmp_path):
    keyring.configure((Fernet.generate_key().decode(),))
    engine = create_engine(
        f"sqlite:///{tmp_path / 'b24.sqlite'}", connect_args={"timeout": 30, "check_same_thread": False}
    )
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def portal_id(engine) -> int:
    table = Portal.__table__
    with engine.begin() as conn:
        return conn.execute(
            insert(table)
            .values(
                member_id="member-acme",
                domain="acme.bitrix24.ru",
                client_endpoint=ENDPOINT,
                server_endpoint="https://oauth.bitrix.info/rest/",
                access_token="access-0",
                refresh_token="refresh-0",
                token_generation=0,
                lock_counter=0,
            )
            .returning(table.c.id)
        ).scalar_one()
