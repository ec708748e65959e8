"""Routing over the sandbox portal: the customer's default rules send requests to the right
department's least-loaded member, and the decision is visible on the item and in the card."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from b24app.extensions import db
from b24app.i18n import render
from b24app.models import Portal, ServiceRequest, SlaPolicyRecord
from b24app.models.routing import Agent, RequestRouting, RoutingRule
from b24app.services import routing_agents
from b24app.services.fields import FieldMap
from b24app.services.portals import client_for
from b24app.services.routing_pipeline import enqueue_assign_queue

from .conftest import open_frame

WARRANTY_DEPARTMENT = {5, 6}  # Волкова, Морозов (sandbox/demo_data.py)


def _call(app, method: str, params: dict[str, Any]) -> Any:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        result = client_for(portal.id, app.config["SETTINGS"]).call(method, params).result
        db.session.remove()
        return result


def _add_request(app, stack, title: str, description: str, request_type: str, urgency: str) -> int:
    with app.app_context():
        fields = FieldMap(db.session.scalars(select(Portal)).one().settings["fields"])
        db.session.remove()
    payload = {
        "title": title,
        **fields.write("SD_TYPE", request_type),
        **fields.write("SD_URGENCY", urgency),
        **fields.write("SD_DESCRIPTION", description),
    }
    item = _call(app, "crm.item.add", {"entityTypeId": stack.entity_type_id(), "fields": payload})["item"]
    stack.wait_idle()
    return int(item["id"])


def _assignee_on_portal(app, stack, b24_id: int) -> int:
    item = _call(app, "crm.item.get", {"entityTypeId": stack.entity_type_id(), "id": b24_id})["item"]
    return int(item["assignedById"])


def _mirror(app, b24_id: int) -> ServiceRequest:
    with app.app_context():
        req = db.session.scalars(select(ServiceRequest).where(ServiceRequest.b24_id == b24_id)).one()
        db.session.expunge(req)
        db.session.remove()
        return req


def test_a_warranty_case_goes_to_the_warranty_department(installed, app):
    b24_id = _add_request(
        app,
        installed,
        "Гарантийный ремонт гидростанции ГС-250",
        "Течь масла, оборудование на гарантии",
        "warranty",
        "normal",
    )

    assert _assignee_on_portal(app, installed, b24_id) in WARRANTY_DEPARTMENT
    req = _mirror(app, b24_id)
    assert render(req.routing_explanation).startswith(
        "Правило 1: Гарантийный случай → Гарантийный отдел, наименее загруженный:"
    )
    assert req.assigned_by_id in WARRANTY_DEPARTMENT
    with app.app_context():
        rules = db.session.scalars(select(RoutingRule).order_by(RoutingRule.position)).all()
        assert [r.sla_policy_code for r in rules] == ["warranty", "support_high", "support", "general"]
        assert db.session.scalars(select(Agent).where(Agent.user_id == 2)).one().short_name == "Петров"
        db.session.remove()


def test_urgent_technical_requests_go_to_the_least_loaded_first_line_engineer(installed, app):
    first_line = [
        _add_request(
            app, installed, f"Станок ЧПУ Т-400 не включается ({n})", "Ошибка E-17", "support", "high"
        )
        for n in range(3)
    ]
    # Ties go to whoever got a request longest ago: Петров, Кузнецова, Соколов in turn.
    assert [_assignee_on_portal(app, installed, b) for b in first_line] == [2, 3, 4]

    # Петров's request now waits for the client: its clock stops, so it is no load.
    with app.app_context():
        settings = db.session.scalars(select(Portal)).one().settings
        waiting = next(s for s, state in settings["stage_map"].items() if state == "waiting")
        db.session.remove()
    _call(
        app,
        "crm.item.update",
        {"entityTypeId": installed.entity_type_id(), "id": first_line[0], "fields": {"stageId": waiting}},
    )
    installed.wait_idle()

    b24_id = _add_request(
        app, installed, "Компрессор КВ-15 не запускается", "Стоит участок", "support", "critical"
    )

    assert _assignee_on_portal(app, installed, b24_id) == 2
    req = _mirror(app, b24_id)
    assert render(req.routing_explanation) == (
        "Правило 2: Техническая поддержка + высокая срочность → Инженеры 1 линии, "
        "наименее загруженный: Петров (0 открытых)"
    )
    assert req.priority == "high"
    assert req.group_id == 2
    with app.app_context():
        assert db.session.get(SlaPolicyRecord, req.sla_policy_id).code == "support_high"
        db.session.remove()

    tab = f"CRM_DYNAMIC_{installed.entity_type_id()}_DETAIL_TAB"
    page = open_frame(installed, tab, {"ID": str(b24_id)})
    assert page.status_code == 200, page.text
    assert "наименее загруженный: Петров (0 открытых)" in page.text


def test_a_person_reassigning_a_request_is_respected(installed, app):
    b24_id = _add_request(
        app, installed, "Компрессор КВ-15 перегревается", "Срабатывает защита", "support", "normal"
    )
    routed_to = _assignee_on_portal(app, installed, b24_id)
    assert routed_to in {2, 3, 4}
    # Two updates of one item within the same second share an event timestamp and collapse into one
    # delivery in the app's inbox (the catch-up sweep would find it later): let the second tick.
    time.sleep(1.1)

    _call(
        app,
        "crm.item.update",
        {"entityTypeId": installed.entity_type_id(), "id": b24_id, "fields": {"assignedById": 7}},
    )
    installed.wait_idle()

    assert _assignee_on_portal(app, installed, b24_id) == 7
    tab = f"CRM_DYNAMIC_{installed.entity_type_id()}_DETAIL_TAB"
    page = open_frame(installed, tab, {"ID": str(b24_id)})
    assert "Ответственный изменён вручную" in page.text


def _set_caps(app, caps: dict[int, int]) -> None:
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        if not db.session.scalars(select(Agent)).first():
            routing_agents.sync_agents(portal, client_for(portal.id, app.config["SETTINGS"]))
        for agent in db.session.scalars(select(Agent).where(Agent.user_id.in_(list(caps)))):
            agent.cap = caps[agent.user_id]
        db.session.commit()
        db.session.remove()


def test_a_request_waits_in_the_queue_while_everyone_is_full_and_is_assigned_when_room_frees(installed, app):
    _set_caps(app, {2: 0, 3: 0, 4: 0})

    b24_id = _add_request(
        app, installed, "Частотник ПЧ-22 отключается", "Через 10 минут работы", "support", "normal"
    )

    req = _mirror(app, b24_id)
    assert req.queued_at is not None
    assert "все сотрудники на пределе нагрузки, обращение ждёт в очереди группы" in render(
        req.routing_explanation
    )
    assert _assignee_on_portal(app, installed, b24_id) not in {2, 3, 4}
    page = open_frame(installed, f"CRM_DYNAMIC_{installed.entity_type_id()}_DETAIL_TAB", {"ID": str(b24_id)})
    assert "в очереди группы «Инженеры 1 линии»" in page.text

    _set_caps(app, {3: 5})
    with app.app_context():
        portal_id = db.session.scalars(select(Portal.id)).one()
        enqueue_assign_queue(portal_id)
        db.session.commit()
        db.session.remove()
    installed.wait_idle()

    assert _assignee_on_portal(app, installed, b24_id) == 3
    req = _mirror(app, b24_id)
    assert req.queued_at is None
    assert render(req.routing_explanation).endswith(
        "наименее загруженный: Кузнецова (0 открытых) (из очереди)"
    )


def test_demo_requests_without_type_get_a_proposal_shown_in_the_card(installed, app):
    items = installed.seed_requests()
    installed.wait_idle()

    page = open_frame(
        installed, f"CRM_DYNAMIC_{installed.entity_type_id()}_DETAIL_TAB", {"ID": str(items[1]["id"])}
    )

    assert page.status_code == 200
    assert 'id="routing-proposal"' in page.text
    assert "Гарантийный случай" in page.text  # «Гарантийный ремонт гидростанции ГС-250»
    with app.app_context():
        record = db.session.scalars(
            select(RequestRouting).join(ServiceRequest).where(ServiceRequest.b24_id == int(items[1]["id"]))
        ).one()
        assert record.proposed_type == "warranty"
        assert record.type_confidence > 0
        db.session.remove()
