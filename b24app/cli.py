"""Command line: `flask --app wsgi portal|jobs|keys|worker|scheduler ...`."""

from __future__ import annotations

import signal
import threading

import click
from cryptography.fernet import Fernet
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import cli_kb
from .bitrix.errors import B24Error
from .cli_onec import register as register_onec
from .encryption import keyring
from .extensions import db
from .jobs import queue
from .jobs.scheduler import run_scheduler
from .jobs.worker import work
from .models import Job, JobStatus, Portal
from .services.portals import client_for, find_portal
from .services.setup import run_setup

portal_cli = AppGroup("portal", help="Installed portals.")
jobs_cli = AppGroup("jobs", help="The job queue and its dead letters.")
keys_cli = AppGroup("keys", help="Encryption keys of secrets at rest.")


def _portal_or_fail(member_id: str) -> Portal:
    portal = find_portal(member_id)
    if portal is None:
        raise click.ClickException(f"no portal with member_id {member_id}")
    return portal


@portal_cli.command("list")
def portal_list() -> None:
    """Installed portals and their state."""
    portals = db.session.scalars(select(Portal).order_by(Portal.id)).all()
    if not portals:
        click.echo("no portals installed")
        return
    click.echo(f"{'member_id':34} {'domain':32} {'status':12} {'smart process':14} version")
    for p in portals:
        smart = (p.settings or {}).get("smart_process", {})
        etid = str(smart.get("entity_type_id", "not set up"))
        click.echo(f"{p.member_id:34} {p.domain:32} {p.status:12} {etid:14} {p.version}")


@portal_cli.command("setup")
@click.argument("member_id")
def portal_setup(member_id: str) -> None:
    """Find or create the smart process, its fields and stage mapping (idempotent)."""
    portal = _portal_or_fail(member_id)
    settings = current_app.config["SETTINGS"]
    try:
        report = run_setup(portal, client_for(portal.id, settings), settings.app_base_url)
    except B24Error as exc:
        db.session.rollback()
        raise click.ClickException(f"Bitrix24 refused: {exc}") from exc
    db.session.commit()
    click.echo(
        f"smart process entityTypeId {report.entity_type_id}" + (" (created)" if report.created_type else "")
    )
    click.echo(
        f"fields added: {len(report.added_fields)}; stages added: {len(report.added_stages)}; "
        f"bindings added: {len(report.bound)}"
    )
    if not report.changed:
        click.echo("nothing to change")


@jobs_cli.command("list")
@click.option(
    "--status",
    default=JobStatus.DEAD,
    show_default=True,
    type=click.Choice([JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE, JobStatus.DEAD]),
)
@click.option("--limit", default=50, show_default=True)
def jobs_list(status: str, limit: int) -> None:
    """Jobs by status (dead letters by default), with counts of every status."""
    counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    click.echo(
        " ".join(f"{s}={counts.get(s, 0)}" for s in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DEAD))
    )
    rows = db.session.scalars(
        select(Job).where(Job.status == status).order_by(Job.id.desc()).limit(limit)
    ).all()
    for job in rows:
        click.echo(
            f"#{job.id} {job.kind} portal={job.portal_id} attempts={job.attempts} "
            f"error={job.last_error or ''}"
        )


@jobs_cli.command("retry")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--all", "all_dead", is_flag=True, help="Re-queue every dead job.")
def jobs_retry(job_ids: tuple[int, ...], all_dead: bool) -> None:
    """Put dead jobs back in the queue."""
    if not job_ids and not all_dead:
        raise click.UsageError("name job ids or pass --all")
    count = queue.requeue(list(job_ids) or None)
    click.echo(f"re-queued {count} job(s)")


@keys_cli.command("generate")
def keys_generate() -> None:
    """Print a new Fernet key (put it first in TOKEN_KEYS, then run `keys rotate`)."""
    click.echo(Fernet.generate_key().decode())


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored secret with the first key of TOKEN_KEYS."""
    from .encryption import EncryptedText

    total = 0
    for table in db.metadata.sorted_tables:
        columns = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if not columns:
            continue
        pk = next(iter(table.primary_key.columns))
        for row in db.session.execute(select(pk, *[table.c[c].cast(db.Text) for c in columns])).all():
            values = {c: keyring.rotate(v) for c, v in zip(columns, row[1:], strict=True) if v}
            if values:
                db.session.execute(
                    table.update().where(pk == row[0]).values(**{c: _Raw(v) for c, v in values.items()})
                )
                total += len(values)
    db.session.commit()
    click.echo(f"re-encrypted {total} secret(s)")


class _Raw(str):
    """A ciphertext that must be stored as is (see EncryptedText.process_bind_param)."""


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def register(app: Flask) -> None:
    register_onec(portal_cli)
    app.cli.add_command(portal_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(keys_cli)
    cli_kb.register(app)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Exit when no job is due.")
    def worker(burst: bool) -> None:
        """Run jobs from the queue (start any number of workers on PostgreSQL)."""
        done = work(current_app._get_current_object(), stop=_stop_on_signals(), burst=burst)
        if burst:
            click.echo(f"ran {done} job(s)")

    @app.cli.command("scheduler")
    def scheduler() -> None:
        """Enqueue periodic jobs; only one scheduler is active per deployment."""
        run_scheduler(current_app._get_current_object(), _stop_on_signals())
