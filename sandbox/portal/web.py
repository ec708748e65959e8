"""The portal's web UI (Russian): requests list, request and company cards, notifications, events log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

from sandbox.portal.errors import RestError
from sandbox.portal.intake import REQUESTS_TITLE, create_request
from sandbox.portal.marketplace import (
    LANG_COOKIE,
    LANGUAGES,
    USER_COOKIE,
    current_lang,
    current_user_id,
    frame_view,
    portal,
    register_marketplace,
)
from sandbox.portal.methods.crm_types import stages_of, type_by_title
from sandbox.portal.methods.items import STANDARD_FIELDS, ItemSchema, get_item, update_item
from sandbox.portal.methods.openlines import chats_with_messages, close_chat
from sandbox.portal.methods.timeline import (
    ACTIVITY_EMAIL,
    DIRECTION_INCOMING,
    DIRECTION_OUTGOING,
    OWNER_COMPANY,
    OWNER_CONTACT,
    add_activity,
    add_comment,
)
from sandbox.portal.methods.userfields import app_type_for, field_label
from sandbox.portal.methods.users import user_name
from sandbox.portal.state import Actor

CARD_FIELDS = (
    "title",
    "stageId",
    "assignedById",
    "companyId",
    "contactId",
    "sourceId",
    "createdTime",
    "updatedTime",
)
CHANNELS = {
    "phone": "Звонок",
    "email": "Письмо",
    "web_form": "Веб-форма",
    "chat": "Telegram (открытая линия)",
}


def _actor() -> Actor:
    return Actor(current_user_id(), robot=bool(request.form.get("robot")))


def _menu() -> list[dict[str, Any]]:
    p = portal()
    if not p.app.installed:
        return []
    return [
        {"id": b.id, "title": _placement_title(b), "placement": b.placement}
        for b in p.placements
        if b.placement in ("LEFT_MENU", "CRM_ANALYTICS_MENU")
    ]


def _page_globals() -> dict[str, Any]:
    """What every page's header and menu need."""
    p = portal()
    return {
        "portal": p,
        "users": sorted(p.users.values(), key=lambda u: u["id"]),
        "me": current_user_id(),
        "lang": current_lang(),
        "menu": _menu(),
        "user_name": lambda uid: user_name(p, uid),
    }


def _placement_title(binding: Any) -> str:
    """A placement's title in the user's language, as a portal shows it (LANG_ALL, else TITLE)."""
    localized = (binding.lang_all or {}).get(current_lang()) or {}
    return str(localized.get("TITLE") or binding.title) if isinstance(localized, dict) else binding.title


def _company_title(company_id: Any) -> str:
    try:
        row = portal().companies.get(int(company_id))
    except (TypeError, ValueError):
        row = None
    return row["TITLE"] if row else "—"


def _contact_title(contact_id: Any) -> str:
    try:
        row = portal().contacts.get(int(contact_id))
    except (TypeError, ValueError):
        row = None
    return f"{row['NAME']} {row['LAST_NAME']}" if row else "—"


def _stage_name(etid: int, item: dict[str, Any]) -> str:
    stage = next(
        (s for s in stages_of(portal(), etid, item["categoryId"]) if s["STATUS_ID"] == item["stageId"]), None
    )
    return stage["NAME"] if stage else item["stageId"]


