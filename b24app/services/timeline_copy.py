"""Copies of what the app told the client (an email, a survey answer) as timeline comments on the item.

The comment is recorded in the request history under its own kind at once, so when its
ONCRMTIMELINECOMMENTADD event arrives it is not taken for an operator's internal note.
"""

from __future__ import annotations

from ..bitrix.client import B24Client
from ..models import ServiceRequest, utcnow
from . import history


def item_url(base_url: str, entity_type_id: int, b24_id: int) -> str:
    return f"{base_url}/crm/type/{entity_type_id}/details/{b24_id}/"


def add_copy(client: B24Client, req: ServiceRequest, entity_type_id: int, text: str, kind: str) -> int:
    """Post the comment and record it; returns the comment id."""
    comment_id = int(
        client.call(
            "crm.timeline.comment.add",
            {
                "fields": {
                    "ENTITY_ID": req.b24_id,
                    "ENTITY_TYPE": f"dynamic_{entity_type_id}",
                    "COMMENT": text,
                }
            },
        ).result
    )
    history.record(req, kind, f"comment:{comment_id}", utcnow(), text=text)
    return comment_id
