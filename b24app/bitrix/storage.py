"""Token store and rate limiter kept in the database, so every process of the app shares them.

Both lock the portal's row the same portable way: an UPDATE as the first statement of a fresh
transaction. On PostgreSQL that takes the row lock; on SQLite it takes the database write lock before
anything is read, so a waiting writer retries on busy_timeout instead of failing on a stale snapshot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..models.portal import Portal, RateBucket
from .client import B24Client, Credentials
from .errors import B24AuthError
from .oauth import Timeout, refresh_tokens

log = logging.getLogger(__name__)

portal_table = Portal.__table__
bucket_table = RateBucket.__table__


@dataclass(frozen=True)
class OAuthConfig:
    oauth_url: str  # e.g. https://oauth.bitrix.info
    client_id: str
    client_secret: str
    # Kept well under SQLite's busy_timeout (30 s): other processes wait on the lock meanwhile.
    timeout: Timeout = (5, 20)


class PortalCredentialStore:
    """Tokens of one portal in the `portal` row; refreshes are serialised by the row lock."""

    def __init__(self, engine: Engine, portal_id: int, oauth: OAuthConfig) -> None:
        self.engine = engine
        self.portal_id = portal_id
        self.oauth = oauth
        self.label = f"portal {portal_id}"

    def current(self) -> Credentials:
        with self.engine.connect() as conn:
            row = conn.execute(self._select()).one_or_none()
        if row is None:
            raise LookupError(f"portal {self.portal_id} does not exist")
        self.label = f"portal {self.portal_id} ({row.member_id})"
        if not row.access_token:
            raise B24AuthError("NO_AUTH_FOUND", "no access token stored for this portal")
        return Credentials(row.access_token, row.client_endpoint, row.token_generation)

    def refresh(self, stale: Credentials) -> Credentials:
        """Refresh at most once per generation; the new pair is committed before anyone uses it."""
        with self.engine.begin() as conn:
            self._lock(conn)
            row = conn.execute(self._select()).one()
            if row.token_generation != stale.generation:
                log.info("%s: tokens already refreshed by another worker", self.label)
                return Credentials(row.access_token, row.client_endpoint, row.token_generation)
            if not row.refresh_token:
                raise B24AuthError("NO_AUTH_FOUND", "no refresh token stored for this portal")
            tokens = refresh_tokens(
                self.oauth.oauth_url,
                self.oauth.client_id,
                self.oauth.client_secret,
                row.refresh_token,
                self.oauth.timeout,
            )
            endpoint = tokens.client_endpoint or row.client_endpoint
            generation = row.token_generation + 1
            conn.execute(
                update(portal_table)
                .where(portal_table.c.id == self.portal_id)
                .values(
                    access_token=tokens.access_token,
                    refresh_token=tokens.refresh_token,
                    token_expires_at=tokens.expires_at,
                    token_generation=generation,
                    client_endpoint=endpoint,
                    domain=urlsplit(endpoint).netloc or row.domain,
                    **({"server_endpoint": tokens.server_endpoint} if tokens.server_endpoint else {}),
                )
            )
        log.info("%s: tokens refreshed (generation %d)", self.label, generation)
        return Credentials(tokens.access_token, endpoint, generation)

    def settled(self) -> Credentials:
        """Wait for a refresh another process may be doing (it holds the row lock), then read."""
        with self.engine.begin() as conn:
            self._lock(conn)
            row = conn.execute(self._select()).one()
        return Credentials(row.access_token, row.client_endpoint, row.token_generation)

    def moved(self, new_client_endpoint: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(portal_table)
                .where(portal_table.c.id == self.portal_id)
                .values(client_endpoint=new_client_endpoint, domain=urlsplit(new_client_endpoint).netloc)
            )
        log.warning("%s: portal moved to %s", self.label, new_client_endpoint)

    def _lock(self, conn: Connection) -> None:
        conn.execute(
            update(portal_table)
            .where(portal_table.c.id == self.portal_id)
            .values(lock_counter=portal_table.c.lock_counter + 1)
        )

    def _select(self):
        c = portal_table.c
        return select(
            c.member_id, c.access_token, c.refresh_token, c.client_endpoint, c.domain, c.token_generation
        ).where(c.id == self.portal_id)


class DbRateLimiter:
    """A GCRA (virtual scheduling) leaky bucket per portal, shared through the `rate_bucket` row.

    `tat` is the theoretical arrival time of the next request: a call may go once `tat - tolerance`
    has passed, and each call pushes `tat` by one drain interval. The tolerance leaves `safety` slots
    of the portal's bucket for other apps and for clocks that disagree a little.
    """

    def __init__(
        self,
        engine: Engine,
        portal_id: int,
        size: int = 50,
        drain: float = 2.0,
        safety: int = 5,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if size - safety < 1 or drain <= 0:
            raise ValueError("the bucket must keep at least one slot and drain at a positive rate")
        self.engine = engine
        self.portal_id = portal_id
        self.interval = 1.0 / drain
        self.tolerance = (size - safety - 1) * self.interval
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> None:
        with self._locked_bucket() as (conn, tat, blocked_until):
            now = self._clock()
            start = max(tat, now)
            go = max(start - self.tolerance, now, blocked_until)
            self._store(conn, tat=start + self.interval)
        wait = go - self._clock()
        if wait > 0:
            self._sleep(wait)

    def block_until(self, epoch_seconds: float) -> None:
        with self._locked_bucket() as (conn, tat, blocked_until):
            # After the block the portal's bucket is full: resume at the drain rate, not with a burst.
            self._store(
                conn,
                tat=max(tat, epoch_seconds + self.tolerance),
                blocked_until=max(blocked_until, epoch_seconds),
            )

    @contextmanager
    def _locked_bucket(self) -> Iterator[tuple[Connection, float, float]]:
        for _ in range(2):
            with self.engine.begin() as conn:
                touched = conn.execute(
                    update(bucket_table)
                    .where(bucket_table.c.portal_id == self.portal_id)
                    .values(tat=bucket_table.c.tat)
                ).rowcount
                if touched:
                    row = conn.execute(
                        select(bucket_table.c.tat, bucket_table.c.blocked_until).where(
                            bucket_table.c.portal_id == self.portal_id
                        )
                    ).one()
                    yield conn, row.tat, row.blocked_until
                    return
            self._create_bucket()
        raise LookupError(f"no rate bucket for portal {self.portal_id} (does the portal exist?)")

    def _create_bucket(self) -> None:
        # Its own transaction: on PostgreSQL a failed INSERT spoils the transaction it ran in.
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(bucket_table).values(portal_id=self.portal_id, tat=0.0, blocked_until=0.0)
                )
        except IntegrityError:
            pass  # another process created it first (or the portal is gone: the next lock says so)

    def _store(self, conn: Connection, **values: float) -> None:
        conn.execute(update(bucket_table).where(bucket_table.c.portal_id == self.portal_id).values(**values))


def make_client(
    engine: Engine,
    portal_id: int,
    oauth: OAuthConfig,
    rate: tuple[int, float] = (50, 2.0),
    timeout: float | tuple[float, float] = (5, 60),
) -> B24Client:
    """The client of one portal, with tokens and pacing shared through the database."""
    size, drain = rate
    return B24Client(
        PortalCredentialStore(engine, portal_id, oauth),
        DbRateLimiter(engine, portal_id, size=size, drain=drain),
        timeout=timeout,
    )
