"""An administrator adds an SLA policy in the «SLA и календарь» tab, and a wrong one is refused with the
reason shown next to it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from b24app.extensions import db
from b24app.models import SlaPolicyRecord
from tests.integration.conftest import installed, stack  # noqa: F401  (fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.browser


def _policy(app, code: str) -> SlaPolicyRecord | None:
    with app.app_context():
        found = db.session.scalars(select(SlaPolicyRecord).where(SlaPolicyRecord.code == code)).one_or_none()
        db.session.remove()
        return found


def test_admin_adds_a_policy_and_a_duplicate_code_is_refused(installed, page):  # noqa: F811
    page.goto(f"{installed.portal_url}/marketplace/app/")
    frame = page.frame_locator("iframe").first
    frame.locator("button[data-admin-tab='sla']").click()
    new = frame.locator("#sla-new-policy")
    new.wait_for(timeout=15000)
    # Offered ahead of the fallback policy (no conditions), which would otherwise always win first.
    general = frame.locator("tr[data-code='general'] [name=position]").input_value()
    assert int(new.locator("[name=position]").input_value()) < int(general)
    new.locator("[name=code]").fill("vip_support")
    new.locator("[name=name]").fill("VIP-клиенты")
    new.locator("[name=request_types]").select_option(["support", "warranty"])
    new.locator("[name=priorities]").select_option(["critical"])
    new.locator("[name=first_response]").fill("15")
    new.locator("[name=resolution]").fill("240")
    new.locator("[data-add-policy]").click()
    added = frame.locator("tr[data-code='vip_support']")
    added.wait_for(timeout=10000)
    assert added.locator("[name=name]").input_value() == "VIP-клиенты"
    policy = _policy(installed.app, "vip_support")
    assert policy is not None
    assert (policy.first_response, policy.resolution) == (15, 240)
    assert policy.position < int(general)
    assert sorted(policy.request_types) == ["support", "warranty"] and policy.priorities == ["critical"]

    new = frame.locator("#sla-new-policy")
    new.locator("[name=code]").fill("vip_support")
    new.locator("[name=name]").fill("Ещё одна")
    new.locator("[name=first_response]").fill("30")
    new.locator("[data-add-policy]").click()
    error = new.locator(".result.error")
    error.wait_for(timeout=10000)
    assert "vip_support" in error.inner_text() and "уже есть" in error.inner_text()
    assert frame.locator("tr[data-code='vip_support']").count() == 1
    screenshot(page, "sla-admin-new-policy")


def test_admin_names_the_service_manager_and_the_second_level_delay(installed, page):  # noqa: F811
    with installed.app.app_context():
        from b24app.models import Agent

        manager = db.session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.name)).first()
        name, user_id = manager.name, manager.user_id
        db.session.remove()
    page.goto(f"{installed.portal_url}/marketplace/app/")
    frame = page.frame_locator("iframe").first
    frame.locator("button[data-admin-tab='sla']").click()
    row = frame.locator("tr[data-code='general']")
    row.wait_for(timeout=15000)
    row.locator("[name=service_manager_user_id]").select_option(label=name)
    row.locator("[name=second_level_share]").fill("1")
    row.locator("[name=notify_in_working_hours_only]").uncheck()
    row.locator("[data-save-policy]").click()
    row.locator(".result.ok").wait_for(timeout=10000)
    policy = _policy(installed.app, "general")
    assert policy.service_manager_user_id == user_id and policy.second_level_share == 1.0
    assert policy.notify_in_working_hours_only is False
    row.locator("[name=second_level_share]").fill("20")
    row.locator("[data-save-policy]").click()
    row.locator(".result.error").wait_for(timeout=10000)
    assert _policy(installed.app, "general").second_level_share == 1.0  # the refused value is not kept
