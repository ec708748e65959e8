"""A person opens a demo request in the sandbox portal and sees the app's tab with that request."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from b24app.extensions import db
from b24app.models import ServiceRequest
from tests.conftest import ARTIFACTS
from tests.integration.conftest import installed, stack  # noqa: F401  (fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_request_card_tab_shows_the_request_from_the_app(installed, page):  # noqa: F811
    item = installed.seed_requests()[0]
    installed.wait_idle()
    etid = installed.entity_type_id()
    page.goto(f"{installed.portal_url}/crm/type/{etid}/details/{item['id']}/")
    page.locator("button[data-tab]", has_text="Сервис-деск").click()
    frame = page.frame_locator("iframe[name^='tab-']").first
    frame.locator("#req-title").wait_for(timeout=15000)
    assert "Станок ЧПУ Т-400" in frame.locator("#req-title").inner_text()
    assert frame.locator("#req-client").inner_text() == "ТЕХНО-ЛОГИСТИК ООО"
    with installed.app.app_context():
        mirrored = db.session.scalars(
            select(ServiceRequest).where(ServiceRequest.b24_id == int(item["id"]))
        ).one()
        responsible = mirrored.assigned_name
        db.session.remove()
    assert responsible and frame.locator("#req-responsible").inner_text() == responsible
    assert frame.locator("#req-state").inner_text() == "Новое"
    screenshot(page, "request-tab")


def test_admin_main_page_shows_setup_and_saves_the_stage_mapping(installed, page):  # noqa: F811
    page.goto(f"{installed.portal_url}/marketplace/app/")
    frame = page.frame_locator("iframe").first
    frame.locator("#smart-process").wait_for(timeout=15000)
    assert "Обращения клиентов" in frame.locator("#smart-process").inner_text()
    frame.locator("#stage-map button[type=submit]").click()
    frame.locator("#stage-map-result.ok").wait_for(timeout=10000)
    screenshot(page, "admin-main-page")


def test_a_user_working_in_english_gets_the_tab_in_english(installed, page):  # noqa: F811
    item = installed.seed_requests()[0]
    installed.wait_idle()
    etid = installed.entity_type_id()
    page.goto(f"{installed.portal_url}/")
    with page.expect_navigation():
        page.locator("header select[name=lang]").select_option("en")
    page.goto(f"{installed.portal_url}/crm/type/{etid}/details/{item['id']}/")
    page.locator("button[data-tab]", has_text="Service desk").click()  # the tab's title from LANG_ALL
    frame = page.frame_locator("iframe[name^='tab-']").first
    frame.locator("#req-title").wait_for(timeout=15000)
    assert frame.locator("dt", has_text="Client").count() == 1
    # The countdown is written by the page's script, in the user's language too.
    countdown = frame.locator("#sla-countdown .sla-countdown-value").inner_text()
    assert re.fullmatch(r"(\d+ h )?\d+ min left|overdue by (\d+ h )?\d+ min", countdown), countdown
    screenshot(page, "request-tab-en")


def test_the_field_column_shows_the_widget_with_a_ticking_sla_countdown(installed, page):  # noqa: F811
    item = installed.seed_requests()[1]
    installed.wait_idle()
    etid = installed.entity_type_id()
    page.goto(f"{installed.portal_url}/crm/type/{etid}/details/{item['id']}/")
    widget = page.frame_locator("iframe[name^='uf-']").first  # in the card's main tab, no click needed
    countdown = widget.locator("#sla-countdown .sla-countdown-value")
    countdown.wait_for(timeout=15000)
    assert re.search(r"(осталось|просрочено на) (\d+ ч )?\d+ мин", countdown.inner_text())
    assert widget.locator("#widget-state").inner_text() == "Новое"
    assert "Ответственный" in widget.locator("#widget-responsible").inner_text()
    page.locator("iframe[name^='uf-']").first.screenshot(path=os.path.join(ARTIFACTS, "card-widget.png"))


def test_admin_sets_when_silent_resolved_requests_close(installed, page):  # noqa: F811
    page.goto(f"{installed.portal_url}/marketplace/app/")
    frame = page.frame_locator("iframe").first
    form = frame.locator("#autoclose")
    form.wait_for(timeout=15000)
    assert form.locator("[name=days]").input_value() == "7"  # a week by default
    form.locator("[name=days]").fill("500")
    form.locator("button[type=submit]").click()  # the browser holds the form back: at most 90 days
    assert form.locator("[name=days]").evaluate("input => input.validity.valid") is False
    assert frame.locator("#autoclose-result").inner_text() == ""
    form.locator("[name=days]").fill("4")
    form.locator("button[type=submit]").click()
    frame.locator("#autoclose-result.ok").wait_for(timeout=10000)
    with installed.app.app_context():
        from b24app.models import Portal
        from b24app.services import autoclose

        assert autoclose.close_after_days(db.session.scalars(select(Portal)).one()) == 4
        db.session.remove()
