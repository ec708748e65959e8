"""Matching a Bitrix24 client to a 1C counterparty (ONEC.md §5): known ref first, then INN/KPP, and
never a guess — several candidates go to an operator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onec_client import Counterparty, OneCAmbiguous, OneCNotFound

from ..models.onec_sync import CREATE_NEW
from .onec_calls import Exchange
from .onec_rules import ClientData

MAX_REPLACEMENTS = 5


@dataclass
class Match:
    """The counterparty to use, or the candidates an operator must choose from."""

    counterparty: Counterparty | None = None
    candidates: list[Counterparty] = field(default_factory=list)
    branches: bool = False  # candidates share the INN but not the KPP: "create a new one" is offered

    @property
    def needs_decision(self) -> bool:
        return self.counterparty is None


def candidate_json(counterparty: Counterparty, branch: bool) -> dict[str, Any]:
    return {
        "ref": counterparty.ref,
        "name": counterparty.name,
        "inn": counterparty.inn,
        "kpp": counterparty.kpp,
        "legal_address": counterparty.legal_address,
        "phone": counterparty.phone,
        "is_branch": counterparty.is_branch,
        "match": "branch" if branch else "exact",
    }


def resolve(exchange: Exchange, ref: str) -> Counterparty | None:
    """The live counterparty behind a ref: merged duplicates lead to their survivor; None if gone."""
    seen: set[str] = set()
    current: str | None = ref
    while current and current not in seen and len(seen) < MAX_REPLACEMENTS:
        seen.add(current)
        try:
            found = exchange.call(
                "counterparty", "get", current, lambda r=current: exchange.onec.get_counterparty(r)
            )
        except OneCNotFound:
            return None
        if not found.deletion_mark:
            return found
        current = found.replaced_by
    return None


def _live(exchange: Exchange, found: list[Counterparty]) -> list[Counterparty]:
    """Deletion-marked entries replaced by their survivors, duplicates of a ref removed."""
    live: dict[str, Counterparty] = {}
    for counterparty in found:
        if counterparty.deletion_mark:
            survivor = resolve(exchange, counterparty.replaced_by) if counterparty.replaced_by else None
            if survivor is not None:
                live.setdefault(survivor.ref, survivor)
            continue
        live.setdefault(counterparty.ref, counterparty)
    return list(live.values())


def _find(exchange: Exchange, inn: str, kpp: str | None) -> list[Counterparty]:
    found = exchange.call(
        "counterparty", "find", inn, lambda: exchange.onec.find_counterparties(inn, kpp or None)
    )
    return _live(exchange, found)


def _create(exchange: Exchange, client: ClientData, key: str) -> Match:
    try:
        created = exchange.call(
            "counterparty",
            "find_or_create",
            client.inn,
            lambda: exchange.onec.find_or_create_counterparty(client.counterparty_body(), key),
        )
    except OneCAmbiguous as exc:
        return Match(candidates=_live(exchange, list(exc.candidates)))
    return Match(counterparty=created)


def match_counterparty(
    exchange: Exchange, client: ClientData, *, known_ref: str | None, chosen: str | None, key: str
) -> Match:
    """ONEC.md §5: the operator's choice, the known ref, INN+KPP, INN alone; create only when none fits."""
    if chosen == CREATE_NEW:
        return _create(exchange, client, key)
    if chosen:
        picked = resolve(exchange, chosen)
        if picked is not None:
            return Match(counterparty=picked)
    if known_ref:
        known = resolve(exchange, known_ref)
        if known is not None:
            return Match(counterparty=known)
    legal = len(client.inn) == 10
    exact = _find(exchange, client.inn, client.kpp if legal else None)
    exact = [c for c in exact if c.kpp == client.kpp] if legal else [c for c in exact if not c.kpp]
    if len(exact) == 1:
        return Match(counterparty=exact[0])
    if len(exact) > 1:
        return Match(candidates=exact)
    if legal:
        branches = _find(exchange, client.inn, None)
        if branches:
            return Match(candidates=branches, branches=True)
    return _create(exchange, client, key)
