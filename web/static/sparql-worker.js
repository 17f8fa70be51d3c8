/* The static explorer's SPARQL engine: Oxigraph compiled to WebAssembly, in a Web Worker so
 * the page never freezes while the graph loads or a query runs.
 *
 * Messages in:  {id, type: "load", url, format}   fetch the gzip dump (format: its media type)
 *                                                 and load it
 *               {type: "prefixes", prefixes}      the prefixes every query may use undeclared
 *               {id, type: "query", query, format}   run a query (format: a results media type)
 * Messages out: {type: "progress", phase, done, total} while loading
 *               {id, ok: true, ...} or {id, ok: false, status, message}
 * Answers are serialized by Oxigraph itself (SPARQL JSON, CSV...; N-Triples for graphs), the
 * same code that serializes `kg query --format json`. Loaded as a module worker; the engine's
 * files sit beside it in vendor/oxigraph/, so nothing comes from outside the site.
 */
import init, * as oxigraph from "./vendor/oxigraph/web.js";

var store = null;
var prologue = "";
var JSON_RESULTS = "application/sparql-results+json";
var GRAPH_FORMAT = "application/n-triples";
var CHUNK = 1 << 20;

function progress(phase, done, total) {
  self.postMessage({ type: "progress", phase: phase, done: done, total: total });
}

async function readAll(response) {
  var total = Number(response.headers.get("content-length")) || 0;
  var reader = response.body.getReader();
  var chunks = [];
  var received = 0;
  for (;;) {
    var step = await reader.read();
    if (step.done) break;
    chunks.push(step.value);
    received += step.value.length;
    progress("download", received, total);
  }
  return new Blob(chunks);
}

async function gunzip(blob) {
  var head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  // A host that sends the dump with Content-Encoding: gzip has had the browser unzip it.
  if (head[0] !== 0x1f || head[1] !== 0x8b) return new Uint8Array(await blob.arrayBuffer());
  var stream = blob.stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function download(url) {
  return fetch(url).then(function (response) {
    if (!response.ok) throw new Error(url + " answered HTTP " + response.status);
    return readAll(response).then(gunzip);
  });
}

/** The dump in slices, reporting how far the parser got (it pulls slices as it goes). */
function* slices(bytes) {
  for (var start = 0; start < bytes.length; start += CHUNK) {
    progress("parse", start, bytes.length);
    yield bytes.subarray(start, Math.min(bytes.length, start + CHUNK));
  }
  progress("parse", bytes.length, bytes.length);
}

// The engine compiles from the worker's start, while the page is still being parsed (the page
// starts this worker from its <head>) and then while the dump downloads.
var workerStart = performance.now();
var engine = init().then(function () {
  return performance.now() - workerStart;
});

async function load(message) {
  var both = await Promise.all([engine, download(message.url)]);
  var engineMs = both[0];
  var bytes = both[1];
  var fetchedMs = performance.now() - workerStart;
  var fresh = new oxigraph.Store();
  // lenient: the dump is the site's own, written by Oxigraph from a validated graph, so the
  // parser can skip checking every IRI and literal again.
  fresh.load(slices(bytes), { format: message.format, no_transaction: true, lenient: true });
  store = fresh;
  var total = performance.now() - workerStart;
  // Times from the worker's start.
  return {
    quads: store.size,
    bytes: bytes.length,
    engineMs: engineMs,
    // What the dump (asked for, downloaded, gunzipped) added once the engine was ready.
    fetchMs: fetchedMs - engineMs,
    parseMs: total - fetchedMs,
    totalMs: total,
  };
}

/** The parser's "error at L:C: ..." with the predeclared prefixes' line taken off, worded as
 * `kg query` and the web app word it (the query page marks the spot from "line L, column C"). */
function syntaxMessage(text) {
  var match = /error at (\d+):(\d+): ([\s\S]*)/.exec(text);
  if (!match) return null;
  return "SPARQL syntax error: line " + (Number(match[1]) - 1) + ", column " + match[2] + ": " + match[3].trim();
}

function query(message) {
  if (!store) throw new Error("the graph is not loaded yet");
  var text = prologue + "\n" + message.query;
  var options = { use_default_graph_as_union: true, results_format: message.format || JSON_RESULTS };
  var started = performance.now();
  var body;
  var media = options.results_format;
  try {
    body = store.query(text, options);
  } catch (error) {
    var syntax = syntaxMessage(String(error.message || error));
    if (syntax) return { ok: false, status: 400, message: syntax };
    if (/Not supported RDF format/.test(String(error.message))) {
      // A CONSTRUCT or DESCRIBE: its answer is a graph, in N-Triples as /sparql sends it.
      options.results_format = media = GRAPH_FORMAT;
      try {
        body = store.query(text, options);
      } catch (again) {
        return { ok: false, status: 500, message: "query failed: " + (again.message || again) };
      }
    } else if (/Not supported SPARQL query results format/.test(String(error.message))) {
      return { ok: false, status: 406, message: "this query's answer has no " + media + " form" };
    } else {
      return { ok: false, status: 500, message: "query failed: " + (error.message || error) };
    }
  }
  return { ok: true, status: 200, media: media, body: body, ms: performance.now() - started };
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "prefixes") {
    prologue = Object.keys(message.prefixes)
      .map(function (name) {
        return "PREFIX " + name + ": <" + message.prefixes[name] + ">";
      })
      .join(" ");
  } else if (message.type === "load") {
    load(message).then(
      function (stats) {
        self.postMessage(Object.assign({ id: message.id, ok: true }, stats));
      },
      function (error) {
        self.postMessage({ id: message.id, ok: false, status: 500, message: "cannot load the graph: " + (error.message || error) });
      }
    );
  } else if (message.type === "query") {
    var answer;
    try {
      answer = query(message);
    } catch (error) {
      answer = { ok: false, status: 500, message: String(error.message || error) };
    }
    self.postMessage(Object.assign({ id: message.id }, answer));
  }
};
