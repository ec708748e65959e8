"""The managers' report page (CRM → Analytics): quality metrics with filters, charts and CSV export."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Department, Portal, ServiceRequest, Survey, utcnow
from ..services.calendar import BusinessCalendar, russian_calendar
from ..services.fields import CHANNELS, REQUEST_TYPES
from ..services.metrics import Filters, Report, compute
from ..services.metrics.loader import kb_signals, load_facts, load_surveys
from ..services.sla_policies import default_calendar
from .frames import frame_api, frame_headers, validate_frame

bp = Blueprint("report", __name__)
bp.after_request(frame_headers)
MOSCOW = ZoneInfo("Europe/Moscow")
REVIEWS = 20  # the newest answers shown
REVIEWS_SCAN = 500  # answers looked at to find them among the filtered requests

# Targets from the customer's brief, drawn as reference lines: (metric, target, better is lower).
TARGETS = {
    "frt_hours": 2.0,
    "ttr_hours": 24.0,
    "csat_average": 4.5,
    "repeat_contacts": 0.15,
    "kb_usage": 0.60,
}


class BadFilter(ValueError):
    pass


def portal_calendar(portal: Portal) -> BusinessCalendar:
    """The portal's default business calendar (seeded at setup); the Russian one if none is stored."""
    record = default_calendar(portal.id)
    if record is not None:
        return BusinessCalendar.from_dict(record.data)
    year = utcnow().year
    return russian_calendar(range(year - 2, year + 2))


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadFilter(_("%(name)s: дата в формате ГГГГ-ММ-ДД", name=name)) from exc


