"""A client on a phone opens the survey link from the sandbox mailbox, taps a star and sends the answer."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from b24app.extensions import db
from b24app.models import Portal, Survey
from b24app.services.portals import client_for
from sandbox import demo_data
from sandbox.portal import seed_requests
from tests.integration.conftest import installed, stack  # noqa: F401  (fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 667}


def _resolve_one_request(sandbox, app) -> None:
    item = seed_requests(sandbox.portal, sandbox.entity_type_id(), [demo_data.REQUESTS[0]])[0]
    sandbox.wait_idle()
    # Two updates of one item within the same second give identical event payloads, and the app
    # collapses an identical one that is still unprocessed: let the app's own write-back settle first.
    time.sleep(1.1)
    sandbox.wait_idle()
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        stage = next(s for s, state in portal.settings["stage_map"].items() if state == "resolved")
        client_for(portal.id, app.config["SETTINGS"]).call(
            "crm.item.update",
            {"entityTypeId": sandbox.entity_type_id(), "id": item["id"], "fields": {"stageId": stage}},
        )
        db.session.remove()
    sandbox.wait_idle()


def test_survey_on_a_phone_star_tap_and_submit(installed, app, browser):  # noqa: F811
    _resolve_one_request(installed, app)
    survey_mail = installed.smtp.mailbox.wait_for(lambda m: "/survey/" in m.body, timeout=30)
    assert survey_mail is not None, "the survey email never arrived"
    context = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{installed.portal_url}/mailbox/")
        link = page.locator(".mail-body a", has_text=re.compile("/survey/")).first
        href = link.get_attribute("href")
        assert href and href.startswith(installed.app_url)
        page.goto(href)
        stars = page.locator(".star-row label")
        assert stars.count() == 5
        box = stars.first.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44  # big enough to tap
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        page.locator("label[for=score-4]").tap()
        page.locator("label[for=nps-9]").tap()
        page.fill("#comment", "Спасибо, всё работает")
        screenshot(page, "survey-phone-form")
        page.locator("#survey-submit").tap()
        page.locator("#survey-thanks").wait_for(timeout=10000)
        assert "4 из 5" in page.inner_text("main")
        screenshot(page, "survey-phone-thanks")
    finally:
        context.close()
    with app.app_context():
        answered = db.session.scalars(select(Survey)).one()
        assert (answered.score, answered.nps, answered.comment) == (4, 9, "Спасибо, всё работает")
        db.session.remove()


def test_admin_edits_a_template_with_preview_and_a_clear_syntax_error(installed, page):  # noqa: F811
    page.goto(f"{installed.portal_url}/marketplace/app/")
    frame = page.frame_locator("iframe").first
    frame.locator("button[data-admin-tab=notify]").click()
    form = frame.locator("#template-registered")
    form.wait_for(timeout=15000)
    body = form.locator("textarea[name=body]")
    body.fill("Здравствуйте!\n{% if number %}без конца")
    form.locator("[data-action=preview]").click()
    form.locator(".result.error").wait_for(timeout=10000)
    assert "строка 2" in form.locator(".result").inner_text()
    body.fill("Обращение №{{ number }} принято, {{ client_name }}.")
    form.locator("[data-action=preview]").click()
    form.locator(".preview").wait_for(timeout=10000)
    assert "Обращение №1024 принято, Иван Петров." in form.locator(".preview").inner_text()
    form.locator("button[type=submit]").click()
    form.locator(".result.ok", has_text="Сохранено").wait_for(timeout=10000)
    screenshot(page, "admin-notify-tab")
