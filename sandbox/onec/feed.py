"""The change feed of the sandbox infobase: items registered on every write, re-delivered until acknowledged.

Not thread-safe on its own: the store calls it under its lock.
"""

from __future__ import annotations

import random
from datetime import tzinfo
from typing import Any

from sandbox.onec.quirks import ApiError
from sandbox.onec.records import local_text, utc_now


class ChangeFeed:
    def __init__(self, tz: tzinfo, rng: random.Random) -> None:
        self.tz = tz
        self.rng = rng
        self.items: list[dict[str, Any]] = []
        self.acked = 0
        self.last_seq = 0

    def register(
        self,
        kind: str,
        ref: str,
        external_id: str,
        data_version: str,
        data: dict[str, Any],
        status: str,
        *,
        gaps: bool,
    ) -> None:
        # Real sequence numbers skip values (rolled-back transactions, other exchange nodes).
        self.last_seq += self.rng.randint(2, 4) if gaps else 1
        self.items.append(
            {
                "seq": self.last_seq,
                "type": kind,
                "ref": ref,
                "external_id": external_id,
                "status": status,
                "data_version": data_version,
                "occurred_at": local_text(utc_now(), self.tz),
                "data": data,
            }
        )

    def page(self, after: str | None, limit: int) -> dict[str, Any]:
        """Items after the cursor, or after the acknowledged one when no cursor is given."""
        start = self.acked if after is None else cursor_seq(after)
        page = [item for item in self.items if item["seq"] > start][:limit]
        return {"items": page, "next_cursor": str(page[-1]["seq"] if page else start)}

    def ack(self, cursor: Any) -> dict[str, Any]:
        # An older cursor is a no-op; a cursor past the end cannot skip items not yet written.
        self.acked = max(self.acked, min(cursor_seq(cursor), self.last_seq))
        return {"cursor": str(self.acked)}


def cursor_seq(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise ApiError(400, "BAD_CURSOR", "Некорректный курсор", {"cursor": value}) from exc
