/* The lineage page's behaviour: search, click-to-highlight ancestry, filters, expansion.
 *
 * Reads everything from <script id="lineage-data"> (written by kg.render.lineage_html) and
 * talks to nothing but the page's own server, and only when the page was rendered with an
 * expand URL. Exposes window.lineageView for tests and benchmarks.
 */
(function () {
  "use strict";

  var common = window.lineageCommon;

  var READABLE = 0.75;
  var MAX_PATHS = 12;
  var LIT_FONT = 13;
  var MAX_FIT_SCALE = 1.2;
  // Room kept free around a fitted chain, in screen pixels: the lane names on the left, the
  // year names on top, and half a label on either side.
  var FIT_MARGIN = { left: 130, right: 90, top: 40, bottom: 40 };

  var marks = { start: performance.now() };
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  marks.parsed = performance.now();
  var descent = new Set(data.descent);
  // Tooltips are written here from the fields the page carries, not sent with every node.
  var names = new Map();
  data.nodes.forEach(function (node) {
    names.set(node.id, node.fullLabel);
    node.title = nodeTitle(node.fullLabel, node.kind, node.date, node.vendor, node.sources);
  });
  data.edges.forEach(function (edge) {
    edge.title = edgeTitle(edge, names.get(edge.from), names.get(edge.to));
  });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var hiddenKinds = new Set();
  var years = { from: null, to: null };
  var setDimmed = null; // the veil over all but the lit part (lineage-common.js)
  var outgoing = new Map();
  var incoming = new Map();
  var view = {
    data: data,
    nodes: nodes,
    edges: edges,
    network: null,
    ready: false,
    readyAt: null,
    marks: marks,
    state: { selected: null, line: [], ancestors: [], descendants: [], neighbours: [] },
    litLabels: [],
    moving: false,
  };
  window.lineageView = view;

  function $(id) {
    return document.getElementById(id);
  }

  function nodeTitle(name, kind, date, vendor, sources) {
    var lines = [name, kind + " · " + (date || "undated")];
    if (vendor) lines.push("vendor: " + vendor);
    if (sources && sources.length) lines.push("sources: " + sources.join("; "));
    return lines.join("\n");
  }

  function edgeTitle(edge, from, to) {
    var title = from + " → " + to + "\n" + data.relations[edge.relation].label;
    if (edge.sources && edge.sources.length) title += "\nsources: " + edge.sources.join("; ");
    return title;
  }

  function status(text) {
    $("lineage-status").textContent = text;
  }

  function link(edge) {
    if (!outgoing.has(edge.from)) outgoing.set(edge.from, []);
    if (!incoming.has(edge.to)) incoming.set(edge.to, []);
    outgoing.get(edge.from).push(edge);
    incoming.get(edge.to).push(edge);
  }
  edges.forEach(link);

  function isVisible(node) {
    if (hiddenKinds.has(node.kind)) return false;
    if (node.year === null || node.year === undefined) return true;
    if (years.from !== null && node.year < years.from) return false;
    if (years.to !== null && node.year > years.to) return false;
    return true;
  }
  var nodeView = new vis.DataView(nodes, { filter: isVisible });
  marks.datasets = performance.now();

  // ---- drawing the time axis: lanes by kind, a line per year --------------------------------
  // Bands and year lines sit behind the graph (beforeDrawing); the year and lane names are
  // drawn afterwards at the visible top and left edges, so they stay in view while panning.
  function axisBounds() {
    var axis = data.axis;
    var segments = axis.years;
    var last = segments.length ? segments[segments.length - 1] : { x: 0, width: 0 };
    return {
      left: segments.length ? segments[0].x - 260 : -260,
      right: Math.max(last.x + last.width, axis.undatedX || 0) + 200,
      top: axis.lanes[0].top - data.row,
      bottom: axis.lanes[axis.lanes.length - 1].bottom + data.row,
    };
  }

  function drawAxis(ctx) {
    var axis = data.axis;
    if (!axis || !axis.lanes.length) return;
    var box = axisBounds();
    ctx.save();
    axis.lanes.forEach(function (lane, index) {
      ctx.fillStyle = index % 2 ? "rgba(0,0,0,0.02)" : "rgba(0,0,0,0.045)";
      var height = lane.bottom - lane.top + data.row;
      ctx.fillRect(box.left, lane.top - data.row / 2, box.right - box.left, height);
    });
    ctx.strokeStyle = "rgba(0,0,0,0.12)";
    ctx.lineWidth = 1;
    axis.years.forEach(function (segment) {
      ctx.beginPath();
      ctx.moveTo(segment.x, box.top);
      ctx.lineTo(segment.x, box.bottom);
      ctx.stroke();
    });
    ctx.restore();
  }

  // The names on the time axis that fit at this zoom (lineage-common.js skips a year's name
  // that would run into the one before it). ``px`` is one screen pixel in canvas units.
  function yearLabels(ctx, px) {
    var axis = data.axis;
    var marks = axis.years.map(function (segment) {
      return { text: String(segment.year), x: segment.x + 4 * px };
    });
    if (axis.undatedX !== null) marks.push({ text: "undated", x: axis.undatedX - 24 * px });
    view.yearMarks = common.yearMarks(ctx, px, marks);
    return view.yearMarks;
  }

  function drawAxisLabels(ctx) {
    var axis = data.axis;
    if (!axis || !axis.lanes.length) return;
    var network = view.network;
    var scale = network.getScale();
    var corner = network.DOMtoCanvas({ x: 0, y: 0 });
    var px = 1 / scale;
    ctx.save();
    ctx.font = "600 " + 13 * px + "px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(corner.x, corner.y, 1e6, 22 * px);
    ctx.fillStyle = "#444";
    ctx.textAlign = "left";
    yearLabels(ctx, px).forEach(function (mark) {
      ctx.fillText(mark.text, mark.x, corner.y + 4 * px);
    });
    ctx.textBaseline = "middle";
    axis.lanes.forEach(function (lane) {
      var y = (lane.top + lane.bottom) / 2;
      var width = ctx.measureText(lane.label).width;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(corner.x + 4 * px, y - 9 * px, width + 8 * px, 18 * px);
      ctx.fillStyle = "#444";
      ctx.fillText(lane.label, corner.x + 8 * px, y);
    });
    ctx.restore();
  }

  // ---- ancestry: the walks of lineage-common.js along descent relations --------------------
  function descentOf(id, forward) {
    var result = [];
    ((forward ? outgoing : incoming).get(id) || []).forEach(function (edge) {
      if (descent.has(edge.relation)) result.push(forward ? edge.to : edge.from);
    });
    return result;
  }

  function label(id) {
    var node = nodes.get(id);
    return node ? node.fullLabel : id;
  }

  // Highlighting changes no item and no option: the lit part is vis's own selection, drawn
  // in full colour by the "chosen" callbacks below, and lineage-common.js veils the rest after
  // each draw. A click costs one redraw and the lit part.
  function chosenNode(values, id, selected) {
    if (!selected) return;
    var node = nodes.get(id);
    var style = node && data.kinds[node.kind];
    if (!style) return;
    values.color = style.color;
    values.borderColor = id === view.state.selected ? "#111111" : style.color;
    values.borderWidth = id === view.state.selected ? 3 : 1;
  }

  function chosenLabel(values, id, selected) {
    if (!selected) return;
    var node = nodes.get(id);
    if (node && data.kinds[node.kind]) values.color = fontColor(data.kinds[node.kind]);
    if (id === view.state.selected) values.mod = "bold";
    // Zoomed out, drawLitLabels writes these labels at a readable size instead.
    if (view.network.getScale() < READABLE) values.color = "rgba(0,0,0,0)";
  }

  // The lit part stays readable at any zoom: below READABLE its labels are drawn by
  // lineage-common.js at a fixed size on screen (the chain first, then the neighbours).
  function drawLitLabels(ctx) {
    common.drawLitLabels(ctx, view, $("lineage-network"), {
      readable: READABLE,
      size: LIT_FONT,
      shown: function (id) {
        return nodeView.get(id) !== null;
      },
      label: function (id) {
        return nodes.get(id).label;
      },
    });
  }

  function chosenEdge(values, id, selected) {
    if (!selected) return;
    var edge = edges.get(id);
    var style = edge && data.relations[edge.relation];
    if (!style) return;
    values.color = style.color;
    values.width = style.width + 0.8;
  }

  function restyle(lit, litEdges) {
    if (lit === null) {
      setDimmed(false);
      view.network.unselectAll();
      return;
    }
    var shownNodes = Array.from(lit).filter(function (id) {
      return nodeView.get(id) !== null;
    });
    var shown = new Set(shownNodes);
    var shownEdges = Array.from(litEdges).filter(function (id) {
      var edge = edges.get(id);
      return shown.has(edge.from) && shown.has(edge.to);
    });
    setDimmed(true);
    view.network.setSelection(
      { nodes: shownNodes, edges: shownEdges },
      { unselectAll: true, highlightEdges: false }
    );
  }

  function fontColor(style) {
    return style.shape === "box" || style.shape === "ellipse" ? style.font : "#222222";
  }

  function highlight(id, fit) {
    if (!nodes.get(id)) return false;
    var up = common.walk(descentOf, id, true);
    var down = common.walk(descentOf, id, false);
    var near = new Set();
    (outgoing.get(id) || []).forEach(function (edge) {
      near.add(edge.to);
    });
    (incoming.get(id) || []).forEach(function (edge) {
      near.add(edge.from);
    });
    var line = new Set([id]);
    up.forEach(function (n) {
      line.add(n);
    });
    down.forEach(function (n) {
      line.add(n);
    });
    var lit = new Set(line);
    near.forEach(function (n) {
      lit.add(n);
    });
    // Only the edges at the lit nodes are looked at: the cost follows the chain, not the graph.
    var litEdges = new Set();
    line.forEach(function (n) {
      (outgoing.get(n) || []).forEach(function (edge) {
        var inLine = descent.has(edge.relation) && line.has(edge.to);
        if (inLine || n === id) litEdges.add(edge.id);
      });
    });
    (incoming.get(id) || []).forEach(function (edge) {
      litEdges.add(edge.id);
    });
    restyle(lit, litEdges);
    view.state = {
      selected: id,
      line: Array.from(line),
      ancestors: Array.from(up),
      descendants: Array.from(down),
      neighbours: Array.from(near),
    };
    document.body.dataset.selected = id;
    showInfo(id, up, down);
    if (fit !== false) fitChain(Array.from(line), fit === "now" ? 0 : 350);
    return true;
  }

  // Bring a chain into view at a zoom where it reads: the box around its nodes fills the free
  // part of the canvas (at most MAX_FIT_SCALE), and the lit labels keep their size on screen
  // (drawLitLabels). A chain already in view at a readable zoom is left where it is.
  function fitChain(ids, duration) {
    var at = view.network.getPositions(ids.filter(function (n) { return nodeView.get(n) !== null; }));
    var spots = Object.keys(at).map(function (n) { return at[n]; });
    common.fit(view, $("lineage-network"), spots, {
      margin: FIT_MARGIN,
      maxScale: MAX_FIT_SCALE,
      readable: READABLE,
      keep: true,
      duration: duration,
    });
  }

  function clear() {
    restyle(null, null);
    view.state = { selected: null, line: [], ancestors: [], descendants: [], neighbours: [] };
    delete document.body.dataset.selected;
  }

  // An entity's page as this view links it: the page's JSON gives bare paths, to which the
  // page adds its ?sources filter; /api/lineage/neighbours gives them with the filter on.
  function pageOf(url) {
    var kept = /[?&]sources=/.test(url) ? "" : data.entitySuffix || "";
    return data.entityBase + url + kept;
  }

  function showInfo(id, up, down) {
    var node = nodes.get(id);
    var facts = [data.kinds[node.kind].label, node.date || "undated"];
    if (node.vendor) facts.push(node.vendor);
    common.info($("lineage-info"), {
      title: node.fullLabel,
      facts: facts,
      href: node.url ? pageOf(node.url) : null,
      paths: common.chains(descentOf, id, MAX_PATHS).map(function (path) {
        return path.map(label);
      }),
      counts: up.size + " ancestors, " + down.size + " descendants",
      sources: node.sources || [],
    });
  }

  // ---- search, filters ------------------------------------------------------------------------
  function fillLabels() {
    var list = $("lineage-labels");
    var seen = new Set();
    var fragment = document.createDocumentFragment();
    nodes.forEach(function (node) {
      if (seen.has(node.fullLabel)) return;
      seen.add(node.fullLabel);
      var option = document.createElement("option");
      option.value = node.fullLabel;
      fragment.appendChild(option);
    });
    list.replaceChildren(fragment);
  }

  function find(text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) return null;
    var all = nodes.get();
    var tests = [
      function (n) {
        return n.fullLabel.toLowerCase() === wanted;
      },
      function (n) {
        return n.fullLabel.toLowerCase().indexOf(wanted) === 0;
      },
      function (n) {
        return n.fullLabel.toLowerCase().indexOf(wanted) >= 0;
      },
    ];
    for (var i = 0; i < tests.length; i++) {
      var found = all.filter(tests[i]);
      if (found.length) return found[0].id;
    }
    return null;
  }

  function focusNode(id) {
    var node = nodes.get(id);
    if (!isVisible(node)) {
      hiddenKinds.delete(node.kind);
      var box = document.querySelector('input[data-kind="' + node.kind + '"]');
      if (box) box.checked = true;
      years.from = years.to = null;
      $("lineage-year-from").value = "";
      $("lineage-year-to").value = "";
      refresh();
    }
    highlight(id);
  }

  function refresh() {
    nodeView.refresh();
    var counts = {};
    nodes.forEach(function (node) {
      counts[node.kind] = (counts[node.kind] || 0) + 1;
    });
    document.querySelectorAll("[data-count]").forEach(function (span) {
      span.textContent = counts[span.dataset.count] || 0;
    });
    status(nodeView.length + " of " + nodes.length + " nodes shown, " + edges.length + " links");
  }

  // After an expansion the year inputs follow the new range, unless the user set a filter.
  function syncYears() {
    if (years.from !== null || years.to !== null) return;
    var known = nodes.get().map(function (node) { return node.year; }).filter(Boolean);
    if (!known.length) return;
    var low = Math.min.apply(null, known);
    var high = Math.max.apply(null, known);
    ["lineage-year-from", "lineage-year-to"].forEach(function (name) {
      $(name).min = low;
      $(name).max = high;
    });
    $("lineage-year-from").value = low;
    $("lineage-year-to").value = high;
  }

  function readYear(input) {
    var value = parseInt(input.value, 10);
    return isNaN(value) ? null : value;
  }

  // ---- expansion (web app only) -------------------------------------------------------------
  // New nodes keep the time layout: x from their date (the axis grows to cover it) and y in
  // their kind's lane, in the first row with room; a lane that needs a new row, or a kind that
  // had no lane yet, pushes the lanes below it down.
  var YEAR_WIDTH = 240;
  var pending = [];

  function ensureYear(year) {
    var segments = data.axis.years;
    if (!segments.length) segments.push({ year: year, x: 0, width: YEAR_WIDTH });
    while (year < segments[0].year) {
      var first = segments[0];
      segments.unshift({ year: first.year - 1, x: first.x - YEAR_WIDTH, width: YEAR_WIDTH });
    }
    while (year > segments[segments.length - 1].year) {
      var last = segments[segments.length - 1];
      segments.push({ year: last.year + 1, x: last.x + last.width, width: YEAR_WIDTH });
    }
  }

  function xOfDate(date) {
    var year = parseInt(date.slice(0, 4), 10);
    ensureYear(year);
    var segment = data.axis.years[year - data.axis.years[0].year];
    var month = date.length >= 7 ? parseInt(date.slice(5, 7), 10) - 1 : 5.5;
    return segment.x + (segment.width * (month + 0.5)) / 12;
  }

  function widthOf(label) {
    return Math.min(label.length, 34) * 7.6 + 40;
  }

  function shiftLanes(from, dy) {
    var lanes = data.axis.lanes;
    var kinds = new Set();
    for (var i = from; i < lanes.length; i++) {
      lanes[i].top += dy;
      lanes[i].bottom += dy;
      kinds.add(lanes[i].kind);
    }
    if (!kinds.size) return;
    pending.forEach(function (node) {
      if (kinds.has(node.kind)) node.y += dy;
    });
    var moving = nodes.get({ filter: function (node) { return kinds.has(node.kind); } });
    var at = view.network.getPositions(moving.map(function (node) { return node.id; }));
    nodes.update(
      moving.map(function (node) {
        var spot = at[node.id] || { x: node.x, y: node.y };
        return { id: node.id, x: spot.x, y: spot.y + dy };
      })
    );
  }

  function laneFor(kind) {
    var lanes = data.axis.lanes;
    var order = data.kindsOrder;
    for (var i = 0; i < lanes.length; i++) if (lanes[i].kind === kind) return i;
    var position = lanes.findIndex(function (lane) {
      return order.indexOf(lane.kind) > order.indexOf(kind);
    });
    if (position < 0) position = lanes.length;
    var top;
    if (position === 0) top = lanes.length ? lanes[0].top - data.row - data.laneGap : 0;
    else {
      top = lanes[position - 1].bottom + data.row + data.laneGap;
      shiftLanes(position, data.row + data.laneGap);
    }
    lanes.splice(position, 0, { kind: kind, label: data.kinds[kind].label, top: top, bottom: top });
    return position;
  }

  function placeInLane(kind, x, label) {
    var index = laneFor(kind);
    var lane = data.axis.lanes[index];
    var same = nodes.get({ filter: function (node) { return node.kind === kind; } });
    var at = view.network.getPositions(same.map(function (node) { return node.id; }));
    same = same.concat(pending.filter(function (node) { return node.kind === kind; }));
    var half = widthOf(label) / 2;
    for (var y = lane.top; y <= lane.bottom + 1; y += data.row) {
      var taken = same.some(function (node) {
        var spot = at[node.id] || node;
        var room = half + widthOf(node.fullLabel) / 2;
        return Math.abs(spot.y - y) < data.row / 2 && Math.abs(spot.x - x) < room;
      });
      if (!taken) return y;
    }
    shiftLanes(index + 1, data.row);
    lane.bottom += data.row;
    return lane.bottom;
  }

  function visNode(node, near, index) {
    var style = data.kinds[node.kind] || data.kinds.model;
    var angle = (index * 2 * Math.PI) / 7;
    var x = near.x + 160 * Math.cos(angle);
    var y = near.y + 160 * Math.sin(angle);
    if (data.layout === "time" && data.axis) {
      x = node.date ? xOfDate(node.date) : near.x;
      y = placeInLane(node.kind, x, node.label);
    }
    var made = {
      id: node.id,
      label: node.label.length > 34 ? node.label.slice(0, 33) + "…" : node.label,
      fullLabel: node.label,
      shape: style.shape,
      group: node.kind,
      kind: node.kind,
      date: node.date,
      year: node.date ? parseInt(node.date.slice(0, 4), 10) : null,
      vendor: node.vendor,
      sources: node.sources || [],
      url: node.url,
      x: x,
      y: y,
      title: nodeTitle(node.label, node.kind, node.date, node.vendor, node.sources),
    };
    if (style.size) made.size = style.size;
    return made;
  }

  function visEdge(edge) {
    var style = data.relations[edge.relation];
    return {
      id: edge.from + "|" + edge.relation + "|" + edge.to,
      from: edge.from,
      to: edge.to,
      relation: edge.relation,
      arrows: "to",
      color: { color: style.color, highlight: style.color },
      width: style.width,
      dashes: data.dashed ? style.dashes : false,
      sources: edge.sources || [],
      title: edgeTitle(edge, label(edge.from), label(edge.to)),
    };
  }

  function merge(id, graph) {
    var near = view.network.getPosition(id);
    var added = graph.nodes.filter(function (node) {
      return !nodes.get(node.id) && data.kinds[node.kind];
    });
    // Placed one by one against the nodes placed before them, then added in one batch: each
    // DataSet change redraws the whole network.
    pending = [];
    added.forEach(function (node, index) {
      pending.push(visNode(node, near, index));
    });
    nodes.add(pending);
    pending = [];
    syncYears();
    var links = graph.edges
      .filter(function (edge) {
        return data.relations[edge.relation] && nodes.get(edge.from) && nodes.get(edge.to);
      })
      .map(visEdge)
      .filter(function (edge) {
        return !edges.get(edge.id);
      });
    edges.add(links);
    links.forEach(link);
    fillLabels();
    refresh();
    status("Loaded " + added.length + " nodes and " + links.length + " links around " + label(id));
    highlight(id);
    return added.length;
  }

  function expand(id) {
    if (!data.expandUrl) return Promise.resolve(0);
    status("Loading the neighbours of " + label(id) + "…");
    var url = data.expandUrl + (data.expandUrl.indexOf("?") < 0 ? "?" : "&") + "iri=" +
      encodeURIComponent(id);
    return fetch(url, { headers: { accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (graph) {
        return merge(id, graph);
      })
      .catch(function (error) {
        status("Could not load the neighbours of " + label(id) + ": " + error.message);
        return 0;
      });
  }

  // Labels must be readable at first sight: when fitting everything would shrink them, start
  // at a readable scale on the focus, or on the most recent years (today's models); "Fit all"
  // gives the overview.
  function startView(network) {
    if (data.focus.length) {
      highlight(data.focus[0], "now");
      return;
    }
    network.fit();
    if (network.getScale() >= READABLE || data.layout !== "time" || !data.axis) return;
    var width = $("lineage-network").clientWidth / READABLE;
    var lanes = data.axis.lanes.filter(function (lane) {
      return lane.kind === "architecture" || lane.kind === "model";
    });
    var right = 0;
    nodes.forEach(function (node) {
      if (node.kind === "model" || node.kind === "architecture") right = Math.max(right, node.x);
    });
    var top = lanes.length ? lanes[0].top : 0;
    var height = $("lineage-network").clientHeight / READABLE;
    network.moveTo({
      position: { x: right - width / 2 + 120, y: top + height / 2 - 2 * data.row },
      scale: READABLE,
    });
  }

  // ---- wiring ---------------------------------------------------------------------------------
  function start() {
    var container = $("lineage-network");
    data.options.nodes.chosen = { node: chosenNode, label: chosenLabel };
    data.options.edges.chosen = { edge: chosenEdge, label: false };
    var network = new vis.Network(container, { nodes: nodeView, edges: edges }, data.options);
    view.network = network;
    marks.network = performance.now();
    setDimmed = common.dimmer(network);
    if (data.axis) {
      network.on("beforeDrawing", drawAxis);
      network.on("afterDrawing", drawAxisLabels);
    }
    network.on("afterDrawing", drawLitLabels);
    network.on("animationFinished", function () {
      view.moving = false;
    });
    network.once("afterDrawing", function () {
      // A link may name a node to focus (lineage.html#focus=Sora: the static site's pages,
      // where no server filters the graph).
      var asked = new URLSearchParams(window.location.hash.slice(1)).get("focus");
      if (asked) {
        $("lineage-search").value = asked;
        var found = find(asked);
        if (found !== null) focusNode(found);
      }
      view.ready = true;
      view.readyAt = marks.drawn = performance.now();
      document.body.dataset.ready = "true";
      // A physics layout is fitted when it settles, which can shrink labels out of reach.
      if (data.layout === "physics" && network.getScale() < READABLE) {
        network.moveTo({ scale: READABLE });
      }
    });
    if (data.layout === "physics" && nodes.length > data.freezeAfter) {
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: { enabled: false } });
      });
    }
    common.dropStaleTooltips(network, container);
    network.on("click", function (params) {
      if (params.nodes.length) highlight(params.nodes[0]);
      else if (!params.edges.length) clear();
    });
    network.on("doubleClick", function (params) {
      if (params.nodes.length && data.expandUrl) expand(params.nodes[0]);
    });
    $("lineage-search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("lineage-search").value;
      var id = find(text);
      if (id === null) status("No node matches “" + text + "”");
      else focusNode(id);
    });
    $("lineage-fit").addEventListener("click", function () {
      network.fit({ animation: { duration: 300 } });
    });
    $("lineage-clear").addEventListener("click", function () {
      $("lineage-search").value = "";
      clear();
      refresh();
    });
    document.querySelectorAll("input[data-kind]").forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked) hiddenKinds.delete(box.dataset.kind);
        else hiddenKinds.add(box.dataset.kind);
        refresh();
      });
    });
    ["lineage-year-from", "lineage-year-to"].forEach(function (name) {
      $(name).addEventListener("change", function () {
        years.from = readYear($("lineage-year-from"));
        years.to = readYear($("lineage-year-to"));
        refresh();
      });
    });
    fillLabels();
    startView(network);
  }

  view.highlight = highlight;
  view.clear = clear;
  view.find = find;
  view.focusNode = focusNode;
  view.expand = expand;
  view.visibleCount = function () {
    return nodeView.length;
  };
  start();
})();
