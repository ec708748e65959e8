"""Template filters: dates in the portal's time zone, kept messages in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

DEFAULT_TZ = ZoneInfo("Europe/Moscow")


def localtime(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(DEFAULT_TZ).strftime(fmt)


def register_filters(app: Flask) -> None:
    from .i18n import render

    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(render, "kept")  # a message kept as data, in the reader's language
