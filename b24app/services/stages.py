"""The one place that maps Bitrix24 stages of the smart process to the app's request states."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..i18n import DEFAULT
from ..models import RequestState

# Labels for the app's pages (translated); what goes to the portal or a client uses portal_state_label.
STATE_LABELS = {
    RequestState.NEW: _l("Новое"),
    RequestState.IN_WORK: _l("В работе"),
    RequestState.WAITING: _l("Ждёт ответа клиента"),
    RequestState.RESOLVED: _l("Решено"),
    RequestState.CLOSED: _l("Закрыто"),
    RequestState.CANCELLED: _l("Отменено"),
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


def portal_state_label(state: str) -> str:
    """The state's name as written to the portal or to a client: always Russian, whatever the UI language."""
    with force_locale(DEFAULT):
        return str(STATE_LABELS.get(state, state))


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
