"""Setting the 1C connection from the command line and checking it against the sandbox 1C."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from b24app.extensions import db
from b24app.i18n import render
from b24app.models import ExchangeLog, OneCConnection, Portal
from b24app.services.onec_link import OneCLinkError, check_connection, set_connection, verify_push_token
from sandbox.http import ServerThread
from sandbox.onec import OneCSettings, create_onec_app
from tests.factories import make_portal


@pytest.fixture(scope="module")
def onec_url():
    settings = OneCSettings(seed=False)
    app = create_onec_app(settings)
    with ServerThread(app) as server:
        yield server.url + settings.base_path
    app.extensions["sandbox_onec"].close()


def _connection(portal: Portal) -> OneCConnection:
    db.session.expire_all()
    return db.session.scalars(select(OneCConnection).where(OneCConnection.portal_id == portal.id)).one()


def _logs(portal: Portal) -> list[ExchangeLog]:
    return list(
        db.session.scalars(
            select(ExchangeLog).where(ExchangeLog.portal_id == portal.id).order_by(ExchangeLog.id)
        )
    )


def test_set_onec_stores_the_password_encrypted_and_reports_a_good_check(app, ctx, onec_url):
    portal = make_portal()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "portal",
            "set-onec",
            portal.member_id,
            "--url",
            onec_url,
            "--user",
            "exchange",
            "--password",
            "exchange",
            "--tz",
            "Europe/Moscow",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "check ok" in result.output and "Europe/Moscow" in result.output
    connection = _connection(portal)
    assert connection.password == "exchange" and connection.last_check_ok is True
    raw = db.session.execute(
        text("SELECT password FROM onec_connection WHERE id = :id"), {"id": connection.id}
    ).scalar()
    assert raw and raw != "exchange" and "exchange" not in raw
    [log] = _logs(portal)
    assert (log.direction, log.operation, log.result, log.http_status) == ("to_1c", "ping", "ok", 200)


def test_wrong_password_gives_a_clear_failure_and_a_log_row(app, ctx, onec_url):
    portal = make_portal()
    result = app.test_cli_runner().invoke(
        args=[
            "portal",
            "set-onec",
            portal.member_id,
            "--url",
            onec_url,
            "--user",
            "exchange",
            "--password",
            "wrong",
        ]
    )
    assert result.exit_code != 0
    assert "check failed" in result.output and "имя пользователя или пароль" in result.output
    connection = _connection(portal)
    assert connection.last_check_ok is False and "401" in connection.last_check_message
    [log] = _logs(portal)
    assert log.result == "error" and log.http_status == 401 and "пароль" in render(log.error_text)


def test_each_check_writes_its_own_log_row(ctx, onec_url):
    portal = make_portal()
    set_connection(portal, onec_url, "exchange", "exchange")
    assert check_connection(portal).ok
    set_connection(portal, onec_url.replace("/sd/", "/other/"), "exchange", "exchange")
    failed = check_connection(portal)
    db.session.commit()
    assert not failed.ok and "нет HTTP-сервиса servicedesk" in render(failed.message)
    assert [log.result for log in _logs(portal)] == ["ok", "error"]


def test_unreachable_1c_is_logged_as_retry(ctx):
    portal = make_portal()
    set_connection(portal, "http://127.0.0.1:9", "exchange", "exchange")
    result = check_connection(portal, connect_timeout=1, read_timeout=1)
    assert not result.ok and "1С недоступна" in render(result.message)
    assert _logs(portal)[-1].result == "retry"


@pytest.mark.parametrize(
    ("url", "user", "password", "tz", "says"),
    [
        ("ftp://host/base", "exchange", "x", None, "http:// или https://"),
        ("host/base", "exchange", "x", None, "http:// или https://"),
        ("https://host/base", "Обмен", "x", None, "только латиница"),
        ("https://host/base", "exchange", "", None, "Не указан пароль"),
        ("https://host/base", "exchange", "x", "Mars/Olympus", "часовой пояс"),
    ],
)
def test_invalid_settings_are_refused_with_a_reason(ctx, url, user, password, tz, says):
    portal = make_portal()
    with pytest.raises(OneCLinkError, match=says):
        set_connection(portal, url, user, password, tz)


def test_cli_refuses_a_cyrillic_login_and_stores_nothing(app, ctx):
    portal = make_portal()
    result = app.test_cli_runner().invoke(
        args=[
            "portal",
            "set-onec",
            portal.member_id,
            "--url",
            "https://h/b",
            "--user",
            "Обмен",
            "--password",
            "x",
        ]
    )
    assert result.exit_code != 0 and "только латиница" in result.output
    assert db.session.scalars(select(OneCConnection)).first() is None


def test_onec_token_prints_a_token_that_works_and_stores_only_its_hash(app, ctx):
    portal = make_portal()
    result = app.test_cli_runner().invoke(args=["portal", "onec-token", portal.member_id, "--hmac"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines() if ": " in line)
    token, secret = lines["token"], lines["hmac secret"]
    assert lines["push URL"].endswith("/api/1c/v1/events")
    connection = _connection(portal)
    assert connection.push_token_hash != token and token not in connection.push_token_hash
    assert connection.hmac_secret == secret
    assert verify_push_token(token).portal_id == portal.id
    assert verify_push_token(token + "x") is None


def test_onec_token_for_an_unknown_portal_fails(app, ctx):
    result = app.test_cli_runner().invoke(args=["portal", "onec-token", "nope"])
    assert result.exit_code != 0 and "no portal" in result.output
