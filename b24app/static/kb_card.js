// Knowledge-base section of the request tab: insert an article or a template, say whether it helped.
(function () {
  "use strict";
  var root = document.getElementById("kb-card");
  if (!root) { return; }
  var base = "/frame-api/kb/requests/" + root.getAttribute("data-request-id");

  function show(status, text, ok) {
    status.textContent = text;
    status.className = "kb-status " + (ok ? "ok" : "error");
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-action]");
    if (!button) { return; }
    var item = button.closest("[data-kb-item]");
    var status = item.querySelector(".kb-status");
    var action = button.getAttribute("data-kb-action");
    var path = base + "/insert";
    var body;
    if (action === "insert-article") {
      body = {article_id: Number(item.getAttribute("data-article-id")), mode: item.querySelector(".kb-mode").value};
    } else if (action === "insert-template") {
      body = {template_id: Number(item.getAttribute("data-template-id")), text: item.querySelector("textarea").value};
    } else {
      path = base + "/feedback";
      body = {article_id: Number(item.getAttribute("data-article-id")), helped: action === "helped"};
    }
    button.disabled = true;
    window.sd.api(path, {method: "POST", json: body})
      .then(function (answer) { show(status, answer.message, true); })
      .catch(function (error) { show(status, error.message, false); })
      .then(function () { button.disabled = false; window.sd.fit(); });
  });
})();
