"""The intake step of the request pipeline: where the request came from (SD_CHANNEL), read from the item's
source when nobody has set it, so that routing rules, SLA reports and client notifications can use it.

Bitrix24 gives every item a `sourceId` from the portal's SOURCE list: CALL, EMAIL, WEB… and, for items an
open line created, `<line id>|<connector>` (e.g. `1|TELEGRAMBOT`). A channel set by a person is never
changed.
"""

from __future__ import annotations

from typing import Any

from ..models import EventKind
from .pipeline import PipelineContext, step

SOURCE_CHANNELS = {
    "CALL": "phone",
    "CALLBACK": "phone",
    "EMAIL": "email",
    "WEB": "web_form",
    "WEBFORM": "web_form",
}


def channel_of(source_id: Any, first_message_channel: str | None = None) -> str | None:
    """The channel a source stands for; None when it says nothing (OTHER, empty, unknown)."""
    source = str(source_id or "").strip().upper()
    if "|" in source:
        return "chat"
    if source in SOURCE_CHANNELS:
        return SOURCE_CHANNELS[source]
    return first_message_channel


@step(5, "intake")
def fill_channel(ctx: PipelineContext) -> None:
    req = ctx.request
    if req.channel:
        return
    first = next(
        (e.channel for e in ctx.change.new_events if e.kind == EventKind.CLIENT_MESSAGE and e.channel), None
    )
    channel = channel_of(ctx.item.get("sourceId"), first)
    if channel:
        req.channel = channel
        ctx.set_field("SD_CHANNEL", channel)
