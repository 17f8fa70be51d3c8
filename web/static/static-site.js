/* Every page of the static explorer (kg site): when the page was opened from a file://
 * URL, add the banner that says to serve the folder (browsers load neither WebAssembly nor
 * data files there), and point links at folders to their index.html, which a web server does
 * by itself and a file:// URL does not. The page's #kg-links JSON says where the root is.
 */
(function () {
  "use strict";

  if (location.protocol !== "file:") return;
  // Written here rather than in every page: the site is weighed file by file, gzipped.
  var banner = document.createElement("p");
  banner.className = "file-banner";
  banner.id = "file-banner";
  banner.setAttribute("role", "alert");
  banner.innerHTML =
    "This page was opened from a file (<code>file://</code>), and browsers load neither " +
    "WebAssembly nor data files there: search and SPARQL do not work this way. Serve the folder " +
    "over http instead: <code>kg site --out DIR --serve</code>, or any static server in the " +
    "folder (<code>python3 -m http.server</code>), then open the http:// address it prints.";
  var header = document.querySelector(".site-header");
  if (header) header.insertAdjacentElement("afterend", banner);
  else document.body.prepend(banner);
  document.body.dataset.fileUrl = "true";

  var EXTERNAL = /^([a-z][a-z0-9+.-]*:|\/\/|#)/i;

  function withIndex(url) {
    if (EXTERNAL.test(url)) return url;
    var cut = url.search(/[?#]/);
    var path = cut < 0 ? url : url.slice(0, cut);
    var rest = cut < 0 ? "" : url.slice(cut);
    var last = path.split("/").pop();
    if (path === "" || /\.[A-Za-z0-9]+$/.test(last)) return url;
    return path + (/\/$/.test(path) ? "" : "/") + "index.html" + rest;
  }

  document.querySelectorAll("a[href]").forEach(function (link) {
    link.setAttribute("href", withIndex(link.getAttribute("href")));
  });
  document.querySelectorAll("form[action]").forEach(function (form) {
    form.setAttribute("action", withIndex(form.getAttribute("action")));
  });
})();
