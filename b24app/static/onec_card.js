// The 1C section of the request tab: the operator picks the counterparty among the candidates, sends
// the request again or asks 1C for its changes now.
(function () {
  "use strict";
  var t = window.sd.t;
  var card = document.getElementById("onec-card");
  if (!card) { return; }
  var id = card.getAttribute("data-request-id");
  card.querySelectorAll("[data-onec-choose]").forEach(function (button) {
    button.addEventListener("click", function () {
      var result = document.getElementById("onec-choice-result");
      var ref = button.getAttribute("data-onec-choose");
      window.sd.api("/frame-api/onec/requests/" + id + "/counterparty", {method: "POST", json: {ref: ref}})
        .then(function () {
          result.textContent = t("Выбор сохранён: заявка уходит в 1С.");
          result.className = "ok";
          card.querySelectorAll("[data-onec-choose]").forEach(function (b) { b.disabled = true; });
        })
        .catch(function (error) { result.textContent = error.message; result.className = "error"; });
    });
  });
  // Send again / ask 1C now: the result shows once the job ran, on the tab's next opening.
  var urls = {retry: "/frame-api/onec/requests/" + id + "/retry", refresh: "/frame-api/onec/refresh"};
  var done = {retry: t("Заявка снова в очереди на передачу в 1С."), refresh: t("Запросили изменения из 1С: статус обновится через несколько секунд.")};
  card.querySelectorAll("[data-onec-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = button.getAttribute("data-onec-action");
      var result = document.getElementById("onec-action-result");
      button.disabled = true;
      window.sd.api(urls[action], {method: "POST", json: {}})
        .then(function () { result.textContent = done[action]; result.className = "ok"; })
        .catch(function (error) { button.disabled = false; result.textContent = error.message; result.className = "error"; });
    });
  });
})();
