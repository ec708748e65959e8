"""PHP-style form keys: event payloads in, batch command strings out."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from b24app.bitrix.forms import MalformedFormKey, build_query, parse_php_form, parse_php_query


def test_event_payload_becomes_nested_maps():
    payload = parse_php_form(
        [
            ("event", "ONCRMDYNAMICITEMUPDATE"),
            ("data[FIELDS][ID]", "24"),
            ("data[FIELDS][ENTITY_TYPE_ID]", "1220"),
            ("auth[member_id]", "a223c6b3"),
            ("auth[domain]", "some-domain.bitrix24.ru"),
        ]
    )

    assert payload == {
        "event": "ONCRMDYNAMICITEMUPDATE",
        "data": {"FIELDS": {"ID": "24", "ENTITY_TYPE_ID": "1220"}},
        "auth": {"member_id": "a223c6b3", "domain": "some-domain.bitrix24.ru"},
    }


def test_empty_brackets_append_to_a_list_and_nest():
    assert parse_php_form([("a[]", "1"), ("a[]", "2")]) == {"a": ["1", "2"]}
    assert parse_php_form([("f[ids][]", "7"), ("f[ids][]", "8")]) == {"f": {"ids": ["7", "8"]}}
    assert parse_php_form([("rows[][id]", "1"), ("rows[][id]", "2")]) == {"rows": [{"id": "1"}, {"id": "2"}]}


def test_later_scalar_wins_like_php():
    assert parse_php_form([("a", "1"), ("a", "2")]) == {"a": "2"}


def test_urlencoded_body_is_decoded_before_keys_are_split():
    assert parse_php_query("data%5BFIELDS%5D%5BID%5D=24&ts=1") == {
        "data": {"FIELDS": {"ID": "24"}},
        "ts": "1",
    }


@pytest.mark.parametrize(
    "pairs",
    [
        [("data[FIELDS", "1")],  # unclosed bracket
        [("[ID]", "1")],  # no name
        [("data]x", "1")],  # closing bracket first
        [("data[a]b", "1")],  # text after a bracket
        [("data[a[b]]", "1")],  # bracket inside a part
        [("a" + "[x]" * 40, "1")],  # deeper than PHP allows
        [("a", "1"), ("a[b]", "2")],  # value then map
        [("a[b]", "1"), ("a", "2")],  # map then value
        [("a[]", "1"), ("a[b]", "2")],  # list then named key
        [("a[b]", "1"), ("a[]", "2")],  # map then append
    ],
)
def test_malformed_keys_raise_a_value_error_naming_the_key(pairs):
    with pytest.raises(MalformedFormKey) as raised:
        parse_php_form(pairs)
    assert isinstance(raised.value, ValueError)
    assert repr(pairs[-1][0]) in str(raised.value) or repr(pairs[0][0]) in str(raised.value)


def test_build_query_encodes_nested_params_like_http_build_query():
    query = build_query(
        {
            "entityTypeId": 1036,
            "filter": {">id": 10, "@stageId": ["DT1036_1:NEW", "DT1036_1:WORK"]},
            "select": ["id", "title"],
            "flag": True,
            "skip": None,
            "text": "Привет & пока",
        }
    )

    pairs = parse_qsl(query)
    assert pairs == [
        ("entityTypeId", "1036"),
        ("filter[>id]", "10"),
        ("filter[@stageId][0]", "DT1036_1:NEW"),
        ("filter[@stageId][1]", "DT1036_1:WORK"),
        ("select[0]", "id"),
        ("select[1]", "title"),
        ("flag", "1"),
        ("text", "Привет & пока"),
    ]


def test_build_query_round_trips_through_the_parser():
    params = {"fields": {"title": "a=b&c", "observers": {"0": "1", "1": "2"}}}
    assert parse_php_query(build_query(params)) == params
