"""How the 1C client reads what 1C answers and what it sends, with the HTTP layer mocked."""

import json
from datetime import UTC, datetime

import pytest
import requests
import responses

from onec_client import (
    OneCAmbiguous,
    OneCAuthError,
    OneCClient,
    OneCNotFound,
    OneCStale,
    OneCThrottled,
    OneCUnavailable,
    OneCValidation,
)

BASE = "http://1c.test/sd/hs/servicedesk/v1"
BOM = b"\xef\xbb\xbf"
REF = "a348aa8c-d629-11e5-0a9b-000c295e30eb"


def make_client(**kwargs):
    return OneCClient(BASE, "exchange", "secret", tz=kwargs.pop("tz", "Europe/Moscow"), **kwargs)


def counterparty_json(**overrides):
    data = {
        "ref": REF,
        "external_id": "",
        "kind": "legal",
        "inn": "5024089920",
        "kpp": "502401001",
        "name": "ТЕХНО-ЛОГИСТИК ООО",
        "is_branch": False,
        "head_ref": None,
        "replaced_by": "00000000-0000-0000-0000-000000000000",
        "deletion_mark": False,
        "data_version": "AAAAAQAAAAE=",
        "modified_at": "2026-03-01T11:59:58",
    }
    return {**data, **overrides}


def body_bytes(payload, bom=True):
    raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return BOM + raw if bom else raw


@responses.activate
def test_json_with_bom_and_no_charset_is_read_as_utf8():
    responses.get(
        f"{BASE}/counterparties/{REF}", body=body_bytes(counterparty_json()), content_type="application/json"
    )
    counterparty = make_client().get_counterparty(REF)
    assert counterparty.name == "ТЕХНО-ЛОГИСТИК ООО"


@responses.activate
def test_dates_without_offset_are_read_in_the_infobase_zone_declared_by_ping():
    responses.get(
        f"{BASE}/ping",
        body=body_bytes(
            {
                "status": "ok",
                "api": "1.0",
                "config": "БП 3.0",
                "tz": "Asia/Yekaterinburg",
                "server_time": "2026-03-01T17:00:00",
            }
        ),
    )
    responses.get(f"{BASE}/counterparties/{REF}", body=body_bytes(counterparty_json()))
    client = OneCClient(BASE, "exchange", "secret")
    counterparty = client.get_counterparty(REF)
    assert counterparty.modified_at == datetime(2026, 3, 1, 6, 59, 58, tzinfo=UTC)
    client.get_counterparty(REF)
    assert [call.request.url.rsplit("/", 1)[-1] for call in responses.calls].count("ping") == 1


@responses.activate
def test_ping_reports_server_time_in_utc():
    responses.get(
        f"{BASE}/ping",
        body=body_bytes(
            {
                "status": "ok",
                "api": "1.0",
                "config": "БП 3.0",
                "tz": "Europe/Moscow",
                "server_time": "2026-03-01T12:00:00",
            }
        ),
    )
    info = OneCClient(BASE, "exchange", "secret").ping()
    assert info.tz == "Europe/Moscow"
    assert info.server_time == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@responses.activate
def test_empty_date_and_empty_guid_mean_none():
    responses.get(
        f"{BASE}/requests/{REF}",
        body=body_bytes(
            {
                "ref": REF,
                "number": "0000-000123",
                "date": "2026-03-01T12:00:00",
                "counterparty_ref": "00000000-0000-0000-0000-000000000000",
                "kind": "support",
                "status": "new",
                "planned_date": "0001-01-01T00:00:00",
                "status_history": [{"status": "new", "at": "2026-03-01T12:00:00", "author": "Обмен"}],
            }
        ),
    )
    request = make_client().get_request(REF)
    assert request.counterparty_ref is None
    assert request.planned_date is None
    assert request.date == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert request.status_history[0].at == request.date


@responses.activate
def test_html_500_is_unavailable_and_retryable_with_the_1c_text_kept():
    page = "<html><body><h1>500</h1><p>Ошибка при вызове метода контекста (Записать)</p></body></html>"
    responses.get(f"{BASE}/requests/{REF}", body=page.encode("utf-8"), status=500, content_type="text/html")
    with pytest.raises(OneCUnavailable) as caught:
        make_client().get_request(REF)
    assert caught.value.retryable
    assert caught.value.status == 500
    assert "Ошибка при вызове метода контекста (Записать)" in caught.value.message
    assert "<p>" not in caught.value.message


@responses.activate
def test_plain_text_404_of_an_unknown_template_is_not_found():
    responses.get(f"{BASE}/requests/{REF}", body="404 Not Found", status=404, content_type="text/plain")
    with pytest.raises(OneCNotFound) as caught:
        make_client().get_request(REF)
    assert not caught.value.retryable
    assert caught.value.message == "404 Not Found"


@responses.activate
def test_401_is_an_auth_error_that_is_not_retried():
    responses.get(f"{BASE}/requests/{REF}", body="Unauthorized", status=401)
    with pytest.raises(OneCAuthError) as caught:
        make_client().get_request(REF)
    assert not caught.value.retryable


