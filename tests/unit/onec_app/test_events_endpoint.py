"""POST /api/1c/v1/events, GET /requests/{ref} and /health: what 1C sees when it calls the app."""

from __future__ import annotations

import hashlib
import hmac
import json

from sqlalchemy import func, select

from b24app.extensions import db
from b24app.models import Job, OneCInboxItem, ServiceRequest
from b24app.services.onec_link import issue_hmac_secret, issue_push_token
from tests.factories import make_portal

URL = "/api/1c/v1/events"
ITEM = {
    "seq": 10452,
    "type": "request.status_changed",
    "ref": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "status": "resolved",
    "data": {"number": "0000-000123"},
}


def _portal_with_token(**overrides):
    portal = make_portal(**overrides)
    token = issue_push_token(portal)
    db.session.commit()
    return portal, token


def _push(client, token, body, *, content_type="application/json; charset=utf-8", headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return client.post(
        URL,
        data=data,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )


def _count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def test_push_is_accepted_and_a_repeat_is_stored_once(client, ctx):
    portal, token = _portal_with_token()
    first = _push(client, token, {"items": [ITEM]})
    again = _push(client, token, {"items": [ITEM, {**ITEM, "seq": 10453}]})
    assert first.status_code == 202 and first.get_json() == {"accepted": [10452]}
    assert again.status_code == 202 and again.get_json() == {"accepted": [10452, 10453]}
    assert _count(OneCInboxItem, portal_id=portal.id) == 2
    assert _count(Job, kind="onec.apply") == 2
    stored = db.session.scalars(select(OneCInboxItem).where(OneCInboxItem.seq == 10452)).one()
    assert stored.ref == ITEM["ref"] and stored.payload["data"]["number"] == "0000-000123"


def test_body_with_bom_and_without_charset_is_read_as_utf8(client, ctx):
    portal, token = _portal_with_token()
    item = {**ITEM, "data": {"comment": "Заявка выполнена"}}
    body = b"\xef\xbb\xbf" + json.dumps({"items": [item]}, ensure_ascii=False).encode("utf-8")
    answer = _push(
        client, token, body, content_type="application/json", headers={"User-Agent": "1C+Enterprise/8.3"}
    )
    assert answer.status_code == 202
    stored = db.session.scalars(select(OneCInboxItem).where(OneCInboxItem.portal_id == portal.id)).one()
    assert stored.payload["data"]["comment"] == "Заявка выполнена"


def test_bad_bodies_get_a_clear_400_and_store_nothing(client, ctx):
    _portal, token = _portal_with_token()
    cases = {
        b"{not json": "not JSON",
        json.dumps({"items": {"seq": 1}}).encode(): "items must be a list",
        json.dumps({"items": [ITEM, {**ITEM, "seq": "10"}]}).encode(): "items[1].seq must be an integer",
        json.dumps({"items": [{**ITEM, "seq": True}]}).encode(): "items[0].seq must be an integer",
        json.dumps(
            {"items": [ITEM, {"seq": 5, "type": 7}]}
        ).encode(): "items[1].type must be a non-empty string",
        json.dumps({"items": [{"type": "request.updated"}]}).encode(): "items[0].seq is required",
        json.dumps({"items": []}).encode(): "items is empty",
        b"\xff\xfe{}": "not UTF-8",
    }
    for body, message in cases.items():
        answer = _push(client, token, body)
        assert answer.status_code == 400, body
        error = answer.get_json()["error"]
        assert error["code"] == "BAD_PAYLOAD" and message in error["message"], (body, error)
        assert "details" in error
    assert _count(OneCInboxItem) == 0 and _count(Job) == 0


def test_unknown_or_missing_token_is_401_and_stores_nothing(client, ctx):
    _portal_with_token()
    wrong = _push(client, "not-a-token", {"items": [ITEM]})
    missing = client.post(URL, json={"items": [ITEM]})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "UNAUTHORIZED"
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "UNAUTHORIZED"
    assert _count(OneCInboxItem) == 0


def test_a_reissued_token_replaces_the_old_one(client, ctx):
    portal, old = _portal_with_token()
    new = issue_push_token(portal)
    db.session.commit()
    assert _push(client, old, {"items": [ITEM]}).status_code == 401
    assert _push(client, new, {"items": [ITEM]}).status_code == 202


def test_signature_is_checked_against_the_raw_body_when_the_portal_has_a_secret(client, ctx):
    portal, token = _portal_with_token()
    secret = issue_hmac_secret(portal)
    db.session.commit()
    body = b"\xef\xbb\xbf" + json.dumps({"items": [ITEM]}).encode()
    good = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    bad = "sha256=" + hmac.new(b"other", body, hashlib.sha256).hexdigest()
    forged = _push(client, token, body, headers={"X-Signature": bad})
    unsigned = _push(client, token, body)
    assert forged.status_code == 403 and forged.get_json()["error"]["code"] == "BAD_SIGNATURE"
    assert unsigned.status_code == 403
    assert _count(OneCInboxItem) == 0
    assert _push(client, token, body, headers={"X-Signature": good}).status_code == 202
    assert _count(OneCInboxItem, portal_id=portal.id) == 1


def test_unknown_type_is_stored_and_reported(client, ctx):
    portal, token = _portal_with_token()
    answer = _push(client, token, {"items": [ITEM, {"seq": 10460, "type": "contract.signed", "ref": "x"}]})
    assert answer.status_code == 202
    assert answer.get_json() == {"accepted": [10452, 10460], "unknown_types": ["contract.signed"]}
    assert _count(OneCInboxItem, portal_id=portal.id, type="contract.signed") == 1


def test_another_portals_token_never_sees_or_changes_this_portals_data(client, ctx):
    ours, our_token = _portal_with_token()
    _theirs, their_token = _portal_with_token(domain="other.bitrix24.ru")
    db.session.add(
        ServiceRequest(
            portal_id=ours.id, b24_id=24, title="Насос", onec_ref=ITEM["ref"], onec_number="0000-000123"
        )
    )
    db.session.commit()
    _push(client, our_token, {"items": [ITEM]})
    # The same seq from the other portal is its own item, not a repeat of ours.
    assert _push(client, their_token, {"items": [{**ITEM, "ref": "spoofed"}]}).status_code == 202
    ours_item = db.session.scalars(select(OneCInboxItem).where(OneCInboxItem.portal_id == ours.id)).one()
    assert ours_item.ref == ITEM["ref"]
    headers = {"Authorization": f"Bearer {their_token}"}
    hidden = client.get(f"/api/1c/v1/requests/{ITEM['ref']}", headers=headers)
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "NOT_FOUND"
    seen = client.get(f"/api/1c/v1/requests/{ITEM['ref']}", headers={"Authorization": f"Bearer {our_token}"})
    assert seen.status_code == 200
    assert seen.get_json()["b24_item_id"] == 24 and seen.get_json()["number"] == "0000-000123"
    assert seen.get_json()["state"] == "new"


def test_request_lookup_needs_a_token(client, ctx):
    assert client.get("/api/1c/v1/requests/abc").status_code == 401


def test_health_answers_without_auth(client):
    answer = client.get("/api/1c/v1/health")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "ok" and answer.get_json()["time"].endswith("Z")


def test_the_admin_issues_a_token_with_a_signing_secret_from_the_1c_tab(client, ctx):
    from b24app.placements.frames import FrameUser, issue_token

    portal = make_portal()
    headers = {"X-Frame-Token": issue_token(portal, FrameUser(1, "Анна", True), "DEFAULT", {}, "ru")}
    issue = "/frame-api/admin/onec/token"
    plain = client.post(issue, json={}, headers=headers).get_json()
    assert plain["hmac_secret"] is None
    assert _push(client, plain["token"], {"items": [ITEM]}).status_code == 202
    signed = client.post(issue, json={"hmac": True}, headers=headers).get_json()
    assert "секрет подписи" in signed["message"]
    body = json.dumps({"items": [{**ITEM, "seq": ITEM["seq"] + 1}]}).encode()
    signature = "sha256=" + hmac.new(signed["hmac_secret"].encode(), body, hashlib.sha256).hexdigest()
    assert _push(client, signed["token"], body).status_code == 403  # unsigned pushes are refused now
    assert _push(client, signed["token"], body, headers={"X-Signature": signature}).status_code == 202
    assert _push(client, plain["token"], body, headers={"X-Signature": signature}).status_code == 401
    operator = {"X-Frame-Token": issue_token(portal, FrameUser(2, "Иван", False), "DEFAULT", {}, "ru")}
    assert client.post(issue, json={"hmac": True}, headers=operator).status_code == 403
    assert client.post(issue, json={"hmac": "yes"}, headers=headers).status_code == 400
