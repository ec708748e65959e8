"""One reminder about an unanswered survey: a few days later, in working hours, while still resolved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from b24app.extensions import db
from b24app.i18n import render
from b24app.models import ClientNotification, NotifyEvent
from b24app.services import notify, survey_reminders
from b24app.services.sla_policies import ensure_defaults
from sandbox.smtp import SmtpSink

from .factories import FakeBitrix, make_request, make_survey, set_up_portal

TUESDAY_11_MSK = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SUNDAY_11_MSK = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
CONTACT = {"ID": "7", "EMAIL": [{"VALUE": "ivan@client.example", "VALUE_TYPE": "WORK"}]}


def _portal():
    portal = set_up_portal()
    ensure_defaults(portal, today=date(2026, 11, 24))
    db.session.commit()
    return portal


def _reminders() -> list[ClientNotification]:
    return list(
        db.session.scalars(
            select(ClientNotification).where(ClientNotification.event == NotifyEvent.SURVEY_REMINDER)
        )
    )


def _survey(req, sent_days_ago: float, **overrides):
    sent = TUESDAY_11_MSK - timedelta(days=sent_days_ago)
    values = {"sent_at": sent, "created_at": sent, "expires_at": sent + timedelta(days=28), **overrides}
    return make_survey(req, **values)


def test_an_unanswered_survey_is_reminded_once_after_three_days(ctx):
    portal = _portal()
    survey = _survey(make_request(portal), 3.5)
    _survey(make_request(portal, b24_id=43), 1)  # too early

    assert survey_reminders.remind(portal, TUESDAY_11_MSK) == 1
    assert survey_reminders.remind(portal, TUESDAY_11_MSK + timedelta(hours=1)) == 0
    [row] = _reminders()
    assert row.stage_entry_ref == survey.resolution_ref and survey.reminded_at is not None


@pytest.mark.parametrize(
    ("case", "request_overrides", "survey_overrides"),
    [
        ("answered", {}, {"answered_at": TUESDAY_11_MSK - timedelta(days=1), "score": 5}),
        ("reopened", {"state": "in_work"}, {}),
        ("link about to expire", {}, {"expires_at": TUESDAY_11_MSK + timedelta(hours=12)}),
    ],
)
def test_no_reminder_when_it_is_not_wanted(ctx, case, request_overrides, survey_overrides):
    portal = _portal()
    _survey(make_request(portal, **request_overrides), 5, **survey_overrides)
    assert survey_reminders.remind(portal, TUESDAY_11_MSK) == 0, case
    assert _reminders() == []


def test_reminders_wait_for_working_hours_and_can_be_switched_off(ctx):
    portal = _portal()
    _survey(make_request(portal), 5)
    assert survey_reminders.remind(portal, SUNDAY_11_MSK) == 0
    survey_reminders.set_reminder_days(portal, 0)
    assert survey_reminders.remind(portal, TUESDAY_11_MSK) == 0
    survey_reminders.set_reminder_days(portal, 3)
    assert survey_reminders.remind(portal, TUESDAY_11_MSK) == 1


def test_the_reminder_carries_the_link_and_is_dropped_if_the_client_answered_meanwhile(ctx):
    portal = _portal()
    req = make_request(portal)
    survey = _survey(req, 4)
    survey_reminders.remind(portal, TUESDAY_11_MSK)
    [row] = _reminders()
    with SmtpSink() as sink:
        outbox = notify.Outbox(sink.url, "https://desk.example", "test-secret")
        notify.deliver(portal, FakeBitrix(contact=CONTACT), row, outbox)
        [mail] = sink.mailbox.messages("ivan@client.example")
    assert mail.subject == "Напоминание: оцените решение обращения №42"
    assert "https://desk.example/survey/" in mail.body

    second = make_request(portal, b24_id=44)
    answered = _survey(second, 4)
    survey_reminders.remind(portal, TUESDAY_11_MSK)
    late = next(r for r in _reminders() if r.request_id == second.id)
    answered.answered_at, answered.score = datetime.now(UTC), 4
    db.session.commit()
    bitrix = FakeBitrix(contact=CONTACT)
    notify.deliver(portal, bitrix, late, outbox)
    assert late.status == "skipped" and "уже ответил" in render(late.last_error)
    assert bitrix.calls == []
    assert survey.reminded_at is not None
