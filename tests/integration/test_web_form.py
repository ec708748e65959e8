"""The public web form over the sandbox: a client's request becomes an item with its contact and channel,
gets its number by email, and bad or automated submissions are refused without leaving anything."""

from __future__ import annotations

import re
import time

import requests
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models import ArticleStatus, KbArticle, Portal, ServiceRequest, WebFormSubmission
from b24app.placements.webform import TOKEN_SALT
from b24app.services.fields import FieldMap
from b24app.services.portals import client_for

from .conftest import open_frame

CLIENT = {
    "name": "Ольга Лебедева",
    "email": "lebedeva@new-client.example",
    "phone": "+7 912 345-67-89",
    "company": "ООО «Новый клиент»",
    "subject": "Станок Т-400 не включается после грозы",
    "description": "На панели ошибка E-17, станок не запускается.",
}


class _Aged(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 30  # as if the client spent half a minute on the form


def _form_url(stack) -> str:
    page = open_frame(stack, "DEFAULT")
    return re.search(r'id="web-form-url" href="([^"]+)"', page.text).group(1)


def _token(app, portal_id: int) -> str:
    return _Aged(app.config["SECRET_KEY"], salt=TOKEN_SALT).sign(str(portal_id)).decode()


def _portal_id(app) -> int:
    with app.app_context():
        found = db.session.scalars(select(Portal.id)).one()
        db.session.remove()
        return found


def _submissions(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(WebFormSubmission))
        db.session.remove()
        return count


def test_a_request_from_the_site_becomes_an_item_and_the_client_gets_its_number(installed, app):
    url = _form_url(installed)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and 'name="subject"' in page.text
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    time.sleep(2.1)  # a person takes longer than a robot
    sent = requests.post(url, data={**CLIENT, "token": token, "website": ""}, timeout=10)
    assert sent.status_code == 200 and "Спасибо, обращение принято" in sent.text
    assert CLIENT["email"] in sent.text
    installed.wait_idle()

    mail = installed.smtp.mailbox.wait_for(lambda m: "зарегистрировано" in m.subject, timeout=30)
    assert mail is not None and mail.recipients == (CLIENT["email"],)
    number = int(re.search(r"№(\d+)", mail.subject).group(1))
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        req = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == number)).one()
        assert (req.title, req.channel) == (CLIENT["subject"], "web_form")
        client = client_for(portal.id, app.config["SETTINGS"])
        item = client.call("crm.item.get", {"entityTypeId": installed.entity_type_id(), "id": number}).result[
            "item"
        ]
        contact = client.call("crm.contact.get", {"id": item["contactId"]}).result
        fields = FieldMap(portal.settings["fields"])
        db.session.remove()
    assert contact["NAME"] == "Ольга" and contact["EMAIL"][0]["VALUE"] == CLIENT["email"]
    assert "ООО «Новый клиент»" in fields.read(item, "SD_DESCRIPTION")
    assert req.assigned_by_id is not None  # routed like any other request


def test_bad_automated_and_forged_submissions_are_refused_and_leave_nothing(installed, app):
    url = _form_url(installed)
    token = _token(app, _portal_id(app))
    wrong = requests.post(
        url, data={**CLIENT, "email": "not-an-email", "inn": "7707083894", "token": token}, timeout=10
    )
    assert wrong.status_code == 400
    assert "Проверьте адрес" in wrong.text and "ИНН не прошёл проверку" in wrong.text
    assert 'value="Ольга Лебедева"' in wrong.text  # what the client typed is kept

    robot = requests.post(url, data={**CLIENT, "token": token, "website": "http://spam.example"}, timeout=10)
    assert robot.status_code == 200  # a robot learns nothing
    forged = requests.post(url, data={**CLIENT, "token": token[:-2] + "xx"}, timeout=10)
    assert forged.status_code == 400 and "Форма повреждена" in forged.text
    hasty = requests.post(
        url,
        data={
            **CLIENT,
            "token": re.search(r'name="token" value="([^"]+)"', requests.get(url, timeout=10).text).group(1),
        },
        timeout=10,
    )
    assert hasty.status_code == 200
    assert requests.get(url.rsplit("-", 1)[0] + "-guessed", timeout=10).status_code == 404
    assert _submissions(app) == 0


