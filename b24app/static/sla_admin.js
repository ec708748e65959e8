// The admin tab «SLA и календарь»: saves policies, weekly hours and date overrides through frame-api.
(function () {
  "use strict";
  var t = window.sd.t;

  function intervals(text) {
    return text.split(",").map(function (part) { return part.trim(); }).filter(Boolean)
      .map(function (part) { return part.split("-").map(function (t) { return t.trim(); }); });
  }

  function show(target, promise, reload) {
    target.textContent = "…";
    target.className = "result";
    return promise.then(function () {
      target.textContent = t("Сохранено");
      target.className = "result ok";
      if (reload) { document.querySelector("[data-admin-tab='sla']").click(); }
    }).catch(function (error) {
      target.textContent = error.message;
      target.className = "result error";
    });
  }

  function selected(select) {
    return Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
  }

  function number(row, name) {
    var value = row.querySelector("[name='" + name + "']").value;
    return value === "" ? null : Number(value);
  }

  function policyOf(row) {
    var code = row.querySelector("[name='code']");
    return {
      code: code ? code.value.trim() : row.getAttribute("data-code"),
      name: row.querySelector("[name='name']").value,
      position: number(row, "position"),
      request_types: selected(row.querySelector("[name='request_types']")),
      priorities: selected(row.querySelector("[name='priorities']")),
      first_response: number(row, "first_response"),
      next_response: number(row, "next_response"),
      resolution: number(row, "resolution"),
      business_hours: row.querySelector("[name='business_hours']").value === "1",
      warning_share: number(row, "warning_share"),
      second_level_share: number(row, "second_level_share"),
      notify_in_working_hours_only: row.querySelector("[name='notify_in_working_hours_only']").checked,
      service_manager_user_id: row.querySelector("[name='service_manager_user_id']").value || null,
      active: row.querySelector("[name='active']").checked
    };
  }

  function bind(pane) {
    pane.querySelectorAll("[data-save-policy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var row = button.closest("tr");
        show(row.querySelector(".result"), window.sd.api("/frame-api/sla/policies/" + row.getAttribute("data-policy-id"),
          {method: "PUT", json: policyOf(row)}));
      });
    });
    var added = pane.querySelector("[data-add-policy]");
    if (added) {
      added.addEventListener("click", function () {
        var row = added.closest("tr");
        show(row.querySelector(".result"), window.sd.api("/frame-api/sla/policies", {method: "POST", json: policyOf(row)}), true);
      });
    }
    var weekly = pane.querySelector("#sla-weekly");
    weekly.addEventListener("submit", function (event) {
      event.preventDefault();
      var days = {};
      weekly.querySelectorAll("input[type=text]").forEach(function (input) { days[input.name] = intervals(input.value); });
      show(weekly.querySelector(".result"), window.sd.api("/frame-api/sla/calendar/weekly",
        {method: "PUT", json: {weekly: days}}));
    });
    var override = pane.querySelector("#sla-override");
    override.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {day: override.day.value, kind: override.kind.value, intervals: intervals(override.intervals.value)};
      show(override.querySelector(".result"), window.sd.api("/frame-api/sla/calendar/overrides",
        {method: "POST", json: body}), true);
    });
    pane.querySelectorAll("[data-remove-override]").forEach(function (button) {
      button.addEventListener("click", function () {
        var row = button.closest("tr");
        window.sd.api("/frame-api/sla/calendar/overrides/" + row.getAttribute("data-day"), {method: "DELETE"})
          .then(function () { row.remove(); })
          .catch(function (error) { button.textContent = error.message; });
      });
    });
  }

  document.addEventListener("sd:tab-loaded", function (event) {
    if (event.detail.name === "sla") { bind(event.detail.pane); }
  });
})();
