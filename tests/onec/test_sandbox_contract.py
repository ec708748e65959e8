"""The sandbox 1C driven over real HTTP by the client: the contract v1 behaviours the app relies on."""

import uuid
from datetime import UTC, datetime

import pytest
import requests

from onec_client import OneCAmbiguous, OneCAuthError, OneCNotFound, OneCStale, OneCValidation
from onec_client.models import EMPTY_GUID


def new_company():
    return {
        "kind": "legal",
        "inn": "7707083893",
        "kpp": "773601001",
        "name": "ПАО СБЕРБАНК",
        "phone": "+7 495 500-55-50",
    }


def test_ping_declares_the_moscow_zone_and_dates_come_back_in_utc(onec):
    info = onec.client().ping()
    assert info.tz == "Europe/Moscow"
    assert abs((info.server_time - datetime.now(UTC)).total_seconds()) < 5


def test_find_or_create_twice_with_one_key_creates_one_counterparty(onec):
    client = onec.client()
    key = str(uuid.uuid4())
    first = client.find_or_create_counterparty(new_company(), key)
    again = client.find_or_create_counterparty(new_company(), key)
    assert again == first
    assert first.external_id == key
    assert len(client.find_counterparties("7707083893")) == 1


def test_same_inn_and_kpp_with_another_key_returns_the_existing_counterparty(onec):
    client = onec.client()
    created = client.find_or_create_counterparty(new_company())
    assert client.find_or_create_counterparty(new_company()).ref == created.ref


def test_duplicates_in_1c_give_an_ambiguous_match_with_both_candidates(onec, technolog):
    with pytest.raises(OneCAmbiguous) as caught:
        onec.client().find_or_create_counterparty(technolog)
    assert sorted(c.name for c in caught.value.candidates) == ["ТЕХНО-ЛОГИСТИК ООО", "Техно-Логистик"]


def test_invalid_inn_is_refused_by_1c_with_its_code(onec):
    with pytest.raises(OneCValidation) as caught:
        onec.client().find_or_create_counterparty({"inn": "5024089921", "kpp": "502401001", "name": "x"})
    assert caught.value.code == "COUNTERPARTY_INN_INVALID"
    assert caught.value.status == 422


def test_branch_shares_the_inn_and_points_to_its_head(onec):
    found = onec.client().find_counterparties("6612345676")
    branch = next(c for c in found if c.is_branch)
    head = next(c for c in found if not c.is_branch)
    assert branch.head_ref == head.ref
    assert branch.kpp != head.kpp


def test_merged_duplicate_is_deletion_marked_and_points_to_the_survivor(onec):
    found = onec.client().find_counterparties("5409876540")
    merged = next(c for c in found if c.deletion_mark)
    survivor = next(c for c in found if not c.deletion_mark)
    assert merged.replaced_by == survivor.ref
    assert survivor.replaced_by is None  # sent as the empty GUID


def test_sole_proprietor_is_found_by_inn_alone_and_has_no_kpp(onec):
    [ip] = onec.client().find_counterparties("771234567859")
    assert (ip.kind, ip.kpp) == ("sole_proprietor", "")


def test_stale_data_version_is_refused_after_someone_else_wrote(onec):
    client = onec.client()
    counterparty = client.find_or_create_counterparty(new_company())
    updated = client.update_counterparty(
        counterparty.ref, {"phone": "+7 495 111-11-11"}, counterparty.data_version
    )
    assert updated.data_version != counterparty.data_version
    with pytest.raises(OneCStale):
        client.update_counterparty(counterparty.ref, {"phone": "+7 495 222-22-22"}, counterparty.data_version)
    assert client.get_counterparty(counterparty.ref).phone == "+7 495 111-11-11"


def test_request_lifecycle_number_status_history_and_interactions(onec):
    client = onec.client()
    counterparty = client.find_or_create_counterparty(new_company())
    key = str(uuid.uuid4())
    created = client.create_request(
        {"counterparty_ref": counterparty.ref, "subject": "Станок не включается", "kind": "support"}, key
    )
    assert created.number.startswith("0000-")
    assert created.status == "new" and created.external_id == key
    assert (
        client.create_request({"counterparty_ref": counterparty.ref, "subject": "Станок не включается"}, key)
        == created
    )
    resolved = client.update_request(created.ref, {"status": "resolved"}, created.data_version)
    assert [row.status for row in resolved.status_history] == ["new", "resolved"]
    assert resolved.actual_date is not None and resolved.posted
    row_id = str(uuid.uuid4())
    row = client.put_interaction(
        created.ref, row_id, {"kind": "email", "direction": "out", "text": "Ответ клиенту"}
    )
    assert (
        client.put_interaction(
            created.ref, row_id, {"kind": "email", "direction": "out", "text": "Ответ клиенту"}
        )
        == row
    )


def test_unknown_request_is_not_found_and_unknown_template_is_plain_404(onec):
    client = onec.client()
    with pytest.raises(OneCNotFound) as known_template:
        client.get_request(str(uuid.uuid4()))
    assert known_template.value.code == "NOT_FOUND"
    answer = requests.get(f"{onec.base_url}/no-such-template", auth=("exchange", "exchange"), timeout=5)
    assert (answer.status_code, answer.headers["Content-Type"].split(";")[0]) == (404, "text/plain")


def test_wrong_password_is_an_auth_error(onec):
    client = onec.client()
    client.auth = ("exchange", "wrong")
    with pytest.raises(OneCAuthError):
        client.find_counterparties("5024089920")


def test_request_for_a_deleted_counterparty_is_refused(onec):
    merged = next(c for c in onec.client().find_counterparties("5409876540") if c.deletion_mark)
    with pytest.raises(OneCValidation) as caught:
        onec.client().create_request({"counterparty_ref": merged.ref, "subject": "x"})
    assert caught.value.details["replaced_by"] == merged.replaced_by != EMPTY_GUID


def test_full_listing_pages_through_every_counterparty(onec):
    assert onec.control("POST", "counterparties/bulk", json={"count": 1200}).json()["total"] == 1210
    client = onec.client(tz="Europe/Moscow")
    seen, cursor = [], None
    while True:
        page, cursor = client.list_counterparties(after=cursor, limit=500)
        seen.extend(page)
        if cursor is None:
            break
    assert len({c.ref for c in seen}) == 1210
    assert all(c.inn for c in seen)
