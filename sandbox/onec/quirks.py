"""Switches for the misbehaviour of real 1C that the sandbox reproduces, and the errors it answers.

Counted switches (`fail_500_html`, `hang`) apply to the next N calls of the contract endpoints;
`stale_version` makes the next PATCH answer 412 once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from onec_client.validation import inn_is_valid, kpp_is_valid


@dataclass
class Quirks:
    bom: bool = True  # УстановитьТелоИзСтроки writes a BOM unless told not to
    no_charset: bool = True  # Content-Type: application/json without charset
    fail_500_html: int = 0  # next N calls answer 500 with an HTML page
    fail_500_probability: float = 0.0  # or each call with this probability
    slow_first_call_sec: float = 0.0  # extra delay of the first call after idle (session start)
    idle_after_sec: float = 300.0  # how long without calls counts as idle
    hang: int = 0  # next N calls sleep `hang_sec` before answering
    hang_sec: float = 40.0  # longer than the client's 30 s read timeout
    stale_version: bool = False  # next PATCH gets 412 STALE once
    seq_gaps: bool = False  # the change feed skips sequence numbers
    down: bool = False  # the web server answers 503 as if the infobase were unavailable

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def update(self, values: dict[str, Any]) -> None:
        """Set the given switches; unknown names or wrong types raise ValueError and change nothing."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if name not in fields:
                raise ValueError(f"unknown quirk: {name}")
            default = getattr(Quirks, name)
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
                converted[name] = value
            elif isinstance(default, int):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} must be a non-negative integer")
                converted[name] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"{name} must be a non-negative number")
                converted[name] = float(value)
        if converted.get("fail_500_probability", 0.0) > 1:
            raise ValueError("fail_500_probability must be between 0 and 1")
        for name, value in converted.items():
            setattr(self, name, value)


class ApiError(Exception):
    """An error 1C answers as `{"error": {code, message, details}}`."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def checked_identity(body: dict[str, Any]) -> tuple[str, str, str]:
    """(inn, kpp, kind) of a new counterparty, refused the way the 1C form would refuse it."""
    inn = str(body.get("inn") or "").strip()
    kpp = str(body.get("kpp") or "").strip()
    kind = str(body.get("kind") or ("legal" if len(inn) == 10 else "sole_proprietor"))
    check = inn_is_valid(inn)
    if not check:
        raise ApiError(422, "COUNTERPARTY_INN_INVALID", f"Некорректный ИНН: {check.reason}", {"inn": inn})
    if len(inn) == 10 and not kpp_is_valid(kpp):
        raise ApiError(
            422, "COUNTERPARTY_KPP_INVALID", f"Некорректный КПП: {kpp_is_valid(kpp).reason}", {"kpp": kpp}
        )
    if len(inn) == 12 and kpp:
        raise ApiError(422, "COUNTERPARTY_KPP_INVALID", "У ИП и физического лица нет КПП", {"kpp": kpp})
    if not str(body.get("name") or "").strip():
        raise ApiError(422, "VALIDATION_FAILED", "Не заполнено наименование", {"field": "name"})
    return inn, kpp, kind
