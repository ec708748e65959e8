"""The request pipeline: after a request is mirrored (or its history grows), run the service-desk steps
in order and write what they decided back to the Bitrix24 item in one call.

Steps register themselves with @step(order, name) in their own modules (listed in STEP_MODULES):
intake, routing, SLA, the 1C push... Rules every step follows:
- idempotent and order-independent: it may run again for the same state of the request;
- it asks for item writes through ctx.set_field / ctx.set_item, which skip values already there, so
  writing back does not start an endless loop of update events;
- it does its REST calls before its own database writes (the pipeline commits between steps: a write
  transaction held across REST calls would block the shared rate limiter).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import Portal, RequestEvent, ServiceRequest
from .fields import FieldMap

log = logging.getLogger(__name__)

# Modules that define steps; imported once, in this order.
STEP_MODULES: list[str] = [
    "b24app.services.intake",
    "b24app.services.routing_pipeline",
    "b24app.services.sla_pipeline",
    "b24app.services.notify",
    "b24app.services.onec_sync",
]


@dataclass
class RequestChange:
    created: bool = False
    previous_stage: str | None = None
    previous_state: str | None = None
    new_events: list[RequestEvent] = field(default_factory=list)

    def stage_changed(self, req: ServiceRequest) -> bool:
        return not self.created and self.previous_stage is not None and self.previous_stage != req.stage_id


@dataclass
class PipelineContext:
    portal: Portal
    client: B24Client
    request: ServiceRequest
    item: dict[str, Any]
    change: RequestChange
    fields: FieldMap
    updates: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def entity_type_id(self) -> int:
        return int(self.portal.settings["smart_process"]["entity_type_id"])

    def set_field(self, code: str, value: Any) -> None:
        """Write one of the app's fields (enum codes are translated), unless it already holds the value."""
        if self.fields.read(self.item, code) == value:
            return
        self.updates.update(self.fields.write(code, value))

    def set_item(self, key: str, value: Any) -> None:
        """Write a standard item field (e.g. assignedById), unless it already holds the value."""
        if str(self.item.get(key)) != str(value):
            self.updates[key] = value


Step = Callable[[PipelineContext], None]
_steps: list[tuple[int, str, Step]] = []
_loaded = False


def step(order: int, name: str) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        if any(existing == name for _, existing, _ in _steps):
            raise RuntimeError(f"pipeline step {name!r} registered twice")
        _steps.append((order, name, fn))
        _steps.sort(key=lambda s: s[0])
        return fn

    return register


def load_steps() -> list[tuple[int, str, Step]]:
    global _loaded
    if not _loaded:
        for module in STEP_MODULES:
            importlib.import_module(module)
        _loaded = True
    return list(_steps)


def run(ctx: PipelineContext) -> dict[str, Any]:
    """Run every step, then write the collected item fields back once. Returns what was written."""
    db.session.commit()
    for _, name, fn in load_steps():
        fn(ctx)
        db.session.commit()
        log.debug("portal %s request %s: step %s done", ctx.portal.id, ctx.request.b24_id, name)
    if not ctx.updates:
        return {}
    ctx.client.call(
        "crm.item.update",
        {"entityTypeId": ctx.entity_type_id, "id": ctx.request.b24_id, "fields": ctx.updates},
    )
    ctx.item.update(ctx.updates)
    return dict(ctx.updates)
