"""The «Уведомления» admin tab: templates edited with preview and clear errors, failed ones retried."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, select

from b24app.extensions import db
from b24app.models import ClientNotification, Job, NotificationTemplate, NotifyEvent, Portal
from b24app.placements.frames import FrameUser, issue_token
from b24app.services import notify, survey_reminders

from .factories import make_request, set_up_portal


@pytest.fixture
def portal(ctx):
    return set_up_portal()


def _headers(portal, admin: bool = True) -> dict[str, str]:
    token = issue_token(portal, FrameUser(1, "Анна Смирнова", admin), "DEFAULT", {}, "ru")
    return {"X-Frame-Token": token}


def test_the_tab_lists_every_template_with_russian_defaults(client, portal):
    page = client.get("/frame-api/admin/notify", headers=_headers(portal))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in ("Регистрация", "Взято в работу", "Ждём ответа клиента", "Решено", "Закрыто", "Опрос CSAT"):
        assert label in html
    assert "Обращение №{{ number }} зарегистрировано" in html
    assert "Все уведомления отправлены" in html


def test_only_an_admin_opens_the_tab(client, portal):
    assert client.get("/frame-api/admin/notify", headers=_headers(portal, admin=False)).status_code == 403
    assert client.get("/frame-api/admin/notify").status_code == 401


def test_preview_renders_sample_values(client, portal):
    answer = client.post(
        "/frame-api/admin/notify/preview",
        json={"subject": "№{{ number }}", "body": "Ответственный: {{ responsible }}"},
        headers=_headers(portal),
    )
    assert answer.status_code == 200
    assert answer.json["subject"] == "№1024" and "Мария Кузнецова" in answer.json["body"]


def test_a_syntax_error_is_reported_with_its_line_and_nothing_is_saved(client, portal):
    answer = client.post(
        "/frame-api/admin/notify/templates/registered",
        json={"subject": "ok", "body": "строка 1\n{% for x in %}\n", "active": True},
        headers=_headers(portal),
    )
    assert answer.status_code == 400
    assert answer.json["line"] == 2 and answer.json["field"] == "body"
    assert "строка 2" in answer.json["message"]
    assert db.session.scalars(select(NotificationTemplate)).all() == []


def test_a_valid_template_is_saved_for_this_portal_only(client, portal):
    other = set_up_portal(domain="other.bitrix24.ru")
    answer = client.post(
        "/frame-api/admin/notify/templates/waiting",
        json={"subject": "Ждём вас, {{ client_name }}", "body": "Ответьте по №{{ number }}", "active": False},
        headers=_headers(portal),
    )
    assert answer.status_code == 200
    db.session.expire_all()
    assert notify.templates_of(portal.id)["waiting"].subject == "Ждём вас, {{ client_name }}"
    assert notify.templates_of(portal.id)["waiting"].active is False
    assert notify.templates_of(other.id)["waiting"].subject.startswith("Обращение №")


def test_unknown_event_and_bad_json_are_refused(client, portal):
    headers = _headers(portal)
    assert client.post("/frame-api/admin/notify/templates/nope", json={}, headers=headers).status_code == 404
    bad = client.post("/frame-api/admin/notify/templates/closed", json={"subject": 1}, headers=headers)
    assert bad.status_code == 400


def test_a_failed_notification_is_listed_and_retried(client, portal):
    row = notify.queue_notification(make_request(portal), "registered", "created:42")
    row.status, row.last_error = "failed", "Письмо не отправлено: connection refused"
    db.session.query(Job).delete()
    db.session.commit()
    html = client.get("/frame-api/admin/notify", headers=_headers(portal)).get_data(as_text=True)
    assert "connection refused" in html and f'data-retry="{row.id}"' in html

    other = set_up_portal(domain="other.bitrix24.ru")
    foreign = client.post(f"/frame-api/admin/notify/failed/{row.id}/retry", headers=_headers(other))
    assert foreign.status_code == 404

    answer = client.post(f"/frame-api/admin/notify/failed/{row.id}/retry", headers=_headers(portal))
    assert answer.status_code == 200 and answer.json["status"] == "queued"
    db.session.expire_all()
    assert db.session.get(ClientNotification, row.id).status == "queued"
    assert [j.payload for j in db.session.scalars(select(Job))] == [{"notification_id": row.id}]


def test_the_survey_reminder_delay_is_set_per_portal_with_clear_errors(client, portal):
    html = client.get("/frame-api/admin/notify", headers=_headers(portal)).get_data(as_text=True)
    assert 'name="days"' in html and 'value="3"' in html and "Напоминание об опросе" in html
    for wrong in ({"days": -1}, {"days": 15}, {"days": "5"}, {"days": True}, []):
        answer = client.put("/frame-api/admin/notify/survey-reminder", json=wrong, headers=_headers(portal))
        assert answer.status_code == 400 and "от 0 до 14" in answer.json["message"]
    assert (
        client.put(
            "/frame-api/admin/notify/survey-reminder", json={"days": 5}, headers=_headers(portal, admin=False)
        ).status_code
        == 403
    )
    answer = client.put("/frame-api/admin/notify/survey-reminder", json={"days": 0}, headers=_headers(portal))
    assert answer.status_code == 200
    db.session.expire_all()
    assert survey_reminders.reminder_days(db.session.get(Portal, portal.id)) == 0


def test_a_first_visit_while_a_worker_writes_waits_for_it_and_seeds_the_defaults(client, portal):
    """A portal set up before setup seeded the templates: the tab seeds them on its first visit. On
    SQLite a worker holding the write lock at that moment makes the page wait, not fail."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the database write lock is SQLite's")
    db.session.execute(delete(NotificationTemplate).where(NotificationTemplate.portal_id == portal.id))
    db.session.commit()
    worker = db.engine.raw_connection()
    worker.driver_connection.isolation_level = None
    worker.driver_connection.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: worker.driver_connection.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        page = client.get("/frame-api/admin/notify", headers=_headers(portal))
        waited = time.monotonic() - started
    finally:
        release.join()
        worker.close()
    assert page.status_code == 200, page.get_data(as_text=True)
    assert "Обращение №{{ number }} зарегистрировано" in page.get_data(as_text=True)
    assert waited >= 0.4  # it waited for the worker instead of failing at once
    seeded = select(NotificationTemplate.event).where(NotificationTemplate.portal_id == portal.id)
    assert set(db.session.scalars(seeded)) == set(NotifyEvent.ALL)


@pytest.mark.parametrize("days", [True, "7", -1, 91, None, 2.5])
def test_autoclose_days_out_of_range_are_refused_and_nothing_changes(client, portal, days):
    from b24app.services import autoclose

    answer = client.put("/frame-api/admin/autoclose", json={"days": days}, headers=_headers(portal))
    assert answer.status_code == 400 and "от 0 до 90" in str(answer.get_json())
    db.session.expire_all()
    assert autoclose.close_after_days(db.session.get(Portal, portal.id)) == autoclose.DEFAULT_DAYS


def test_only_an_admin_sets_autoclose(client, portal):
    url = "/frame-api/admin/autoclose"
    assert client.put(url, json={"days": 3}, headers=_headers(portal, admin=False)).status_code == 403
    assert client.put(url, json={"days": 3}, headers=_headers(portal)).json == {"days": 3}
