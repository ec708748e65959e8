"""Open-line chats of CRM objects: reading a contact's chats and writing to the client's messenger."""

from __future__ import annotations

import requests

from sandbox.portal.methods.openlines import add_chat_message, open_chat


def test_a_contacts_chat_is_found_and_a_message_reaches_the_client(sandbox, admin_token):
    contact_id = next(iter(sandbox.portal.contacts))
    chat = open_chat(sandbox.portal, "contact", contact_id, "telegrambot")
    add_chat_message(chat, sandbox.portal, "Станок не включается", None)

    found = sandbox.call(
        "imopenlines.crm.chat.get", admin_token, CRM_ENTITY_TYPE="contact", CRM_ENTITY=contact_id
    ).json()["result"]
    assert found == [
        {"CHAT_ID": str(chat["id"]), "CONNECTOR_ID": "telegrambot", "CONNECTOR_TITLE": "Telegram"}
    ]

    sent = sandbox.call(
        "imopenlines.crm.message.add",
        admin_token,
        CRM_ENTITY_TYPE="contact",
        CRM_ENTITY=contact_id,
        USER_ID=1,
        CHAT_ID=chat["id"],
        MESSAGE="Обращение №5 зарегистрировано",
    ).json()
    assert isinstance(sent["result"], int)
    chats = requests.get(f"{sandbox.url}/sandbox/api/openlines", timeout=5).json()
    assert [m["text"] for m in chats[0]["messages"]] == [
        "Станок не включается",
        "Обращение №5 зарегистрировано",
    ]


def test_wrong_arguments_another_objects_chat_and_a_closed_chat_are_refused(sandbox, admin_token):
    contact_id = next(iter(sandbox.portal.contacts))
    chat = open_chat(sandbox.portal, "contact", contact_id)
    base = {"CRM_ENTITY_TYPE": "contact", "CRM_ENTITY": contact_id, "USER_ID": 1, "CHAT_ID": chat["id"]}

    missing = sandbox.call("imopenlines.crm.message.add", admin_token, **base)
    assert missing.status_code == 400 and missing.json()["error"] == "ERROR_ARGUMENT"
    other = sandbox.call(
        "imopenlines.crm.message.add",
        admin_token,
        **{**base, "CRM_ENTITY": contact_id + 1000, "MESSAGE": "x"},
    )
    assert other.json()["error"] == "CHAT_NOT_IN_CRM"
    wrong_type = sandbox.call(
        "imopenlines.crm.chat.get", admin_token, CRM_ENTITY_TYPE="dynamic_128", CRM_ENTITY=1
    )
    assert wrong_type.json()["error"] == "ERROR_ARGUMENT"

    requests.post(f"{sandbox.url}/sandbox/api/openlines/{chat['id']}/close", timeout=5).raise_for_status()
    closed = sandbox.call("imopenlines.crm.message.add", admin_token, **{**base, "MESSAGE": "x"})
    assert closed.json()["error"] == "CANCELED"
    assert (
        sandbox.call(
            "imopenlines.crm.chat.get", admin_token, CRM_ENTITY_TYPE="contact", CRM_ENTITY=contact_id
        ).json()["result"]
        == []
    )
    every = sandbox.call(
        "imopenlines.crm.chat.get",
        admin_token,
        CRM_ENTITY_TYPE="contact",
        CRM_ENTITY=contact_id,
        ACTIVE_ONLY="N",
    ).json()["result"]
    assert [c["CHAT_ID"] for c in every] == [str(chat["id"])]


def test_the_open_lines_page_shows_the_conversation_and_closes_a_chat(sandbox):
    contact_id = next(iter(sandbox.portal.contacts))
    chat = open_chat(sandbox.portal, "contact", contact_id)
    add_chat_message(chat, sandbox.portal, "Пустой экран аварий", None)
    page = requests.get(f"{sandbox.url}/openlines/", timeout=5)
    assert page.status_code == 200 and "Пустой экран аварий" in page.text and "Telegram" in page.text
    closed = requests.post(f"{sandbox.url}/openlines/{chat['id']}/close", timeout=5, allow_redirects=False)
    assert closed.status_code == 302 and not chat["active"]
    assert requests.post(f"{sandbox.url}/openlines/999/close", timeout=5).status_code == 404
