// The 1C section of the request tab: the operator picks the counterparty among the candidates.
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
})();
