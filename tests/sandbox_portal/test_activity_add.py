"""crm.activity.add: an email or call logged on an item through REST, as a mail or telephony module does."""

from __future__ import annotations

from tests.sandbox_portal.conftest import make_type


def _item(sandbox, token) -> tuple[int, int]:
    etid = make_type(sandbox, token)["entityTypeId"]
    item = sandbox.call("crm.item.add", token, entityTypeId=etid, fields={"title": "Станок"}).json()
    return etid, item["result"]["item"]["id"]


def test_an_outgoing_email_is_added_to_the_item_and_listed(sandbox, admin_token):
    etid, item_id = _item(sandbox, admin_token)
    answer = sandbox.call(
        "crm.activity.add",
        admin_token,
        fields={
            "OWNER_TYPE_ID": etid,
            "OWNER_ID": item_id,
            "TYPE_ID": 4,
            "DIRECTION": 2,
            "SUBJECT": "Ответ сотрудника",
            "DESCRIPTION": "Выезжаем завтра",
        },
    ).json()
    activity = sandbox.call("crm.activity.get", admin_token, id=answer["result"]).json()["result"]
    assert (activity["OWNER_ID"], activity["TYPE_ID"], activity["DIRECTION"]) == (str(item_id), "4", "2")
    assert activity["DESCRIPTION"] == "Выезжаем завтра" and activity["COMPLETED"] == "Y"


def test_activity_add_rejects_a_missing_owner_and_unknown_types(sandbox, admin_token):
    etid, item_id = _item(sandbox, admin_token)
    no_owner = sandbox.call("crm.activity.add", admin_token, fields={"OWNER_TYPE_ID": etid, "TYPE_ID": 4})
    todo = sandbox.call(
        "crm.activity.add", admin_token, fields={"OWNER_TYPE_ID": etid, "OWNER_ID": item_id, "TYPE_ID": 6}
    )
    missing = sandbox.call(
        "crm.activity.add", admin_token, fields={"OWNER_TYPE_ID": etid, "OWNER_ID": 999, "TYPE_ID": 4}
    )
    assert no_owner.status_code == 400 and todo.status_code == 400
    assert missing.status_code in (400, 404) and "error" in missing.json()
    listed = sandbox.call("crm.activity.list", admin_token, filter={"OWNER_ID": item_id}).json()
    assert listed["result"] == []
