"""An administrator edits the knowledge base in the app's admin page: search, a new article with a
sanitised preview, a refused import with its line numbers, a refused template."""

from __future__ import annotations

import pytest

from tests.integration.conftest import installed, stack  # noqa: F401  (fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_admin_searches_writes_an_article_and_sees_import_and_template_errors(installed, page):  # noqa: F811
    installed.load_demo_kb()
    page.goto(f"{installed.portal_url}/marketplace/app/")
    frame = page.frame_locator("iframe").first
    frame.locator("button[data-admin-tab='kb']").click()
    count = frame.locator("#kb-count")
    count.wait_for(timeout=15000)
    assert count.inner_text() == "Найдено: 43"

    frame.locator("#kb-filter input[name=q]").fill("т-400")
    frame.locator("#kb-filter button[type=submit]").click()
    frame.locator("#kb-count", has_text="Найдено: 10").wait_for(timeout=10000)

    frame.locator("[data-kb='new-article']").click()
    frame.locator("#kb-f-title").fill("Т-400: замена батареи памяти")
    frame.locator("#kb-f-body").fill('**Выключите** станок. <img src=x onerror="alert(1)">')
    frame.locator("[data-kb='preview']").click()
    preview = frame.locator("#kb-preview strong")
    preview.wait_for(timeout=10000)
    assert preview.inner_text() == "Выключите"
    assert "<img" not in frame.locator("#kb-preview").inner_html()
    frame.locator("#kb-editor button[type=submit]").click()
    frame.locator("#kb-count", has_text="Найдено: 11").wait_for(timeout=10000)
    assert "Т-400: замена батареи памяти" in frame.locator("#kb-articles").inner_text()

    frame.locator("#kb-import input[type=file]").set_input_files(
        {
            "name": "kb.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": '{"title": "Статья"}\n{сломано\n'.encode(),
        }
    )
    frame.locator("#kb-import button[type=submit]").click()
    report = frame.locator("#kb-import-result.error")
    report.wait_for(timeout=10000)
    assert "kb.jsonl:2" in report.inner_text() and "Ничего не импортировано" in report.inner_text()

    frame.locator("#kb-t-title").fill("Уточнение")
    frame.locator("#kb-t-body").fill("Здравствуйте, {client}!")
    frame.locator("#kb-template-editor button[type=submit]").click()
    refused = frame.locator("#kb-template-result.error")
    refused.wait_for(timeout=10000)
    assert "неизвестные подстановки: client" in refused.inner_text()
    screenshot(page, "kb-admin-tab")
