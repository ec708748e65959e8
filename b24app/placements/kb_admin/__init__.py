"""The «База знаний» tab of the admin page: articles, import and export, gaps, reply templates.
Every endpoint is for the portal's administrators and sees only the frame's portal."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..admin_tabs import AdminTab, register_tab
from ..frames import frame_headers

bp = Blueprint("kb_admin", __name__)
bp.after_request(frame_headers)

register_tab(
    AdminTab(
        order=40,
        name="kb",
        title=_l("База знаний"),
        fragment_url="/frame-api/admin/kb",
        script="kb_admin.js",
    )
)


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description=_("ожидался объект JSON"))
    return body


def problems_response(problems: list[Any], message: str):
    """400 with every problem, each as {field, message}, for the editor to show next to the form."""
    return jsonify(
        error="invalid",
        message=message,
        problems=[{"field": p.field, "message": p.message} for p in problems],
    ), 400


from . import articles, templates, transfer  # noqa: E402, F401  (their routes join this blueprint)
