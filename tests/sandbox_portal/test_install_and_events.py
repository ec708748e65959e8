"""Install flow, placements, event delivery with and without tokens, lifecycle events, moved domain."""

from __future__ import annotations

import requests
from flask import Flask, request

from sandbox.http import ServerThread
from sandbox.portal import AppRegistration
from tests.sandbox_portal.conftest import make_type


def _install_app(sandbox, receiver):
    """Register an app whose install page binds a tab and an event, then install it headlessly."""
    app = Flask("fake_app")
    seen = {}

    @app.post("/install")
    def install():
        seen["form"] = request.form.to_dict()
        seen["query"] = request.args.to_dict()
        rest = f"http://{request.args['DOMAIN']}/rest/"
        auth = request.form["AUTH_ID"]
        binds = [
            (
                "placement.bind",
                {"PLACEMENT": "CRM_COMPANY_DETAIL_TAB", "HANDLER": f"{receiver.url}/tab", "TITLE": "SLA"},
            ),
            ("event.bind", {"event": "ONCRMDYNAMICITEMADD", "handler": f"{receiver.url}/events"}),
            ("event.bind", {"event": "onCrmCompanyUpdate", "handler": f"{receiver.url}/events"}),
        ]
        for name, params in binds:
            if requests.post(rest + name, json={**params, "auth": auth}, timeout=5).status_code != 200:
                return "bind failed", 500
        return "ok"

    server = ServerThread(app).start()
    sandbox.cloud.register_app(
        AppRegistration(f"{server.url}/app", f"{server.url}/install", f"{receiver.url}/lifecycle")
    )
    answer = sandbox.control("install")
    return server, seen, answer


def test_install_sends_onappinstall_posts_the_wizard_and_finishes(sandbox, receiver):
    server, seen, answer = _install_app(sandbox, receiver)
    try:
        assert answer["installed"] is True
        assert answer["member_id"] == sandbox.portal.member_id
        assert seen["query"]["DOMAIN"] == sandbox.portal.domain and seen["query"]["PROTOCOL"] == "0"
        form = seen["form"]
        assert form["APPLICATION_TOKEN"] == answer["application_token"]
        assert (form["PLACEMENT"], form["PLACEMENT_OPTIONS"], form["status"]) == ("DEFAULT", "{}", "L")
        assert form["SERVER_ENDPOINT"] == f"{sandbox.oauth_url}/rest/"
        path, install_event = receiver.wait_for(1)[0]
        assert (path, install_event["event"]) == ("/lifecycle", "ONAPPINSTALL")
        assert install_event["data[VERSION]"] == "1" and install_event["auth[refresh_token]"]
        assert "event_handler_id" not in install_event
        assert install_event["auth[application_token]"] == answer["application_token"]
    finally:
        server.stop()


def test_events_carry_tokens_for_a_user_and_none_for_a_robot(sandbox, receiver, admin_token):
    server, _, answer = _install_app(sandbox, receiver)
    try:
        etid = make_type(sandbox, admin_token)["entityTypeId"]
        sandbox.call(
            "crm.item.add", sandbox.tokens(2)["access_token"], entityTypeId=etid, fields={"title": "a"}
        )
        sandbox.control("seed-requests", robot=True)
        events = [form for path, form in receiver.wait_for(6) if path == "/events"]
        assert len(events) == 5  # one by a user, four seeded by a robot
        by_user, by_robot = events[0], events[1]
        assert by_user["event"] == "ONCRMDYNAMICITEMADD"
        assert by_user["data[FIELDS][ENTITY_TYPE_ID]"] == str(etid)
        assert (
            by_user["auth[user_id]"] == "2"
            and by_user["auth[access_token]"]
            and by_user["auth[refresh_token]"]
        )
        assert by_user["event_handler_id"]
        for key in ("access_token", "refresh_token", "expires", "user_id"):
            assert f"auth[{key}]" not in by_robot
        for key in (
            "domain",
            "client_endpoint",
            "server_endpoint",
            "member_id",
            "application_token",
            "scope",
            "status",
        ):
            assert by_robot[f"auth[{key}]"]
        assert by_robot["auth[application_token]"] == answer["application_token"]
        token = by_user["auth[access_token]"]
        assert sandbox.call("user.current", token).json()["result"]["ID"] == "2"
        log = requests.get(f"{sandbox.url}/sandbox/api/events-log", timeout=5).json()
        assert {(d["event"], d["status"]) for d in log} >= {
            ("ONCRMDYNAMICITEMADD", 200),
            ("ONAPPINSTALL", 200),
        }
    finally:
        server.stop()


