// The «Маршрутизация» admin tab: rules (order, add, edit, delete) and agents' cap and availability.
(function () {
  "use strict";
  var t = window.sd.t;
  var TAB_URL = "/frame-api/admin/routing";

  function reload(pane) {
    return window.sd.html(TAB_URL).then(function (fragment) {
      pane.innerHTML = fragment;
      bind(pane);
      window.sd.fit();
    });
  }

  function show(pane, text, ok) {
    var result = pane.querySelector("#routing-result");
    if (result) { result.textContent = text; result.className = ok ? "ok" : "error"; }
  }

  function formRule(form) {
    function checked(name) {
      return Array.prototype.map.call(form.querySelectorAll("input[name='" + name + "']:checked"), function (i) { return i.value; });
    }
    function list(name) {
      return form.elements[name].value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    }
    var users = Array.prototype.map.call(form.elements.user_ids.selectedOptions, function (o) { return Number(o.value); });
    return {
      name: form.elements.name.value,
      active: form.elements.active.checked,
      request_types: checked("request_types"),
      urgencies: checked("urgencies"),
      channels: checked("channels"),
      company_ids: list("company_ids"),
      keywords: list("keywords"),
      department_id: form.elements.department_id.value ? Number(form.elements.department_id.value) : null,
      user_ids: users,
      strategy: form.elements.strategy.value,
      fixed_user_id: form.elements.fixed_user_id.value ? Number(form.elements.fixed_user_id.value) : null,
      priority: form.elements.priority.value || null,
      sla_policy_code: form.elements.sla_policy_code.value || null
    };
  }

  function fillForm(form, rule) {
    form.reset();
    form.elements.id.value = rule ? rule.id : "";
    if (!rule) { form.elements.active.checked = true; return; }
    form.elements.name.value = rule.name;
    form.elements.active.checked = rule.active;
    ["request_types", "urgencies", "channels"].forEach(function (name) {
      form.querySelectorAll("input[name='" + name + "']").forEach(function (box) { box.checked = rule[name].indexOf(box.value) >= 0; });
    });
    form.elements.company_ids.value = rule.company_ids.join(", ");
    form.elements.keywords.value = rule.keywords.join(", ");
    form.elements.department_id.value = rule.department_id || "";
    Array.prototype.forEach.call(form.elements.user_ids.options, function (o) { o.selected = rule.user_ids.indexOf(Number(o.value)) >= 0; });
    form.elements.strategy.value = rule.strategy;
    form.elements.fixed_user_id.value = rule.fixed_user_id || "";
    form.elements.priority.value = rule.priority || "";
    form.elements.sla_policy_code.value = rule.sla_policy_code || "";
  }

  function bind(pane) {
    var root = pane.querySelector("#routing-admin");
    if (!root) { return; }
    var form = root.querySelector("#routing-rule-form");
    var add = root.querySelector("#routing-add");
    if (add) { add.addEventListener("click", function () { fillForm(form, null); form.hidden = false; window.sd.fit(); }); }
    var cancel = root.querySelector("#routing-cancel");
    if (cancel) { cancel.addEventListener("click", function () { form.hidden = true; }); }
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var id = form.elements.id.value;
        var errors = form.querySelector("#routing-form-errors");
        window.sd.api(id ? "/frame-api/routing/rules/" + id : "/frame-api/routing/rules", {method: id ? "PUT" : "POST", json: formRule(form)})
          .then(function () { return reload(pane); })
          .catch(function (error) { errors.textContent = error.message; });
      });
    }
    var rows = Array.prototype.slice.call(root.querySelectorAll("tr[data-rule-id]"));
    var ids = rows.map(function (row) { return Number(row.getAttribute("data-rule-id")); });
    rows.forEach(function (row, index) {
      row.querySelectorAll("[data-rule-action]").forEach(function (button) {
        button.addEventListener("click", function () {
          var action = button.getAttribute("data-rule-action");
          var id = ids[index];
          if (action === "edit") {
            fillForm(form, JSON.parse(row.getAttribute("data-rule")));
            form.hidden = false;
            window.sd.fit();
            return;
          }
          var call;
          if (action === "delete") {
            if (!window.confirm(t("Удалить правило?"))) { return; }
            call = window.sd.api("/frame-api/routing/rules/" + id, {method: "DELETE"});
          } else {
            var order = ids.slice();
            var other = action === "up" ? index - 1 : index + 1;
            if (other < 0 || other >= order.length) { return; }
            order[index] = order[other];
            order[other] = id;
            call = window.sd.api("/frame-api/routing/rules/order", {method: "POST", json: {ids: order}});
          }
          call.then(function () { return reload(pane); }).catch(function (error) { show(pane, error.message, false); });
        });
      });
    });
    root.querySelectorAll("[data-agent-field]").forEach(function (input) {
      input.addEventListener("change", function () {
        var userId = input.closest("tr").getAttribute("data-user-id");
        var field = input.getAttribute("data-agent-field");
        var body = {};
        body[field] = field === "cap" ? Number(input.value) : input.checked;
        window.sd.api("/frame-api/routing/agents/" + userId, {method: "PATCH", json: body})
          .then(function () { show(pane, t("Сохранено"), true); })
          .catch(function (error) { show(pane, error.message, false); });
      });
    });
    var seed = root.querySelector("#routing-seed");
    if (seed) {
      seed.addEventListener("click", function () {
        window.sd.api("/frame-api/routing/rules/defaults", {method: "POST"}).then(function () { return reload(pane); })
          .catch(function (error) { show(pane, error.message, false); });
      });
    }
    var sync = root.querySelector("#routing-sync");
    if (sync) {
      sync.addEventListener("click", function () {
        window.sd.api("/frame-api/routing/agents/sync", {method: "POST"})
          .then(function () { show(pane, t("Обновление запущено: откройте вкладку снова через минуту"), true); })
          .catch(function (error) { show(pane, error.message, false); });
      });
    }
  }

  document.addEventListener("sd:tab-loaded", function (event) {
    if (event.detail && event.detail.name === "routing") { bind(event.detail.pane); }
  });
})();
