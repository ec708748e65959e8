"""Language of the UI: Russian by default, English when the portal or the frame asks for it.

Messages are written in Russian (the msgids) and translated by the catalogs in `translations/`
(`make translations` compiles them). Scripts in `static/` call `t("…")`; the strings they use are read
from the scripts themselves and handed to the page as a JSON catalog, so one `.po` file serves both.
"""

from __future__ import annotations

import json
import logging
import os
from functools import cache
from typing import Any

from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import get_locale, get_translations

SUPPORTED = ("ru", "en")
DEFAULT = "ru"
TRANSLATIONS_DIR = os.path.join(os.path.dirname(__file__), "translations")
STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")

log = logging.getLogger(__name__)


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    lang = getattr(g, "lang", None) or request.args.get("LANG") or request.args.get("lang")
    return lang if lang in SUPPORTED else DEFAULT


@cache
def script_messages() -> tuple[str, ...]:
    """Every `t("…")` message of the scripts in static/, in file order."""
    from babel.messages.extract import extract_from_file

    found: dict[str, None] = {}
    for name in sorted(os.listdir(STATIC_DIR)):
        if name.endswith(".js"):
            path = os.path.join(STATIC_DIR, name)
            for _line, message, _comments, _context in extract_from_file(
                "javascript", path, keywords={"t": None}
            ):
                found.setdefault(message, None)
    return tuple(found)


def script_catalog() -> dict[str, str]:
    """msgid → translation for the scripts, in the request's language (empty for Russian)."""
    if str(get_locale() or DEFAULT) == DEFAULT:
        return {}
    translations = get_translations()
    catalog = {}
    for message in script_messages():
        translated = translations.gettext(message)
        if translated != message:
            catalog[message] = translated
    return catalog


def check_compiled() -> None:
    """Warn at start-up when a catalog was edited but not compiled: English would show Russian."""
    for lang in SUPPORTED:
        if lang == DEFAULT:
            continue
        po = os.path.join(TRANSLATIONS_DIR, lang, "LC_MESSAGES", "messages.po")
        mo = po[:-2] + "mo"
        if os.path.exists(po) and (not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(po)):
            log.warning("translations for %s are not compiled: run `make translations`", lang)


def register_i18n(app: Flask) -> None:
    check_compiled()

    @app.context_processor
    def _i18n() -> dict[str, object]:
        return {"script_catalog": script_catalog, "ui_lang": lambda: str(get_locale() or DEFAULT)}


# Messages kept as data: a text stored when something happened (why a request went to whom, what a
# person changed) is shown later to readers in their own language. It is stored as JSON of the Russian
# msgid and its arguments; an argument may itself be such a message. Texts stored before this existed
# are plain strings and are shown as they are.

Message = dict[str, Any]


def _m(text: str, **args: Any) -> Message:
    """A message to keep (`pybabel extract -k _m` finds the msgid)."""
    return {"m": text, "a": args}


def store(message: Message) -> str:
    return json.dumps(message, ensure_ascii=False)


def render(value: Message | str | None, translate: bool = True) -> str:
    """A kept message in the current language (Russian outside a request, or with translate=False)."""
    if value is None:
        return ""
    if isinstance(value, str):
        if not value.startswith('{"m"'):
            return value
        try:
            value = json.loads(value)
        except ValueError:
            return value
        if not isinstance(value, dict):
            return str(value)
    text = str(value.get("m", ""))
    args = {k: render(v, translate) if isinstance(v, dict) else v for k, v in (value.get("a") or {}).items()}
    translated = get_translations().gettext(text) if translate and has_app_context() else text
    if not args:
        return translated
    try:
        return translated % args
    except (KeyError, ValueError, TypeError):
        return text % args
