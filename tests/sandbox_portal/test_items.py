"""Smart-process types, items, custom fields, filters and paging."""

from __future__ import annotations

from tests.sandbox_portal.conftest import make_type


def test_type_creation_makes_default_pipeline_and_stages(sandbox, admin_token):
    created = make_type(sandbox, admin_token)
    etid = created["entityTypeId"]
    assert etid == 1030 and created["id"] != etid
    assert make_type(sandbox, admin_token, "Другой")["entityTypeId"] == 1032
    category = sandbox.call("crm.category.list", admin_token, entityTypeId=etid).json()["result"][
        "categories"
    ][0]
    entity_id = f"DYNAMIC_{etid}_STAGE_{category['id']}"
    stages = sandbox.call("crm.status.list", admin_token, filter={"ENTITY_ID": entity_id}).json()["result"]
    assert [s["STATUS_ID"] for s in stages] == [
        f"DT{etid}_{category['id']}:{code}" for code in ("NEW", "PREPARATION", "CLIENT", "SUCCESS", "FAIL")
    ]
    assert [s["SEMANTICS"] for s in stages][-2:] == ["S", "F"]


def test_type_list_orders_by_camel_case_only(sandbox, admin_token):
    make_type(sandbox, admin_token)
    assert sandbox.call("crm.type.list", admin_token, order={"id": "ASC"}).json()["result"]["types"]
    upper = sandbox.call("crm.type.list", admin_token, order={"ID": "ASC"})
    assert (upper.status_code, upper.json()["error"]) == (400, 100)


def test_unknown_item_fields_are_silently_ignored(sandbox, admin_token):
    etid = make_type(sandbox, admin_token)["entityTypeId"]
    answer = sandbox.call(
        "crm.item.add",
        admin_token,
        entityTypeId=etid,
        fields={"title": "Станок", "noSuchField": "x", "UF_CRM_404_X": 1},
    )
    assert answer.status_code == 200
    item = answer.json()["result"]["item"]
    assert item["title"] == "Станок"
    assert "noSuchField" not in item and "ufCrm404X" not in item
    assert item["stageId"].endswith(":NEW")


def test_custom_fields_appear_on_items_in_camel_case(sandbox, admin_token):
    created = make_type(sandbox, admin_token)
    type_id, etid = created["id"], created["entityTypeId"]

    def add_field(suffix, user_type, **extra):
        field = {
            "entityId": f"CRM_{type_id}",
            "fieldName": f"UF_CRM_{type_id}_{suffix}",
            "userTypeId": user_type,
        }
        return sandbox.call(
            "userfieldconfig.add", admin_token, moduleId="crm", field={**field, **extra}
        ).json()

    add_field("SLA_DUE", "datetime", editFormLabel={"ru": "Срок SLA"})
    priority = add_field("PRIORITY", "enumeration", enum=[{"value": "Высокий"}, {"value": "Низкий"}])[
        "result"
    ]
    high = priority["field"]["enum"][0]["id"]
    wrong = add_field("X", "string", entityId="CRM_999")
    assert "error" in wrong

    item = sandbox.call(
        "crm.item.add",
        admin_token,
        entityTypeId=etid,
        fields={
            "title": "t",
            f"ufCrm{type_id}SlaDue": "2025-03-01T10:00:00+03:00",
            f"UF_CRM_{type_id}_PRIORITY": high,
        },
    ).json()["result"]["item"]
    assert item[f"ufCrm{type_id}SlaDue"] == "2025-03-01T10:00:00+03:00"
    assert item[f"ufCrm{type_id}Priority"] == high
    fields = sandbox.call("crm.item.fields", admin_token, entityTypeId=etid).json()["result"]["fields"]
    assert fields[f"ufCrm{type_id}SlaDue"]["upperName"] == f"UF_CRM_{type_id}_SLA_DUE"
    listed = sandbox.call(
        "userfieldconfig.list", admin_token, moduleId="crm", filter={"entityId": f"CRM_{type_id}"}
    ).json()["result"]["fields"]
    assert len(listed) == 2


