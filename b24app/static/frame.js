// Shared by every frame page: the frame token for JSON calls, BX24 init and resizing.
(function () {
  "use strict";
  var token = document.body.getAttribute("data-frame-token") || "";
  var catalog = {};
  try {
    catalog = JSON.parse((document.getElementById("sd-i18n") || {}).textContent || "{}");
  } catch (e) { catalog = {}; }

  // A UI message in the page's language: the Russian text is the key, as in the server's catalog.
  function t(message) {
    return Object.prototype.hasOwnProperty.call(catalog, message) ? catalog[message] : message;
  }

  function api(path, options) {
    options = options || {};
    var headers = Object.assign({"X-Frame-Token": token, "Accept": "application/json"}, options.headers || {});
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.json);
    }
    return fetch(path, {method: options.method || "GET", headers: headers, body: options.body})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var error = new Error(body.message || ("HTTP " + response.status));
            error.status = response.status;
            throw error;
          }
          return body;
        });
      });
  }

  function fit() {
    if (window.BX24 && BX24.fitWindow) { BX24.fitWindow(); }
  }

  // An HTML fragment from a frame-api endpoint (admin tabs); the server renders and escapes it.
  function html(path) {
    return fetch(path, {headers: {"X-Frame-Token": token, "Accept": "text/html"}}).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return text;
      });
    });
  }

  // Fit the frame again once stylesheets have loaded, when a <details> is unfolded and when the frame
  // is resized: a portal may load a tab hidden, where its height measures zero.
  var pending = null;
  function refit() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; fit(); }, 50);
  }
  if (document.readyState === "complete") { refit(); } else { window.addEventListener("load", refit); }
  window.addEventListener("resize", refit);
  document.addEventListener("toggle", refit, true);

  // Links to another card of the portal (data-open-path) open it in Bitrix24's slider.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-open-path]") : null;
    if (!link) { return; }
    event.preventDefault();
    if (window.BX24 && BX24.openPath) { BX24.openPath(link.getAttribute("data-open-path")); }
  });

  // A form's submit button stays disabled until the page's script has bound its handler: a click
  // while the script is still loading would send the form natively and leave the frame.
  function enable(root) {
    root.querySelectorAll("[data-needs-script]").forEach(function (button) { button.disabled = false; });
  }

  window.sd = {api: api, html: html, fit: fit, t: t, enable: enable};
  if (window.BX24) {
    BX24.init(function () {
      fit();
      if (document.body.getAttribute("data-install-finish") === "1") {
        BX24.installFinish();
        var state = document.getElementById("install-state");
        if (state) { state.textContent = t("Установка завершена."); }
      }
    });
  }
})();
