// Admin page: save the stage mapping.
(function () {
  "use strict";
  var form = document.getElementById("stage-map");
  if (!form || form.getAttribute("data-editable") !== "1") { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var mapping = {};
    form.querySelectorAll("select").forEach(function (select) { mapping[select.name] = select.value; });
    var result = document.getElementById("stage-map-result");
    window.sd.api("/frame-api/admin/stage-map", {method: "POST", json: {stage_map: mapping}})
      .then(function () { result.textContent = "Сохранено"; result.className = "ok"; })
      .catch(function (error) { result.textContent = error.message; result.className = "error"; });
  });
})();
