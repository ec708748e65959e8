"""Batch splitting and result mapping, and both paging styles."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from b24app.bitrix.errors import B24AccessDenied, B24BatchCommandError, B24NotFound

from .conftest import ENDPOINT, sent

BATCH = ENDPOINT + "batch.json"


def batch_echo(request):
    """A portal's batch: every `crm.item.get` answers its id; id 0 fails with NOT_FOUND."""
    import json

    cmd = json.loads(request.body)["cmd"]
    result, errors = {}, {}
    for key, command in cmd.items():
        method, _, query = command.partition("?")
        params = dict(parse_qsl(query))
        if params.get("id") == "0":
            errors[key] = {"error": "NOT_FOUND", "error_description": "Not found"}
        else:
            result[key] = {"method": method, "id": params.get("id")}
    body = {
        "result": {
            "result": result or [],
            "result_error": errors or [],
            "result_total": [],
            "result_next": [],
        }
    }
    return 200, {}, json.dumps(body)


def test_more_than_fifty_commands_go_in_several_batches_with_keys_kept(rsps, client):
    rsps.add_callback("POST", BATCH, callback=batch_echo)
    commands = {f"item{i}": ("crm.item.get", {"entityTypeId": 1036, "id": i + 1}) for i in range(120)}

    outcome = client.batch(commands)

    assert [len(sent(call)["cmd"]) for call in rsps.calls] == [50, 50, 20]
    assert outcome.results["item0"] == {"method": "crm.item.get", "id": "1"}
    assert outcome.results["item119"] == {"method": "crm.item.get", "id": "120"}
    assert len(outcome.results) == 120
    assert outcome.errors == {}
    assert sent(rsps.calls[0])["cmd"]["item0"] == "crm.item.get?entityTypeId=1036&id=1"


def test_per_command_errors_are_typed_and_do_not_hide_the_others(rsps, client):
    rsps.add_callback("POST", BATCH, callback=batch_echo)

    outcome = client.batch([("crm.item.get", {"id": 0}), ("crm.item.get", {"id": 7})])

    assert outcome.results == {"1": {"method": "crm.item.get", "id": "7"}}
    assert isinstance(outcome.errors["0"], B24NotFound)
    assert outcome.errors["0"].method == "crm.item.get"
    with pytest.raises(B24NotFound):
        outcome.raise_for_errors()


def test_empty_maps_sent_as_lists_are_read_as_maps(rsps, client):
    rsps.post(
        BATCH,
        json={
            "result": {
                "result": [{"ID": "1"}, [{"ID": "3"}]],
                "result_error": [],
                "result_total": {"1": 1},
                "result_next": [],
                "result_time": [],
            }
        },
    )

    outcome = client.batch([("crm.company.get", {"id": 1}), ("crm.company.list", {})])

    assert outcome.results == {"0": {"ID": "1"}, "1": [{"ID": "3"}]}
    assert outcome.errors == {}
    assert outcome.totals == {"1": 1}
    assert outcome.nexts == {}


def test_unknown_command_error_codes_become_batch_command_errors(rsps, client):
    rsps.post(
        BATCH,
        json={
            "result": {
                "result": [],
                "result_error": {
                    "a": {"error": "ERROR_CORE", "error_description": "something odd"},
                    "b": {"error": "ACCESS_DENIED", "error_description": "Access denied"},
                },
            }
        },
    )

    outcome = client.batch({"a": ("crm.item.add", {}), "b": ("crm.item.add", {})}, halt=False)

    assert type(outcome.errors["a"]) is B24BatchCommandError
    assert isinstance(outcome.errors["b"], B24AccessDenied)
    assert sent(rsps.calls[0])["halt"] == 0


def test_halt_stops_sending_further_chunks_after_an_error(rsps, client):
    rsps.add_callback("POST", BATCH, callback=batch_echo)
    commands = [("crm.item.get", {"id": i}) for i in range(60)]  # id 0 fails in the first chunk

    outcome = client.batch(commands, halt=True)

    assert len(rsps.calls) == 1
    assert sent(rsps.calls[0])["halt"] == 1
    assert "59" not in outcome.results and "59" not in outcome.errors


def page_of(ids, key="id"):
    return [{key: i, "title": f"#{i}"} for i in ids]


def test_id_cursor_paging_sends_start_minus_one_and_stops_on_a_short_page(rsps, client):
    url = ENDPOINT + "crm.item.list.json"
    rsps.post(url, json={"result": {"items": page_of(range(1, 51))}})
    rsps.post(url, json={"result": {"items": page_of(range(51, 101))}})
    rsps.post(url, json={"result": {"items": page_of(range(101, 104))}})

    rows = list(
        client.iter_ids(
            "crm.item.list", {"entityTypeId": 1036, "filter": {"=categoryId": 1}}, items_key="items"
        )
    )

    assert [row["id"] for row in rows] == list(range(1, 104))
    assert len(rsps.calls) == 3
    first, second = sent(rsps.calls[0]), sent(rsps.calls[1])
    assert first["start"] == -1 and first["order"] == {"id": "ASC"}
    assert first["filter"] == {"=categoryId": 1}
    assert second["filter"] == {"=categoryId": 1, ">id": 50}


def test_id_cursor_paging_handles_upper_case_ids_sent_as_strings(rsps, client):
    url = ENDPOINT + "crm.company.list.json"
    rsps.post(url, json={"result": page_of([str(i) for i in range(1, 51)], "ID")})
    rsps.post(url, json={"result": []})

    rows = list(client.iter_ids("crm.company.list", {"select": ["ID"]}, id_key="ID"))

    assert len(rows) == 50
    assert sent(rsps.calls[1])["filter"] == {">ID": 50}
    assert sent(rsps.calls[1])["order"] == {"ID": "ASC"}


def test_classic_paging_follows_next_until_it_is_absent(rsps, client):
    url = ENDPOINT + "userfieldtype.list.json"
    rsps.post(url, json={"result": page_of(range(50)), "next": 50, "total": 70})
    rsps.post(url, json={"result": page_of(range(50, 70)), "total": 70})

    rows = list(client.iter_pages("userfieldtype.list"))

    assert len(rows) == 70
    assert [sent(call)["start"] for call in rsps.calls] == [0, 50]
