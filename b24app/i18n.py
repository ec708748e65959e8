"""Language of the UI: Russian by default, English when the portal or the frame asks for it."""

from __future__ import annotations

from flask import g, request

SUPPORTED = ("ru", "en")


def select_locale() -> str:
    lang = getattr(g, "lang", None) or request.args.get("LANG") or request.args.get("lang")
    return lang if lang in SUPPORTED else "ru"
