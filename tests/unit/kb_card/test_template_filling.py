"""Reply templates filled from the request mirror, and what the editor is told about bad ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from b24app.models import ServiceRequest
from b24app.services.kb.templates import TemplateInvalid, fill, validate_template, values_for

BODY = (
    "Здравствуйте, {client_name}! Обращение № {request_number}, ответственный {responsible}, "
    "срок {due_time}, заявка 1С {onec_number}."
)


def request(**fields) -> ServiceRequest:
    values = {"b24_id": 24, "title": "Станок не включается", "assigned_name": "Анна Смирнова"}
    values.update(fields)
    return ServiceRequest(**values)


def test_template_is_filled_with_client_number_responsible_due_in_moscow_time_and_1c_number():
    req = request(
        company_title="ТЕХНО-ЛОГИСТИК ООО",
        onec_number="000123",
        first_response_due=datetime(2026, 3, 2, 7, 30, tzinfo=UTC),
        resolution_due=datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
    )
    assert fill(BODY, values_for(req)) == (
        "Здравствуйте, ТЕХНО-ЛОГИСТИК ООО! Обращение № 24, ответственный Анна Смирнова, "
        "срок 02.03.2026 10:30, заявка 1С 000123."
    )


def test_contact_stands_in_for_a_missing_company_and_unknown_values_become_a_dash():
    req = request(contact_name="Сергей Иванов", assigned_name=None)
    filled = fill(BODY, values_for(req))
    assert filled.startswith("Здравствуйте, Сергей Иванов! Обращение № 24, ответственный —, срок —,")
    assert filled.endswith("заявка 1С —.")


def test_once_answered_the_due_time_is_the_resolution_deadline():
    req = request(
        first_response_due=datetime(2026, 3, 2, 7, 30, tzinfo=UTC),
        first_response_at=datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
        resolution_due=datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
    )
    assert values_for(req)["due_time"] == "04.03.2026 15:00"


def test_braces_that_are_not_placeholders_are_left_as_written():
    assert fill("Код {E17} и {client_name}", {"client_name": "ООО Ромашка"}) == "Код {E17} и ООО Ромашка"


def test_unknown_placeholder_and_empty_title_are_refused_with_the_allowed_list():
    with pytest.raises(TemplateInvalid) as caught:
        validate_template({"title": " ", "body": "Здравствуйте, {client}!"})
    messages = {p.field: p.message for p in caught.value.problems}
    assert messages["title"] == "название обязательно"
    assert "client" in messages["body"] and "{client_name}" in messages["body"]
