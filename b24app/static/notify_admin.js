// The «Уведомления» admin tab: preview and save client email templates, retry failed notifications.
(function () {
  "use strict";

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
            preview.textContent = "Тема: " + body.subject + "\n\n" + body.body;
            preview.hidden = false;
            show(form, "", true);
            window.sd.fit();
          })
          .catch(function (error) { preview.hidden = true; show(form, error.message, false); });
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        window.sd.api("/frame-api/admin/notify/templates/" + encodeURIComponent(event), {method: "POST", json: values(form)})
          .then(function () { show(form, "Сохранено", true); })
          .catch(function (error) { show(form, error.message, false); });
      });
    });
    pane.querySelectorAll("[data-retry]").forEach(function (button) {
      button.addEventListener("click", function () {
        var id = button.getAttribute("data-retry");
        button.disabled = true;
        window.sd.api("/frame-api/admin/notify/failed/" + id + "/retry", {method: "POST", json: {}})
          .then(function () { button.textContent = "В очереди"; })
          .catch(function (error) { button.disabled = false; button.textContent = error.message; });
      });
    });
  }

  document.addEventListener("sd:tab-loaded", function (event) {
    if (event.detail && event.detail.name === "notify") { bind(event.detail.pane); }
  });
})();