def test_one_address_may_send_a_few_requests_and_an_admin_can_switch_the_form_off(installed, app):
    url = _form_url(installed)
    token = _token(app, _portal_id(app))
    codes = [
        requests.post(url, data={**CLIENT, "subject": f"Вопрос {n}", "token": token}, timeout=10).status_code
        for n in range(6)
    ]
    assert codes == [200] * 5 + [429]
    assert _submissions(app) == 5

    page = open_frame(installed, "DEFAULT")
    frame_token = re.search(r'data-frame-token="([^"]+)"', page.text).group(1)
    off = requests.put(
        f"{installed.app_url}/frame-api/admin/web-form",
        json={"enabled": False},
        headers={"X-Frame-Token": frame_token},
        timeout=10,
    )
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert requests.get(url, timeout=10).status_code == 404
    operator = open_frame(installed, "DEFAULT", user_id=3)
    operator_token = re.search(r'data-frame-token="([^"]+)"', operator.text).group(1)
    denied = requests.put(
        f"{installed.app_url}/frame-api/admin/web-form",
        json={"enabled": True},
        headers={"X-Frame-Token": operator_token},
        timeout=10,
    )
    assert denied.status_code == 403


def test_articles_that_may_answer_the_subject_are_offered_while_typing(installed, app):
    installed.load_demo_kb()
    url = _form_url(installed)
    found = requests.get(f"{url}/suggest", params={"q": "Т-400 не включается ошибка E-17"}, timeout=10).json()
    assert found["articles"] and all(a["url"].startswith("/kb/a/") for a in found["articles"])
    article = requests.get(installed.app_url + found["articles"][0]["url"], timeout=10)
    assert article.status_code == 200 and found["articles"][0]["title"] in article.text
    assert requests.get(f"{url}/suggest", params={"q": "Т"}, timeout=10).json() == {"articles": []}


def test_an_oversized_submission_is_refused_before_it_is_read(installed, app):
    url = _form_url(installed)
    token = _token(app, _portal_id(app))
    huge = requests.post(
        url, data={**CLIENT, "token": token, "description": "x" * (33 * 1024 * 1024)}, timeout=60
    )
    assert huge.status_code == 413
    long_text = requests.post(
        url, data={**CLIENT, "token": token, "description": "слово " * 2000}, timeout=10
    )
    assert long_text.status_code == 400 and "Не длиннее 5000 символов" in long_text.text
    assert _submissions(app) == 0


def test_a_submission_that_failed_is_shown_to_the_admin_and_created_on_retry(installed, app):
    _form_url(installed)  # the admin page makes the form
    with app.app_context():
        portal_id = db.session.scalars(select(Portal.id)).one()
        row = WebFormSubmission(
            portal_id=portal_id,
            source_hash="x",
            status="failed",
            error="ACCESS_DENIED: smart process not available",
            **{k: v for k, v in CLIENT.items()},
            inn="",
        )
        db.session.add(row)
        db.session.commit()
        row_id = row.id
        db.session.remove()
    page = open_frame(installed, "DEFAULT")
    assert f'data-retry-submission="{row_id}"' in page.text and "ACCESS_DENIED" in page.text
    frame_token = re.search(r'data-frame-token="([^"]+)"', page.text).group(1)
    retry = f"{installed.app_url}/frame-api/admin/web-form/submissions/{row_id}/retry"
    answer = requests.post(retry, json={}, headers={"X-Frame-Token": frame_token}, timeout=10)
    assert answer.status_code == 200 and answer.json()["status"] == "queued"
    installed.wait_idle()
    with app.app_context():
        created = db.session.get(WebFormSubmission, row_id)
        assert created.status == "created" and created.item_b24_id
        db.session.remove()
    again = requests.post(retry, json={}, headers={"X-Frame-Token": frame_token}, timeout=10)
    assert again.status_code == 404
    assert f'data-retry-submission="{row_id}"' not in open_frame(installed, "DEFAULT").text


