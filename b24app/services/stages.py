"""The one place that maps Bitrix24 stages of the smart process to the app's request states."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import RequestState

STATE_LABELS = {
    RequestState.NEW: "Новое",
    RequestState.IN_WORK: "В работе",
    RequestState.WAITING: "Ждёт ответа клиента",
    RequestState.RESOLVED: "Решено",
    RequestState.CLOSED: "Закрыто",
    RequestState.CANCELLED: "Отменено",
}

# Stages the app adds to a smart process it created itself (code suffix, name, sort, semantics).
APP_STAGES = [
    ("NEW", "Новое", 10, None),
    ("PREPARATION", "В работе", 20, None),
    ("CLIENT", "Ждёт ответа клиента", 30, None),
    ("RESOLVED", "Решено", 40, None),
    ("SUCCESS", "Закрыто", 50, "S"),
    ("FAIL", "Отменено", 60, "F"),
]

_BY_CODE = {
    "NEW": RequestState.NEW,
    "PREPARATION": RequestState.IN_WORK,
    "CLIENT": RequestState.WAITING,
    "RESOLVED": RequestState.RESOLVED,
    "SUCCESS": RequestState.CLOSED,
    "FAIL": RequestState.CANCELLED,
}

_BY_WORD = [
    ("ждёт", RequestState.WAITING),
    ("ждет", RequestState.WAITING),
    ("ожида", RequestState.WAITING),
    ("клиент", RequestState.WAITING),
    ("решен", RequestState.RESOLVED),
    ("решён", RequestState.RESOLVED),
    ("выполн", RequestState.RESOLVED),
    ("закрыт", RequestState.CLOSED),
    ("отмен", RequestState.CANCELLED),
    ("нов", RequestState.NEW),
    ("работ", RequestState.IN_WORK),
]


@dataclass(frozen=True)
class Stage:
    status_id: str  # e.g. DT1030_8:NEW
    name: str
    sort: int
    semantics: str | None  # "S" success, "F" failure, None in progress


def default_state(stage: Stage, is_first: bool) -> str:
    """A sensible state for a stage the admin has not mapped yet."""
    if stage.semantics == "S":
        return RequestState.CLOSED
    if stage.semantics == "F":
        return RequestState.CANCELLED
    code = stage.status_id.rsplit(":", 1)[-1].upper()
    if code in _BY_CODE:
        return _BY_CODE[code]
    name = stage.name.lower()
    for word, state in _BY_WORD:
        if word in name:
            return state
    return RequestState.NEW if is_first else RequestState.IN_WORK


def default_mapping(stages: list[Stage], existing: dict[str, str] | None = None) -> dict[str, str]:
    """Keep what the admin chose; give new stages a default."""
    mapping = dict(existing or {})
    ordered = sorted(stages, key=lambda s: s.sort)
    for index, stage in enumerate(ordered):
        mapping.setdefault(stage.status_id, default_state(stage, is_first=index == 0))
    return mapping


def state_of(stage_id: str, mapping: dict[str, str]) -> str:
    return mapping.get(stage_id) or RequestState.IN_WORK


def stage_for_state(state: str, mapping: dict[str, str]) -> str | None:
    """The first stage mapped to a state (used when the app moves a request, e.g. from 1C)."""
    for stage_id, mapped in mapping.items():
        if mapped == state:
            return stage_id
    return None