def test_no_events_before_install_finish(sandbox, receiver, admin_token):
    sandbox.call("event.bind", admin_token, event="ONCRMCOMPANYUPDATE", handler=f"{receiver.url}/events")
    sandbox.call("crm.company.update", admin_token, id=1, fields={"TITLE": "Новое имя"})
    assert sandbox.portal.events.wait_idle(1)
    assert receiver.received == []

    requests.post(f"{sandbox.url}/ui/install-finish", timeout=5)
    sandbox.call("crm.company.update", admin_token, id=1, fields={"TITLE": "Ещё имя"})
    (_, form), *_ = receiver.wait_for(1)
    assert (form["event"], form["data[FIELDS][ID]"]) == ("ONCRMCOMPANYUPDATE", "1")


def test_binding_twice_is_an_error_and_webhooks_cannot_bind(sandbox, admin_token):
    params = {"PLACEMENT": "LEFT_MENU", "HANDLER": "http://127.0.0.1:9/menu", "TITLE": "Отчёт"}
    assert sandbox.call("placement.bind", admin_token, **params).json()["result"] is True
    again = sandbox.call("placement.bind", admin_token, **params)
    assert again.status_code == 400
    assert again.json() == {
        "error": "ERROR_CORE",
        "error_description": "Unable to set placement handler: Handler already binded",
    }
    event = {"event": "ONCRMCOMPANYADD", "handler": "http://127.0.0.1:9/e"}
    sandbox.call("event.bind", admin_token, **event)
    dup = sandbox.call("event.bind", admin_token, **event).json()
    assert dup["error_description"] == "Unable to set event handler: Handler already binded"
    assert sandbox.call("placement.get", admin_token).json()["result"][0]["placement"] == "LEFT_MENU"
    assert sandbox.call("placement.unbind", admin_token, PLACEMENT="LEFT_MENU").json()["result"] == {
        "count": 1
    }

    hook = sandbox.control("webhook", user_id=1)["url"]
    wrong = requests.post(hook + "placement.bind", json=params, timeout=5)
    assert (wrong.status_code, wrong.json()["error"]) == (403, "WRONG_AUTH_TYPE")
    assert requests.post(hook + "user.current", timeout=5).json()["result"]["ID"] == "1"
    non_admin = sandbox.call("placement.bind", sandbox.tokens(4)["access_token"], **params)
    assert non_admin.status_code == 403


def test_update_and_uninstall_lifecycle_events(sandbox, receiver):
    server, _, answer = _install_app(sandbox, receiver)
    try:
        updated = sandbox.control("update-app", version=2)
        assert updated["application_token"] != answer["application_token"]
        sandbox.control("uninstall", clean=1)
        lifecycle = [form for path, form in receiver.wait_for(3) if path == "/lifecycle"]
        update, removal = lifecycle[1], lifecycle[2]
        assert (update["data[VERSION]"], update["data[PREVIOUS_VERSION]"]) == ("2", "1")
        assert (
            update["auth[application_token]"] == updated["application_token"] and update["auth[access_token]"]
        )
        assert removal["event"] == "ONAPPUNINSTALL" and removal["data[CLEAN]"] == "1"
        assert "auth[access_token]" not in removal and "auth[refresh_token]" not in removal
        assert removal["auth[application_token]"] == updated["application_token"]
    finally:
        server.stop()


def test_moved_portal_redirects_to_its_new_domain(sandbox, admin_token):
    from sandbox.portal import create_portal_app

    new_server = ServerThread(create_portal_app(sandbox.cloud, sandbox.portal)).start()
    try:
        sandbox.portal.domain = f"127.0.0.1:{new_server.port}"
        old = requests.post(
            f"{sandbox.url}/rest/user.current.json?x=1",
            data={"auth": admin_token},
            allow_redirects=False,
            timeout=5,
        )
        assert old.status_code == 302
        assert old.headers["Location"] == f"{new_server.url}/rest/user.current.json?x=1"
        moved = requests.post(old.headers["Location"], data={"auth": admin_token}, timeout=5)
        assert moved.json()["result"]["ID"] == "1"
    finally:
        new_server.stop()
