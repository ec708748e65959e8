"""PHP-style nested request parameters (`fields[title]=..`, `select[]=id`), parsed and encoded."""

from __future__ import annotations

import re
from typing import Any

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def _split_key(key: str) -> list[str]:
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    return [head, *_KEY_PART.findall("[" + rest)]


def parse_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Build a nested dict from form pairs the way PHP builds $_REQUEST; `[]` appends to a list."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _split_key(key)
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                if part == "":
                    if last:
                        node.append(value)
                        break
                    child: Any = [] if parts[i + 1] == "" else {}
                    node.append(child)
                    node = child
                    continue
                # A list addressed by an explicit key becomes a dict, as PHP arrays are maps.
                node = {str(n): v for n, v in enumerate(node)}
            if last:
                node[part] = value
                break
            nxt = parts[i + 1]
            existing = node.get(part)
            if not isinstance(existing, dict | list):
                existing = [] if nxt == "" else {}
                node[part] = existing
            elif isinstance(existing, list) and nxt != "":
                existing = {str(n): v for n, v in enumerate(existing)}
                node[part] = existing
            node = existing
    return root


def encode_pairs(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten nested data into PHP-style form pairs (`data[FIELDS][ID]=24`)."""
    pairs: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}[{key}]" if prefix else str(key)
            pairs.extend(encode_pairs(value, name))
    elif isinstance(data, list | tuple):
        for n, value in enumerate(data):
            pairs.extend(encode_pairs(value, f"{prefix}[{n}]"))
    elif data is None:
        pairs.append((prefix, ""))
    elif isinstance(data, bool):
        pairs.append((prefix, "1" if data else "0"))
    else:
        pairs.append((prefix, str(data)))
    return pairs


def as_list(value: Any) -> list[Any]:
    """A parameter that should be a list may arrive as a map of indexes or as one scalar."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(n): v for n, v in enumerate(value)}
    return {}


def as_int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def lower_keys(params: dict[str, Any]) -> dict[str, Any]:
    """Top-level parameter names are case-insensitive on a real portal (FILTER, filter, Filter)."""
    return {str(k).lower(): v for k, v in params.items()}
