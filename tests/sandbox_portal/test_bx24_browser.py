"""The BX24 shim in a real browser: a cross-origin install wizard talks to the portal page."""

from __future__ import annotations

import pytest
from flask import Flask, request

from sandbox.http import ServerThread
from sandbox.portal import AppRegistration

WIZARD = """<!doctype html><html><body><div id="out">loading</div>
<script src="http://%s/bx24.js"></script>
<script>
BX24.init(function () {
  var info = BX24.placement.info();
  BX24.callMethod("user.current", {}, function (result) {
    document.getElementById("out").textContent = info.placement + "|" + result.data().LAST_NAME;
    BX24.installFinish();
  });
});
</script></body></html>"""

pytestmark = pytest.mark.browser


def test_install_wizard_calls_rest_through_the_parent_and_finishes_install(sandbox, page):
    fake = Flask("wizard")

    @fake.post("/install")
    def install():
        return WIZARD % request.args["DOMAIN"]

    app_server = ServerThread(fake).start()
    sandbox.cloud.register_app(AppRegistration(f"{app_server.url}/app", f"{app_server.url}/install", ""))
    try:
        page.goto(f"{sandbox.url}/marketplace/install/")
        page.wait_for_selector("#install-status:has-text('установлено')", timeout=10_000)
        assert page.frame(name="app-install").inner_text("#out") == "DEFAULT|Смирнова"
        assert sandbox.portal.app.installed
    finally:
        app_server.stop()
