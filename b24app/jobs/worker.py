"""The worker loop: claim a job, run its handler in its own unit of work, record the outcome."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from flask import Flask

from ..extensions import db
from ..models import Job
from . import queue
from .registry import RetryLater, handler_for

log = logging.getLogger(__name__)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_one(job: Job) -> None:
    """Run a claimed job; never raises (the outcome is stored on the job)."""
    handler = handler_for(job.kind)
    if handler is None:
        queue.fail(job, f"no handler for job kind {job.kind!r}", retryable=False)
        return
    job_id = job.id
    try:
        handler(job)
        db.session.commit()
    except Exception as exc:  # the job's outcome is recorded; the worker goes on
        db.session.rollback()
        job = db.session.get(Job, job_id)
        retryable = getattr(exc, "retryable", True)
        delay = exc.delay if isinstance(exc, RetryLater) else None
        if isinstance(exc, RetryLater):
            log.info("job %s (%s) will retry: %s", job_id, job.kind, exc)
        else:
            log.warning(
                "job %s (%s, portal %s) failed: %r", job_id, job.kind, job.portal_id, exc, exc_info=True
            )
        queue.fail(job, f"{type(exc).__name__}: {exc}", retryable=retryable, delay=delay)
        return
    queue.complete(db.session.get(Job, job_id))


def work(
    app: Flask,
    *,
    worker_id: str | None = None,
    stop: threading.Event | None = None,
    burst: bool = False,
    poll_interval: float = 0.5,
) -> int:
    """Process jobs until stopped (or, with burst, until none is due). Returns the number run."""
    worker_id = worker_id or default_worker_id()
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set():
        with app.app_context():
            try:
                job = queue.claim(worker_id)
            except Exception:
                log.exception("claiming a job failed; retrying")
                db.session.rollback()
                job = None
                stop.wait(poll_interval * 4)
                continue
            if job is not None:
                run_one(job)
                done += 1
                continue
        if burst:
            return done
        stop.wait(poll_interval)
    return done


def drain(app: Flask, *, timeout: float = 30.0, worker_id: str = "drain") -> int:
    """Run due jobs until the queue has nothing due (jobs may enqueue more). For CLI and tests."""
    deadline = time.monotonic() + timeout
    total = 0
    while time.monotonic() < deadline:
        ran = work(app, worker_id=worker_id, burst=True)
        total += ran
        if ran == 0:
            return total
    return total
