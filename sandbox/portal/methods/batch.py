"""`batch`: up to 50 commands in one call, with `$result[key][field]` references and `halt`."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qsl

from sandbox.portal.errors import RestError
from sandbox.portal.params import parse_pairs
from sandbox.portal.rest import (
    IMPLICIT_SCOPE,
    CallContext,
    ListResult,
    execute,
    find_method,
    method,
    time_block,
)

MAX_COMMANDS = 50
_REFERENCE = re.compile(r"\$result\[([^\]]+)\]((?:\[[^\]]*\])*)")


def _lookup(results: dict[str, Any], key: str, path: str) -> Any:
    value: Any = results.get(key)
    for part in re.findall(r"\[([^\]]*)\]", path):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _substitute(value: Any, results: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, results) for v in value]
    if not isinstance(value, str) or "$result[" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        found = _lookup(results, whole.group(1), whole.group(2))
        return found if isinstance(found, dict | list) else ("" if found is None else str(found))
    return _REFERENCE.sub(lambda m: str(_lookup(results, m.group(1), m.group(2)) or ""), value)


def _php_map(values: dict[str, Any], as_list: bool) -> Any:
    """PHP encodes an empty map, and a map keyed 0..n-1, as a JSON array."""
    if not values:
        return []
    if as_list and list(values) == [str(n) for n in range(len(values))]:
        return list(values.values())
    return values


@method("batch", IMPLICIT_SCOPE)
def batch(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    p = {str(k).lower(): v for k, v in params.items()}
    raw_cmd = p.get("cmd") or {}
    listed = isinstance(raw_cmd, list)
    commands = {str(n): c for n, c in enumerate(raw_cmd)} if listed else dict(raw_cmd)
    if len(commands) > MAX_COMMANDS:
        raise RestError("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded", 400)
    halt = str(p.get("halt", "0")).lower() in ("1", "true", "y")
    out: dict[str, dict[str, Any]] = {
        k: {} for k in ("result", "result_error", "result_total", "result_next", "result_time")
    }
    for key, command in commands.items():
        start = time.time()
        name, _, query = str(command).partition("?")
        sub_params = _substitute(parse_pairs(parse_qsl(query, keep_blank_values=True)), out["result"])
        sub_params.pop("auth", None)
        try:
            spec = find_method(name)
            if spec.name == "batch":
                raise RestError(
                    "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage", 405
                )
            result = execute(ctx, spec, sub_params)
        except RestError as exc:
            out["result_error"][key] = exc.body()
            if halt:
                break
            continue
        if isinstance(result, ListResult):
            out["result"][key] = result.rows
            if result.total is not None:
                out["result_total"][key] = result.total
            if result.next is not None:
                out["result_next"][key] = result.next
        else:
            out["result"][key] = result
        out["result_time"][key] = time_block(ctx.portal, spec.name, start)
    return {name: _php_map(values, listed) for name, values in out.items()}
