/* The query page: run SPARQL against /sparql and show the answer as a table, a graph or a
 * timeline; downloads in every format; a permalink (#query=...&view=...) that reopens the
 * same query and view. Talks only to this server. Exposes window.queryPage for tests.
 * In the static explorer (kg site) window.KgQueryBackend stands in for the server: it runs
 * queries in the browser, makes the downloads and knows the labels.
 */
(function () {
  "use strict";

  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var DATE_TYPES = new Set([XSD + "date", XSD + "gYear", XSD + "gYearMonth", XSD + "dateTime"]);
  var DATE_TEXT = /^-?\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
  var LANE_COLUMNS = ["kind", "class", "classLabel", "type"];
  var MAX_TABLE_ROWS = 5000;
  var LABELLED_ROWS = 80;
  var DOWNLOADS = {
    rows: [["JSON", "json", "srj"], ["XML", "xml", "srx"], ["CSV", "csv", "csv"], ["TSV", "tsv", "tsv"]],
    graph: [["Turtle", "turtle", "ttl"], ["JSON-LD", "jsonld", "jsonld"], ["N-Triples", "nt", "nt"], ["RDF/XML", "rdfxml", "rdf"]],
  };

  var data = JSON.parse(document.getElementById("query-data").textContent);
  var styles = { kinds: data.kinds, relations: data.relations };
  var editor = SparqlEditor.attach($("query-text"), $("editor-highlight"));
  var state = { view: "table", result: null, drawn: {}, running: null, graph: null, timeline: null };
  var page = { state: state, editor: editor, runs: 0 };
  var backend = window.KgQueryBackend || null;
  window.queryPage = page;

  function $(id) {
    return document.getElementById(id);
  }

  function element(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function status(text) {
    $("query-status").textContent = text;
  }

  // ---- terms ---------------------------------------------------------------------------------
  var prefixes = Object.keys(data.prefixes).map(function (name) {
    return [name, data.prefixes[name]];
  });
  prefixes.sort(function (a, b) {
    return b[1].length - a[1].length;
  });

  function curie(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      if (iri.indexOf(prefixes[i][1]) === 0 && iri.length > prefixes[i][1].length) {
        return prefixes[i][0] + ":" + iri.slice(prefixes[i][1].length);
      }
    }
    return iri;
  }

  function termText(term) {
    if (!term) return "";
    if (term.type === "uri") return curie(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    return term.value;
  }

  function termCell(term) {
    var cell = element("td");
    if (!term) return cell;
    if (term.type === "uri") {
      var link = element("a", curie(term.value));
      link.href = GraphView.pageOf(term.value) || term.value;
      if (!GraphView.pageOf(term.value)) link.rel = "noopener noreferrer";
      link.title = term.value;
      cell.appendChild(link);
      return cell;
    }
    cell.textContent = termText(term);
    var datatype = term.datatype || (term["xml:lang"] ? "@" + term["xml:lang"] : null);
    if (datatype) cell.title = datatype.indexOf(XSD) === 0 ? "xsd:" + datatype.slice(XSD.length) : datatype;
    if (term.datatype && /#(integer|decimal|double|float|int|long)$/.test(term.datatype)) cell.className = "number";
    return cell;
  }

  // ---- N-Triples (what the page asks for CONSTRUCT and DESCRIBE) ---------------------------
  var NT_TERM = /\s*(<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;

  function unescapeLiteral(text) {
    return JSON.parse('"' + text.replace(/\\U([0-9A-Fa-f]{8})/g, function (_, hex) {
      var code = parseInt(hex, 16) - 0x10000;
      return "\\u" + (0xd800 + (code >> 10)).toString(16) + "\\u" + (0xdc00 + (code & 0x3ff)).toString(16);
    }) + '"');
  }

  function parseTerm(line, at) {
    NT_TERM.lastIndex = at;
    var m = NT_TERM.exec(line);
    if (!m) return null;
    var term;
    if (m[2] !== undefined) term = { type: "uri", value: m[2] };
    else if (m[3] !== undefined) term = { type: "bnode", value: m[3] };
    else {
      term = { type: "literal", value: unescapeLiteral(m[4]) };
      if (m[5]) term["xml:lang"] = m[5];
      if (m[6]) term.datatype = m[6];
    }
    return { term: term, end: NT_TERM.lastIndex };
  }

  function parseNTriples(text) {
    var triples = [];
    text.split("\n").forEach(function (line) {
      if (!line.trim() || line.trim().charAt(0) === "#") return;
      var s = parseTerm(line, 0);
      var p = s && parseTerm(line, s.end);
      var o = p && parseTerm(line, p.end);
      if (o) triples.push({ s: s.term, p: p.term, o: o.term });
    });
    return triples;
  }

  // ---- the table view ----------------------------------------------------------------------
  function renderTable(result) {
    var box = $("view-table");
    box.replaceChildren();
    if (result.kind === "boolean") {
      box.appendChild(element("p", String(result.value), "boolean-result"));
      return;
    }
    var table = element("table", null, "results");
    var head = element("thead");
    var headRow = element("tr");
    result.vars.forEach(function (name) {
      var th = element("th", name);
      th.scope = "col";
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody");
    result.rows.slice(0, MAX_TABLE_ROWS).forEach(function (row) {
      var tr = element("tr");
      result.vars.forEach(function (name) {
        tr.appendChild(termCell(row[name]));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
    if (result.rows.length > MAX_TABLE_ROWS) {
      box.appendChild(element("p", "Showing the first " + MAX_TABLE_ROWS + " rows; download the rest.", "hint"));
    }
  }

  // ---- the graph view ----------------------------------------------------------------------
  function renderGraph(result) {
    var container = $("result-graph");
    if (state.graph) {
      state.graph.network.destroy();
      state.graph = null;
    }
    var graph = result.kind === "graph" ? GraphView.fromTriples(result.triples) : GraphView.fromResults(result.json);
    if (!graph.nodes.size) {
      container.replaceChildren(element("p", "No IRIs in these results: nothing to draw.", "hint"));
      container.dataset.ready = "true";
      container.dataset.nodes = "0";
      return;
    }
    container.replaceChildren();
    delete container.dataset.ready;
    state.graph = GraphView.draw(container, graph, {
      styles: styles,
      expandUrl: "/api/lineage/neighbours",
      onSelect: function (node) {
        var info = $("graph-info");
        if (node) GraphView.caption(info, node);
      },
    });
    var missing = graph.unlabelled();
    if (missing.length) {
      (backend
        ? backend.labels(missing.slice(0, 5000))
        : fetch(GraphView.scoped("/api/labels"), {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({ iris: missing.slice(0, 5000) }),
          }).then(function (response) {
            return response.ok ? response.json() : {};
          })
      ).then(function (labels) {
        if (state.graph) state.graph.relabel(labels);
      });
    }
  }

  // ---- the timeline view -------------------------------------------------------------------
  function isDate(term) {
    if (!term || term.type !== "literal") return false;
    if (term.datatype && DATE_TYPES.has(term.datatype)) return true;
    return !term.datatype && DATE_TEXT.test(term.value);
  }

  /** The first column whose bound values are mostly dates, or null. */
  function dateColumn(result) {
    if (result.kind !== "rows") return null;
    for (var i = 0; i < result.vars.length; i++) {
      var name = result.vars[i];
      var bound = 0;
      var dates = 0;
      result.rows.forEach(function (row) {
        if (row[name]) bound++;
        if (isDate(row[name])) dates++;
      });
      if (dates && dates * 2 >= bound) return name;
    }
    return null;
  }

  /** The middle of the span a partial date covers: "2014" sits mid-year, as in the lineage view. */
  function midpoint(text) {
    var m = /^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(text);
    if (!m) return null;
    if (m[3]) return m[1] + "-" + m[2] + "-" + m[3];
    if (m[2]) return m[1] + "-" + m[2] + "-15";
    return m[1] + "-07-02";
  }

  function timelineEvents(result, dateName) {
    var vars = result.vars;
    var nodeVar = vars.filter(function (v) {
      return result.rows.some(function (row) {
        return row[v] && row[v].type === "uri";
      });
    })[0];
    var labelVar = vars.indexOf("label") >= 0 ? "label" : vars.indexOf(nodeVar + "Label") >= 0 ? nodeVar + "Label" : vars.filter(function (v) {
      return /Label$/.test(v);
    })[0];
    var laneVar = LANE_COLUMNS.filter(function (v) {
      return vars.indexOf(v) >= 0;
    })[0];
    var events = [];
    result.rows.forEach(function (row) {
      if (!isDate(row[dateName])) return;
      var iri = nodeVar && row[nodeVar] ? row[nodeVar].value : null;
      var label = labelVar && row[labelVar] ? row[labelVar].value : iri ? curie(iri) : row[dateName].value;
      var lane = laneVar && row[laneVar] ? termText(row[laneVar]) : (iri && GraphView.kindOf(iri)) || "event";
      events.push({ label: label, date: row[dateName].value, x: midpoint(row[dateName].value), lane: lane, url: iri ? GraphView.pageOf(iri) : null });
    });
    events.sort(function (a, b) {
      return a.x < b.x ? -1 : a.x > b.x ? 1 : 0;
    });
    return events;
  }

  function renderTimeline(result) {
    var box = $("result-timeline");
    var dateName = dateColumn(result);
    if (state.timeline) Plotly.purge(box);
    box.replaceChildren();
    if (!dateName) {
      box.appendChild(element("p", "These results have no date column: nothing to place on a timeline.", "hint"));
      return;
    }
    var events = timelineEvents(result, dateName);
    var labelled = events.length <= LABELLED_ROWS;
    var lanes = [];
    events.forEach(function (event) {
      if (lanes.indexOf(event.lane) < 0) lanes.push(event.lane);
    });
    var traces = lanes.map(function (lane) {
      var mine = events.filter(function (event) {
        return event.lane === lane;
      });
      return {
        type: "scatter",
        mode: "markers",
        name: lane,
        x: mine.map(function (e) {
          return e.x;
        }),
        y: mine.map(function (e) {
          return labelled ? e.label + " " : lane;
        }),
        customdata: mine.map(function (e) {
          return e.url;
        }),
        text: mine.map(function (e) {
          return e.label + "<br>" + e.date + (e.url ? "<br><i>click to open</i>" : "");
        }),
        hovertemplate: "%{text}<extra>" + lane + "</extra>",
        marker: { size: 10 },
      };
    });
    var order = labelled
      ? events.map(function (e) {
          return e.label + " ";
        })
      : lanes;
    var layout = {
      margin: { l: 20, r: 20, t: 20, b: 40 },
      height: Math.max(320, Math.min(2400, (labelled ? events.length : lanes.length) * 22 + 120)),
      xaxis: { type: "date", title: { text: dateName } },
      yaxis: { type: "category", automargin: true, categoryorder: "array", categoryarray: order.slice().reverse() },
      legend: { orientation: "h" },
      hovermode: "closest",
    };
    Plotly.newPlot(box, traces, layout, { displaylogo: false, responsive: true }).then(function () {
      box.dataset.ready = "true";
      box.dataset.events = String(events.length);
    });
    box.on("plotly_click", function (event) {
      var url = event.points.length && event.points[0].customdata;
      if (url) window.location.href = url;
    });
    state.timeline = box;
  }

  // ---- views, permalink, downloads ---------------------------------------------------------
  // vis-network and plotly.js load when a view first needs them (their URLs are on this
  // script's tag): the table needs neither, and parsed with the page they delayed it.
  var engineUrls = document.currentScript.dataset;
  var engines = {};

  function engine(name) {
    if (!engines[name]) {
      engines[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = engineUrls[name];
        script.onload = resolve;
        script.onerror = function () {
          delete engines[name];
          reject(new Error("Could not load " + script.src + ": reload the page to try again."));
        };
        document.head.appendChild(script);
      });
    }
    return engines[name];
  }

  /** ``render`` once ``name`` has loaded, unless another answer has come in meanwhile. */
  function needing(name, render) {
    return function (result) {
      engine(name).then(
        function () {
          if (state.result === result) render(result);
        },
        function (error) {
          showError(error.message);
        }
      );
    };
  }

  var RENDER = { table: renderTable, graph: needing("vis", renderGraph), timeline: needing("plotly", renderTimeline) };

  function showView(view) {
    if (!RENDER[view]) view = "table";
    state.view = view;
    document.querySelectorAll(".view-tabs [data-view]").forEach(function (tab) {
      var on = tab.dataset.view === view;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      $("view-" + tab.dataset.view).hidden = !on;
    });
    if (state.result && !state.drawn[view]) {
      state.drawn[view] = true;
      RENDER[view](state.result);
    }
    updateLink();
  }

  function fragment() {
    return "#" + new URLSearchParams({ query: editor.getValue(), view: state.view }).toString();
  }

  function updateLink() {
    var hash = fragment();
    $("permalink").href = hash;
    if (location.hash !== hash) history.replaceState(null, "", location.pathname + location.search + hash);
    // The sources toggle reopens the same query and view under the other sources.
    document.querySelectorAll("nav.kg-sources a[data-sources]").forEach(function (link) {
      link.hash = hash;
    });
  }

  function showDownloads(kind) {
    var box = $("download-links");
    box.replaceChildren();
    if (backend) {
      var ticket = page.runs;
      backend.downloads(editor.getValue(), kind).then(function (made) {
        if (ticket !== page.runs) return;
        made.forEach(function (entry) {
          var link = element("a", entry[0]);
          link.href = entry[1];
          link.setAttribute("download", entry[2]);
          link.dataset.format = entry[3];
          box.appendChild(link);
        });
        $("downloads").hidden = false;
      });
      return;
    }
    (kind === "graph" ? DOWNLOADS.graph : DOWNLOADS.rows).forEach(function (entry) {
      var link = element("a", entry[0]);
      link.href = GraphView.scoped("/sparql?" + new URLSearchParams({ query: editor.getValue(), format: entry[1] }).toString());
      link.setAttribute("download", "results." + entry[2]);
      link.dataset.format = entry[1];
      box.appendChild(link);
    });
    $("downloads").hidden = false;
  }

  function setTimelineTab(result) {
    var tab = $("tab-timeline");
    var usable = Boolean(dateColumn(result));
    tab.disabled = false;
    tab.title = usable ? "" : "Needs a column of dates (xsd:date, gYear, gYearMonth)";
  }

  // ---- running -----------------------------------------------------------------------------
  function readAnswer(response) {
    var media = (response.headers.get("content-type") || "").split(";")[0].trim();
    if (media === "application/sparql-results+json") {
      return response.json().then(function (json) {
        if (typeof json.boolean === "boolean") return { kind: "boolean", value: json.boolean, json: json };
        return { kind: "rows", vars: json.head.vars, rows: json.results.bindings, json: json };
      });
    }
    return response.text().then(function (text) {
      var triples = parseNTriples(text);
      var vars = ["subject", "predicate", "object"];
      var rows = triples.map(function (t) {
        return { subject: t.s, predicate: t.p, object: t.o };
      });
      return { kind: "graph", triples: triples, vars: vars, rows: rows };
    });
  }

  function clearResults() {
    state.result = null;
    state.drawn = {};
    if (state.graph) state.graph.network.destroy();
    state.graph = null;
    if (state.timeline) Plotly.purge(state.timeline);
    state.timeline = null;
    ["view-table", "result-graph", "result-timeline"].forEach(function (id) {
      $(id).replaceChildren();
      delete $(id).dataset.ready;
    });
    $("downloads").hidden = true;
  }

  function showError(message) {
    var box = $("query-error");
    box.textContent = message;
    box.hidden = false;
    var where = /line (\d+), column (\d+)/.exec(message);
    if (where) editor.setError(parseInt(where[1], 10), parseInt(where[2], 10));
  }

  function run() {
    var text = editor.getValue();
    var started = performance.now();
    var ticket = (page.runs += 1);
    $("query-error").hidden = true;
    editor.clearError();
    status("Running…");
    document.body.dataset.state = "running";
    updateLink();
    var asked = backend
      ? backend.fetch(text)
      : fetch(GraphView.scoped("/sparql"), {
          method: "POST",
          headers: {
            "content-type": "application/sparql-query",
            accept: "application/sparql-results+json, application/n-triples;q=0.9",
          },
          body: text,
        });
    return asked
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (message) {
            throw new Error(message.trim() || "HTTP " + response.status);
          });
        }
        return readAnswer(response);
      })
      .then(function (result) {
        if (ticket !== page.runs) return;
        state.result = result;
        state.drawn = {};
        var ms = Math.round(performance.now() - started);
        var count = result.kind === "boolean" ? "yes/no answer" : result.rows.length + (result.kind === "graph" ? " triples" : " rows");
        status(count + " in " + ms + " ms");
        showDownloads(result.kind === "graph" ? "graph" : "rows");
        setTimelineTab(result);
        document.body.dataset.state = "done";
        showView(state.view);
      })
      .catch(function (error) {
        if (ticket !== page.runs) return;
        clearResults();
        status("");
        showError(error.message);
        document.body.dataset.state = "error";
      });
  }

  function loadFragment() {
    var params = new URLSearchParams(location.hash.slice(1));
    if (!params.has("query")) return false;
    editor.setValue(params.get("query"));
    state.view = RENDER[params.get("view")] ? params.get("view") : "table";
    showView(state.view);
    run();
    return true;
  }

  // ---- wiring --------------------------------------------------------------------------------
  $("query-form").addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  document.querySelectorAll(".view-tabs [data-view]").forEach(function (tab) {
    tab.addEventListener("click", function () {
      showView(tab.dataset.view);
    });
  });
  var examples = {};
  data.examples.forEach(function (example) {
    examples[example.name] = example;
  });
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll("button.example").forEach(function (other) {
        other.removeAttribute("aria-current");
      });
      button.setAttribute("aria-current", "true");
      editor.setValue(examples[button.dataset.name].text);
      run();
    });
  });
  window.addEventListener("hashchange", function () {
    if (location.hash !== fragment()) loadFragment();
  });
  if (!loadFragment()) updateLink();

  page.run = run;
  page.showView = showView;
  page.dateColumn = dateColumn;
  page.parseNTriples = parseNTriples;
})();
