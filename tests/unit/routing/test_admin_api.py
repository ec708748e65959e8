"""The «Маршрутизация» tab: admins edit rules with clear errors, agents switch their own availability,
and nothing crosses from one portal to another."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models.routing import Agent, Department, RoutingRule
from b24app.placements.frames import FrameUser, issue_token
from tests.factories import make_portal

VALID = {
    "name": "Срочные из Екатеринбурга",
    "request_types": ["support"],
    "urgencies": ["high", "critical"],
    "company_ids": "17, 18",
    "keywords": ["стоит линия", "авария"],
    "department_id": 2,
    "strategy": "least_loaded",
    "priority": "high",
    "sla_policy_code": "support_high",
}


def _portal_with_team():
    portal = make_portal()
    db.session.add_all(
        [
            Department(portal_id=portal.id, department_id=2, name="Инженеры 1 линии", head_user_id=2),
            Agent(
                portal_id=portal.id, user_id=2, name="Игорь Петров", short_name="Петров", department_ids=[2]
            ),
            Agent(
                portal_id=portal.id,
                user_id=3,
                name="Мария Кузнецова",
                short_name="Кузнецова",
                department_ids=[2],
            ),
        ]
    )
    db.session.commit()
    return portal


@pytest.fixture
def portal(ctx):
    return _portal_with_team()


def _headers(portal, user_id: int = 1, admin: bool = True) -> dict[str, str]:
    return {"X-Frame-Token": issue_token(portal, FrameUser(user_id, "Анна", admin), "DEFAULT", {}, "ru")}


def _rule_count() -> int:
    return db.session.scalar(select(func.count()).select_from(RoutingRule))


def test_an_admin_adds_a_rule_and_sees_it_in_the_tab(client, portal):
    created = client.post("/frame-api/routing/rules", json=VALID, headers=_headers(portal))

    assert created.status_code == 201, created.get_json()
    assert created.get_json()["rule"]["company_ids"] == [17, 18]
    html = client.get("/frame-api/admin/routing", headers=_headers(portal)).get_data(as_text=True)
    assert "Срочные из Екатеринбурга" in html
    assert "Инженеры 1 линии" in html
    assert "Игорь Петров" in html
    conditions = (
        "Техническая поддержка; срочность: критическая; срочность: высокая; компании: 17, 18; "
        "слова: стоит линия, авария"
    )
    assert conditions in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"department_id": 99}, "department_id"),
        ({"user_ids": [2]}, "target"),
        ({"strategy": "random"}, "strategy"),
        ({"priority": "urgent"}, "priority"),
        ({"request_types": ["repair"]}, "request_types"),
        ({"company_ids": "17, abc"}, "company_ids"),
        ({"strategy": "fixed", "fixed_user_id": 42}, "fixed_user_id"),
        ({"department_id": None}, "target"),
    ],
)
def test_a_bad_rule_gets_a_clear_error_and_stores_nothing(client, portal, change, field):
    answer = client.post("/frame-api/routing/rules", json={**VALID, **change}, headers=_headers(portal))

    assert answer.status_code == 400
    assert field in answer.get_json()["problems"]
    assert answer.get_json()["message"].startswith("Правило не сохранено")
    assert _rule_count() == 0


def test_rules_are_reordered_edited_and_deleted(client, portal):
    first = client.post("/frame-api/routing/rules", json=VALID, headers=_headers(portal)).get_json()["rule"][
        "id"
    ]
    second = client.post(
        "/frame-api/routing/rules", json={**VALID, "name": "Остальное"}, headers=_headers(portal)
    ).get_json()["rule"]["id"]

    ordered = client.post(
        "/frame-api/routing/rules/order", json={"ids": [second, first]}, headers=_headers(portal)
    )
    assert [r["name"] for r in ordered.get_json()["rules"]] == ["Остальное", "Срочные из Екатеринбурга"]
    bad_order = client.post(
        "/frame-api/routing/rules/order", json={"ids": [second]}, headers=_headers(portal)
    )
    assert bad_order.status_code == 400

    edited = client.put(
        f"/frame-api/routing/rules/{first}", json={**VALID, "name": "Переименовано"}, headers=_headers(portal)
    )
    assert [r["name"] for r in edited.get_json()["rules"]] == ["Остальное", "Переименовано"]

    assert client.delete(f"/frame-api/routing/rules/{second}", headers=_headers(portal)).status_code == 200
    assert _rule_count() == 1


def test_only_an_admin_changes_rules(client, portal):
    answer = client.post("/frame-api/routing/rules", json=VALID, headers=_headers(portal, 2, admin=False))

    assert answer.status_code == 403
    assert _rule_count() == 0


def test_another_portals_rules_cannot_be_touched(client, portal):
    rule_id = client.post("/frame-api/routing/rules", json=VALID, headers=_headers(portal)).get_json()[
        "rule"
    ]["id"]
    stranger = make_portal(domain="other.bitrix24.ru")

    assert client.delete(f"/frame-api/routing/rules/{rule_id}", headers=_headers(stranger)).status_code == 404
    assert (
        client.put(f"/frame-api/routing/rules/{rule_id}", json=VALID, headers=_headers(stranger)).status_code
        == 404
    )
    assert client.get("/frame-api/routing/rules", headers=_headers(stranger)).get_json() == {"rules": []}
    assert _rule_count() == 1


def test_an_agent_switches_their_own_availability_but_nobody_elses(client, portal):
    own = client.patch(
        "/frame-api/routing/agents/2", json={"available": False}, headers=_headers(portal, 2, False)
    )
    other = client.patch(
        "/frame-api/routing/agents/3", json={"available": False}, headers=_headers(portal, 2, False)
    )
    cap = client.patch("/frame-api/routing/agents/2", json={"cap": 50}, headers=_headers(portal, 2, False))

    assert own.status_code == 200 and own.get_json()["agent"]["available"] is False
    assert other.status_code == 403
    assert cap.status_code == 403
    agents = {a.user_id: a for a in db.session.scalars(select(Agent))}
    assert (agents[2].available, agents[2].cap, agents[3].available) == (False, 10, True)


def test_an_admin_sets_the_cap_within_bounds(client, portal):
    assert (
        client.patch("/frame-api/routing/agents/3", json={"cap": 4}, headers=_headers(portal)).status_code
        == 200
    )
    for bad in ({"cap": -1}, {"cap": "5"}, {"available": "yes"}, {"colour": "red"}, {}):
        assert (
            client.patch("/frame-api/routing/agents/3", json=bad, headers=_headers(portal)).status_code == 400
        )
    assert db.session.scalars(select(Agent).where(Agent.user_id == 3)).one().cap == 4


def test_an_agent_sees_the_tab_read_only(client, portal):
    html = client.get("/frame-api/admin/routing", headers=_headers(portal, 3, admin=False)).get_data(
        as_text=True
    )

    assert "Мария Кузнецова" in html
    assert "routing-rule-form" not in html
