// Draws the figure of kg.render.timeline_html from the JSON beside it and follows a click to
// the point's page. Plain script, no framework: a standalone page inlines it and must work
// from a file:// URL with nothing else around it.
(function () {
  "use strict";
  var CHAR_PX = 6;  // replaced by the page's own figure (spec.charPx) below

  // Lay a lane's labels out for the current zoom, as kg.render.timeline_html._pack does: each
  // lane keeps its sub-rows; in date order a point takes the first sub-row where its label
  // clears the previous one (left of the point when it would run past the axis's end), else
  // it goes to a sub-row where no other point covers it, with its label hidden (hover and
  // click still reach it). A label that a point would be drawn over gives way.
  function relabel(holder) {
    var layout = holder._fullLayout, axis = layout && layout.xaxis;
    if (!axis || !holder.data.length || !holder.data[0].meta || !holder.data[0].meta.labels) {
      return;
    }
    var time = function (value) { return Date.parse(String(value).replace(" ", "T")); };
    var x0 = time(axis.range[0]), width = layout._size.w;
    var perMs = width / (time(axis.range[1]) - x0);
    var marker = 2 * CHAR_PX;
    var ys = [], texts = [], sides = [];
    holder.data.forEach(function (trace) {
      var meta = trace.meta, ends = [], points = [], last = [], y = [], text = [], side = [];
      for (var r = 0; r < meta.rows; r += 1) {
        ends.push(-Infinity); points.push(-Infinity); last.push(-1);
      }
      trace.x.forEach(function (x, i) {
        var px = (time(x) - x0) * perMs, label = meta.labels[i];
        var size = (label.length + 3) * CHAR_PX;
        var left = px + size > width;
        var start = left ? px - size : px;
        var row = ends.findIndex(function (end) { return start >= end; });
        var visible = px >= 0 && px <= width;
        if (row >= 0 && visible) {
          ends[row] = left ? px + marker : px + size;
          points[row] = px + marker;
          last[row] = i;
          text.push(label);
          side.push(left ? "middle left" : "middle right");
        } else {
          var free = [];
          points.forEach(function (end, index) { if (end <= px) free.push(index); });
          var pool = free.length ? free : ends.map(function (_, index) { return index; });
          row = pool.reduce(function (best, index) { return ends[index] < ends[best] ? index : best; });
          if (px < ends[row] && last[row] >= 0) { text[last[row]] = ""; }
          ends[row] = Math.max(ends[row], px + marker);
          points[row] = px + marker;
          text.push("");
          side.push("middle right");
        }
        y.push(meta.base + row);
      });
      ys.push(y);
      texts.push(text);
      sides.push(side);
    });
    Plotly.restyle(holder, {y: ys, text: texts, textposition: sides});
    var unlabelled = 0;
    texts.forEach(function (text) {
      text.forEach(function (t) { if (!t) { unlabelled += 1; } });
    });
    holder.dataset.unlabelled = String(unlabelled);
    var note = document.getElementById("kg-label-note");
    if (note) {
      note.textContent = unlabelled
        ? unlabelled + " points unlabelled at this zoom: hover one for its name, or zoom in."
        : "";
    }
  }

  var holder = document.getElementById("kg-plot");
  var spec = JSON.parse(document.getElementById("kg-plot-data").textContent);
  CHAR_PX = spec.charPx;
  if (!spec.figure.data.length) { holder.dataset.ready = "true"; return; }
  Plotly.newPlot(holder, spec.figure.data, spec.figure.layout, spec.config).then(function () {
    relabel(holder);
    holder.dataset.ready = "true";
  });
  holder.on("plotly_relayout", function () { relabel(holder); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-range]"), function (button) {
    button.addEventListener("click", function () {
      Plotly.relayout(holder, {"xaxis.range": spec.ranges[button.dataset.range].slice()});
    });
  });
  holder.on("plotly_click", function (event) {
    var point = event.points && event.points[0];
    var url = point && point.customdata;
    if (typeof url === "string" && url) { window.location.assign(url); }
  });
})();
