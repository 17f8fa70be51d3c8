/* The lineage page for graphs too big to draw whole: an overview that expands on demand.
 *
 * Reads the compact graph of kg.render.lineage_html._overview_data from <script
 * id="lineage-data">: every node and edge, as columns. vis-network draws only what is asked
 * for: one circle per kind and year (its size says how many things it holds, the links
 * between circles how many lines of descent join them), the members of the circles a user
 * opens, and the lineage of what a user clicks or finds. Ancestry is walked on adjacency
 * arrays built once, so a click costs the size of the chain, not of the graph. Exposes
 * window.lineageView (the full view's names) for tests and benchmarks.
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
  var DIM_NODE = { background: "#ececec", border: "#d9d9d9" };
  var DIM_FONT = "#c8c8c8";

  var marks = { start: performance.now() };
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  marks.parsed = performance.now();
  var count = data.labels.length;
  var ids = new Array(count);
  var years = new Int32Array(count);
  var index = new Map();
  for (var i = 0; i < count; i++) {
    ids[i] = data.spaces[data.ids[i][0]] + data.ids[i][1];
    index.set(ids[i], i);
    var date = data.dates[i];
    years[i] = date ? parseInt(date.slice(0, 4), 10) : 0;
  }
  var descentCodes = new Set(
    data.descent.map(function (name) {
      return data.relationNames.indexOf(name);
    })
  );

  // Adjacency in compressed rows: out[outStart[n] .. outStart[n+1]) are edge numbers.
  function adjacency(column) {
    var starts = new Int32Array(count + 1);
    var edgeCount = data.edges.length / 3;
    for (var e = 0; e < edgeCount; e++) starts[data.edges[3 * e + column] + 1]++;
    for (var n = 0; n < count; n++) starts[n + 1] += starts[n];
    var fill = starts.slice(0, count);
    var list = new Int32Array(edgeCount);
    for (var f = 0; f < edgeCount; f++) list[fill[data.edges[3 * f + column]]++] = f;
    return { starts: starts, list: list };
  }
  var out = adjacency(0);
  var into = adjacency(1);
  marks.indexed = performance.now();

  function edgesAt(n, forward) {
    var table = forward ? out : into;
    return table.list.subarray(table.starts[n], table.starts[n + 1]);
  }

  function isDescent(e) {
    return descentCodes.has(data.edges[3 * e + 2]);
  }

  // ---- groups: one per kind and year (undated last) -----------------------------------------
  var yearList = Array.from(new Set(Array.from(years).filter(Boolean))).sort(function (a, b) {
    return a - b;
  });
  var yearColumn = new Map();
  yearList.forEach(function (year, column) {
    yearColumn.set(year, column);
  });
  var undatedColumn = yearList.length;
  var groupOf = new Int32Array(count);
  var groups = [];
  var groupIndex = new Map();
  for (var g = 0; g < count; g++) {
    var key = data.kinds[g] + ":" + years[g];
    if (!groupIndex.has(key)) {
      groupIndex.set(key, groups.length);
      groups.push({ kind: data.kinds[g], year: years[g], members: [], open: false });
    }
    groupOf[g] = groupIndex.get(key);
    groups[groupOf[g]].members.push(g);
  }
  function degree(n) {
    return out.starts[n + 1] - out.starts[n] + into.starts[n + 1] - into.starts[n];
  }
  groups.forEach(function (group, number) {
    group.id = "group:" + number;
    group.members.sort(function (a, b) {
      return degree(b) - degree(a);
    });
  });
  // Lines of descent between groups, counted once per pair.
  var groupLinks = new Map();
  for (var e = 0; e < data.edges.length / 3; e++) {
    if (!isDescent(e)) continue;
    var from = groupOf[data.edges[3 * e]];
    var to = groupOf[data.edges[3 * e + 1]];
    if (from === to) continue;
    var pair = from + ">" + to;
    groupLinks.set(pair, (groupLinks.get(pair) || 0) + 1);
  }
  marks.grouped = performance.now();

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
    return data.kindsOrder[data.kinds[n]];
  }

  function short(text) {
    return text.length > 34 ? text.slice(0, 33) + "…" : text;
  }

  function groupLabel(group) {
    var style = data.kindStyles[data.kindsOrder[group.kind]];
    var when = group.year ? String(group.year) : "undated";
    return style.label + " " + when + " · " + group.members.length.toLocaleString("en");
  }

  function tooltip(n) {
    var lines = [data.labels[n], kindName(n) + " · " + (data.dates[n] || "undated")];
    if (data.vendors[n] >= 0) lines.push("vendor: " + data.vendorNames[data.vendors[n]]);
    if (data.sources[n].length) lines.push("sources: " + sourceNames(data.sources[n]).join("; "));
    return lines.join("\n");
  }

  function sourceNames(list) {
    return list.map(function (s) {
      return data.sourceNames[s];
    });
  }

  function memberItem(n) {
    var kind = kindName(n);
    var style = data.kindStyles[kind];
    var item = {
      id: ids[n],
      label: short(data.labels[n]),
      fullLabel: data.labels[n],
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
      label: group.members.length.toLocaleString("en"),
      fullLabel: groupLabel(group),
      title: groupLabel(group) + "\n" + (group.open ? "click to close" : "click to open"),
      shape: "dot",
      size: 16 + 12 * Math.log10(group.members.length + 1),
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
        return (data.dates[a] || "").localeCompare(data.dates[b] || "") || a - b;
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
      var list = edgesAt(n, true);
      for (var k = 0; k < list.length; k++) {
        var e = list[k];
        var to = data.edges[3 * e + 1];
        if (shown.has(to)) items.push(edgeItem(e));
      }
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

  function edgeItem(e) {
    var from = data.edges[3 * e];
    var to = data.edges[3 * e + 1];
    var relation = data.relationNames[data.edges[3 * e + 2]];
    var style = data.relations[relation];
    var title = data.labels[from] + " → " + data.labels[to] + "\n" + style.label;
    if (data.edgeSources[e].length) {
      title += "\nsources: " + sourceNames(data.edgeSources[e]).join("; ");
    }
    return {
      id: ids[from] + "|" + relation + "|" + ids[to],
      from: ids[from],
      to: ids[to],
      relation: relation,
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
  function toggleGroup(group) {
    group.open = !group.open;
    if (group.open) {
      group.members.slice(0, OPEN_LIMIT).forEach(function (n) {
        shown.add(n);
      });
    } else {
      var keep = new Set(view.state.line.concat(view.state.neighbours));
      group.members.forEach(function (n) {
        if (!keep.has(ids[n])) shown.delete(n);
      });
    }
    redraw();
    var more = group.members.length - OPEN_LIMIT;
    status(
      groupLabel(group) + (group.open ? " opened" : " closed") +
        (group.open && more > 0 ? ": the " + OPEN_LIMIT + " most linked shown, find the " +
          more.toLocaleString("en") + " others by name" : "")
    );
  }

  // ---- ancestry ----------------------------------------------------------------------------
  function walk(start, forward, limit) {
    var seen = new Set();
    var queue = [start];
    for (var head = 0; head < queue.length && seen.size < limit; head++) {
      var list = edgesAt(queue[head], forward);
      for (var k = 0; k < list.length; k++) {
        if (!isDescent(list[k])) continue;
        var other = data.edges[3 * list[k] + (forward ? 1 : 0)];
        if (other !== start && !seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
    return seen;
  }

  function chains(start) {
    var paths = [];
    var stack = [[start]];
    while (stack.length && paths.length < MAX_PATHS * 4) {
      var path = stack.pop();
      var list = edgesAt(path[path.length - 1], true);
      var parents = [];
      for (var k = 0; k < list.length; k++) {
        var to = data.edges[3 * list[k] + 1];
        if (isDescent(list[k]) && path.indexOf(to) < 0) parents.push(to);
      }
      if (!parents.length && path.length > 1) paths.push(path);
      parents.forEach(function (parent) {
        stack.push(path.concat([parent]));
      });
    }
    paths.sort(function (a, b) {
      return a.length - b.length;
    });
    return paths.slice(0, MAX_PATHS);
  }

  // vis groups: one per kind for members (the full view's colours), one per kind for circles
  // (dark names under them). Dimming changes the groups, never the items one by one.
  var styles = {};
  Object.keys(data.groups).forEach(function (kind) {
    styles[kind] = data.groups[kind];
    styles["circle-" + kind] = { color: data.groups[kind].color, font: { color: "#222222" } };
  });

  function dimGroups(dim) {
    var result = {};
    Object.keys(styles).forEach(function (name) {
      result[name] = dim ? { color: DIM_NODE, font: { color: DIM_FONT } } : styles[name];
    });
    return result;
  }

  function setDimmed(dim) {
    view.network.setOptions({
      groups: dimGroups(dim),
      edges: { color: { opacity: dim ? 0.15 : 1 } },
    });
    if (dim) document.body.dataset.dimmed = "true";
    else delete document.body.dataset.dimmed;
  }

  function highlight(id, fit) {
    var n = index.get(id);
    if (n === undefined) return false;
    var up = walk(n, true, CHAIN_LIMIT);
    var down = walk(n, false, CHAIN_LIMIT);
    var near = new Set();
    [true, false].forEach(function (forward) {
      var list = edgesAt(n, forward);
      for (var k = 0; k < list.length && near.size < NEAR_LIMIT; k++) {
        near.add(data.edges[3 * list[k] + (forward ? 1 : 0)]);
      }
    });
    var line = new Set([n]);
    up.forEach(function (m) { line.add(m); });
    down.forEach(function (m) { line.add(m); });
    line.forEach(function (m) { shown.add(m); });
    near.forEach(function (m) { shown.add(m); });
    redraw();
    var lit = Array.from(line).concat(Array.from(near)).map(function (m) { return ids[m]; });
    var litEdges = [];
    line.forEach(function (m) {
      var list = edgesAt(m, true);
      for (var k = 0; k < list.length; k++) {
        var to = data.edges[3 * list[k] + 1];
        if ((isDescent(list[k]) && line.has(to)) || m === n) litEdges.push(edgeItem(list[k]).id);
      }
    });
    var incoming = edgesAt(n, false);
    for (var k = 0; k < incoming.length; k++) litEdges.push(edgeItem(incoming[k]).id);
    setDimmed(true);
    view.network.setSelection(
      {
        nodes: lit.filter(function (node) { return nodeView.get(node) !== null; }),
        edges: litEdges.filter(function (edge) { return edges.get(edge) !== null; }),
      },
      { unselectAll: true, highlightEdges: false }
    );
    view.state = {
      selected: id,
      line: Array.from(line).map(function (m) { return ids[m]; }),
      ancestors: Array.from(up).map(function (m) { return ids[m]; }),
      descendants: Array.from(down).map(function (m) { return ids[m]; }),
      neighbours: Array.from(near).map(function (m) { return ids[m]; }),
    };
    document.body.dataset.selected = id;
    showInfo(n, up, down);
    if (fit !== false) fitChain(view.state.line, fit === "now" ? 0 : 350);
    return true;
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

  function showInfo(n, up, down) {
    var facts = [data.kindStyles[kindName(n)].label, data.dates[n] || "undated"];
    if (data.vendors[n] >= 0) facts.push(data.vendorNames[data.vendors[n]]);
    var counts = up.size + " ancestors, " + down.size + " descendants";
    if (up.size >= CHAIN_LIMIT || down.size >= CHAIN_LIMIT) {
      counts += " (the first " + CHAIN_LIMIT + " drawn)";
    }
    common.info($("lineage-info"), {
      title: data.labels[n],
      facts: facts,
      href: data.urls[n] ? data.entityBase + data.urls[n] : null,
      paths: chains(n).map(function (path) {
        return path.map(function (m) { return data.labels[m]; });
      }),
      counts: counts,
      sources: sourceNames(data.sources[n]),
    });
  }

  // ---- search --------------------------------------------------------------------------------
  function matches(text, limit) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) return [];
    var found = [[], [], []];
    for (var n = 0; n < count; n++) {
      var name = data.labels[n].toLowerCase();
      var at = name.indexOf(wanted);
      if (at < 0) continue;
      var rank = name === wanted ? 0 : at === 0 ? 1 : 2;
      if (found[rank].length < limit) found[rank].push(n);
      if (found[0].length >= limit) break;
    }
    return found[0].concat(found[1], found[2]).slice(0, limit);
  }

  function find(text) {
    var found = matches(text, 1);
    return found.length ? ids[found[0]] : null;
  }

  function focusNode(id) {
    var n = index.get(id);
    if (n === undefined) return;
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
    highlight(id);
  }

  function inRange(year) {
    return (range.from === null || year >= range.from) && (range.to === null || year <= range.to);
  }

  function suggest() {
    var list = $("lineage-labels");
    var fragment = document.createDocumentFragment();
    matches($("lineage-search").value, SEARCH_SHOWN).forEach(function (n) {
      var option = document.createElement("option");
      option.value = data.labels[n];
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
    view.litLabels = [];
    var state = view.state;
    if (state.selected === null || view.network.getScale() >= READABLE) return;
    var order = [state.selected].concat(state.line, state.neighbours).filter(function (id) {
      return nodeView.get(id) !== null;
    });
    view.litLabels = common.litLabels(ctx, view.network, $("lineage-network"), order, {
      label: function (id) {
        return short(data.labels[index.get(id)]);
      },
      bold: state.selected,
      size: LIT_FONT,
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
    network.on("afterDrawing", drawAxisLabels);
    network.on("afterDrawing", drawLitLabels);
    network.on("animationFinished", function () {
      view.moving = false;
    });
    network.once("afterDrawing", function () {
      var asked = new URLSearchParams(window.location.hash.slice(1)).get("focus");
      var focus = asked ? find(asked) : data.focus[0] || null;
      if (asked) $("lineage-search").value = asked;
      if (focus !== null) focusNode(focus);
      else fitAll(0);
      view.ready = true;
      view.readyAt = marks.drawn = performance.now();
      document.body.dataset.ready = "true";
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
    network.on("doubleClick", function (params) {
      if (!params.nodes.length) return;
      var n = index.get(params.nodes[0]);
      if (n === undefined) return;
      [true, false].forEach(function (forward) {
        var list = edgesAt(n, forward);
        for (var k = 0; k < list.length && k < NEAR_LIMIT; k++) {
          shown.add(data.edges[3 * list[k] + (forward ? 1 : 0)]);
        }
      });
      highlight(params.nodes[0], false);
    });
    $("lineage-search").addEventListener("input", suggest);
    $("lineage-search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("lineage-search").value;
      var id = find(text);
      if (id === null) status("No node matches “" + text + "”");
      else focusNode(id);
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
  view.openGroup = function (kind, year) {
    var group = groups[groupIndex.get(data.kindsOrder.indexOf(kind) + ":" + (year || 0))];
    if (group && !group.open) toggleGroup(group);
    return group ? group.id : null;
  };
  view.visibleCount = function () {
    return nodeView.length;
  };
  start();
})();
