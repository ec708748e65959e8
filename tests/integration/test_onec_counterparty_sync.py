"""The counterparty sync 1C → Bitrix24 against the sandbox 1C and portal over real HTTP."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models import CounterpartyLink, CounterpartySyncRun, Portal
from b24app.services import counterparty_sync
from b24app.services.onec_link import client_for_portal
from b24app.services.portals import client_for

from .onec_fixtures import onec_control


@pytest.fixture
def connected(installed):
    installed.connect_onec()
    return installed


def _clients(stack):
    portal = stack.app_portal()
    return portal, client_for(portal.id, stack.app.config["SETTINGS"]), client_for_portal(portal)


def _company_inns(b24) -> Counter:
    rows = list(b24.iter_ids("crm.requisite.list", {"filter": {"ENTITY_TYPE_ID": 4}}, id_key="ID"))
    return Counter((r["RQ_INN"], r.get("RQ_KPP") or "") for r in rows)


class Crash(Exception):
    pass


class CrashingOneC:
    """The 1C client of the app, failing after a number of pages (a worker killed mid-run)."""

    def __init__(self, real, pages: int) -> None:
        self.real, self.pages = real, pages

    def counterparty_page(self, after, limit):
        if self.pages == 0:
            raise Crash("worker died")
        self.pages -= 1
        return self.real.counterparty_page(after, limit)


def test_sync_links_known_companies_creates_the_rest_and_never_duplicates(connected, app):
    onec_control(connected, "counterparties/bulk", {"count": 120, "seed": 7})
    with app.app_context():
        portal, b24, onec = _clients(connected)
        before = _company_inns(b24)
        run = counterparty_sync.run_sync(portal.id, b24, onec, page_size=50)
        assert run.finished_at is not None and run.errors == 0
        assert run.total == run.done
        # The demo companies already in Bitrix24 are linked by INN/KPP, not created again.
        assert run.linked >= 6 and run.created >= 120
        after = _company_inns(b24)
        assert after[("5024089920", "502401001")] == before[("5024089920", "502401001")]
        again = counterparty_sync.run_sync(portal.id, b24, onec, page_size=50)
        assert again.created == 0 and again.linked == 0
        assert _company_inns(b24) == after
        links = db.session.scalar(select(func.count()).select_from(CounterpartyLink))
        assert links == run.created + run.linked
        db.session.remove()


def test_merged_duplicates_are_followed_not_created(connected, app):
    store = connected.onec_app.extensions["sandbox_onec"].store
    merged = [c for c in store.counterparties.values() if c.deletion_mark and c.replaced_by]
    assert merged, "the sandbox 1C seeds a merged duplicate"
    with app.app_context():
        portal, b24, onec = _clients(connected)
        counterparty_sync.run_sync(portal.id, b24, onec)
        refs = set(db.session.scalars(select(CounterpartyLink.onec_ref)))
        db.session.remove()
    assert not {c.ref for c in merged} & refs


def test_a_crashed_run_resumes_where_it_stopped_without_duplicates(connected, app):
    onec_control(connected, "counterparties/bulk", {"count": 150, "seed": 11})
    with app.app_context():
        portal, b24, onec = _clients(connected)
        with pytest.raises(Crash):
            counterparty_sync.run_sync(portal.id, b24, CrashingOneC(onec, pages=2), page_size=40)
        stopped = db.session.scalars(select(CounterpartySyncRun)).one()
        assert stopped.finished_at is None and stopped.done == 80 and stopped.cursor
        resumed = counterparty_sync.run_sync(portal.id, b24, onec, page_size=40)
        assert resumed.id == stopped.id and resumed.finished_at is not None
        assert resumed.done == resumed.total
        counts = _company_inns(b24)
        db.session.remove()
    assert max(counts.values()) == 1  # every INN/KPP pair is one company in Bitrix24


def test_the_scheduled_job_runs_the_sync(connected, app):
    from b24app.jobs import queue

    with app.app_context():
        portal = connected.app_portal()
        queue.enqueue("onec.sync_counterparties", portal_id=portal.id)
        db.session.commit()
        db.session.remove()
    connected.wait_idle()
    with app.app_context():
        run = db.session.scalars(select(CounterpartySyncRun)).one()
        assert run.finished_at is not None and run.done == run.total
        assert db.session.scalars(select(Portal)).one()
        db.session.remove()


def test_a_company_renamed_in_bitrix24_is_renamed_in_1c_even_past_a_stale_version(connected, app):
    store = connected.onec_app.extensions["sandbox_onec"].store
    with app.app_context():
        portal, b24, onec = _clients(connected)
        counterparty_sync.run_sync(portal.id, b24, onec)
        link = db.session.scalars(select(CounterpartyLink).where(CounterpartyLink.inn == "1634567899")).one()
        company_id, ref = link.b24_entity_id, link.onec_ref
        db.session.remove()
    onec_control(connected, "quirks", {"stale_version": True})
    with app.app_context():
        b24 = client_for(connected.app_portal().id, app.config["SETTINGS"])
        b24.call("crm.company.update", {"id": company_id, "fields": {"TITLE": "КазаньПромАвтоматика АО"}})
        db.session.remove()
    connected.wait_idle()

    def renamed():
        return store.counterparties[ref].name == "КазаньПромАвтоматика АО"

    from .onec_fixtures import eventually

    eventually(renamed, what="the new name in 1C")
    with app.app_context():
        link = db.session.scalars(select(CounterpartyLink).where(CounterpartyLink.onec_ref == ref)).one()
        assert link.name == "КазаньПромАвтоматика АО"
        assert link.data_version == store.counterparties[ref].data_version
        db.session.remove()
