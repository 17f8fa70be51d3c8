/* The static explorer's query backend: the query page (query.js) asks window.KgQueryBackend
 * instead of a server's /sparql. Queries run in sparql-worker.js over the whole graph, loaded
 * once from the site's gzip TriG dump, with its progress shown above the editor. Answers
 * come back as fetch Responses shaped like /sparql's (status, content type, body), so
 * query.js reads them the same way; downloads are files made in the browser (blob: URLs).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var data = null;
  var links = null;
  // [label, media type, file extension, format name] as the app's downloads name them.
  var DOWNLOADS = [
    ["JSON", "application/sparql-results+json", "srj", "json"],
    ["CSV", "text/csv", "csv", "csv"],
    ["TSV", "text/tab-separated-values", "tsv", "tsv"],
  ];
  var GRAPH_DOWNLOADS = [["N-Triples", "application/n-triples", "nt", "nt"]];
  var PHASES = { download: "Downloading the graph", parse: "Loading the graph" };
  var worker = null;
  var waiting = {};
  var nextId = 1;
  var blobs = [];
  var labels = null;
  var box = document.createElement("div");
  var bar = document.createElement("progress");
  var text = document.createElement("span");

  box.className = "engine-status";
  box.id = "engine-status";
  box.setAttribute("role", "status");
  box.append(bar, text);

  function show(message, done, total) {
    text.textContent = message;
    if (total) {
      bar.max = total;
      bar.value = done;
    } else if (done === undefined) {
      bar.removeAttribute("value");
    }
  }

  function call(message) {
    return new Promise(function (resolve, reject) {
      message.id = nextId++;
      waiting[message.id] = { resolve: resolve, reject: reject };
      worker.postMessage(message);
    });
  }

  function onMessage(event) {
    var message = event.data;
    if (message.type === "progress") {
      var percent = message.total ? Math.round((100 * message.done) / message.total) + " %" : "";
      show(PHASES[message.phase] + "… " + percent, message.done, message.total);
      return;
    }
    var pending = waiting[message.id];
    delete waiting[message.id];
    if (pending) pending.resolve(message);
  }

  /** The worker, started as soon as this script runs (from the page's <head>) and asked for
   * the graph named on this script's tag: its thread, engine and the dump's download start up
   * while the rest of the page is parsed. */
  function startWorker() {
    var started = new Worker(new URL("sparql-worker.js", script.src), { type: "module" });
    started.onmessage = onMessage;
    started.onerror = function (event) {
      event.preventDefault();
      Object.keys(waiting).forEach(function (id) {
        waiting[id].resolve({ ok: false, status: 500, message: "the query engine failed to start: " + (event.message || "unknown error") });
        delete waiting[id];
      });
    };
    return started;
  }

  function load() {
    if (location.protocol === "file:") return null;
    worker = startWorker();
    show("Starting the query engine…");
    return call({ type: "load", url: new URL(script.dataset.dump, location.href).href, format: script.dataset.format });
  }

  /** Once the page is parsed: the status line above the editor, the prefixes its queries may
   * use, then the graph's load as it ends. */
  function start(loading) {
    data = JSON.parse(document.getElementById("query-data").textContent);
    links = JSON.parse(document.getElementById("kg-links").textContent);
    var form = document.getElementById("query-form");
    form.parentNode.insertBefore(box, form);
    if (!loading) {
      box.dataset.state = "unavailable";
      show("SPARQL runs on WebAssembly, which browsers do not load from file:// pages: serve this folder (kg site --serve) and open its http:// address.", 0, 1);
      return Promise.reject(new Error("The query engine needs the site to be served over http (kg site --out DIR --serve, or any static server); browsers do not load WebAssembly from file:// pages."));
    }
    worker.postMessage({ type: "prefixes", prefixes: data.prefixes });
    return loading.then(function (answer) {
      if (!answer.ok) {
        box.dataset.state = "failed";
        show(answer.message, 0, 1);
        throw new Error(answer.message);
      }
      // From navigation start: what a visitor waits, the worker's start included.
      answer.pageMs = performance.now();
      backend.stats = answer;
      box.dataset.state = "ready";
      show(answer.quads.toLocaleString("en") + " statements loaded in " + (answer.totalMs / 1000).toFixed(2) + " s: queries run in your browser.", 1, 1);
      return answer;
    });
  }

  function ask(query, format) {
    return backend.ready.then(function () {
      return call({ type: "query", query: query, format: format });
    });
  }

  var backend = {
    stats: null,
    /** Run a query; resolves with a Response as /sparql would send it. */
    fetch: function (query) {
      return ask(query).then(
        function (answer) {
          if (!answer.ok) return new Response(answer.message, { status: answer.status, headers: { "content-type": "text/plain" } });
          return new Response(answer.body, { status: 200, headers: { "content-type": answer.media } });
        },
        function (error) {
          return new Response(error.message, { status: 503, headers: { "content-type": "text/plain" } });
        }
      );
    },
    /** Time one query in the worker (the benchmark reads this). */
    time: function (query) {
      return ask(query).then(function (answer) {
        if (!answer.ok) throw new Error(answer.message);
        return { ms: answer.ms, bytes: answer.body.length };
      });
    },
    /** Download links for the last answer: [label, blob URL, file name, format name]. */
    downloads: function (query, kind) {
      blobs.forEach(URL.revokeObjectURL);
      blobs = [];
      var formats = kind === "graph" ? GRAPH_DOWNLOADS : DOWNLOADS;
      return Promise.all(
        formats.map(function (entry) {
          return ask(query, kind === "graph" ? undefined : entry[1]).then(function (answer) {
            if (!answer.ok) return null;
            var url = URL.createObjectURL(new Blob([answer.body], { type: answer.media }));
            blobs.push(url);
            return [entry[0], url, "results." + entry[2], entry[3]];
          });
        })
      ).then(function (made) {
        return made.filter(Boolean);
      });
    },
    /** Labels, kinds and pages of entity IRIs, from the site's search index (as /api/labels). */
    labels: function (iris) {
      labels =
        labels ||
        fetch(links.root + links.searchIndex)
          .then(function (response) {
            return response.json();
          })
          .then(function (index) {
            var byIri = {};
            index.entries.forEach(function (entry) {
              byIri[entry[5]] = { label: entry[0], kind: entry[1], url: links.root + entry[2] };
            });
            return byIri;
          });
      return labels.then(function (byIri) {
        var found = {};
        iris.forEach(function (iri) {
          if (byIri[iri]) found[iri] = byIri[iri];
        });
        return found;
      });
    },
  };
  var loading = load();
  backend.ready = new Promise(function (resolve) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve);
    else resolve();
  }).then(function () {
    return start(loading);
  });
  backend.ready.catch(function () {});
  window.KgQueryBackend = backend;
})();
