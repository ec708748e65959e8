"""Sections of the request tab: each feature (SLA, routing, knowledge base, 1C) adds its own block.

A section is a template plus a function that builds its data from the local mirror (never a live call
to Bitrix24 or 1C on the render path). Modules that define sections are listed in SECTION_MODULES.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..models import Portal, ServiceRequest

SECTION_MODULES: list[str] = [
    "b24app.placements.card_kb",
    "b24app.placements.card_notify",
    "b24app.placements.card_sla",
    "b24app.placements.card_routing",
    "b24app.placements.card_onec",
    "b24app.placements.card_history",
]


@dataclass(frozen=True)
class CardContext:
    portal: Portal
    request: ServiceRequest
    user_id: int
    is_admin: bool
    lang: str


@dataclass(frozen=True)
class Section:
    order: int
    name: str
    template: str
    build: Callable[[CardContext], dict[str, Any] | None]


@dataclass(frozen=True)
class RenderedSection:
    name: str
    template: str
    data: dict[str, Any]


_sections: list[Section] = []
_loaded = False


def section(order: int, name: str, template: str):
    def register(build: Callable[[CardContext], dict[str, Any] | None]):
        if any(s.name == name for s in _sections):
            raise RuntimeError(f"card section {name!r} registered twice")
        _sections.append(Section(order, name, template, build))
        _sections.sort(key=lambda s: s.order)
        return build

    return register


def render_sections(ctx: CardContext) -> list[RenderedSection]:
    """Data of every section that has something to show (a builder returns None to hide itself)."""
    global _loaded
    if not _loaded:
        for module in SECTION_MODULES:
            importlib.import_module(module)
        _loaded = True
    rendered = []
    for s in _sections:
        data = s.build(ctx)
        if data is not None:
            rendered.append(RenderedSection(s.name, s.template, data))
    return rendered
