// Draws the figure of kg.render.timeline_html from the JSON beside it and follows a click to
// the point's page. Plain script, no framework: a standalone page inlines it and must work
// from a file:// URL with nothing else around it.
(function () {
  "use strict";
  var CHAR_PX = 6;  // replaced by the page's own figure (spec.charPx) below

  // Lay a lane's labels out for the current zoom: each lane keeps its sub-rows; in date order
  // a point takes the first sub-row where its label clears the previous one, else it goes to
  // the least crowded sub-row with its label hidden (hover still shows it).
  function relabel(holder) {
    var layout = holder._fullLayout, axis = layout && layout.xaxis;
    if (!axis || !holder.data.length || !holder.data[0].meta || !holder.data[0].meta.labels) {
      return;
    }
    var time = function (value) { return Date.parse(String(value).replace(" ", "T")); };
    var x0 = time(axis.range[0]), width = layout._size.w;
    var perMs = width / (time(axis.range[1]) - x0);
    var ys = [], texts = [];
    holder.data.forEach(function (trace) {
      var meta = trace.meta, ends = [], last = [], y = [], text = [];
      for (var r = 0; r < meta.rows; r += 1) { ends.push(-Infinity); last.push(-1); }
      trace.x.forEach(function (x, i) {
        var px = (time(x) - x0) * perMs, label = meta.labels[i];
        var row = ends.findIndex(function (end) { return px >= end; });
        var visible = px >= 0 && px <= width;
        if (row >= 0 && visible) {
          ends[row] = px + (label.length + 2) * CHAR_PX;
          last[row] = i;
          text.push(label);
        } else {
          row = row >= 0 ? row : ends.indexOf(Math.min.apply(null, ends));
          // A marker drawn over a label would garble it: the label gives way.
          if (px < ends[row] && last[row] >= 0) { text[last[row]] = ""; }
          ends[row] = px + CHAR_PX;
          text.push("");
        }
        y.push(meta.base + row);
      });
      ys.push(y);
      texts.push(text);
    });
    Plotly.restyle(holder, {y: ys, text: texts});
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
