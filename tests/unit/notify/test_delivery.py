"""Delivering a notification and applying a survey answer, against a fake Bitrix24 and the SMTP sink."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from b24app.extensions import db
from b24app.i18n import render
from b24app.models import ClientNotification, Job, RequestEvent, utcnow
from b24app.services import notify, survey
from b24app.services.mail import MailUnavailable
from b24app.services.pipeline import RequestChange
from sandbox.smtp import SmtpSink

from .factories import FakeBitrix, make_request, make_survey, set_up_portal

CONTACT = {"ID": "7", "EMAIL": [{"VALUE": "ivan@client.example", "VALUE_TYPE": "WORK"}]}
COMPANY = {"ID": "3", "EMAIL": [{"VALUE": "office@client.example", "VALUE_TYPE": "WORK"}]}


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


def _outbox(url: str) -> notify.Outbox:
    return notify.Outbox(url, "https://desk.example", "test-secret")


def _event(req, kind, ref, to_state=None, from_state=None) -> RequestEvent:
    event = RequestEvent(
        portal_id=req.portal_id,
        request_id=req.id,
        kind=kind,
        at=utcnow(),
        source_ref=ref,
        to_state=to_state,
        from_state=from_state,
        text="",
    )
    db.session.add(event)
    db.session.flush()
    return event


def test_creation_and_client_facing_stage_changes_notify_once_each(ctx):
    req = make_request(set_up_portal())
    change = RequestChange(
        new_events=[
            _event(req, "created", "created:42", to_state="new"),
            _event(req, "stage_changed", "stage:42:A", to_state="in_work", from_state="new"),
            _event(req, "stage_changed", "stage:42:B", to_state="in_work", from_state="in_work"),
            _event(req, "stage_changed", "stage:42:C", to_state="cancelled", from_state="in_work"),
            _event(req, "internal_note", "comment:1"),
        ]
    )
    assert notify.events_to_notify(change) == [("registered", "created:42"), ("in_work", "stage:42:A")]
    for event, ref in notify.events_to_notify(change) * 2:  # the pipeline may run again
        notify.queue_notification(req, event, ref)
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(ClientNotification)) == 2
    kinds = db.session.scalars(select(Job.kind)).all()
    assert kinds == ["notify.client", "notify.client"]


def test_the_contact_gets_the_email_and_the_timeline_a_copy(ctx, sink):
    portal = set_up_portal()
    req = make_request(portal)
    row = notify.queue_notification(req, "registered", "created:42")
    bitrix = FakeBitrix(contact=CONTACT, company=COMPANY)
    notify.deliver(portal, bitrix, row, _outbox(sink.url))
    mail = sink.mailbox.messages("ivan@client.example")
    assert [m.subject for m in mail] == ["Обращение №42 зарегистрировано"]
    assert (row.status, row.to, row.attempts) == ("sent", "ivan@client.example", 1)
    method, params = bitrix.calls[-1]
    assert method == "crm.timeline.comment.add"
    assert (
        params["fields"]["ENTITY_TYPE"] == "dynamic_1030"
        and "зарегистрировано" in params["fields"]["COMMENT"]
    )
    copy = db.session.scalars(select(RequestEvent).where(RequestEvent.kind == notify.NOTIFIED_KIND)).one()
    assert copy.source_ref == f"comment:{row.timeline_comment_id}"


def test_the_company_email_is_used_when_the_contact_has_none(ctx, sink):
    portal = set_up_portal()
    row = notify.queue_notification(make_request(portal), "closed", "stage:42:X")
    notify.deliver(
        portal, FakeBitrix(contact={"ID": "7", "EMAIL": []}, company=COMPANY), row, _outbox(sink.url)
    )
    assert row.to == "office@client.example" and row.status == "sent"


def test_no_email_leaves_a_note_instead_of_a_failure_loop(ctx, sink):
    portal = set_up_portal()
    row = notify.queue_notification(make_request(portal), "in_work", "stage:42:Y")
    bitrix = FakeBitrix(contact={"ID": "7"}, company={"ID": "3", "EMAIL": []})
    notify.deliver(portal, bitrix, row, _outbox(sink.url))  # no exception: nothing to retry
    assert row.status == "skipped" and "нет email" in render(row.last_error)
    assert sink.mailbox.messages() == []
    assert "crm.timeline.comment.add" not in bitrix.methods()


def test_an_smtp_outage_is_recorded_and_raised_for_the_queue_to_retry(ctx):
    portal = set_up_portal()
    row = notify.queue_notification(make_request(portal), "resolved", "stage:42:Z")
    db.session.commit()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MailUnavailable):
        notify.deliver(
            portal, FakeBitrix(contact=CONTACT), row, _outbox(f"smtp://127.0.0.1:{port}?timeout=2")
        )
    db.session.rollback()  # what the worker does: the failure was committed before raising
    stored = db.session.get(ClientNotification, row.id)
    assert stored.status == "failed" and "Письмо не отправлено" in render(stored.last_error)
    assert stored.attempts == 1


def test_a_switched_off_template_skips_the_notification(ctx, sink):
    portal = set_up_portal()
    notify.templates_of(portal.id)["waiting"].active = False
    row = notify.queue_notification(make_request(portal), "waiting", "stage:42:W")
    notify.deliver(portal, FakeBitrix(contact=CONTACT), row, _outbox(sink.url))
    assert row.status == "skipped" and sink.mailbox.messages() == []


def test_resolution_sends_a_survey_link_that_opens_the_survey(app, ctx, sink):
    portal = set_up_portal()
    req = make_request(portal)
    opened = survey.open_survey(req, "stage:42:R")
    assert survey.open_survey(req, "stage:42:R") is None  # one survey per resolution
    row = notify.queue_notification(req, "survey", "stage:42:R")
    notify.deliver(portal, FakeBitrix(contact=CONTACT), row, _outbox(sink.url))
    body = sink.mailbox.messages()[0].body
    link = next(word for word in body.split() if word.startswith("https://desk.example/survey/"))
    token = link.rsplit("/", 1)[1]
    assert survey.find_survey("test-secret", token).id == opened.id
    assert opened.sent_at is not None


def test_a_low_score_writes_csat_comments_and_tells_the_head_once(ctx):
    portal = set_up_portal()
    req = make_request(portal, group_id=None, assigned_by_id=3)
    answered = make_survey(req, answered_at=utcnow(), score=2, comment="Долго")
    bitrix = FakeBitrix(departments={2: 5}, user_departments={3: [2]})
    survey.apply_answer(portal, bitrix, answered)
    survey.apply_answer(portal, bitrix, answered)  # a retried job repeats nothing
    methods = bitrix.methods()
    assert methods.count("crm.item.update") == 1 and methods.count("im.notify.system.add") == 1
    update = next(p for m, p in bitrix.calls if m == "crm.item.update")
    assert update["fields"] == {"ufCrm1030SdCsat": 2}
    notice = next(p for m, p in bitrix.calls if m == "im.notify.system.add")
    assert notice["USER_ID"] == 5 and "2 из 5" in notice["MESSAGE"] and "Долго" in notice["MESSAGE"]
    assert answered.head_notified_id == 5


def test_the_group_of_the_request_wins_over_the_responsibles_department(ctx):
    portal = set_up_portal()
    req = make_request(portal, group_id=3, assigned_by_id=2)
    answered = make_survey(req, answered_at=utcnow(), score=1)
    bitrix = FakeBitrix(departments={3: 6, 2: 5}, user_departments={2: [2]})
    survey.apply_answer(portal, bitrix, answered)
    assert next(p for m, p in bitrix.calls if m == "im.notify.system.add")["USER_ID"] == 6


def test_a_good_score_tells_nobody(ctx):
    portal = set_up_portal()
    answered = make_survey(make_request(portal), answered_at=utcnow(), score=5)
    bitrix = FakeBitrix(departments={2: 5}, user_departments={2: [2]})
    survey.apply_answer(portal, bitrix, answered)
    assert "im.notify.system.add" not in bitrix.methods()
    assert "crm.item.update" in bitrix.methods()
