// The «Уведомления» admin tab: preview and save client email templates, the survey reminder, retries.
(function () {
  "use strict";
  var t = window.sd.t;

  function values(form) {
    return {
      subject: form.querySelector("[name=subject]").value,
      body: form.querySelector("[name=body]").value,
      active: form.querySelector("[name=active]").checked
    };
  }

  function show(form, text, ok) {
    var result = form.querySelector(".result");
    result.textContent = text;
    result.className = "result " + (ok ? "ok" : "error");
  }

  function bind(pane) {
    pane.querySelectorAll("form.notify-template").forEach(function (form) {
      var event = form.getAttribute("data-event");
      form.querySelector("[data-action=preview]").addEventListener("click", function () {
        var preview = form.querySelector(".preview");
        window.sd.api("/frame-api/admin/notify/preview", {method: "POST", json: values(form)})
          .then(function (body) {
            preview.textContent = t("Тема: ") + body.subject + "\n\n" + body.body;
            preview.hidden = false;
            show(form, "", true);
            window.sd.fit();
          })
          .catch(function (error) { preview.hidden = true; show(form, error.message, false); });
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        window.sd.api("/frame-api/admin/notify/templates/" + encodeURIComponent(event), {method: "POST", json: values(form)})
          .then(function () { show(form, t("Сохранено"), true); })
          .catch(function (error) { show(form, error.message, false); });
      });
    });
    var reminder = pane.querySelector("#survey-reminder");
    if (reminder) {
      reminder.addEventListener("submit", function (e) {
        e.preventDefault();
        var days = reminder.querySelector("[name=days]").value;
        window.sd.api("/frame-api/admin/notify/survey-reminder", {method: "PUT", json: {days: days === "" ? null : Number(days)}})
          .then(function () { show(reminder, t("Сохранено"), true); })
          .catch(function (error) { show(reminder, error.message, false); });
      });
    }
    pane.querySelectorAll("[data-retry]").forEach(function (button) {
      button.addEventListener("click", function () {
        var id = button.getAttribute("data-retry");
        button.disabled = true;
        window.sd.api("/frame-api/admin/notify/failed/" + id + "/retry", {method: "POST", json: {}})
          .then(function () { button.textContent = t("В очереди"); })
          .catch(function (error) { button.disabled = false; button.textContent = error.message; });
      });
    });
  }

  document.addEventListener("sd:tab-loaded", function (event) {
    if (event.detail && event.detail.name === "notify") { bind(event.detail.pane); }
  });
})();
