"""ONAPPUPDATE, the command line (portal list/setup, keys rotate, jobs) and the scheduler's exclusivity."""

from __future__ import annotations

import threading

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from b24app.encryption import keyring
from b24app.extensions import db
from b24app.jobs.scheduler import exclusive
from b24app.models import Portal
from tests.conftest import TEST_KEYS


def test_app_update_stores_the_new_application_token_and_rebinds(installed, app):
    with app.app_context():
        old = db.session.scalars(select(Portal)).one().application_token
    answer = installed.control("update-app", {"version": 2})
    installed.wait_idle()
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        assert portal.application_token != old
        assert portal.application_token == installed.portal.app.application_token
        assert portal.version == 2
    assert answer


def test_portal_list_and_setup_from_the_command_line(stack, app):
    stack.install()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["portal", "list"])
    assert stack.portal.member_id in listed.output and "not set up" in listed.output
    first = runner.invoke(args=["portal", "setup", stack.portal.member_id])
    assert first.exit_code == 0, first.output
    assert "(created)" in first.output
    again = runner.invoke(args=["portal", "setup", stack.portal.member_id])
    assert "nothing to change" in again.output
    unknown = runner.invoke(args=["portal", "setup", "no-such-portal"])
    assert unknown.exit_code != 0 and "no portal" in unknown.output


def test_key_rotation_reencrypts_every_secret_with_the_new_key(stack, app):
    stack.install()
    new_key = Fernet.generate_key().decode()
    with app.app_context():
        before = db.session.execute(text("SELECT access_token FROM portal")).scalar()
        token = db.session.scalars(select(Portal)).one().access_token
    keyring.configure((new_key, *TEST_KEYS))
    try:
        result = app.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            after = db.session.execute(text("SELECT access_token FROM portal")).scalar()
            db.session.remove()
        assert after != before
        assert Fernet(new_key.encode()).decrypt(after.encode()).decode() == token
        keyring.configure((new_key,))  # the old keys can go once everything is rotated
        with app.app_context():
            assert db.session.scalars(select(Portal)).one().access_token == token
            db.session.remove()
    finally:
        keyring.configure(TEST_KEYS)


def test_dead_jobs_are_listed_and_requeued_from_the_command_line(app):
    from b24app.jobs import queue
    from b24app.models import Job, JobStatus

    with app.app_context():
        job = queue.enqueue("no.such.kind")
        job.status = JobStatus.DEAD
        job.last_error = "boom"
        db.session.commit()
        job_id = job.id
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "list"])
    assert f"#{job_id} no.such.kind" in listed.output and "boom" in listed.output
    retried = runner.invoke(args=["jobs", "retry", str(job_id)])
    assert "re-queued 1" in retried.output
    with app.app_context():
        assert db.session.get(Job, job_id).status == JobStatus.QUEUED


def test_only_one_scheduler_is_active_at_a_time(app):
    stop = threading.Event()
    entered = threading.Event()
    release = threading.Event()

    def first():
        with exclusive(app, stop):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=first)
    holder.start()
    assert entered.wait(10)
    second_got_it = threading.Event()

    def second():
        try:
            with exclusive(app, stop):
                second_got_it.set()
        except SystemExit:
            pass

    standby = threading.Thread(target=second)
    standby.start()
    standby.join(timeout=1.0)
    assert not second_got_it.is_set()  # standing by while the first one holds the lock
    release.set()
    holder.join(timeout=10)
    standby.join(timeout=30)
    assert second_got_it.is_set()


@pytest.fixture(autouse=True)
def _restore_keys():
    yield
    keyring.configure(TEST_KEYS)
