"""Binding install.json to a portal: idempotent, template-aware, tolerant of races."""

from __future__ import annotations

import json
import re
from pathlib import Path

from b24app.bitrix.manifest import Binding, Manifest, bind_manifest, unbind_manifest

from .conftest import ENDPOINT

SHIPPED = Path(__file__).resolve().parents[3] / "install.json"
# A manifest with every kind of binding, so the tests do not depend on what the app ships today.
MANIFEST = Path(__file__).resolve().parent / "manifest_full.json"
BASE = "https://desk.example.com/"


class FakePortal:
    """Placements, event handlers and field types of one app, with Bitrix's duplicate errors."""

    def __init__(self) -> None:
        self.placements: list[dict] = []
        self.events: list[dict] = []
        self.field_types: list[dict] = []
        self.binds: list[str] = []
        self.race_on: str | None = None  # a binding someone else adds just before ours

    def __call__(self, request):
        method = re.search(r"/rest/(.+)\.json$", request.url).group(1)
        params = json.loads(request.body)
        answer = getattr(self, method.replace(".", "_"))(params)
        if isinstance(answer, tuple):
            return answer[0], {}, json.dumps(answer[1])
        return 200, {}, json.dumps({"result": answer})

    def placement_get(self, params):
        return self.placements

    def placement_bind(self, params):
        if self.race_on == params["PLACEMENT"]:
            self.race_on = None
            self.placements.append({"placement": params["PLACEMENT"], "handler": params["HANDLER"]})
        if any(
            p["placement"] == params["PLACEMENT"] and p["handler"] == params["HANDLER"]
            for p in self.placements
        ):
            return 400, {
                "error": "ERROR_CORE",
                "error_description": "Unable to set placement handler: Handler already binded",
            }
        self.binds.append(params["PLACEMENT"])
        self.placements.append(
            {"placement": params["PLACEMENT"], "handler": params["HANDLER"], "title": params["TITLE"]}
        )
        return True

    def placement_unbind(self, params):
        before = len(self.placements)
        self.placements = [
            p
            for p in self.placements
            if (p["placement"], p["handler"]) != (params["PLACEMENT"], params["HANDLER"])
        ]
        return {"count": before - len(self.placements)}

    def event_get(self, params):
        return self.events

    def event_bind(self, params):
        if any(
            e["event"] == params["event"].upper() and e["handler"] == params["handler"] for e in self.events
        ):
            return 400, {
                "error": "ERROR_CORE",
                "error_description": "Unable to set event handler: Handler already binded",
            }
        assert params["event_type"] == "online"
        self.binds.append(params["event"])
        self.events.append(
            {"event": params["event"].upper(), "handler": params["handler"], "auth_type": 0, "offline": 0}
        )
        return True

    def event_unbind(self, params):
        before = len(self.events)
        self.events = [
            e for e in self.events if (e["event"], e["handler"]) != (params["event"], params["handler"])
        ]
        return {"count": before - len(self.events)}

    def userfieldtype_list(self, params):
        return self.field_types

    def userfieldtype_add(self, params):
        if any(f["USER_TYPE_ID"] == params["USER_TYPE_ID"] for f in self.field_types):
            return 400, {"error": "ERROR_CORE", "error_description": "Handler already binded"}
        self.binds.append(params["USER_TYPE_ID"])
        self.field_types.append({k: params[k] for k in ("USER_TYPE_ID", "HANDLER", "TITLE")})
        return True

    def userfieldtype_delete(self, params):
        self.field_types = [f for f in self.field_types if f["USER_TYPE_ID"] != params["USER_TYPE_ID"]]
        return True


def fake_portal(rsps) -> FakePortal:
    portal = FakePortal()
    rsps.add_callback("POST", re.compile(re.escape(ENDPOINT) + r".+\.json"), callback=portal)
    return portal


def test_the_shipped_install_json_loads():
    shipped = Manifest.load(SHIPPED)
    assert shipped.events and shipped.placements and shipped.urls["events"] == "/b24/events"


def test_manifest_loads_every_kind_of_binding():
    manifest = Manifest.load(MANIFEST)

    assert manifest.urls["events"] == "/b24/events"
    assert "CRM_DYNAMIC_{etid}_DETAIL_TAB" in [p.code for p in manifest.placements]
    assert manifest.userfield_types[0].user_type_id == "sd_sla_widget"


def test_binding_twice_binds_nothing_the_second_time(rsps, client):
    portal = fake_portal(rsps)
    manifest = Manifest.load(MANIFEST)

    first = bind_manifest(client, manifest, BASE, {"etid": 1036})
    binds_after_first = list(portal.binds)
    second = bind_manifest(client, manifest, BASE, {"etid": 1036})

    total = len(manifest.placements) + len(manifest.events) + len(manifest.userfield_types)
    assert len(first.bound) == total and first.already == []
    assert second.bound == [] and len(second.already) == total
    assert portal.binds == binds_after_first
    assert (
        Binding("placement", "CRM_DYNAMIC_1036_DETAIL_TAB", "https://desk.example.com/placements/request-tab")
        in first.bound
    )
    assert {
        "event": "ONCRMDYNAMICITEMADD",
        "handler": "https://desk.example.com/b24/events",
        "auth_type": 0,
        "offline": 0,
    } in portal.events
    placement = next(p for p in portal.placements if p["placement"] == "CRM_COMPANY_DETAIL_TAB")
    assert placement["title"] == "Обращения и 1С"


def test_smart_process_placements_wait_for_the_entity_type_id(rsps, client):
    portal = fake_portal(rsps)

    report = bind_manifest(client, Manifest.load(MANIFEST), BASE, {})

    assert {b.code for b in report.skipped} == {
        "CRM_DYNAMIC_{etid}_DETAIL_TAB",
        "CRM_DYNAMIC_{etid}_DETAIL_ACTIVITY",
    }
    assert not any("{" in p["placement"] for p in portal.placements)
    assert "CRM_COMPANY_DETAIL_TAB" in portal.binds


def test_a_binding_added_by_a_concurrent_install_counts_as_already_bound(rsps, client):
    portal = fake_portal(rsps)
    portal.race_on = "LEFT_MENU"

    report = bind_manifest(client, Manifest.load(MANIFEST), BASE, {"etid": 1036})

    assert [b.code for b in report.already] == ["LEFT_MENU"]
    assert "LEFT_MENU" not in portal.binds


def test_unbind_removes_what_the_manifest_bound(rsps, client):
    portal = fake_portal(rsps)
    manifest = Manifest.load(MANIFEST)
    bound = bind_manifest(client, manifest, BASE, {"etid": 1036}).bound

    removed = unbind_manifest(client, manifest, BASE, {"etid": 1036})

    assert sorted(removed, key=repr) == sorted(bound, key=repr)
    assert portal.placements == portal.events == portal.field_types == []
