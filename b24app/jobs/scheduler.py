"""The scheduler process: APScheduler that only enqueues periodic jobs, one active per deployment.

Exclusivity: a PostgreSQL advisory lock held on a dedicated connection, or a file lock next to the
SQLite database file. A second scheduler waits as a standby and takes over when the first one stops.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from filelock import FileLock, Timeout
from flask import Flask
from sqlalchemy import select, text

from ..extensions import db
from ..models import Portal, PortalStatus
from . import queue

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x5D_5C_ED  # any constant shared by all schedulers of one deployment
STANDBY_POLL_SECONDS = 5


@dataclass(frozen=True)
class Periodic:
    kind: str
    every_seconds: int
    per_portal: bool = True


# Deterministic ids (kind + portal) mean a slow worker never sees the same tick queued twice.
PERIODIC: list[Periodic] = [
    Periodic("jobs.reap", 60, per_portal=False),
    Periodic("b24.catch_up", 300),
    Periodic("routing.sync_agents", 3600),
    Periodic("routing.assign_queue", 60),
    Periodic("sla.tick", 60),
    Periodic("onec.pull", 300),
    Periodic("onec.sync_counterparties", 3600),
    Periodic("survey.remind", 1800),
    Periodic("requests.autoclose", 3600),
]


def enqueue_tick(periodic: Periodic) -> int:
    """Enqueue one run of a periodic job (per active portal when per_portal)."""
    if not periodic.per_portal:
        queue.enqueue(periodic.kind, dedupe_key=f"periodic:{periodic.kind}")
        db.session.commit()
        return 1
    portal_ids = db.session.scalars(select(Portal.id).where(Portal.status == PortalStatus.ACTIVE)).all()
    for portal_id in portal_ids:
        queue.enqueue(
            periodic.kind, {}, portal_id=portal_id, dedupe_key=f"periodic:{periodic.kind}:{portal_id}"
        )
    db.session.commit()
    return len(portal_ids)


@contextmanager
def exclusive(app: Flask, wait: threading.Event) -> Iterator[None]:
    """Hold the deployment-wide scheduler lock while the block runs; wait for it as a standby."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        conn = engine.connect()
        try:
            while not conn.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
            ).scalar():
                conn.rollback()
                log.info("another scheduler is active; standing by")
                if wait.wait(STANDBY_POLL_SECONDS):
                    raise SystemExit(0)
            conn.commit()
            yield
        finally:
            # The pool keeps the database session alive after close(): release the lock explicitly.
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                conn.commit()
            finally:
                conn.close()
        return
    # One deployment = one database: the lock lives beside the SQLite file.
    database = engine.url.database or os.path.join(app.instance_path, "servicedesk.sqlite")
    lock = FileLock(f"{database}.scheduler.lock")
    while True:
        try:
            lock.acquire(timeout=STANDBY_POLL_SECONDS)
            break
        except Timeout:
            log.info("another scheduler is active; standing by")
            if wait.is_set():
                raise SystemExit(0) from None
    try:
        yield
    finally:
        lock.release()


def run_scheduler(app: Flask, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    with exclusive(app, stop):
        scheduler = BackgroundScheduler(timezone="UTC")
        for periodic in PERIODIC:
            scheduler.add_job(
                _tick,
                "interval",
                seconds=periodic.every_seconds,
                args=(app, periodic),
                id=f"tick:{periodic.kind}",
                max_instances=1,
                coalesce=True,
            )
        scheduler.start()
        log.info("scheduler active with %d periodic jobs", len(PERIODIC))
        try:
            stop.wait()
        finally:
            scheduler.shutdown(wait=False)


def _tick(app: Flask, periodic: Periodic) -> None:
    with app.app_context():
        try:
            enqueue_tick(periodic)
        except Exception:
            db.session.rollback()
            log.exception("enqueueing %s failed", periodic.kind)
