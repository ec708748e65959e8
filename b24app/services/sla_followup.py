"""A client's message on a closed request opens a new request (a closed one is never reopened).

The new item carries `xmlId = sd-followup:<parent>:<message source>`: it makes the creation idempotent
(looked up before adding) and tells the new request's mirror its parent when it arrives.
"""

from __future__ import annotations

import logging
from typing import Any

from ..models import RequestEvent
from .pipeline import PipelineContext

log = logging.getLogger(__name__)

FOLLOWUP_PREFIX = "sd-followup:"


def open_followup(ctx: PipelineContext, message: RequestEvent) -> int | None:
    """Create the follow-up item once per message; returns its id if this call created it."""
    req = ctx.request
    xml_id = f"{FOLLOWUP_PREFIX}{req.b24_id}:{message.source_ref}"[:100]
    found = ctx.client.call(
        "crm.item.list",
        {"entityTypeId": ctx.entity_type_id, "filter": {"=xmlId": xml_id}, "select": ["id"]},
    ).result
    if (found or {}).get("items"):
        return None
    fields: dict[str, Any] = {
        "title": f"Повторное обращение: {req.title}"[:255],
        "xmlId": xml_id,
        "assignedById": req.assigned_by_id,
    }
    if req.company_id:
        fields["companyId"] = req.company_id
    if req.contact_id:
        fields["contactId"] = req.contact_id
    for code, value in (
        ("SD_TYPE", req.request_type),
        ("SD_URGENCY", req.urgency),
        ("SD_CHANNEL", message.channel or req.channel),
        ("SD_DESCRIPTION", message.text or req.description),
    ):
        if value:
            fields.update(ctx.fields.write(code, value))
    created = ctx.client.call("crm.item.add", {"entityTypeId": ctx.entity_type_id, "fields": fields}).result
    new_id = int((created or {}).get("item", {}).get("id") or 0)
    if not new_id:
        return None
    entity_type = f"dynamic_{ctx.entity_type_id}"
    ctx.client.batch(
        {
            "parent": (
                "crm.timeline.comment.add",
                {
                    "fields": {
                        "ENTITY_ID": req.b24_id,
                        "ENTITY_TYPE": entity_type,
                        "COMMENT": f"Клиент написал после закрытия: создано повторное обращение #{new_id}.",
                    }
                },
            ),
            "child": (
                "crm.timeline.comment.add",
                {
                    "fields": {
                        "ENTITY_ID": new_id,
                        "ENTITY_TYPE": entity_type,
                        "COMMENT": f"Повторное обращение по закрытому обращению #{req.b24_id}.",
                    }
                },
            ),
        }
    )
    log.info("portal %s: request %s closed, follow-up %s opened", req.portal_id, req.b24_id, new_id)
    return new_id
