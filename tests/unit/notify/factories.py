"""Builders for the notification tests: a set-up portal, a mirrored request, a survey, a fake Bitrix24."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from b24app.extensions import db
from b24app.models import ServiceRequest, Survey, utcnow
from tests.factories import make_portal

ETID = 1030
SETTINGS = {
    "smart_process": {"entity_type_id": ETID, "title": "Обращения клиентов"},
    "fields": {
        "SD_CSAT": {"field_name": f"UF_CRM_{ETID}_SD_CSAT", "item_key": f"ufCrm{ETID}SdCsat"},
    },
    "stage_map": {"DT1030_8:NEW": "new", "DT1030_8:RESOLVED": "resolved"},
}


def set_up_portal(**overrides: Any):
    return make_portal(settings=dict(SETTINGS), **overrides)


def make_request(portal, **overrides: Any) -> ServiceRequest:
    values: dict[str, Any] = {
        "portal_id": portal.id,
        "b24_id": 42,
        "title": "Не запускается станок",
        "state": "resolved",
        "contact_id": 7,
        "company_id": 3,
        "contact_name": "Иван Петров",
        "assigned_by_id": 2,
        "assigned_name": "Игорь Петров",
    }
    values.update(overrides)
    req = ServiceRequest(**values)
    db.session.add(req)
    db.session.commit()
    return req


def make_survey(
    req: ServiceRequest, *, expires_in: timedelta = timedelta(days=28), **overrides: Any
) -> Survey:
    now = utcnow()
    values: dict[str, Any] = {
        "portal_id": req.portal_id,
        "request_id": req.id,
        "resolution_ref": f"stage:{req.b24_id}:RESOLVED:1",
        "jti": f"jti-{req.id}-{now.timestamp()}",
        "created_at": now,
        "sent_at": now,
        "expires_at": now + expires_in,
    }
    values.update(overrides)
    survey = Survey(**values)
    db.session.add(survey)
    db.session.commit()
    return survey


@dataclass
class FakeResult:
    result: Any


@dataclass
class FakeBatch:
    results: dict[str, Any]
    errors: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeBitrix:
    """Answers the few REST methods notifications use, and remembers every call."""

    contact: dict[str, Any] | None = None
    company: dict[str, Any] | None = None
    departments: dict[int, int] = field(default_factory=dict)  # id -> head
    user_departments: dict[int, list[int]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def call(self, method: str, params: dict[str, Any] | None = None) -> FakeResult:
        params = params or {}
        self.calls.append((method, params))
        if method == "crm.timeline.comment.add":
            return FakeResult(len(self.calls) + 100)
        if method == "department.get":
            dep = int(params["ID"])
            return FakeResult([{"ID": str(dep), "UF_HEAD": str(self.departments.get(dep, 0))}])
        if method == "user.get":
            uid = int(params["ID"])
            return FakeResult([{"ID": str(uid), "UF_DEPARTMENT": self.user_departments.get(uid, [])}])
        return FakeResult(True)

    def batch(self, commands: dict[str, tuple[str, dict[str, Any]]]) -> FakeBatch:
        results = {}
        for key, (method, params) in commands.items():
            self.calls.append((method, params))
            results[key] = self.contact if method == "crm.contact.get" else self.company
        return FakeBatch(results)

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]
