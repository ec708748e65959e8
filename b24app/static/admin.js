// Admin page: tabs loaded as fragments, and the stage mapping.
(function () {
  "use strict";
  document.querySelectorAll("[data-admin-tab]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-admin-tab");
      document.querySelectorAll("[data-admin-tab]").forEach(function (b) { b.classList.toggle("active", b === button); });
      document.querySelectorAll("[data-admin-pane]").forEach(function (pane) {
        pane.hidden = pane.getAttribute("data-admin-pane") !== name;
      });
      var pane = document.querySelector("[data-admin-pane='" + name + "']");
      var url = button.getAttribute("data-fragment");
      if (url) {
        window.sd.html(url).then(function (fragment) {
          pane.innerHTML = fragment;
          document.dispatchEvent(new CustomEvent("sd:tab-loaded", {detail: {name: name, pane: pane}}));
          window.sd.fit();
        }).catch(function (error) { pane.textContent = "Не удалось загрузить: " + error.message; });
      }
    });
  });
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
