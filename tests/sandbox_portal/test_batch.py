"""`batch`: references between commands, errors, halt, size limit, PHP-style empty maps."""

from __future__ import annotations

from tests.sandbox_portal.conftest import make_type


def test_batch_resolves_references_to_earlier_results(sandbox, admin_token):
    etid = make_type(sandbox, admin_token)["entityTypeId"]
    cmd = {
        "company": "crm.company.add?fields[TITLE]=ООО Ромашка",
        "item": f"crm.item.add?entityTypeId={etid}&fields[title]=Тест&fields[companyId]=$result[company]",
        "read": f"crm.item.get?entityTypeId={etid}&id=$result[item][item][id]",
        "list": f"crm.item.list?entityTypeId={etid}&select[]=id",
    }
    body = sandbox.call("batch", admin_token, halt=0, cmd=cmd).json()["result"]
    company_id = body["result"]["company"]
    assert body["result"]["read"]["item"]["companyId"] == company_id
    assert body["result_error"] == []
    assert body["result_total"] == {"list": 1}
    assert body["result_next"] == []
    assert set(body["result_time"]) == set(cmd)


def test_batch_reports_errors_per_command_and_halts_on_request(sandbox, admin_token):
    cmd = {
        "a": "user.current",
        "b": "crm.item.get?entityTypeId=999&id=1",
        "c": "batch?cmd[x]=scope",
        "d": "scope",
    }
    loose = sandbox.call("batch", admin_token, halt=0, cmd=cmd).json()["result"]
    assert set(loose["result"]) == {"a", "d"}
    assert loose["result_error"]["b"]["error"] == "NOT_FOUND"
    assert loose["result_error"]["c"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"

    halted = sandbox.call("batch", admin_token, halt=1, cmd=cmd).json()["result"]
    assert set(halted["result"]) == {"a"}
    assert set(halted["result_error"]) == {"b"}


def test_batch_of_more_than_fifty_commands_is_refused(sandbox, admin_token):
    response = sandbox.call("batch", admin_token, cmd={f"k{n}": "scope" for n in range(51)})
    assert response.status_code == 400
    assert response.json()["error"] == "ERROR_BATCH_LENGTH_EXCEEDED"


def test_batch_accepts_form_encoded_commands(sandbox, admin_token):
    import requests

    data = {"auth": admin_token, "halt": "0", "cmd[me]": "user.current", "cmd[deps]": "department.get?ID=2"}
    body = requests.post(f"{sandbox.url}/rest/batch", data=data, timeout=5).json()["result"]
    assert body["result"]["me"]["ID"] == "1"
    assert body["result"]["deps"][0]["NAME"] == "Инженеры 1 линии"
