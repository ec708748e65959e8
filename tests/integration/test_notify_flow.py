"""Client notifications and the CSAT survey over the sandbox: emails in the clients' mailbox, timeline
copies, the survey answered over HTTP, SD_CSAT on the item, the card, and the head told of a low score."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import requests
from sqlalchemy import select

from b24app.extensions import db
from b24app.jobs import queue
from b24app.models import Portal, ServiceRequest
from b24app.services import autoclose
from b24app.services.portals import client_for
from sandbox import demo_data
from sandbox.portal import seed_requests

from .conftest import open_frame

CLIENT_EMAIL = "gromov@techno-logistic.example"  # the contact of the first demo request's company
SURVEY_LINK = re.compile(r"https?://\S+/survey/[\w.\-]+")


def _eventually(check, timeout: float = 30.0):
    """Events and jobs run in the background: wait until check() gives something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _one_request(stack) -> dict:
    item = seed_requests(stack.portal, stack.entity_type_id(), [demo_data.REQUESTS[0]])[0]
    stack.wait_idle()
    # Two updates of one item within the same second give identical event payloads, and the app
    # collapses an identical one that is still unprocessed: let the app's own write-back settle first.
    time.sleep(1.1)
    stack.wait_idle()
    return item


def _call(app, method: str, params: dict):
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        result = client_for(portal.id, app.config["SETTINGS"]).call(method, params).result
        db.session.remove()
        return result


def _move_to(stack, app, item: dict, state: str) -> None:
    with app.app_context():
        stage_map = db.session.scalars(select(Portal)).one().settings["stage_map"]
        db.session.remove()
    stage = next(s for s, mapped in stage_map.items() if mapped == state)
    fields = {"stageId": stage}
    _call(
        app, "crm.item.update", {"entityTypeId": stack.entity_type_id(), "id": item["id"], "fields": fields}
    )
    stack.wait_idle()


def _comments(stack, app, item: dict, containing: str) -> list[str]:
    owner = {"ENTITY_ID": item["id"], "ENTITY_TYPE": f"dynamic_{stack.entity_type_id()}"}
    rows = _call(app, "crm.timeline.comment.list", {"filter": owner})
    return [r["COMMENT"] for r in rows if containing in r["COMMENT"]]


def _tab(stack, item_id) -> requests.Response:
    return open_frame(stack, f"CRM_DYNAMIC_{stack.entity_type_id()}_DETAIL_TAB", {"ID": str(item_id)})


def test_a_new_request_mails_the_client_its_number_and_copies_it_to_the_timeline(installed, app):
    item = _one_request(installed)
    mail = _eventually(lambda: installed.smtp.mailbox.messages(CLIENT_EMAIL))
    assert [m.subject for m in mail] == [f"Обращение №{item['id']} зарегистрировано"]
    assert f"под номером {item['id']}" in mail[0].body
    copies = _eventually(lambda: _comments(installed, app, item, "зарегистрировано"))
    assert len(copies) == 1 and CLIENT_EMAIL in copies[0]

    page = requests.get(f"{installed.portal_url}/mailbox/", params={"to": CLIENT_EMAIL}, timeout=10)
    assert f"Обращение №{item['id']} зарегистрировано" in page.text
    home = requests.get(f"{installed.portal_url}/", timeout=10)
    assert 'href="/mailbox/"' in home.text


