// The «1С» admin tab: save and check the connection, issue the push token, requeue, browse the log.
(function () {
  "use strict";
  var t = window.sd.t;
  function say(id, text, ok) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; el.className = ok ? "ok" : "error"; }
  }
  function loadLog(page) {
    var form = document.getElementById("onec-log-filters");
    var params = new URLSearchParams(new FormData(form));
    params.set("page", page || 1);
    var target = document.getElementById("onec-log");
    window.sd.html("/frame-api/admin/onec/log?" + params.toString()).then(function (fragment) {
      target.innerHTML = fragment;
      target.querySelectorAll("[data-onec-log-page]").forEach(function (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          loadLog(link.getAttribute("data-onec-log-page"));
        });
      });
      window.sd.fit();
    }).catch(function (error) { target.textContent = t("Не удалось загрузить журнал: ") + error.message; });
  }
  function bind(pane) {
    var form = pane.querySelector("#onec-connection");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = Object.fromEntries(new FormData(form));
      window.sd.api("/frame-api/admin/onec/connection", {method: "POST", json: data})
        .then(function (body) { say("onec-connection-result", body.message, true); })
        .catch(function (error) { say("onec-connection-result", error.message, false); });
    });
    pane.querySelector("#onec-check").addEventListener("click", function () {
      say("onec-connection-result", t("Проверяем…"), true);
      window.sd.api("/frame-api/admin/onec/check", {method: "POST", json: {}})
        .then(function (body) { say("onec-connection-result", body.message, body.ok); })
        .catch(function (error) { say("onec-connection-result", error.message, false); });
    });
    pane.querySelector("#onec-token").addEventListener("click", function () {
      var signed = pane.querySelector("#onec-token-hmac").checked;
      window.sd.api("/frame-api/admin/onec/token", {method: "POST", json: {hmac: signed}})
        .then(function (body) {
          var text = body.message + ": " + body.token;
          if (body.hmac_secret) { text += "; " + t("секрет подписи: ") + body.hmac_secret; }
          say("onec-token-result", text, true);
        })
        .catch(function (error) { say("onec-token-result", error.message, false); });
    });
    pane.querySelector("#onec-sync").addEventListener("click", function () {
      window.sd.api("/frame-api/admin/onec/sync", {method: "POST", json: {}})
        .then(function (body) { say("onec-sync-result", body.message, true); })
        .catch(function (error) { say("onec-sync-result", error.message, false); });
    });
    var requeue = pane.querySelector("#onec-requeue");
    if (requeue) {
      requeue.addEventListener("click", function () {
        window.sd.api("/frame-api/admin/onec/requeue", {method: "POST", json: {}})
          .then(function (body) { say("onec-requeue-result", t("Повторяем заданий: ") + body.requeued, true); })
          .catch(function (error) { say("onec-requeue-result", error.message, false); });
      });
    }
    pane.querySelector("#onec-log-filters").addEventListener("submit", function (event) {
      event.preventDefault();
      loadLog(1);
    });
    loadLog(1);
  }
  document.addEventListener("sd:tab-loaded", function (event) {
    if (event.detail && event.detail.name === "onec") { bind(event.detail.pane); }
  });
})();
