// Report page: reload the figures for the chosen filters; download them as CSV.
(function () {
  "use strict";
  var t = window.sd.t;
  var form = document.getElementById("report-filters");
  var error = document.getElementById("report-error");
  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) { params.append(key, value); } });
    return params.toString();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    window.sd.html("/frame-api/report?" + query()).then(function (fragment) {
      document.getElementById("report-body").innerHTML = fragment;
      window.sd.fit();
    }).catch(function (e) { error.textContent = t("Не удалось построить отчёт: ") + e.message; });
  });
  window.sd.enable(form);
  document.getElementById("report-csv").addEventListener("click", function () {
    var token = document.body.getAttribute("data-frame-token");
    fetch("/frame-api/report.csv?" + query(), {headers: {"X-Frame-Token": token}}).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.blob();
    }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "servicedesk-report.csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
    }).catch(function (e) { error.textContent = t("Не удалось скачать: ") + e.message; });
  });
})();
