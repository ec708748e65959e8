"""A sandbox 1C on a loopback port per test, and a client pointed at it."""

from dataclasses import dataclass

import pytest
import requests

from onec_client import OneCClient
from sandbox.http import ServerThread
from sandbox.onec import OneCSettings, create_onec_app


@dataclass
class RunningOneC:
    url: str
    base_url: str
    app: object

    def client(self, **kwargs) -> OneCClient:
        return OneCClient(self.base_url, "exchange", "exchange", **kwargs)

    def quirks(self, **values) -> dict:
        answer = requests.post(f"{self.url}/sandbox1c/api/quirks", json=values, timeout=5)
        answer.raise_for_status()
        return answer.json()

    def control(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}/sandbox1c/api/{path}", timeout=10, **kwargs)


@pytest.fixture(scope="module")
def onec_server():
    """One server per module (stopping one takes half a second); each test starts from a reset state."""
    app = create_onec_app(OneCSettings(push_retry_delays=(0.2, 0.4), push_timeout=2))
    server = ServerThread(app).start()
    try:
        yield RunningOneC(url=server.url, base_url=f"{server.url}/sd/hs/servicedesk/v1", app=app)
    finally:
        app.extensions["sandbox_onec"].close()
        server.stop()


@pytest.fixture
def onec(onec_server):
    onec_server.control("POST", "reset").raise_for_status()
    return onec_server


@pytest.fixture
def technolog(onec):
    """The demo counterparty that has a branch-less unmerged duplicate (same INN and KPP)."""
    return {"inn": "5024089920", "kpp": "502401001", "name": "ТЕХНО-ЛОГИСТИК ООО"}
