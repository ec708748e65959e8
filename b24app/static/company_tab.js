// Company tab: open a request's card in Bitrix24 (BX24.openPath) from the list.
(function () {
  "use strict";
  document.querySelectorAll("[data-open-path]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (window.BX24 && BX24.openPath) { BX24.openPath(link.getAttribute("data-open-path")); }
    });
  });
})();
