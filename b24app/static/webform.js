// The public web form: while the client types the subject, offer published articles that may answer it.
(function () {
  "use strict";
  var form = document.getElementById("web-form");
  if (!form) { return; }
  var url = form.getAttribute("data-suggest-url");
  var subject = document.getElementById("f-subject");
  var box = document.getElementById("suggestions");
  var list = box.querySelector("ul");
  var timer = null, asked = "";

  function show(articles) {
    list.textContent = "";
    articles.forEach(function (a) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = a.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = a.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = articles.length === 0;
  }

  function ask() {
    var q = subject.value.trim();
    if (q === asked) { return; }
    asked = q;
    if (q.length < 4) { show([]); return; }
    fetch(url + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {articles: []}; })
      .then(function (body) { if (asked === q) { show(body.articles || []); } })
      .catch(function () { show([]); });
  }

  subject.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  ask();
})();
