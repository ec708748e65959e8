"""The portal's pages: requests list, card with app frames, company card, notifications, BX24 shim."""

from __future__ import annotations

import json
import re
from html import unescape

import requests

from sandbox.portal import AppRegistration


def _setup_app(sandbox, admin_token):
    base = "http://127.0.0.1:9"
    sandbox.cloud.register_app(AppRegistration(f"{base}/app", f"{base}/install", f"{base}/events"))
    sandbox.portal.app.active = True
    sandbox.portal.app.installed = True
    created = sandbox.call("crm.type.add", admin_token, fields={"title": "Обращения клиентов"}).json()[
        "result"
    ]["type"]
    etid, type_id = created["entityTypeId"], created["id"]
    sandbox.call(
        "placement.bind",
        admin_token,
        PLACEMENT=f"CRM_DYNAMIC_{etid}_DETAIL_TAB",
        HANDLER=f"{base}/tab",
        TITLE="SLA и база знаний",
    )
    sandbox.call(
        "userfieldtype.add",
        admin_token,
        USER_TYPE_ID="sla_widget",
        HANDLER=f"{base}/widget",
        TITLE="SLA",
        OPTIONS={"height": 120},
    )
    field = {
        "entityId": f"CRM_{type_id}",
        "fieldName": f"UF_CRM_{type_id}_WIDGET",
        "userTypeId": "rest_17_sla_widget",
    }
    assert "result" in sandbox.call("userfieldconfig.add", admin_token, moduleId="crm", field=field).json()
    return etid


def test_home_without_smart_process_offers_install(sandbox):
    page = requests.get(sandbox.url + "/", timeout=5).text
    assert "Смарт-процесса «Обращения клиентов» пока нет" in page
    assert "Установить приложение" in page


def test_request_created_in_ui_shows_in_card_with_tab_and_field_frames(sandbox, admin_token):
    etid = _setup_app(sandbox, admin_token)
    form = {
        "channel": "email",
        "company_id": "2",
        "contact_id": "2",
        "title": "Течь масла",
        "description": "Течь из-под уплотнения",
    }
    created = requests.post(f"{sandbox.url}/ui/requests", data=form, allow_redirects=False, timeout=5)
    card_url = created.headers["Location"]
    assert f"/crm/type/{etid}/details/1/" in card_url
    card = requests.get(sandbox.url + card_url if card_url.startswith("/") else card_url, timeout=5).text
    assert "Течь масла" in card and "Уральский машзавод АО" in card
    assert "Входящее письмо" in card and "Течь из-под уплотнения" in card
    assert "SLA и база знаний" in card
    frames = [json.loads(unescape(m)) for m in re.findall(r'data-frame="([^"]+)"', card)]
    placements = {f["placement"]: f["options"] for f in frames}
    assert placements[f"CRM_DYNAMIC_{etid}_DETAIL_TAB"] == {"ID": "1"}
    widget = placements["USERFIELD_TYPE"]
    assert (widget["MODE"], widget["ENTITY_VALUE_ID"]) == ("view", "1")
    assert widget["FIELD_NAME"].endswith("_WIDGET")
    activities = sandbox.call(
        "crm.activity.list", admin_token, filter={"OWNER_TYPE_ID": etid, "OWNER_ID": 1}
    ).json()
    assert [(a["TYPE_ID"], a["DIRECTION"]) for a in activities["result"]] == [("4", "1")]