@responses.activate
def test_412_is_stale_and_if_match_carries_the_data_version():
    responses.patch(
        f"{BASE}/requests/{REF}",
        body=body_bytes(
            {"error": {"code": "STALE", "message": "Данные изменены", "details": {"data_version": "v9"}}}
        ),
        status=412,
    )
    with pytest.raises(OneCStale) as caught:
        make_client().update_request(REF, {"status": "resolved"}, "v7")
    assert caught.value.code == "STALE"
    assert caught.value.details == {"data_version": "v9"}
    assert responses.calls[0].request.headers["If-Match"] == "v7"


@responses.activate
def test_409_ambiguous_match_gives_the_candidates():
    candidates = [
        counterparty_json(),
        counterparty_json(ref="b348aa8c-d629-11e5-0a9b-000c295e30eb", name="Техно-Логистик"),
    ]
    responses.post(
        f"{BASE}/counterparties",
        body=body_bytes(
            {
                "error": {
                    "code": "AMBIGUOUS_MATCH",
                    "message": "Несколько",
                    "details": {"candidates": candidates},
                }
            }
        ),
        status=409,
    )
    with pytest.raises(OneCAmbiguous) as caught:
        make_client().find_or_create_counterparty({"inn": "5024089920", "kpp": "502401001", "name": "x"})
    assert [c.name for c in caught.value.candidates] == ["ТЕХНО-ЛОГИСТИК ООО", "Техно-Логистик"]
    assert not caught.value.retryable


@responses.activate
def test_422_invalid_inn_keeps_code_and_message():
    responses.post(
        f"{BASE}/counterparties",
        body=body_bytes(
            {
                "error": {
                    "code": "COUNTERPARTY_INN_INVALID",
                    "message": "Некорректный ИНН",
                    "details": {"inn": "123"},
                }
            }
        ),
        status=422,
    )
    with pytest.raises(OneCValidation) as caught:
        make_client().find_or_create_counterparty({"inn": "123", "name": "x"})
    assert (caught.value.code, caught.value.message, caught.value.details) == (
        "COUNTERPARTY_INN_INVALID",
        "Некорректный ИНН",
        {"inn": "123"},
    )


@responses.activate
@pytest.mark.parametrize(
    ("status", "error"), [(408, OneCUnavailable), (429, OneCThrottled), (503, OneCUnavailable)]
)
def test_408_429_and_503_are_retryable(status, error):
    responses.get(f"{BASE}/requests/{REF}", body="busy", status=status, headers={"Retry-After": "7"})
    with pytest.raises(error) as caught:
        make_client().get_request(REF)
    assert caught.value.retryable


@responses.activate
def test_timeout_is_unavailable_and_retryable():
    responses.get(f"{BASE}/requests/{REF}", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(OneCUnavailable) as caught:
        make_client().get_request(REF)
    assert caught.value.retryable
    assert caught.value.code == "TIMEOUT"


@responses.activate
def test_write_sends_the_idempotency_key_as_external_id_and_dates_in_utc():
    answer = {
        "ref": REF,
        "number": "0000-000123",
        "date": "2026-03-01T12:00:00",
        "kind": "support",
        "status": "new",
    }
    responses.post(f"{BASE}/requests", body=body_bytes(answer), status=201)
    client = make_client()
    planned = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    client.create_request({"counterparty_ref": REF, "subject": "Станок", "planned_date": planned})
    sent = responses.calls[0].request
    body = json.loads(sent.body)
    assert sent.headers["Idempotency-Key"] == body["external_id"]
    assert len(body["external_id"]) == 36
    assert body["planned_date"] == "2026-03-02T15:30:00Z"
    assert not sent.body.startswith(BOM)


@responses.activate
def test_a_given_key_is_reused_so_a_retry_is_the_same_write():
    responses.post(f"{BASE}/counterparties", body=body_bytes(counterparty_json()), status=201)
    client = make_client()
    for _ in range(2):
        client.find_or_create_counterparty({"inn": "5024089920", "kpp": "502401001", "name": "x"}, key="k-1")
    keys = {call.request.headers["Idempotency-Key"] for call in responses.calls}
    assert keys == {"k-1"}


def test_non_ascii_login_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError, match="ASCII"):
        OneCClient(BASE, "Обмен", "secret")


@responses.activate
def test_change_feed_gives_items_and_the_next_cursor_and_ack_sends_it():
    responses.get(
        f"{BASE}/changes",
        body=body_bytes(
            {
                "items": [
                    {
                        "seq": 10452,
                        "type": "request.status_changed",
                        "ref": REF,
                        "status": "resolved",
                        "occurred_at": "2026-03-01T12:05:00",
                    }
                ],
                "next_cursor": "10452",
            }
        ),
    )
    responses.post(f"{BASE}/changes/ack", body=body_bytes({"cursor": "10452"}))
    client = make_client()
    items, cursor = client.changes()
    assert (items[0].seq, items[0].status, cursor) == (10452, "resolved", "10452")
    assert items[0].occurred_at == datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    client.ack(cursor)
    assert json.loads(responses.calls[1].request.body) == {"cursor": "10452"}
