// Shared by every frame page: the frame token for JSON calls, BX24 init and resizing.
(function () {
  "use strict";
  var token = document.body.getAttribute("data-frame-token") || "";

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

  window.sd = {api: api, html: html, fit: fit};
  if (window.BX24) {
    BX24.init(function () {
      fit();
      if (document.body.getAttribute("data-install-finish") === "1") {
        BX24.installFinish();
        var state = document.getElementById("install-state");
        if (state) { state.textContent = "Установка завершена."; }
      }
    });
  }
})();
