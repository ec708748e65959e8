"""The app's own bindings and info: placement.*, event.*, app.info, scope."""

from __future__ import annotations

from typing import Any

from sandbox.portal.errors import RestError
from sandbox.portal.params import as_dict, as_int, lower_keys
from sandbox.portal.rest import IMPLICIT_SCOPE, CallContext, method
from sandbox.portal.state import EventBinding, PlacementBinding, Portal

STATIC_PLACEMENTS = (
    "CRM_COMPANY_DETAIL_TAB",
    "CRM_CONTACT_DETAIL_TAB",
    "CRM_COMPANY_LIST_MENU",
    "CRM_CONTACT_LIST_MENU",
    "LEFT_MENU",
    "CRM_ANALYTICS_MENU",
    "REST_APP_URI",
)
KNOWN_EVENTS = (
    "ONCRMDYNAMICITEMADD",
    "ONCRMDYNAMICITEMUPDATE",
    "ONCRMDYNAMICITEMDELETE",
    "ONCRMCOMPANYADD",
    "ONCRMCOMPANYUPDATE",
    "ONCRMCOMPANYDELETE",
    "ONCRMCONTACTADD",
    "ONCRMCONTACTUPDATE",
    "ONCRMCONTACTDELETE",
    "ONCRMREQUISITEADD",
    "ONCRMREQUISITEUPDATE",
    "ONCRMREQUISITEDELETE",
    "ONCRMTIMELINECOMMENTADD",
    "ONCRMACTIVITYADD",
    "ONAPPUNINSTALL",
    "ONAPPUPDATE",
    "ONAPPINSTALL",
)
ALL_SCOPES = (
    "crm",
    "placement",
    "user",
    "user_brief",
    "department",
    "im",
    "userfieldconfig",
    "task",
    "bizproc",
)


def available_placements(portal: Portal) -> list[str]:
    codes = list(STATIC_PLACEMENTS)
    for etid in sorted(portal.types):
        codes += [
            f"CRM_DYNAMIC_{etid}_DETAIL_TAB",
            f"CRM_DYNAMIC_{etid}_DETAIL_ACTIVITY",
            f"CRM_DYNAMIC_{etid}_LIST_MENU",
        ]
    return codes


def _upper_params(params: dict[str, Any]) -> dict[str, Any]:
    return {str(k).upper(): v for k, v in params.items()}


@method("placement.bind", "placement", admin=True, app_only=True)
def placement_bind(ctx: CallContext, params: dict[str, Any]) -> bool:
    p = _upper_params(params)
    code, handler = str(p.get("PLACEMENT") or "").upper(), str(p.get("HANDLER") or "")
    if not code:
        raise RestError("ERROR_PLACEMENT_NOT_FOUND", "Placement not found", 400)
    if not handler:
        raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL", 400)
    if code not in available_placements(ctx.portal):
        raise RestError("ERROR_PLACEMENT_NOT_FOUND", "Placement not found", 400)
    if any(b.placement == code and b.handler == handler for b in ctx.portal.placements):
        raise RestError("ERROR_CORE", "Unable to set placement handler: Handler already binded", 400)
    lang_all = as_dict(p.get("LANG_ALL"))
    title = str(p.get("TITLE") or as_dict(lang_all.get("ru")).get("TITLE") or "Приложение")
    ctx.portal.placements.append(
        PlacementBinding(
            id=ctx.portal.next_id("placement"),
            placement=code,
            handler=handler,
            title=title,
            description=str(p.get("DESCRIPTION") or ""),
            group_name=str(p.get("GROUP_NAME") or ""),
            lang_all=lang_all,
            options=as_dict(p.get("OPTIONS")),
        )
    )
    return True


