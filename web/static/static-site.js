/* Every page of the static explorer (kg site): when the page was opened from a file://
 * URL, show the banner that says to serve the folder (browsers load neither WebAssembly nor
 * data files there), and point links at folders to their index.html, which a web server does
 * by itself and a file:// URL does not. The page's #kg-links JSON says where the root is.
 */
(function () {
  "use strict";

  if (location.protocol !== "file:") return;
  var banner = document.getElementById("file-banner");
  if (banner) banner.hidden = false;
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
