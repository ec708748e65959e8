"""Client email templates: the Russian defaults render, and an admin's mistakes are reported clearly."""

from __future__ import annotations

import pytest

from b24app.models import NotifyEvent
from b24app.services.notify_templates import DEFAULTS, SAMPLE, TemplateProblem, render, validate


@pytest.mark.parametrize("event", NotifyEvent.ALL)
def test_every_default_template_renders_with_the_request_number(event):
    subject, body = DEFAULTS[event]
    rendered = render(subject, body, SAMPLE)
    assert SAMPLE.number in rendered.subject
    assert SAMPLE.number in rendered.body


def test_registration_email_names_number_title_responsible_and_expected_time():
    rendered = render(*DEFAULTS[NotifyEvent.REGISTERED], SAMPLE)
    assert rendered.subject == "Обращение №1024 зарегистрировано"
    for value in (SAMPLE.title, SAMPLE.responsible, SAMPLE.expected_time, SAMPLE.client_name):
        assert value in rendered.body


def test_survey_email_carries_the_link():
    rendered = render(*DEFAULTS[NotifyEvent.SURVEY], SAMPLE)
    assert SAMPLE.survey_url in rendered.body


def test_syntax_error_is_reported_with_field_and_line():
    with pytest.raises(TemplateProblem) as error:
        validate("Обращение {{ number }}", "Здравствуйте!\n{% if number %}\nнет конца")
    assert error.value.field == "body"
    assert error.value.line is not None
    assert "Текст, строка" in error.value.message
    assert "ошибка в шаблоне" in error.value.message


def test_unclosed_placeholder_in_subject_is_reported():
    with pytest.raises(TemplateProblem) as error:
        validate("Обращение {{ number", "текст")
    assert error.value.field == "subject"
    assert error.value.message.startswith("Тема")


def test_unknown_placeholder_is_named_and_the_known_ones_listed():
    with pytest.raises(TemplateProblem) as error:
        validate("Обращение {{ nomer }}", "текст")
    assert "{{ nomer }}" in error.value.message
    assert "number" in error.value.message


def test_empty_subject_is_refused():
    with pytest.raises(TemplateProblem, match="не заполнено"):
        validate("  ", "текст")


def test_sandbox_refuses_reaching_python_internals():
    with pytest.raises(TemplateProblem):
        validate("x", "{{ title.__class__.__mro__[1].__subclasses__() }}")


def test_line_breaks_in_a_rendered_subject_are_folded_into_one_line():
    rendered = render("Обращение\n№{{ number }}\r\nрешено", "текст", SAMPLE)
    assert rendered.subject == "Обращение №1024 решено"


def test_jinja_conditions_and_filters_work_in_templates():
    rendered = render(
        "{{ title | upper }}", "{% if responsible %}Ответственный: {{ responsible }}{% endif %}", SAMPLE
    )
    assert rendered.subject == SAMPLE.title.upper()
    assert rendered.body.strip() == f"Ответственный: {SAMPLE.responsible}"
