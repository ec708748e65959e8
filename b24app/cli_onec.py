"""Command line for a portal's 1C link: `flask --app wsgi portal set-onec|onec-token ...`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .extensions import db
from .i18n import render
from .models import Portal
from .services.onec_link import (
    OneCLinkError,
    check_connection,
    issue_hmac_secret,
    issue_push_token,
    set_connection,
)
from .services.portals import find_portal


def _portal_or_fail(member_id: str) -> Portal:
    portal = find_portal(member_id)
    if portal is None:
        raise click.ClickException(f"no portal with member_id {member_id}")
    return portal


@click.command("set-onec")
@click.argument("member_id")
@click.option("--url", required=True, help="HTTP service base URL: https://host/base/hs/servicedesk/v1")
@click.option("--user", "username", required=True, help="ASCII-only technical 1C user.")
@click.option("--password", prompt=True, hide_input=True, help="Asked if omitted.")
@click.option("--tz", default=None, help="Infobase time zone (default: as /ping declares).")
@click.option("--check/--no-check", default=True, show_default=True, help="Call /ping after saving.")
def set_onec(member_id: str, url: str, username: str, password: str, tz: str | None, check: bool) -> None:
    """Store the portal's 1C connection (password encrypted) and check it."""
    portal = _portal_or_fail(member_id)
    try:
        set_connection(portal, url, username, password, tz)
    except OneCLinkError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"1C connection saved: {url} as {username}")
    if not check:
        return
    result = check_connection(portal)
    db.session.commit()
    if not result.ok:
        raise click.ClickException(f"check failed: {render(result.message, translate=False)}")
    click.echo(f"check ok: {render(result.message, translate=False)}")


@click.command("onec-token")
@click.argument("member_id")
@click.option("--hmac", "with_hmac", is_flag=True, help="Also issue a new HMAC secret for X-Signature.")
def onec_token(member_id: str, with_hmac: bool) -> None:
    """Issue a new bearer token for 1C's pushes (the previous one stops working); shown only once."""
    portal = _portal_or_fail(member_id)
    token = issue_push_token(portal)
    secret = issue_hmac_secret(portal) if with_hmac else None
    db.session.commit()
    base = current_app.config["SETTINGS"].app_base_url
    click.echo(f"push URL: {base}/api/1c/v1/events")
    click.echo(f"token: {token}")
    if secret:
        click.echo(f"hmac secret: {secret}")
    click.echo("store them in 1C now: the app keeps only a hash of the token and cannot show it again")


def register(portal_cli: AppGroup) -> None:
    portal_cli.add_command(set_onec)
    portal_cli.add_command(onec_token)
