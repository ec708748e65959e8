"""The knowledge base in the request card over the sandbox: suggestions for the demo requests, and
an article inserted from the card lands in the request's timeline."""

from __future__ import annotations

import re
import time

import requests
from sqlalchemy import select

from b24app.extensions import db
from b24app.models import KbUse, Portal, ServiceRequest
from b24app.services.portals import client_for
from sandbox import demo_data
from sandbox.portal import seed_requests

from .conftest import open_frame

# Articles that answer each demo request. The warranty request is not typed by the sandbox, and its
# description is about a pump seal leak: the fault article about that leak answers it as well.
RELEVANT_FIRST = {
    "Станок ЧПУ Т-400 не включается после скачка напряжения": {"t400-e17-power-surge"},
    "Гарантийный ремонт гидростанции ГС-250": {"warranty-hydraulic-seals", "gs250-pump-seal-leak"},
    "Как настроить плавный пуск на преобразователе ПЧ-75?": {"pch75-soft-start"},
    "Компрессор КВ-15 перегревается": {"kv15-overheat"},
}
SUGGESTION = re.compile(r'class="kb-suggestion" data-kb-item data-article-id="(\d+)" data-slug="([^"]+)"')


def card(stack, item_id) -> requests.Response:
    response = open_frame(stack, f"CRM_DYNAMIC_{stack.entity_type_id()}_DETAIL_TAB", {"ID": str(item_id)})
    assert response.status_code == 200, response.text
    return response


def frame_token(html: str) -> str:
    return re.search(r'data-frame-token="([^"]+)"', html).group(1)


def insert_first_suggestion(stack, item) -> tuple[int, requests.Response]:
    """The operator inserts the card's first suggestion as text: (its article id, the app's answer)."""
    page = card(stack, item["id"])
    article_id = int(SUGGESTION.findall(page.text)[0][0])
    answer = requests.post(
        f"{stack.app_url}/frame-api/kb/requests/{item['id']}/insert",
        json={"article_id": article_id, "mode": "text"},
        headers={"X-Frame-Token": frame_token(page.text)},
        timeout=30,
    )
    return article_id, answer


def test_card_of_each_demo_request_suggests_three_articles_led_by_the_one_that_answers_it(installed):
    assert installed.load_demo_kb() == 43
    items = installed.seed_requests()
    installed.wait_idle()
    for item in items:
        page = card(installed, item["id"])
        slugs = [slug for _, slug in SUGGESTION.findall(page.text)]
        assert len(slugs) == 3, item["title"]
        assert slugs[0] in RELEVANT_FIRST[item["title"]], item["title"]
        assert "Вставить в ответ" in page.text and "Помогло" in page.text


def test_inserting_an_article_posts_it_to_the_request_timeline_and_counts_its_use(installed, app):
    installed.load_demo_kb()
    item = installed.seed_requests()[0]
    installed.wait_idle()
    article_id, answer = insert_first_suggestion(installed, item)

    assert answer.status_code == 200, answer.text
    assert (
        answer.json()["message"]
        == "Ответ отправляется клиенту, копия — в ленте; если доставить его не удастся, придёт уведомление"
    )
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        comments = (
            client_for(portal.id, app.config["SETTINGS"])
            .call(
                "crm.timeline.comment.list",
                {
                    "filter": {
                        "ENTITY_ID": item["id"],
                        "ENTITY_TYPE": f"dynamic_{installed.entity_type_id()}",
                    }
                },
            )
            .result
        )
        uses = db.session.scalars(select(KbUse)).all()
        db.session.remove()
    texts = [c["COMMENT"] for c in comments]
    assert any(t.startswith("Станок ЧПУ Т-400 не включается") and "предохранитель F2" in t for t in texts)
    assert [(u.article_id, u.signal, u.request_b24_id) for u in uses] == [
        (article_id, "inserted", item["id"])
    ]
    # The client gets the reply by email, and it counts as the first response of the SLA.
    client_mail = installed.smtp.mailbox.wait_for(
        lambda m: m.subject.startswith("Ответ по обращению"), timeout=30
    )
    assert client_mail is not None and "предохранитель F2" in client_mail.body
    installed.wait_idle()
    with app.app_context():
        req = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == int(item["id"]))).one()
        assert req.first_response_at is not None
        db.session.remove()


def test_a_reply_to_a_telegram_client_goes_to_their_chat(installed, app):
    installed.load_demo_kb()
    request = dict(demo_data.REQUESTS[0], channel="chat")
    item = seed_requests(installed.portal, installed.entity_type_id(), [request])[0]
    installed.wait_idle()
    _article_id, answer = insert_first_suggestion(installed, item)
    assert answer.status_code == 200, answer.text

    def replies():
        chats = requests.get(f"{installed.portal_url}/sandbox/api/openlines", timeout=10).json()
        return [m["text"] for c in chats for m in c["messages"] if "предохранитель F2" in m["text"]]

    deadline = time.monotonic() + 30
    while not replies() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(replies()) == 1
    assert not installed.smtp.mailbox.wait_for(
        lambda m: m.subject.startswith("Ответ по обращению"), timeout=1
    )


def test_a_reply_that_cannot_reach_the_client_is_reported_to_the_operator(installed, app):
    installed.load_demo_kb()
    nobody = {
        "title": "Компрессор КВ-15 перегревается",
        "description": "Звонок без контактов",
        "channel": "phone",
    }
    item = seed_requests(installed.portal, installed.entity_type_id(), [nobody])[0]
    installed.wait_idle()
    _, answer = insert_first_suggestion(installed, item)
    assert answer.status_code == 200, answer.text
    installed.wait_idle()
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        listed = {"filter": {"ENTITY_ID": item["id"], "ENTITY_TYPE": f"dynamic_{installed.entity_type_id()}"}}
        comments = (
            client_for(portal.id, app.config["SETTINGS"]).call("crm.timeline.comment.list", listed).result
        )
        db.session.remove()
    assert any(c["COMMENT"].startswith("Ответ клиенту не доставлен: у клиента нет") for c in comments)
    notices = requests.get(f"{installed.portal_url}/sandbox/api/notifications?user_id=1", timeout=10).json()
    assert any(f"(#{item['id']}) не доставлен клиенту" in n["message"] for n in notices)


def test_the_reply_slider_above_the_timeline_offers_the_same_suggestions(installed):
    installed.load_demo_kb()
    item = installed.seed_requests()[0]
    installed.wait_idle()
    placement = f"CRM_DYNAMIC_{installed.entity_type_id()}_DETAIL_ACTIVITY"
    slider = open_frame(installed, placement, {"ID": str(item["id"])})
    assert slider.status_code == 200, slider.text
    assert [slug for _, slug in SUGGESTION.findall(slider.text)] == [
        slug for _, slug in SUGGESTION.findall(card(installed, item["id"]).text)
    ]
    assert open_frame(installed, placement, {}).status_code == 400
