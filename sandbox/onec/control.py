"""Control of the sandbox 1C: quirk switches, stats, push settings, bulk data (JSON), and the page for a
person working in 1C (change a request's status, add an interaction, edit a counterparty).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from sandbox.onec.push import PushConfig
from sandbox.onec.quirks import ApiError
from sandbox.onec.records import INTERACTION_KINDS, KIND_TITLES, REQUEST_STATUSES, STATUS_TITLES

bp = Blueprint("onec_control", __name__, template_folder="templates")
PERSON = "Иванов И.И."
INTERACTION_TITLES = {
    "call": "Звонок",
    "email": "Письмо",
    "meeting": "Встреча",
    "comment": "Комментарий",
    "exchange": "Пакет обмена",
}


def sandbox() -> Any:
    return current_app.extensions["sandbox_onec"]


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> tuple[Response | str, int]:
    if request.path.startswith("/sandbox1c/api/"):
        return jsonify(error.to_json()), error.status
    return render_template("sandbox_onec/error.html", error=error), error.status


def _json() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "BAD_JSON", "Ожидается JSON-объект")
    return data


# -- JSON control API --------------------------------------------------------------------------------


@bp.route("/api/quirks", methods=["GET", "POST"])
def quirks() -> Response:
    store = sandbox().store
    if request.method == "POST":
        try:
            with store.lock:
                store.quirks.update(_json())
        except ValueError as exc:
            raise ApiError(400, "BAD_QUIRK", str(exc)) from exc
    with store.lock:
        return jsonify(store.quirks.to_json())


@bp.get("/api/stats")
def stats() -> Response:
    store = sandbox().store
    with store.lock:
        return jsonify({"calls": dict(store.stats), "total": sum(store.stats.values())})


@bp.post("/api/reset")
def reset() -> Response:
    sandbox().pusher.reset()
    sandbox().store.reset()
    return jsonify({"ok": True})


@bp.post("/api/push-config")
def push_config() -> Response:
    data = _json()
    if not data.get("url"):
        sandbox().pusher.configure(None)
        return jsonify({"push": None})
    if not data.get("token"):
        raise ApiError(400, "BAD_PUSH_CONFIG", "Нужны url и token")
    config = PushConfig(
        url=str(data["url"]), token=str(data["token"]), hmac_secret=data.get("hmac_secret") or None
    )
    sandbox().pusher.configure(config)
    return jsonify({"push": {"url": config.url, "signed": bool(config.hmac_secret)}})


@bp.post("/api/push-now")
def push_now() -> Response:
    return jsonify(sandbox().pusher.push_now())


@bp.get("/api/push-log")
def push_log() -> Response:
    pusher = sandbox().pusher
    with sandbox().store.lock:
        return jsonify({"configured": pusher.config is not None, "log": list(pusher.log)})


@bp.post("/api/counterparties/bulk")
def bulk_counterparties() -> Response:
    data = _json()
    count = data.get("count")
    if not isinstance(count, int) or not 0 < count <= 100_000:
        raise ApiError(400, "BAD_COUNT", "count: целое число от 1 до 100000")
    total = sandbox().store.bulk_counterparties(count, int(data.get("seed", 1)))
    return jsonify({"created": count, "total": total})


@bp.post("/api/requests/<ref>/status")
def set_status(ref: str) -> Response:
    """A person in 1C changes the status (also used by integration tests)."""
    data = _json()
    return jsonify(
        sandbox().store.update_request(
            ref, {"status": data.get("status")}, None, None, author=data.get("author", PERSON)
        )
    )


@bp.post("/api/requests/<ref>/interactions")
def add_interaction(ref: str) -> Response:
    data = _json()
    _, row = sandbox().store.put_interaction(
        ref, str(uuid.uuid4()), data, author=data.get("responsible", PERSON)
    )
    return jsonify(row)


@bp.post("/api/counterparties/<ref>")
def edit_counterparty(ref: str) -> Response:
    return jsonify(sandbox().store.update_counterparty(ref, _json(), None, None))


# -- the page for a person ---------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    store = sandbox().store
    with store.lock:
        requests_ = list(reversed(store.requests.values()))
        counterparties = list(store.counterparties.values())[:50]
        counterparty_total = len(store.counterparties)
        names = {c.ref: c.name for c in store.counterparties.values()}
        interactions = {r.ref: store.request_interactions(r.ref) for r in requests_}
        quirks = store.quirks.to_json()
        feed_tail = store.feed.items[-15:][::-1]
        acked = store.feed.acked
        log = list(sandbox().pusher.log[-15:][::-1])
        push = sandbox().pusher.config
    return render_template(
        "sandbox_onec/index.html",
        requests=requests_,
        counterparties=counterparties,
        counterparty_total=counterparty_total,
        names=names,
        interactions=interactions,
        quirks=quirks,
        feed=feed_tail,
        acked=acked,
        log=log,
        push=push,
        statuses=REQUEST_STATUSES,
        status_titles=STATUS_TITLES,
        kind_titles=KIND_TITLES,
        interaction_kinds=INTERACTION_KINDS,
        interaction_titles=INTERACTION_TITLES,
        base_path=sandbox().settings.base_path,
        tz=sandbox().settings.tz,
        tzinfo=store.tz,
    )


@bp.post("/requests/<ref>/status")
def form_status(ref: str) -> Response:
    sandbox().store.update_request(ref, {"status": request.form.get("status")}, None, None, author=PERSON)
    return redirect(url_for(".index"), code=303)


@bp.post("/requests/<ref>/interactions")
def form_interaction(ref: str) -> Response:
    fields = {name: request.form.get(name, "") for name in ("kind", "direction", "text")}
    sandbox().store.put_interaction(ref, str(uuid.uuid4()), fields, author=PERSON)
    return redirect(url_for(".index"), code=303)


@bp.post("/counterparties/<ref>")
def form_counterparty(ref: str) -> Response:
    fields = {name: request.form[name] for name in ("name", "kpp", "phone", "email") if name in request.form}
    sandbox().store.update_counterparty(ref, fields, None, None)
    return redirect(url_for(".index"), code=303)


@bp.post("/quirks")
def form_quirks() -> Response:
    form = request.form
    values: dict[str, Any] = {
        name: name in form for name in ("bom", "no_charset", "stale_version", "seq_gaps", "down")
    }
    for name in ("fail_500_html", "hang"):
        values[name] = int(form.get(name) or 0)
    for name in ("slow_first_call_sec", "hang_sec", "fail_500_probability"):
        values[name] = float(form.get(name) or 0)
    store = sandbox().store
    try:
        with store.lock:
            store.quirks.update(values)
    except ValueError as exc:
        raise ApiError(400, "BAD_QUIRK", str(exc)) from exc
    return redirect(url_for(".index"), code=303)
