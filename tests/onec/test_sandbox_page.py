"""The page a person in 1C uses: see requests, change a status, add an interaction, edit a counterparty."""

import uuid

import pytest

from sandbox.onec import create_onec_app


@pytest.fixture
def page():
    app = create_onec_app()
    sandbox = app.extensions["sandbox_onec"]
    counterparty = sandbox.store.find_counterparties("1634567899", None)[0]
    _, created = sandbox.store.create_request(
        {"counterparty_ref": counterparty["ref"], "subject": "Перегрев КВ-15"}, str(uuid.uuid4())
    )
    yield app.test_client(), sandbox, created
    sandbox.close()


def feed_types(sandbox):
    return [item["type"] for item in sandbox.store.feed.items]


def test_page_lists_requests_with_status_and_counterparty_in_russian(page):
    client, _, created = page
    html = client.get("/sandbox1c/").get_data(as_text=True)
    assert created["number"] in html
    assert "КазаньПромАвтоматика ООО" in html
    assert "Новая" in html
    assert "cdn" not in html.lower()


def test_changing_the_status_on_the_page_registers_a_status_change(page):
    client, sandbox, created = page
    answer = client.post(f"/sandbox1c/requests/{created['ref']}/status", data={"status": "waiting_customer"})
    assert answer.status_code == 303
    assert feed_types(sandbox)[-1] == "request.status_changed"
    assert sandbox.store.requests[created["ref"]].status_history[-1].author == "Иванов И.И."
    assert "Ожидает клиента" in client.get("/sandbox1c/").get_data(as_text=True)


def test_adding_an_interaction_on_the_page_registers_it(page):
    client, sandbox, created = page
    client.post(
        f"/sandbox1c/requests/{created['ref']}/interactions",
        data={"kind": "call", "direction": "out", "text": "Перезвонили"},
    )
    assert feed_types(sandbox)[-1] == "interaction.added"
    assert "Перезвонили" in client.get("/sandbox1c/").get_data(as_text=True)


def test_editing_a_counterparty_changes_its_version_and_registers_it(page):
    client, sandbox, created = page
    ref = created["counterparty_ref"]
    before = sandbox.store.counterparties[ref].data_version
    client.post(
        f"/sandbox1c/counterparties/{ref}",
        data={"name": "КазаньПромАвтоматика", "kpp": "163401002", "phone": "", "email": ""},
    )
    assert sandbox.store.counterparties[ref].kpp == "163401002"
    assert sandbox.store.counterparties[ref].data_version != before
    assert feed_types(sandbox)[-1] == "counterparty.updated"


def test_a_bad_kpp_on_the_page_gives_a_readable_error(page):
    client, _, created = page
    answer = client.post(f"/sandbox1c/counterparties/{created['counterparty_ref']}", data={"kpp": "12"})
    assert answer.status_code == 422
    assert "Некорректный КПП" in answer.get_data(as_text=True)


def test_quirk_switches_on_the_page(page):
    client, sandbox, _ = page
    client.post("/sandbox1c/quirks", data={"no_charset": "on", "fail_500_html": "2", "hang_sec": "40"})
    assert (sandbox.store.quirks.bom, sandbox.store.quirks.fail_500_html) == (False, 2)
