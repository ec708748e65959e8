"""A client on the company's site: the web form offers an article while they type, points at a wrong
field, and takes the request."""

from __future__ import annotations

import re
import time

import pytest

from tests.integration.conftest import installed, open_frame, stack  # noqa: F401  (fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_client_sees_an_article_fixes_the_email_and_sends_the_request(installed, page):  # noqa: F811
    installed.load_demo_kb()
    url = re.search(r'id="web-form-url" href="([^"]+)"', open_frame(installed, "DEFAULT").text).group(1)
    page.goto(url)
    page.fill("#f-subject", "Т-400 не включается, ошибка E-17")
    suggestion = page.locator("#suggestions a").first
    suggestion.wait_for(timeout=10000)
    assert "Т-400" in suggestion.inner_text()
    screenshot(page, "web-form")

    page.fill("#f-name", "Ольга Лебедева")
    page.fill("#f-email", "lebedeva@new-client")
    page.fill("#f-description", "После грозы станок не запускается.")
    time.sleep(2.1)
    page.click("#web-form-submit")
    page.locator("#e-email").wait_for(timeout=10000)
    assert "Проверьте адрес" in page.locator("#e-email").inner_text()
    assert page.input_value("#f-name") == "Ольга Лебедева"

    page.fill("#f-email", "lebedeva@new-client.example")
    time.sleep(2.1)
    page.click("#web-form-submit")
    page.locator("#web-form-thanks").wait_for(timeout=10000)
    assert "lebedeva@new-client.example" in page.content()
    screenshot(page, "web-form-thanks")
    installed.wait_idle()
    mail = installed.smtp.mailbox.wait_for(lambda m: "зарегистрировано" in m.subject, timeout=30)
    assert mail is not None and mail.recipients == ("lebedeva@new-client.example",)
