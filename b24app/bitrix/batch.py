"""The `batch` method's wire format: command strings out, per-command results and typed errors back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import B24BatchCommandError, B24Error, error_from_response
from .forms import build_query

# The portal refuses more (ERROR_BATCH_LENGTH_EXCEEDED).
MAX_COMMANDS = 50

Command = tuple[str, Mapping[str, Any]]
Commands = Mapping[str, Command] | Sequence[Command]


@dataclass
class BatchResult:
    """Per-command outcomes keyed like the commands given (`"0"`, `"1"`... for a sequence).

    A key in neither `results` nor `errors` was not run: `halt=True` stopped the batch first.
    """

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, B24Error] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)

    def raise_for_errors(self) -> None:
        """Raise the first command's error, for callers that treat any failure as fatal."""
        for error in self.errors.values():
            raise error


def keyed(commands: Commands) -> list[tuple[str, Command]]:
    if isinstance(commands, Mapping):
        return [(str(key), command) for key, command in commands.items()]
    return [(str(index), command) for index, command in enumerate(commands)]


def chunks(items: list[tuple[str, Command]]) -> list[list[tuple[str, Command]]]:
    return [items[i : i + MAX_COMMANDS] for i in range(0, len(items), MAX_COMMANDS)]


def command_string(method: str, params: Mapping[str, Any]) -> str:
    query = build_query(params)
    return f"{method}?{query}" if query else method


def as_map(value: Any) -> dict[str, Any]:
    """PHP sends an empty map as `[]` and a map keyed 0..n-1 as a list: both mean a map here."""
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    return {}


def merge_answer(into: BatchResult, answer: Any, methods: Mapping[str, str]) -> None:
    """Fold one batch call's `result` into `into`, typing each command's error."""
    answer = answer if isinstance(answer, dict) else {}
    into.results.update(as_map(answer.get("result")))
    into.totals.update({key: int(value) for key, value in as_map(answer.get("result_total")).items()})
    into.nexts.update({key: int(value) for key, value in as_map(answer.get("result_next")).items()})
    for key, error in as_map(answer.get("result_error")).items():
        if isinstance(error, dict):
            code = str(error.get("error") or "ERROR")
            description = str(error.get("error_description") or "")
        else:
            code, description = "ERROR", str(error)
        into.errors[key] = error_from_response(
            code, description, None, methods.get(key), fallback=B24BatchCommandError
        )
