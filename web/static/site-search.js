/* The static explorer's search (kg site): names suggested as you type, and the results of
 * ?q=... listed on the home page, from the prebuilt index search-index.json, with no server.
 *
 * It ranks as the app's search does (kg.views.lookup.search): the whole name, its start, a
 * word's start, anywhere in it; then models before architectures, organisations and the rest;
 * then shorter labels. With no match it offers close spellings the way lookup.suggest does
 * (difflib's ratio, ported below). Names in the index come folded by the same Python
 * function the app uses; only what the user typed is folded here.
 */
(function () {
  "use strict";

  var input = document.querySelector("input[data-search-index]");
  if (!input) return;
  var links = JSON.parse(document.getElementById("kg-links").textContent);
  var list = document.getElementById(input.getAttribute("list"));
  var results = document.getElementById("search-results");
  var loading = null;
  var timer = null;

  function load() {
    loading =
      loading ||
      fetch(input.dataset.searchIndex).then(function (response) {
        if (!response.ok) throw new Error("search index: HTTP " + response.status);
        return response.json();
      });
    return loading;
  }

  /** kg.answers.normal_name: case folded, without spaces, hyphens or underscores. */
  function normal(text) {
    return text.toLowerCase().replace(/[\s_-]+/g, "");
  }

  function score(wanted, folded, words) {
    if (folded === wanted) return 0;
    if (folded.indexOf(wanted) === 0) return 1;
    if (words.some(function (word) { return word.indexOf(wanted) === 0; })) return 2;
    return folded.indexOf(wanted) >= 0 ? 3 : null;
  }

  function length(text) {
    return Array.from(text).length;
  }

  function compare(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  function hit(entry, matched) {
    return { label: entry[0], kind: entry[1], url: links.root + entry[2], matched: matched };
  }

  function search(index, text, limit) {
    var wanted = normal(text);
    if (!wanted) return [];
    var rank = function (kind) {
      var at = index.kinds.indexOf(kind);
      return at < 0 ? index.kinds.length : at;
    };
    var scored = [];
    index.entries.forEach(function (entry) {
      var best = null;
      entry[4].forEach(function (name) {
        var s = score(wanted, name[1], name[2]);
        if (s !== null && (best === null || s < best[0])) best = [s, name[0]];
      });
      if (normal(entry[3]) === wanted && (best === null || best[0] > 0)) best = [0, entry[3]];
      if (best) scored.push({ key: [best[0], rank(entry[1]), length(entry[0]), entry[0]], entry: entry, matched: best[1] });
    });
    scored.sort(function (a, b) {
      return compare(a.key, b.key);
    });
    return scored.slice(0, limit).map(function (item) {
      return hit(item.entry, item.matched);
    });
  }

  // ---- difflib.SequenceMatcher(None, a, b).ratio(), for strings this short (no junk) ------
  function longest(a, b, alo, ahi, blo, bhi, where) {
    var besti = alo, bestj = blo, bestsize = 0, j2len = {};
    for (var i = alo; i < ahi; i++) {
      var next = {};
      var js = where[a[i]] || [];
      for (var n = 0; n < js.length; n++) {
        var j = js[n];
        if (j < blo) continue;
        if (j >= bhi) break;
        var k = (next[j] = (j2len[j - 1] || 0) + 1);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
      j2len = next;
    }
    return [besti, bestj, bestsize];
  }

  function ratio(textA, textB) {
    var a = Array.from(textA), b = Array.from(textB);
    if (!a.length && !b.length) return 1;
    var where = {};
    b.forEach(function (ch, j) {
      (where[ch] = where[ch] || []).push(j);
    });
    var matches = 0, queue = [[0, a.length, 0, b.length]];
    while (queue.length) {
      var q = queue.pop();
      var m = longest(a, b, q[0], q[1], q[2], q[3], where);
      if (m[2]) {
        matches += m[2];
        if (q[0] < m[0] && q[2] < m[1]) queue.push([q[0], m[0], q[2], m[1]]);
        if (m[0] + m[2] < q[1] && m[1] + m[2] < q[3]) queue.push([m[0] + m[2], q[1], m[1] + m[2], q[3]]);
      }
    }
    return (2 * matches) / (a.length + b.length);
  }

  /** kg.views.lookup.suggest with no kind: close spellings of names and slugs. */
  function suggest(index, text, limit) {
    var wanted = normal(text);
    var scored = index.entries.map(function (entry) {
      var slug = normal(entry[3]);
      var best = ratio(wanted, slug);
      entry[4].forEach(function (name) {
        best = Math.max(best, ratio(wanted, name[1]));
      });
      if (wanted && (slug.indexOf(wanted) >= 0 || wanted.indexOf(slug) >= 0)) best = Math.max(best, 0.8);
      var at = index.kinds.indexOf(entry[1]);
      return { key: [-best, at < 0 ? index.kinds.length : at, entry[0]], best: best, entry: entry };
    });
    scored.sort(function (a, b) {
      return compare(a.key, b.key);
    });
    return scored
      .slice(0, limit)
      .filter(function (item) {
        return item.best >= 0.5;
      })
      .map(function (item) {
        return hit(item.entry, item.entry[0]);
      });
  }

  // ---- the page ----------------------------------------------------------------------------
  function element(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null) made.textContent = text;
    if (className) made.className = className;
    return made;
  }

  function hitList(hits, className) {
    var ul = element("ul", null, className);
    hits.forEach(function (found) {
      var li = element("li");
      var link = element("a", found.label);
      link.href = found.url;
      li.append(link, " ", element("span", found.kind, "kind kind-" + found.kind));
      if (found.matched !== found.label) li.append(" ", element("span", "also “" + found.matched + "”", "matched"));
      ul.appendChild(li);
    });
    return ul;
  }

  function showResults(index, text) {
    var hits = search(index, text, 50);
    results.replaceChildren();
    if (hits.length) {
      results.appendChild(element("h2", hits.length + " match" + (hits.length !== 1 ? "es" : "") + " for “" + text + "”"));
      results.appendChild(hitList(hits, "hits"));
    } else {
      results.appendChild(element("h2", "Nothing is named “" + text + "”"));
      var close = suggest(index, text, 5);
      if (close.length) {
        results.appendChild(element("p", "Did you mean:"));
        results.appendChild(hitList(close, "hits suggestions"));
      }
    }
    results.hidden = false;
    results.dataset.ready = "true";
    document.title = text + ": search · genvid-kg";
  }

  function suggestNames() {
    var text = input.value.trim();
    if (text.length < 2) return;
    load().then(function (index) {
      if (input.value.trim() !== text) return;
      var options = search(index, text, 12).map(function (found) {
        var option = document.createElement("option");
        option.value = found.label;
        option.label = found.kind;
        return option;
      });
      list.replaceChildren.apply(list, options);
    });
  }

  var asked = new URLSearchParams(location.search).get("q");
  if (asked && asked.trim()) {
    document.querySelectorAll("input[name=q]").forEach(function (box) {
      box.value = asked;
    });
    load().then(function (index) {
      showResults(index, asked);
    });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggestNames, 150);
  });
  window.siteSearch = { load: load, search: search, suggest: suggest, ratio: ratio, normal: normal };
})();