def _display(schema: ItemSchema, camel: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if camel in ("assignedById", "createdBy", "updatedBy"):
        return user_name(schema.portal, value)
    if camel == "companyId":
        return _company_title(value)
    if camel == "contactId":
        return _contact_title(value)
    if camel == "stageId":
        return next((s["NAME"] for s in schema.portal.statuses if s["STATUS_ID"] == value), str(value))
    field = schema.custom.get(camel)
    if field and field["userTypeId"] == "enumeration":
        names = {e["id"]: e["value"] for e in field.get("enum", [])}
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(names.get(v, v)) for v in values)
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def create_web_blueprint() -> Blueprint:
    bp = Blueprint("web", __name__)
    bp.context_processor(_page_globals)
    register_marketplace(bp)

    @bp.get("/")
    def home():
        p = portal()
        with p.lock:
            requests_type = type_by_title(p, REQUESTS_TITLE)
            rows = []
            if requests_type:
                etid = requests_type["entityTypeId"]
                for item in sorted(p.items[etid].values(), key=lambda i: -i["id"]):
                    rows.append(
                        {
                            "id": item["id"],
                            "title": item["title"],
                            "stage": _stage_name(etid, item),
                            "company": _company_title(item["companyId"]),
                            "assigned": user_name(p, item["assignedById"]),
                            "created": item["createdTime"],
                        }
                    )
            companies = sorted(p.companies.values(), key=lambda c: int(c["ID"]))
            contacts = sorted(p.contacts.values(), key=lambda c: int(c["ID"]))
        return render_template(
            "home.html",
            requests_type=requests_type,
            rows=rows,
            companies=companies,
            contacts=contacts,
            channels=CHANNELS,
        )

    @bp.post("/ui/user")
    def switch_user():
        response = redirect(request.form.get("next") or url_for("web.home"))
        response.set_cookie(USER_COOKIE, str(int(request.form.get("user_id", "1"))), samesite="Lax")
        if request.form.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, request.form["lang"], samesite="Lax")
        return response

    @bp.post("/ui/requests")
    def new_request():
        p = portal()
        requests_type = type_by_title(p, REQUESTS_TITLE)
        if requests_type is None:
            abort(409)
        etid = requests_type["entityTypeId"]
        item = create_request(
            p,
            etid,
            title=request.form.get("title", "").strip() or "Обращение без темы",
            description=request.form.get("description", "").strip(),
            channel=request.form.get("channel", "phone"),
            company_id=int(request.form["company_id"]) if request.form.get("company_id") else None,
            contact_id=int(request.form["contact_id"]) if request.form.get("contact_id") else None,
            actor=_actor(),
        )
        return redirect(url_for("web.card", etid=etid, item_id=item["id"]))

    @bp.get("/crm/type/<int:etid>/details/<int:item_id>/")
    def card(etid: int, item_id: int):
        p = portal()
        with p.lock:
            try:
                schema = ItemSchema(p, etid)
                item = dict(get_item(p, etid, item_id))
            except RestError:
                abort(404)
            fields = [
                {"label": STANDARD_FIELDS[c][3], "value": _display(schema, c, item.get(c))}
                for c in CARD_FIELDS
            ]
            widgets = []
            for camel, field in schema.custom.items():
                app_type = app_type_for(p, field["userTypeId"])
                if app_type is not None and p.app.installed:
                    options = {
                        "MODE": "view",
                        "ENTITY_ID": field["entityId"],
                        "FIELD_NAME": field["fieldName"],
                        "ENTITY_VALUE_ID": str(item_id),
                        "VALUE": item.get(camel),
                        "MULTIPLE": field["multiple"],
                        "MANDATORY": field["mandatory"],
                        "XML_ID": field["xmlId"],
                        "ENTITY_DATA": {"entityTypeId": etid, "entityId": str(item_id), "module": "crm"},
                    }
                    height = int(app_type.options.get("height") or 200)
                    widgets.append(
                        {
                            "label": field_label(field),
                            "frame": frame_view(
                                app_type.handler, "USERFIELD_TYPE", options, f"uf-{field['id']}", height
                            ),
                        }
                    )
                else:
                    fields.append(
                        {"label": field_label(field), "value": _display(schema, camel, item.get(camel))}
                    )
            tabs = []
            if p.app.installed:
                for b in p.placements:
                    if b.placement == f"CRM_DYNAMIC_{etid}_DETAIL_TAB":
                        tabs.append(
                            {
                                "title": _placement_title(b),
                                "frame": frame_view(
                                    b.handler, b.placement, {"ID": str(item_id)}, f"tab-{b.id}", 600
                                ),
                            }
                        )
            # Buttons above the timeline (CRM_DYNAMIC_<etid>_DETAIL_ACTIVITY) open their page in a slider.
            actions = [
                {
                    "title": _placement_title(b),
                    "frame": frame_view(b.handler, b.placement, {"ID": str(item_id)}, f"act-{b.id}", 700),
                }
                for b in (p.placements if p.app.installed else [])
                if b.placement == f"CRM_DYNAMIC_{etid}_DETAIL_ACTIVITY"
            ]
            timeline = _timeline(f"dynamic_{etid}", etid, item_id)
            stages = stages_of(p, etid, item["categoryId"])
        return render_template(
            "card.html",
            item=item,
            etid=etid,
            type=schema.type,
            fields=fields,
            widgets=widgets,
            tabs=tabs,
            actions=actions,
            timeline=timeline,
            stages=stages,
        )

    @bp.post("/crm/type/<int:etid>/details/<int:item_id>/stage")
    def change_stage(etid: int, item_id: int):
        p = portal()
        fields = {"stageId": request.form.get("stage_id")}
        if request.form.get("assigned_by_id"):
            fields["assignedById"] = request.form["assigned_by_id"]
        try:
            update_item(p, etid, item_id, fields, _actor())
        except RestError:
            abort(400)
        return redirect(url_for("web.card", etid=etid, item_id=item_id))

    @bp.post("/crm/type/<int:etid>/details/<int:item_id>/message")
    def add_message(etid: int, item_id: int):
        p = portal()
        text = request.form.get("text", "").strip()
        kind = request.form.get("kind", "comment")
        if text:
            with p.lock:
                if kind == "comment":
                    add_comment(p, f"dynamic_{etid}", item_id, text, _actor())
                else:
                    incoming = kind == "client"
                    add_activity(
                        p,
                        owner_type_id=etid,
                        owner_id=item_id,
                        type_id=ACTIVITY_EMAIL,
                        direction=DIRECTION_INCOMING if incoming else DIRECTION_OUTGOING,
                        subject="Письмо клиента" if incoming else "Ответ сотрудника",
                        description=text,
                        actor=_actor(),
                    )
        return redirect(url_for("web.card", etid=etid, item_id=item_id))

    @bp.get("/crm/company/details/<int:company_id>/")
    def company(company_id: int):
        p = portal()
        with p.lock:
            row = p.companies.get(company_id)
            if row is None:
                abort(404)
            requisites = [
                r
                for r in p.requisites.values()
                if r["ENTITY_TYPE_ID"] == "4" and r["ENTITY_ID"] == str(company_id)
            ]
            tabs = _detail_tabs(p, "CRM_COMPANY_DETAIL_TAB", company_id)
            timeline = _timeline("company", OWNER_COMPANY, company_id)
        return render_template(
            "company.html", company=row, requisites=requisites, tabs=tabs, timeline=timeline
        )

    @bp.get("/crm/contact/details/<int:contact_id>/")
    def contact(contact_id: int):
        p = portal()
        with p.lock:
            row = p.contacts.get(contact_id)
            if row is None:
                abort(404)
            company = p.companies.get(int(row.get("COMPANY_ID") or 0))
            tabs = _detail_tabs(p, "CRM_CONTACT_DETAIL_TAB", contact_id)
            timeline = _timeline("contact", OWNER_CONTACT, contact_id)
        return render_template(
            "contact.html",
            contact=row,
            name=_contact_name(contact_id),
            company=company,
            tabs=tabs,
            timeline=timeline,
        )

    @bp.get("/notifications/")
    def notifications():
        p = portal()
        me = current_user_id()
        with p.lock:
            rows = [n for n in reversed(p.notifications) if n["user_id"] == me]
        return render_template("notifications.html", rows=rows)

    @bp.get("/openlines/")
    def openlines():
        """The open-line chats as the clients see them in their messengers."""
        chats = list(reversed(chats_with_messages(portal())))
        with portal().lock:
            names = {
                c["entity_id"]: _contact_name(c["entity_id"]) for c in chats if c["entity_type"] == "contact"
            }
        return render_template("openlines.html", chats=chats, names=names)

    @bp.post("/openlines/<int:chat_id>/close")
    def close_openline(chat_id: int):
        if not close_chat(portal(), chat_id):
            abort(404)
        return redirect(url_for("web.openlines"))

    @bp.get("/events/")
    def events():
        p = portal()
        with p.lock:
            rows = list(reversed(p.deliveries))
            bindings = list(p.event_bindings)
        return render_template("events.html", rows=rows, bindings=bindings)

    return bp


