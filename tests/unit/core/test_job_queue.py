"""The job queue: claim order, coalescing, retries with backoff, dead letters, reaping."""

from __future__ import annotations

from datetime import timedelta

from b24app.extensions import db
from b24app.jobs import queue
from b24app.jobs.registry import PermanentJobError, handles
from b24app.jobs.worker import run_one
from b24app.models import Job, JobStatus, utcnow

calls: list[int] = []


@handles("test.ok")
def _ok(job: Job) -> None:
    calls.append(job.id)


@handles("test.flaky")
def _flaky(job: Job) -> None:
    raise ConnectionError("1C is down")


@handles("test.broken")
def _broken(job: Job) -> None:
    raise PermanentJobError("bad data")


def test_claim_takes_the_most_urgent_due_job(ctx):
    later = queue.enqueue("test.ok", run_at=utcnow() + timedelta(hours=1))
    low = queue.enqueue("test.ok")
    high = queue.enqueue("test.ok", priority=5)
    db.session.commit()
    assert queue.claim("w").id == high.id
    assert queue.claim("w").id == low.id
    assert queue.claim("w") is None
    assert db.session.get(Job, later.id).status == JobStatus.QUEUED


def test_jobs_with_the_same_key_coalesce_while_waiting_but_not_while_running(ctx):
    first = queue.enqueue("test.ok", dedupe_key="item:1")
    again = queue.enqueue("test.ok", dedupe_key="item:1")
    db.session.commit()
    assert again.id == first.id
    claimed = queue.claim("w")
    assert claimed.id == first.id
    during_run = queue.enqueue("test.ok", dedupe_key="item:1")
    db.session.commit()
    assert during_run.id != first.id


def test_a_failing_job_is_retried_later_then_dead_lettered_and_requeued(ctx):
    job = queue.enqueue("test.flaky", max_attempts=2)
    db.session.commit()
    run_one(queue.claim("w"))
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.QUEUED
    assert job.run_at > utcnow() + timedelta(seconds=4)  # backoff with jitter: at least half of 10 s
    assert "1C is down" in job.last_error
    job.run_at = utcnow()
    db.session.commit()
    run_one(queue.claim("w"))
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DEAD
    assert [j.id for j in queue.dead_letters()] == [job.id]
    assert queue.requeue() == 1
    assert db.session.get(Job, job.id).status == JobStatus.QUEUED


def test_permanent_errors_are_dead_lettered_at_once(ctx):
    job = queue.enqueue("test.broken")
    db.session.commit()
    run_one(queue.claim("w"))
    assert db.session.get(Job, job.id).status == JobStatus.DEAD


def test_successful_job_completes(ctx):
    job = queue.enqueue("test.ok")
    db.session.commit()
    run_one(queue.claim("w"))
    assert db.session.get(Job, job.id).status == JobStatus.DONE
    assert job.id in calls


def test_reaper_returns_jobs_of_a_dead_worker(ctx):
    job = queue.enqueue("test.ok")
    db.session.commit()
    claimed = queue.claim("w")
    claimed.locked_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert queue.reap() == 1
    assert db.session.get(Job, job.id).status == JobStatus.QUEUED


def test_backoff_grows_and_is_capped():
    assert 5 <= queue.backoff_seconds(1) <= 10
    assert 40 <= queue.backoff_seconds(4) <= 80
    assert queue.backoff_seconds(30) <= queue.BACKOFF_CAP_SECONDS
