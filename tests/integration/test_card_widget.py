"""The compact widget in the card's field column: setup adds its field once, the card page shows it,
and it carries the SLA countdown and the 1C number of that request only."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import requests
from sqlalchemy import select

from b24app.extensions import db
from b24app.models import Portal
from b24app.services.portals import client_for

from .conftest import open_frame
from .onec_fixtures import eventually, mirror, settle


class _CardFrames(HTMLParser):
    """The frames of a sandbox card page: each iframe's placement info and the form that opens it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict] = {}
        self.frames: list[tuple[dict, str]] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id", "").startswith("form-"):
            self._form = {"url": a["action"], "form": {}}
            self.forms[a["id"]] = self._form
        elif tag == "input" and self._form is not None and a.get("name"):
            self._form["form"][a["name"]] = a.get("value") or ""
        elif tag == "iframe" and a.get("data-frame"):
            self.frames.append((json.loads(a["data-frame"]), a["data-form"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _widget_frame(stack, b24_id: int) -> dict:
    """The USERFIELD_TYPE frame the sandbox card page embeds in its field column."""
    card = requests.get(f"{stack.portal_url}/crm/type/{stack.entity_type_id()}/details/{b24_id}/", timeout=10)
    assert card.status_code == 200
    parser = _CardFrames()
    parser.feed(card.text)
    widgets = [(info, form) for info, form in parser.frames if info["placement"] == "USERFIELD_TYPE"]
    assert len(widgets) == 1, "the card shows one service-desk field"
    info, form = widgets[0]
    return {"info": info, **parser.forms[form]}


def _open(frame: dict) -> requests.Response:
    return requests.post(frame["url"], data=frame["form"], timeout=30)


def test_setup_adds_the_widget_field_of_the_apps_own_type_once(stack, app):
    stack.install()
    first = stack.setup()
    assert first.widget_field.endswith("_SD_WIDGET") and first.widget_field in first.added_fields
    second = stack.setup()
    assert not second.changed and second.widget_field == first.widget_field
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        client = client_for(portal.id, app.config["SETTINGS"])
        app_id = client.call("app.info").result["ID"]
        type_id = portal.settings["smart_process"]["id"]
        fields = client.call(
            "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": f"CRM_{type_id}"}}
        ).result["fields"]
        db.session.remove()
    widgets = [f for f in fields if f["fieldName"] == first.widget_field]
    assert [f["userTypeId"] for f in widgets] == [f"rest_{app_id}_sdwidget"]


def test_the_card_widget_shows_the_sla_countdown_and_the_1c_number(installed, app):
    installed.connect_onec()
    created = installed.seed_requests()
    settle(installed)
    b24_id = created[1]["id"]
    number = eventually(lambda: mirror(app, b24_id).onec_number)
    frame = _widget_frame(installed, b24_id)
    assert frame["info"]["options"]["ENTITY_VALUE_ID"] == str(b24_id)
    page = _open(frame)
    assert page.status_code == 200, page.text
    assert 'id="sla-countdown"' in page.text and "осталось" in page.text
    assert f"№ {number}" in page.text
    assert mirror(app, b24_id).assigned_name in page.text
    other = _open(_widget_frame(installed, created[0]["id"]))
    assert f"№ {number}" not in other.text  # each card shows its own request


def test_the_widget_refuses_a_forged_frame_and_a_field_on_another_entity(installed, app):
    with app.app_context():
        type_id = db.session.scalars(select(Portal)).one().settings["smart_process"]["id"]
        db.session.remove()
    options = {"MODE": "view", "ENTITY_ID": f"CRM_{type_id}", "ENTITY_VALUE_ID": "1"}
    handler = f"{installed.app_url}/placements/widget"
    frame = installed.control(
        "frame", {"placement": "USERFIELD_TYPE", "options": options, "handler": handler, "user_id": 1}
    )
    for forged in (
        {"APPLICATION_TOKEN": "forged"},
        {"member_id": "somebody-else"},
        {"AUTH_ID": "not-a-token"},
    ):
        answer = requests.post(frame["url"], data={**frame["form"], **forged}, timeout=10)
        assert answer.status_code == 401 and "sla-countdown" not in answer.text
    on_deal = open_frame(installed, "USERFIELD_TYPE", {**options, "ENTITY_ID": "CRM_DEAL"}, handler=handler)
    assert on_deal.status_code == 400 and "только обращения сервис-деска" in on_deal.text
    new_card = open_frame(installed, "USERFIELD_TYPE", {**options, "ENTITY_VALUE_ID": "0"}, handler=handler)
    assert new_card.status_code == 200 and "после сохранения" in new_card.text


def test_a_portal_set_up_before_the_widget_gets_its_field_with_the_app_update(installed, app):
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        client = client_for(portal.id, app.config["SETTINGS"])
        type_id = portal.settings["smart_process"]["id"]
        listed = {"moduleId": "crm", "filter": {"entityId": f"CRM_{type_id}"}}
        widget = [
            f
            for f in client.call("userfieldconfig.list", listed).result["fields"]
            if "WIDGET" in f["fieldName"]
        ]
        client.call("userfieldconfig.delete", {"moduleId": "crm", "id": widget[0]["id"]})
        portal.settings = {k: v for k, v in portal.settings.items() if k != "widget_field"}
        db.session.commit()
        db.session.remove()
    installed.control("update-app", {"version": 2})
    installed.wait_idle()
    with app.app_context():
        portal = db.session.scalars(select(Portal)).one()
        fields = (
            client_for(portal.id, app.config["SETTINGS"])
            .call("userfieldconfig.list", listed)
            .result["fields"]
        )
        assert [f["fieldName"] for f in fields if "WIDGET" in f["fieldName"]] == [
            portal.settings["widget_field"]
        ]
        db.session.remove()
