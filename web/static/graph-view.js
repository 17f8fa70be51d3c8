/* Draw a graph with vis-network in the lineage view's colours, shapes and link styles.
 *
 * Graphs come from three places: kg.lineage's JSON ({nodes, edges}: entity pages and the
 * /api/lineage/neighbours expansion), SPARQL JSON results (the query page's graph view), and
 * CONSTRUCT/DESCRIBE triples. Styles (kind → colour and shape, relation → colour and dashes)
 * are kg.render.lineage_html's KIND_STYLES and RELATION_STYLES, handed over by the page, so
 * a model looks the same here as in the lineage view. Exposes window.GraphView; elements with
 * data-graph="<id of a JSON script>" are drawn on load, and so are those with data-graph-src
 * and data-styles-src (JSON files: the static explorer, kg site). There the page's #kg-links
 * JSON says where entity pages and their neighbours' JSON files are.
 */
(function () {
  "use strict";

  var ID_PATH = /^https:\/\/w3id\.org\/genvid-kg\/id\/([a-z]+)\/([a-z0-9][a-z0-9.-]*)$/;
  var RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  var OTHER = { shape: "dot", color: "#9aa4ae", font: "#222222", size: 9 };
  var MAX_NODES = 1500;
  var LINKS = (function () {
    var element = document.getElementById("kg-links");
    return element ? JSON.parse(element.textContent) : null;
  })();
  // A page of the app read under ?sources=report (its sources toggle says so): its links and
  // requests keep the filter. The static explorer's report view is a folder of its own.
  var SOURCES = (function () {
    var toggle = document.querySelector("nav.kg-sources");
    return !LINKS && toggle && toggle.dataset.sources === "report" ? "report" : null;
  })();

  /** An app URL as this page links it: with the page's sources filter, if any (the JSON API
   * gives its links with the filter already on). */
  function scoped(url) {
    if (!SOURCES || !url || url.charAt(0) !== "/" || /[?&]sources=/.test(url)) return url;
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "sources=" + SOURCES;
  }

  function localName(iri) {
    var match = /[#/]([^#/]+)$/.exec(iri || "");
    return match ? match[1] : iri;
  }

  function kindOf(iri) {
    var match = ID_PATH.exec(iri || "");
    return match ? match[1] : null;
  }

  function pageOf(iri) {
    var match = ID_PATH.exec(iri || "");
    if (!match) return null;
    return LINKS ? LINKS.root + "id/" + match[1] + "/" + match[2] + "/" : scoped("/id/" + match[1] + "/" + match[2]);
  }

  /** Where a node's lineage neighbours are: the app's API, or a file beside its static page. */
  function neighboursOf(expandUrl, iri) {
    var match = ID_PATH.exec(iri || "");
    if (!match) return null;
    if (LINKS) {
      return LINKS.lineageKinds.indexOf(match[1]) >= 0 ? pageOf(iri) + "neighbours.json" : null;
    }
    return expandUrl ? scoped(expandUrl + "?iri=" + encodeURIComponent(iri)) : null;
  }

  function shortLabel(iri) {
    var match = ID_PATH.exec(iri || "");
    return match ? match[2] : localName(iri);
  }

  /** An empty graph: nodes by id, edges by from|relation|to. */
  function Graph() {
    this.nodes = new Map();
    this.edges = new Map();
  }

  Graph.prototype.node = function (id, fields) {
    var node = this.nodes.get(id);
    if (!node) {
      node = { id: id, label: null, kind: kindOf(id), url: pageOf(id), date: null };
      this.nodes.set(id, node);
    }
    Object.keys(fields || {}).forEach(function (key) {
      if (fields[key] !== null && fields[key] !== undefined) node[key] = fields[key];
    });
    return node;
  };

  Graph.prototype.edge = function (from, to, relation, label) {
    var id = from + "|" + relation + "|" + to;
    if (!this.edges.has(id)) {
      this.edges.set(id, { id: id, from: from, to: to, relation: relation, label: label || relation });
    }
  };

  Graph.prototype.unlabelled = function () {
    var ids = [];
    this.nodes.forEach(function (node) {
      if (!node.label && node.kind) ids.push(node.id);
    });
    return ids;
  };

  /** kg.lineage's JSON contract → Graph. */
  function fromLineage(json) {
    var graph = new Graph();
    json.nodes.forEach(function (node) {
      graph.node(node.id, { label: node.label, kind: node.kind, url: LINKS ? pageOf(node.id) : scoped(node.url), date: node.date });
    });
    json.edges.forEach(function (edge) {
      graph.edge(edge.from, edge.to, edge.relation);
    });
    return graph;
  }

  function isNode(term) {
    return term && (term.type === "uri" || term.type === "bnode");
  }

  function termId(term) {
    return term.type === "bnode" ? "_:" + term.value : term.value;
  }

  /** SPARQL JSON results → Graph: ?from/?relation/?to rows as typed links; otherwise each
   * row links its first IRI column to its other IRI columns, named by the column. A ?xLabel
   * column labels ?x; ?label labels the first IRI column. */
  function fromResults(results) {
    var graph = new Graph();
    var vars = results.head.vars || [];
    var rows = (results.results && results.results.bindings) || [];
    var nodeVars = vars.filter(function (v) {
      return rows.some(function (row) {
        return isNode(row[v]);
      });
    });
    function labelFor(v, row) {
      var column = vars.indexOf(v + "Label") >= 0 ? v + "Label" : v === nodeVars[0] && vars.indexOf("label") >= 0 ? "label" : null;
      return column && row[column] ? row[column].value : null;
    }
    var typed = nodeVars.indexOf("from") >= 0 && nodeVars.indexOf("to") >= 0;
    rows.forEach(function (row) {
      if (graph.nodes.size >= MAX_NODES) return;
      nodeVars.forEach(function (v) {
        if (isNode(row[v])) graph.node(termId(row[v]), { label: labelFor(v, row) });
      });
      if (typed) {
        if (isNode(row.from) && isNode(row.to)) {
          var relation = row.relation ? localName(row.relation.value) : "link";
          graph.edge(termId(row.from), termId(row.to), relation);
        }
        return;
      }
      var centre = row[nodeVars[0]];
      if (!isNode(centre)) return;
      nodeVars.slice(1).forEach(function (v) {
        if (isNode(row[v]) && termId(row[v]) !== termId(centre)) {
          graph.edge(termId(centre), termId(row[v]), v);
        }
      });
    });
    return graph;
  }

  /** Triples ({s, p, o} terms, as parsed from N-Triples) → Graph; rdfs:label labels nodes. */
  function fromTriples(triples) {
    var graph = new Graph();
    triples.forEach(function (t) {
      if (graph.nodes.size >= MAX_NODES) return;
      if (!isNode(t.s)) return;
      var subject = graph.node(termId(t.s));
      if (t.p.value === RDFS_LABEL && t.o.type === "literal") {
        subject.label = t.o.value;
      } else if (isNode(t.o)) {
        graph.node(termId(t.o));
        graph.edge(termId(t.s), termId(t.o), localName(t.p.value));
      }
    });
    return graph;
  }

  function nodeStyle(styles, node) {
    var style = (node.kind && styles.kinds[node.kind]) || OTHER;
    var color = { background: style.color, border: style.color, highlight: { background: style.color, border: "#111111" }, hover: { background: style.color, border: "#111111" } };
    var boxed = style.shape === "box" || style.shape === "ellipse";
    var label = node.label || shortLabel(node.id);
    var title = [label, (node.kind || "resource") + (node.date ? " · " + node.date : ""), node.id].join("\n");
    var made = {
      id: node.id,
      label: label.length > 34 ? label.slice(0, 33) + "…" : label,
      title: title,
      shape: style.shape,
      color: color,
      font: { color: boxed ? style.font : "#222222", size: 14 },
      kind: node.kind,
      url: node.url,
      fullLabel: label,
    };
    if (style.size) made.size = style.size;
    return made;
  }

  function edgeStyle(styles, edge) {
    var style = styles.relations[edge.relation];
    if (!style) {
      return { id: edge.id, from: edge.from, to: edge.to, arrows: "to", label: edge.label, relation: edge.relation, color: { color: "#8c959f", highlight: "#444c56" }, width: 1, font: { size: 11, color: "#59636e", strokeWidth: 3 } };
    }
    return { id: edge.id, from: edge.from, to: edge.to, arrows: "to", relation: edge.relation, title: style.label, color: { color: style.color, highlight: style.color }, width: style.width, dashes: style.dashes };
  }

  /** Draw a Graph into container; returns {network, nodes, edges, graph, expand, ready}. */
  function draw(container, graph, options) {
    var styles = options.styles;
    var nodes = new vis.DataSet();
    var edges = new vis.DataSet();
    var view = { graph: graph, nodes: nodes, edges: edges, ready: false, network: null };

    function add(g) {
      var fresh = [];
      g.nodes.forEach(function (node) {
        if (!nodes.get(node.id)) fresh.push(nodeStyle(styles, node));
      });
      nodes.add(fresh);
      var links = [];
      g.edges.forEach(function (edge) {
        if (!edges.get(edge.id) && nodes.get(edge.from) && nodes.get(edge.to)) links.push(edgeStyle(styles, edge));
      });
      edges.add(links);
      return fresh.length;
    }
    add(graph);

    var network = new vis.Network(
      container,
      { nodes: nodes, edges: edges },
      {
        physics: {
          solver: "barnesHut",
          barnesHut: { gravitationalConstant: -2500, centralGravity: 0.35, springLength: 110, springConstant: 0.04, damping: 0.35, avoidOverlap: 0.3 },
          stabilization: { iterations: Math.min(250, Math.floor(60000 / Math.max(nodes.length, 1))), updateInterval: 25 },
        },
        interaction: { hover: true, tooltipDelay: 120 },
        nodes: { scaling: { label: { drawThreshold: 3 } } },
        edges: { smooth: { enabled: true, type: "continuous", roundness: 0.2 }, arrows: { to: { scaleFactor: 0.55 } } },
        layout: { improvedLayout: nodes.length < 150, randomSeed: 7 },
      }
    );
    view.network = network;
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
    });
    network.once("afterDrawing", function () {
      view.ready = true;
      container.dataset.ready = "true";
      container.dataset.nodes = String(nodes.length);
      container.dataset.edges = String(edges.length);
    });
    if (options.focus && nodes.get(options.focus)) network.selectNodes([options.focus]);

    view.expand = function (id) {
      var url = neighboursOf(options.expandUrl, id);
      if (!url) return Promise.resolve(0);
      return fetch(url, { headers: { accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { nodes: [], edges: [] };
        })
        .then(function (json) {
          network.setOptions({ physics: { enabled: true, stabilization: { iterations: 80 } } });
          var added = add(fromLineage(json));
          network.once("stabilizationIterationsDone", function () {
            network.setOptions({ physics: { enabled: false } });
          });
          network.stabilize(80);
          container.dataset.nodes = String(nodes.length);
          container.dataset.edges = String(edges.length);
          return added;
        });
    };
    network.on("doubleClick", function (params) {
      if (params.nodes.length) view.expand(params.nodes[0]);
    });
    network.on("click", function (params) {
      if (options.onSelect) options.onSelect(params.nodes.length ? nodes.get(params.nodes[0]) : null);
    });
    view.relabel = function (labels) {
      var updates = [];
      Object.keys(labels).forEach(function (id) {
        if (nodes.get(id)) {
          var node = graph.node(id, { label: labels[id].label, kind: labels[id].kind, url: labels[id].url });
          updates.push(nodeStyle(styles, node));
        }
      });
      nodes.update(updates);
    };
    return view;
  }

  function caption(element, node) {
    if (!element) return;
    element.replaceChildren();
    if (!node) return;
    element.appendChild(document.createTextNode(node.fullLabel + " (" + (node.kind || "resource") + ") "));
    if (node.url) {
      var link = document.createElement("a");
      link.href = node.url;
      link.textContent = "open its page";
      element.appendChild(link);
    }
  }

  function getJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(url + " answered HTTP " + response.status);
      return response.json();
    });
  }

  /** The graph and styles of a container: a JSON script of the page (data-graph), or files
   * (data-graph-src, data-styles-src: the static site, which does not repeat them per page). */
  function payloadOf(container) {
    if (container.dataset.graphSrc) {
      return Promise.all([getJson(container.dataset.graphSrc), getJson(container.dataset.stylesSrc)]).then(function (both) {
        return { graph: both[0], styles: both[1] };
      });
    }
    var source = document.getElementById(container.dataset.graph);
    return source ? Promise.resolve(JSON.parse(source.textContent)) : null;
  }

  function drawEmbedded() {
    document.querySelectorAll("[data-graph], [data-graph-src]").forEach(function (container) {
      var note = document.createElement("p");
      note.className = "graph-caption";
      container.insertAdjacentElement("afterend", note);
      if (container.dataset.graphSrc && location.protocol === "file:") {
        // Browsers load no data file beside a file:// page (the page's banner says so).
        note.textContent = "The neighbourhood is drawn when the site is served over http.";
        return;
      }
      var payload = payloadOf(container);
      if (!payload) return;
      payload.then(
        function (loaded) {
          GraphView.instances[container.id] = draw(container, fromLineage(loaded.graph), {
            styles: loaded.styles,
            expandUrl: "/api/lineage/neighbours",
            focus: container.dataset.focus,
            onSelect: function (node) {
              caption(note, node);
            },
          });
        },
        function (error) {
          note.textContent = "The neighbourhood could not be loaded: " + error.message;
        }
      );
    });
  }

  var GraphView = {
    Graph: Graph,
    fromLineage: fromLineage,
    fromResults: fromResults,
    fromTriples: fromTriples,
    draw: draw,
    caption: caption,
    kindOf: kindOf,
    pageOf: pageOf,
    scoped: scoped,
    instances: {},
  };
  window.GraphView = GraphView;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawEmbedded);
  else drawEmbedded();
})();
