/* Draws an ExplorableFigure (booktools.figures.static_figures) from the JSON embedded next to it.
   Dependency-free: SVG panels redrawn from precomputed curves when a select or slider moves.
   Several figures share one window (a page, or JupyterLab's notebooks): the newest version of this
   script wins, so that an older copy (which cannot read 8-bit curves) never draws a newer figure. */
window.StaticFigures = (window.StaticFigures && window.StaticFigures.version >= 2) ? window.StaticFigures : (function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var CODES = {16: {missing: 65535, levels: 65534}, 8: {missing: 255, levels: 254}};
  var WIDTH = 400, HEIGHT = 310, MARGIN = {left: 60, right: 14, top: 30, bottom: 46};
  var DASHES = {line: "", dashed: "6 4", dotted: "2 3"};

  /* 16-bit (or 8-bit) codes over each curve's range (see encode_curves in static_figures.py). */
  function decode(encoded) {
    var bits = encoded.bits || 16, bytes = atob(encoded.data), codes;
    if (bits === 8) {
      codes = new Uint8Array(bytes.length);
      for (var k = 0; k < codes.length; k++) codes[k] = bytes.charCodeAt(k);
    } else {
      codes = new Uint16Array(bytes.length / 2);
      for (var i = 0; i < codes.length; i++) {
        codes[i] = bytes.charCodeAt(2 * i) | (bytes.charCodeAt(2 * i + 1) << 8);  // little-endian
      }
    }
    return {shape: encoded.shape, low: encoded.low, high: encoded.high, codes: codes,
            missing: CODES[bits].missing, levels: CODES[bits].levels};
  }

  /* The curve of `array` at the controls' position `index`; axes of length 1 are shared. */
  function curveAt(array, index) {
    var shape = array.shape, row = 0, n = shape[shape.length - 1];
    for (var k = 0; k < shape.length - 1; k++) row = row * shape[k] + (shape[k] === 1 ? 0 : index[k]);
    var low = array.low[row], span = array.high[row] - low, out = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      var code = array.codes[row * n + i];
      out[i] = code === array.missing ? NaN : low + (code / array.levels) * span;
    }
    return out;
  }

  function textAt(captions, index) {
    if (!captions) return "";
    var row = 0;
    for (var k = 0; k < captions.shape.length; k++) {
      row = row * captions.shape[k] + (captions.shape[k] === 1 ? 0 : index[k]);
    }
    return captions.texts[row];
  }

  function extent(curves, fixed) {
    if (fixed) return fixed.slice();
    var low = Infinity, high = -Infinity;
    curves.forEach(function (values) {
      values.forEach(function (v) { if (!isNaN(v)) { low = Math.min(low, v); high = Math.max(high, v); } });
    });
    if (low === Infinity) return [0, 1];
    if (low === high) return [low - 0.5, high + 0.5];
    var pad = 0.04 * (high - low);
    return [low - pad, high + pad];
  }

  /* Widen one axis so that one unit has the same length on both (the plot keeps its size). */
  function equalize(xr, yr, width, height) {
    var perPixel = Math.max((xr[1] - xr[0]) / width, (yr[1] - yr[0]) / height);
    function widen(r, pixels) { var mid = (r[0] + r[1]) / 2, half = perPixel * pixels / 2; return [mid - half, mid + half]; }
    return [widen(xr, width), widen(yr, height)];
  }

  function niceStep(span, count) {
    var raw = span / count, power = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / power;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * power;
  }

  function ticks(range, log) {
    var step = log ? Math.max(1, Math.ceil((range[1] - range[0]) / 6)) : niceStep(range[1] - range[0], 5);
    var out = [];
    for (var v = Math.ceil(range[0] / step - 1e-9) * step; v <= range[1] + 1e-9 * step; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return {values: out, step: step};
  }

  function el(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function tickLabel(parent, value, step, log, attributes) {
    var text = el("text", attributes, parent);
    if (log) {
      text.appendChild(document.createTextNode("10"));
      var exponent = el("tspan", {dy: "-0.6em", "font-size": "0.75em"}, text);
      exponent.textContent = String(Math.round(value));
    } else {
      var digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
      text.textContent = Math.abs(value) >= 1e5 ? value.toExponential(1) : value.toFixed(Math.min(digits, 6));
    }
  }

  function pathData(xs, ys, sx, sy) {
    var parts = [], pen = false;
    for (var i = 0; i < xs.length; i++) {
      if (isNaN(xs[i]) || isNaN(ys[i])) { pen = false; continue; }
      parts.push((pen ? "L" : "M") + sx(xs[i]).toFixed(1) + " " + sy(ys[i]).toFixed(1));
      pen = true;
    }
    return parts.join("");
  }

  function drawAxes(svg, panel, xr, yr, sx, sy, box, height) {
    var axes = el("g", {"class": "sf-axes"}, svg);
    el("rect", {x: box.left, y: box.top, width: box.width, height: box.height, "class": "sf-frame"}, axes);
    var xt = ticks(xr, panel.xScale === "log"), yt = ticks(yr, panel.yScale === "log");
    xt.values.forEach(function (v) {
      el("line", {x1: sx(v), x2: sx(v), y1: box.top + box.height, y2: box.top + box.height + 4, "class": "sf-tick"}, axes);
      tickLabel(axes, v, xt.step, panel.xScale === "log",
                {x: sx(v), y: box.top + box.height + 17, "text-anchor": "middle", "class": "sf-tick-label"});
    });
    yt.values.forEach(function (v) {
      el("line", {x1: box.left - 4, x2: box.left, y1: sy(v), y2: sy(v), "class": "sf-tick"}, axes);
      tickLabel(axes, v, yt.step, panel.yScale === "log",
                {x: box.left - 7, y: sy(v) + 4, "text-anchor": "end", "class": "sf-tick-label"});
    });
    el("text", {x: box.left + box.width / 2, y: height - 8, "text-anchor": "middle", "class": "sf-axis-label"},
       axes).textContent = panel.xLabel;
    el("text", {x: 14, y: box.top + box.height / 2, "text-anchor": "middle", "class": "sf-axis-label",
                transform: "rotate(-90 14 " + (box.top + box.height / 2) + ")"}, axes).textContent = panel.yLabel;
    el("text", {x: box.left + box.width / 2, y: 18, "text-anchor": "middle", "class": "sf-title"},
       axes).textContent = panel.title;
  }

  function drawLegend(svg, series, box) {
    var labelled = series.filter(function (s) { return s.label; });
    if (!labelled.length) return;
    var legend = el("g", {"class": "sf-legend"}, svg);
    labelled.forEach(function (s, i) {
      var y = box.top + 14 + 15 * i, x = box.left + box.width - 8;
      el("text", {x: x - 26, y: y + 4, "text-anchor": "end"}, legend).textContent = s.label;
      if (s.style === "markers") el("circle", {cx: x - 11, cy: y, r: 3.5, fill: s.color}, legend);
      else el("line", {x1: x - 20, x2: x, y1: y, y2: y, stroke: s.color, "stroke-width": 2,
                       "stroke-dasharray": DASHES[s.style] || ""}, legend);
    });
  }

  function drawPanel(panel, index, clipId) {
    // A panel with equal axes gets a square plot area, so that neither axis range is stretched.
    var plotWidth = WIDTH - MARGIN.left - MARGIN.right;
    var height = panel.equalAspect ? plotWidth + MARGIN.top + MARGIN.bottom : HEIGHT;
    var svg = el("svg", {viewBox: "0 0 " + WIDTH + " " + height, "class": "sf-panel", role: "img",
                         "aria-label": panel.title});
    var box = {left: MARGIN.left, top: MARGIN.top, width: plotWidth, height: height - MARGIN.top - MARGIN.bottom};
    var curves = panel.series.map(function (s) { return {x: curveAt(s.x, index), y: curveAt(s.y, index)}; });
    var xr = extent(curves.map(function (c) { return c.x; }), panel.xRange);
    var yr = extent(curves.map(function (c) { return c.y; }), panel.yRange);
    if (panel.equalAspect) { var eq = equalize(xr, yr, box.width, box.height); xr = eq[0]; yr = eq[1]; }
    function sx(v) { return box.left + (v - xr[0]) / (xr[1] - xr[0]) * box.width; }
    function sy(v) { return box.top + box.height - (v - yr[0]) / (yr[1] - yr[0]) * box.height; }
    drawAxes(svg, panel, xr, yr, sx, sy, box, height);
    el("rect", {x: box.left, y: box.top, width: box.width, height: box.height},
       el("clipPath", {id: clipId}, el("defs", {}, svg)));
    var plot = el("g", {"clip-path": "url(#" + clipId + ")"}, svg);
    panel.series.forEach(function (s, i) {
      var c = curves[i], attributes = {"class": "sf-series sf-" + s.style, "data-series": i};
      if (s.style === "markers") {
        var group = el("g", attributes, plot);
        for (var k = 0; k < c.x.length; k++) {
          if (!isNaN(c.x[k]) && !isNaN(c.y[k])) el("circle", {cx: sx(c.x[k]), cy: sy(c.y[k]), r: 4, fill: s.color}, group);
        }
      } else {
        attributes.d = pathData(c.x, c.y, sx, sy);
        attributes.stroke = s.color;
        attributes.fill = "none";
        attributes["stroke-dasharray"] = DASHES[s.style];
        el("path", attributes, plot);
      }
    });
    drawLegend(svg, panel.series, box);
    return svg;
  }

  function buildControl(control, position, onChange) {
    var wrapper = document.createElement("label"), input;
    wrapper.className = "sf-control";
    var name = document.createElement("span");
    name.className = "sf-control-name";
    name.textContent = control.name;
    wrapper.appendChild(name);
    if (control.kind === "select") {
      input = document.createElement("select");
      control.labels.forEach(function (label, i) {
        var option = document.createElement("option");
        option.value = String(i);
        option.textContent = label;
        input.appendChild(option);
      });
      input.value = String(position);
      wrapper.appendChild(input);
    } else {
      input = document.createElement("input");
      input.type = "range";
      input.min = "0";
      input.max = String(control.labels.length - 1);
      input.step = "1";
      input.value = String(position);
      var shown = document.createElement("output");
      shown.className = "sf-control-value";
      shown.textContent = control.labels[position];
      wrapper.appendChild(input);
      wrapper.appendChild(shown);
      input.addEventListener("input", function () { shown.textContent = control.labels[Number(input.value)]; });
    }
    input.className = "sf-input sf-" + control.kind;
    input.setAttribute("aria-label", control.name);
    input.addEventListener("input", function () { onChange(Number(input.value)); });
    input.addEventListener("change", function () { onChange(Number(input.value)); });
    return wrapper;
  }

  function render(container) {
    if (!container || container.getAttribute("data-sf-rendered")) return;
    try {
      var spec = JSON.parse(document.getElementById(container.id + "-data").textContent);
      spec.panels.forEach(function (panel) {
        panel.series.forEach(function (s) { s.x = decode(s.x); s.y = decode(s.y); });
      });
      var position = spec.controls.map(function (c) { return c.initial; });
      container.textContent = "";
      var form = document.createElement("div");
      form.className = "sf-controls";
      var panels = document.createElement("div");
      panels.className = "sf-panels";
      var caption = document.createElement("p");
      caption.className = "sf-caption";
      caption.setAttribute("aria-live", "polite");
      function redraw() {
        panels.textContent = "";
        spec.panels.forEach(function (panel, i) {
          panels.appendChild(drawPanel(panel, position, container.id + "-clip-" + i));
        });
        caption.textContent = textAt(spec.captions, position);
        container.setAttribute("data-sf-position", position.join(","));
      }
      spec.controls.forEach(function (control, k) {
        form.appendChild(buildControl(control, position[k], function (value) {
          if (position[k] !== value) { position[k] = value; redraw(); }
        }));
      });
      if (spec.title) {
        var title = document.createElement("p");
        title.className = "sf-figure-title";
        title.textContent = spec.title;
        container.appendChild(title);
      }
      container.appendChild(form);
      container.appendChild(panels);
      container.appendChild(caption);
      redraw();
      container.setAttribute("data-sf-rendered", "true");
    } catch (error) {
      container.textContent = "This interactive figure could not be drawn: " + error;
      throw error;
    }
  }

  return {version: 2, render: render, decode: decode, curveAt: curveAt};
})();