@method("placement.unbind", "placement", admin=True, app_only=True)
def placement_unbind(ctx: CallContext, params: dict[str, Any]) -> dict[str, int]:
    p = _upper_params(params)
    code, handler = str(p.get("PLACEMENT") or "").upper(), str(p.get("HANDLER") or "")
    if not code:
        raise RestError("ERROR_PLACEMENT_NOT_FOUND", "Placement not found", 400)
    keep = [
        b
        for b in ctx.portal.placements
        if not (b.placement == code and (not handler or b.handler == handler))
    ]
    count = len(ctx.portal.placements) - len(keep)
    ctx.portal.placements = keep
    return {"count": count}


@method("placement.get", "placement", app_only=True)
def placement_get(ctx: CallContext, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "placement": b.placement,
            "handler": b.handler,
            "title": b.title,
            "description": b.description,
            "groupName": b.group_name,
            "options": b.options or [],
            "langAll": b.lang_all or [],
        }
        for b in ctx.portal.placements
    ]


@method("placement.list", "placement", app_only=True)
def placement_list(ctx: CallContext, params: dict[str, Any]) -> list[str]:
    return available_placements(ctx.portal)


@method("event.bind", IMPLICIT_SCOPE, admin=True, app_only=True)
def event_bind(ctx: CallContext, params: dict[str, Any]) -> bool:
    p = lower_keys(params)
    event, handler = str(p.get("event") or "").upper(), str(p.get("handler") or "")
    if event not in KNOWN_EVENTS:
        raise RestError("ERROR_EVENT_NOT_FOUND", "Event not found", 400)
    if not handler:
        raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL", 400)
    auth_type = as_int(p.get("auth_type"), 0) or 0
    if any(
        b.event == event and b.handler == handler and b.auth_type == auth_type
        for b in ctx.portal.event_bindings
    ):
        raise RestError("ERROR_CORE", "Unable to set event handler: Handler already binded", 400)
    ctx.portal.event_bindings.append(
        EventBinding(
            id=ctx.portal.next_id("event_binding"),
            event=event,
            handler=handler,
            auth_type=auth_type,
            offline=str(p.get("event_type") or "online").lower() == "offline",
        )
    )
    return True


@method("event.unbind", IMPLICIT_SCOPE, admin=True, app_only=True)
def event_unbind(ctx: CallContext, params: dict[str, Any]) -> dict[str, int]:
    p = lower_keys(params)
    event, handler = str(p.get("event") or "").upper(), str(p.get("handler") or "")
    auth_type = as_int(p.get("auth_type"))

    def hit(b: EventBinding) -> bool:
        return (
            b.event == event
            and (not handler or b.handler == handler)
            and (auth_type is None or b.auth_type == auth_type)
        )

    keep = [b for b in ctx.portal.event_bindings if not hit(b)]
    count = len(ctx.portal.event_bindings) - len(keep)
    ctx.portal.event_bindings = keep
    return {"count": count}


@method("event.get", IMPLICIT_SCOPE, app_only=True)
def event_get(ctx: CallContext, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"event": b.event, "handler": b.handler, "auth_type": str(b.auth_type), "offline": int(b.offline)}
        for b in ctx.portal.event_bindings
    ]


@method("app.info", IMPLICIT_SCOPE, app_only=True)
def app_info(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    app = ctx.portal.cloud.app
    return {
        "ID": app.app_id if app else 0,
        "CODE": app.code if app else "",
        "VERSION": ctx.portal.app.version,
        "STATUS": "L",
        "INSTALLED": ctx.portal.app.installed,
        "PAYMENT_EXPIRED": "N",
        "DAYS": None,
        "LANGUAGE_ID": "ru",
        "LICENSE": "ru_project",
        "LICENSE_TYPE": "project",
        "LICENSE_FAMILY": "project",
        "member_id": ctx.portal.member_id,
    }


@method("scope", IMPLICIT_SCOPE)
def scope(ctx: CallContext, params: dict[str, Any]) -> list[str]:
    if str(lower_keys(params).get("full", "")).lower() in ("1", "true", "y"):
        return list(ALL_SCOPES)
    return sorted(ctx.scope)
