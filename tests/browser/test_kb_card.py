"""An operator opens a demo request, sees the knowledge-base suggestions in the app's tab and
inserts the first article into the request."""

from __future__ import annotations

import pytest

from tests.integration.conftest import installed, stack  # noqa: F401  (fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.browser
# The portal resizes the tab's frame to its content (BX24.fitWindow) while sections load: clicks land
# once its height has held still for half a second.
FRAME_FITTED = """() => {
  const height = document.querySelector("iframe[name^='tab-']").getBoundingClientRect().height;
  const settled = window.lastFrameHeight === height;
  window.lastFrameHeight = height;
  return settled;
}"""


def test_operator_inserts_the_suggested_article_and_sees_it_sent_to_the_timeline(installed, page):  # noqa: F811
    installed.load_demo_kb()
    item = installed.seed_requests()[0]
    installed.wait_idle()
    etid = installed.entity_type_id()
    page.goto(f"{installed.portal_url}/crm/type/{etid}/details/{item['id']}/")
    page.locator("button[data-tab]", has_text="Сервис-деск").click()
    frame = page.frame_locator("iframe[name^='tab-']").first
    first = frame.locator("#kb-card .kb-suggestion").first
    first.wait_for(timeout=15000)
    assert "Т-400" in first.locator(".kb-title").inner_text()
    assert frame.locator("#kb-card .kb-suggestion").count() == 3

    page.wait_for_function(FRAME_FITTED, polling=500, timeout=15000)
    first.get_by_role("button", name="Вставить в ответ").click()

    status = first.locator(".kb-status.ok")
    status.wait_for(timeout=15000)
    assert (
        status.inner_text()
        == "Ответ отправляется клиенту, копия — в ленте; если доставить его не удастся, придёт уведомление"
    )
    screenshot(page, "kb-card-insert")


def test_operator_replies_from_the_slider_above_the_timeline(installed, page):  # noqa: F811
    installed.load_demo_kb()
    item = installed.seed_requests()[3]  # «Компрессор КВ-15 перегревается»
    installed.wait_idle()
    etid = installed.entity_type_id()
    page.goto(f"{installed.portal_url}/crm/type/{etid}/details/{item['id']}/")
    page.locator("button[data-slider]", has_text="Ответ клиенту").click()
    slider = page.frame_locator("iframe[name^='act-']").first
    first = slider.locator("#kb-card .kb-suggestion").first
    first.wait_for(timeout=15000)
    assert "КВ-15" in first.locator(".kb-title").inner_text()
    assert f"№{item['id']}" in slider.locator("#reply-request").inner_text()
    first.get_by_role("button", name="Вставить в ответ").click()
    first.locator(".kb-status.ok").wait_for(timeout=15000)
    client_mail = installed.smtp.mailbox.wait_for(
        lambda m: m.subject.startswith(f"Ответ по обращению №{item['id']}"), timeout=30
    )
    assert client_mail is not None and "КВ-15" in client_mail.body
    screenshot(page, "reply-slider")