def test_resolution_sends_a_survey_and_a_low_answer_reaches_the_item_the_card_and_the_head(installed, app):
    item = _one_request(installed)
    _move_to(installed, app, item, "resolved")
    mailbox = installed.smtp.mailbox
    survey_mail = mailbox.wait_for(lambda m: m.subject.startswith("Оцените"), timeout=30)
    assert survey_mail is not None and survey_mail.recipients == (CLIENT_EMAIL,)
    assert f"Обращение №{item['id']} решено" in [m.subject for m in mailbox.messages(CLIENT_EMAIL)]
    link = SURVEY_LINK.search(survey_mail.body).group(0)
    assert link.startswith(installed.app_url)
    token = link.rsplit("/", 1)[1]

    form = requests.get(link, timeout=10)
    assert form.status_code == 200 and 'name="score"' in form.text
    answer = {"token": token, "score": "2", "nps": "3", "comment": "Инженер приехал через неделю"}
    answered = requests.post(link, data=answer, headers={"Origin": installed.app_url}, timeout=10)
    assert answered.status_code == 200 and "Спасибо за оценку" in answered.text
    installed.wait_idle()

    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        csat_key = portal.settings["fields"]["SD_CSAT"]["item_key"]
        req = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == int(item["id"]))).one()
        group_id, assigned = req.group_id, req.assigned_by_id
        db.session.remove()
    params = {"entityTypeId": installed.entity_type_id(), "id": item["id"]}
    csat = _eventually(lambda: _call(app, "crm.item.get", params)["item"].get(csat_key))
    assert int(csat) == 2
    assert _eventually(lambda: _comments(installed, app, item, "2 из 5"))

    tab = _tab(installed, item["id"])
    assert tab.status_code == 200
    assert 'id="survey-score">2 из 5' in tab.text
    assert "Регистрация" in tab.text and "отправлено" in tab.text

    department = group_id or installed.portal.users[assigned]["departments"][0]
    head = installed.portal.departments[department]["head"]
    url = f"{installed.portal_url}/sandbox/api/notifications"

    def head_notices():
        rows = requests.get(url, params={"user_id": head}, timeout=10).json()
        return [n for n in rows if "2 из 5" in n["message"] and f"№{item['id']}" in n["message"]]

    assert len(_eventually(head_notices)) == 1

    again = requests.post(
        link, data={"token": token, "score": "5"}, headers={"Origin": installed.app_url}, timeout=10
    )
    assert again.status_code == 410


def test_a_client_without_email_gets_a_note_in_the_card_not_retries(installed, app):
    etid = installed.entity_type_id()
    created = _call(app, "crm.item.add", {"entityTypeId": etid, "fields": {"title": "Звонок без контакта"}})
    item_id = created["item"]["id"]
    installed.wait_idle()
    tab = _eventually(lambda: "нет email" in _tab(installed, item_id).text)
    assert tab, "the card never showed the missing email"
    assert "не отправлено" in _tab(installed, item_id).text
    assert installed.smtp.mailbox.messages() == []


def test_survey_answers_reach_the_managers_report(installed, app):
    item = _one_request(installed)
    _move_to(installed, app, item, "resolved")
    survey_mail = installed.smtp.mailbox.wait_for(lambda m: m.subject.startswith("Оцените"), timeout=30)
    link = SURVEY_LINK.search(survey_mail.body).group(0)
    token = link.rsplit("/", 1)[1]
    answer = {"token": token, "score": "5", "nps": "10", "comment": "Всё починили за день"}
    assert (
        requests.post(link, data=answer, headers={"Origin": installed.app_url}, timeout=10).status_code == 200
    )
    installed.wait_idle()
    report = open_frame(installed, "CRM_ANALYTICS_MENU", handler=f"{installed.app_url}/placements/report")
    # The manager reads what the client said, next to the request and its responsible.
    reviews = report.text[report.text.index('id="report-reviews"') :]
    row = reviews[reviews.index(f'data-review="{item["id"]}"') :].split("</tr>")[0]
    assert "Всё починили за день" in row and ">5<" in row and ">10<" in row
    headers = {"X-Frame-Token": re.search(r'data-frame-token="([^"]+)"', report.text).group(1)}
    other_channel = requests.get(
        f"{installed.app_url}/frame-api/report?channel=chat", headers=headers, timeout=10
    ).text
    assert "Всё починили за день" not in other_channel and 'id="report-no-reviews"' in other_channel

    def tile(name: str) -> str:
        return (
            re.search(rf'id="kpi-{name}".*?class="tile-value">([^<]*)<', report.text, re.S).group(1).strip()
        )

    assert tile("csat") == "5.0"
    assert tile("nps") == "100.0"


