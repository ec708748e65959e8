"""The «База знаний» admin tab: administrators only, one portal's articles only, sanitised bodies,
all-or-nothing import with line numbers, templates and gaps."""

from __future__ import annotations

import io
import json
import zipfile

from flask import render_template
from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models import KbArticle, KbTemplate
from b24app.placements.card import CardContext
from b24app.placements.card_kb import kb_section
from b24app.services.kb.registry import record_gap, registry

from .conftest import POWER_FAULT, article, mirrored

API = "/frame-api/admin/kb"
XSS = (
    '<p>Проверьте F2</p><script>alert("x")</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(1)">клик</a>'
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_operators_cannot_open_or_edit_the_knowledge_base(client, portal, frame_headers):
    fault = article(portal, **POWER_FAULT)
    operator = frame_headers(admin=False)
    assert client.get(API, headers=operator).status_code == 403
    assert client.post(f"{API}/articles", json={"title": "Новая"}, headers=operator).status_code == 403
    assert client.delete(f"{API}/articles/{fault.id}", headers=operator).status_code == 403
    upload = {"file": (io.BytesIO(b'{"title": "x"}\n'), "kb.jsonl")}
    assert client.post(f"{API}/import", data=upload, headers=operator).status_code == 403
    assert client.get(API).status_code == 401
    assert count(KbArticle) == 1


def test_another_portals_article_cannot_be_read_edited_or_deleted(
    client, portal, other_portal, frame_headers
):
    foreign = article(other_portal, **POWER_FAULT)
    admin = frame_headers(admin=True)
    assert client.get(f"{API}/articles/{foreign.id}", headers=admin).status_code == 404
    edit = {"id": foreign.id, "title": "Чужая статья", "kind": "faq"}
    assert client.post(f"{API}/articles", json=edit, headers=admin).status_code == 404
    assert (
        client.post(
            f"{API}/articles/{foreign.id}/status", json={"status": "draft"}, headers=admin
        ).status_code
        == 404
    )
    assert client.delete(f"{API}/articles/{foreign.id}", headers=admin).status_code == 404
    assert db.session.get(KbArticle, foreign.id).title == POWER_FAULT["title"]
    assert POWER_FAULT["title"] not in client.get(API, headers=admin).text


def test_script_in_an_article_body_never_reaches_a_page(client, portal, frame_headers, app):
    admin = frame_headers(admin=True)
    saved = client.post(
        f"{API}/articles",
        json={"title": "Проверка F2", "body": XSS, "body_format": "html", "status": "published"},
        headers=admin,
    )
    assert saved.status_code == 200, saved.json
    article_id = saved.json["article"]["id"]
    # Written around the editor (an old row, a direct import): still sanitised when shown.
    db.session.get(KbArticle, article_id).body = XSS
    db.session.commit()
    registry.forget(portal.id)

    preview = client.post(f"{API}/preview", json={"body": XSS, "body_format": "html"}, headers=admin).json[
        "html"
    ]
    shown = client.get(f"{API}/articles/{article_id}/html", headers=admin).json["html"]
    req = mirrored(portal, title="Проверка F2", description="")
    with app.test_request_context():
        card = render_template(
            "frames/sections/kb.html", data=kb_section(CardContext(portal, req, 7, False, "ru"))
        )
    for html in (preview, shown, card):
        assert "Проверьте F2" in html
        assert "alert(" not in html and "onerror" not in html and "javascript:" not in html


def test_publishing_a_fault_without_a_remedy_is_refused_with_the_reason(client, portal, frame_headers):
    admin = frame_headers(admin=True)
    draft = client.post(
        f"{API}/articles", json={"title": "Ошибка E-21", "kind": "fault", "status": "draft"}, headers=admin
    ).json["article"]
    answer = client.post(f"{API}/articles/{draft['id']}/status", json={"status": "published"}, headers=admin)
    assert answer.status_code == 400
    assert answer.json["problems"][0]["field"] == "symptoms"
    assert db.session.get(KbArticle, draft["id"]).status == "draft"


def test_a_new_article_never_overwrites_one_with_the_same_address(client, portal, frame_headers):
    article(portal, **POWER_FAULT)
    answer = client.post(
        f"{API}/articles",
        json={"slug": POWER_FAULT["slug"], "title": "Другая"},
        headers=frame_headers(admin=True),
    )
    assert answer.status_code == 400 and "уже занят" in answer.json["problems"][0]["message"]


def test_import_with_a_bad_line_imports_nothing_and_names_the_line(client, portal, frame_headers):
    lines = [
        json.dumps({"title": "Первая", "kind": "faq"}, ensure_ascii=False),
        "{не json",
        json.dumps({"title": "Третья", "kind": "unknown"}, ensure_ascii=False),
    ]
    upload = {"file": (io.BytesIO("\n".join(lines).encode()), "kb.jsonl")}
    answer = client.post(f"{API}/import", data=upload, headers=frame_headers(admin=True))
    assert answer.status_code == 400
    assert answer.json["message"] == "Ничего не импортировано: ошибок 2"
    assert [p.split(":")[:2] for p in answer.json["problems"]] == [["kb.jsonl", "2"], ["kb.jsonl", "3"]]
    assert count(KbArticle) == 0


def test_a_zip_of_markdown_imports_and_exports_back(client, portal, frame_headers):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "kb/t400-e17.md",
            "---\ntitle: Т-400 ошибка E-17\nkind: fault\nsymptoms: Горит E-17\n"
            "remedy: Замените F2\nstatus: published\n---\nТекст.\n",
        )
    admin = frame_headers(admin=True)
    answer = client.post(
        f"{API}/import", data={"file": (io.BytesIO(buffer.getvalue()), "kb.zip")}, headers=admin
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 1
    assert registry.suggest(portal.id, "ошибка E-17 на Т-400")[0].slug == "t400-e17"

    exported = client.get(f"{API}/export?format=md", headers=admin)
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert names == ["t400-e17.md"]
    jsonl = client.get(f"{API}/export", headers=admin).text
    assert json.loads(jsonl)["slug"] == "t400-e17"


def test_gaps_are_listed_most_frequent_first_with_a_create_article_button(client, portal, frame_headers):
    record_gap(portal.id, "Как подключить станок к сети 220 В", 1)
    for request_id in (2, 3):
        record_gap(portal.id, "Где скачать паспорт компрессора", request_id)
    db.session.commit()
    page = client.get(API, headers=frame_headers(admin=True)).text
    first, second = page.index("Где скачать паспорт компрессора"), page.index("Как подключить станок")
    assert first < second and "Создать статью" in page


def test_templates_are_saved_and_suggested_for_matching_requests(client, portal, frame_headers):
    admin = frame_headers(admin=True)
    answer = client.post(
        f"{API}/templates",
        json={
            "title": "Выезд инженера назначен",
            "body": "Здравствуйте, {client_name}!",
            "tags": "выезд, ремонт",
        },
        headers=admin,
    )
    assert answer.status_code == 200, answer.json
    refused = client.post(f"{API}/templates", json={"title": "Т", "body": "{nope}"}, headers=admin)
    assert refused.status_code == 400 and count(KbTemplate) == 1
    assert [t.title for t in registry.suggest_templates(portal.id, "Нужен выезд инженера")] == [
        "Выезд инженера назначен"
    ]
