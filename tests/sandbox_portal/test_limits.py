"""Leaky bucket per portal (503) and per-method operating time (429) (BITRIX24.md §6)."""

from __future__ import annotations

import time


def test_bucket_refuses_calls_beyond_its_size_and_recovers_as_it_drains(sandbox, admin_token):
    statuses = [sandbox.call("scope", admin_token).status_code for _ in range(56)]
    assert statuses[:50] == [200] * 50
    refused = [s for s in statuses[50:] if s == 503]
    assert len(refused) >= 4  # at 2/s, a few milliseconds drain nothing like six calls
    over = sandbox.call("scope", admin_token)
    assert over.json()["error"] == "QUERY_LIMIT_EXCEEDED"

    time.sleep(1.1)  # two calls' worth drains
    assert sandbox.call("scope", admin_token).status_code == 200
    stats = sandbox.stats()
    assert stats["query_limit_exceeded"] >= 5
    assert stats["calls_by_method"]["scope"] == 51  # refused calls are not executed


def test_a_batch_takes_one_place_in_the_bucket(sandbox, admin_token):
    sandbox.control("settings", bucket_size=3, drain_per_sec=0.01)
    cmd = {f"c{n}": "scope" for n in range(10)}
    answers = [sandbox.call("batch", admin_token, cmd=cmd).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 503]


def test_operating_time_over_the_limit_blocks_only_that_method(sandbox, admin_token):
    sandbox.control("settings", operating_cost_sec=100, operating_limit_sec=250)
    answers = [sandbox.call("user.current", admin_token) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json()["error"] == "OPERATION_TIME_LIMIT"
    assert answers[2].json()["time"]["operating"] == 300
    assert answers[2].json()["time"]["operating_reset_at"] > time.time() + 500
    assert sandbox.call("department.get", admin_token).status_code == 200
    assert sandbox.stats()["operation_time_limit"] == 1


def test_answers_carry_the_time_block(sandbox, admin_token):
    body = sandbox.call("scope", admin_token).json()
    assert set(body["time"]) >= {
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating",
        "operating_reset_at",
    }


def test_unknown_method_is_not_found_and_names_are_case_insensitive(sandbox, admin_token):
    missing = sandbox.call("crm.nothing.here", admin_token)
    assert (missing.status_code, missing.json()["error"]) == (404, "ERROR_METHOD_NOT_FOUND")
    assert sandbox.call("USER.Current", admin_token).json()["result"]["ID"] == "1"
