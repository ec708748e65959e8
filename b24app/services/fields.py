"""The app's fields on the smart process: definitions, Bitrix24 names, and reading/writing item values."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    code: str  # suffix of UF_CRM_<typeId>_<code>
    user_type_id: str
    label_ru: str
    label_en: str
    enum: tuple[tuple[str, str, str], ...] = ()  # (xml id, Russian, English)
    settings: dict[str, Any] = field(default_factory=dict)


REQUEST_TYPES = (
    ("support", "Техническая поддержка", "Technical support"),
    ("consultation", "Консультация", "Consultation"),
    ("warranty", "Гарантийный случай", "Warranty case"),
    ("other", "Другое", "Other"),
)
URGENCIES = (
    ("critical", "Критическая", "Critical"),
    ("high", "Высокая", "High"),
    ("normal", "Обычная", "Normal"),
    ("low", "Низкая", "Low"),
)
CHANNELS = (
    ("phone", "Телефон", "Phone"),
    ("email", "Электронная почта", "Email"),
    ("web_form", "Веб-форма", "Web form"),
    ("chat", "Чат", "Chat"),
    ("other", "Другое", "Other"),
)
SLA_STATES = (
    ("on_track", "В срок", "On track"),
    ("warning", "Под угрозой", "Warning"),
    ("breached", "Просрочено", "Breached"),
    ("paused", "На паузе", "Paused"),
    ("met", "Выполнено в срок", "Met"),
)

APP_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("SD_TYPE", "enumeration", "Тип обращения", "Request type", REQUEST_TYPES),
    FieldSpec("SD_URGENCY", "enumeration", "Срочность", "Urgency", URGENCIES),
    FieldSpec("SD_CHANNEL", "enumeration", "Канал", "Channel", CHANNELS),
    FieldSpec("SD_DESCRIPTION", "string", "Описание", "Description", settings={"ROWS": 6}),
    FieldSpec("SD_SLA_DUE", "datetime", "Срок по SLA", "SLA due"),
    FieldSpec("SD_SLA_STATE", "enumeration", "Состояние SLA", "SLA state", SLA_STATES),
    FieldSpec("SD_ONEC_NUMBER", "string", "Номер заявки в 1С", "1C number"),
    FieldSpec("SD_ONEC_STATUS", "string", "Статус в 1С", "1C status"),
    FieldSpec("SD_CSAT", "integer", "Оценка клиента (CSAT)", "CSAT"),
)


def field_name(type_id: int, code: str) -> str:
    return f"UF_CRM_{type_id}_{code}"


def item_key(upper_name: str) -> str:
    """UF_CRM_7_SLA_DUE → ufCrm7SlaDue: Bitrix24 keeps an underscore only between two digits."""
    parts = [p for p in upper_name.split("_") if p]
    out = parts[0].lower()
    for prev, part in pairwise(parts):
        if prev[-1].isdigit() and part[0].isdigit():
            out += "_"
        out += part[:1].upper() + part[1:].lower()
    return out


@dataclass(frozen=True)
class FieldMap:
    """Where the app's fields live on a portal's items, read from portal.settings["fields"]."""

    fields: dict[str, dict[str, Any]]

    def key(self, code: str) -> str | None:
        info = self.fields.get(code)
        return info["item_key"] if info else None

    def read(self, item: dict[str, Any], code: str) -> Any:
        info = self.fields.get(code)
        if not info:
            return None
        value = item.get(info["item_key"], item.get(info["field_name"]))
        if info.get("enum") and value not in (None, "", []):
            by_id = {str(v): k for k, v in info["enum"].items()}
            return by_id.get(str(value))
        return value

    def write(self, code: str, value: Any) -> dict[str, Any]:
        """Fields for crm.item.update; enum codes are turned into the portal's value ids."""
        info = self.fields.get(code)
        if not info:
            return {}
        if info.get("enum") and value is not None:
            value = info["enum"].get(value)
        return {info["item_key"]: value}