def test_reply_comment_and_stage_change_from_the_card(sandbox, admin_token):
    etid = _setup_app(sandbox, admin_token)
    sandbox.control("seed-requests")
    card = f"{sandbox.url}/crm/type/{etid}/details/1"
    requests.post(f"{card}/message", data={"kind": "reply", "text": "Выезжаем завтра"}, timeout=5)
    requests.post(f"{card}/message", data={"kind": "comment", "text": "Проверить гарантию"}, timeout=5)
    requests.post(f"{card}/stage", data={"stage_id": f"DT{etid}_8:PREPARATION"}, timeout=5)
    item = sandbox.call("crm.item.get", admin_token, entityTypeId=etid, id=1).json()["result"]["item"]
    assert item["stageId"] == f"DT{etid}_8:PREPARATION" and item["previousStageId"] == f"DT{etid}_8:NEW"
    comments = sandbox.call(
        "crm.timeline.comment.list", admin_token, filter={"ENTITY_ID": 1, "ENTITY_TYPE": f"dynamic_{etid}"}
    ).json()["result"]
    assert [c["COMMENT"] for c in comments] == ["Проверить гарантию"]
    page = requests.get(f"{sandbox.url}/", timeout=5).text
    assert "Станок ЧПУ Т-400" in page


def test_notifications_page_shows_messages_for_the_chosen_user(sandbox, admin_token):
    sandbox.call("im.notify.system.add", admin_token, USER_ID=3, MESSAGE="Просрочен SLA по обращению #5")
    as_maria = requests.get(f"{sandbox.url}/notifications/", cookies={"sandbox_user": "3"}, timeout=5).text
    as_anna = requests.get(f"{sandbox.url}/notifications/", timeout=5).text
    assert "Просрочен SLA" in as_maria and "Просрочен SLA" not in as_anna
    api = requests.get(f"{sandbox.url}/sandbox/api/notifications?user_id=3", timeout=5).json()
    assert api[0]["message"] == "Просрочен SLA по обращению #5"


def test_bx24_shim_and_company_card_are_served(sandbox):
    shim = requests.get(f"{sandbox.url}/bx24.js", timeout=5)
    assert shim.headers["Content-Type"].startswith("application/javascript")
    for name in ("installFinish", "placement", "callMethod", "fitWindow", "resizeWindow", "openPath"):
        assert name in shim.text
    company = requests.get(f"{sandbox.url}/crm/company/details/8/", timeout=5).text
    assert "771234567859" in company and "ИП" in company


def test_install_page_is_for_admins_only(sandbox):
    base = "http://127.0.0.1:9"
    sandbox.cloud.register_app(AppRegistration(f"{base}/app", f"{base}/install", ""))
    denied = requests.get(f"{sandbox.url}/marketplace/install/", cookies={"sandbox_user": "2"}, timeout=5)
    assert denied.status_code == 403
    wizard = requests.get(f"{sandbox.url}/marketplace/install/", timeout=5).text
    assert f'action="{base}/install?DOMAIN=' in wizard
    main = requests.get(f"{sandbox.url}/marketplace/app/", timeout=5).text
    assert f'action="{base}/app?DOMAIN=' in main


def test_contact_card_shows_its_company_and_the_apps_contact_tab(sandbox, admin_token):
    _setup_app(sandbox, admin_token)
    sandbox.call(
        "placement.bind",
        admin_token,
        PLACEMENT="CRM_CONTACT_DETAIL_TAB",
        HANDLER="http://127.0.0.1:9/contact-tab",
        TITLE="Обращения",
    )
    contact = next(c for c in sandbox.portal.contacts.values() if c["LAST_NAME"] == "Белова")
    home = requests.get(f"{sandbox.url}/", timeout=5).text
    assert f"/crm/contact/details/{contact['ID']}/" in home
    card = requests.get(f"{sandbox.url}/crm/contact/details/{contact['ID']}/", timeout=5).text
    assert "Татьяна Белова" in card and "Уральский машзавод АО" in card and "belova@uralmash.example" in card
    frames = [json.loads(unescape(m)) for m in re.findall(r'data-frame="([^"]+)"', card)]
    assert [(f["placement"], f["options"]) for f in frames] == [
        ("CRM_CONTACT_DETAIL_TAB", {"ID": contact["ID"]})
    ]
    assert requests.get(f"{sandbox.url}/crm/contact/details/99999/", timeout=5).status_code == 404