def test_paging_gives_total_and_next_unless_start_is_minus_one(sandbox, admin_token):
    etid = make_type(sandbox, admin_token)["entityTypeId"]
    cmd = {f"i{n}": f"crm.item.add?entityTypeId={etid}&fields[title]=n{n}" for n in range(50)}
    sandbox.call("batch", admin_token, cmd=cmd)
    sandbox.call(
        "batch",
        admin_token,
        cmd={f"i{n}": f"crm.item.add?entityTypeId={etid}&fields[title]=m{n}" for n in range(10)},
    )
    first = sandbox.call("crm.item.list", admin_token, entityTypeId=etid).json()
    assert (len(first["result"]["items"]), first["total"], first["next"]) == (50, 60, 50)
    second = sandbox.call("crm.item.list", admin_token, entityTypeId=etid, start=50).json()
    assert len(second["result"]["items"]) == 10 and "next" not in second
    fast = sandbox.call(
        "crm.item.list",
        admin_token,
        entityTypeId=etid,
        start=-1,
        order={"id": "ASC"},
        filter={">id": 55},
        select=["id"],
    ).json()
    assert [i["id"] for i in fast["result"]["items"]] == [56, 57, 58, 59, 60]
    assert "total" not in fast and "next" not in fast


def test_filters_support_prefixes_and_nested_or(sandbox, admin_token):
    etid = make_type(sandbox, admin_token)["entityTypeId"]
    for title, assigned in (("Насос", 2), ("Компрессор", 3), ("Станок", 4)):
        sandbox.call(
            "crm.item.add", admin_token, entityTypeId=etid, fields={"title": title, "assignedById": assigned}
        )

    def titles(filt):
        rows = sandbox.call("crm.item.list", admin_token, entityTypeId=etid, filter=filt).json()["result"][
            "items"
        ]
        return sorted(r["title"] for r in rows)

    assert titles({"@assignedById": [2, 4]}) == ["Насос", "Станок"]
    assert titles({"!assignedById": 2}) == ["Компрессор", "Станок"]
    assert titles({"%title": "комп"}) == ["Компрессор"]
    assert titles({"0": {"logic": "OR", "0": {"=assignedById": 2}, "1": {"title": "Станок"}}}) == [
        "Насос",
        "Станок",
    ]


def test_companies_requisites_and_duplicates(sandbox, admin_token):
    rq = sandbox.call(
        "crm.requisite.list", admin_token, filter={"RQ_INN": "6612345676", "ENTITY_TYPE_ID": 4}
    ).json()
    assert sorted(r["RQ_KPP"] for r in rq["result"]) == ["590245001", "661201001"]
    presets = sandbox.call("crm.requisite.preset.list", admin_token).json()["result"]
    assert [p["NAME"] for p in presets][:2] == ["Организация", "ИП"]
    found = sandbox.call(
        "crm.duplicate.findbycomm", admin_token, type="PHONE", values=["8 916 1234567"]
    ).json()
    assert set(found["result"]) == {"CONTACT", "COMPANY"}
    none = sandbox.call(
        "crm.duplicate.findbycomm", admin_token, type="EMAIL", values=["nobody@x.example"]
    ).json()
    assert none["result"] == []
    company = sandbox.call("crm.company.get", admin_token, id=1).json()["result"]
    assert company["PHONE"][0]["VALUE_TYPE"] == "WORK"
    listed = sandbox.call("crm.company.list", admin_token, select=["*"]).json()["result"][0]
    assert "PHONE" not in listed


def test_requisite_inn_lookup_follows_changes(sandbox, admin_token):
    def kpps(inn: str) -> list[str]:
        rows = sandbox.call("crm.requisite.list", admin_token, filter={"=RQ_INN": inn}).json()["result"]
        return sorted(r["RQ_KPP"] for r in rows)

    fields = {"ENTITY_TYPE_ID": 4, "ENTITY_ID": 1, "PRESET_ID": 1, "NAME": "Реквизит"}
    added = sandbox.call(
        "crm.requisite.add", admin_token, fields={**fields, "RQ_INN": "7707083893", "RQ_KPP": "773601001"}
    ).json()["result"]
    assert kpps("7707083893") == ["773601001"]
    sandbox.call("crm.requisite.update", admin_token, id=added, fields={"RQ_INN": "500100732259"})
    assert kpps("7707083893") == []
    assert kpps("500100732259") == ["773601001"]
    sandbox.call("crm.requisite.delete", admin_token, id=added)
    assert kpps("500100732259") == []
