"""Pages that host the app: main page, install wizard, menu placements, and the BX24 shim they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_file

from sandbox.portal.lifecycle import begin_install, frame_for, install_finish
from sandbox.portal.state import Portal

STATIC = Path(__file__).parent / "static"
USER_COOKIE = "sandbox_user"
LANG_COOKIE = "sandbox_lang"
LANGUAGES = ("ru", "en")  # the interface languages a user of the sandbox portal can pick


def portal() -> Portal:
    return current_app.config["PORTAL"]


def current_user_id() -> int:
    try:
        user_id = int(request.cookies.get(USER_COOKIE, "1"))
    except ValueError:
        user_id = 1
    return user_id if user_id in portal().users else 1


def current_lang() -> str:
    """The user's interface language: a portal passes it to every frame as LANG."""
    lang = request.cookies.get(LANG_COOKIE, "ru")
    return lang if lang in LANGUAGES else "ru"


def frame_view(handler: str, placement: str, options: dict[str, Any], name: str, height: int = 400) -> dict:
    """Everything a template needs to POST a frame into an iframe and answer its BX24 calls."""
    p = portal()
    user_id = current_user_id()
    frame = frame_for(p, handler, user_id, placement, options, lang=current_lang())
    info = {
        "auth": frame.form["AUTH_ID"],
        "refresh": frame.form["REFRESH_ID"],
        "expires_in": p.settings.token_ttl,
        "member_id": p.member_id,
        "placement": placement,
        "options": options,
        "is_admin": p.is_admin(user_id),
    }
    return {"name": name, "url": frame.url, "form": frame.form, "info": info, "height": height}


def register_marketplace(bp: Blueprint) -> None:
    @bp.get("/bx24.js")
    def bx24_js():
        return send_file(STATIC / "bx24.js", mimetype="application/javascript")

    @bp.get("/static/portal.js")
    def portal_js():
        return send_file(STATIC / "portal.js", mimetype="application/javascript")

    @bp.get("/marketplace/app/")
    def app_page():
        p = portal()
        app = p.cloud.app
        frame = None
        if app and p.app.active:
            frame = frame_view(app.handler_url, "DEFAULT", {}, "app-default", 700)
        return render_template(
            "frame_page.html", title="Приложение", frame=frame, empty="Приложение не установлено."
        )

    @bp.get("/marketplace/install/")
    def install_page():
        p = portal()
        app = p.cloud.app
        if app is None:
            return render_template(
                "frame_page.html",
                title="Установка",
                frame=None,
                empty="Приложение не зарегистрировано в облаке.",
            )
        if not p.is_admin(current_user_id()):
            return render_template(
                "frame_page.html",
                title="Установка",
                frame=None,
                empty="Устанавливать приложения может только администратор.",
            ), 403
        begin_install(p, background=True)
        frame = frame_view(app.install_url, "DEFAULT", {}, "app-install", 600)
        return render_template("frame_page.html", title="Установка приложения", frame=frame, install=True)

    @bp.get("/marketplace/placement/<int:binding_id>/")
    def placement_page(binding_id: int):
        p = portal()
        binding = next((b for b in p.placements if b.id == binding_id), None)
        if binding is None or not p.app.installed:
            abort(404)
        options = {"URI": request.full_path.rstrip("?")}
        frame = frame_view(binding.handler, binding.placement, options, f"placement-{binding.id}", 700)
        return render_template("frame_page.html", title=binding.title, frame=frame)

    @bp.post("/ui/install-finish")
    def finish():
        install_finish(portal())
        return jsonify({"installed": True})

    @bp.post("/ui/frame-token")
    def frame_token():
        p = portal()
        return jsonify(p.cloud.token_answer(p.cloud.issue_tokens(p, current_user_id())))
