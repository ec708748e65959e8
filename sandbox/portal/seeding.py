"""Demo data for a fresh portal (sandbox/demo_data.py) and the seeding of demo requests."""

from __future__ import annotations

from typing import Any

from sandbox import demo_data
from sandbox.portal.intake import create_request, first_contact_of
from sandbox.portal.methods.classic import add_row
from sandbox.portal.methods.companies import COMPANY, CONTACT
from sandbox.portal.methods.requisites import PRESET_ORGANIZATION, PRESET_SOLE_PROPRIETOR, REQUISITE
from sandbox.portal.state import Actor, Portal

SEED_ACTOR = Actor(1)


def seed_portal(portal: Portal) -> None:
    with portal.lock:
        for dep in demo_data.DEPARTMENTS:
            portal.departments[dep["id"]] = dict(dep)
        for user in demo_data.USERS:
            portal.users[user["id"]] = dict(user, active=True)
        for company in demo_data.COMPANIES:
            row = add_row(
                portal,
                COMPANY,
                {
                    "TITLE": company["name"],
                    "COMPANY_TYPE": "CUSTOMER",
                    "ADDRESS": company["legal_address"],
                    "PHONE": [{"VALUE": company["phone"], "VALUE_TYPE": "WORK"}],
                    "EMAIL": [{"VALUE": company["email"], "VALUE_TYPE": "WORK"}],
                },
                SEED_ACTOR,
            )
            portal.company_keys[company["key"]] = int(row["ID"])
            legal = company["kind"] == "legal"
            add_row(
                portal,
                REQUISITE,
                {
                    "ENTITY_TYPE_ID": 4,
                    "ENTITY_ID": row["ID"],
                    "PRESET_ID": PRESET_ORGANIZATION if legal else PRESET_SOLE_PROPRIETOR,
                    "NAME": "Организация" if legal else "ИП",
                    "ACTIVE": "Y",
                    "RQ_COMPANY_NAME": company["full_name"] if legal else "",
                    "RQ_COMPANY_FULL_NAME": company["full_name"],
                    "RQ_NAME": "" if legal else company["name"].removeprefix("ИП "),
                    "RQ_INN": company["inn"],
                    "RQ_KPP": company["kpp"],
                    "RQ_OGRN": company["ogrn"] if legal else "",
                    "RQ_OGRNIP": "" if legal else company["ogrn"],
                },
                SEED_ACTOR,
            )
        for contact in demo_data.CONTACTS:
            add_row(
                portal,
                CONTACT,
                {
                    "NAME": contact["name"],
                    "LAST_NAME": contact["last_name"],
                    "COMPANY_ID": portal.company_keys.get(contact["company"]),
                    "PHONE": [{"VALUE": contact["phone"], "VALUE_TYPE": "WORK"}],
                    "EMAIL": [{"VALUE": contact["email"], "VALUE_TYPE": "WORK"}],
                },
                SEED_ACTOR,
            )


def seed_requests(
    portal: Portal,
    entity_type_id: int,
    requests: list[dict[str, Any]] | None = None,
    robot: bool = False,
) -> list[dict[str, Any]]:
    """Create demo requests in the app's smart process, with the events a person's actions would fire."""
    created = []
    for request in demo_data.REQUESTS if requests is None else requests:
        company_id = portal.company_keys.get(request.get("company", ""))
        actor = Actor(1, robot=robot)
        created.append(
            create_request(
                portal,
                entity_type_id,
                title=request["title"],
                description=request.get("description", ""),
                channel=request.get("channel", "phone"),
                company_id=company_id,
                contact_id=first_contact_of(portal, company_id) if company_id else None,
                actor=actor,
            )
        )
    return created
