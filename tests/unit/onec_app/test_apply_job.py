"""The onec.apply job: a status pushed by 1C lands on the portal's request mirror."""

from __future__ import annotations

from sqlalchemy import select

from b24app.extensions import db
from b24app.jobs import queue
from b24app.jobs.worker import run_one
from b24app.models import ExchangeLog, InboxStatus, JobStatus, OneCInboxItem, ServiceRequest
from b24app.services.onec_link import issue_push_token
from tests.factories import make_portal

REF = "0f8fad5b-d9cb-469f-a165-70867728950e"


def _push(client, token, items):
    answer = client.post(
        "/api/1c/v1/events", json={"items": items}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 202
    return answer


def _run_all() -> None:
    while (job := queue.claim("test")) is not None:
        run_one(job)
        assert job.status == JobStatus.DONE, job.last_error


def _item(seq: int) -> OneCInboxItem:
    db.session.expire_all()
    return db.session.scalars(select(OneCInboxItem).where(OneCInboxItem.seq == seq)).one()


def test_status_change_marks_the_item_applied_and_updates_the_request(client, ctx):
    portal = make_portal()
    token = issue_push_token(portal)
    db.session.add(ServiceRequest(portal_id=portal.id, b24_id=24, onec_ref=REF))
    db.session.commit()
    _push(
        client,
        token,
        [
            {
                "seq": 1,
                "type": "request.status_changed",
                "ref": REF,
                "status": "resolved",
                "data": {"number": "0000-000123"},
            }
        ],
    )
    _run_all()
    item = _item(1)
    assert item.status == InboxStatus.APPLIED and item.applied_at is not None
    request = db.session.scalars(select(ServiceRequest)).one()
    assert (request.onec_status, request.onec_number) == ("resolved", "0000-000123")
    log = db.session.scalars(select(ExchangeLog)).one()
    assert (log.direction, log.object_ref, log.result) == ("from_1c", REF, "ok")


def test_items_it_cannot_apply_are_kept_with_the_reason(client, ctx):
    portal = make_portal()
    token = issue_push_token(portal)
    other = make_portal(domain="other.bitrix24.ru")
    # The ref belongs to another portal: this portal's push must not touch it.
    db.session.add(ServiceRequest(portal_id=other.id, b24_id=24, onec_ref=REF))
    db.session.commit()
    _push(
        client,
        token,
        [
            {"seq": 1, "type": "request.status_changed", "ref": REF, "status": "closed"},
            {"seq": 2, "type": "counterparty.updated", "ref": "c1"},
            {"seq": 3, "type": "contract.signed"},
        ],
    )
    _run_all()
    assert [_item(s).status for s in (1, 2, 3)] == [
        InboxStatus.UNMATCHED,
        InboxStatus.DEFERRED,
        InboxStatus.UNSUPPORTED,
    ]
    assert all(_item(s).applied_at is None for s in (1, 2, 3))
    assert db.session.scalars(select(ServiceRequest)).one().onec_status is None
