"""A manager opens the report in CRM → Analytics, filters it and sees the figures change."""

from __future__ import annotations

import pytest

from tests.integration.conftest import installed, stack  # noqa: F401  (fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_report_page_filters_by_channel(installed, page):  # noqa: F811
    installed.seed_requests()
    installed.wait_idle()
    page.goto(f"{installed.portal_url}/")
    page.locator("a", has_text="Отчёт сервис-деска").first.click()
    frame = page.frame_locator("iframe").first
    frame.locator("#report-count").wait_for(timeout=15000)
    assert frame.locator("#report-count").inner_text() == "4"
    screenshot(page, "report-page")
    frame.locator("select[name=type]").select_option("warranty")
    frame.locator("#report-filters button[type=submit]").click()
    frame.locator("#report-count", has_text="0").wait_for(timeout=10000)
