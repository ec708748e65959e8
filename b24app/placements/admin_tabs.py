"""Tabs of the admin page: each feature (SLA, routing, knowledge base, 1C) adds its own.

A tab is an HTML fragment served by a GET frame-api endpoint (it carries the frame token in a header)
and loaded into the admin page by admin.js; its behaviour lives in a static script (the frame's CSP
allows no inline script). Modules that define tabs are listed in TAB_MODULES.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace

from flask_babel.speaklater import LazyString

TAB_MODULES: list[str] = [
    "b24app.placements.admin_routing",
    "b24app.placements.notify_admin",
    "b24app.placements.kb_admin",
    "b24app.placements.sla_admin",
    "b24app.placements.onec_admin",
]


@dataclass(frozen=True)
class AdminTab:
    order: int
    name: str
    title: str | LazyString  # lazy_gettext of the Russian title: rendered in the request's language
    fragment_url: str  # GET, answers an HTML fragment
    script: str | None = None  # a file in static/, loaded with the page
    admin_only: bool = True


_tabs: list[AdminTab] = []
_loaded = False


def register_tab(tab: AdminTab) -> None:
    if any(t.name == tab.name for t in _tabs):
        raise RuntimeError(f"admin tab {tab.name!r} registered twice")
    _tabs.append(tab)
    _tabs.sort(key=lambda t: t.order)


def tabs_for(is_admin: bool) -> list[AdminTab]:
    global _loaded
    if not _loaded:
        for module in TAB_MODULES:
            importlib.import_module(module)
        _loaded = True
    # Titles are lazy: resolved here, in the request's language, to plain strings (which Jinja escapes;
    # a lazy string would be inserted as is).
    return [replace(t, title=str(t.title)) for t in _tabs if is_admin or not t.admin_only]
