"""Admin edits of SLA policies and the business calendar: validated, with messages in Russian.

Every function checks the whole input first and raises InvalidSettings before changing anything.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import BusinessCalendarRecord, SlaPolicyRecord
from .calendar import BusinessCalendar, DateOverride, WorkInterval
from .fields import REQUEST_TYPES
from .sla_policies import PRIORITIES, default_calendar

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
MAX_TARGET_MINUTES = 60 * 24 * 365
KIND_LABELS = {"day_off": _l("выходной"), "working": _l("рабочий день"), "short": _l("сокращённый день")}


class InvalidSettings(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def policy_as_dict(p: SlaPolicyRecord) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "position": p.position,
        "request_types": list(p.request_types or []),
        "priorities": list(p.priorities or []),
        "first_response": p.first_response,
        "next_response": p.next_response,
        "resolution": p.resolution,
        "business_hours": p.business_hours,
        "warning_share": p.warning_share,
        "second_level_share": p.second_level_share,
        "notify_in_working_hours_only": p.notify_in_working_hours_only,
        "service_manager_user_id": p.service_manager_user_id,
        "calendar_id": p.calendar_id,
        "active": p.active,
    }


def _minutes(body: dict[str, Any], key: str, label: str, errors: dict[str, str]) -> int | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        errors[key] = _("%(label)s: укажите целое число минут", label=label)
        return None
    minutes = int(value)
    if not 1 <= minutes <= MAX_TARGET_MINUTES:
        errors[key] = _("%(label)s: от 1 минуты до года", label=label)
    return minutes


def _share(body: dict[str, Any], key: str, label: str, low: float, high: float, errors: dict[str, str]):
    try:
        share = float(body[key])
    except (KeyError, TypeError, ValueError):
        errors[key] = _("%(label)s: укажите число", label=label)
        return None
    if not low <= share <= high:
        errors[key] = _("%(label)s: от %(low)s до %(high)s", label=label, low=f"{low:g}", high=f"{high:g}")
    return share


def _choices(body: dict[str, Any], key: str, allowed: tuple[str, ...], label: str, errors: dict[str, str]):
    values = body.get(key) or []
    if not isinstance(values, list) or any(v not in allowed for v in values):
        errors[key] = _("%(label)s: допустимы только %(allowed)s", label=label, allowed=", ".join(allowed))
        return []
    return list(dict.fromkeys(values))


def apply_policy(portal_id: int, body: Any, policy: SlaPolicyRecord | None = None) -> SlaPolicyRecord:
    """Create (policy None) or update a policy from an admin form; InvalidSettings on bad input."""
    if not isinstance(body, dict):
        raise InvalidSettings({"body": _("Ожидался объект JSON с полями политики")})
    errors: dict[str, str] = {}
    code = str(body.get("code") or (policy.code if policy else "")).strip()
    if not _CODE.match(code):
        errors["code"] = _("Код: латинские строчные буквы, цифры и «_», начиная с буквы")
    elif policy is None or code != policy.code:
        taken = db.session.scalars(
            select(SlaPolicyRecord.id).where(
                SlaPolicyRecord.portal_id == portal_id, SlaPolicyRecord.code == code
            )
        ).first()
        if taken:
            errors["code"] = _("Политика с кодом «%(code)s» уже есть", code=code)
    name = str(body.get("name") or "").strip()
    if not name or len(name) > 255:
        errors["name"] = _("Название обязательно (до 255 символов)")
    targets = {
        key: _minutes(body, key, label, errors)
        for key, label in (
            ("first_response", _("Первый ответ")),
            ("next_response", _("Следующий ответ")),
            ("resolution", _("Решение")),
        )
    }
    if not any(targets.values()) and not any(k in errors for k in targets):
        errors["targets"] = _("Укажите хотя бы один срок")
    warning = _share(body, "warning_share", _("Доля для предупреждения"), 0.1, 0.99, errors)
    second = _share(body, "second_level_share", _("Задержка второго уровня"), 0.0, 10.0, errors)
    request_types = _choices(
        body, "request_types", tuple(t for t, _ru, _en in REQUEST_TYPES), _("Типы"), errors
    )
    priorities = _choices(body, "priorities", PRIORITIES, _("Приоритеты"), errors)
    position = body.get("position", policy.position if policy else 100)
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 100_000:
        errors["position"] = _("Порядок: целое число от 0 до 100000")
    calendar_id = body.get("calendar_id")
    if calendar_id is not None:
        record = db.session.get(BusinessCalendarRecord, calendar_id) if isinstance(calendar_id, int) else None
        if record is None or record.portal_id != portal_id:
            errors["calendar_id"] = _("Календарь не найден")
    manager = body.get("service_manager_user_id")
    if manager not in (None, "") and (isinstance(manager, bool) or not str(manager).isdigit()):
        errors["service_manager_user_id"] = _("Сервис-менеджер: укажите ID пользователя")
    if errors:
        raise InvalidSettings(errors)
    if policy is None:
        policy = SlaPolicyRecord(portal_id=portal_id)
        db.session.add(policy)
    policy.code, policy.name, policy.position = code, name, position
    policy.first_response = targets["first_response"]
    policy.next_response = targets["next_response"]
    policy.resolution = targets["resolution"]
    policy.request_types, policy.priorities = request_types, priorities
    policy.business_hours = bool(body.get("business_hours", True))
    policy.warning_share, policy.second_level_share = warning, second
    policy.notify_in_working_hours_only = bool(body.get("notify_in_working_hours_only", True))
    policy.service_manager_user_id = int(manager) if manager not in (None, "") else None
    policy.calendar_id = calendar_id if calendar_id is not None else policy.calendar_id
    policy.active = bool(body.get("active", True))
    db.session.flush()
    return policy


def _day_hours(raw: Any, label: str) -> tuple[WorkInterval, ...]:
    if not isinstance(raw, list):
        raise InvalidSettings({label: _("Часы: список интервалов [«09:00», «18:00»]")})
    intervals = []
    for pair in raw:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(t, str) and _TIME.match(t) for t in pair)
        ):
            raise InvalidSettings(
                {label: _("Неверный интервал %(pair)s: нужно [«ЧЧ:ММ», «ЧЧ:ММ»]", pair=repr(pair))}
            )
        try:
            intervals.append(WorkInterval.from_list(pair))
        except ValueError:
            raise InvalidSettings(
                {
                    label: _(
                        "Интервал %(start)s–%(end)s заканчивается раньше начала", start=pair[0], end=pair[1]
                    )
                }
            ) from None
    try:
        # An override runs the calendar's own check: ordered, not overlapping.
        return DateOverride(date(2000, 1, 3), "working", tuple(intervals)).intervals
    except ValueError:
        raise InvalidSettings({label: _("Интервалы пересекаются или идут не по порядку")}) from None


def _save_calendar(record: BusinessCalendarRecord, calendar: BusinessCalendar) -> BusinessCalendarRecord:
    record.data = calendar.to_dict()
    db.session.flush()
    return record


def portal_calendar(portal_id: int) -> BusinessCalendarRecord:
    record = default_calendar(portal_id)
    if record is None:
        raise InvalidSettings({"calendar": _("Календарь ещё не создан")})
    return record


def set_weekly(portal_id: int, body: Any) -> BusinessCalendarRecord:
    """Weekly hours {"0": [["09:00","18:00"]], ...} and optionally the time zone."""
    if not isinstance(body, dict) or not isinstance(body.get("weekly"), dict):
        raise InvalidSettings({"weekly": _('Ожидалось {"weekly": {день недели: [[начало, конец]]}}')})
    record = portal_calendar(portal_id)
    data = dict(record.data)
    weekly = {}
    for key, raw in body["weekly"].items():
        if str(key) not in {str(d) for d in range(7)}:
            raise InvalidSettings({"weekly": _("День недели %(day)s: от 0 (пн) до 6 (вс)", day=repr(key))})
        weekly[str(key)] = [i.to_list() for i in _day_hours(raw, f"weekly.{key}")]
    if not any(weekly.values()):
        raise InvalidSettings({"weekly": _("Хотя бы один день недели должен быть рабочим")})
    data["weekly"] = weekly
    if body.get("tz"):
        data["tz"] = str(body["tz"])
    try:
        calendar = BusinessCalendar.from_dict(data)
    except ValueError:
        raise InvalidSettings({"tz": _("Неизвестный часовой пояс %(tz)s", tz=repr(data.get("tz")))}) from None
    return _save_calendar(record, calendar)


def set_override(portal_id: int, body: Any) -> BusinessCalendarRecord:
    """Add or replace one date: {"day": "2026-05-04", "kind": "day_off|working|short", "intervals": [...]}."""
    if not isinstance(body, dict):
        raise InvalidSettings({"body": _("Ожидался объект JSON")})
    try:
        day = date.fromisoformat(str(body.get("day")))
    except ValueError:
        raise InvalidSettings({"day": _("Дата в формате ГГГГ-ММ-ДД")}) from None
    kind = body.get("kind")
    if kind not in KIND_LABELS:
        raise InvalidSettings({"kind": _("Тип дня: выходной, рабочий день или сокращённый день")})
    intervals = _day_hours(body.get("intervals") or [], "intervals")
    if kind == "day_off" and intervals:
        raise InvalidSettings({"intervals": _("У выходного дня нет рабочих часов")})
    record = portal_calendar(portal_id)
    calendar = BusinessCalendar.from_dict(record.data)
    overrides = dict(calendar.overrides)
    overrides[day] = DateOverride(day, kind, intervals)
    return _save_calendar(record, BusinessCalendar(calendar.tz, calendar.weekly, overrides))


def remove_override(portal_id: int, day_text: str) -> BusinessCalendarRecord:
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise InvalidSettings({"day": _("Дата в формате ГГГГ-ММ-ДД")}) from None
    record = portal_calendar(portal_id)
    calendar = BusinessCalendar.from_dict(record.data)
    if day not in calendar.overrides:
        raise InvalidSettings({"day": _("Для %(day)s нет особого режима", day=f"{day:%d.%m.%Y}")})
    overrides = {d: o for d, o in calendar.overrides.items() if d != day}
    return _save_calendar(record, BusinessCalendar(calendar.tz, calendar.weekly, overrides))
