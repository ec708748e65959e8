"""What a request needs before it goes to 1C, and what the app sends and writes for it."""

from __future__ import annotations

import pytest

from b24app.services.onec_rules import (
    ClientData,
    changed_fields,
    client_problems,
    document_fields,
    interaction_comment,
    interaction_id,
    write_key,
)

COMPANY = ClientData(4, 7, "ТЕХНО-ЛОГИСТИК ООО", phone="+7 495 100-20-30", inn="5024089920", kpp="502401001")


def test_a_complete_company_request_has_no_problems():
    assert client_problems(COMPANY, "Станок не включается") == []


@pytest.mark.parametrize(
    ("client", "description", "says"),
    [
        (ClientData(), "текст", "Не указан клиент"),
        (ClientData(4, 7, "ООО", inn="5024089920", kpp="502401001"), "текст", "нет ни телефона, ни e-mail"),
        (ClientData(4, 7, "ООО", email="a@b.ru", kpp="502401001"), "текст", "ИНН не заполнен"),
        (
            ClientData(4, 7, "ООО", email="a@b.ru", inn="5024089921", kpp="502401001"),
            "текст",
            "контрольные цифры ИНН",
        ),
        (
            ClientData(4, 7, "ООО", email="a@b.ru", inn="5024089920", kpp="50240100"),
            "текст",
            "КПП должен содержать 9",
        ),
        (
            ClientData(4, 7, "ИП", email="a@b.ru", inn="771234567859", kpp="502401001"),
            "текст",
            "КПП должен быть пустым",
        ),
        (COMPANY, "  ", "Нет описания"),
    ],
)
def test_each_missing_or_wrong_item_is_named_for_the_operator(client, description, says):
    problems = client_problems(client, description)
    assert len(problems) == 1 and says in problems[0]


def test_a_sole_proprietor_is_sent_without_kpp_and_a_legal_entity_with_it():
    ip = ClientData(4, 8, "ИП Иванов", email="i@x.ru", inn="771234567859")
    assert client_problems(ip, "текст") == []
    assert ip.counterparty_body()["kind"] == "sole_proprietor" and ip.counterparty_body()["kpp"] == ""
    assert COMPANY.counterparty_body() | {"kind": "legal", "kpp": "502401001"} == COMPANY.counterparty_body()


def test_states_become_1c_statuses_and_only_differences_are_sent():
    wanted = document_fields("Течь масла", "", "warranty", "waiting")
    assert wanted == {
        "subject": "Течь масла",
        "description": "Течь масла",
        "kind": "warranty",
        "status": "waiting_customer",
    }
    assert document_fields("t", "d", "unknown", "new")["kind"] == "support"
    snapshot = {"subject": "Течь масла", "description": "Течь масла", "kind": "warranty", "status": "new"}
    assert changed_fields(wanted, snapshot) == {"status": "waiting_customer"}


def test_keys_are_stable_per_source_and_differ_between_writes():
    assert interaction_id("m1", "activity:5") == interaction_id("m1", "activity:5")
    assert interaction_id("m1", "activity:5") != interaction_id("m2", "activity:5")
    assert write_key("e", "patch", "v1") != write_key("e", "patch", "v2")


def test_an_interaction_from_1c_reads_as_a_timeline_comment():
    text = interaction_comment(
        {"kind": "call", "direction": "out", "responsible": "Иванов И.И.", "text": "Выезд в четверг"}
    )
    assert text == "1С: Звонок · исходящее · Иванов И.И.\nВыезд в четверг"
