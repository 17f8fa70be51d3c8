/* The home page's search box: names suggested as you type, from /api/search (this server).
 * Without JavaScript the form still works: it asks / for a results page. */
(function () {
  "use strict";

  var input = document.querySelector("input[data-search-api]");
  if (!input) return;
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var asked = "";

  function suggest() {
    var text = input.value.trim();
    if (text.length < 2 || text === asked) return;
    asked = text;
    var api = input.dataset.searchApi; // with ?sources=report on a filtered page
    var url = api + (api.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams({ q: text, limit: "12" });
    fetch(url, { headers: { accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (answer) {
        if (answer.query !== input.value.trim()) return;
        var fragment = document.createDocumentFragment();
        answer.results.forEach(function (hit) {
          var option = document.createElement("option");
          option.value = hit.label;
          option.label = hit.kind;
          fragment.appendChild(option);
        });
        list.replaceChildren(fragment);
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
})();