def _int(value: str | None, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise BadFilter(_("%(name)s: нужно число", name=name))
    return int(value)


def parse_filters(args) -> Filters:
    start = _date(args.get("start"), _("Начало периода"))
    end = _date(args.get("end"), _("Конец периода"))
    if start and end and end < start:
        raise BadFilter(_("Конец периода раньше начала"))
    types = {code for code, _ru, _en in REQUEST_TYPES}
    channels = {code for code, _ru, _en in CHANNELS}
    if args.get("type") and args["type"] not in types:
        raise BadFilter(_("Неизвестный тип обращения"))
    if args.get("channel") and args["channel"] not in channels:
        raise BadFilter(_("Неизвестный канал"))
    return Filters(
        start=datetime.combine(start, time(0), MOSCOW).astimezone(UTC) if start else None,
        end=datetime.combine(end + timedelta(days=1), time(0), MOSCOW).astimezone(UTC) if end else None,
        request_type=args.get("type") or None,
        group_id=_int(args.get("group"), _("Группа")),
        agent_id=_int(args.get("agent"), _("Сотрудник")),
        channel=args.get("channel") or None,
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _names(portal_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(ServiceRequest.assigned_by_id, ServiceRequest.assigned_name).where(
            ServiceRequest.portal_id == portal_id, ServiceRequest.assigned_by_id.is_not(None)
        )
    ).all()
    return {uid: name or f"#{uid}" for uid, name in rows}


@dataclass(frozen=True)
class AgentLine:
    """One responsible's figures over the same selection: the team table of the report."""

    user_id: int
    name: str
    report: Report


def build(portal: Portal, filters: Filters) -> tuple[Report, dict]:
    facts = load_facts(portal.id)
    surveys, signals, calendar, now = (
        load_surveys(portal.id),
        kb_signals(portal.id),
        portal_calendar(portal),
        utcnow(),
    )
    report = compute(facts, surveys, signals, calendar=calendar, filters=filters, now=now)
    names = _names(portal.id)
    admitted = [f for f in facts if filters.admits(f)]
    weeks = Counter(
        (f.created.astimezone(MOSCOW).date() - timedelta(days=f.created.astimezone(MOSCOW).weekday()))
        for f in admitted
    )
    english = str(get_locale() or "ru") == "en"
    type_labels = {code: en if english else ru for code, ru, en in REQUEST_TYPES}
    channel_labels = {code: en if english else ru for code, ru, en in CHANNELS}
    by_channel = Counter(f.channel or "" for f in admitted)
    charts = {
        "weeks": [Bar(week.strftime("%d.%m"), n) for week, n in sorted(weeks.items())[-12:]],
        "breaches": [Bar(type_labels.get(k, k), v) for k, v in sorted(report.breaches_by_type.items())],
        "channels": [
            Bar(channel_labels.get(k, k) if k else _("не указан"), v)
            for k, v in sorted(by_channel.items(), key=lambda kv: -kv[1])
        ],
        "load": [
            Bar(names.get(k, f"#{k}"), v)
            for k, v in sorted(report.open_by_agent.items(), key=lambda kv: -kv[1])
        ],
        "agents": sorted(names.items(), key=lambda kv: kv[1]),
        "reviews": client_reviews(portal.id, {f.id for f in admitted}),
        "etid": ((portal.settings or {}).get("smart_process") or {}).get("entity_type_id"),
        "team": [
            AgentLine(
                uid,
                names.get(uid, f"#{uid}"),
                compute(
                    facts,
                    surveys,
                    signals,
                    calendar=calendar,
                    filters=replace(filters, agent_id=uid),
                    now=now,
                ),
            )
            for uid in sorted(
                {f.agent_id for f in admitted if f.agent_id is not None}, key=lambda u: names.get(u, "")
            )
        ],
    }
    return report, charts


@dataclass(frozen=True)
class Review:
    """A client's answer to the survey, for the managers: what they said about which request."""

    answered_at: datetime
    b24_id: int
    title: str
    responsible: str
    score: int | None
    nps: int | None
    comment: str


def client_reviews(portal_id: int, admitted: set[int], limit: int = REVIEWS) -> list[Review]:
    """The newest answered surveys of the requests the filters admit."""
    rows = db.session.execute(
        select(
            Survey.answered_at,
            ServiceRequest.b24_id,
            ServiceRequest.title,
            ServiceRequest.assigned_name,
            Survey.score,
            Survey.nps,
            Survey.comment,
        )
        .join(ServiceRequest, ServiceRequest.id == Survey.request_id)
        .where(Survey.portal_id == portal_id, Survey.answered_at.is_not(None))
        .order_by(Survey.answered_at.desc())
        .limit(REVIEWS_SCAN)
    ).all()
    return [
        Review(r.answered_at, r.b24_id, r.title or "", r.assigned_name or "", r.score, r.nps, r.comment or "")
        for r in rows
        if r.b24_id in admitted
    ][:limit]


def team_rows(charts: dict) -> list[list[str]]:
    """The team table as rows for the CSV: a header, then one row per responsible."""

    def num(v, scale=1.0, digits=1):
        return "" if v is None else f"{v * scale:.{digits}f}"

    rows = [
        [
            _("Сотрудник"),
            _("Обращений"),
            _("FRT, медиана, рабочие часы"),
            _("TTR, медиана, рабочие часы"),
            _("Соблюдение SLA, %"),
            _("CSAT, средняя оценка"),
            _("Открытых"),
        ]
    ]
    for line in charts["team"]:
        r = line.report
        rows.append(
            [
                line.name,
                str(r.requests),
                num(r.frt.business_p50, 1 / 60, 2),
                num(r.ttr.business_p50, 1 / 60, 2),
                num(r.sla_compliance, 100),
                num(r.csat_average, 1, 2),
                str(sum(r.open_by_agent.values())),
            ]
        )
    return rows


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


def report_rows(report: Report) -> list[tuple[str, str]]:
    """The figures as (name, value) rows: for the CSV and the tiles alike."""

    def pct(v):
        return "" if v is None else f"{v * 100:.1f}"

    def num(v, digits=2):
        return "" if v is None else f"{v:.{digits}f}"

    return [
        (_("Обращений"), str(report.requests)),
        (_("FRT, медиана, рабочие часы"), num(_hours(report.frt.business_p50))),
        (_("FRT, 90-й процентиль, рабочие часы"), num(_hours(report.frt.business_p90))),
        (_("FRT, медиана, календарные часы"), num(_hours(report.frt.calendar_p50))),
        (_("FRT в срок SLA, %"), pct(report.frt_within_sla)),
        (_("TTR, медиана, рабочие часы"), num(_hours(report.ttr.business_p50))),
        (_("TTR, 90-й процентиль, рабочие часы"), num(_hours(report.ttr.business_p90))),
        (_("TTR, медиана, календарные часы"), num(_hours(report.ttr.calendar_p50))),
        (_("Соблюдение SLA, %"), pct(report.sla_compliance)),
        ("CSAT, %", pct(report.csat_percent)),
        (_("CSAT, средняя оценка"), num(report.csat_average)),
        (_("CSAT, доля ответов, %"), pct(report.csat_response_rate)),
        ("NPS", num(report.nps, 1)),
        (_("Повторные обращения, %"), pct(report.repeat_contacts)),
        (_("Переоткрытые, %"), pct(report.reopen_rate)),
        (_("Решено с первого контакта (FCR), %"), pct(report.fcr)),
        (_("Использование базы знаний, %"), pct(report.kb_usage)),
        (_("Подсказки помогли, %"), pct(report.kb_helpful)),
        (_("Возраст очереди, медиана, ч"), num(report.backlog_age_p50_hours, 1)),
    ]


def _filters_or_400() -> Filters:
    try:
        return parse_filters(request.args)
    except BadFilter as exc:
        abort(400, description=str(exc))


@bp.post("/placements/report")
def report_page():
    frame = validate_frame()
    report, charts = build(frame.portal, Filters())
    used = select(ServiceRequest.group_id).where(
        ServiceRequest.portal_id == frame.portal.id, ServiceRequest.group_id.is_not(None)
    )
    groups = db.session.execute(
        select(Department.department_id, Department.name)
        .where(Department.portal_id == frame.portal.id, Department.department_id.in_(used))
        .order_by(Department.name)
    ).all()
    return render_template(
        "frames/report.html",
        report=report,
        charts=charts,
        groups=groups,
        rows=report_rows(report),
        targets=TARGETS,
        types=REQUEST_TYPES,
        channels=CHANNELS,
        frame_token=frame.token,
        sdk_url=current_app.config["SETTINGS"].b24_js_sdk_url,
    )


@bp.get("/frame-api/report")
@frame_api
def report_fragment():
    report, charts = build(g.call.portal, _filters_or_400())
    return render_template("frames/report_body.html", report=report, charts=charts, targets=TARGETS)


@bp.get("/frame-api/report.csv")
@frame_api
def report_csv():
    report, charts = build(g.call.portal, _filters_or_400())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Показатель"), _("Значение")])
    writer.writerows(report_rows(report))
    writer.writerow([])
    writer.writerows(team_rows(charts))
    writer.writerow([])
    writer.writerow([_("Дата"), "№", _("Тема"), _("Ответственный"), _("Оценка"), "NPS", _("Комментарий")])
    for r in charts["reviews"]:
        writer.writerow(
            [
                r.answered_at.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M"),
                r.b24_id,
                r.title,
                r.responsible,
                "" if r.score is None else r.score,
                "" if r.nps is None else r.nps,
                r.comment,
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),  # Excel opens a UTF-8 CSV correctly only with a BOM
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=servicedesk-report.csv"},
    )
