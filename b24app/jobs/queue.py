"""The durable job queue in the database: enqueue, claim, complete, fail (with backoff), reap, retry.

PostgreSQL workers claim with FOR UPDATE SKIP LOCKED, so any number run in parallel; on SQLite the
claiming UPDATE takes the database write lock, which serialises claims of the one worker it supports.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 3600
VISIBILITY_TIMEOUT = timedelta(minutes=10)


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    portal_id: int | None = None,
    run_at: datetime | None = None,
    priority: int = 0,
    dedupe_key: str | None = None,
    max_attempts: int = 8,
) -> Job:
    """Add a job to the caller's unit of work; with a dedupe key, coalesce with a waiting twin."""
    if dedupe_key:
        waiting = _waiting_twin(dedupe_key)
        if waiting is not None:
            return waiting
    job = Job(
        kind=kind,
        payload=payload or {},
        portal_id=portal_id,
        run_at=run_at or utcnow(),
        priority=priority,
        dedupe_key=dedupe_key,
        max_attempts=max_attempts,
    )
    if not dedupe_key:
        db.session.add(job)
        db.session.flush()
        return job
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # Another process enqueued the same key between our look and our insert.
        twin = _waiting_twin(dedupe_key)
        if twin is None:
            raise
        return twin
    return job


def _waiting_twin(dedupe_key: str) -> Job | None:
    return db.session.scalars(
        select(Job).where(Job.dedupe_key == dedupe_key, Job.status == JobStatus.QUEUED)
    ).first()


def claim(worker_id: str, kinds: tuple[str, ...] | None = None) -> Job | None:
    """Take the most urgent due job, mark it running and commit; None when nothing is due."""
    now = utcnow()
    pick = (
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED, Job.run_at <= now)
        .order_by(Job.priority.desc(), Job.run_at, Job.id)
        .limit(1)
    )
    if kinds:
        pick = pick.where(Job.kind.in_(kinds))
    if db.engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(Job)
        .where(Job.id == pick.scalar_subquery(), Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, locked_by=worker_id, locked_at=now, attempts=Job.attempts + 1)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    job_id = db.session.execute(stmt).scalar()
    db.session.commit()
    return db.session.get(Job, job_id) if job_id else None


def complete(job: Job) -> None:
    job.status = JobStatus.DONE
    job.finished_at = utcnow()
    job.last_error = None
    db.session.commit()


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: between half and all of base * 2^(attempt-1), capped."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def fail(job: Job, error: str, *, retryable: bool = True, delay: float | None = None) -> None:
    """Record a failure; retry later or, when attempts are spent or the error is permanent, dead-letter."""
    job.last_error = error[:4000]
    job.locked_by = None
    job.locked_at = None
    if retryable and job.attempts < job.max_attempts:
        job.status = JobStatus.QUEUED
        job.run_at = utcnow() + timedelta(
            seconds=delay if delay is not None else backoff_seconds(job.attempts)
        )
    else:
        job.status = JobStatus.DEAD
        job.finished_at = utcnow()
        log.error("job %s (%s, portal %s) dead-lettered: %s", job.id, job.kind, job.portal_id, error)
    try:
        db.session.commit()
    except IntegrityError:
        # A twin with the same dedupe key was queued meanwhile: it will do the same work.
        db.session.rollback()
        fresh = db.session.get(Job, job.id)
        fresh.status, fresh.finished_at, fresh.last_error = (
            JobStatus.DONE,
            utcnow(),
            "superseded by a newer job",
        )
        db.session.commit()


def reap(now: datetime | None = None) -> int:
    """Give back jobs whose worker died (running past the visibility timeout)."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Job).where(Job.status == JobStatus.RUNNING, Job.locked_at < now - VISIBILITY_TIMEOUT)
    ).all()
    for job in stale:
        fail(job, f"worker {job.locked_by} stopped responding", retryable=True, delay=0)
    purge_before = now - timedelta(days=7)
    db.session.execute(
        text("DELETE FROM job WHERE status = :done AND finished_at < :before"),
        {"done": JobStatus.DONE, "before": purge_before.replace(tzinfo=None)},
    )
    db.session.commit()
    return len(stale)


def dead_letters(portal_id: int | None = None, limit: int = 100) -> list[Job]:
    stmt = select(Job).where(Job.status == JobStatus.DEAD).order_by(Job.id.desc()).limit(limit)
    if portal_id is not None:
        stmt = stmt.where(Job.portal_id == portal_id)
    return list(db.session.scalars(stmt))


def requeue(job_ids: list[int] | None = None, portal_id: int | None = None) -> int:
    """Put dead jobs back in the queue with fresh attempts (all of them when no ids are given)."""
    stmt = select(Job).where(Job.status == JobStatus.DEAD)
    if job_ids:
        stmt = stmt.where(Job.id.in_(job_ids))
    if portal_id is not None:
        stmt = stmt.where(Job.portal_id == portal_id)
    jobs = list(db.session.scalars(stmt))
    for job in jobs:
        job.status, job.attempts, job.run_at, job.finished_at = JobStatus.QUEUED, 0, utcnow(), None
    db.session.commit()
    return len(jobs)
