"""Inserting an article or a template from the card and saying whether it helped: posted to the
request's timeline, recorded, scoped to the frame's portal."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models import KbTemplateUse, KbUse
from b24app.services.kb.registry import registry
from b24app.services.kb.templates import save_template

from .conftest import COMMENT_ADD, ETID, POWER_FAULT, SPINDLE, article, mirrored, posted_comments

INSERT = "/frame-api/kb/requests/24/insert"
FEEDBACK = "/frame-api/kb/requests/24/feedback"


def uses() -> list[tuple[int, str, int | None, int | None]]:
    return [(u.article_id, u.signal, u.request_b24_id, u.user_id) for u in db.session.scalars(select(KbUse))]


def test_insert_needs_a_frame_token(client, portal, b24):
    mirrored(portal)
    fault = article(portal, **POWER_FAULT)
    assert client.post(INSERT, json={"article_id": fault.id}).status_code == 401
    assert (
        client.post(INSERT, json={"article_id": fault.id}, headers={"X-Frame-Token": "x"}).status_code == 401
    )
    assert posted_comments(b24) == [] and uses() == []


def test_inserting_an_article_as_text_posts_it_to_the_timeline_and_records_its_use(
    client, portal, frame_headers, b24
):
    mirrored(portal)
    fault = article(portal, **POWER_FAULT)

    answer = client.post(INSERT, json={"article_id": fault.id, "mode": "text"}, headers=frame_headers())

    assert answer.status_code == 200, answer.json
    assert (
        answer.json["message"]
        == "Ответ отправляется клиенту, копия — в ленте; если доставить его не удастся, придёт уведомление"
    )
    [comment] = posted_comments(b24)
    assert (comment["ENTITY_ID"], comment["ENTITY_TYPE"]) == (24, f"dynamic_{ETID}")
    assert comment["COMMENT"].startswith(POWER_FAULT["title"])
    assert "Что сделать: Замените предохранитель F2 (5 А)" in comment["COMMENT"]
    assert uses() == [(fault.id, "inserted", 24, 7)]


def test_an_article_inserted_as_a_link_opens_for_the_client_while_published(
    client, portal, frame_headers, b24
):
    mirrored(portal)
    fault = article(portal, **POWER_FAULT)
    client.post(INSERT, json={"article_id": fault.id, "mode": "link"}, headers=frame_headers())
    [comment] = posted_comments(b24)
    link = re.search(r"http://127\.0\.0\.1:5999(/kb/a/\S+)", comment["COMMENT"]).group(1)

    page = client.get(link)
    assert page.status_code == 200 and "Замените предохранитель F2" in page.text

    article(portal, **{**POWER_FAULT, "status": "draft"})
    assert client.get(link).status_code == 404
    assert client.get(link[:-3] + "abc").status_code == 404


def test_another_portals_article_is_not_found_and_nothing_is_posted(
    client, portal, other_portal, frame_headers, b24
):
    mirrored(portal)
    foreign = article(other_portal, **POWER_FAULT)

    inserted = client.post(INSERT, json={"article_id": foreign.id}, headers=frame_headers())
    rated = client.post(FEEDBACK, json={"article_id": foreign.id, "helped": True}, headers=frame_headers())

    assert (inserted.status_code, rated.status_code) == (404, 404)
    assert posted_comments(b24) == [] and uses() == []


def test_a_request_of_another_portal_is_not_found(client, portal, other_portal, frame_headers, b24):
    mirrored(other_portal)
    fault = article(portal, **POWER_FAULT)
    assert client.post(INSERT, json={"article_id": fault.id}, headers=frame_headers()).status_code == 404
    assert posted_comments(b24) == []


def test_helped_is_recorded_and_lifts_the_article_for_the_same_question(client, portal, frame_headers):
    req = mirrored(portal, title="Станок ЧПУ Т-400 не работает", description="")
    article(portal, **POWER_FAULT)
    spindle = article(portal, **SPINDLE)
    assert [s.slug for s in registry.suggest(portal.id, req.title)] == ["t400-e17", "t400-spindle"]

    answer = client.post(FEEDBACK, json={"article_id": spindle.id, "helped": True}, headers=frame_headers())

    assert answer.status_code == 200 and answer.json["message"] == "Спасибо, учтём"
    assert uses() == [(spindle.id, "helped", 24, 7)]
    assert [s.slug for s in registry.suggest(portal.id, req.title)] == ["t400-spindle", "t400-e17"]


def test_feedback_needs_a_yes_or_no(client, portal, frame_headers):
    mirrored(portal)
    fault = article(portal, **POWER_FAULT)
    answer = client.post(FEEDBACK, json={"article_id": fault.id, "helped": "yes"}, headers=frame_headers())
    assert answer.status_code == 400 and uses() == []


def test_an_edited_template_is_posted_as_edited_and_counted(client, portal, frame_headers, b24):
    mirrored(portal)
    template = save_template(portal.id, {"title": "Выезд инженера", "body": "Здравствуйте, {client_name}!"})
    db.session.commit()

    answer = client.post(
        INSERT,
        json={
            "template_id": template.id,
            "text": "Здравствуйте, ТЕХНО-ЛОГИСТИК ООО! Инженер приедет завтра.",
        },
        headers=frame_headers(),
    )

    assert answer.status_code == 200, answer.json
    assert [c["COMMENT"] for c in posted_comments(b24)] == [
        "Здравствуйте, ТЕХНО-ЛОГИСТИК ООО! Инженер приедет завтра."
    ]
    assert db.session.scalar(select(func.count()).select_from(KbTemplateUse)) == 1


def test_a_bitrix24_failure_is_reported_and_nothing_is_recorded(client, portal, frame_headers, b24):
    mirrored(portal)
    fault = article(portal, **POWER_FAULT)
    b24.replace(
        "POST", COMMENT_ADD, status=400, json={"error": "NOT_FOUND", "error_description": "Элемент не найден"}
    )
    answer = client.post(INSERT, json={"article_id": fault.id}, headers=frame_headers())
    assert answer.status_code == 502 and "Битрикс24 не принял комментарий" in answer.json["message"]
    assert uses() == []
