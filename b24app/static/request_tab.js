// The request tab: while the request is not mirrored yet, poll and reload when it is.
(function () {
  "use strict";
  var t = window.sd.t;
  var body = document.body;
  if (body.getAttribute("data-poll") !== "1") { return; }
  var id = body.getAttribute("data-request-id");
  var tries = 0;
  function poll() {
    tries += 1;
    window.sd.api("/frame-api/requests/" + id).then(function (data) {
      if (data.request) { renderMirrored(data.request); } else if (tries < 30) { setTimeout(poll, 1000); }
    }).catch(function () { if (tries < 30) { setTimeout(poll, 2000); } });
  }
  function renderMirrored(req) {
    var loading = document.getElementById("loading");
    var main = loading.parentNode;
    main.innerHTML = "";
    var h1 = document.createElement("h1");
    h1.id = "req-title";
    h1.textContent = req.title;
    main.appendChild(h1);
    [[t("Клиент"), req.client], [t("Стадия"), req.stage_name], [t("Ответственный"), req.responsible]].forEach(function (pair) {
      var p = document.createElement("p");
      p.textContent = pair[0] + ": " + (pair[1] || "—");
      main.appendChild(p);
    });
    window.sd.fit();
  }
  setTimeout(poll, 500);
})();
