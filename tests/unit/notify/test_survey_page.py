"""The public survey page: a good link shows the form and stores one answer; expired, reused, tampered or
cross-site submissions get a clear page and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from b24app.extensions import db
from b24app.models import Job, Survey
from b24app.services.survey import link_token

from .factories import make_request, make_survey, set_up_portal

ORIGIN = "http://localhost"


@pytest.fixture
def open_survey(app, ctx):
    portal = set_up_portal()
    survey = make_survey(make_request(portal))
    return survey.id, link_token(app.config["SECRET_KEY"], survey)


def _answer(client, token, **form):
    data = {"token": token, "score": "4", "comment": "Быстро помогли", **form}
    return client.post(f"/survey/{token}", data=data, headers={"Origin": ORIGIN})


def _stored(survey_id: int) -> Survey:
    db.session.expire_all()
    return db.session.get(Survey, survey_id)


def _jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.kind == "survey.answered")))


def test_the_form_shows_stars_and_the_nps_question_with_strict_headers(client, open_survey):
    _, token = open_survey
    page = client.get(f"/survey/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('name="score"') == 5 and html.count('name="nps"') == 11
    assert 'name="viewport"' in html
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "http" not in html.split("<body>")[0].replace('content="width', "")  # no external assets


def test_an_answer_is_stored_once_and_queued_for_bitrix24(client, open_survey):
    survey_id, token = open_survey
    done = _answer(client, token, nps="9")
    assert done.status_code == 200 and "Спасибо за оценку" in done.get_data(as_text=True)
    stored = _stored(survey_id)
    assert (stored.score, stored.nps, stored.comment) == (4, 9, "Быстро помогли")
    assert [j.payload for j in _jobs()] == [{"survey_id": survey_id}]


def test_a_reused_link_gets_410_and_keeps_the_first_answer(client, open_survey):
    survey_id, token = open_survey
    _answer(client, token, score="5")
    again = _answer(client, token, score="1", comment="передумал")
    assert again.status_code == 410
    assert "уже ответили" in again.get_data(as_text=True)
    assert client.get(f"/survey/{token}").status_code == 410
    stored = _stored(survey_id)
    assert (stored.score, stored.comment) == (5, "Быстро помогли")
    assert len(_jobs()) == 1


def test_an_expired_link_gets_410_and_stores_nothing(app, client, ctx):
    portal = set_up_portal()
    survey = make_survey(make_request(portal), expires_in=timedelta(seconds=-1))
    token = link_token(app.config["SECRET_KEY"], survey)
    assert client.get(f"/survey/{token}").status_code == 410
    answered = _answer(client, token)
    assert answered.status_code == 410
    assert "Срок действия ссылки истёк" in answered.get_data(as_text=True)
    assert _stored(survey.id).answered_at is None and _jobs() == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-3] + ("abc" if not t.endswith("abc") else "xyz"),  # signature changed
        lambda t: t.split(".")[0] + ".e30." + t.split(".")[2],  # claims replaced
        lambda t: "not-a-token",
    ],
)
def test_a_tampered_link_gets_400_and_stores_nothing(client, open_survey, tamper):
    survey_id, token = open_survey
    bad = tamper(token)
    assert client.get(f"/survey/{bad}").status_code == 400
    answered = _answer(client, bad)
    assert answered.status_code == 400
    assert "повреждена" in answered.get_data(as_text=True)
    assert _stored(survey_id).answered_at is None and _jobs() == []


def test_a_link_signed_with_another_key_is_refused(client, open_survey, ctx):
    survey_id, _ = open_survey
    forged = link_token("another-secret", _stored(survey_id))
    assert client.get(f"/survey/{forged}").status_code == 400


def test_a_post_from_another_site_is_refused(client, open_survey):
    survey_id, token = open_survey
    answered = client.post(
        f"/survey/{token}", data={"token": token, "score": "1"}, headers={"Origin": "https://evil.example"}
    )
    assert answered.status_code == 400
    assert _stored(survey_id).answered_at is None


def test_the_form_token_must_match_the_link(client, open_survey):
    survey_id, token = open_survey
    answered = client.post(
        f"/survey/{token}", data={"token": "other", "score": "5"}, headers={"Origin": ORIGIN}
    )
    assert answered.status_code == 400
    assert _stored(survey_id).answered_at is None


@pytest.mark.parametrize(
    ("form", "message"),
    [({"score": ""}, "Выберите оценку"), ({"score": "6"}, "Выберите оценку"), ({"nps": "11"}, "от 0 до 10")],
)
def test_an_invalid_answer_shows_the_form_again_with_the_reason(client, open_survey, form, message):
    survey_id, token = open_survey
    answered = _answer(client, token, **form)
    assert answered.status_code == 400
    html = answered.get_data(as_text=True)
    assert message in html and 'name="score"' in html
    assert _stored(survey_id).answered_at is None
