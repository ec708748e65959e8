"""Faults of the 1C exchange over real HTTP: an outage, repeated and reordered pushes, a crash before the
acknowledgement, a stale version, and 1C's HTML error pages — each ends with every change applied once."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import delete, select

from b24app.extensions import db
from b24app.models import ExchangeLog, InboxStatus, OneCConnection, OneCInboxItem, OneCIncident, Portal
from b24app.services.onec_link import issue_push_token
from b24app.services.portals import client_for

from .onec_fixtures import (
    connected_notifications,
    enqueue_pull,
    eventually,
    mirror,
    move_stage,
    onec_control,
    onec_requests,
    portal_item,
    run_retries_now,
    settle,
    stage_of_state,
)


@pytest.fixture
def connected(installed):
    """The installed sandbox portal with the app connected to the sandbox 1C (URL, user, push token)."""
    installed.connect_onec()
    return installed


DEMO_REQUESTS_1C_CAN_TAKE = 3  # the fourth waits for an operator's choice between duplicates


def _settle_with_retries(stack, app, rounds: int = 6) -> None:
    for _ in range(rounds):
        settle(stack, timeout=60)
        if not run_retries_now(app):
            return
    settle(stack, timeout=60)


def _one_c_alerts(stack) -> list[dict]:
    return [n for n in connected_notifications(stack) if n["message"].startswith("Сервис-деск: ")]


def _rows(app, model, *where):
    with app.app_context():
        rows = db.session.scalars(select(model).where(*where)).all()
        db.session.expunge_all()
        db.session.remove()
        return rows


def test_writes_made_while_1c_is_down_arrive_exactly_once_when_it_is_back(connected, app):
    onec_control(connected, "quirks", {"down": True})
    connected.seed_requests()
    settle(connected, timeout=60)
    run_retries_now(app)
    settle(connected, timeout=60)
    assert onec_requests(connected) == []
    alerts = _one_c_alerts(connected)
    assert len(alerts) == 1 and "недоступна" in alerts[0]["message"]  # one per outage, not per job
    assert [i.closed_at for i in _rows(app, OneCIncident)] == [None]

    onec_control(connected, "quirks", {"down": False})
    _settle_with_retries(connected, app)
    documents = onec_requests(connected)
    assert len(documents) == DEMO_REQUESTS_1C_CAN_TAKE
    assert len({d.external_id for d in documents}) == len(documents)
    assert all(i.closed_at is not None for i in _rows(app, OneCIncident))
    assert len(_one_c_alerts(connected)) == 1


def _feed(stack) -> list[dict]:
    store = stack.onec_app.extensions["sandbox_onec"]
    answer = requests.get(
        f"{stack.onec_url}{store.settings.base_path}/changes",
        params={"after": "0", "limit": 1000},
        auth=(store.settings.username, store.settings.password),
        timeout=10,
    )
    return json.loads(answer.content.removeprefix(b"\xef\xbb\xbf"))["items"]


def _push(stack, token: str, items: list[dict]) -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"items": items}, ensure_ascii=False).encode()
    answer = requests.post(
        f"{stack.app_url}/api/1c/v1/events",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text


def test_the_same_push_three_times_out_of_order_is_applied_once_in_effect_order(connected, app):
    created = connected.seed_requests()
    settle(connected)
    b24_id = created[3]["id"]
    ref = eventually(lambda: mirror(app, b24_id).onec_ref)
    onec_control(connected, "push-config", {"url": ""})  # this test delivers the pushes itself
    onec_control(connected, f"requests/{ref}/status", {"status": "in_progress"})
    onec_control(connected, f"requests/{ref}/status", {"status": "resolved"})
    in_progress, resolved = [i for i in _feed(connected) if i["type"] == "request.status_changed"]
    with app.app_context():
        token = issue_push_token(db.session.scalars(select(Portal)).one())
        db.session.commit()
        db.session.remove()
    for batch in ([resolved, in_progress], [in_progress, resolved], [resolved]):
        _push(connected, token, batch)
    settle(connected)
    assert portal_item(app, connected, b24_id)["stageId"] == stage_of_state(app, "resolved")
    assert mirror(app, b24_id).state == "resolved"
    for seq in (in_progress["seq"], resolved["seq"]):
        stored = _rows(app, OneCInboxItem, OneCInboxItem.seq == seq)
        assert [row.status for row in stored] == [InboxStatus.APPLIED]
    document = next(r for r in onec_requests(connected) if r.ref == ref)
    assert [row.status for row in document.status_history] == ["new", "in_progress", "resolved"]


def _comments(app, stack, b24_id: int) -> list[str]:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        rows = (
            client_for(portal.id, app.config["SETTINGS"])
            .call(
                "crm.timeline.comment.list",
                {"filter": {"ENTITY_ID": b24_id, "ENTITY_TYPE": f"dynamic_{stack.entity_type_id()}"}},
            )
            .result
        )
        db.session.remove()
    return [row["COMMENT"] for row in rows]


def test_a_crash_between_apply_and_ack_re_applies_without_doubling_anything(connected, app):
    created = connected.seed_requests()
    settle(connected)
    b24_id = created[1]["id"]
    ref = eventually(lambda: mirror(app, b24_id).onec_ref)
    onec_control(connected, "push-config", {"url": ""})  # the pull alone brings the changes
    onec_control(
        connected,
        f"requests/{ref}/interactions",
        {"kind": "call", "direction": "out", "text": "Перезвонили клиенту, выезд в четверг"},
    )
    onec_control(connected, f"requests/{ref}/status", {"status": "in_progress"})
    enqueue_pull(app)
    settle(connected)
    from_1c = [c for c in _comments(app, connected, b24_id) if "выезд в четверг" in c]
    assert len(from_1c) == 1 and from_1c[0].startswith("1С: Звонок")
    assert portal_item(app, connected, b24_id)["stageId"] == stage_of_state(app, "in_work")

    # The crash: the items were applied but neither the cursor nor the inbox rows were kept.
    with app.app_context():
        db.session.execute(delete(OneCInboxItem))
        db.session.scalars(select(OneCConnection)).one().feed_cursor = "0"
        db.session.commit()
        db.session.remove()
    enqueue_pull(app)
    settle(connected)
    assert len([c for c in _comments(app, connected, b24_id) if "выезд в четверг" in c]) == 1
    assert portal_item(app, connected, b24_id)["stageId"] == stage_of_state(app, "in_work")
    document = next(r for r in onec_requests(connected) if r.ref == ref)
    assert [row.status for row in document.status_history] == ["new", "in_progress"]
    assert len(document.status_history) == 2


def test_a_stale_version_is_re_read_and_the_change_sent_again(connected, app):
    created = connected.seed_requests()
    settle(connected)
    b24_id = created[2]["id"]
    ref = eventually(lambda: mirror(app, b24_id).onec_ref)
    onec_control(connected, "quirks", {"stale_version": True})
    move_stage(app, connected, b24_id, stage_of_state(app, "waiting"))
    settle(connected)
    document = next(r for r in onec_requests(connected) if r.ref == ref)
    assert document.status == "waiting_customer"
    updates = _rows(app, ExchangeLog, ExchangeLog.object_ref == ref, ExchangeLog.operation == "update")
    assert [(row.http_status, row.result) for row in updates] == [(412, "error"), (200, "ok")]


def test_html_500_and_bom_from_1c_are_survived_and_explained(connected, app):
    quirks = onec_control(connected, "quirks", {"fail_500_html": 1})
    assert quirks["bom"] and quirks["no_charset"]  # every answer of this test starts with a BOM
    connected.seed_requests()
    _settle_with_retries(connected, app)
    assert len(onec_requests(connected)) == DEMO_REQUESTS_1C_CAN_TAKE
    failed = _rows(app, ExchangeLog, ExchangeLog.http_status == 500)
    assert len(failed) == 1 and failed[0].result == "retry"
    assert "Конфликт блокировок" in failed[0].error_text and "<" not in failed[0].error_text
