// The «База знаний» admin tab: article list and editor, import/export, gaps, reply templates.
(function () {
  "use strict";
  var t = window.sd.t;
  var FRAGMENT = "/frame-api/admin/kb";
  var API = "/frame-api/admin/kb";

  function $(pane, selector) { return pane.querySelector(selector); }

  function reload(pane, query) {
    var url = FRAGMENT + (query ? "?" + query : "");
    return window.sd.html(url).then(function (html) { pane.innerHTML = html; window.sd.fit(); });
  }

  function currentQuery(pane) {
    var form = $(pane, "#kb-filter");
    return form ? new URLSearchParams(new FormData(form)).toString() : "";
  }

  function say(element, text, ok) {
    element.textContent = text;
    element.className = "kb-problems " + (ok ? "ok" : "error");
  }

  function problemsText(error, body) {
    var lines = (body && body.problems) || [];
    return [error.message].concat(lines.map(function (p) { return typeof p === "string" ? p : p.field + ": " + p.message; })).join("\n");
  }

  // sd.api throws without the body; this keeps the error report of the server for the editor.
  function send(path, options) {
    var headers = {"X-Frame-Token": document.body.getAttribute("data-frame-token") || "", "Accept": "application/json"};
    var init = {method: options.method || "GET", headers: headers};
    if (options.json !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(options.json); }
    if (options.form) { init.body = options.form; }
    return fetch(path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { var error = new Error(body.message || ("HTTP " + response.status)); error.body = body; throw error; }
        return body;
      });
    });
  }

  function fillForm(form, values) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      var value = values[field.name];
      if (field.type === "checkbox") { field.checked = value === undefined ? true : Boolean(value); return; }
      field.value = Array.isArray(value) ? value.join(", ") : (value === undefined || value === null ? "" : value);
    });
  }

  function formData(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      if (field.type === "checkbox") { data[field.name] = field.checked; return; }
      data[field.name] = field.value;
    });
    data.id = data.id ? Number(data.id) : null;
    if (data.id === null) { delete data.id; }
    return data;
  }

  function openEditor(pane, values) {
    var section = $(pane, "#kb-editor-section");
    section.hidden = false;
    fillForm($(pane, "#kb-editor"), values);
    $(pane, "#kb-preview").innerHTML = "";
    $(pane, "#kb-editor-result").textContent = "";
    $(pane, "#kb-f-title").focus();
    window.sd.fit();
  }

  function bind(pane) {
    if (pane.getAttribute("data-kb-bound") === "1") { return; }
    pane.setAttribute("data-kb-bound", "1");

    pane.addEventListener("submit", function (event) {
      var form = event.target;
      // getAttribute: the editors have a field named "id", which shadows form.id.
      var which = form.getAttribute("id");
      event.preventDefault();
      if (which === "kb-filter") { reload(pane, currentQuery(pane)); return; }
      if (which === "kb-editor") {
        send(API + "/articles", {method: "POST", json: formData(form)})
          .then(function () { return reload(pane, currentQuery(pane)); })
          .catch(function (error) { say($(pane, "#kb-editor-result"), problemsText(error, error.body), false); });
        return;
      }
      if (which === "kb-template-editor") {
        var data = formData(form);
        send(API + "/templates", {method: "POST", json: data})
          .then(function () { return reload(pane, currentQuery(pane)); })
          .catch(function (error) { say($(pane, "#kb-template-result"), problemsText(error, error.body), false); });
        return;
      }
      if (which === "kb-import") {
        var result = $(pane, "#kb-import-result");
        send(API + "/import", {method: "POST", form: new FormData(form)})
          .then(function (answer) { return reload(pane, currentQuery(pane)).then(function () { say($(pane, "#kb-import-result"), answer.message, true); }); })
          .catch(function (error) { say(result, problemsText(error, error.body), false); });
      }
    });

    pane.addEventListener("click", function (event) {
      var button = event.target.closest("[data-kb]");
      if (!button) { return; }
      var action = button.getAttribute("data-kb");
      var row = button.closest("tr");
      var listResult = $(pane, "#kb-list-result");
      if (action === "new-article") { openEditor(pane, {kind: "faq", status: "draft", body_format: "markdown"}); }
      if (action === "close-editor") { $(pane, "#kb-editor-section").hidden = true; }
      if (action === "gap-article") {
        openEditor(pane, {title: row.querySelector(".kb-gap-query").textContent.trim(), kind: "faq", status: "draft", body_format: "markdown"});
      }
      if (action === "edit-article") {
        send(API + "/articles/" + row.getAttribute("data-article-id"), {})
          .then(function (answer) { openEditor(pane, answer.article); })
          .catch(function (error) { say(listResult, error.message, false); });
      }
      if (action === "preview") {
        var form = $(pane, "#kb-editor");
        send(API + "/preview", {method: "POST", json: {body: form.elements.body.value, body_format: form.elements.body_format.value}})
          .then(function (answer) { $(pane, "#kb-preview").innerHTML = answer.html; window.sd.fit(); })
          .catch(function (error) { say($(pane, "#kb-editor-result"), error.message, false); });
      }
      if (action === "status") {
        send(API + "/articles/" + row.getAttribute("data-article-id") + "/status", {method: "POST", json: {status: button.getAttribute("data-status")}})
          .then(function () { return reload(pane, currentQuery(pane)); })
          .catch(function (error) { say(listResult, problemsText(error, error.body), false); });
      }
      if (action === "delete-article" && window.confirm(t("Удалить статью?"))) {
        send(API + "/articles/" + row.getAttribute("data-article-id"), {method: "DELETE"})
          .then(function () { return reload(pane, currentQuery(pane)); })
          .catch(function (error) { say(listResult, error.message, false); });
      }
      if (action === "gap-dismiss") {
        send(API + "/gaps/" + row.getAttribute("data-gap-id"), {method: "DELETE"})
          .then(function () { return reload(pane, currentQuery(pane)); })
          .catch(function (error) { say(listResult, error.message, false); });
      }
      if (action === "new-template") { fillForm($(pane, "#kb-template-editor"), {active: true}); }
      if (action === "edit-template") {
        send(API + "/templates/" + row.getAttribute("data-template-id"), {})
          .then(function (answer) { fillForm($(pane, "#kb-template-editor"), answer.template); $(pane, "#kb-t-title").focus(); })
          .catch(function (error) { say($(pane, "#kb-template-result"), error.message, false); });
      }
      if (action === "delete-template" && window.confirm(t("Удалить шаблон?"))) {
        send(API + "/templates/" + row.getAttribute("data-template-id"), {method: "DELETE"})
          .then(function () { return reload(pane, currentQuery(pane)); })
          .catch(function (error) { say($(pane, "#kb-template-result"), error.message, false); });
      }
      if (action === "export") {
        var format = button.getAttribute("data-format");
        fetch(API + "/export?format=" + format, {headers: {"X-Frame-Token": document.body.getAttribute("data-frame-token") || ""}})
          .then(function (response) { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.blob(); })
          .then(function (blob) {
            var link = document.createElement("a");
            link.href = URL.createObjectURL(blob);
            link.download = format === "md" ? "kb.zip" : "kb.jsonl";
            document.body.appendChild(link);
            link.click();
            link.remove();
          })
          .catch(function (error) { say(listResult, error.message, false); });
      }
    });
  }

  document.addEventListener("sd:tab-loaded", function (event) {
    if (event.detail && event.detail.name === "kb") { bind(event.detail.pane); }
  });
})();