def _detail_tabs(p, placement: str, object_id: int) -> list[dict[str, Any]]:
    """The app's tabs bound to a company or contact card, each a frame opened with the card's ID."""
    if not p.app.installed:
        return []
    return [
        {
            "title": _placement_title(b),
            "frame": frame_view(b.handler, b.placement, {"ID": str(object_id)}, f"tab-{b.id}", 600),
        }
        for b in p.placements
        if b.placement == placement
    ]


def _contact_name(contact_id: int) -> str:
    row = portal().contacts.get(contact_id) or {}
    return " ".join(str(row.get(k) or "") for k in ("NAME", "LAST_NAME")).strip() or f"#{contact_id}"


def _timeline(entity_type: str, owner_type_id: int, owner_id: int) -> list[dict[str, Any]]:
    p = portal()
    entries = [
        {
            "at": c["CREATED"],
            "kind": "Комментарий",
            "author": user_name(p, c["AUTHOR_ID"]),
            "text": c["COMMENT"],
        }
        for c in p.comments.values()
        if c["ENTITY_TYPE"] == entity_type and c["ENTITY_ID"] == owner_id
    ]
    labels = {
        ("4", "1"): "Входящее письмо",
        ("4", "2"): "Исходящее письмо",
        ("2", "1"): "Входящий звонок",
        ("2", "2"): "Исходящий звонок",
    }
    for a in p.activities.values():
        if a["OWNER_TYPE_ID"] == str(owner_type_id) and a["OWNER_ID"] == str(owner_id):
            kind = labels.get((a["TYPE_ID"], a["DIRECTION"]), "Дело")
            entries.append(
                {
                    "at": a["CREATED"],
                    "kind": f"{kind}: {a['SUBJECT']}",
                    "author": user_name(p, a["AUTHOR_ID"]),
                    "text": a["DESCRIPTION"],
                }
            )
    return sorted(entries, key=lambda e: e["at"], reverse=True)
