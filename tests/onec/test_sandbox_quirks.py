"""The quirks of real 1C reproduced by the sandbox, and how the client copes with each of them."""

import time
import uuid

import pytest
import requests

from onec_client import OneCStale, OneCUnavailable

BOM = b"\xef\xbb\xbf"


def raw_ping(onec):
    return requests.get(f"{onec.base_url}/ping", auth=("exchange", "exchange"), timeout=5)


def make_request(client):
    counterparty = client.find_counterparties("6612345676")[0]
    return client.create_request(
        {"counterparty_ref": counterparty.ref, "subject": "Течь масла"}, str(uuid.uuid4())
    )


def test_by_default_1c_answers_with_a_bom_and_no_charset_and_the_client_reads_it(onec):
    answer = raw_ping(onec)
    assert answer.content.startswith(BOM)
    assert answer.headers["Content-Type"] == "application/json"
    assert onec.client().ping().config


def test_without_those_quirks_the_body_is_plain_json_with_charset(onec):
    onec.quirks(bom=False, no_charset=False)
    answer = raw_ping(onec)
    assert answer.content.startswith(b"{")
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert onec.client().ping().tz == "Europe/Moscow"


def test_html_500_is_unavailable_for_the_next_call_only(onec):
    client = onec.client(tz="Europe/Moscow")
    onec.quirks(fail_500_html=1)
    with pytest.raises(OneCUnavailable) as caught:
        client.find_counterparties("5024089920")
    assert caught.value.retryable and caught.value.status == 500
    assert "Ошибка при вызове метода контекста" in caught.value.message
    assert client.find_counterparties("5024089920")


def test_a_hung_call_times_out_as_retryable_and_the_retry_with_the_key_creates_nothing_new(onec):
    client = onec.client(tz="Europe/Moscow", read_timeout=0.3)
    counterparty = client.find_counterparties("6612345676")[0]
    onec.quirks(hang=1, hang_sec=0.8)
    key = str(uuid.uuid4())
    data = {"counterparty_ref": counterparty.ref, "subject": "Течь масла"}
    with pytest.raises(OneCUnavailable) as caught:
        client.create_request(data, key)
    assert caught.value.retryable and caught.value.code == "TIMEOUT"
    time.sleep(0.8)  # the hung call finishes inside 1C meanwhile
    created = client.create_request(data, key)
    assert created.external_id == key
    assert len(onec.app.extensions["sandbox_onec"].store.requests) == 1


def test_stale_version_quirk_refuses_the_next_patch_once(onec):
    client = onec.client(tz="Europe/Moscow")
    created = make_request(client)
    onec.quirks(stale_version=True)
    with pytest.raises(OneCStale):
        client.update_request(created.ref, {"description": "Подробности"}, created.data_version)
    assert (
        client.update_request(created.ref, {"description": "Подробности"}, created.data_version).description
        == "Подробности"
    )


def test_down_infobase_answers_a_web_server_503_page(onec):
    onec.quirks(down=True)
    with pytest.raises(OneCUnavailable) as caught:
        onec.client(tz="Europe/Moscow").find_counterparties("5024089920")
    assert caught.value.status == 503
    assert "Service Unavailable" in caught.value.message


def test_first_call_after_idle_is_slow(onec):
    onec.quirks(slow_first_call_sec=0.4, idle_after_sec=60)
    onec.app.extensions["sandbox_onec"].store._last_call = 0.0  # as if idle since start
    client = onec.client(tz="Europe/Moscow")
    started = time.monotonic()
    client.find_counterparties("5024089920")
    first = time.monotonic() - started
    started = time.monotonic()
    client.find_counterparties("5024089920")
    assert first >= 0.4 > time.monotonic() - started


def test_stats_count_calls_per_endpoint(onec):
    client = onec.client()
    client.ping()
    client.find_counterparties("5024089920")
    client.find_counterparties("6612345676")
    calls = onec.control("GET", "stats").json()["calls"]
    assert calls["GET /ping"] == 1
    assert calls["GET /counterparties"] == 2


def test_a_wrong_quirk_value_is_refused_and_nothing_changes(onec):
    answer = onec.control("POST", "quirks", json={"hang": -1, "bom": False})
    assert answer.status_code == 400
    assert onec.control("GET", "quirks").json()["bom"] is True


def test_feed_redelivers_until_acknowledged_and_an_older_ack_is_a_no_op(onec):
    client = onec.client(tz="Europe/Moscow")
    created = make_request(client)
    onec.control("POST", f"requests/{created.ref}/status", json={"status": "in_progress"}).raise_for_status()
    items, cursor = client.changes()
    assert [i.type for i in items] == ["request.updated", "request.status_changed"]
    assert items[1].status == "in_progress" and items[1].external_id == created.external_id
    again, same_cursor = client.changes()
    assert [i.seq for i in again] == [i.seq for i in items] and same_cursor == cursor
    client.ack(cursor)
    assert client.changes()[0] == []
    onec.control("POST", f"requests/{created.ref}/status", json={"status": "resolved"}).raise_for_status()
    client.ack(str(items[0].seq))  # an old cursor, e.g. from a slow second worker
    [latest], _ = client.changes()
    assert latest.status == "resolved"


def test_feed_with_gaps_still_increases(onec):
    onec.quirks(seq_gaps=True)
    client = onec.client(tz="Europe/Moscow")
    created = make_request(client)
    for status in ("in_progress", "waiting_customer", "resolved"):
        onec.control("POST", f"requests/{created.ref}/status", json={"status": status}).raise_for_status()
    seqs = [item.seq for item in client.changes()[0]]
    assert seqs == sorted(seqs) and len(seqs) == 4
    assert seqs[-1] - seqs[0] > 3
