"""Users, departments and notifications: user.*, department.get, im.notify.system.add."""

from __future__ import annotations

from typing import Any

from sandbox.portal.errors import RestError
from sandbox.portal.filtering import matches, ordered, page
from sandbox.portal.params import as_dict, as_int, lower_keys
from sandbox.portal.rest import CallContext, ListResult, method
from sandbox.portal.state import Portal, now_iso

USER_FIELDS = (
    "ID",
    "ACTIVE",
    "NAME",
    "LAST_NAME",
    "SECOND_NAME",
    "EMAIL",
    "WORK_POSITION",
    "UF_DEPARTMENT",
    "TIME_ZONE",
    "USER_TYPE",
)


def public_user(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "ID": str(user["id"]),
        "ACTIVE": bool(user.get("active", True)),
        "NAME": user["name"],
        "LAST_NAME": user["last_name"],
        "SECOND_NAME": "",
        "EMAIL": user["email"],
        "WORK_POSITION": user.get("position", ""),
        "UF_DEPARTMENT": list(user["departments"]),
        "TIME_ZONE": "Europe/Moscow",
        "USER_TYPE": "employee",
    }


def user_name(portal: Portal, user_id: Any) -> str:
    user = portal.users.get(as_int(user_id, 0) or 0)
    return f"{user['name']} {user['last_name']}" if user else "—"


def _bool_filter(value: Any) -> Any:
    if isinstance(value, str) and value.upper() in ("Y", "N", "TRUE", "FALSE"):
        return value.upper() in ("Y", "TRUE")
    return value


@method("user.current", "user")
def user_current(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return public_user(ctx.portal.users[ctx.user_id])


@method("user.admin", "user")
def user_admin(ctx: CallContext, params: dict[str, Any]) -> bool:
    return ctx.is_admin


@method("user.get", "user")
def user_get(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = lower_keys(params)
    raw = as_dict(p.get("filter")) or {
        k: v for k, v in params.items() if str(k).upper().lstrip("!<>=%@") in USER_FIELDS
    }
    filt: dict[str, Any] = {}
    for key, value in raw.items():
        filt[str(key).upper()] = _bool_filter(value)
    rows = [public_user(u) for u in ctx.portal.users.values()]
    rows = [r for r in rows if matches(r, filt, lambda n: n.upper() if n.upper() in USER_FIELDS else None)]
    sort = str(p.get("sort") or "ID").upper()
    rows = ordered(rows, {sort: str(p.get("order") or "ASC")}, lambda n: n.upper())
    chunk, total, nxt = page(rows, p.get("start"))
    return ListResult(chunk, total, nxt)


@method("department.get", "department")
def department_get(ctx: CallContext, params: dict[str, Any]) -> ListResult:
    p = {str(k).upper(): v for k, v in params.items()}
    filt = {k: v for k, v in p.items() if k in ("ID", "NAME", "PARENT", "UF_HEAD")}
    rows = [
        {
            "ID": str(d["id"]),
            "NAME": d["name"],
            "SORT": 500,
            "PARENT": str(d["parent"]) if d["parent"] else None,
            "UF_HEAD": str(d["head"]) if d["head"] else "0",
        }
        for d in ctx.portal.departments.values()
    ]
    rows = [r for r in rows if matches(r, filt, lambda n: n.upper())]
    chunk, total, nxt = page(rows, p.get("START"))
    return ListResult(chunk, total, nxt)


def add_notification(portal: Portal, user_id: int, message: str, source: str) -> dict[str, Any]:
    row = {
        "id": portal.next_id("notification"),
        "user_id": user_id,
        "message": message,
        "source": source,
        "created": now_iso(),
    }
    portal.notifications.append(row)
    return row


@method("im.notify.system.add", "im")
def notify_system_add(ctx: CallContext, params: dict[str, Any]) -> int:
    p = {str(k).upper(): v for k, v in params.items()}
    user_id = as_int(p.get("USER_ID"))
    if user_id is None or user_id not in ctx.portal.users:
        raise RestError("USER_ID_EMPTY", "Recipient ID not specified", 400)
    message = str(p.get("MESSAGE") or "")
    if not message:
        raise RestError("MESSAGE_EMPTY", "Message text not specified", 400)
    app = ctx.portal.cloud.app
    return add_notification(ctx.portal, user_id, message, app.code if app else "app")["id"]
