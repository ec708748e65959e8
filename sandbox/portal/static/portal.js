/* Portal page side of the BX24 protocol: answers frames (auth, resize, REST calls, installFinish). */
(function () {
  "use strict";

  function frameOf(win) {
    var frames = document.querySelectorAll("iframe[data-frame]");
    for (var i = 0; i < frames.length; i++) if (frames[i].contentWindow === win) return frames[i];
    return null;
  }

  function rest(info, method, params) {
    var body = JSON.stringify(Object.assign({}, params, { auth: info.auth }));
    return fetch("/rest/" + method + ".json", { method: "POST", headers: { "Content-Type": "application/json" }, body: body })
      .then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
  }

  function renewToken(iframe, info) {
    return fetch("/ui/frame-token", { method: "POST" }).then(function (r) { return r.json(); }).then(function (t) {
      info.auth = t.access_token;
      info.refresh = t.refresh_token;
      iframe.dataset.frame = JSON.stringify(info);
    });
  }

  window.addEventListener("message", function (event) {
    var msg = event.data;
    if (!msg || msg.source !== "bx24") return;
    var iframe = frameOf(event.source);
    if (!iframe) return;
    var info = JSON.parse(iframe.dataset.frame);
    function reply(result) { event.source.postMessage({ source: "bx24-parent", id: msg.id, result: result }, "*"); }

    if (msg.cmd === "init") {
      reply({
        auth: { access_token: info.auth, refresh_token: info.refresh, expires_in: info.expires_in,
                domain: location.host, member_id: info.member_id },
        placement: info.placement, options: info.options, isAdmin: info.is_admin
      });
    } else if (msg.cmd === "resize") {
      var h = msg.args.height, w = msg.args.width;
      iframe.style.height = (typeof h === "number" ? h + "px" : h);
      if (w) iframe.style.width = (typeof w === "number" ? w + "px" : w);
      reply(true);
    } else if (msg.cmd === "callMethod") {
      rest(info, msg.args.method, msg.args.params).then(function (res) {
        if (res.body && res.body.error === "expired_token") {
          return renewToken(iframe, info).then(function () { return rest(info, msg.args.method, msg.args.params); });
        }
        return res;
      }).then(reply).catch(function (err) {
        reply({ status: 0, body: { error: "NETWORK_ERROR", error_description: String(err) } });
      });
    } else if (msg.cmd === "installFinish") {
      fetch("/ui/install-finish", { method: "POST" }).then(function () {
        var note = document.getElementById("install-status");
        if (note) note.textContent = "Приложение установлено.";
        reply(true);
      });
    } else if (msg.cmd === "openPath") {
      reply(true);
      window.location.href = msg.args.path;
    } else if (msg.cmd === "reload") {
      reply(true);
      document.getElementById(iframe.dataset.form).submit();
    }
  });

  document.querySelectorAll("[data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function () {
      document.querySelectorAll("[data-tab]").forEach(function (t) { t.classList.remove("active"); });
      document.querySelectorAll("[data-pane]").forEach(function (p) { p.hidden = p.dataset.pane !== tab.dataset.tab; });
      tab.classList.add("active");
    });
  });

  // A slider: the frame is posted when it is first opened, as Bitrix24 opens a slider on click.
  document.querySelectorAll("[data-slider]").forEach(function (button) {
    button.addEventListener("click", function () {
      var pane = document.querySelector("[data-slider-pane='" + button.dataset.slider + "']");
      pane.hidden = false;
      if (!pane.dataset.opened) {
        pane.dataset.opened = "1";
        document.getElementById("form-" + button.dataset.slider).submit();
      }
    });
  });
  document.querySelectorAll("[data-slider-close]").forEach(function (button) {
    button.addEventListener("click", function () { button.closest(".slider").hidden = true; });
  });

  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
})();
