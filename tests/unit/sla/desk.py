"""Factories for the SLA tests that need the database: portals with policies, requests, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from b24app.extensions import db
from b24app.models import Portal, RequestEvent, ServiceRequest, SlaEscalation, SlaPolicyRecord
from b24app.services.fields import FieldMap
from b24app.services.sla_policies import ensure_defaults
from tests.factories import make_portal

FIELDS = {
    "SD_SLA_DUE": {"item_key": "ufCrm7SdSlaDue", "field_name": "UF_CRM_7_SD_SLA_DUE"},
    "SD_SLA_STATE": {
        "item_key": "ufCrm7SdSlaState",
        "field_name": "UF_CRM_7_SD_SLA_STATE",
        "enum": {"on_track": 11, "warning": 12, "breached": 13, "paused": 14, "met": 15},
    },
}
STAGE_MAP = {"DT1_1:NEW": "new", "DT1_1:PREPARATION": "in_work", "DT1_1:RESOLVED": "resolved"}


def seeded_portal() -> Portal:
    portal = make_portal(
        settings={"smart_process": {"entity_type_id": 1}, "fields": FIELDS, "stage_map": STAGE_MAP}
    )
    ensure_defaults(portal, today=date(2025, 6, 1))
    db.session.commit()
    return portal


def field_map() -> FieldMap:
    return FieldMap(FIELDS)


def make_request(portal: Portal, created: datetime, **values: Any) -> ServiceRequest:
    req = ServiceRequest(
        portal_id=portal.id,
        b24_id=values.pop("b24_id", 1),
        title="Течь масла",
        created_time=created,
        state=values.pop("state", "new"),
        **values,
    )
    db.session.add(req)
    db.session.flush()
    return req


def add_event(req: ServiceRequest, kind: str, at: datetime, source: str, **values: Any) -> RequestEvent:
    event = RequestEvent(
        portal_id=req.portal_id, request_id=req.id, kind=kind, at=at, source_ref=source, **values
    )
    db.session.add(event)
    db.session.flush()
    return event


def policy(portal: Portal, code: str) -> SlaPolicyRecord:
    return db.session.query(SlaPolicyRecord).filter_by(portal_id=portal.id, code=code).one()


def schedule(req: ServiceRequest, policy_id: int, warning, breach, second, episode="first_response:1"):
    row = SlaEscalation(
        request_id=req.id,
        portal_id=req.portal_id,
        policy_id=policy_id,
        episode=episode,
        warning_at=warning,
        breach_at=breach,
        second_at=second,
        next_at=warning,
    )
    db.session.add(row)
    db.session.commit()
    return row