def _chat_messages(stack) -> list[dict]:
    chats = requests.get(f"{stack.portal_url}/sandbox/api/openlines", timeout=10).json()
    return [dict(m, chat_id=c["id"], active=c["active"]) for c in chats for m in c["messages"]]


def test_a_client_who_wrote_in_telegram_is_answered_there_and_by_email_once_the_chat_closed(installed, app):
    request = dict(demo_data.REQUESTS[0], channel="chat")
    item = seed_requests(installed.portal, installed.entity_type_id(), [request])[0]
    installed.wait_idle()

    def replies():
        return [m for m in _chat_messages(installed) if m["author_id"]]

    registered = _eventually(replies)
    assert len(registered) == 1 and f"под номером {item['id']}" in registered[0]["text"]
    assert installed.smtp.mailbox.messages(CLIENT_EMAIL) == []  # not also by email
    copies = _eventually(lambda: _comments(installed, app, item, "зарегистрировано"))
    assert len(copies) == 1 and "Telegram · чат" in copies[0]
    tab = _tab(installed, item["id"])
    assert "Telegram · чат" in tab.text

    chat_id = registered[0]["chat_id"]
    requests.post(
        f"{installed.portal_url}/sandbox/api/openlines/{chat_id}/close", timeout=10
    ).raise_for_status()
    time.sleep(1.1)  # a distinct update event (see _one_request)
    _move_to(installed, app, item, "in_work")
    mail = _eventually(lambda: installed.smtp.mailbox.messages(CLIENT_EMAIL))
    assert [m.subject for m in mail] == [f"Обращение №{item['id']} взято в работу"]
    assert len(replies()) == 1


def _age_resolution(app, item: dict, days: int) -> None:
    """The request was resolved that many days ago (the test does not wait a week)."""
    with app.app_context():
        req = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == int(item["id"]))).one()
        req.resolved_at = req.resolved_at - timedelta(days=days)
        db.session.commit()
        db.session.remove()


def _run_autoclose(stack, app) -> None:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        queue.enqueue("requests.autoclose", {}, portal_id=portal.id)
        db.session.commit()
        db.session.remove()
    stack.wait_idle()


def test_a_resolved_request_the_client_leaves_unanswered_closes_after_a_week_once(installed, app):
    silent, recent = _one_request(installed), _one_request(installed)
    for item in (silent, recent):
        _move_to(installed, app, item, "resolved")
    _age_resolution(app, silent, 8)
    _age_resolution(app, recent, 2)
    _run_autoclose(installed, app)
    _run_autoclose(installed, app)  # a second run (or worker) closes nothing twice

    closed = _eventually(lambda: _state(app, silent) == "closed")
    assert closed and _state(app, recent) == "resolved"
    assert len(_comments(installed, app, silent, "закрыто автоматически")) == 1
    assert _comments(installed, app, recent, "закрыто автоматически") == []
    subjects = [m.subject for m in installed.smtp.mailbox.messages(CLIENT_EMAIL)]
    assert f"Обращение №{silent['id']} закрыто" in subjects  # the client is told, as for any closing


def test_autoclose_is_off_at_zero_days(installed, app):
    item = _one_request(installed)
    _move_to(installed, app, item, "resolved")
    _age_resolution(app, item, 30)
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        autoclose.set_close_after_days(portal, 0)
        db.session.commit()
        db.session.remove()
    _run_autoclose(installed, app)
    assert _state(app, item) == "resolved"


def _state(app, item: dict) -> str:
    with app.app_context():
        state = db.session.scalars(
            select(ServiceRequest.state).where(ServiceRequest.b24_id == int(item["id"]))
        ).one()
        db.session.remove()
        return state
