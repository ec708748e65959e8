"""The HTTP service contract v1 as the sandbox infobase publishes it, with the quirks of real 1C.

Order of a call: the web server (down → 503 page), Basic auth (401 plain text), the 1C session
(slow first call, hang, unhandled exception → 500 HTML), then the handler; the answer gets a BOM and
loses its charset when those quirks are on.
"""

from __future__ import annotations

import json
import time
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, request

from sandbox.onec.quirks import ApiError
from sandbox.onec.records import local_text, utc_now
from sandbox.onec.store import OneCStore

BOM = b"\xef\xbb\xbf"

DOWN_PAGE = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>503 Service Unavailable</title>
</head><body>
<h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your
request due to maintenance downtime or capacity
problems. Please try again later.</p>
<hr>
<address>Apache/2.4.57 (Debian) Server at localhost Port 80</address>
</body></html>
"""

EXCEPTION_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Ошибка</title></head><body>
<h1>500 Internal Server Error</h1>
<p>{{ОбщийМодуль.СервисДеск.Модуль(214)}}: Ошибка при вызове метода контекста (Записать):
Не удалось записать: "Заявка"! Конфликт блокировок при выполнении транзакции:
Превышено максимальное время ожидания предоставления блокировки</p>
</body></html>
"""

bp = Blueprint("onec_api", __name__)


def store() -> OneCStore:
    return current_app.extensions["sandbox_onec"].store


def reply(payload: Any, status: int = 200) -> Response:
    """JSON as 1C writes it: UTF-8, maybe with a BOM, maybe without a charset."""
    quirks = store().quirks
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    if quirks.bom:
        body = BOM + body
    content_type = "application/json" if quirks.no_charset else "application/json; charset=utf-8"
    return Response(body, status=status, content_type=content_type)


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return reply(error.to_json(), error.status)


@bp.before_request
def behave_like_1c() -> Response | None:
    sandbox = current_app.extensions["sandbox_onec"]
    rule = request.url_rule.rule if request.url_rule else request.path
    delay = store().count_call(f"{request.method} {rule.split('/v1', 1)[-1]}")
    if store().quirks.down:
        return Response(DOWN_PAGE, status=503, content_type="text/html; charset=iso-8859-1")
    auth = request.authorization
    if auth is None or (auth.username, auth.password) != (
        sandbox.settings.username,
        sandbox.settings.password,
    ):
        return Response(
            "Unauthorized: 1C:Enterprise authentication failed",
            status=401,
            content_type="text/plain; charset=utf-8",
            headers={"WWW-Authenticate": 'Basic realm="1C:Enterprise"'},
        )
    if delay:
        time.sleep(delay)
    if store().take("hang"):
        # A hung call still finishes in 1C later: the write happens though nobody hears the answer.
        time.sleep(store().quirks.hang_sec)
    if store().take("fail_500_html"):
        return Response(EXCEPTION_PAGE, status=500, content_type="text/html")
    return None


def body() -> dict[str, Any]:
    raw = request.get_data()
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    try:
        parsed = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "BAD_JSON", "Тело запроса не является JSON в UTF-8") from exc
    if not isinstance(parsed, dict):
        raise ApiError(400, "BAD_JSON", "Ожидается JSON-объект")
    return parsed


def if_match() -> str:
    value = request.headers.get("If-Match")
    if not value:
        raise ApiError(428, "PRECONDITION_REQUIRED", "Не указан заголовок If-Match (data_version)")
    return value.strip().removeprefix("W/").strip('"')


def stale_once() -> bool:
    return store().take("stale_version")


def limit_arg(default: int, ceiling: int) -> int:
    try:
        return max(1, min(int(request.args.get("limit", default)), ceiling))
    except ValueError as exc:
        raise ApiError(400, "BAD_LIMIT", "Некорректный limit") from exc


@bp.get("/ping")
def ping() -> Response:
    sandbox = current_app.extensions["sandbox_onec"]
    return reply(
        {
            "status": "ok",
            "api": "1.0",
            "config": sandbox.settings.config,
            "tz": sandbox.settings.tz,
            "server_time": local_text(utc_now(), store().tz),
        }
    )


@bp.get("/counterparties")
def find_counterparties() -> Response:
    inn = request.args.get("inn", "").strip()
    if inn:
        return reply({"items": store().find_counterparties(inn, request.args.get("kpp", "").strip() or None)})
    return reply(store().list_counterparties(request.args.get("after") or None, limit_arg(500, 1000)))


@bp.get("/counterparties/<ref>")
def get_counterparty(ref: str) -> Response:
    return reply(store().get_counterparty(ref))


@bp.post("/counterparties")
def find_or_create_counterparty() -> Response:
    data = body()
    status, payload = store().find_or_create_counterparty(data, _key(data))
    return reply(payload, status)


@bp.patch("/counterparties/<ref>")
def update_counterparty(ref: str) -> Response:
    data = body()
    return reply(store().update_counterparty(ref, data, if_match(), _key(data), stale=stale_once()))


@bp.post("/requests")
def create_request() -> Response:
    data = body()
    status, payload = store().create_request(data, _key(data))
    return reply(payload, status)


@bp.get("/requests/<ref>")
def get_request(ref: str) -> Response:
    return reply(store().get_request(ref))


@bp.patch("/requests/<ref>")
def update_request(ref: str) -> Response:
    data = body()
    return reply(store().update_request(ref, data, if_match(), _key(data), stale=stale_once()))


@bp.put("/requests/<ref>/interactions/<interaction_id>")
def put_interaction(ref: str, interaction_id: str) -> Response:
    status, payload = store().put_interaction(ref, interaction_id, body())
    return reply(payload, status)


@bp.get("/changes")
def changes() -> Response:
    return reply(store().changes(request.args.get("after") or None, limit_arg(100, 1000)))


@bp.post("/changes/ack")
def ack() -> Response:
    cursor = body().get("cursor")
    if cursor in (None, ""):
        raise ApiError(400, "BAD_CURSOR", "Не указан курсор")
    return reply(store().ack(cursor))


def _key(data: dict[str, Any]) -> str | None:
    """The idempotency key; 1C takes the header and falls back to `external_id` in the body."""
    return request.headers.get("Idempotency-Key") or data.get("external_id") or None


def not_found_text(path: str) -> Response:
    """What 1C answers for a URL no template of the HTTP service matches."""
    return Response(
        f"404 Not Found: {path}", status=HTTPStatus.NOT_FOUND, content_type="text/plain; charset=utf-8"
    )
