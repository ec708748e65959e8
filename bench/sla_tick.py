"""Benchmark of the SLA escalation tick: 100,000 open requests of one portal in a throw-away database.

Builds the requests with their escalation schedule (timing the deadline computations), then times one
tick's selection and decision pass without REST calls, counting the actions it would take:
- steady state: levels claimed up to a minute ago, so the tick finds what crossed a moment since;
- backlog: nothing claimed yet (after an outage), with the per-tick limit and without it.

    .venv/bin/python bench/sla_tick.py [--requests 100000] [--database-url postgresql://...]

SQLite goes to a temporary file; PostgreSQL gets its own schema, dropped at the end.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import insert, select, text, update

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from b24app import create_app
from b24app.config import Settings
from b24app.extensions import db
from b24app.models import Portal, PortalStatus, ServiceRequest, SlaEscalation
from b24app.services.sla import deadline
from b24app.services.sla_escalation import TICK_LIMIT, DueClock, plan_tick
from b24app.services.sla_policies import CalendarCache, ensure_defaults, policies_of

# Tuesday 2025-06-10 11:07 in Moscow: working time, so no notification is held back. (At 11:00 sharp
# ~1,100 clocks breach at once: every request created overnight starts at 09:00 and has 120 minutes.)
NOW = datetime(2025, 6, 10, 8, 7, tzinfo=UTC)


def make_app(url: str | None, schema: str):
    env = {
        "SECRET_KEY": "bench",
        "TOKEN_KEYS": Fernet.generate_key().decode(),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": url or f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench.sqlite')}",
    }
    test_config = {}
    if url and url.startswith("postgresql"):
        test_config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    return create_app(test_config=test_config, settings=Settings.from_env(env))


def build(count: int, rng: random.Random) -> tuple[int, float, int]:
    """Portal, requests and schedules; returns the portal id, deadline computations per second, count."""
    portal = Portal(
        member_id="bench", domain="bench.bitrix24.ru", client_endpoint="https://bench.bitrix24.ru/rest/"
    )
    portal.status = PortalStatus.ACTIVE
    portal.settings = {}
    db.session.add(portal)
    db.session.flush()
    ensure_defaults(portal, today=NOW.date())
    policies = [p for p in policies_of(portal.id) if p.first_response]
    cal = CalendarCache(portal.id).get(policies[0].calendar_id)
    rows = []
    for i in range(count):
        created = NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 14))
        rows.append(
            {
                "portal_id": portal.id,
                "b24_id": i + 1,
                "title": f"Обращение {i + 1}",
                "state": rng.choice(("new", "in_work")),
                "created_time": created,
                "assigned_by_id": rng.randint(1, 50),
                "urgency": "normal",
                "fields": {},
                "sla_minutes": {},
            }
        )
    db.session.execute(insert(ServiceRequest), rows)
    ids = dict(db.session.execute(select(ServiceRequest.b24_id, ServiceRequest.id)).all())
    schedules, computations = [], 0
    started = time.perf_counter()
    for row in rows:
        policy = rng.choice(policies)
        target = policy.first_response
        created = row["created_time"]
        warning = deadline(cal, created, math.ceil(target * policy.warning_share))
        breach = deadline(cal, created, target)
        second = deadline(cal, created, target + math.ceil(target * policy.second_level_share))
        computations += 3
        schedules.append(
            {
                "request_id": ids[row["b24_id"]],
                "portal_id": portal.id,
                "policy_id": policy.id,
                "episode": f"first_response:{int(created.timestamp()) // 60}",
                "warning_at": warning,
                "breach_at": breach,
                "second_at": second,
                "next_at": warning,
            }
        )
    rate = computations / (time.perf_counter() - started)
    db.session.execute(insert(SlaEscalation), schedules)
    db.session.commit()
    return portal.id, rate, count


def settle(portal_id: int, as_of: datetime) -> None:
    """Claim every level due at `as_of` (what earlier ticks would have done), in bulk."""
    rows = db.session.execute(
        select(SlaEscalation, ServiceRequest.escalation_level)
        .join(ServiceRequest, ServiceRequest.id == SlaEscalation.request_id)
        .where(SlaEscalation.portal_id == portal_id)
    ).all()
    levels: dict[int, list[int]] = {}
    for schedule, _ in rows:
        clock = DueClock(
            schedule.request_id, 0, "", 0, schedule.episode, schedule.policy_id,
            schedule.warning_at, schedule.breach_at, schedule.second_at, None, None, None,
        )  # fmt: skip
        level = clock.due_level(as_of)
        schedule.next_at = clock.next_after(level)
        levels.setdefault(level, []).append(schedule.request_id)
    for level, ids in levels.items():
        for start in range(0, len(ids), 900):
            db.session.execute(
                update(ServiceRequest)
                .where(ServiceRequest.id.in_(ids[start : start + 900]))
                .values(escalation_level=level)
            )
    db.session.commit()


def timed_tick(portal_id: int, limit: int | None) -> tuple[float, int, int, dict]:
    started = time.perf_counter()
    report, decisions = plan_tick(portal_id, NOW, limit)
    elapsed = time.perf_counter() - started
    db.session.rollback()  # a plan only: the stale-schedule fixes are not kept between runs
    return elapsed, report.selected, len(decisions), dict(report.actions)


def _psycopg(url: str) -> str:
    """The driver the app uses (see b24app.config)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    schema = f"bench_sla_{os.getpid()}"
    if args.database_url:
        from sqlalchemy import create_engine

        engine = create_engine(_psycopg(args.database_url))
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
    app = make_app(args.database_url, schema)
    try:
        with app.app_context():
            db.create_all()
            portal_id, rate, count = build(args.requests, random.Random(args.seed))
            backlog_limited = timed_tick(portal_id, TICK_LIMIT)
            backlog_all = timed_tick(portal_id, None)
            settle(portal_id, NOW - timedelta(minutes=1))
            steady = timed_tick(portal_id, TICK_LIMIT)
            dialect = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
    finally:
        if args.database_url:
            from sqlalchemy import create_engine

            engine = create_engine(_psycopg(args.database_url))
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()

    print(f"\nSLA escalation tick, {dialect}, one portal")
    print(f"{'scenario':<32} {'requests':>9} {'selected':>9} {'to claim':>9} {'tick s':>8}  actions")
    for name, (seconds, selected, claims, actions) in (
        ("steady state (limit 500)", steady),
        ("backlog, limit 500", backlog_limited),
        ("backlog, no limit", backlog_all),
    ):
        summary = ", ".join(f"{k} {v}" for k, v in sorted(actions.items()))
        print(f"{name:<32} {count:>9} {selected:>9} {claims:>9} {seconds:>8.3f}  {summary}")
    print(f"\ndeadline computations per second (Russian calendar, business hours): {rate:,.0f}")
    print("goal: one tick <= 1 s")


if __name__ == "__main__":
    main()
