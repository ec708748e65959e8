"""Counterparty sync 1C → Bitrix24 at scale: the sandbox 1C with N counterparties (10,000 by default),
the sandbox portal with the cloud's leaky bucket (50, draining 2 a second), the app's real sync.

Prints REST calls made against the batch lower bound (every command in batches of 50), the
QUERY_LIMIT_EXCEEDED answers received, and the wall time against the leaky-bucket bound (the time the
bucket needs to let that many calls through). Run: `.venv/bin/python bench/sync_throughput.py`.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import sys
import tempfile
import time

import requests
from cryptography.fernet import Fernet

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from b24app import create_app
from b24app.config import Settings
from b24app.services import counterparty_sync
from b24app.services.onec_link import client_for_portal
from b24app.services.portals import client_for
from sandbox.stack import SandboxStack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--bucket", type=int, default=50)
    parser.add_argument("--drain", type=float, default=2.0)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="sync-bench-")
    env = {
        "SECRET_KEY": secrets.token_urlsafe(16),
        "TOKEN_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite",
        "LOG_LEVEL": "WARNING",
    }
    app = create_app(settings=Settings.from_env(env))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    stack = SandboxStack(app, rate=(args.bucket, args.drain)).start()
    try:
        stack.install()
        stack.setup()
        stack.wait_idle(timeout=300)
        stack.connect_onec()
        requests.post(
            f"{stack.onec_url}/sandbox1c/api/counterparties/bulk",
            json={"count": args.count, "seed": 1},
            timeout=60,
        ).raise_for_status()
        time.sleep(args.bucket / args.drain)  # start with an empty bucket, as after an idle hour
        requests.post(f"{stack.portal_url}/sandbox/api/stats/reset", json={}, timeout=10)
        with app.app_context():
            portal = stack.app_portal()
            b24 = client_for(portal.id, app.config["SETTINGS"])
            http_calls = []  # every HTTP request to the portal (a batch of 50 commands is one)
            b24.session.hooks["response"].append(
                lambda response, *a, **kw: http_calls.append(response.status_code)
            )
            onec = client_for_portal(portal)
            started = time.monotonic()
            run = counterparty_sync.run_sync(portal.id, b24, onec)
            wall = time.monotonic() - started
        stats = requests.get(f"{stack.portal_url}/sandbox/api/stats", timeout=10).json()
    finally:
        stack.stop()

    calls = len(http_calls)
    lookups = run.done - 0  # one requisite lookup per counterparty without a link
    commands = 1 + lookups + 2 * run.created + run.updated
    lower_bound = 1 + math.ceil(lookups / 50) + math.ceil(2 * run.created / 50) + math.ceil(run.updated / 50)
    bucket_bound = max(0.0, (calls - args.bucket) / args.drain)
    print(
        f"counterparty sync 1C → Bitrix24: {run.done} counterparties ({run.created} created, "
        f"{run.linked} linked, {run.errors} errors), bucket {args.bucket} / {args.drain} per s"
    )
    print(f"{'figure':44} {'measured':>10} {'bound':>10} {'ratio':>7} {'goal':>7}")
    ratio = calls / lower_bound
    print(f"{'REST calls (batch lower bound)':44} {calls:>10} {lower_bound:>10} {ratio:>7.2f} {'≤ 1.1':>7}")
    print(
        f"{'QUERY_LIMIT_EXCEEDED received':44} {stats['query_limit_exceeded']:>10} {'':>10} {'':>7} {'0':>7}"
    )
    print(
        f"{'wall time, s (leaky-bucket bound)':44} {wall:>10.1f} {bucket_bound:>10.1f} "
        f"{wall / bucket_bound if bucket_bound else 0:>7.2f} {'≤ 1.2':>7}"
    )
    print(f"{'commands sent in batches':44} {commands:>10}")
    print(f"{'commands the portal executed':44} {stats['calls']:>10}")


if __name__ == "__main__":
    main()