def test_the_public_knowledge_base_lists_searches_and_leads_to_the_form(installed, app):
    assert installed.load_demo_kb() == 43
    form_url = _form_url(installed)
    help_url = form_url.replace("/form/", "/help/")
    assert f'href="/help/{help_url.rsplit("/", 1)[1]}"' in requests.get(form_url, timeout=10).text
    with app.app_context():  # one article goes back to draft: clients must not see it
        draft = db.session.scalars(select(KbArticle).where(KbArticle.slug == "kv15-overheat")).one()
        draft.status = ArticleStatus.DRAFT
        draft_title = draft.title
        db.session.commit()
        db.session.remove()

    everything = requests.get(help_url, timeout=10)
    assert everything.status_code == 200
    for heading in ("Частые вопросы", "Неисправности", "Инструкции", "Гарантия"):
        assert f"<h2>{heading}</h2>" in everything.text
    assert draft_title not in everything.text
    assert everything.text.count('href="/kb/a/') >= 40

    found = requests.get(help_url, params={"q": "станок Т-400 не включается E-17"}, timeout=10)
    links = re.findall(r'<a href="(/kb/a/[^"]+)"[^>]*>([^<]+)</a>', found.text)
    assert links and "Т-400" in links[0][1]
    article = requests.get(installed.app_url + links[0][0], timeout=10)
    assert article.status_code == 200 and links[0][1] in article.text
    overheat = requests.get(help_url, params={"q": "компрессор КВ-15 перегревается"}, timeout=10).text
    assert draft_title not in overheat
    nothing = requests.get(help_url, params={"q": "ззззз ыыыыы"}, timeout=10).text
    assert 'id="help-nothing"' in nothing and f'href="/form/{help_url.rsplit("/", 1)[1]}"' in nothing
    english = requests.get(help_url, params={"lang": "en"}, timeout=10).text
    assert "<h1>Knowledge base</h1>" in english and "?lang=en" in english

    assert requests.get(help_url.replace("/help/1-", "/help/2-"), timeout=10).status_code == 404


def test_the_public_knowledge_base_and_the_form_are_switched_separately(installed, app):
    installed.load_demo_kb()
    form_url = _form_url(installed)
    help_url = form_url.replace("/form/", "/help/")
    page = open_frame(installed, "DEFAULT")
    assert f'id="help-center-url" href="{help_url}"' in page.text
    headers = {"X-Frame-Token": re.search(r'data-frame-token="([^"]+)"', page.text).group(1)}
    switch = f"{installed.app_url}/frame-api/admin/web-form"

    closed = requests.put(switch, json={"help_enabled": False}, headers=headers, timeout=10)
    assert closed.status_code == 200 and closed.json() == {"enabled": True, "help_enabled": False}
    assert requests.get(help_url, timeout=10).status_code == 404
    form = requests.get(form_url, timeout=10)
    assert form.status_code == 200 and 'id="help-link"' not in form.text  # no link to a closed page

    requests.put(switch, json={"help_enabled": True, "enabled": False}, headers=headers, timeout=10)
    open_help = requests.get(help_url, timeout=10)
    assert open_help.status_code == 200 and 'id="help-ask"' not in open_help.text  # the form is off
    assert requests.get(form_url, timeout=10).status_code == 404
    refused = requests.put(switch, json={"help_enabled": "yes"}, headers=headers, timeout=10)
    assert refused.status_code == 400 and requests.get(help_url, timeout=10).status_code == 200


def test_a_long_public_list_says_it_is_cut_and_search_still_finds_the_rest(installed, app, monkeypatch):
    from b24app.placements import webform as pages

    installed.load_demo_kb()
    monkeypatch.setattr(pages, "HELP_LIST_LIMIT", 5)  # the app runs in this process: 5 stands for 500
    help_url = _form_url(installed).replace("/form/", "/help/")
    listed = requests.get(help_url, timeout=10).text
    assert listed.count('href="/kb/a/') == 5 and 'id="help-truncated"' in listed
    found = requests.get(help_url, params={"q": "компрессор КВ-15 перегревается"}, timeout=10).text
    assert "Компрессор КВ-15 перегревается" in found  # alphabetically far past the first five
