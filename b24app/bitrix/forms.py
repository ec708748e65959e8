"""PHP-style form keys (`data[FIELDS][ID]`, `auth[member_id]`, `a[]`): parsing event payloads and
building the query strings of batch commands (the equivalent of PHP's http_build_query)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

# PHP refuses deeper input (max_input_nesting_level); so do we, so a hostile key cannot recurse forever.
MAX_DEPTH = 32

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class MalformedFormKey(ValueError):
    """A form key that is not `name`, `name[key]...` or `name[]...`."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"malformed form key {key!r}: {reason}")


def split_key(key: str) -> list[str]:
    """`data[FIELDS][ID]` → `["data", "FIELDS", "ID"]`; `a[]` → `["a", ""]` (an empty part appends)."""
    head, bracket, rest = key.partition("[")
    if not head:
        raise MalformedFormKey(key, "the name before the first bracket is empty")
    if "]" in head:
        raise MalformedFormKey(key, "a closing bracket without an opening one")
    if not bracket:
        return [head]
    tail = bracket + rest
    parts: list[str] = []
    pos = 0
    for match in _SEGMENT.finditer(tail):
        if match.start() != pos:
            raise MalformedFormKey(key, f"unexpected text {tail[pos : match.start()]!r} between brackets")
        parts.append(match.group(1))
        pos = match.end()
    if pos != len(tail):
        raise MalformedFormKey(key, f"unbalanced brackets near {tail[pos:]!r}")
    if len(parts) > MAX_DEPTH:
        raise MalformedFormKey(key, f"nested deeper than {MAX_DEPTH} levels")
    return [head, *parts]


def parse_php_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Build nested dicts and lists from form pairs the way PHP builds `$_POST`.

    Named parts make dicts (keys stay strings, `a[0]` included); `[]` appends to a list. A later scalar
    replaces an earlier one, as in PHP. Using one name both as a value and as a container, or both
    with `[]` and with named keys, raises MalformedFormKey: such a payload is not one PHP would send.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = split_key(key)
        node: dict[str, Any] | list[Any] = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            child_kind = None if last else (list if parts[depth + 1] == "" else dict)
            if isinstance(node, list):
                if part != "":
                    raise MalformedFormKey(key, "named key on a list built with []")
                if child_kind is None:
                    node.append(value)
                else:
                    node.append(child_kind())
                    node = node[-1]
                continue
            if part == "":
                raise MalformedFormKey(key, "[] on a map built with named keys")
            if child_kind is None:
                if isinstance(node.get(part), dict | list):
                    raise MalformedFormKey(key, f"{part!r} is already a nested value")
                node[part] = value
                continue
            existing = node.get(part)
            if existing is None:
                existing = node[part] = child_kind()
            elif not isinstance(existing, child_kind):
                raise MalformedFormKey(
                    key, f"{part!r} is used both as a value and as a {child_kind.__name__}"
                )
            node = existing
    return root


def parse_php_query(body: str) -> dict[str, Any]:
    """Parse an `application/x-www-form-urlencoded` body or query string with PHP-style keys."""
    return parse_php_form(parse_qsl(body, keep_blank_values=True))


def build_query(params: Mapping[str, Any]) -> str:
    """Encode nested params as `a[b][0]=x&...`, like PHP's http_build_query.

    None and empty containers are left out (PHP does the same); booleans become 1/0.
    """
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in flatten(params))


def flatten(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Nested params as (`a[b][0]`, `x`) pairs, with each key part percent-encoded."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten_into(pairs, quote(str(key), safe=""), value)
    return pairs


def _flatten_into(pairs: list[tuple[str, str]], name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        pairs.append((name, _scalar(value)))
        return
    for key, item in items:
        _flatten_into(pairs, f"{name}[{quote(str(key), safe='')}]", item)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
