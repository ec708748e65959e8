"""`python -m sandbox`: the app (web, worker, scheduler) on SQLite plus a sandbox Bitrix24 portal and 1C,
installed, set up and seeded with demo data. Prints the URL to open."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import threading

from cryptography.fernet import Fernet
from flask_migrate import upgrade

from b24app import create_app
from b24app.config import Settings
from b24app.jobs.scheduler import run_scheduler
from sandbox import demo_data
from sandbox.portal import seed_requests
from sandbox.stack import Ports, SandboxStack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("SANDBOX_APP_PORT", 5000)))
    parser.add_argument("--portal-port", type=int, default=int(os.environ.get("SANDBOX_PORTAL_PORT", 8080)))
    parser.add_argument("--oauth-port", type=int, default=int(os.environ.get("SANDBOX_OAUTH_PORT", 8081)))
    parser.add_argument("--onec-port", type=int, default=int(os.environ.get("SANDBOX_ONEC_PORT", 8082)))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    instance = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance")
    os.makedirs(instance, exist_ok=True)
    database = os.path.join(instance, "sandbox.sqlite")
    for suffix in ("", "-wal", "-shm"):  # the sandbox portal lives in memory: start the app afresh too
        if os.path.exists(database + suffix):
            os.remove(database + suffix)
    env = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "TOKEN_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "INFO",
    }
    app = create_app(settings=Settings.from_env(env))
    with app.app_context():
        upgrade()

    stack = SandboxStack(app, Ports(args.app_port, args.portal_port, args.oauth_port, args.onec_port)).start()
    stop = threading.Event()
    scheduler = threading.Thread(target=run_scheduler, args=(app, stop), name="scheduler", daemon=True)
    scheduler.start()
    stack.install()
    report = stack.setup()
    stack.connect_onec()
    stack.load_demo_kb()
    stack.seed_requests()
    seed_requests(stack.portal, stack.entity_type_id(), demo_data.CHAT_REQUESTS)
    stack.wait_idle(timeout=60)
    form_url = stack.web_form_url()

    print(
        "\n"
        "  Сервис-деск запущен в песочнице.\n"
        f"  Портал Битрикс24 (песочница): {stack.portal_url}/\n"
        f"  Смарт-процесс «Обращения клиентов»: entityTypeId {report.entity_type_id}\n"
        f"  1С (песочница):                {stack.onec_url}/sandbox1c/\n"
        f"  Почта клиентов (SMTP-ловушка): {stack.portal_url}/mailbox/\n"
        f"  Чаты клиентов (открытые линии): {stack.portal_url}/openlines/\n"
        f"  Веб-форма для сайта клиента:   {form_url}\n"
        f"  База знаний для клиентов:      {form_url.replace('/form/', '/help/')}\n"
        f"  Приложение:                    {stack.app_url}/health\n"
        "  Остановить: Ctrl+C\n",
        flush=True,
    )
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    stack.stop()


if __name__ == "__main__":
    main()
