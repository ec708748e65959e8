"""The pipeline step `sla`: what it stores on the mirror and writes back to the item."""

from __future__ import annotations

from datetime import timedelta

from b24app.bitrix.values import parse_time
from b24app.extensions import db
from b24app.models import EventKind, RequestEvent, SlaEscalation, SlaPolicyRecord, utcnow
from b24app.services.pipeline import PipelineContext, RequestChange
from b24app.services.sla_pipeline import sla_step
from tests.unit.sla.desk import add_event, field_map, make_request, seeded_portal


def _around_the_clock(portal, **targets) -> SlaPolicyRecord:
    record = SlaPolicyRecord(
        portal_id=portal.id, code="fast", name="Круглосуточно", position=0, business_hours=False, **targets
    )
    db.session.add(record)
    db.session.flush()
    return record


def _run(portal, req, item=None) -> PipelineContext:
    ctx = PipelineContext(portal, None, req, item or {}, RequestChange(), field_map())
    sla_step(ctx)
    db.session.commit()
    return ctx


def test_a_new_request_gets_its_due_time_and_state_written_back(ctx):
    portal = seeded_portal()
    _around_the_clock(portal, first_response=30, resolution=120)
    created = (utcnow() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    req = make_request(portal, created)
    add_event(req, EventKind.CREATED, created, "created:1", to_state="new")
    run = _run(portal, req)
    assert req.first_response_due == created + timedelta(minutes=30)
    assert req.resolution_due == created + timedelta(minutes=120)
    assert req.sla_state == "on_track" and req.sla_minutes["first_response"] == 10
    assert run.updates["ufCrm7SdSlaState"] == 11
    assert parse_time(run.updates["ufCrm7SdSlaDue"]) == created + timedelta(minutes=30)
    again = _run(portal, req, item=dict(run.updates))
    assert again.updates == {}  # nothing changed: no write-back, no event loop


def test_a_public_reply_meets_the_first_response_and_schedules_the_resolution(ctx):
    portal = seeded_portal()
    _around_the_clock(portal, first_response=30, resolution=120)
    created = (utcnow() - timedelta(minutes=50)).replace(second=0, microsecond=0)
    req = make_request(portal, created)
    add_event(req, EventKind.CREATED, created, "created:1", to_state="new")
    add_event(req, EventKind.INTERNAL_NOTE, created + timedelta(minutes=5), "comment:1")
    add_event(req, EventKind.PUBLIC_REPLY, created + timedelta(minutes=20), "activity:2")
    _run(portal, req)
    assert req.first_response_at == created + timedelta(minutes=20)
    assert req.sla_minutes["first_response"] == 20
    schedule = db.session.get(SlaEscalation, req.id)
    assert schedule.episode.startswith("resolution:")
    assert schedule.breach_at == created + timedelta(minutes=120)
    assert schedule.warning_at == created + timedelta(minutes=96)


def test_waiting_for_the_client_pauses_the_clock_and_clears_the_schedule(ctx):
    portal = seeded_portal()
    _around_the_clock(portal, first_response=30)
    created = utcnow() - timedelta(minutes=10)
    req = make_request(portal, created, state="waiting")
    add_event(req, EventKind.CREATED, created, "created:1", to_state="new")
    add_event(req, EventKind.STAGE_CHANGED, created + timedelta(minutes=5), "stage:1", to_state="waiting")
    run = _run(portal, req)
    assert req.sla_state == "paused" and req.first_response_due is None
    assert run.updates["ufCrm7SdSlaState"] == 14
    assert db.session.get(SlaEscalation, req.id) is None


def test_a_client_message_after_resolution_reopens_once(ctx):
    portal = seeded_portal()
    _around_the_clock(portal, first_response=30, resolution=240)
    created = utcnow() - timedelta(hours=2)
    req = make_request(portal, created, state="resolved", stage_id="DT1_1:RESOLVED")
    add_event(req, EventKind.CREATED, created, "created:1", to_state="new")
    add_event(req, EventKind.PUBLIC_REPLY, created + timedelta(minutes=10), "activity:1")
    add_event(req, EventKind.STAGE_CHANGED, created + timedelta(minutes=60), "stage:1", to_state="resolved")
    add_event(req, EventKind.CLIENT_MESSAGE, created + timedelta(minutes=90), "activity:2", channel="email")
    run = _run(portal, req, item={"stageId": "DT1_1:RESOLVED"})
    assert run.updates["stageId"] == "DT1_1:PREPARATION"
    assert req.reopen_count == 1 and req.resolved_at is None
    assert req.sla_minutes["resolution"] == 60 + 30  # the half hour in «resolved» did not count
    _run(portal, req, item={"stageId": "DT1_1:RESOLVED"})
    reopened = db.session.query(RequestEvent).filter_by(request_id=req.id, kind=EventKind.REOPENED).all()
    assert req.reopen_count == 1 and [e.source_ref for e in reopened] == ["reopen:activity:2"]


def test_a_follow_up_item_knows_its_parent_from_its_xml_id(ctx):
    portal = seeded_portal()
    req = make_request(portal, utcnow())
    _run(portal, req, item={"xmlId": "sd-followup:41:activity:7"})
    assert req.parent_b24_id == 41
