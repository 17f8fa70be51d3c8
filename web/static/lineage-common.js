/* What both lineage views share (lineage.js draws every node, lineage-overview.js draws on
 * demand): the ancestry walks, dimming all but the lit part, readable labels for a lit chain, fitting a chain into view,
 * the year names that fit, the side panel of a selected node, tooltips that leave with the
 * view. Plain functions on window.lineageCommon.
 */
window.lineageCommon = (function () {
  "use strict";

  /* The ancestry walks run on whatever graph a view holds: ``next(node, forward)`` lists the
   * nodes one link of descent away (forward: what ``node`` comes from; backward: what comes
   * from it), whatever a node is (an IRI in lineage.js, a number in lineage-overview.js). */

  /* Everything reachable from ``start`` along ``next`` (``start`` itself excluded), breadth
   * first; stops taking new nodes once ``limit`` are found (no limit: all). */
  function walk(next, start, forward, limit) {
    var most = limit === undefined ? Infinity : limit;
    var seen = new Set();
    var queue = [start];
    for (var head = 0; head < queue.length && seen.size < most; head++) {
      var list = next(queue[head], forward);
      for (var k = 0; k < list.length; k++) {
        var other = list[k];
        if (other !== start && !seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
    return seen;
  }

  /* The chains from ``start`` back to a root ("Seedance 1.0 → DiT → Transformer"), shortest
   * first, at most ``limit`` (as kg.lineage.lineage_paths; a chain never loops). */
  function chains(next, start, limit) {
    var paths = [];
    var stack = [[start]];
    while (stack.length && paths.length < limit * 4) {
      var path = stack.pop();
      var parents = next(path[path.length - 1], true).filter(function (parent) {
        return path.indexOf(parent) < 0;
      });
      if (!parents.length && path.length > 1) paths.push(path);
      parents.forEach(function (parent) {
        stack.push(path.concat([parent]));
      });
    }
    paths.sort(function (a, b) {
      return a.length - b.length;
    });
    return paths.slice(0, limit);
  }

  /* Dim all that vis-network drew but its selection (the lit part), without changing any
   * item or option: a white veil over the canvas, then the selection drawn again on top, in
   * vis-network's own order (lines, nodes, labels outside the shapes, arrow heads). For
   * afterDrawing. Restyling the items or the groups instead made vis-network re-read every
   * node at each click (bench/README.md). */
  function veil(ctx, network) {
    var body = network.body;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "rgba(255,255,255,0.82)";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    var lines = network.getSelectedEdges().map(function (id) {
      return body.edges[id];
    }).filter(function (edge) {
      return edge && edge.connected;
    });
    lines.forEach(function (edge) {
      edge.draw(ctx);
    });
    var outside = [];
    network.getSelectedNodes().forEach(function (id) {
      var node = body.nodes[id];
      if (!node) return;
      var drawn = node.draw(ctx);
      if (drawn.drawExternalLabel) outside.push(drawn.drawExternalLabel);
    });
    outside.forEach(function (draw) {
      draw();
    });
    lines.forEach(function (edge) {
      edge.drawArrows(ctx);
    });
  }

  /* The veil of ``network``, off at first: registers its afterDrawing handler now (so, before
   * what is drawn above it) and returns the switch, which marks <body data-dimmed> too. */
  function dimmer(network) {
    var on = false;
    network.on("afterDrawing", function (ctx) {
      if (on) veil(ctx, network);
    });
    return function (dim) {
      on = dim;
      if (dim) document.body.dataset.dimmed = "true";
      else delete document.body.dataset.dimmed;
    };
  }

  /* The lit part's labels when zoomed out below options.readable (both views draw them after
   * vis-network's own): the selected node, then its chain, then its neighbours, those the view
   * shows (options.shown). Kept in view.litLabels, for tests. */
  function drawLitLabels(ctx, view, canvas, options) {
    view.litLabels = [];
    var state = view.state;
    if (state.selected === null || view.network.getScale() >= options.readable) return;
    var order = [state.selected].concat(state.line, state.neighbours).filter(options.shown);
    view.litLabels = litLabels(ctx, view.network, canvas, order, {
      label: options.label,
      bold: state.selected,
      size: options.size,
    });
  }

  /* Labels for the lit part at a fixed size on screen (zoomed out, vis-network draws them too
   * small to read or not at all), each on a white ground beside its node (below, above,
   * right, left, then a line further out) where it overlaps no label placed before it and
   * stays inside the canvas. A
   * label with no free place is left out: the side panel names the whole chain. Returns the
   * boxes drawn, in screen pixels, for tests. */
  function litLabels(ctx, network, canvas, order, options) {
    var px = 1 / network.getScale();
    var done = new Set();
    var placed = [];
    var topLeft = network.DOMtoCanvas({ x: 0, y: 0 });
    var bottomRight = network.DOMtoCanvas({ x: canvas.clientWidth, y: canvas.clientHeight });
    var frame = { left: topLeft.x, top: topLeft.y, right: bottomRight.x, bottom: bottomRight.y };
    ctx.save();
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    order.forEach(function (id) {
      if (done.has(id)) return;
      done.add(id);
      var bold = id === options.bold;
      ctx.font = (bold ? "700 " : "") + options.size * px + "px system-ui, sans-serif";
      var text = options.label(id);
      var width = ctx.measureText(text).width;
      var height = (options.size + 4) * px;
      var shape = network.getBoundingBox(id);
      var centre = (shape.left + shape.right) / 2;
      var middle = (shape.top + shape.bottom) / 2;
      var spots = [
        { x: centre - width / 2, y: shape.bottom + 2 * px },
        { x: centre - width / 2, y: shape.top - height - 2 * px },
        { x: shape.right + 4 * px, y: middle - height / 2 },
        { x: shape.left - width - 4 * px, y: middle - height / 2 },
      ];
      // Crowded: a line further down or up, then beside it, still next to the node.
      for (var step = 1; step <= 3; step++) {
        spots.push(
          { x: centre - width / 2, y: shape.bottom + 2 * px + step * height },
          { x: centre - width / 2, y: shape.top - height - 2 * px - step * height },
          { x: shape.right + 4 * px, y: middle - height / 2 + step * height },
          { x: shape.left - width - 4 * px, y: middle - height / 2 - step * height }
        );
      }
      var spot = spots.find(function (at) {
        var inside =
          at.x >= frame.left && at.x + width <= frame.right &&
          at.y >= frame.top && at.y + height <= frame.bottom;
        return inside && !placed.some(function (other) {
          return (
            at.x < other.x + other.w + 2 * px &&
            other.x < at.x + width + 2 * px &&
            at.y < other.y + other.h &&
            other.y < at.y + height
          );
        });
      });
      if (!spot) return;
      placed.push({ x: spot.x, y: spot.y, w: width, h: height, id: id });
      ctx.fillStyle = "rgba(255,255,255,0.88)";
      ctx.fillRect(spot.x - 2 * px, spot.y, width + 4 * px, height);
      ctx.fillStyle = "#111";
      ctx.fillText(text, spot.x, spot.y + 2 * px);
    });
    ctx.restore();
    var scale = network.getScale();
    return placed.map(function (box) {
      var corner = network.canvasToDOM({ x: box.x, y: box.y });
      return { id: box.id, x: corner.x, y: corner.y, w: box.w * scale, h: box.h * scale };
    });
  }

  /* Move the view so that ``spots`` (canvas points) fill the canvas less ``margin`` (screen
   * pixels for the lane and year names), at most ``maxScale``; spots already in that frame at
   * a readable zoom stay where they are. Sets view.moving until the animation ends. */
  function fit(view, canvas, spots, options) {
    if (!spots.length) return;
    var network = view.network;
    var margin = options.margin;
    var xs = spots.map(function (p) { return p.x; });
    var ys = spots.map(function (p) { return p.y; });
    var box = {
      left: Math.min.apply(null, xs),
      right: Math.max.apply(null, xs),
      top: Math.min.apply(null, ys),
      bottom: Math.max.apply(null, ys),
    };
    var current = network.getScale();
    var topLeft = network.canvasToDOM({ x: box.left, y: box.top });
    var bottomRight = network.canvasToDOM({ x: box.right, y: box.bottom });
    var shown =
      topLeft.x >= margin.left &&
      topLeft.y >= margin.top &&
      bottomRight.x <= canvas.clientWidth - margin.right &&
      bottomRight.y <= canvas.clientHeight - margin.bottom;
    if (options.keep && current >= options.readable && shown) return;
    var scale = Math.min(
      (canvas.clientWidth - margin.left - margin.right) / Math.max(box.right - box.left, 1),
      (canvas.clientHeight - margin.top - margin.bottom) / Math.max(box.bottom - box.top, 1),
      Math.max(options.maxScale, options.keep ? current : 0)
    );
    var move = {
      position: {
        x: (box.left + box.right) / 2 - (margin.left - margin.right) / 2 / scale,
        y: (box.top + box.bottom) / 2 - (margin.top - margin.bottom) / 2 / scale,
      },
      scale: scale,
    };
    if (options.duration) {
      move.animation = { duration: options.duration, easingFunction: "easeInOutQuad" };
      view.moving = true; // until vis-network's animationFinished
    }
    network.moveTo(move);
  }

  /* The year names ({text, x} in canvas units, left to right) that fit at this zoom: a name is
   * skipped when it would run into the one before it (zoomed out, 2018 and 2019 would print
   * over each other). ``px`` is one screen pixel in canvas units. */
  function yearMarks(ctx, px, marks) {
    var shown = [];
    var end = -Infinity;
    marks.forEach(function (mark) {
      var width = ctx.measureText(mark.text).width;
      if (mark.x < end + 10 * px) return;
      shown.push({ text: mark.text, x: mark.x, width: width });
      end = mark.x + width;
    });
    return shown;
  }

  function element(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  /* The side panel of a selected node: name, facts, entity link, the chains it comes from,
   * ancestor counts and sources. */
  function info(panel, node) {
    panel.replaceChildren();
    panel.appendChild(element("h2", node.title));
    panel.appendChild(element("p", node.facts.join(" · "), "lineage-facts"));
    if (node.href) {
      var a = element("a", "Open the entity page", "lineage-entity-link");
      a.href = node.href;
      panel.appendChild(a);
    }
    if (node.paths.length) {
      panel.appendChild(element("h3", "Comes from"));
      var list = element("ol", null, "lineage-paths");
      node.paths.forEach(function (path) {
        list.appendChild(element("li", path.join(" → ")));
      });
      panel.appendChild(list);
    }
    panel.appendChild(element("p", node.counts, "lineage-counts"));
    if (node.sources.length) {
      panel.appendChild(element("h3", "Sources"));
      var sources = element("ul", null, "lineage-sources");
      node.sources.forEach(function (source) {
        sources.appendChild(element("li", source));
      });
      panel.appendChild(sources);
    }
  }

  /* vis-network keeps a node's tooltip until the mouse moves again, even when a click, a zoom
   * or an animation has moved the node away from under it: hide it whenever the view changes
   * or the mouse leaves the canvas. */
  function dropStaleTooltips(network, canvas) {
    function hide() {
      var handler = network.interactionHandler;
      if (!handler) return;
      clearTimeout(handler.popupTimer);
      if (handler.popup !== undefined) handler.popup.hide();
      handler.popupObj = undefined;
    }
    ["click", "doubleClick", "dragStart", "zoom", "animationFinished"].forEach(function (name) {
      network.on(name, hide);
    });
    canvas.addEventListener("mouseleave", hide);
  }

  return {
    walk: walk,
    chains: chains,
    dimmer: dimmer,
    drawLitLabels: drawLitLabels,
    fit: fit,
    yearMarks: yearMarks,
    info: info,
    dropStaleTooltips: dropStaleTooltips,
  };
})();
