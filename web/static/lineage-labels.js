/* Readable labels for the lit part of a lineage drawing, shared by lineage.js (the full
 * view) and lineage-overview.js. Zoomed out, vis-network draws labels too small to read or
 * not at all; these are drawn at a fixed size on screen, each on a white ground beside its
 * node (below, above, right, left) where it overlaps no label placed before it and stays
 * inside the canvas. A label with no free place is left out: the side panel names the whole
 * chain. Returns the boxes drawn, in screen pixels, for tests.
 */
window.lineageLabels = function (ctx, network, canvas, order, options) {
  "use strict";
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
};
