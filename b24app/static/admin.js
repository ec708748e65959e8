// Admin page: tabs loaded as fragments, the stage mapping and the web form switch.
(function () {
  "use strict";
  var t = window.sd.t;
  document.querySelectorAll("[data-admin-tab]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-admin-tab");
      document.querySelectorAll("[data-admin-tab]").forEach(function (b) { b.classList.toggle("active", b === button); });
      document.querySelectorAll("[data-admin-pane]").forEach(function (pane) {
        pane.hidden = pane.getAttribute("data-admin-pane") !== name;
      });
      var pane = document.querySelector("[data-admin-pane='" + name + "']");
      var url = button.getAttribute("data-fragment");
      if (url) {
        window.sd.html(url).then(function (fragment) {
          pane.innerHTML = fragment;
          document.dispatchEvent(new CustomEvent("sd:tab-loaded", {detail: {name: name, pane: pane}}));
          window.sd.fit();
        }).catch(function (error) { pane.textContent = t("Не удалось загрузить: ") + error.message; });
      }
    });
  });
  // The tabs stay disabled until they and the tabs' own scripts (loaded after this one) are bound:
  // a click while the scripts load would otherwise do nothing or leave a fragment unbound.
  function enableTabs() {
    document.querySelectorAll("nav.admin-tabs").forEach(function (nav) { window.sd.enable(nav); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", enableTabs); } else { enableTabs(); }
  // The web form's switch and the public knowledge base's: each saves on change.
  [["web-form-enabled", "enabled"], ["help-center-enabled", "help_enabled"]].forEach(function (pair) {
    var box = document.getElementById(pair[0]);
    if (!box) { return; }
    box.addEventListener("change", function () {
      var result = document.getElementById("web-form-result");
      var json = {};
      json[pair[1]] = box.checked;
      window.sd.api("/frame-api/admin/web-form", {method: "PUT", json: json})
        .then(function () { result.textContent = t("Сохранено"); result.className = "ok"; })
        .catch(function (error) { box.checked = !box.checked; result.textContent = error.message; result.className = "error"; });
    });
  });
  document.querySelectorAll("[data-retry-submission]").forEach(function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      window.sd.api("/frame-api/admin/web-form/submissions/" + button.getAttribute("data-retry-submission") + "/retry", {method: "POST", json: {}})
        .then(function () { button.textContent = t("В очереди"); })
        .catch(function (error) { button.disabled = false; button.textContent = error.message; });
    });
  });
  var requeue = document.getElementById("dead-jobs-requeue");
  if (requeue) {
    requeue.addEventListener("click", function () {
      var result = document.getElementById("dead-jobs-result");
      requeue.disabled = true;
      window.sd.api("/frame-api/admin/jobs/requeue", {method: "POST", json: {}})
        .then(function (body) { result.textContent = t("Повторяем заданий: ") + body.requeued; result.className = "ok"; })
        .catch(function (error) { requeue.disabled = false; result.textContent = error.message; result.className = "error"; });
    });
  }
  var autoclose = document.getElementById("autoclose");
  if (autoclose && autoclose.querySelector("button")) {
    autoclose.addEventListener("submit", function (event) {
      event.preventDefault();
      var result = document.getElementById("autoclose-result");
      var days = parseInt(autoclose.querySelector("[name=days]").value, 10);
      window.sd.api("/frame-api/admin/autoclose", {method: "PUT", json: {days: isNaN(days) ? null : days}})
        .then(function () { result.textContent = t("Сохранено"); result.className = "ok"; })
        .catch(function (error) { result.textContent = error.message; result.className = "error"; });
    });
    window.sd.enable(autoclose);
  }
  var form = document.getElementById("stage-map");
  if (!form || form.getAttribute("data-editable") !== "1") { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var mapping = {};
    form.querySelectorAll("select").forEach(function (select) { mapping[select.name] = select.value; });
    var result = document.getElementById("stage-map-result");
    window.sd.api("/frame-api/admin/stage-map", {method: "POST", json: {stage_map: mapping}})
      .then(function () { result.textContent = t("Сохранено"); result.className = "ok"; })
      .catch(function (error) { result.textContent = error.message; result.className = "error"; });
  });
  window.sd.enable(form);
})();
