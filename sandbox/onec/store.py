"""The sandbox infobase in memory: counterparties, «Заявка» documents, interactions and the change feed.

Everything goes through one lock, so the threaded test server and the push thread see a consistent
state. Writes from the app are idempotent by key; every write changes `data_version` and registers
a change-feed item, exactly as a change-registration plan in 1C would.
"""

from __future__ import annotations

import base64
import random
import struct
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from onec_client.validation import kpp_is_valid
from sandbox.demo_data import COMPANIES
from sandbox.onec import records
from sandbox.onec.feed import ChangeFeed
from sandbox.onec.quirks import ApiError, Quirks, checked_identity
from sandbox.onec.records import CounterpartyRecord, InteractionRecord, RequestRecord, StatusRow

APP_AUTHOR = "Обмен с Битрикс24"
_COUNTERPARTY_FIELDS = ("name", "full_name", "phone", "email", "legal_address", "kpp", "ogrn")


class OneCStore:
    def __init__(self, tz: tzinfo, *, seed: bool = True) -> None:
        self.tz = tz
        self.lock = threading.RLock()
        self.quirks = Quirks()
        self.listeners: list[Callable[[], None]] = []
        self._seed = seed
        self._rng = random.Random(1)
        self.reset()

    def reset(self) -> None:
        """Back to the seeded infobase with default quirks; listeners stay."""
        with self.lock:
            self.quirks = Quirks()
            self.counterparties: dict[str, CounterpartyRecord] = {}
            self.requests: dict[str, RequestRecord] = {}
            self.interactions: dict[tuple[str, str], InteractionRecord] = {}
            self.feed = ChangeFeed(self.tz, self._rng)
            self.stats: Counter[str] = Counter()
            self._version = 0
            self._number = 122
            self._replies: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
            self._last_call = 0.0
            if self._seed:
                for record in records.seed_counterparties(COMPANIES, records.utc_now()):
                    record.data_version = self._new_version()
                    self.counterparties[record.ref] = record

    # -- bookkeeping ---------------------------------------------------------------------------------

    def _new_version(self) -> str:
        self._version += 1
        return base64.b64encode(struct.pack(">II", 1, self._version)).decode("ascii")

    def count_call(self, endpoint: str) -> float:
        """Count a call; return the delay of a first call after idle, if that quirk is on."""
        with self.lock:
            self.stats[endpoint] += 1
            now = time.monotonic()
            idle = not self._last_call or now - self._last_call > self.quirks.idle_after_sec
            self._last_call = now
            return self.quirks.slow_first_call_sec if idle else 0.0

    def take(self, quirk: str) -> bool:
        """Consume one use of a counted quirk (`fail_500_html`, `hang`, `stale_version`)."""
        with self.lock:
            value = getattr(self.quirks, quirk)
            if (
                quirk == "fail_500_html"
                and not value
                and self._rng.random() < self.quirks.fail_500_probability
            ):
                return True
            if not value:
                return False
            setattr(self.quirks, quirk, False if isinstance(value, bool) else value - 1)
            return True

    def _emit(
        self, kind: str, ref: str, external_id: str, data_version: str, data: dict[str, Any], status: str = ""
    ) -> None:
        self.feed.register(kind, ref, external_id, data_version, data, status, gaps=self.quirks.seq_gaps)

    def notify(self) -> None:
        """Tell listeners (the pusher) that the feed grew; called outside the lock."""
        for listener in list(self.listeners):
            listener()

    def _replay(
        self, scope: str, key: str | None, status: int, work: Callable[[], dict[str, Any]]
    ) -> tuple[int, dict[str, Any]]:
        """Run a write once per idempotency key; a repeat gets the first answer's body."""
        with self.lock:
            if key and (scope, key) in self._replies:
                first_status, body = self._replies[(scope, key)]
                return (200 if scope == "POST /counterparties" else first_status), body
            body = work()
            if key:
                self._replies[(scope, key)] = (status, body)
            return status, body

    # -- counterparties ------------------------------------------------------------------------------

    def find_counterparties(self, inn: str, kpp: str | None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                c.to_json(self.tz)
                for c in self.counterparties.values()
                if c.inn == inn and (not kpp or c.kpp == kpp)
            ]

    def list_counterparties(self, after: str | None, limit: int) -> dict[str, Any]:
        with self.lock:
            refs = list(self.counterparties)
            start = refs.index(after) + 1 if after in self.counterparties else 0
            page = refs[start : start + limit]
            items = [self.counterparties[ref].to_json(self.tz) for ref in page]
            more = start + limit < len(refs)
            return {"items": items, "next_cursor": page[-1] if page and more else None, "total": len(refs)}

    def counterparty(self, ref: str) -> CounterpartyRecord:
        record = self.counterparties.get(ref)
        if record is None:
            raise ApiError(404, "NOT_FOUND", "Контрагент не найден", {"ref": ref})
        return record

    def get_counterparty(self, ref: str) -> dict[str, Any]:
        with self.lock:
            return self.counterparty(ref).to_json(self.tz)

    def find_or_create_counterparty(
        self, body: dict[str, Any], key: str | None
    ) -> tuple[int, dict[str, Any]]:
        inn, kpp, kind = checked_identity(body)
        with self.lock:
            if key and ("POST /counterparties", key) in self._replies:
                return self._replay("POST /counterparties", key, 201, dict)
            matches = [
                c
                for c in self.counterparties.values()
                if not c.deletion_mark and c.inn == inn and (len(inn) == 12 or c.kpp == kpp)
            ]
            if len(matches) > 1:
                raise ApiError(
                    409,
                    "AMBIGUOUS_MATCH",
                    "Найдено несколько контрагентов с такими ИНН и КПП",
                    {"candidates": [c.to_json(self.tz) for c in matches]},
                )
            if matches:
                return self._replay("POST /counterparties", key, 200, lambda: matches[0].to_json(self.tz))

            def create() -> dict[str, Any]:
                record = CounterpartyRecord(
                    ref=str(uuid.uuid4()),
                    name=str(body["name"]).strip(),
                    inn=inn,
                    kpp=kpp,
                    kind=kind,
                    external_id=key or "",
                    data_version=self._new_version(),
                    modified_at=records.utc_now(),
                    **{
                        f: str(body[f])
                        for f in ("full_name", "phone", "email", "legal_address", "ogrn")
                        if body.get(f)
                    },
                )
                self.counterparties[record.ref] = record
                payload = record.to_json(self.tz)
                self._emit(
                    "counterparty.updated", record.ref, record.external_id, record.data_version, payload
                )
                return payload

            result = self._replay("POST /counterparties", key, 201, create)
        self.notify()
        return result

    def update_counterparty(
        self, ref: str, body: dict[str, Any], if_match: str | None, key: str | None, *, stale: bool = False
    ) -> dict[str, Any]:
        if "kpp" in body and body["kpp"] and not kpp_is_valid(body["kpp"]):
            raise ApiError(422, "COUNTERPARTY_KPP_INVALID", "Некорректный КПП", {"kpp": body["kpp"]})

        def work() -> dict[str, Any]:
            record = self.counterparty(ref)
            if stale or (if_match is not None and if_match != record.data_version):
                raise ApiError(
                    412,
                    "STALE",
                    "Данные изменены другим пользователем",
                    {"data_version": record.data_version},
                )
            for name in _COUNTERPARTY_FIELDS:
                if name in body:
                    setattr(record, name, str(body[name] or ""))
            record.data_version = self._new_version()
            record.modified_at = records.utc_now()
            payload = record.to_json(self.tz)
            self._emit("counterparty.updated", record.ref, record.external_id, record.data_version, payload)
            return payload

        _, payload = self._replay(f"PATCH /counterparties/{ref}", key, 200, work)
        self.notify()
        return payload

    # -- requests ------------------------------------------------------------------------------------

    def request(self, ref: str) -> RequestRecord:
        record = self.requests.get(ref)
        if record is None:
            raise ApiError(404, "NOT_FOUND", "Заявка не найдена", {"ref": ref})
        return record

    def get_request(self, ref: str) -> dict[str, Any]:
        with self.lock:
            return self.request(ref).to_json(self.tz)

    def create_request(self, body: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
        kind = str(body.get("kind") or "support")
        if kind not in records.REQUEST_KINDS:
            raise ApiError(422, "VALIDATION_FAILED", "Неизвестный вид заявки", {"kind": kind})
        subject = str(body.get("subject") or "").strip()
        if not subject:
            raise ApiError(422, "VALIDATION_FAILED", "Не заполнена тема заявки", {"field": "subject"})
        date = self._incoming_date(body, "date") or records.utc_now()
        planned = self._incoming_date(body, "planned_date")

        def work() -> dict[str, Any]:
            counterparty_ref = str(body.get("counterparty_ref") or "")
            counterparty = self.counterparties.get(counterparty_ref)
            if counterparty is None:
                raise ApiError(
                    422,
                    "COUNTERPARTY_NOT_FOUND",
                    "Контрагент не найден",
                    {"counterparty_ref": counterparty_ref},
                )
            if counterparty.deletion_mark:
                raise ApiError(
                    422,
                    "COUNTERPARTY_DELETED",
                    "Контрагент помечен на удаление",
                    {"counterparty_ref": counterparty_ref, "replaced_by": counterparty.replaced_by},
                )
            self._number += 1
            executor = str(body.get("executor") or "")
            record = RequestRecord(
                ref=str(uuid.uuid4()),
                number=f"0000-{self._number:06d}",
                date=date,
                counterparty_ref=counterparty_ref,
                kind=kind,
                status="new",
                subject=subject,
                description=str(body.get("description") or ""),
                executor=executor,
                executors=[executor] if executor else [],
                external_id=key or "",
                data_version=self._new_version(),
                warranty=bool(body.get("warranty")),
                paid=bool(body.get("paid")),
                planned_date=planned,
                status_history=[StatusRow("new", records.utc_now(), APP_AUTHOR)],
            )
            self.requests[record.ref] = record
            payload = record.to_json(self.tz)
            self._emit(
                "request.updated", record.ref, record.external_id, record.data_version, payload, record.status
            )
            return payload

        result = self._replay("POST /requests", key, 201, work)
        self.notify()
        return result

    def update_request(
        self,
        ref: str,
        body: dict[str, Any],
        if_match: str | None,
        key: str | None,
        *,
        author: str = APP_AUTHOR,
        stale: bool = False,
    ) -> dict[str, Any]:
        status = body.get("status")
        if status is not None and status not in records.REQUEST_STATUSES:
            raise ApiError(422, "VALIDATION_FAILED", "Неизвестное состояние заявки", {"status": status})
        if body.get("kind") is not None and body["kind"] not in records.REQUEST_KINDS:
            raise ApiError(422, "VALIDATION_FAILED", "Неизвестный вид заявки", {"kind": body["kind"]})
        planned = self._incoming_date(body, "planned_date")

        def work() -> dict[str, Any]:
            record = self.request(ref)
            if stale or (if_match is not None and if_match != record.data_version):
                raise ApiError(
                    412,
                    "STALE",
                    "Данные изменены другим пользователем",
                    {"data_version": record.data_version},
                )
            for name in ("subject", "description", "kind"):
                if body.get(name) is not None:
                    setattr(record, name, str(body[name]))
            for name in ("warranty", "paid"):
                if name in body:
                    setattr(record, name, bool(body[name]))
            if planned is not None:
                record.planned_date = planned
            if body.get("executor"):
                record.executor = str(body["executor"])
                if record.executor not in record.executors:
                    record.executors.append(record.executor)
            changed_status = status is not None and status != record.status
            if changed_status:
                record.status = status
                record.posted = status != "new"
                record.status_history.append(StatusRow(status, records.utc_now(), author))
                if status in ("resolved", "closed"):
                    record.actual_date = record.actual_date or records.utc_now()
            record.data_version = self._new_version()
            payload = record.to_json(self.tz)
            kind = "request.status_changed" if changed_status else "request.updated"
            self._emit(kind, record.ref, record.external_id, record.data_version, payload, record.status)
            return payload

        _, payload = self._replay(f"PATCH /requests/{ref}", key, 200, work)
        self.notify()
        return payload

    def put_interaction(
        self, request_ref: str, row_id: str, body: dict[str, Any], author: str = APP_AUTHOR
    ) -> tuple[int, dict[str, Any]]:
        kind = str(body.get("kind") or "comment")
        if kind not in records.INTERACTION_KINDS:
            raise ApiError(422, "VALIDATION_FAILED", "Неизвестный тип взаимодействия", {"kind": kind})
        given = self._incoming_date(body, "at")
        with self.lock:
            request = self.request(request_ref)
            existing = self.interactions.get((request_ref, row_id))
            # A row written again without its time keeps the time it was first written at.
            at = given or (existing.at if existing else records.utc_now())
            row = InteractionRecord(
                id=row_id,
                request_ref=request_ref,
                at=at,
                kind=kind,
                direction=str(body.get("direction") or "in"),
                status=str(body.get("status") or ""),
                responsible=str(body.get("responsible") or author),
                text=str(body.get("text") or ""),
                external_id=str(body.get("external_id") or ""),
            )
            self.interactions[(request_ref, row_id)] = row
            payload = row.to_json(self.tz)
            if existing is None:
                self._emit(
                    "interaction.added", request.ref, request.external_id, request.data_version, payload
                )
        if existing is None:
            self.notify()
        return (200 if existing else 201), payload

    def request_interactions(self, request_ref: str) -> list[InteractionRecord]:
        with self.lock:
            return sorted(
                (r for (ref, _), r in self.interactions.items() if ref == request_ref), key=lambda r: r.at
            )

    def _incoming_date(self, body: dict[str, Any], name: str) -> datetime | None:
        try:
            return records.parse_incoming(body.get(name), self.tz)
        except ValueError as exc:
            raise ApiError(422, "VALIDATION_FAILED", "Некорректная дата", {name: body.get(name)}) from exc

    # -- change feed ---------------------------------------------------------------------------------

    def changes(self, after: str | None, limit: int) -> dict[str, Any]:
        with self.lock:
            return self.feed.page(after, limit)

    def ack(self, cursor: Any) -> dict[str, Any]:
        with self.lock:
            return self.feed.ack(cursor)

    def bulk_counterparties(self, count: int, seed: int) -> int:
        with self.lock:
            taken = {c.inn for c in self.counterparties.values()}
            for record in records.generated_counterparties(count, taken, seed, records.utc_now()):
                record.data_version = self._new_version()
                self.counterparties[record.ref] = record
            return len(self.counterparties)
