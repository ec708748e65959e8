// The SLA countdown in the request tab: working time left to the nearest deadline, ticking only
// inside the working intervals the server sent (so it stands still at night and on weekends).
(function () {
  "use strict";
  var t = window.sd.t;
  var el = document.getElementById("sla-countdown");
  if (!el) { return; }
  var remaining0 = parseInt(el.getAttribute("data-remaining"), 10);
  var serverNow = parseInt(el.getAttribute("data-now"), 10);
  var warning = parseInt(el.getAttribute("data-warning"), 10);
  var spans = JSON.parse(el.getAttribute("data-spans") || "[]");
  var started = performance.now();  // the browser's clock may be wrong; only its elapsed time is used
  var value = el.querySelector(".sla-countdown-value");

  function workedSince(from, to) {
    var total = 0;
    for (var i = 0; i < spans.length; i++) {
      var start = Math.max(spans[i][0], from), end = Math.min(spans[i][1], to);
      if (end > start) { total += end - start; }
    }
    return total;
  }

  function format(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var hours = Math.floor(minutes / 60);
    var text = (hours ? hours + t(" ч ") : "") + (minutes % 60) + t(" мин");
    return (seconds >= 0 ? t("осталось %s") : t("просрочено на %s")).replace("%s", text);
  }

  function state(seconds) {
    if (seconds <= 0) { return "breached"; }
    return seconds <= warning ? "warning" : "on_track";
  }

  function render() {
    var now = serverNow + (performance.now() - started) / 1000;
    var left = remaining0 - workedSince(serverNow, now);
    value.textContent = format(left);
    el.className = "sla-countdown sla-" + state(left);
  }

  render();
  setInterval(render, 15000);
})();
