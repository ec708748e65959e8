"""The install manifest (`install.json`) and its idempotent binding to a portal: placements, event
handlers and custom field types, each bound only when the portal does not have it yet."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

from .client import B24Client
from .errors import B24AlreadyBound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlacementSpec:
    code: str  # may hold templates such as {etid}
    handler: str  # path under the app's base URL
    title: dict[str, str]


@dataclass(frozen=True)
class EventSpec:
    event: str
    handler: str | None = None  # path; the manifest's events URL when absent


@dataclass(frozen=True)
class UserFieldTypeSpec:
    user_type_id: str
    handler: str
    title: dict[str, str]


@dataclass(frozen=True)
class Manifest:
    code: str
    version: int
    title: dict[str, str]
    scopes: list[str]
    urls: dict[str, str]
    placements: list[PlacementSpec]
    events: list[EventSpec]
    userfield_types: list[UserFieldTypeSpec]

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            code=data["code"],
            version=int(data["version"]),
            title=dict(data.get("title", {})),
            scopes=list(data.get("scopes", [])),
            urls=dict(data.get("urls", {})),
            placements=[
                PlacementSpec(p["code"], p["handler"], dict(p.get("title", {})))
                for p in data.get("placements", [])
            ],
            events=[EventSpec(e["event"], e.get("handler")) for e in data.get("events", [])],
            userfield_types=[
                UserFieldTypeSpec(u["user_type_id"], u["handler"], dict(u.get("title", {})))
                for u in data.get("userfield_types", [])
            ],
        )


@dataclass(frozen=True)
class Binding:
    kind: str  # "placement", "event" or "userfield_type"
    code: str
    handler: str

    def __str__(self) -> str:
        return f"{self.kind} {self.code} -> {self.handler}"


@dataclass
class BindReport:
    bound: list[Binding] = field(default_factory=list)
    already: list[Binding] = field(default_factory=list)
    skipped: list[Binding] = field(default_factory=list)  # templates the context cannot fill


def wanted_bindings(
    manifest: Manifest, base_url: str, context: dict[str, Any]
) -> tuple[list[tuple[Binding, dict[str, str]]], list[Binding]]:
    """The concrete bindings the manifest asks for (with titles), and the ones the context cannot fill."""
    base = base_url.rstrip("/")
    wanted: list[tuple[Binding, dict[str, str]]] = []
    skipped: list[Binding] = []
    for placement in manifest.placements:
        missing = [
            name for _, name, _, _ in Formatter().parse(placement.code) if name and name not in context
        ]
        if missing:
            skipped.append(Binding("placement", placement.code, base + placement.handler))
            continue
        code = placement.code.format_map(context).upper()
        wanted.append((Binding("placement", code, base + placement.handler), placement.title))
    events_url = base + manifest.urls["events"]
    for spec in manifest.events:
        handler = base + spec.handler if spec.handler else events_url
        wanted.append((Binding("event", spec.event.upper(), handler), {}))
    for ft in manifest.userfield_types:
        wanted.append((Binding("userfield_type", ft.user_type_id, base + ft.handler), ft.title))
    return wanted, skipped


def existing_bindings(client: B24Client) -> set[Binding]:
    """What the portal has bound for this app now."""
    found: set[Binding] = set()
    for row in client.call("placement.get").result or []:
        found.add(Binding("placement", str(row.get("placement", "")).upper(), str(row.get("handler", ""))))
    for row in client.call("event.get").result or []:
        if not int(row.get("offline") or 0):
            found.add(Binding("event", str(row.get("event", "")).upper(), str(row.get("handler", ""))))
    for row in client.iter_pages("userfieldtype.list"):
        found.add(Binding("userfield_type", str(row.get("USER_TYPE_ID", "")), str(row.get("HANDLER", ""))))
    return found


def bind_manifest(
    client: B24Client, manifest: Manifest, base_url: str, context: dict[str, Any]
) -> BindReport:
    """Bind what the portal lacks; re-running binds nothing twice. Needs an admin's application token."""
    wanted, skipped = wanted_bindings(manifest, base_url, context)
    report = BindReport(skipped=skipped)
    existing = existing_bindings(client)
    field_types = {b.code: b for b in existing if b.kind == "userfield_type"}
    for binding, title in wanted:
        if binding in existing:
            report.already.append(binding)
            continue
        try:
            if binding.kind == "userfield_type" and binding.code in field_types:
                # Same type id, new address (the app moved): update rather than add a duplicate.
                client.call("userfieldtype.update", _field_type_params(binding, title))
            else:
                client.call(*_bind_call(binding, title))
        except B24AlreadyBound:
            report.already.append(binding)
            continue
        log.info("%s: bound %s %s -> %s", client.label, binding.kind, binding.code, binding.handler)
        report.bound.append(binding)
    return report


def unbind_manifest(
    client: B24Client, manifest: Manifest, base_url: str, context: dict[str, Any]
) -> list[Binding]:
    """Remove the manifest's bindings that the portal has; returns what was removed."""
    wanted, _ = wanted_bindings(manifest, base_url, context)
    existing = existing_bindings(client)
    removed: list[Binding] = []
    for binding, _title in wanted:
        if binding not in existing:
            continue
        if binding.kind == "placement":
            client.call("placement.unbind", {"PLACEMENT": binding.code, "HANDLER": binding.handler})
        elif binding.kind == "event":
            client.call("event.unbind", {"event": binding.code, "handler": binding.handler})
        else:
            client.call("userfieldtype.delete", {"USER_TYPE_ID": binding.code})
        removed.append(binding)
    return removed


def _bind_call(binding: Binding, title: dict[str, str]) -> tuple[str, dict[str, Any]]:
    if binding.kind == "placement":
        return "placement.bind", {
            "PLACEMENT": binding.code,
            "HANDLER": binding.handler,
            "TITLE": _default_title(title, binding.code),
            "LANG_ALL": {lang: {"TITLE": text} for lang, text in title.items()},
        }
    if binding.kind == "event":
        return "event.bind", {"event": binding.code, "handler": binding.handler, "event_type": "online"}
    return "userfieldtype.add", _field_type_params(binding, title)


def _field_type_params(binding: Binding, title: dict[str, str]) -> dict[str, Any]:
    return {
        "USER_TYPE_ID": binding.code,
        "HANDLER": binding.handler,
        "TITLE": _default_title(title, binding.code),
    }


def _default_title(title: dict[str, str], fallback: str) -> str:
    return title.get("ru") or next(iter(title.values()), fallback)
