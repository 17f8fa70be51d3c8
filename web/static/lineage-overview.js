/* The lineage page for graphs too big to draw whole: an overview that loads and expands on
 * demand.
 *
 * The page carries only the first view (kg.render.lineage_html._overview_parts): one circle
 * per kind and year (its size says how many things it holds, the links between circles how
 * many lines of descent join them). The rest comes in chunks when asked for: "names" (every
 * node's IRI and label) for search and focus, "c<i>-<k>" (the k-th part of circle i's
 * members: their facts and every link at them) when a circle opens or a lineage passes
 * through it. A chunk is inlined in a standalone file (<script id="lineage-chunk-NAME">,
 * parsed when needed) or fetched from data.chunkUrl, relative to the page (the static site's
 * files, the web app's route). Nodes are numbered circle by circle. Ancestry is walked on the chunks loaded (lineage-common.js),
 * loading the chunks a walk reaches, so a click costs the size of the chain, not of the
 * graph. Exposes window.lineageView (the full view's names) for tests and benchmarks.
 */
(function () {
  "use strict";

  var common = window.lineageCommon;

  var SLOT = 260; // width of a member's place in a year's column
  var COLUMNS = 3; // member places across a year's column
  var ROW = 56;
  var LANE_GAP = 260;
  var CLOSED_WIDTH = 300; // a year's column with circles only
  var GROUP_FONT = 50;
  var OPEN_LIMIT = 90; // members shown when a circle opens (most connected first)
  var CHAIN_LIMIT = 400; // nodes of one lineage drawn at most
  var NEAR_LIMIT = 40; // direct neighbours drawn at most
  var READABLE = 0.75;
  var LIT_FONT = 13;
  var MAX_PATHS = 12;
  var SEARCH_SHOWN = 30;

  var setDimmed = null; // the veil over all but the lit part (lineage-common.js)
  var marks = { start: performance.now() };
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  marks.parsed = performance.now();
  var count = data.total;
  var descent = new Set(data.descent);

  // ---- circles: one per kind and year (undated last), members numbered circle by circle ----
  var groups = [];
  var groupIndex = new Map();
  var groupOf = new Int32Array(count);
  var years = new Int32Array(count);
  var first = 0;
  data.circles.forEach(function (circle, number) {
    var group = {
      id: "group:" + number,
      kind: circle[0],
      year: circle[1],
      first: first,
      size: circle[2],
      open: false,
    };
    groupOf.fill(number, first, first + group.size);
    years.fill(group.year, first, first + group.size);
    groupIndex.set(group.kind + ":" + group.year, number);
    groups.push(group);
    first += group.size;
  });
  var yearList = groups
    .map(function (group) { return group.year; })
    .filter(function (year, at, all) { return year && all.indexOf(year) === at; })
    .sort(function (a, b) { return a - b; });
  var yearColumn = new Map();
  yearList.forEach(function (year, column) {
    yearColumn.set(year, column);
  });
  var undatedColumn = yearList.length;
  // Lines of descent between circles, counted once per pair.
  var groupLinks = new Map();
  for (var l = 0; l < data.circleLinks.length; l += 3) {
    groupLinks.set(data.circleLinks[l] + ">" + data.circleLinks[l + 1], data.circleLinks[l + 2]);
  }
  marks.grouped = performance.now();

  // ---- what the chunks loaded so far tell (undefined until a node's chunk is loaded) -------
  var ids = null; // from "names": node number → IRI
  var labels = null;
  var index = new Map(); // IRI → node number
  var dates = new Array(count);
  var vendors = new Array(count);
  var urls = new Array(count);
  var sources = new Array(count);
  var outs = new Array(count); // edges {from, to, relation, sources} from a node
  var ins = new Array(count); // edges {from, to, relation} into a node
  var requests = new Map(); // chunk name → Promise of its JSON

  function chunk(name) {
    if (!requests.has(name)) {
      var asked = read(name).catch(function (error) {
        requests.delete(name); // asked again next time
        throw error;
      });
      requests.set(name, asked);
    }
    return requests.get(name);
  }

  function read(name) {
    var inline = document.getElementById("lineage-chunk-" + name);
    if (inline) {
      return Promise.resolve().then(function () {
        return JSON.parse(inline.textContent);
      });
    }
    var url = data.chunkUrl.replace("{name}", name);
    return fetch(url, { headers: { accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  function loadNames() {
    if (ids !== null) return Promise.resolve();
    return chunk("names").then(function (names) {
      if (ids !== null) return;
      var list = new Array(count);
      for (var n = 0; n < count; n++) {
        list[n] = names.spaces[names.ids[n][0]] + names.ids[n][1];
        index.set(list[n], n);
      }
      labels = names.labels;
      ids = list;
      marks.names = performance.now();
    });
  }

  // The chunk that holds node ``n``: its circle's part.
  function partOf(n) {
    var number = groupOf[n];
    return "c" + number + "-" + Math.floor((n - groups[number].first) / data.chunkNodes);
  }

  function fill(part) {
    if (outs[part.first] !== undefined) return;
    var names = function (list) {
      return list.map(function (s) { return part.sourceNames[s]; });
    };
    for (var k = 0; k < part.dates.length; k++) {
      var n = part.first + k;
      dates[n] = part.dates[k];
      vendors[n] = part.vendors[k];
      urls[n] = part.urls[k];
      sources[n] = names(part.sources[k]);
      outs[n] = [];
      ins[n] = [];
    }
    var relation = function (code) { return data.relationNames[code]; };
    for (var e = 0; e < part.out.length; e += 3) {
      outs[part.out[e]].push({
        from: part.out[e],
        to: part.out[e + 1],
        relation: relation(part.out[e + 2]),
        sources: names(part.outSources[e / 3]),
      });
    }
    for (var i = 0; i < part.in.length; i += 3) {
      ins[part.in[i + 1]].push({ from: part.in[i], to: part.in[i + 1], relation: relation(part.in[i + 2]) });
    }
  }

  // The names and the chunks of the nodes of ``list`` (node numbers), loaded in parallel.
  function loadNodes(list) {
    var wanted = new Set();
    list.forEach(function (n) {
      if (outs[n] === undefined) wanted.add(partOf(n));
    });
    var asked = [loadNames()];
    wanted.forEach(function (name) {
      asked.push(chunk(name).then(fill));
    });
    return Promise.all(asked);
  }

  function isDescent(edge) {
    return descent.has(edge.relation);
  }

  // ---- what is drawn ----------------------------------------------------------------------------
  var shown = new Set(); // member node numbers drawn
  var hiddenKinds = new Set();
  var range = { from: null, to: null };
  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
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
    groups: groups,
    total: count,
  };
  window.lineageView = view;

  function $(name) {
    return document.getElementById(name);
  }

  function status(text) {
    $("lineage-status").textContent = text;
  }

  function kindName(n) {
    return data.kindsOrder[groups[groupOf[n]].kind];
  }

  function short(text) {
    return text.length > 34 ? text.slice(0, 33) + "…" : text;
  }

  function groupLabel(group) {
    var style = data.kindStyles[data.kindsOrder[group.kind]];
    var when = group.year ? String(group.year) : "undated";
    return style.label + " " + when + " · " + group.size.toLocaleString("en");
  }

  function tooltip(n) {
    var lines = [labels[n], kindName(n) + " · " + (dates[n] || "undated")];
    if (vendors[n]) lines.push("vendor: " + vendors[n]);
    if (sources[n].length) lines.push("sources: " + sources[n].join("; "));
    return lines.join("\n");
  }

  function memberItem(n) {
    var kind = kindName(n);
    var style = data.kindStyles[kind];
    var item = {
      id: ids[n],
      label: short(labels[n]),
      fullLabel: labels[n],
      title: tooltip(n),
      group: kind,
      kind: kind,
      shape: style.shape,
      year: years[n] || null,
      number: n,
    };
    if (style.size) item.size = style.size;
    return item;
  }

  function groupItem(group) {
    var kind = data.kindsOrder[group.kind];
    var style = data.kindStyles[kind];
    return {
      id: group.id,
      label: group.size.toLocaleString("en"),
      fullLabel: groupLabel(group),
      title: groupLabel(group) + "\n" + (group.open ? "click to close" : "click to open"),
      shape: "dot",
      size: 16 + 12 * Math.log10(group.size + 1),
      group: "circle-" + kind,
      kind: kind,
      year: group.year || null,
      isGroup: true,
      borderWidth: group.open ? 3 : 1,
      font: { size: GROUP_FONT, face: "system-ui, sans-serif" },
    };
  }

  // Places: a column per year (undated last), a lane per kind; a circle sits at the top of its
  // column in its lane, its drawn members in rows of COLUMNS places below it. Recomputed for
  // everything drawn (a few hundred nodes) whenever that changes.
  function place() {
    var slots = new Map();
    shown.forEach(function (n) {
      var group = groupOf[n];
      if (!slots.has(group)) slots.set(group, []);
      slots.get(group).push(n);
    });
    var laneRows = new Map();
    slots.forEach(function (members, group) {
      var kind = groups[group].kind;
      var rows = Math.ceil(members.length / COLUMNS);
      laneRows.set(kind, Math.max(laneRows.get(kind) || 0, rows));
    });
    var lanes = [];
    var top = 0;
    data.kindsOrder.forEach(function (kind, number) {
      if (!groups.some(function (group) { return group.kind === number; })) return;
      var rows = laneRows.get(number) || 0;
      lanes.push({ kind: number, label: data.kindStyles[kind].label, top: top, rows: rows });
      top += ROW * (rows + 1) + LANE_GAP + GROUP_FONT;
    });
    var wide = new Map(); // year column → member places across it
    slots.forEach(function (members, group) {
      var column = groups[group].year ? yearColumn.get(groups[group].year) : undatedColumn;
      wide.set(column, Math.max(wide.get(column) || 0, Math.min(members.length, COLUMNS)));
    });
    var columns = [];
    var left = 0;
    for (var column = 0; column <= undatedColumn; column++) {
      var width = Math.max(CLOSED_WIDTH, (wide.get(column) || 0) * SLOT + 60);
      var name = column < undatedColumn ? String(yearList[column]) : "undated";
      columns.push({ name: name, x: left, width: width });
      left += width;
    }
    view.columns = columns;
    var laneTop = new Map();
    lanes.forEach(function (lane) {
      laneTop.set(lane.kind, lane.top);
    });
    var spots = {};
    groups.forEach(function (group) {
      var column = columns[group.year ? yearColumn.get(group.year) : undatedColumn];
      spots[group.id] = { x: column.x + column.width / 2, y: laneTop.get(group.kind) };
    });
    slots.forEach(function (members, group) {
      var origin = spots[groups[group].id];
      members.sort(function (a, b) {
        return (dates[a] || "").localeCompare(dates[b] || "") || a - b;
      });
      members.forEach(function (n, slot) {
        spots[ids[n]] = {
          x: origin.x + (slot % COLUMNS - (COLUMNS - 1) / 2) * SLOT,
          y: origin.y + 3 * GROUP_FONT + ROW * Math.floor(slot / COLUMNS),
        };
      });
    });
    view.lanes = lanes;
    return spots;
  }

  function isVisible(item) {
    if (hiddenKinds.has(item.kind)) return false;
    if (!item.year) return true;
    if (range.from !== null && item.year < range.from) return false;
    if (range.to !== null && item.year > range.to) return false;
    return true;
  }
  var nodeView = new vis.DataView(nodes, { filter: isVisible });

  // Bring the drawn set up to date in one batch per DataSet: positions of everything, new
  // members and their links, group links between circles.
  function redraw() {
    var spots = place();
    var wanted = new Set(groups.map(function (group) { return group.id; }));
    shown.forEach(function (n) {
      wanted.add(ids[n]);
    });
    var gone = nodes.getIds().filter(function (id) {
      return !wanted.has(id);
    });
    nodes.remove(gone);
    var items = groups.map(groupItem);
    shown.forEach(function (n) {
      items.push(memberItem(n));
    });
    items.forEach(function (item) {
      item.x = spots[item.id].x;
      item.y = spots[item.id].y;
    });
    nodes.update(items);
    edges.clear();
    edges.add(linkItems());
    refreshCounts();
  }

  function linkItems() {
    var items = [];
    shown.forEach(function (n) {
      outs[n].forEach(function (edge) {
        if (shown.has(edge.to)) items.push(edgeItem(edge));
      });
    });
    groupLinks.forEach(function (total, pair) {
      var ends = pair.split(">");
      items.push({
        id: "link:" + pair,
        from: groups[+ends[0]].id,
        to: groups[+ends[1]].id,
        arrows: "to",
        width: Math.min(1 + Math.log10(total) * 1.5, 6),
        color: { color: "#c9b3b0", highlight: "#c0392b" },
        title: total.toLocaleString("en") + " lines of descent",
        relation: "group",
      });
    });
    return items;
  }

  function edgeId(edge) {
    return ids[edge.from] + "|" + edge.relation + "|" + ids[edge.to];
  }

  function edgeItem(edge) {
    var style = data.relations[edge.relation];
    var title = labels[edge.from] + " → " + labels[edge.to] + "\n" + style.label;
    if (edge.sources.length) title += "\nsources: " + edge.sources.join("; ");
    return {
      id: edgeId(edge),
      from: ids[edge.from],
      to: ids[edge.to],
      relation: edge.relation,
      arrows: "to",
      width: style.width,
      color: { color: style.color, highlight: style.color },
      title: title,
    };
  }

  function refreshCounts() {
    status(
      count.toLocaleString("en") + " nodes in " + groups.length + " circles; " +
        shown.size.toLocaleString("en") + " drawn"
    );
  }

  // ---- opening circles, showing nodes ------------------------------------------------------
  function memberList(group) {
    var list = [];
    for (var n = group.first; n < group.first + group.size; n++) list.push(n);
    return list;
  }

  function toggleGroup(group) {
    if (group.open) {
      group.open = false;
      var keep = new Set(view.state.line.concat(view.state.neighbours));
      memberList(group).forEach(function (n) {
        if (!keep.has(ids[n])) shown.delete(n);
      });
      redraw();
      status(groupLabel(group) + " closed");
      return Promise.resolve(group.id);
    }
    status("Loading " + groupLabel(group) + "…");
    return loadNodes(memberList(group).slice(0, OPEN_LIMIT)).then(function () {
      group.open = true;
      memberList(group).slice(0, OPEN_LIMIT).forEach(function (n) {
        shown.add(n);
      });
      redraw();
      var more = group.size - OPEN_LIMIT;
      status(
        groupLabel(group) + " opened" +
          (more > 0 ? ": the " + OPEN_LIMIT + " most linked shown, find the " +
            more.toLocaleString("en") + " others by name" : "")
      );
      return group.id;
    }, failed);
  }

  function failed(error) {
    status("Could not load part of the graph: " + error.message);
    return null;
  }

  // ---- ancestry: the walks of lineage-common.js on the chunks loaded -------------------------
  var missing = null; // nodes a walk reached but had not loaded

  function descentOf(n, forward) {
    var list = (forward ? outs : ins)[n];
    if (list === undefined) {
      missing.add(n);
      return [];
    }
    var found = [];
    list.forEach(function (edge) {
      if (isDescent(edge)) found.push(forward ? edge.to : edge.from);
    });
    return found;
  }

  // Walk, load the chunks of the nodes the walk reached but could not enter, walk again: each
  // round goes one link further, and a round needs no load once the whole lineage is at hand.
  function lineageOf(n) {
    missing = new Set();
    var found = {
      up: common.walk(descentOf, n, true, CHAIN_LIMIT),
      down: common.walk(descentOf, n, false, CHAIN_LIMIT),
      paths: common.chains(descentOf, n, MAX_PATHS),
    };
    var need = Array.from(missing);
    missing = null;
    if (!need.length) return Promise.resolve(found);
    return loadNodes(need).then(function () {
      return lineageOf(n);
    });
  }

  function neighboursOf(n) {
    var near = new Set();
    [outs[n], ins[n]].forEach(function (list, backward) {
      for (var k = 0; k < list.length && near.size < NEAR_LIMIT; k++) {
        near.add(backward ? list[k].from : list[k].to);
      }
    });
    return near;
  }

  // vis groups: one per kind for members (the full view's colours), one per kind for circles
  // (dark names under them).
  var styles = {};
  Object.keys(data.groups).forEach(function (kind) {
    styles[kind] = data.groups[kind];
    styles["circle-" + kind] = { color: data.groups[kind].color, font: { color: "#222222" } };
  });

  var asked = 0; // the latest highlight asked for: an earlier one still loading gives way

  // Light up a node's lineage, loading the chunks it passes through first. Returns a promise
  // of whether ``id`` is a node of the graph.
  function highlight(id, fit) {
    var ticket = ++asked;
    var n;
    return loadNames()
      .then(function () {
        n = index.get(id);
        if (n === undefined) return null;
        return loadNodes([n]).then(function () { return lineageOf(n); });
      })
      .then(function (found) {
        if (!found) return null;
        found.near = neighboursOf(n);
        found.line = new Set([n]);
        found.up.forEach(function (m) { found.line.add(m); });
        found.down.forEach(function (m) { found.line.add(m); });
        var drawn = Array.from(found.line).concat(Array.from(found.near));
        return loadNodes(drawn).then(function () { return found; });
      })
      .then(function (found) {
        if (!found) return false;
        if (ticket === asked) light(n, found, fit);
        return true;
      }, failed);
  }

  function light(n, found, fit) {
    var id = ids[n];
    var line = found.line;
    line.forEach(function (m) { shown.add(m); });
    found.near.forEach(function (m) { shown.add(m); });
    redraw();
    var lit = Array.from(line).concat(Array.from(found.near)).map(function (m) { return ids[m]; });
    var litEdges = [];
    line.forEach(function (m) {
      outs[m].forEach(function (edge) {
        if ((isDescent(edge) && line.has(edge.to)) || m === n) litEdges.push(edgeId(edge));
      });
    });
    ins[n].forEach(function (edge) {
      litEdges.push(edgeId(edge));
    });
    setDimmed(true);
    view.network.setSelection(
      {
        nodes: lit.filter(function (node) { return nodeView.get(node) !== null; }),
        edges: litEdges.filter(function (edge) { return edges.get(edge) !== null; }),
      },
      { unselectAll: true, highlightEdges: false }
    );
    var named = function (set) {
      return Array.from(set).map(function (m) { return ids[m]; });
    };
    view.state = {
      selected: id,
      line: named(line),
      ancestors: named(found.up),
      descendants: named(found.down),
      neighbours: named(found.near),
    };
    document.body.dataset.selected = id;
    showInfo(n, found);
    if (fit !== false) fitChain(view.state.line, fit === "now" ? 0 : 350);
  }

  function clear() {
    setDimmed(false);
    view.network.unselectAll();
    view.state = { selected: null, line: [], ancestors: [], descendants: [], neighbours: [] };
    delete document.body.dataset.selected;
  }

  // The chain's nodes (and half a member's place around them) fill the canvas, with room on
  // the left for the lane names.
  function fitChain(list, duration) {
    var at = view.network.getPositions(
      list.filter(function (id) { return nodeView.get(id) !== null; })
    );
    var spots = [];
    Object.keys(at).forEach(function (id) {
      spots.push({ x: at[id].x - SLOT / 2, y: at[id].y - ROW }, { x: at[id].x + SLOT / 2, y: at[id].y + ROW });
    });
    common.fit(view, $("lineage-network"), spots, {
      margin: { left: 120, right: 20, top: 30, bottom: 30 },
      maxScale: 1.2,
      duration: duration,
    });
  }

  // Everything drawn, with room on the left for the lane names.
  function fitAll(duration) {
    fitChain(nodes.getIds(), duration);
  }

  function showInfo(n, found) {
    var facts = [data.kindStyles[kindName(n)].label, dates[n] || "undated"];
    if (vendors[n]) facts.push(vendors[n]);
    var counts = found.up.size + " ancestors, " + found.down.size + " descendants";
    if (found.up.size >= CHAIN_LIMIT || found.down.size >= CHAIN_LIMIT) {
      counts += " (the first " + CHAIN_LIMIT + " drawn)";
    }
    common.info($("lineage-info"), {
      title: labels[n],
      facts: facts,
      href: urls[n] ? data.entityBase + urls[n] + (data.entitySuffix || "") : null,
      paths: found.paths.map(function (path) {
        return path.map(function (m) { return labels[m]; });
      }),
      counts: counts,
      sources: sources[n],
    });
  }

  // ---- search --------------------------------------------------------------------------------
  function matches(text, limit) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) return [];
    var found = [[], [], []];
    for (var n = 0; n < count; n++) {
      var name = labels[n].toLowerCase();
      var at = name.indexOf(wanted);
      if (at < 0) continue;
      var rank = name === wanted ? 0 : at === 0 ? 1 : 2;
      if (found[rank].length < limit) found[rank].push(n);
      if (found[0].length >= limit) break;
    }
    return found[0].concat(found[1], found[2]).slice(0, limit);
  }

  // The IRI of the node best named by ``text`` (a promise; null: none), once names are in.
  function find(text) {
    return loadNames().then(function () {
      var found = matches(text, 1);
      return found.length ? ids[found[0]] : null;
    });
  }

  function focusNode(id) {
    var n = index.get(id);
    if (n === undefined) return Promise.resolve(false);
    var kind = kindName(n);
    if (hiddenKinds.has(kind) || (years[n] && !inRange(years[n]))) {
      hiddenKinds.delete(kind);
      var box = document.querySelector('input[data-kind="' + kind + '"]');
      if (box) box.checked = true;
      range.from = range.to = null;
      $("lineage-year-from").value = "";
      $("lineage-year-to").value = "";
      nodeView.refresh();
    }
    return highlight(id);
  }

  function focusNamed(text) {
    return find(text).then(function (id) {
      if (id !== null) return focusNode(id);
      status("No node matches “" + text + "”");
      return false;
    }, failed);
  }

  function inRange(year) {
    return (range.from === null || year >= range.from) && (range.to === null || year <= range.to);
  }

  function suggest() {
    if (labels === null) {
      loadNames().then(suggest, failed);
      return;
    }
    var list = $("lineage-labels");
    var fragment = document.createDocumentFragment();
    matches($("lineage-search").value, SEARCH_SHOWN).forEach(function (n) {
      var option = document.createElement("option");
      option.value = labels[n];
      fragment.appendChild(option);
    });
    list.replaceChildren(fragment);
  }

  // ---- axis: a column per year, a band per lane, names at the visible edges --------------------
  function drawAxis(ctx) {
    var lanes = view.lanes || [];
    var columns = view.columns || [];
    var last = columns[columns.length - 1];
    var right = last ? last.x + last.width : 0;
    var lowest = lanes[lanes.length - 1];
    var bottom = lowest ? lowest.top + ROW * (lowest.rows + 1) + GROUP_FONT + ROW : 0;
    ctx.save();
    lanes.forEach(function (lane, number) {
      ctx.fillStyle = number % 2 ? "rgba(0,0,0,0.02)" : "rgba(0,0,0,0.045)";
      var height = ROW * (lane.rows + 1) + GROUP_FONT + LANE_GAP / 2;
      ctx.fillRect(-400, lane.top - ROW, right + 800, height);
    });
    ctx.strokeStyle = "rgba(0,0,0,0.1)";
    columns.forEach(function (column) {
      ctx.beginPath();
      ctx.moveTo(column.x, -ROW * 2);
      ctx.lineTo(column.x, bottom);
      ctx.stroke();
    });
    ctx.restore();
  }

  // Year names at the top edge, skipped where one would run into the one before (as in the
  // full view); lane names at the left edge.
  function drawAxisLabels(ctx) {
    var network = view.network;
    var px = 1 / network.getScale();
    var corner = network.DOMtoCanvas({ x: 0, y: 0 });
    ctx.save();
    ctx.font = "600 " + 13 * px + "px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(corner.x, corner.y, 1e7, 22 * px);
    ctx.fillStyle = "#444";
    var marks = (view.columns || []).map(function (column) {
      return { text: column.name, x: column.x + 4 * px };
    });
    view.yearMarks = common.yearMarks(ctx, px, marks);
    view.yearMarks.forEach(function (mark) {
      ctx.fillText(mark.text, mark.x, corner.y + 4 * px);
    });
    ctx.textBaseline = "middle";
    (view.lanes || []).forEach(function (lane) {
      var width = ctx.measureText(lane.label).width;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(corner.x + 4 * px, lane.top - 9 * px, width + 8 * px, 18 * px);
      ctx.fillStyle = "#444";
      ctx.fillText(lane.label, corner.x + 8 * px, lane.top);
    });
    ctx.restore();
  }

  function chosenLabel(values, id, selected) {
    // Zoomed out, lineage-common.js writes the lit labels at a readable size instead.
    if (selected && view.network.getScale() < READABLE) values.color = "rgba(0,0,0,0)";
  }

  function drawLitLabels(ctx) {
    common.drawLitLabels(ctx, view, $("lineage-network"), {
      readable: READABLE,
      size: LIT_FONT,
      shown: function (id) {
        return nodeView.get(id) !== null;
      },
      label: function (id) {
        return short(labels[index.get(id)]);
      },
    });
  }

  // ---- wiring --------------------------------------------------------------------------------
  function start() {
    redraw();
    var container = $("lineage-network");
    var options = {
      physics: { enabled: false },
      layout: { improvedLayout: false },
      interaction: { hover: false, tooltipDelay: 120, multiselect: false, hideEdgesOnDrag: true },
      nodes: {
        font: { size: 14, face: "system-ui, sans-serif" },
        borderWidth: 1,
        chosen: { label: chosenLabel },
      },
      edges: { smooth: false, arrows: { to: { enabled: true, scaleFactor: 0.55 } }, selectionWidth: 1.5 },
      groups: styles,
    };
    var network = new vis.Network(container, { nodes: nodeView, edges: edges }, options);
    view.network = network;
    marks.network = performance.now();
    network.on("beforeDrawing", drawAxis);
    setDimmed = common.dimmer(network);
    network.on("afterDrawing", drawAxisLabels);
    network.on("afterDrawing", drawLitLabels);
    network.on("animationFinished", function () {
      view.moving = false;
    });
    network.once("afterDrawing", function () {
      var asked = new URLSearchParams(window.location.hash.slice(1)).get("focus");
      if (!asked && !data.focus.length) fitAll(0);
      view.ready = true;
      view.readyAt = marks.drawn = performance.now();
      document.body.dataset.ready = "true";
      // The focus, or the names for a search to come, load once the circles are up.
      if (asked) {
        $("lineage-search").value = asked;
        focusNamed(asked);
      } else if (data.focus.length) {
        loadNames().then(function () { return focusNode(ids[data.focus[0]]); }, failed);
      } else {
        setTimeout(function () { loadNames().catch(failed); }, 0);
      }
    });
    common.dropStaleTooltips(network, container);
    network.on("click", function (params) {
      if (!params.nodes.length) {
        if (!params.edges.length) clear();
        return;
      }
      var id = params.nodes[0];
      var item = nodes.get(id);
      if (item && item.isGroup) toggleGroup(groups[+id.slice(6)]);
      else highlight(id);
    });
    // A node's neighbours come with its highlight; a double-click shows them where they are.
    network.on("doubleClick", function (params) {
      if (params.nodes.length && index.has(params.nodes[0])) highlight(params.nodes[0], false);
    });
    $("lineage-search").addEventListener("input", suggest);
    $("lineage-search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      focusNamed($("lineage-search").value);
    });
    $("lineage-fit").addEventListener("click", function () {
      fitAll(300);
    });
    $("lineage-clear").addEventListener("click", function () {
      $("lineage-search").value = "";
      clear();
      shown.clear();
      groups.forEach(function (group) {
        group.open = false;
      });
      redraw();
    });
    document.querySelectorAll("input[data-kind]").forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked) hiddenKinds.delete(box.dataset.kind);
        else hiddenKinds.add(box.dataset.kind);
        nodeView.refresh();
      });
    });
    ["lineage-year-from", "lineage-year-to"].forEach(function (name) {
      $(name).addEventListener("change", function () {
        var low = parseInt($("lineage-year-from").value, 10);
        var high = parseInt($("lineage-year-to").value, 10);
        range.from = isNaN(low) ? null : low;
        range.to = isNaN(high) ? null : high;
        nodeView.refresh();
      });
    });
  }

  view.highlight = highlight;
  view.clear = clear;
  view.find = find;
  view.focusNode = focusNode;
  view.loadNames = loadNames;
  view.openGroup = function (kind, year) {
    var group = groups[groupIndex.get(data.kindsOrder.indexOf(kind) + ":" + (year || 0))];
    if (!group) return Promise.resolve(null);
    return group.open ? Promise.resolve(group.id) : toggleGroup(group);
  };
  view.visibleCount = function () {
    return nodeView.length;
  };
  start();
})();
