"""What people see of the 1C flow: the request tab's «1С» section (number, problems, counterparty
choice, outage banner) and the admin tab «1С» (connection check, token, exchange log)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, update

from b24app.extensions import db
from b24app.jobs import tasks
from b24app.models import Job, JobStatus, Portal, utcnow
from b24app.services.portals import client_for

from .conftest import open_frame
from .onec_fixtures import eventually, link, mirror, onec_control, onec_requests, settle


@pytest.fixture
def connected(installed):
    installed.connect_onec()
    return installed


def _tab(stack, b24_id: int, user_id: int = 1) -> requests.Response:
    response = open_frame(
        stack, f"CRM_DYNAMIC_{stack.entity_type_id()}_DETAIL_TAB", {"ID": str(b24_id)}, user_id
    )
    assert response.status_code == 200, response.text
    return response


def _token(page: requests.Response) -> str:
    return re.search(r'data-frame-token="([^"]+)"', page.text).group(1)


def test_the_card_shows_the_1c_number_and_lets_the_operator_pick_the_counterparty(connected, app):
    created = connected.seed_requests()
    settle(connected)
    uralmash, technolog = created[1]["id"], created[0]["id"]
    number = eventually(lambda: mirror(app, uralmash).onec_number)
    assert number in _tab(connected, uralmash).text

    page = _tab(connected, technolog)
    assert "несколько подходящих контрагентов" in page.text and "Техно-Логистик" in page.text
    choose = f"{connected.app_url}/frame-api/onec/requests/{technolog}/counterparty"
    headers = {"X-Frame-Token": _token(page)}
    refused = requests.post(choose, json={"ref": "not-offered"}, headers=headers, timeout=10)
    assert refused.status_code == 400 and link(app, technolog).decision == "needs_decision"
    picked = link(app, technolog).candidates[0]["ref"]
    assert requests.post(choose, json={"ref": picked}, headers=headers, timeout=10).status_code == 200
    settle(connected)
    document = eventually(lambda: [r for r in onec_requests(connected) if r.subject.startswith("Станок ЧПУ")])
    assert len(document) == 1 and document[0].counterparty_ref == picked
    assert mirror(app, technolog).onec_number in _tab(connected, technolog).text


def test_the_card_warns_when_1c_is_unreachable(connected, app):
    onec_control(connected, "quirks", {"down": True})
    created = connected.seed_requests()
    settle(connected, timeout=60)
    page = _tab(connected, created[1]["id"])
    assert 'id="onec-banner"' in page.text and "1С недоступна" in page.text


def test_the_admin_tab_checks_the_connection_and_filters_the_exchange_log(connected, app):
    connected.seed_requests()
    settle(connected)
    headers = {"X-Frame-Token": _token(open_frame(connected))}
    base = f"{connected.app_url}/frame-api/admin/onec"
    fragment = requests.get(base, headers=headers, timeout=10)
    assert fragment.status_code == 200 and "Проверить связь" in fragment.text
    check = requests.post(f"{base}/check", json={}, headers=headers, timeout=10).json()
    assert check["ok"] and "1С ответила" in check["message"]
    to_1c = requests.get(
        f"{base}/log", params={"direction": "to_1c", "object": "request"}, headers=headers, timeout=10
    )
    assert to_1c.status_code == 200 and to_1c.text.count('class="onec-log-row"') >= 3
    assert "из 1С" not in to_1c.text
    empty = requests.get(
        f"{base}/log", params={"since": "2001-01-01", "until": "2001-01-02"}, headers=headers, timeout=10
    )
    assert 'id="onec-log-empty"' in empty.text
    bad = requests.get(f"{base}/log", params={"direction": "sideways"}, headers=headers, timeout=10)
    assert bad.status_code == 400
    token = requests.post(f"{base}/token", json={}, headers=headers, timeout=10).json()
    assert token["push_url"].endswith("/api/1c/v1/events") and len(token["token"]) > 20
    operator = {"X-Frame-Token": _token(open_frame(connected, user_id=2))}
    assert requests.get(base, headers=operator, timeout=10).status_code == 403


def test_the_admin_tab_starts_the_counterparty_sync_and_shows_its_progress(connected, app):
    headers = {"X-Frame-Token": _token(open_frame(connected))}
    base = f"{connected.app_url}/frame-api/admin/onec"
    assert "Ещё не запускалась" in requests.get(base, headers=headers, timeout=10).text
    started = requests.post(f"{base}/sync", json={}, headers=headers, timeout=10)
    assert started.status_code == 200
    settle(connected)
    progress = requests.get(base, headers=headers, timeout=10).text
    assert 'id="onec-sync-progress"' in progress and "Завершена" in progress and "ошибок: 0" in progress
    operator = {"X-Frame-Token": _token(open_frame(connected, user_id=2))}
    assert requests.post(f"{base}/sync", json={}, headers=operator, timeout=10).status_code == 403


def test_what_to_fix_reads_in_the_operators_language_and_the_timeline_stays_russian(connected, app):
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        client = client_for(portal.id, app.config["SETTINGS"])
        etid = connected.entity_type_id()
        b24_id = client.call(
            "crm.item.add", {"entityTypeId": etid, "fields": {"title": "Без клиента"}}
        ).result["item"]["id"]
        db.session.remove()
    settle(connected)
    eventually(lambda: (link(app, b24_id) or None) and link(app, b24_id).problems, what="problems noted")

    russian = _tab(connected, b24_id).text
    assert "Не указан клиент: выберите компанию или контакт" in russian
    english = open_frame(connected, f"CRM_DYNAMIC_{etid}_DETAIL_TAB", {"ID": str(b24_id)}, lang="en").text
    assert "No client: choose a company or a contact" in english and "Не указан клиент" not in english
    with app.app_context():
        comments = (
            client_for(portal.id, app.config["SETTINGS"])
            .call(
                "crm.timeline.comment.list",
                {"filter": {"ENTITY_ID": b24_id, "ENTITY_TYPE": f"dynamic_{etid}"}},
            )
            .result
        )
        db.session.remove()
    assert any("Не указан клиент" in c["COMMENT"] for c in comments)


def test_the_operator_sends_again_at_once_when_1c_is_back(connected, app):
    onec_control(connected, "quirks", {"down": True})
    created = connected.seed_requests()
    settle(connected, timeout=60)
    b24_id = created[1]["id"]
    page = _tab(connected, b24_id)
    assert 'data-onec-action="retry"' in page.text  # the push failed and waits for its backoff
    assert mirror(app, b24_id).onec_number is None
    onec_control(connected, "quirks", {"down": False})
    with app.app_context():  # after several failures the next attempt is an hour away
        later = utcnow() + timedelta(hours=1)
        waiting = update(Job).where(Job.kind == "onec.push_request", Job.status == JobStatus.QUEUED)
        assert db.session.execute(waiting.values(run_at=later)).rowcount >= 1
        db.session.commit()
        db.session.remove()
    headers = {"X-Frame-Token": _token(page)}
    answer = requests.post(
        f"{connected.app_url}/frame-api/onec/requests/{b24_id}/retry", json={}, headers=headers, timeout=10
    )
    assert answer.status_code == 200 and answer.json() == {"queued": True}
    number = eventually(lambda: mirror(app, b24_id).onec_number, what="the number after the retry")
    settle(connected)
    assert number in _tab(connected, b24_id).text
    assert len([r for r in onec_requests(connected) if r.subject.startswith("Гарантийный ремонт")]) == 1
    unknown = f"{connected.app_url}/frame-api/onec/requests/999999/retry"
    assert requests.post(unknown, json={}, headers=headers, timeout=10).status_code == 404


def test_the_operator_asks_1c_for_its_changes_now(installed, app):
    from b24app.services.onec_link import set_connection  # connected one way only: 1C does not push

    onec = installed.onec_app.extensions["sandbox_onec"].settings
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        set_connection(portal, installed.onec_url + onec.base_path, onec.username, onec.password)
        db.session.commit()
        db.session.remove()
    created = installed.seed_requests()
    settle(installed)
    b24_id = created[3]["id"]
    ref = eventually(lambda: mirror(app, b24_id).onec_ref, what="the «Заявка» in 1C")
    page = _tab(installed, b24_id)
    assert 'data-onec-action="refresh"' in page.text
    onec_control(installed, f"requests/{ref}/status", {"status": "resolved"})
    settle(installed)
    assert mirror(app, b24_id).onec_status != "resolved"  # no push: the next pull is minutes away
    headers = {"X-Frame-Token": _token(page)}
    answer = requests.post(
        f"{installed.app_url}/frame-api/onec/refresh", json={}, headers=headers, timeout=10
    )
    assert answer.status_code == 200
    eventually(lambda: mirror(app, b24_id).onec_status == "resolved", what="the status read from 1C")
    assert (
        requests.post(f"{installed.app_url}/frame-api/onec/refresh", json={}, timeout=10).status_code == 401
    )


def test_fixing_the_clients_inn_in_their_card_sends_the_waiting_request_to_1c(connected, app, monkeypatch):
    monkeypatch.setattr(tasks, "RECHECK_DEBOUNCE_SECONDS", 0)  # the test does not wait half a minute
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        client = client_for(portal.id, app.config["SETTINGS"])
        company = client.call("crm.company.add", {"fields": {"TITLE": "Новый Завод ООО"}}).result
        contact = client.call(
            "crm.contact.add",
            {
                "fields": {
                    "NAME": "Пётр",
                    "LAST_NAME": "Новиков",
                    "COMPANY_ID": company,
                    "EMAIL": [{"VALUE": "novikov@newplant.example", "VALUE_TYPE": "WORK"}],
                }
            },
        ).result
        requisite = client.call(
            "crm.requisite.add",
            {
                "fields": {
                    "ENTITY_TYPE_ID": 4,
                    "ENTITY_ID": company,
                    "PRESET_ID": 1,
                    "NAME": "Реквизиты",
                    "RQ_COMPANY_NAME": "Новый Завод ООО",
                    "RQ_INN": "7707083894",
                    "RQ_KPP": "770701001",
                }
            },
        ).result
        b24_id = client.call(
            "crm.item.add",
            {
                "entityTypeId": connected.entity_type_id(),
                "fields": {"title": "Не работает пресс", "companyId": company, "contactId": contact},
            },
        ).result["item"]["id"]
        db.session.remove()
    settle(connected)
    problems = eventually(
        lambda: (link(app, b24_id) or None) and link(app, b24_id).problems, what="INN refused"
    )
    assert any("ИНН" in str(p) for p in problems) and mirror(app, b24_id).onec_ref is None
    with app.app_context():  # the operator corrects the check digit in the company's requisites
        client.call("crm.requisite.update", {"id": requisite, "fields": {"RQ_INN": "7707083893"}})
        db.session.remove()
    settle(connected)
    ref = eventually(lambda: mirror(app, b24_id).onec_ref, what="the «Заявка» after the fix")
    assert ref and not link(app, b24_id).problems


def test_adding_an_email_to_the_contact_checks_the_waiting_request_again(connected, app):
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        client = client_for(portal.id, app.config["SETTINGS"])
        contact = client.call(
            "crm.contact.add", {"fields": {"NAME": "Ольга", "LAST_NAME": "Смирнова"}}
        ).result
        fields = {"title": "Консультация по гарантии", "contactId": contact}
        b24_id = client.call(
            "crm.item.add", {"entityTypeId": connected.entity_type_id(), "fields": fields}
        ).result["item"]["id"]
        db.session.remove()
    settle(connected)
    problems = eventually(
        lambda: (link(app, b24_id) or None) and link(app, b24_id).problems, what="no contacts"
    )
    assert any("телефона" in p for p in problems)
    with app.app_context():
        email = [{"VALUE": "smirnova@example.ru", "VALUE_TYPE": "WORK"}]
        client.call("crm.contact.update", {"id": contact, "fields": {"EMAIL": email}})
        db.session.remove()
    settle(connected)
    # Checked again at once: what is left to fix no longer names the contact details.
    eventually(lambda: not any("телефона" in p for p in link(app, b24_id).problems), what="the recheck")
