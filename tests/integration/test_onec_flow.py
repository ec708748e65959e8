"""The two-way 1C flow over real HTTP: requests become «Заявки» with a number on the item, statuses
changed in 1C move the card's stage, and nothing is created twice."""

from __future__ import annotations

import pytest

from .onec_fixtures import (
    connected_notifications,
    enqueue_pull,
    eventually,
    field_key,
    link,
    mirror,
    move_stage,
    onec_control,
    onec_requests,
    portal_item,
    settle,
    stage_of_state,
)


@pytest.fixture
def connected(installed):
    """The installed sandbox portal with the app connected to the sandbox 1C (URL, user, push token)."""
    installed.connect_onec()
    return installed


def test_a_request_created_in_the_portal_gets_a_1c_number_on_its_item(connected, app):
    created = connected.seed_requests()
    settle(connected)
    uralmash = created[1]  # «Уральский машзавод АО»: one counterparty with this INN and KPP
    req = eventually(lambda: mirror(app, uralmash["id"]).onec_number and mirror(app, uralmash["id"]))
    in_1c = [r for r in onec_requests(connected) if r.ref == req.onec_ref]
    assert len(in_1c) == 1 and in_1c[0].number == req.onec_number
    assert in_1c[0].subject.startswith("Гарантийный ремонт гидростанции")
    item = portal_item(app, connected, uralmash["id"])
    assert item[field_key(app, "SD_ONEC_NUMBER")] == req.onec_number
    assert item[field_key(app, "SD_ONEC_STATUS")] == "Новая"


def test_a_status_changed_in_1c_moves_the_card_and_repeats_change_nothing(connected, app):
    created = connected.seed_requests()
    settle(connected)
    b24_id = created[3]["id"]  # «КазаньПромАвтоматика»
    ref = eventually(lambda: mirror(app, b24_id).onec_ref, what="the «Заявка» in 1C")
    onec_control(connected, f"requests/{ref}/status", {"status": "resolved"})
    resolved = stage_of_state(app, "resolved")
    eventually(lambda: portal_item(app, connected, b24_id)["stageId"] == resolved, what="the stage move")
    settle(connected)
    assert mirror(app, b24_id).state == "resolved"
    assert portal_item(app, connected, b24_id)[field_key(app, "SD_ONEC_STATUS")] == "Выполнена"
    # The move came from 1C: the app does not write the same status back as a change of its own.
    document = next(r for r in onec_requests(connected) if r.ref == ref)
    assert [row.status for row in document.status_history] == ["new", "resolved"]
    # Every event again: the sync, the push of the same feed items, a pull.
    count = len(onec_requests(connected))
    connected.control("seed-requests", {"entity_type_id": connected.entity_type_id(), "robot": False})
    settle(connected)
    onec_control(connected, "push-now")
    enqueue_pull(app)
    settle(connected)
    assert len(onec_requests(connected)) == count + 3  # only the new requests, never the old ones again
    assert len({r.external_id for r in onec_requests(connected)}) == len(onec_requests(connected))
    assert [row.status for row in document.status_history] == ["new", "resolved"]


def test_a_stage_change_in_the_portal_reaches_1c_as_its_status(connected, app):
    created = connected.seed_requests()
    settle(connected)
    b24_id = created[1]["id"]
    ref = eventually(lambda: mirror(app, b24_id).onec_ref, what="the «Заявка» in 1C")
    move_stage(app, connected, b24_id, stage_of_state(app, "waiting"))
    settle(connected)
    document = next(r for r in onec_requests(connected) if r.ref == ref)
    assert document.status == "waiting_customer"
    assert link(app, b24_id).last_data_version_written == document.data_version
    # 1C's own feed item for that write is an echo: the card stays where the operator put it.
    settle(connected)
    assert portal_item(app, connected, b24_id)["stageId"] == stage_of_state(app, "waiting")


def test_several_counterparties_with_the_same_inn_and_kpp_wait_for_the_operator(connected, app):
    created = connected.seed_requests()
    settle(connected)
    b24_id = created[0]["id"]  # «ТЕХНО-ЛОГИСТИК»: 1C holds a duplicate with the same INN and KPP
    waiting = eventually(
        lambda: link(app, b24_id) and link(app, b24_id).decision == "needs_decision" and link(app, b24_id)
    )
    assert {c["name"] for c in waiting.candidates} == {"ТЕХНО-ЛОГИСТИК ООО", "Техно-Логистик"}
    assert not any(r.subject.startswith("Станок ЧПУ") for r in onec_requests(connected))
    notes = connected_notifications(connected)
    assert any("несколько подходящих контрагентов" in n["message"] for n in notes)
