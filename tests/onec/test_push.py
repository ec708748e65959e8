"""Pushes from the sandbox 1C to the app's events endpoint, as a scheduled job in 1C sends them."""

import hashlib
import hmac
import json
import threading
import time
import uuid

import pytest
from flask import Flask, request

from sandbox.http import ServerThread

BOM = b"\xef\xbb\xbf"


class Receiver:
    """A stand-in for the app's `POST /api/1c/v1/events`; answers the queued statuses, then 202."""

    def __init__(self):
        self.received = []
        self.answers = []
        self.arrived = threading.Event()
        self.app = Flask(__name__)
        self.app.add_url_rule("/api/1c/v1/events", "events", self.events, methods=["POST"])

    def events(self):
        self.received.append({"headers": dict(request.headers), "body": request.get_data()})
        status = self.answers.pop(0) if self.answers else 202
        if status == 202:
            self.arrived.set()
        items = json.loads(request.get_data()[len(BOM) :])["items"]
        return {"accepted": [item["seq"] for item in items]}, status


@pytest.fixture(scope="module")
def receiver_server():
    receiver = Receiver()
    server = ServerThread(receiver.app).start()
    receiver.url = f"{server.url}/api/1c/v1/events"
    yield receiver
    server.stop()


@pytest.fixture
def receiver(receiver_server):
    receiver_server.received.clear()
    receiver_server.answers.clear()
    receiver_server.arrived.clear()
    return receiver_server


def wait_for_log(onec, condition):
    deadline = time.monotonic() + 5
    while True:
        log = onec.control("GET", "push-log").json()["log"]
        if condition(log):
            return log
        assert time.monotonic() < deadline, log
        time.sleep(0.05)


def person_changes_status(onec, status="in_progress"):
    client = onec.client(tz="Europe/Moscow")
    counterparty = client.find_counterparties("1634567899")[0]
    created = client.create_request(
        {"counterparty_ref": counterparty.ref, "subject": "Перегрев"}, str(uuid.uuid4())
    )
    onec.control("POST", f"requests/{created.ref}/status", json={"status": status}).raise_for_status()
    return created


def test_a_status_change_in_1c_is_pushed_with_bom_bearer_and_signature(onec, receiver):
    onec.control("POST", "push-config", json={"url": receiver.url, "token": "t0ken", "hmac_secret": "s3cret"})
    created = person_changes_status(onec)
    assert receiver.arrived.wait(5)
    time.sleep(0.2)  # the item registered by the status change may come in a second push
    bodies = [r["body"] for r in receiver.received]
    headers = receiver.received[0]["headers"]
    assert all(body.startswith(BOM) for body in bodies)
    assert headers["User-Agent"] == "1C+Enterprise/8.3"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Bearer t0ken"
    expected = hmac.new(b"s3cret", bodies[0], hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == f"sha256={expected}"
    items = [item for body in bodies for item in json.loads(body[len(BOM) :])["items"]]
    changed = [item for item in items if item["type"] == "request.status_changed"]
    assert changed and changed[0]["ref"] == created.ref and changed[0]["status"] == "in_progress"


def test_without_a_secret_there_is_no_signature(onec, receiver):
    onec.control("POST", "push-config", json={"url": receiver.url, "token": "t0ken", "hmac_secret": None})
    person_changes_status(onec)
    assert receiver.arrived.wait(5)
    assert "X-Signature" not in receiver.received[0]["headers"]


def test_a_failed_push_is_retried_with_backoff(onec, receiver):
    receiver.answers.extend([503])
    onec.control("POST", "push-config", json={"url": receiver.url, "token": "t0ken"})
    person_changes_status(onec)
    log = wait_for_log(onec, lambda log: any(entry["ok"] for entry in log))
    assert [entry["ok"] for entry in log][:2] == [False, True]
    assert log[1]["attempt"] == 2


def test_after_the_last_retry_the_push_gives_up_and_push_now_flushes(onec, receiver):
    receiver.answers.extend([503, 503, 503])
    onec.control("POST", "push-config", json={"url": receiver.url, "token": "t0ken"})
    created = person_changes_status(onec)
    wait_for_log(onec, lambda log: any(entry.get("gave_up") for entry in log))
    assert not receiver.arrived.is_set()
    entry = onec.control("POST", "push-now").json()
    assert entry["ok"] and receiver.arrived.is_set()
    pushed = json.loads(receiver.received[-1]["body"][len(BOM) :])["items"]
    assert created.ref in {item["ref"] for item in pushed}
