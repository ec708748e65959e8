"""List filters, ordering, selection and paging shared by the list methods (BITRIX24.md §6-7)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sandbox.portal.params import as_dict, as_int, as_list

PAGE_SIZE = 50
# Longest first so that ">=" is not read as ">".
_PREFIXES = (">=", "<=", "!@", "!=", "!%", ">", "<", "@", "%", "=", "!")

Resolver = Callable[[str], str | None]


def split_prefix(key: str) -> tuple[str, str]:
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return prefix, key[len(prefix) :]
    return "", key


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    for convert in (float, datetime.fromisoformat):
        try:
            x, y = convert(a), convert(b)  # type: ignore[arg-type]
            if isinstance(x, datetime) and (x.tzinfo is None) != (y.tzinfo is None):
                continue
            return x, y
        except (TypeError, ValueError):
            continue
    return str(a if a is not None else ""), str(b if b is not None else "")


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return any(_equal(a, expected) for a in actual)
    if expected in ("", None):
        return actual in ("", None, [])
    x, y = _coerce(actual, expected)
    return x == y


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op in ("", "="):
        if isinstance(expected, list | dict):
            return any(_equal(actual, e) for e in as_list(expected))
        return _equal(actual, expected)
    if op in ("!", "!="):
        return not _compare("=", actual, expected)
    if op == "@":
        return any(_equal(actual, e) for e in as_list(expected))
    if op == "!@":
        return not _compare("@", actual, expected)
    if op in ("%", "!%"):
        found = str(expected).lower() in str(actual if actual is not None else "").lower()
        return found if op == "%" else not found
    if actual in (None, ""):
        return False
    x, y = _coerce(actual, expected)
    try:
        return {">": x > y, ">=": x >= y, "<": x < y, "<=": x <= y}[op]
    except TypeError:
        return False


def matches(row: dict[str, Any], filt: dict[str, Any], resolve: Resolver) -> bool:
    """True if the row passes the filter; nested maps are sub-filters joined by their `logic`."""
    logic = str(filt.get("logic", filt.get("LOGIC", "AND"))).upper()
    results: list[bool] = []
    for key, expected in filt.items():
        if key in ("logic", "LOGIC"):
            continue
        if isinstance(expected, dict) and (str(key).isdigit() or key == ""):
            results.append(matches(row, expected, resolve))
            continue
        op, name = split_prefix(str(key))
        column = resolve(name)
        if column is None:
            continue  # unknown filter fields are ignored
        results.append(_compare(op, row.get(column), expected))
    if not results:
        return True
    return any(results) if logic == "OR" else all(results)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None or value == "":
        return (0, 0)
    try:
        return (1, float(value))
    except (TypeError, ValueError):
        return (2, str(value))


def ordered(rows: list[dict[str, Any]], order: dict[str, Any], resolve: Resolver) -> list[dict[str, Any]]:
    for key, direction in reversed(list(as_dict(order).items())):
        column = resolve(str(key))
        if column is None:
            continue
        rows = sorted(
            rows, key=lambda r, c=column: _sort_key(r.get(c)), reverse=str(direction).upper() == "DESC"
        )
    return rows


def page(rows: list[Any], start_param: Any) -> tuple[list[Any], int | None, int | None]:
    """(page rows, total, next); `start=-1` skips the count and the next offset."""
    start = as_int(start_param, 0) or 0
    if start == -1:
        return rows[:PAGE_SIZE], None, None
    start = max(start, 0)
    chunk = rows[start : start + PAGE_SIZE]
    nxt = start + PAGE_SIZE if start + PAGE_SIZE < len(rows) else None
    return chunk, len(rows), nxt


def selected(row: dict[str, Any], select: Iterable[str], resolve: Resolver, default: Iterable[str]) -> dict:
    """Keep the selected columns; `*` means the default set, `UF_*` / `ufCrm*` every custom field."""
    names = [str(s) for s in select] or ["*"]
    keep: list[str] = []
    for name in names:
        if name == "*":
            keep.extend(default)
        elif (name.upper().startswith("UF_") and name.endswith("*")) or (
            name.startswith("ufCrm") and name.endswith("*")
        ):
            keep.extend(k for k in row if k.upper().startswith("UF_") or k.startswith("ufCrm"))
        else:
            column = resolve(name)
            if column is not None:
                keep.append(column)
    return {k: row.get(k) for k in dict.fromkeys(keep) if k in row}
