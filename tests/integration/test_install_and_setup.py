"""Install, binding and setup against the sandbox portal over real HTTP."""

from __future__ import annotations

import re

import requests
from sqlalchemy import select, text

from b24app.extensions import db
from b24app.models import Job, JobStatus, NotificationTemplate, NotifyEvent, Portal, PortalStatus, utcnow
from b24app.services.fields import APP_FIELDS
from b24app.services.portals import client_for

from .conftest import open_frame


def _state(stack) -> dict:
    return requests.get(f"{stack.portal_url}/sandbox/api/state", timeout=10).json()


def test_install_stores_encrypted_tokens_and_binds_everything_once(stack, app):
    result = stack.install()
    assert result["installed"] is True
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        assert portal.status == PortalStatus.ACTIVE
        assert portal.domain == stack.portal.domain
        assert portal.application_token == result["application_token"]
        raw = db.session.execute(text("SELECT access_token, application_token FROM portal")).one()
        assert portal.access_token not in raw[0] and result["application_token"] not in raw[1]
    state = _state(stack)
    events = sorted(b["event"] for b in state["event_bindings"])
    assert len(events) == len(set(events)) and "ONCRMDYNAMICITEMADD" in events
    placements_before = len(state["placements"])

    stack.install()  # the admin opens the wizard again: nothing is bound twice
    state = _state(stack)
    assert len(state["placements"]) == placements_before
    assert sorted(b["event"] for b in state["event_bindings"]) == events


def test_setup_creates_the_smart_process_once_and_maps_stages(stack, app):
    stack.install()
    first = stack.setup()
    assert first.created_type and len(first.added_fields) == len(APP_FIELDS) + 1  # and the card widget
    assert first.widget_field in first.added_fields
    assert any(p.startswith(f"placement CRM_DYNAMIC_{first.entity_type_id}_DETAIL_TAB") for p in first.bound)
    second = stack.setup()
    assert not second.changed
    with app.app_context():
        settings = db.session.scalars(select(Portal)).one().settings
        states = set(settings["stage_map"].values())
        assert {"new", "in_work", "waiting", "resolved", "closed", "cancelled"} <= states
        portal_id = db.session.scalars(select(Portal.id)).one()
        types = client_for(portal_id, app.config["SETTINGS"]).call("crm.type.list").result["types"]
        # What the admin tabs show exists already, so opening them writes nothing.
        assert settings["web_form"]["key"]
        events = db.session.scalars(select(NotificationTemplate.event)).all()
        assert sorted(events) == sorted(NotifyEvent.ALL)
    assert [t["title"] for t in types].count("Обращения клиентов") == 1


def test_first_admin_visit_of_the_main_page_runs_setup(stack, app):
    stack.install()
    response = open_frame(stack, "DEFAULT")
    assert response.status_code == 200, response.text
    assert "Обращения клиентов" in response.text
    assert f"frame-ancestors {stack.portal_url}" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    with app.app_context():
        assert db.session.scalars(select(Portal)).one().settings["smart_process"]["entity_type_id"]


def test_a_non_admin_cannot_trigger_setup(stack, app):
    stack.install()
    response = open_frame(stack, "DEFAULT", user_id=2)
    assert response.status_code == 200
    assert "Попросите администратора" in response.text
    with app.app_context():
        assert "smart_process" not in db.session.scalars(select(Portal)).one().settings


def test_uninstall_with_clean_purges_the_portal_data(installed, app):
    installed.seed_requests()
    installed.wait_idle()
    requests.post(
        f"{installed.portal_url}/sandbox/api/uninstall", json={"clean": 1}, timeout=10
    ).raise_for_status()
    installed.wait_idle()
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        assert portal.status == PortalStatus.UNINSTALLED
        assert portal.access_token is None and portal.settings == {}
        assert db.session.execute(text("SELECT count(*) FROM service_request")).scalar() == 0
        assert db.session.execute(text("SELECT count(*) FROM inbox_event")).scalar() == 0


def test_a_portal_that_moved_to_a_new_domain_is_followed_and_remembered(installed, app):
    from sandbox.http import ServerThread
    from sandbox.portal import create_portal_app

    new_home = ServerThread(create_portal_app(installed.cloud, installed.portal)).start()
    try:
        installed.portal.domain = f"127.0.0.1:{new_home.port}"
        with app.app_context():
            portal_id = db.session.scalars(select(Portal.id)).one()
            me = client_for(portal_id, app.config["SETTINGS"]).call("user.current").result
            db.session.remove()
            portal = db.session.get(Portal, portal_id)
            assert me["ID"]
            assert portal.domain == installed.portal.domain
            assert portal.client_endpoint == f"{new_home.url}/rest/"
    finally:
        new_home.stop()


def test_stopped_jobs_are_shown_to_the_admin_and_requeued(installed, app):
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        stopped = Job(
            portal_id=portal.id,
            kind="routing.sync_agents",
            status=JobStatus.DEAD,
            attempts=8,
            last_error="B24Unavailable: portal did not answer",
            finished_at=utcnow(),
        )
        exchange = Job(
            portal_id=portal.id, kind="onec.push", status=JobStatus.DEAD, attempts=8, finished_at=utcnow()
        )
        db.session.add_all([stopped, exchange])
        db.session.commit()
        stopped_id, exchange_id = stopped.id, exchange.id
        db.session.remove()
    page = open_frame(installed, "DEFAULT")
    assert f'data-job="{stopped_id}"' in page.text and "Список сотрудников" in page.text
    assert f'data-job="{exchange_id}"' not in page.text  # the 1C exchange is listed in its own tab
    assert 'data-job="' not in open_frame(installed, "DEFAULT", user_id=3).text  # operators see none
    token = re.search(r'data-frame-token="([^"]+)"', page.text).group(1)
    answer = requests.post(
        f"{installed.app_url}/frame-api/admin/jobs/requeue",
        json={},
        headers={"X-Frame-Token": token},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json() == {"requeued": 1}
    with app.app_context():
        assert db.session.get(Job, exchange_id).status == JobStatus.DEAD
        assert db.session.get(Job, stopped_id).attempts < 8
        db.session.remove()
