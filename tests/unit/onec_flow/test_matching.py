"""Counterparty matching (ONEC.md §5) against the sandbox 1C over loopback HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from b24app.extensions import db
from b24app.models import ExchangeLog
from b24app.services.onec_calls import Exchange
from b24app.services.onec_matching import match_counterparty
from b24app.services.onec_rules import ClientData
from onec_client import OneCClient
from sandbox.http import ServerThread
from sandbox.onec import OneCSettings, create_onec_app
from sandbox.onec.records import stable_ref
from tests.factories import make_portal


@pytest.fixture
def onec():
    settings = OneCSettings()
    app = create_onec_app(settings)
    with ServerThread(app) as server:
        yield OneCClient(server.url + settings.base_path, settings.username, settings.password)
    app.extensions["sandbox_onec"].close()


def _client(inn: str, kpp: str = "", name: str = "Клиент") -> ClientData:
    return ClientData(4, 1, name, email="x@example.ru", inn=inn, kpp=kpp)


def _match(onec, client, known=None, chosen=None, key="k-1"):
    return match_counterparty(Exchange(0, onec), client, known_ref=known, chosen=chosen, key=key)


def test_one_counterparty_with_the_inn_and_kpp_is_taken(onec):
    match = _match(onec, _client("6612345676", "661201001"))
    assert match.counterparty.ref == stable_ref("uralmash")


def test_duplicates_with_the_same_inn_and_kpp_are_never_picked(onec):
    match = _match(onec, _client("5024089920", "502401001"))
    assert match.needs_decision and not match.branches
    assert {c.ref for c in match.candidates} == {stable_ref("technolog"), stable_ref("technolog-duplicate")}


def test_a_merged_duplicate_leads_to_its_survivor(onec):
    assert _match(onec, _client("5409876540", "540901001")).counterparty.ref == stable_ref("sibenergo")
    known = _match(onec, _client("5409876540", "540901001"), known=stable_ref("sibenergo-merged"))
    assert known.counterparty.ref == stable_ref("sibenergo")


def test_an_unknown_kpp_offers_the_branches_and_creates_only_on_request(onec):
    match = _match(onec, _client("6612345676", "661299001"))
    assert match.needs_decision and match.branches and len(match.candidates) == 2
    created = _match(onec, _client("6612345676", "661299001", "Новый филиал"), chosen="new", key="k-branch")
    again = _match(onec, _client("6612345676", "661299001", "Новый филиал"), chosen="new", key="k-branch")
    assert created.counterparty.kpp == "661299001" and again.counterparty.ref == created.counterparty.ref


def test_a_sole_proprietor_is_matched_by_inn_alone_and_a_new_client_is_created_once(onec):
    assert _match(onec, _client("771234567859")).counterparty.ref == stable_ref("ip-ivanov")
    first = _match(onec, _client("7707083893", "773601001", "Новый завод"), key="k-new")
    second = _match(onec, _client("7707083893", "773601001", "Новый завод"), key="k-new")
    assert first.counterparty.ref == second.counterparty.ref


def test_every_call_is_logged_with_its_outcome(onec, ctx):
    portal = make_portal()
    exchange = Exchange(portal.id, onec)
    match_counterparty(
        exchange, _client("6612345676", "661201001"), known_ref="unknown-ref", chosen=None, key="k"
    )
    exchange.save()
    db.session.commit()
    rows = db.session.scalars(select(ExchangeLog).order_by(ExchangeLog.id)).all()
    assert [(r.operation, r.result, r.http_status) for r in rows] == [
        ("get", "error", 404),
        ("find", "ok", 200),
    ]
