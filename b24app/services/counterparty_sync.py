"""The counterparty sync 1C → Bitrix24: every counterparty of 1C becomes (or stays linked to) a
company with its requisites (INN, KPP, OGRN) and contacts, page by page, in batches of 50 commands.

Resumable without duplicates: the 1C cursor is committed after each page, and a counterparty without
a link is first looked up in Bitrix24 by its INN/KPP, so a page replayed after a crash links the
companies it created instead of creating them again. Merged duplicates in 1C (deletion-marked with
`replaced_by`) move their links to the survivor and are never created.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from onec_client import OneCClient, OneCStale
from onec_client.models import Counterparty

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import CounterpartyLink, CounterpartySyncRun, utcnow

log = logging.getLogger(__name__)

PAGE_SIZE = 250
PAIRS_PER_BATCH = 25  # company.add + requisite.add referring to it must share one batch of 50
LOOKUPS_PER_BATCH = 50
COMPANY = CounterpartyLink.COMPANY


@dataclass(frozen=True)
class Presets:
    legal: int
    individual: int

    def for_kind(self, kind: str) -> int:
        return self.legal if kind == "legal" else self.individual


def current_run(portal_id: int) -> CounterpartySyncRun | None:
    return db.session.scalars(
        select(CounterpartySyncRun)
        .where(CounterpartySyncRun.portal_id == portal_id)
        .order_by(CounterpartySyncRun.id.desc())
    ).first()


def start_or_resume(portal_id: int) -> CounterpartySyncRun:
    """The unfinished run of the portal (after a crash), or a new one."""
    run = current_run(portal_id)
    if run is None or run.finished_at is not None:
        run = CounterpartySyncRun(portal_id=portal_id)
        db.session.add(run)
        db.session.commit()
    return run


def read_presets(b24: B24Client) -> Presets:
    rows = b24.call("crm.requisite.preset.list", {"select": ["ID", "NAME", "XML_ID"]}).result or []
    legal = individual = None
    for row in rows:
        marker = f"{row.get('XML_ID', '')} {row.get('NAME', '')}".upper()
        if legal is None and ("COMPANY" in marker or "ОРГАНИЗАЦИЯ" in marker):
            legal = int(row["ID"])
        if individual is None and ("INDIVIDUAL" in marker or "ИП" in marker.split()):
            individual = int(row["ID"])
    first = int(rows[0]["ID"]) if rows else 1
    return Presets(legal or first, individual or legal or first)


def run_sync(
    portal_id: int, b24: B24Client, onec: OneCClient, page_size: int = PAGE_SIZE
) -> CounterpartySyncRun:
    run = start_or_resume(portal_id)
    presets = read_presets(b24)
    while True:
        page = onec.counterparty_page(run.cursor, page_size)
        if page.items:
            _apply_page(portal_id, b24, page.items, presets, run)
        if page.total is not None:
            run.total = page.total
        run.cursor = page.next_cursor or run.cursor
        db.session.commit()  # the page is done: a crash from here on resumes after it
        if not page.next_cursor or not page.items:
            break
    run.finished_at = utcnow()
    run.cursor = None
    db.session.commit()
    log.info("portal %s: counterparty sync done: %s", portal_id, summary(run))
    return run


def summary(run: CounterpartySyncRun) -> str:
    return f"{run.done}/{run.total} done, {run.created} created, {run.linked} linked, {run.errors} errors"


def _apply_page(
    portal_id: int, b24: B24Client, items: list[Counterparty], presets: Presets, run: CounterpartySyncRun
) -> None:
    # REST calls first, database writes after: a write transaction held across calls would block the
    # shared rate limiter and token refresh.
    live = [c for c in items if not c.deletion_mark]
    links = {
        link.onec_ref: link
        for link in db.session.scalars(
            select(CounterpartyLink).where(
                CounterpartyLink.portal_id == portal_id, CounterpartyLink.onec_ref.in_([c.ref for c in live])
            )
        )
    }
    unknown = [c for c in live if c.ref not in links]
    found = _lookup(b24, unknown)
    created, failed = _create(b24, [c for c in unknown if c.ref not in found], presets)
    changed = [c for c in live if c.ref in links and links[c.ref].data_version != c.data_version]
    failed += _update(b24, changed, links)
    for merged in (c for c in items if c.deletion_mark and c.replaced_by):
        db.session.execute(
            update(CounterpartyLink)
            .where(CounterpartyLink.portal_id == portal_id, CounterpartyLink.onec_ref == merged.ref)
            .values(onec_ref=merged.replaced_by)
        )
    taken = set(
        db.session.scalars(
            select(CounterpartyLink.b24_entity_id).where(
                CounterpartyLink.portal_id == portal_id,
                CounterpartyLink.b24_entity_type_id == COMPANY,
                CounterpartyLink.b24_entity_id.in_(list(found.values())),
            )
        )
    )
    for counterparty in unknown:
        company_id = found.get(counterparty.ref) or created.get(counterparty.ref)
        if not company_id:
            continue
        if company_id in taken:
            # A duplicate in 1C (same INN/KPP as a counterparty already linked to this company): one
            # company keeps one link; the duplicate waits for «Поиск и удаление дублей» in 1C.
            log.info(
                "portal %s: 1C duplicate %s of company %s not linked", portal_id, counterparty.ref, company_id
            )
            found.pop(counterparty.ref, None)
            continue
        taken.add(company_id)
        db.session.add(_link(portal_id, company_id, counterparty))
    for counterparty in changed:
        link = links[counterparty.ref]
        link.name, link.kpp, link.data_version = (
            counterparty.name,
            counterparty.kpp,
            counterparty.data_version,
        )
    run.done += len(items)
    run.created += len(created)
    run.linked += len(found)
    run.updated += len(changed)
    run.errors += len(failed)
    if failed:
        run.last_error = "; ".join(failed[:5])


def _link(portal_id: int, company_id: int, c: Counterparty) -> CounterpartyLink:
    return CounterpartyLink(
        portal_id=portal_id,
        b24_entity_type_id=COMPANY,
        b24_entity_id=company_id,
        onec_ref=c.ref,
        inn=c.inn,
        kpp=c.kpp,
        name=c.name,
        data_version=c.data_version,
    )


def _lookup(b24: B24Client, items: list[Counterparty]) -> dict[str, int]:
    """Companies already in Bitrix24 with the same INN (and KPP): linked, not created again."""
    commands = {}
    for c in items:
        flt: dict[str, Any] = {"RQ_INN": c.inn, "ENTITY_TYPE_ID": COMPANY}
        if c.kpp:
            flt["RQ_KPP"] = c.kpp
        commands[c.ref] = ("crm.requisite.list", {"filter": flt, "select": ["ENTITY_ID"]})
    if not commands:
        return {}
    outcome = b24.batch(commands)
    found = {}
    for ref, rows in outcome.results.items():
        if (
            isinstance(rows, list) and len(rows) == 1
        ):  # several companies with one INN/KPP: leave for a person
            found[ref] = int(rows[0]["ENTITY_ID"])
    return found


def _company_fields(c: Counterparty) -> dict[str, Any]:
    fields: dict[str, Any] = {"TITLE": c.name or c.full_name, "ADDRESS_LEGAL": c.legal_address}
    if c.phone:
        fields["PHONE"] = [{"VALUE": c.phone, "VALUE_TYPE": "WORK"}]
    if c.email:
        fields["EMAIL"] = [{"VALUE": c.email, "VALUE_TYPE": "WORK"}]
    return fields


def _requisite_fields(c: Counterparty, company_ref: str, presets: Presets) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ENTITY_TYPE_ID": COMPANY,
        "ENTITY_ID": company_ref,
        "PRESET_ID": presets.for_kind(c.kind),
        "NAME": c.full_name or c.name,
        "RQ_INN": c.inn,
        "RQ_COMPANY_NAME": c.full_name or c.name,
    }
    if c.kpp:
        fields["RQ_KPP"] = c.kpp
    if c.ogrn:
        fields["RQ_OGRNIP" if len(c.ogrn) == 15 else "RQ_OGRN"] = c.ogrn
    return fields


def _create(b24: B24Client, items: list[Counterparty], presets: Presets) -> tuple[dict[str, int], list[str]]:
    created: dict[str, int] = {}
    failed: list[str] = []
    for start in range(0, len(items), PAIRS_PER_BATCH):
        chunk = items[start : start + PAIRS_PER_BATCH]
        commands: dict[str, tuple[str, dict[str, Any]]] = {}
        for i, c in enumerate(chunk):
            commands[f"c{i}"] = ("crm.company.add", {"fields": _company_fields(c)})
            commands[f"r{i}"] = (
                "crm.requisite.add",
                {"fields": _requisite_fields(c, f"$result[c{i}]", presets)},
            )
        outcome = b24.batch(commands)
        for i, c in enumerate(chunk):
            company_id = outcome.results.get(f"c{i}")
            if company_id and f"r{i}" not in outcome.errors:
                created[c.ref] = int(company_id)
            else:
                error = outcome.errors.get(f"c{i}") or outcome.errors.get(f"r{i}")
                failed.append(f"{c.inn} {c.name}: {error}")
                if company_id:  # the company exists without its requisite: link it anyway, fix by hand
                    created[c.ref] = int(company_id)
    return created, failed


def _update(b24: B24Client, items: list[Counterparty], links: dict[str, CounterpartyLink]) -> list[str]:
    """Names changed in 1C reach the company; contacts stay as people in Bitrix24 keep them."""
    if not items:
        return []
    commands = {
        c.ref: (
            "crm.company.update",
            {"id": links[c.ref].b24_entity_id, "fields": {"TITLE": c.name or c.full_name}},
        )
        for c in items
    }
    outcome = b24.batch(commands)
    return [f"{ref}: {error}" for ref, error in outcome.errors.items()]


def _first(values: Any) -> str:
    for entry in values or []:
        value = str((entry or {}).get("VALUE") or "").strip()
        if value:
            return value
    return ""


def push_company(portal_id: int, b24: B24Client, onec: OneCClient, company_id: int) -> Counterparty | None:
    """Bitrix24 → 1C: a linked company's name, phone and email, sent only when they differ from 1C's.

    If-Match carries the version the app last saw; a 412 (1C changed meanwhile) re-reads and retries
    once. The new version is stored on the link, so the change coming back from 1C is not applied again.
    """
    link = db.session.scalars(
        select(CounterpartyLink).where(
            CounterpartyLink.portal_id == portal_id,
            CounterpartyLink.b24_entity_type_id == COMPANY,
            CounterpartyLink.b24_entity_id == company_id,
        )
    ).first()
    if link is None:
        return None
    company = b24.call("crm.company.get", {"id": company_id}).result or {}
    wanted = {
        "name": company.get("TITLE") or "",
        "phone": _first(company.get("PHONE")),
        "email": _first(company.get("EMAIL")),
    }
    current = onec.get_counterparty(link.onec_ref)
    for attempt in range(2):
        changes = {k: v for k, v in wanted.items() if v and v != getattr(current, k)}
        if not changes:
            saved = current
            break
        try:
            saved = onec.update_counterparty(link.onec_ref, changes, current.data_version)
            break
        except OneCStale:
            if attempt:
                raise
            current = onec.get_counterparty(link.onec_ref)
    link.name, link.data_version = saved.name, saved.data_version
    return saved
