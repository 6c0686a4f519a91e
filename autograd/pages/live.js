/* The live view: a network learning, in five linked views that share one timeline and one probe.
     1. the network, TensorFlow Playground style: each neuron a heatmap of its output over the input
        plane (2-D inputs; otherwise its value at the probe), edges by sign and size of the weight,
        of its gradient or of its last update; hovering shows the formula with this frame's numbers;
     2. the probe example's scalar graph (the explorer, laid out once, updated by element id), with
        that frame's backward pass to step through;
     3. the data and what the model makes of it (the decision boundary in 2-D), the probe draggable;
     4. loss and accuracy over the steps, with markers for events; a click jumps there;
     5. every parameter and the optimizer's state, sortable, each with a sparkline.
   Every number comes from the recording or from code generated from the op table: the frames
   (decoded by live_data.js), window.AutogradLiveForward (the model's forward, written from the op
   table by autograd.live) and autogradEngine (the op table's formulas, for the backward shares).

   AutogradLive.mount(element, spec, encodedFrames, {keys, hash}) -> the view; window.autograd is
   its api. Frames also arrive by server-sent events (spec.live) and by postMessage
   ({autograd: "live-frame", frame}). See /work/wt/LIVE_CONTRACT.md for spec and frames. */
(function () {
  "use strict";
  var AutogradLive = (window.AutogradLive = window.AutogradLive || {});
  var fmt = AutogradPages.format;
  var esc = AutogradPages.escape;
  var MINUS = "\u2212";
  var RED = [178, 24, 43];
  var BLUE = [33, 102, 172];
  var CLASS_COLOURS = ["#2166ac", "#b2182b", "#1b7837", "#e08214", "#762a83", "#35978f", "#8c510a", "#c51b7d", "#4d4d4d", "#7fbc41"];
  var SPEEDS = [2, 5, 10, 20, 30, 60]; // frames per second
  var GRID = 40; // heatmap and boundary resolution (GRID x GRID points of the input plane)
  var EDGE_MODES = { weights: "weights", grads: "gradients", update: "last update" };

  function num(x, digits) {
    return fmt(x, digits || 4).replace(/-/g, MINUS);
  }
  // the table's numbers: %.4g as the rest of the page writes them, but quick enough for thousands a frame
  function quick(x, digits) {
    var p = digits || 4;
    if (x === 0) return "0";
    if (!isFinite(x)) return String(x);
    var a = Math.abs(x);
    var text = a >= 1e-4 && a < 1e4 ? String(+x.toPrecision(p)) : x.toExponential(p - 1).replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
    return text.replace("-", MINUS);
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  // white to red (t > 0) or blue (t < 0), |t| <= 1: the explorer's colours for sign and size
  function diverging(t) {
    var a = Math.min(1, Math.abs(t));
    var ink = t < 0 ? BLUE : RED;
    return [Math.round(255 + (ink[0] - 255) * a), Math.round(255 + (ink[1] - 255) * a), Math.round(255 + (ink[2] - 255) * a)];
  }
  // the same colours as a table of 513 steps from -1 to 1, for filling thousands of pixels a frame
  var LUT = (function () {
    var table = new Uint8ClampedArray(513 * 3);
    for (var i = 0; i <= 512; i++) {
      var c = diverging(i / 256 - 1);
      table[i * 3] = c[0];
      table[i * 3 + 1] = c[1];
      table[i * 3 + 2] = c[2];
    }
    return table;
  })();
  function fill(d, cell, t) {
    var i = t !== t ? 256 : t <= -1 ? 0 : t >= 1 ? 512 : Math.round((t + 1) * 256);
    d[cell * 4] = LUT[i * 3];
    d[cell * 4 + 1] = LUT[i * 3 + 1];
    d[cell * 4 + 2] = LUT[i * 3 + 2];
    d[cell * 4 + 3] = 255;
  }
  function rgba(c, alpha) {
    return "rgba(" + c[0] + "," + c[1] + "," + c[2] + "," + alpha + ")";
  }
  function canvasSize(canvas, w, h) {
    var ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
      canvas.style.width = w + "px";
      canvas.style.height = h + "px";
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  }
  function activationText(name, inner) {
    return !name || name === "linear" ? inner : name + "(" + inner + ")";
  }
  function maxAbs(array) {
    var m = 0;
    if (!array) return 0;
    for (var i = 0; i < array.length; i++) {
      var a = Math.abs(array[i]);
      if (a > m) m = a;
    }
    return m;
  }

  /* ================================================================== the view */

  function Live(container, spec, encoded, options) {
    var self = this;
    options = options || {};
    this.options = { keys: options.keys !== false, hash: options.hash !== false };
    this.spec = spec;
    this.data = spec.data || { X: [], y: [], dim: 0 };
    this.dim = this.data.dim || (this.data.X[0] ? this.data.X[0].length : 0);
    this.k = 0;
    this.fps = 10;
    this.playing = false;
    this.following = true; // at the last frame: a frame that arrives is shown
    this.edgeMode = "weights";
    this.whatIf = null; // the probe's input when dragged away from its example
    this.sortKey = null;
    this.sortDir = 1;
    this.timings = [];
    this.forward = typeof window.AutogradLiveForward === "function" ? window.AutogradLiveForward : null;
    this.engine = window.autogradEngine || null;
    this.store = new AutogradLive.Frames(encoded);
    this.container = container;
    this.prepareProbe();
    this.build(container);
    this.api = this.makeApi();
    AutogradPages.expose(this.api);
    // frames posted before the recorded ones are decoded wait their turn (a notebook sends them early)
    this.early = [];
    this.onMessage = function (event) {
      var m = event.data;
      if (!m || typeof m !== "object" || typeof m.autograd !== "string") return;
      if (self.early) self.early.push(m);
      else self.message(m);
    };
    window.addEventListener("message", this.onMessage);
    this.ready = Promise.resolve(this.store.ready).then(function () {
      self.afterFrames(true);
      var start = self.options.hash ? self.readHash() : null;
      self.goto(start !== null ? start : self.store.count - 1, { jumpBackward: true });
      if (self.explorer) {
        window.requestAnimationFrame(function () {
          self.explorer.fit(false); // the whole graph first; the reader zooms in
        });
      }
      if (self.options.hash) {
        window.addEventListener("hashchange", function () {
          var k = self.readHash();
          if (k !== null && k !== self.k) self.goto(k);
        });
      }
      self.listen();
    });
  }

  /* ------------------------------------------------------------------ the probe's graph, per frame */

  Live.prototype.prepareProbe = function () {
    var probe = this.spec.probe || null;
    this.probe = probe;
    if (!probe || !probe.explorer) return;
    var ex = probe.explorer;
    var byId = {};
    ex.nodes.forEach(function (node) { byId[node.id] = node; });
    this.probeNodes = byId;
    this.baseData = {}; // frame 0's numbers, constants' for good
    var self = this;
    ex.nodes.forEach(function (node) { self.baseData[node.id] = node.data; });
    this.recordedIndex = {};
    (probe.recorded || []).forEach(function (id, i) { self.recordedIndex[id] = i; });
    // each share's formula, from the op table of the page's engine (generated by jsgen)
    var OPS = this.engine ? this.engine.OPS : null;
    this.plan = ex.steps.map(function (step) {
      var node = byId[step.node];
      return {
        node: step.node,
        op: node.op,
        inputs: node.inputs,
        shares: step.shares.map(function (share) {
          var row = OPS && OPS[node.op];
          return {
            input: share.input,
            slot: share.slot,
            formula: share.formula,
            leaf: !byId[share.input].op,
            fn: row && row.grads ? row.grads[share.slot] : null
          };
        })
      };
    });
    // the constants that hold the probe's input, x_j: named by the spec, else found by their value
    var x = this.data.X[probe.index] || [];
    if (probe.inputs) {
      this.inputNodes = probe.inputs.map(function (ids) { return [].concat(ids); });
    } else {
      var consumers = {};
      ex.nodes.forEach(function (node) {
        node.inputs.forEach(function (id) { (consumers[id] = consumers[id] || []).push(node); });
      });
      this.inputNodes = x.map(function (xj) {
        return ex.nodes
          .filter(function (node) {
            return node.kind !== "parameter" && !node.op && node.data === xj &&
              (consumers[node.id] || []).some(function (c) { return c.op === "*"; });
          })
          .map(function (node) { return node.id; });
      });
    }
    this.canMoveProbe = !!(this.engine && this.inputNodes.length && this.inputNodes.every(function (ids) { return ids.length; }));
  };

  // data and grad of every node of the probe's graph in frame f: {data: {id: x}, grad: {id: g}}
  Live.prototype.probeValues = function (f) {
    var data = {};
    var grad = {};
    var base = this.baseData;
    Object.keys(base).forEach(function (id) { data[id] = base[id]; });
    var recorded = this.probe.recorded || [];
    var pd = f.probe ? f.probe.data : null;
    var pg = f.probe ? f.probe.grad : null;
    for (var i = 0; i < recorded.length; i++) {
      if (pd) data[recorded[i]] = pd[i];
      if (pg) grad[recorded[i]] = pg[i];
    }
    return { data: data, grad: grad };
  };

  /* That frame's backward steps, as the explorer shows them: each node's complete gradient as
     recorded, each share's local derivative and share by its op row's formula (generated from the
     op table into autogradEngine.OPS), the running totals summed in step order as backward sums. */
  Live.prototype.probeSteps = function (values) {
    var data = values.data;
    var grad = values.grad;
    var running = {};
    var steps = this.plan.map(function (step) {
      var g = grad[step.node];
      var numbers = step.inputs.map(function (id) { return data[id]; });
      var out = data[step.node];
      return {
        node: step.node,
        grad: g,
        shares: step.shares.map(function (s) {
          var local = null;
          var share = null;
          if (s.fn) {
            local = numbers.length === 1 ? s.fn(1.0, numbers[0], out) : s.fn(1.0, numbers[0], numbers[1], out);
            share = numbers.length === 1 ? s.fn(g, numbers[0], out) : s.fn(g, numbers[0], numbers[1], out);
          }
          running[s.input] = running[s.input] === undefined ? share : running[s.input] + share;
          return { input: s.input, slot: s.slot, local: local, share: share, formula: s.formula, total: running[s.input], leaf: s.leaf };
        })
      };
    });
    var held = {};
    Object.keys(running).forEach(function (id) { held[id] = running[id]; });
    var again = {};
    steps.forEach(function (step) {
      step.shares.forEach(function (share) {
        if (share.leaf) {
          again[share.input] = again[share.input] === undefined ? share.share : again[share.input] + share.share;
          share.again = held[share.input] + again[share.input];
        }
        delete share.leaf;
      });
    });
    return steps;
  };

  /* The probe moved to x (what-if): the graph's forward and backward again, by the page's engine
     (autogradEngine: the op table generated into JavaScript), on the frame's parameters. */
  Live.prototype.whatIfValues = function (f, x) {
    var E = this.engine;
    var values = this.probeValues(f);
    var data = values.data;
    var ex = this.probe.explorer;
    var moved = {};
    this.inputNodes.forEach(function (ids, j) {
      ids.forEach(function (id) { moved[id] = x[j]; });
    });
    var made = {};
    var ids = new Map();
    ex.nodes.forEach(function (node) {
      var v;
      if (!node.op) {
        var d = moved[node.id] !== undefined ? moved[node.id] : data[node.id];
        v = new E.Value(d, node.label || "", node.kind !== "constant");
      } else {
        var inputs = node.inputs.map(function (id) { return made[id]; });
        v = E.apply(node.op, inputs[0], inputs[1]);
      }
      made[node.id] = v;
      ids.set(v, node.id);
    });
    var root = made[ex.root];
    var trace = E.traceBackward(root);
    var out = { data: {}, grad: {} };
    ex.nodes.forEach(function (node) { out.data[node.id] = made[node.id].data; });
    var running = {};
    var steps = trace.map(function (step) {
      return {
        node: ids.get(step.node),
        grad: step.grad,
        shares: step.shares.map(function (s) {
          var id = ids.get(s.input);
          running[id] = running[id] === undefined ? s.share : running[id] + s.share;
          return { input: id, slot: s.slot, local: s.local, share: s.share, formula: s.formula, total: running[id] };
        })
      };
    });
    steps.forEach(function (step) {
      out.grad[step.node] = step.grad;
      step.shares.forEach(function (s) { out.grad[s.input] = s.total; });
    });
    var held = {};
    var again = {};
    Object.keys(running).forEach(function (id) { held[id] = running[id]; });
    var byId = this.probeNodes;
    steps.forEach(function (step) {
      step.shares.forEach(function (s) {
        if (byId[s.input].op) return;
        again[s.input] = again[s.input] === undefined ? s.share : again[s.input] + s.share;
        s.again = held[s.input] + again[s.input];
      });
    });
    out.steps = steps;
    return out;
  };

  /* ------------------------------------------------------------------ building the page */

  Live.prototype.build = function (container) {
    var self = this;
    container.classList.add("ag-live");
    container.innerHTML = "";
    function button(cls, label, title, onClick) {
      var b = el("button", { type: "button", class: "ag-" + cls, title: title, "aria-label": title, text: label });
      b.addEventListener("click", onClick);
      return b;
    }
    var spec = this.spec;
    this.title = el("h1", { class: "ag-title", text: spec.title || "live" });
    this.buttons = {
      reset: button("reset", "\u21ba reset", "reset: the first frame, paused, the probe back on its example (Home)", function () { self.reset(); }),
      previous: button("previous", "\u25c0", "previous frame (\u2190)", function () { self.pause(); self.goto(self.k - 1); }),
      play: button("play", "play", "play (space)", function () { self.toggle(); }),
      next: button("next", "step \u25b6", "next frame (\u2192)", function () { self.pause(); self.goto(self.k + 1); }),
      last: button("last", "\u25b6\u2759", "last frame (End)", function () { self.pause(); self.goto(self.store.count - 1); })
    };
    this.speedSelect = el("select", { class: "ag-speed", title: "frames per second", "aria-label": "frames per second" });
    SPEEDS.forEach(function (s) {
      var o = el("option", { value: String(s), text: s + " frames/s" });
      if (s === self.fps) o.selected = true;
      self.speedSelect.appendChild(o);
    });
    this.speedSelect.addEventListener("change", function () { self.setSpeed(parseFloat(self.speedSelect.value)); });
    this.slider = el("input", { type: "range", class: "ag-scrub", min: "0", max: "0", value: "0", "aria-label": "frame" });
    this.slider.addEventListener("input", function () {
      var k = parseInt(self.slider.value, 10); // read first: pausing writes the slider
      self.pause();
      self.goto(k);
    });
    this.counter = el("span", { class: "ag-counter", "aria-live": "polite" });
    this.readout = el("span", { class: "ag-readout" });
    var b = this.buttons;
    var groups = [el("span", { class: "ag-group" }, [b.reset, b.previous, b.play, b.next, b.last, this.speedSelect]), this.counter, this.readout];
    if (spec.live) groups.push(this.buildTraining());
    this.toolbar = el("div", { class: "ag-toolbar", role: "toolbar" }, groups);
    this.status = el("div", { class: "ag-status", "aria-live": "polite" });

    // 1. the network
    this.netCanvas = el("canvas", { class: "ag-net-canvas", "aria-label": "the network: hover a neuron or a weight" });
    this.netModes = el("span", { class: "ag-group ag-edge-modes", role: "radiogroup", "aria-label": "edges show" });
    Object.keys(EDGE_MODES).forEach(function (mode) {
      var id = "ag-edges-" + mode;
      var input = el("input", { type: "radio", name: "ag-edges", value: mode, id: id });
      if (mode === self.edgeMode) input.checked = true;
      input.addEventListener("change", function () { if (input.checked) self.setEdges(mode); });
      self.netModes.appendChild(el("label", { for: id }, [input, " " + EDGE_MODES[mode]]));
    });
    this.netKey = el("span", { class: "ag-net-key" });
    this.netPanel = this.panel("network", "1 \u00b7 the network", [this.netModes, this.netKey], [
      el("div", { class: "ag-net-wrap" }, [this.netCanvas])
    ]);
    this.tip = el("div", { class: "ag-tip", hidden: "" });
    this.netCanvas.addEventListener("mousemove", function (e) { self.hoverNet(e); });
    this.netCanvas.addEventListener("mouseleave", function () { self.hideTip(); });

    // 2. the probe's graph
    this.graphBox = el("div", { class: "ag-graph" });
    this.graphPanel = this.panel("graph", "2 \u00b7 the probe's graph: its loss, forward and backward", [], [this.graphBox]);

    // 3. the data
    this.dataCanvas = el("canvas", { class: "ag-data-canvas", tabindex: "0", "aria-label": "the data: drag the probe point" });
    this.dataNote = el("div", { class: "ag-note" });
    this.addClass = null;
    var dataTools = [];
    if (spec.live) {
      this.addClass = el("select", { class: "ag-add-class", "aria-label": "class of a point added by a click" });
      (this.data.classes || [1, -1]).forEach(function (c) { self.addClass.appendChild(el("option", { value: String(c), text: "add " + c })); });
      dataTools.push(this.addClass);
    }
    this.dataPanel = this.panel("data", "3 \u00b7 the data and the model", dataTools, [this.dataCanvas, this.dataNote]);
    this.bindData();

    // 4. the curves
    this.curveCanvas = el("canvas", { class: "ag-curve-canvas", "aria-label": "loss and accuracy: click to go to a step" });
    this.curvePanel = this.panel("curves", "4 \u00b7 loss and accuracy", [], [this.curveCanvas]);
    this.curveCanvas.addEventListener("click", function (e) { self.clickCurve(e); });
    this.curveCanvas.addEventListener("mousemove", function (e) { self.hoverCurve(e); });
    this.curveCanvas.addEventListener("mouseleave", function () { self.hideTip(); });

    // 5. the parameters
    this.tableBox = el("div", { class: "ag-table-box" });
    this.paramPanel = this.panel("params", "5 \u00b7 parameters and optimizer state", [], [this.tableBox]);
    this.buildTable();

    this.help = el("div", {
      class: "ag-help",
      text: "\u2190 \u2192 frame \u00b7 space play/pause \u00b7 Home reset \u00b7 End last \u00b7 [ ] step through this frame's backward \u00b7 " +
        "w g u: edges show weights, gradients, last update \u00b7 drag the probe point \u00b7 click a curve to go to that step"
    });
    var grid = el("div", { class: "ag-live-grid" }, [this.netPanel, this.dataPanel, this.curvePanel, this.graphPanel, this.paramPanel]);
    [this.title, this.toolbar, this.slider, this.status, grid, this.help, this.tip].forEach(function (part) { container.appendChild(part); });

    this.mountExplorer();
    if (this.options.keys) document.addEventListener("keydown", function (e) { self.key(e); });
    if (window.ResizeObserver) {
      var pending = false;
      // the panels' widths are read once and kept (reading one after a frame's writes would force a
      // layout in the middle of every frame); a resize forgets them and draws again
      this.widths = {};
      var observer = new ResizeObserver(function () {
        self.widths = {};
        if (pending) return;
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          self.layoutNet();
          if (self.frame) self.drawAll();
        });
      });
      [this.netCanvas, this.dataCanvas, this.curveCanvas].forEach(function (c) { observer.observe(c.parentNode); });
    }
  };

  // the width of a canvas's box: kept while a ResizeObserver watches it, read fresh otherwise
  Live.prototype.boxWidth = function (canvas) {
    var box = canvas.parentNode;
    if (!this.widths) return box.clientWidth;
    var name = canvas.className;
    if (!(name in this.widths)) this.widths[name] = box.clientWidth;
    return this.widths[name];
  };

  Live.prototype.panel = function (name, heading, tools, body) {
    return el("section", { class: "ag-panel ag-panel-" + name, "aria-label": heading }, [
      el("div", { class: "ag-panel-head" }, [el("h2", { text: heading })].concat(tools)),
      el("div", { class: "ag-panel-body" }, body)
    ]);
  };

  Live.prototype.buildTraining = function () {
    var self = this;
    function post(body) {
      return fetch("control", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          if (!answer.ok) self.say("the training loop refused: " + answer.error);
          return answer;
        })
        .catch(function (error) { self.say("the training loop did not answer: " + error.message); });
    }
    this.post = post;
    var pause = el("button", { type: "button", class: "ag-train-pause", text: "pause training" });
    var resume = el("button", { type: "button", class: "ag-train-play", text: "resume" });
    var once = el("button", { type: "button", class: "ag-train-step", text: "one step" });
    var lr = el("input", { type: "number", class: "ag-train-lr", step: "any", min: "0", "aria-label": "learning rate", title: "learning rate (Enter sends it)" });
    pause.addEventListener("click", function () { post({ action: "pause" }); });
    resume.addEventListener("click", function () { post({ action: "play" }); });
    once.addEventListener("click", function () { post({ action: "step" }); });
    lr.addEventListener("change", function () {
      var v = parseFloat(lr.value);
      if (isFinite(v) && v >= 0) post({ action: "lr", value: v });
      else self.say("the learning rate must be a number \u2265 0");
    });
    this.lrInput = lr;
    return el("span", { class: "ag-group ag-training", title: "the training loop, live" }, [
      el("span", { class: "ag-live-dot", text: "\u25cf live" }), pause, resume, once, el("label", {}, ["lr ", lr])
    ]);
  };

  Live.prototype.mountExplorer = function () {
    if (!this.probe || !this.probe.explorer || !window.AutogradExplorer) {
      this.graphBox.textContent = "No probe graph was recorded.";
      return;
    }
    var ex = this.probe.explorer;
    var spec = {};
    Object.keys(ex).forEach(function (key) { spec[key] = ex[key]; });
    spec.title = "";
    spec.nodes = ex.nodes.map(function (node) {
      var copy = {};
      Object.keys(node).forEach(function (key) { copy[key] = node[key]; });
      return copy;
    });
    this.explorer = window.AutogradExplorer.mount(this.graphBox, spec, { keys: false, hash: false });
    this.explorer.goto(this.explorer.length - 1, { jump: true }); // the graph after backward: every number
  };

  /* ------------------------------------------------------------------ frames in */

  Live.prototype.afterFrames = function (first) {
    var count = this.store.count;
    this.slider.max = String(Math.max(0, count - 1));
    // each parameter's history, for the sparklines, and the widest weight, for the edges' scale
    var P = this.spec.params.length;
    var known = this.history ? this.history.count : 0;
    if (!this.history || first) {
      this.history = { count: 0, values: [], maxWeight: 0, loss: [], accuracy: [], steps: [], events: [] };
      known = 0;
    }
    var h = this.history;
    var weightIndex = this.weightIndex || (this.weightIndex = this.weightParams());
    for (var k = known; k < count; k++) {
      var f = this.store.frame(k);
      h.values.push(f.params);
      h.loss.push(f.loss);
      h.accuracy.push(f.accuracy === undefined ? null : f.accuracy);
      h.steps.push(f.step);
      (f.events || []).forEach(function (event) { h.events.push({ frame: k, event: event }); });
      for (var i = 0; i < weightIndex.length; i++) {
        var a = Math.abs(f.params[weightIndex[i]]);
        if (a > h.maxWeight) h.maxWeight = a;
      }
    }
    h.count = count;
    void P;
    this.curvesDirty = true;
  };

  Live.prototype.weightParams = function () {
    var list = [];
    (this.spec.network ? this.spec.network.layers : []).forEach(function (layer) {
      layer.forEach(function (n) { n.weights.forEach(function (w) { list.push(w.param); }); });
    });
    return list;
  };

  Live.prototype.receive = function (encodedFrame) {
    var self = this;
    var wasLast = this.k >= this.store.count - 1;
    return Promise.resolve(this.store.add(encodedFrame)).then(function () {
      self.afterFrames(false);
      if (wasLast && self.following && !self.scrubbing) self.goto(self.store.count - 1);
      else self.drawCurves(), self.controls();
    });
  };

  Live.prototype.receiveData = function (data) {
    if (!data || !data.X) return;
    this.data.X = data.X;
    this.data.y = data.y;
    this.bounds = null;
    this.layoutNet();
    this.drawAll();
  };

  Live.prototype.message = function (m) {
    if (m.autograd === "live-frame" && m.frame) return this.receive(m.frame);
    if (m.autograd === "live-data" && m.data) this.receiveData(m.data);
    return Promise.resolve();
  };

  Live.prototype.listen = function () {
    var self = this;
    var waiting = this.early;
    this.early = null;
    // in the order they came, each after the one before it is decoded
    waiting.reduce(function (done, m) {
      return done.then(function () { return self.message(m); });
    }, Promise.resolve());
    if (this.spec.live && window.EventSource) {
      var source = new EventSource(this.spec.events || "events");
      this.source = source;
      source.addEventListener("frame", function (e) { self.receive(JSON.parse(e.data)); });
      source.addEventListener("data", function (e) { self.receiveData(JSON.parse(e.data)); });
      source.addEventListener("open", function () { self.say(""); });
      source.addEventListener("error", function () {
        self.say("the training server is not answering: the frames so far stay here");
      });
    }
  };

  Live.prototype.say = function (text) {
    this.status.textContent = text || "";
    this.status.hidden = !text;
  };

  /* ------------------------------------------------------------------ the timeline */

  Live.prototype.goto = function (k, how) {
    var t0 = performance.now();
    how = how || {};
    var count = this.store.count;
    if (!count) return { step: 0 };
    if (typeof k !== "number" || isNaN(k)) k = 0;
    this.k = Math.max(0, Math.min(count - 1, Math.round(k)));
    this.frame = this.store.frame(this.k);
    this.following = this.k === count - 1;
    this.compute();
    this.drawAll(how);
    this.writeHash();
    this.timings.push(performance.now() - t0);
    if (this.timings.length > 200) this.timings.shift();
    return { step: this.k };
  };

  // what every view draws from: the grid through the network, the probe's forward, its graph
  Live.prototype.compute = function () {
    var f = this.frame;
    var F = this.forward;
    var x = this.probeInput();
    this.probeOut = F && x ? F(x, f.params) : null;
    this.gridOut = null;
    if (F && this.dim === 2) {
      var b = this.planeBounds();
      var n = this.spec.forward ? this.spec.forward.neurons.length : 0;
      // one buffer, kept from frame to frame (only the frame shown reads it)
      var out = this.gridBuffer && this.gridBuffer.length === n * GRID * GRID ? this.gridBuffer : (this.gridBuffer = new Float64Array(n * GRID * GRID));
      var p = f.params;
      var at = [0, 0]; // one input array for the 1600 points (the forward only reads it)
      for (var r = 0; r < GRID; r++) {
        at[1] = b.y1 - (r + 0.5) * (b.y1 - b.y0) / GRID;
        for (var c = 0; c < GRID; c++) {
          at[0] = b.x0 + (c + 0.5) * (b.x1 - b.x0) / GRID;
          var o = F(at, p);
          var cell = r * GRID + c;
          for (var j = 0; j < n; j++) out[j * GRID * GRID + cell] = o[j];
        }
      }
      this.gridOut = out;
    }
    if (this.explorer) {
      var values;
      var note;
      if (this.whatIf) {
        try {
          values = this.whatIfValues(f, this.whatIf);
          note = "what-if: the probe moved to (" + this.whatIf.map(function (v) { return num(v, 3); }).join(", ") +
            "), its label kept; computed in the page by the op table's JavaScript, not recorded";
        } catch (error) {
          values = null;
          note = "what-if: " + error.message;
        }
      }
      if (!values) {
        var recorded = this.probeValues(f);
        values = { data: recorded.data, grad: recorded.grad, steps: this.k === 0 ? this.probe.explorer.steps : this.probeSteps(recorded) };
        if (!this.whatIf) note = "";
      }
      this.probeShown = values;
      this.explorer.update({ data: values.data, steps: values.steps, note: note });
    }
  };

  Live.prototype.probeInput = function () {
    if (this.whatIf) return this.whatIf;
    var i = this.probe ? this.probe.index : 0;
    return this.data.X[i] || null;
  };

  Live.prototype.drawAll = function () {
    this.drawNet();
    this.drawData();
    this.drawCurves();
    this.fillTable();
    this.controls();
  };

  Live.prototype.controls = function () {
    var f = this.frame;
    var count = this.store.count;
    this.counter.textContent = "frame " + this.k + " of " + (count - 1) + (f ? " \u00b7 step " + f.step : "");
    if (f) {
      var parts = [f.loss === null || f.loss === undefined ? (this.k === 0 ? "before training" : "no loss in this frame") : "loss " + num(f.loss)];
      if (f.accuracy !== null && f.accuracy !== undefined) parts.push("accuracy " + Math.round(f.accuracy * 1000) / 10 + "%");
      if (f.lr !== undefined && f.lr !== null) parts.push("lr " + num(f.lr));
      this.readout.textContent = parts.join(" \u00b7 ");
    }
    this.slider.max = String(Math.max(0, count - 1));
    this.slider.value = String(this.k);
    this.buttons.previous.disabled = this.k === 0;
    this.buttons.next.disabled = this.buttons.last.disabled = this.k >= count - 1;
    this.buttons.play.textContent = this.playing ? "pause" : "play";
    this.buttons.play.title = (this.playing ? "pause" : "play") + " (space)";
    this.buttons.play.setAttribute("aria-label", this.buttons.play.title);
  };

  Live.prototype.play = function () {
    var self = this;
    if (this.playing) return;
    if (this.k >= this.store.count - 1 && !this.spec.live) this.goto(0);
    this.playing = true;
    var last = performance.now();
    var frames = 0;
    var started = last;
    function tick(now) {
      if (!self.playing) return;
      if (now - last >= 1000 / self.fps - 2) {
        last = now;
        if (self.k < self.store.count - 1) {
          self.goto(self.k + 1);
          frames += 1;
          self.measured = { frames: frames, seconds: (now - started) / 1000 };
        } else if (!self.spec.live) {
          self.pause();
          return;
        }
      }
      self.raf = window.requestAnimationFrame(tick);
    }
    this.raf = window.requestAnimationFrame(tick);
    this.controls();
  };

  Live.prototype.pause = function () {
    this.playing = false;
    if (this.raf) window.cancelAnimationFrame(this.raf);
    this.raf = null;
    this.controls();
  };

  Live.prototype.toggle = function () {
    if (this.playing) this.pause();
    else this.play();
  };

  Live.prototype.setSpeed = function (fps) {
    if (!(fps > 0)) return;
    this.fps = fps;
    if (SPEEDS.indexOf(fps) >= 0) this.speedSelect.value = String(fps);
    this.writeHash();
  };

  Live.prototype.setEdges = function (mode) {
    if (!EDGE_MODES[mode]) return;
    this.edgeMode = mode;
    Array.prototype.forEach.call(this.netModes.querySelectorAll("input"), function (input) { input.checked = input.value === mode; });
    this.drawNet();
    this.writeHash();
  };

  Live.prototype.setProbe = function (x) {
    if (x === null || x === undefined) this.whatIf = null;
    else {
      if (!this.canMoveProbe) return false;
      this.whatIf = x.map(Number);
    }
    this.compute();
    this.drawAll();
    this.writeHash();
    return true;
  };

  Live.prototype.reset = function () {
    this.pause();
    this.whatIf = null;
    if (this.explorer) this.explorer.goto(this.explorer.length - 1);
    this.goto(0);
  };

  Live.prototype.key = function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (!(target.type === "range" || target.type === "radio" || target.type === "checkbox")) return;
    }
    var k = event.key;
    if (k === "ArrowRight") { this.pause(); this.goto(this.k + 1); }
    else if (k === "ArrowLeft") { this.pause(); this.goto(this.k - 1); }
    else if (k === " " || k === "Spacebar") this.toggle();
    else if (k === "Home") this.reset();
    else if (k === "End") { this.pause(); this.goto(this.store.count - 1); }
    else if (k === "]" && this.explorer) { this.explorer.goto(this.explorer.position + 1); this.writeHash(); }
    else if (k === "[" && this.explorer) { this.explorer.goto(this.explorer.position - 1); this.writeHash(); }
    else if (k === "w") this.setEdges("weights");
    else if (k === "g") this.setEdges("grads");
    else if (k === "u") this.setEdges("update");
    else return;
    event.preventDefault();
  };

  /* #frame=12&edges=grads&backward=40&fps=10&probe=0.5,-0.2 */
  Live.prototype.readHash = function () {
    var text = window.location.hash.replace(/^#/, "");
    if (!text) return null;
    var state = {};
    text.split("&").forEach(function (part) {
      var kv = part.split("=");
      state[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || "");
    });
    if (state.edges && EDGE_MODES[state.edges]) this.setEdges(state.edges);
    if (state.fps && parseFloat(state.fps) > 0) this.setSpeed(parseFloat(state.fps));
    if (state.probe && this.canMoveProbe) {
      var x = state.probe.split(",").map(Number);
      if (x.length === this.dim && x.every(isFinite)) this.whatIf = x;
    }
    if (state.backward && this.explorer) this.explorer.goto(parseInt(state.backward, 10));
    if (state.sort) {
      var s = state.sort.split(":");
      this.sortBy(s[0], s[1] === "down" ? -1 : 1);
    }
    var k = parseInt(state.frame, 10);
    return isNaN(k) ? null : k;
  };

  Live.prototype.writeHash = function () {
    if (!this.options.hash || !this.store || this.store.count === 0) return;
    var parts = ["frame=" + this.k];
    if (this.edgeMode !== "weights") parts.push("edges=" + this.edgeMode);
    if (this.explorer && this.explorer.position !== this.explorer.length - 1) parts.push("backward=" + this.explorer.position);
    if (this.fps !== 10) parts.push("fps=" + this.fps);
    if (this.whatIf) parts.push("probe=" + this.whatIf.map(function (v) { return String(Math.round(v * 1e4) / 1e4); }).join(","));
    if (this.sortKey) parts.push("sort=" + this.sortKey + ":" + (this.sortDir < 0 ? "down" : "up"));
    var hash = "#" + parts.join("&");
    this.hash = hash;
    // history.replaceState costs milliseconds: at most once per quarter second, and once after play
    if (this.hashTimer) return;
    var self = this;
    this.hashTimer = window.setTimeout(function () {
      self.hashTimer = null;
      if (window.location.hash !== self.hash) {
        try {
          history.replaceState(null, "", self.hash);
        } catch (error) {
          /* about:srcdoc: no URL of its own to keep the state in */
        }
      }
    }, 250);
  };

  /* ------------------------------------------------------------------ 1. the network */

  Live.prototype.layoutNet = function () {
    var net = this.spec.network;
    var W = Math.max(240, this.boxWidth(this.netCanvas) || 600);
    if (!net) {
      this.netLayout = null;
      return;
    }
    var columns = [net.inputs.map(function (id) { return { id: id, input: true }; })];
    net.layers.forEach(function (layer) { columns.push(layer.map(function (n) { return { id: n.id, neuron: n }; })); });
    var rows = Math.max.apply(null, columns.map(function (c) { return c.length; }));
    var S = Math.max(10, Math.min(44, Math.floor(560 / rows / 1.28)));
    var gap = Math.max(4, Math.round(S * 0.28));
    var top = 26;
    var H = top + rows * (S + gap) + 12;
    var left = 34;
    var right = W - 16;
    var nodes = {};
    var list = [];
    var index = {};
    (this.spec.forward ? this.spec.forward.neurons : []).forEach(function (id, i) { index[id] = i; });
    columns.forEach(function (column, c) {
      var cx = columns.length === 1 ? W / 2 : left + S / 2 + (c * (right - left - S)) / (columns.length - 1);
      var height = column.length * (S + gap) - gap;
      var y0 = top + (rows * (S + gap) - gap - height) / 2;
      column.forEach(function (item, r) {
        var node = { id: item.id, x: cx - S / 2, y: y0 + r * (S + gap), s: S, column: c, row: r, input: !!item.input, neuron: item.neuron || null, out: index[item.id] };
        if (item.input) node.input = item.id;
        nodes[item.id] = node;
        list.push(node);
      });
    });
    var edges = [];
    net.layers.forEach(function (layer) {
      layer.forEach(function (n) {
        n.weights.forEach(function (w, i) {
          var a = nodes[w.from];
          var b = nodes[n.id];
          if (a && b) edges.push({ param: w.param, from: a, to: b, neuron: n, slot: i, x0: a.x + a.s, y0: a.y + a.s / 2, x1: b.x, y1: b.y + b.s / 2 });
        });
      });
    });
    this.netLayout = { W: W, H: H, S: S, nodes: nodes, list: list, edges: edges, columns: columns.length, headTop: 14 };
    this.netCanvas.parentNode.style.height = H + "px";
  };

  Live.prototype.edgeValues = function () {
    var f = this.frame;
    if (this.edgeMode === "grads") return f.grads;
    if (this.edgeMode === "update") return f.update;
    return f.params;
  };

  Live.prototype.drawNet = function () {
    if (!this.netLayout) this.layoutNet();
    var L = this.netLayout;
    var f = this.frame;
    if (!L) {
      this.netCanvas.hidden = true;
      this.netKey.textContent = "this model has no neurons to draw (spec.network is null)";
      return;
    }
    if (!f) return;
    var ctx = canvasSize(this.netCanvas, L.W, L.H);
    ctx.clearRect(0, 0, L.W, L.H);
    var values = this.edgeValues();
    var scale;
    if (this.edgeMode === "weights") scale = this.history.maxWeight;
    else {
      scale = 0;
      var self = this;
      if (values) L.edges.forEach(function (e) { scale = Math.max(scale, Math.abs(values[e.param])); });
      void self;
    }
    // edges
    ctx.lineCap = "round";
    L.edges.forEach(function (e) {
      var v = values ? values[e.param] : 0;
      var t = scale > 0 ? Math.abs(v) / scale : 0;
      var ink = v < 0 ? BLUE : RED;
      ctx.strokeStyle = values ? rgba(ink, 0.18 + 0.72 * t) : "rgba(150,150,150,0.3)";
      ctx.lineWidth = values ? 0.4 + 4.6 * t : 0.5;
      ctx.beginPath();
      var mx = (e.x0 + e.x1) / 2;
      ctx.moveTo(e.x0, e.y0);
      ctx.bezierCurveTo(mx, e.y0, mx, e.y1, e.x1, e.y1);
      ctx.stroke();
    });
    if (this.hovered && this.hovered.edge) {
      var he = this.hovered.edge;
      ctx.strokeStyle = "#7048e8";
      ctx.lineWidth = 2;
      ctx.beginPath();
      var hm = (he.x0 + he.x1) / 2;
      ctx.moveTo(he.x0, he.y0);
      ctx.bezierCurveTo(hm, he.y0, hm, he.y1, he.x1, he.y1);
      ctx.stroke();
    }
    // neurons
    var grid = this.gridOut;
    var GG = GRID * GRID;
    var probeOut = this.probeOut;
    var layerMax = {};
    if (!grid && probeOut) {
      L.list.forEach(function (n) {
        if (n.out === undefined) return;
        layerMax[n.column] = Math.max(layerMax[n.column] || 0, Math.abs(probeOut[n.out]));
      });
    }
    var self2 = this;
    ctx.font = "11px Helvetica, Arial, sans-serif";
    ctx.textBaseline = "middle";
    var b = this.dim === 2 ? this.planeBounds() : null;
    // every heatmap into one tall image, put once, then drawn from its slices (a put and a draw per
    // neuron made the canvas flush 33 times a frame); each slice has a row of its edge above and
    // below, so that smoothing at a slice's edge never reads its neighbour
    var SLICE = GRID + 2;
    var slots = 0;
    L.list.forEach(function (n) { n.heat = grid || (n.input && b) ? slots++ : -1; });
    var image = this.netImage || (this.netImage = { canvas: document.createElement("canvas") });
    if (image.canvas.width !== GRID || image.canvas.height !== SLICE * Math.max(1, slots)) {
      image.canvas.width = GRID;
      image.canvas.height = SLICE * Math.max(1, slots);
      image.pixels = null;
    }
    var ictx = image.canvas.getContext("2d");
    var atlas = image.pixels || (image.pixels = ictx.createImageData(GRID, SLICE * Math.max(1, slots)));
    L.list.forEach(function (n) {
      if (n.heat >= 0) {
        var m = 0;
        var at;
        if (n.input) {
          var j = +n.id.replace(/^\D+/, "");
          at = function (cell) {
            var r = Math.floor(cell / GRID);
            var c = cell % GRID;
            return j === 0 ? b.x0 + (c + 0.5) * (b.x1 - b.x0) / GRID : b.y1 - (r + 0.5) * (b.y1 - b.y0) / GRID;
          };
          m = Math.max(Math.abs(b.x0), Math.abs(b.x1), Math.abs(b.y0), Math.abs(b.y1));
          if (j === 1) m = Math.max(Math.abs(b.y0), Math.abs(b.y1));
          else m = Math.max(Math.abs(b.x0), Math.abs(b.x1));
        } else {
          var base = n.out * GG;
          at = function (cell) { return grid[base + cell]; };
          for (var q = 0; q < GG; q++) m = Math.max(m, Math.abs(grid[base + q]));
        }
        var d = atlas.data;
        var inv = m > 0 ? 1 / m : 0;
        var off = n.heat * SLICE * GRID + GRID;
        if (n.input) for (var cell = 0; cell < GG; cell++) fill(d, off + cell, at(cell) * inv);
        else for (var cell2 = 0, base2 = n.out * GG; cell2 < GG; cell2++) fill(d, off + cell2, grid[base2 + cell2] * inv);
        d.copyWithin((off - GRID) * 4, off * 4, (off + GRID) * 4);
        d.copyWithin((off + GG) * 4, (off + GG - GRID) * 4, (off + GG) * 4);
      }
    });
    if (slots) ictx.putImageData(atlas, 0, 0);
    L.list.forEach(function (n) {
      if (n.heat >= 0) {
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(image.canvas, 0, n.heat * SLICE + 1, GRID, GRID, n.x, n.y, n.s, n.s);
      } else {
        var value = null;
        if (n.input) {
          var xin = self2.probeInput();
          value = xin ? xin[+n.id.replace(/^\D+/, "")] : null;
        } else if (probeOut) value = probeOut[n.out];
        var mm = n.input ? 1 : layerMax[n.column] || 1;
        var c2 = diverging(value === null ? 0 : n.input ? Math.max(-1, Math.min(1, value)) : value / mm);
        ctx.fillStyle = rgba(c2, 1);
        ctx.fillRect(n.x, n.y, n.s, n.s);
      }
      var hovered = self2.hovered && self2.hovered.node === n;
      ctx.strokeStyle = hovered ? "#7048e8" : "#495057";
      ctx.lineWidth = hovered ? 2.5 : 0.8;
      ctx.strokeRect(n.x + 0.5, n.y + 0.5, n.s - 1, n.s - 1);
      if (n.input) {
        ctx.fillStyle = "#212529";
        ctx.textAlign = "right";
        ctx.fillText(n.id, n.x - 4, n.y + n.s / 2);
      }
    });
    // column heads
    ctx.fillStyle = "#495057";
    ctx.textAlign = "center";
    var heads = {};
    L.list.forEach(function (n) {
      if (heads[n.column]) return;
      heads[n.column] = true;
      var layer = n.input ? null : self2.spec.network.layers[n.column - 1];
      var text = n.input ? "inputs" : layer.length + " " + (layer[0].activation || "linear");
      ctx.fillText(text, n.x + n.s / 2, L.headTop);
    });
    var what = EDGE_MODES[this.edgeMode];
    var key = values
      ? "edges: " + what + ", red positive, blue negative, width \u221d size (widest " + num(scale, 3) + (this.edgeMode === "weights" ? " over the run" : " in this frame") + ")"
      : "edges: no " + what + " in frame " + this.k + " (nothing was trained yet)";
    key += grid ? " \u00b7 neurons: output over the input plane" : " \u00b7 neurons: output at the probe";
    this.netKey.textContent = key;
  };

  Live.prototype.hoverNet = function (event) {
    var L = this.netLayout;
    if (!L || !this.frame) return;
    var r = this.netCanvas.getBoundingClientRect();
    var x = event.clientX - r.left;
    var y = event.clientY - r.top;
    var hit = this.hitNet(x, y);
    var before = this.hovered;
    this.hovered = hit;
    if ((before && before.node) !== (hit && hit.node) || (before && before.edge) !== (hit && hit.edge)) this.drawNet();
    if (!hit) return this.hideTip();
    this.showTip(hit.node ? this.neuronTip(hit.node) : this.weightTip(hit.edge), event.clientX, event.clientY);
  };

  Live.prototype.hitNet = function (x, y) {
    var L = this.netLayout;
    for (var i = 0; i < L.list.length; i++) {
      var n = L.list[i];
      if (x >= n.x - 2 && x <= n.x + n.s + 2 && y >= n.y - 2 && y <= n.y + n.s + 2) return { node: n };
    }
    var best = null;
    var bestD = 5;
    L.edges.forEach(function (e) {
      if (x < e.x0 - 2 || x > e.x1 + 2) return;
      // the bezier's y at this x, sampled (x(t) is monotone)
      var lo = 0;
      var hi = 1;
      for (var it = 0; it < 18; it++) {
        var t = (lo + hi) / 2;
        var bx = Math.pow(1 - t, 3) * e.x0 + 3 * Math.pow(1 - t, 2) * t * (e.x0 + e.x1) / 2 + 3 * (1 - t) * t * t * (e.x0 + e.x1) / 2 + t * t * t * e.x1;
        if (bx < x) lo = t;
        else hi = t;
      }
      var u = (lo + hi) / 2;
      var by = Math.pow(1 - u, 3) * e.y0 + 3 * Math.pow(1 - u, 2) * u * e.y0 + 3 * (1 - u) * u * u * e.y1 + u * u * u * e.y1;
      var d = Math.abs(by - y);
      if (d < bestD) {
        bestD = d;
        best = e;
      }
    });
    return best ? { edge: best } : null;
  };

  // the value feeding a neuron's input `from` at the probe: x_j, or an earlier neuron's output
  Live.prototype.inputValue = function (from) {
    var net = this.spec.network;
    var j = net.inputs.indexOf(from);
    var x = this.probeInput();
    if (j >= 0) return x ? x[j] : null;
    var index = this.spec.forward.neurons.indexOf(from);
    return this.probeOut && index >= 0 ? this.probeOut[index] : null;
  };

  Live.prototype.paramLine = function (i) {
    var f = this.frame;
    var name = this.spec.params[i];
    var parts = [name + " = " + num(f.params[i])];
    if (f.grads) parts.push("grad " + num(f.grads[i]));
    if (f.update) parts.push("last update " + num(f.update[i]));
    Object.keys(f.state || {}).forEach(function (s) { parts.push(s + " " + num(f.state[s][i])); });
    return parts.join(", ");
  };

  Live.prototype.neuronTip = function (n) {
    var self = this;
    var x = this.probeInput();
    var where = this.whatIf ? "at the dragged probe x = (" : "at the probe, example " + this.probe.index + ", x = (";
    where += x ? x.map(function (v) { return num(v); }).join(", ") : "?";
    where += ")";
    if (n.input) {
      return [{ head: true, text: n.id + ": input " + n.id }, { text: where + ": " + n.id + " = " + num(this.inputValue(n.id)) }];
    }
    var neuron = n.neuron;
    var act = neuron.activation;
    var terms = neuron.weights.map(function (w, i) { return "w" + i + "\u00b7" + w.from; });
    if (terms.length > 4) terms = [terms[0], terms[1], "\u2026", terms[terms.length - 1]];
    var symbolic = activationText(act, terms.join(" + ") + (neuron.bias !== null ? " + b" : ""));
    var f = this.frame;
    var shown = neuron.weights.slice(0, 6).map(function (w) {
      var h = self.inputValue(w.from);
      var ws = num(f.params[w.param]);
      return (f.params[w.param] < 0 ? "(" + ws + ")" : ws) + " \u00d7 " + (h !== null && h < 0 ? "(" + num(h) + ")" : num(h));
    });
    if (neuron.weights.length > 6) shown.push("\u2026 (" + neuron.weights.length + " terms)");
    if (neuron.bias !== null) shown.push(num(f.params[neuron.bias]));
    var sum = neuron.bias !== null ? f.params[neuron.bias] : 0;
    neuron.weights.forEach(function (w) { sum = sum + f.params[w.param] * self.inputValue(w.from); });
    var out = this.probeOut ? this.probeOut[n.out] : null;
    var lines = [
      { head: true, text: neuron.name + " (" + neuron.id + ", " + (act || "linear") + ")" },
      { math: true, text: "out = " + symbolic },
      { text: where + ", frame " + this.k + ":" },
      { math: true, text: "= " + activationText(act, shown.join(" + ")) },
      { math: true, text: "= " + activationText(act, num(sum)) + " = " + num(out) }
    ];
    if (neuron.bias !== null) lines.push({ note: true, text: this.paramLine(neuron.bias) });
    if (this.gridOut) lines.push({ note: true, text: "its heatmap: out over the input plane, red positive, blue negative, white 0" });
    return lines;
  };

  Live.prototype.weightTip = function (e) {
    var f = this.frame;
    var i = e.param;
    var h = this.inputValue(e.from.id);
    var w = f.params[i];
    var lines = [
      { head: true, text: this.spec.params[i] + ": the weight from " + e.from.id + " into " + e.neuron.name },
      { math: true, text: "w = " + num(w) + (f.grads ? ",  d loss/d w = " + num(f.grads[i]) + " (the batch's)" : "") },
      { math: true, text: "w \u00d7 " + e.from.id + " = " + num(w) + " \u00d7 " + (h < 0 ? "(" + num(h) + ")" : num(h)) + " = " + num(w * h) + (this.whatIf ? " at the dragged probe" : " at the probe") }
    ];
    if (f.update) {
      var before = f.params[i] - f.update[i];
      lines.push({ math: true, text: "last update: " + num(before) + " \u2192 " + num(w) + " (" + num(f.update[i]) + ", lr " + num(f.lr) + ")" });
    }
    var state = Object.keys(f.state || {});
    if (state.length) lines.push({ note: true, text: state.map(function (s) { return s + " = " + num(f.state[s][i]); }).join(", ") });
    return lines;
  };

  Live.prototype.showTip = function (lines, cx, cy) {
    this.tip.innerHTML = lines.map(function (line) {
      var cls = line.head ? "ag-head" : line.math ? "ag-math" : line.note ? "ag-note" : "ag-text";
      return '<div class="' + cls + '">' + esc(line.text) + "</div>";
    }).join("");
    this.tip.hidden = false;
    this.tipText = lines.map(function (l) { return l.text; }).join("\n");
    var w = this.tip.offsetWidth;
    var h = this.tip.offsetHeight;
    var left = cx + 14;
    var top = cy + 14;
    if (left + w > window.innerWidth - 4) left = Math.max(4, cx - w - 14);
    if (top + h > window.innerHeight - 4) top = Math.max(4, cy - h - 14);
    this.tip.style.left = left + window.scrollX + "px";
    this.tip.style.top = top + window.scrollY + "px";
  };

  Live.prototype.hideTip = function () {
    this.tip.hidden = true;
    this.tipText = "";
    if (this.hovered) {
      this.hovered = null;
      this.drawNet();
    }
  };

  /* ------------------------------------------------------------------ 3. the data */

  Live.prototype.planeBounds = function () {
    if (this.bounds) return this.bounds;
    var X = this.data.X;
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    X.forEach(function (p) {
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
      y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    });
    if (!isFinite(x0)) { x0 = -1; x1 = 1; y0 = -1; y1 = 1; }
    var cx = (x0 + x1) / 2;
    var cy = (y0 + y1) / 2;
    var half = Math.max(x1 - x0, y1 - y0, 1e-9) * 0.58;
    this.bounds = { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
    return this.bounds;
  };

  Live.prototype.classColour = function (y) {
    var classes = this.data.classes;
    if (this.spec.task === "regression") return rgba(diverging(Math.max(-1, Math.min(1, y))), 1);
    if (classes && classes.length === 2 && this.spec.task === "binary") return y === classes[0] || y < 0 || (y === 0 && classes[0] === 0) ? CLASS_COLOURS[0] : CLASS_COLOURS[1];
    var i = classes ? classes.indexOf(y) : y;
    return CLASS_COLOURS[(i < 0 ? 0 : i) % CLASS_COLOURS.length];
  };

  Live.prototype.dataSize = function () {
    var W = Math.max(200, Math.min(this.boxWidth(this.dataCanvas) || 320, 440));
    return { W: W, H: this.dim === 2 ? W : Math.round(W * 0.8) };
  };

  Live.prototype.drawData = function () {
    var f = this.frame;
    if (!f) return;
    var size = this.dataSize();
    var W = size.W;
    var H = size.H;
    var ctx = canvasSize(this.dataCanvas, W, H);
    ctx.clearRect(0, 0, W, H);
    var X = this.data.X;
    var y = this.data.y;
    var self = this;
    var outs = this.spec.forward ? this.spec.forward.outputs : [];
    if (this.dim === 2) {
      var b = this.planeBounds();
      var px = function (v) { return ((v - b.x0) / (b.x1 - b.x0)) * W; };
      var py = function (v) { return H - ((v - b.y0) / (b.y1 - b.y0)) * H; };
      this.toPlane = function (cx, cy) { return [b.x0 + (cx / W) * (b.x1 - b.x0), b.y0 + ((H - cy) / H) * (b.y1 - b.y0)]; };
      this.fromPlane = function (p) { return [px(p[0]), py(p[1])]; };
      if (this.gridOut && outs.length) {
        var img = this.dataImage || (this.dataImage = document.createElement("canvas"));
        img.width = GRID;
        img.height = GRID;
        var ictx = img.getContext("2d");
        var pixels = ictx.createImageData(GRID, GRID);
        var d = pixels.data;
        var GG = GRID * GRID;
        var grid = this.gridOut;
        for (var cell = 0; cell < GG; cell++) {
          var rgb;
          if (outs.length === 1) {
            var s = grid[outs[0] * GG + cell];
            fill(d, cell, Math.max(-1, Math.min(1, s)) * (this.spec.task === "regression" ? 0.7 : 0.55));
            continue;
          } else {
            var best = 0;
            for (var o = 1; o < outs.length; o++) if (grid[outs[o] * GG + cell] > grid[outs[best] * GG + cell]) best = o;
            var hex = CLASS_COLOURS[best % CLASS_COLOURS.length];
            rgb = [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)].map(function (c) { return Math.round(255 + (c - 255) * 0.35); });
          }
          d[cell * 4] = rgb[0];
          d[cell * 4 + 1] = rgb[1];
          d[cell * 4 + 2] = rgb[2];
          d[cell * 4 + 3] = 255;
        }
        ictx.putImageData(pixels, 0, 0);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(img, 0, 0, W, H);
        if (outs.length === 1 && this.spec.task !== "regression") this.contour(ctx, grid, outs[0] * GG, W, H);
      }
      X.forEach(function (p, i) {
        var q = [px(p[0]), py(p[1])];
        ctx.beginPath();
        ctx.arc(q[0], q[1], 3.6, 0, 2 * Math.PI);
        ctx.fillStyle = self.classColour(y[i]);
        ctx.fill();
        ctx.lineWidth = 0.8;
        ctx.strokeStyle = "#ffffff";
        ctx.stroke();
      });
      var probe = this.probeInput();
      if (probe) {
        var at = [px(probe[0]), py(probe[1])];
        if (this.whatIf) {
          var home = X[this.probe.index];
          var hq = [px(home[0]), py(home[1])];
          ctx.setLineDash([3, 3]);
          ctx.strokeStyle = "#212529";
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(hq[0], hq[1]);
          ctx.lineTo(at[0], at[1]);
          ctx.stroke();
          ctx.setLineDash([]);
        }
        ctx.beginPath();
        ctx.arc(at[0], at[1], 8, 0, 2 * Math.PI);
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#212529";
        ctx.stroke();
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = "#ffd43b";
        ctx.stroke();
        this.probeAt = at;
      }
      this.dataNote.textContent = (this.whatIf ? "probe dragged (what-if; Esc or reset puts it back) \u00b7 " : "drag the ringed probe point to see its graph at another input \u00b7 ") +
        (outs.length === 1 && this.spec.task !== "regression" ? "the black line is where the score is 0" : "") +
        (this.spec.live ? " \u00b7 click the plane to add a point" : "");
    } else {
      this.drawScores(ctx, W, H);
    }
  };

  // the line where the output is 0, by marching squares over the grid
  Live.prototype.contour = function (ctx, grid, base, W, H) {
    var cw = W / GRID;
    var ch = H / GRID;
    ctx.strokeStyle = "rgba(33,37,41,0.85)";
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    for (var r = 0; r < GRID - 1; r++) {
      for (var c = 0; c < GRID - 1; c++) {
        var v = [grid[base + r * GRID + c], grid[base + r * GRID + c + 1], grid[base + (r + 1) * GRID + c + 1], grid[base + (r + 1) * GRID + c]];
        var corners = [[c + 0.5, r + 0.5], [c + 1.5, r + 0.5], [c + 1.5, r + 1.5], [c + 0.5, r + 1.5]];
        var points = [];
        for (var e = 0; e < 4; e++) {
          var a = v[e];
          var bb = v[(e + 1) % 4];
          if ((a > 0) !== (bb > 0)) {
            var t = a / (a - bb);
            var p0 = corners[e];
            var p1 = corners[(e + 1) % 4];
            points.push([(p0[0] + (p1[0] - p0[0]) * t) * cw, (p0[1] + (p1[1] - p0[1]) * t) * ch]);
          }
        }
        for (var k = 0; k + 1 < points.length; k += 2) {
          ctx.moveTo(points[k][0], points[k][1]);
          ctx.lineTo(points[k + 1][0], points[k + 1][1]);
        }
      }
    }
    ctx.stroke();
  };

  // inputs of any other dimension: each example's output against its target (1-D: over x)
  Live.prototype.drawScores = function (ctx, W, H) {
    var F = this.forward;
    var X = this.data.X;
    var y = this.data.y;
    var outs = this.spec.forward ? this.spec.forward.outputs : [];
    var f = this.frame;
    this.toPlane = null;
    if (!F || !outs.length) {
      this.dataNote.textContent = "no forward script in this page: nothing to draw";
      return;
    }
    var pairs = X.map(function (x, i) {
      var o = F(x, f.params);
      return [x, y[i], o[outs[0]]];
    });
    var oneD = this.dim === 1;
    var xs = pairs.map(function (p) { return oneD ? p[0][0] : p[1]; });
    var ys = pairs.map(function (p) { return p[2]; }).concat(oneD ? pairs.map(function (p) { return p[1]; }) : []);
    var lo = Math.min.apply(null, xs), hi = Math.max.apply(null, xs);
    var ylo = Math.min.apply(null, ys), yhi = Math.max.apply(null, ys);
    if (hi === lo) { hi += 1; lo -= 1; }
    if (yhi === ylo) { yhi += 1; ylo -= 1; }
    var pad = 28;
    var sx = function (v) { return pad + ((v - lo) / (hi - lo)) * (W - pad - 8); };
    var sy = function (v) { return H - pad - ((v - ylo) / (yhi - ylo)) * (H - pad - 8); };
    ctx.strokeStyle = "#adb5bd";
    ctx.lineWidth = 1;
    ctx.strokeRect(pad, 8, W - pad - 8, H - pad - 8);
    ctx.fillStyle = "#495057";
    ctx.font = "11px Helvetica, Arial, sans-serif";
    ctx.textAlign = "center";
    ctx.fillText(oneD ? "x0" : "target", pad + (W - pad) / 2, H - 8);
    ctx.save();
    ctx.translate(11, H / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("model output", 0, 0);
    ctx.restore();
    if (sy(0) > 8 && sy(0) < H - pad) {
      ctx.strokeStyle = "#dee2e6";
      ctx.beginPath();
      ctx.moveTo(pad, sy(0));
      ctx.lineTo(W - 8, sy(0));
      ctx.stroke();
    }
    if (oneD) {
      ctx.strokeStyle = "#212529";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (var i = 0; i <= 120; i++) {
        var xv = lo + ((hi - lo) * i) / 120;
        var ov = F([xv], f.params)[outs[0]];
        if (i === 0) ctx.moveTo(sx(xv), sy(ov));
        else ctx.lineTo(sx(xv), sy(ov));
      }
      ctx.stroke();
    }
    var self = this;
    pairs.forEach(function (p, i) {
      ctx.beginPath();
      ctx.arc(sx(oneD ? p[0][0] : p[1]), sy(oneD ? p[1] : p[2]), 3.4, 0, 2 * Math.PI);
      ctx.fillStyle = self.classColour(p[1]);
      ctx.fill();
      if (i === self.probe.index) {
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = "#212529";
        ctx.beginPath();
        ctx.arc(sx(oneD ? p[0][0] : p[1]), sy(oneD ? p[1] : p[2]), 7, 0, 2 * Math.PI);
        ctx.stroke();
      }
    });
    this.dataNote.textContent = oneD
      ? "1-D input: the line is the model's output over x0, the dots the examples (the ringed one is the probe)"
      : this.dim + "-D input: no plane to draw, so each example's output against its target (the ringed one is the probe)";
  };

  Live.prototype.bindData = function () {
    var self = this;
    var dragging = false;
    var moved = false;
    function point(e) {
      var r = self.dataCanvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    }
    this.dataCanvas.addEventListener("pointerdown", function (e) {
      if (!self.toPlane) return;
      var p = point(e);
      moved = false;
      if (self.probeAt && Math.hypot(p[0] - self.probeAt[0], p[1] - self.probeAt[1]) <= 12 && self.canMoveProbe) {
        dragging = true;
        self.wasPlaying = self.playing;
        self.dataCanvas.setPointerCapture(e.pointerId);
        e.preventDefault();
      }
    });
    this.dataCanvas.addEventListener("pointermove", function (e) {
      if (!dragging) return;
      moved = true;
      self.setProbe(self.toPlane.apply(null, point(e)));
    });
    this.dataCanvas.addEventListener("pointerup", function (e) {
      if (dragging) {
        dragging = false;
        if (moved) self.setProbe(self.toPlane.apply(null, point(e)));
        return;
      }
      if (self.spec.live && self.toPlane && self.post) {
        var x = self.toPlane.apply(null, point(e));
        var label = parseFloat(self.addClass.value);
        self.post({ action: "point", x: x, y: label });
      }
    });
    this.dataCanvas.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && self.whatIf) {
        self.setProbe(null);
        e.preventDefault();
      }
    });
  };

  /* ------------------------------------------------------------------ 4. the curves */

  Live.prototype.curveGeometry = function () {
    var W = Math.max(200, this.boxWidth(this.curveCanvas) || 320);
    var H = 150;
    return { W: W, H: H, left: 40, right: W - 34, top: 12, bottom: H - 22 };
  };

  Live.prototype.drawCurves = function () {
    var h = this.history;
    if (!h || !h.count) return;
    var g = this.curveGeometry();
    var ctx = canvasSize(this.curveCanvas, g.W, g.H);
    var n = h.count;
    // the curves change only when frames arrive: drawn once into a canvas of their own
    if (this.curvesDirty || !this.curveCache || this.curveCache.width !== this.curveCanvas.width) {
      this.curveCache = this.curveCache || document.createElement("canvas");
      var cache = this.curveCache;
      var cctx = canvasSize(cache, g.W, g.H);
      cctx.clearRect(0, 0, g.W, g.H);
      var finite = h.loss.filter(function (v) { return typeof v === "number" && isFinite(v); });
      var lmax = finite.length ? Math.max.apply(null, finite) : 1;
      var lmin = Math.min(0, finite.length ? Math.min.apply(null, finite) : 0);
      if (lmax === lmin) lmax = lmin + 1;
      var fx = function (k) { return g.left + (n === 1 ? 0 : (k / (n - 1)) * (g.right - g.left)); };
      var fy = function (v) { return g.bottom - ((v - lmin) / (lmax - lmin)) * (g.bottom - g.top); };
      this.curveScale = { fx: fx, n: n };
      cctx.strokeStyle = "#dee2e6";
      cctx.lineWidth = 1;
      cctx.strokeRect(g.left, g.top, g.right - g.left, g.bottom - g.top);
      cctx.font = "10px Helvetica, Arial, sans-serif";
      cctx.fillStyle = "#c92a2a";
      cctx.textAlign = "right";
      cctx.textBaseline = "middle";
      cctx.fillText(num(lmax, 3), g.left - 3, g.top + 2);
      cctx.fillText(num(lmin, 3), g.left - 3, g.bottom);
      cctx.fillStyle = "#495057";
      cctx.textAlign = "center";
      cctx.textBaseline = "alphabetic";
      cctx.fillText("step " + h.steps[0], g.left + 10, g.H - 6);
      cctx.fillText("step " + h.steps[n - 1], g.right - 14, g.H - 6);
      cctx.fillText("loss (red, left) \u00b7 accuracy (green, right)", (g.left + g.right) / 2, g.H - 6);
      cctx.strokeStyle = "#c92a2a";
      cctx.lineWidth = 1.6;
      cctx.beginPath();
      var started = false;
      h.loss.forEach(function (v, k) {
        if (typeof v !== "number" || !isFinite(v)) { started = false; return; }
        if (!started) cctx.moveTo(fx(k), fy(v));
        else cctx.lineTo(fx(k), fy(v));
        started = true;
      });
      cctx.stroke();
      var hasAcc = h.accuracy.some(function (a) { return typeof a === "number"; });
      if (hasAcc) {
        var ay = function (a) { return g.bottom - a * (g.bottom - g.top); };
        cctx.strokeStyle = "#2b8a3e";
        cctx.beginPath();
        started = false;
        h.accuracy.forEach(function (a, k) {
          if (typeof a !== "number") { started = false; return; }
          if (!started) cctx.moveTo(fx(k), ay(a));
          else cctx.lineTo(fx(k), ay(a));
          started = true;
        });
        cctx.stroke();
        cctx.fillStyle = "#2b8a3e";
        cctx.textAlign = "left";
        cctx.textBaseline = "middle";
        cctx.fillText("100%", g.right + 3, g.top + 2);
        cctx.fillText("0%", g.right + 3, g.bottom);
      }
      // events: a mark at the top
      this.eventMarks = [];
      var self = this;
      h.events.forEach(function (item) {
        var x = fx(item.frame);
        var colour = item.event.kind === "anomaly" ? "#e03131" : item.event.kind === "lr" ? "#7048e8" : "#f08c00";
        cctx.strokeStyle = colour;
        cctx.setLineDash([2, 3]);
        cctx.lineWidth = 1;
        cctx.beginPath();
        cctx.moveTo(x, g.top);
        cctx.lineTo(x, g.bottom);
        cctx.stroke();
        cctx.setLineDash([]);
        cctx.fillStyle = colour;
        cctx.beginPath();
        cctx.moveTo(x - 5, g.top - 2);
        cctx.lineTo(x + 5, g.top - 2);
        cctx.lineTo(x, g.top + 6);
        cctx.closePath();
        cctx.fill();
        self.eventMarks.push({ x: x, frame: item.frame, event: item.event });
      });
      this.curvesDirty = false;
    }
    ctx.clearRect(0, 0, g.W, g.H);
    ctx.drawImage(this.curveCache, 0, 0, g.W, g.H);
    var x = this.curveScale.fx(this.k);
    ctx.strokeStyle = "#212529";
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    ctx.moveTo(x, g.top);
    ctx.lineTo(x, g.bottom);
    ctx.stroke();
  };

  Live.prototype.curveFrame = function (event) {
    var g = this.curveGeometry();
    var r = this.curveCanvas.getBoundingClientRect();
    var x = event.clientX - r.left;
    var n = this.history.count;
    var k = n === 1 ? 0 : Math.round(((x - g.left) / (g.right - g.left)) * (n - 1));
    return { k: Math.max(0, Math.min(n - 1, k)), x: x, y: event.clientY - r.top };
  };

  Live.prototype.clickCurve = function (event) {
    if (!this.history || !this.history.count) return;
    this.pause();
    var at = this.curveFrame(event);
    var mark = this.markAt(at);
    this.goto(mark ? mark.frame : at.k);
  };

  Live.prototype.markAt = function (at) {
    var found = null;
    (this.eventMarks || []).forEach(function (m) {
      if (Math.abs(m.x - at.x) <= 6 && at.y <= 24) found = m;
    });
    return found;
  };

  Live.prototype.hoverCurve = function (event) {
    if (!this.history || !this.history.count) return;
    var at = this.curveFrame(event);
    var mark = this.markAt(at);
    var k = mark ? mark.frame : at.k;
    var f = this.store.frame(k);
    var lines = [{ head: true, text: "frame " + k + ", step " + f.step + (mark ? "" : ": click to go there") }];
    lines.push({ math: true, text: "loss " + num(f.loss) + (f.accuracy !== null && f.accuracy !== undefined ? ", accuracy " + Math.round(f.accuracy * 1000) / 10 + "%" : "") });
    (f.events || []).forEach(function (ev) {
      lines.push({ text: ev.kind + ": " + ev.text + (ev.op ? " (op " + ev.op + ")" : "") + (ev.line ? " at " + ev.line : "") });
    });
    this.showTip(lines, event.clientX, event.clientY);
  };

  /* ------------------------------------------------------------------ 5. the parameters */

  Live.prototype.buildTable = function () {
    var self = this;
    var state = (this.spec.optimizer && this.spec.optimizer.state) || [];
    this.stateNames = state;
    var columns = [["index", "#"], ["name", "parameter"], ["value", "value"], ["grad", "grad"], ["update", "update"]]
      .concat(state.map(function (s) { return ["state:" + s, s]; }))
      .concat([["spark", "history"]]);
    this.columns = columns;
    // a grid of rows rather than a <table>: each row is laid out on its own (contain), so writing
    // the numbers of a frame does not lay the whole table out again
    var head = el("div", { class: "ag-row ag-head-row", role: "row" }, columns.map(function (c) {
      var th = el("div", { role: "columnheader", class: "ag-cell ag-col-" + c[0].replace(":", "-"), "data-key": c[0], text: c[1] });
      if (c[0] !== "spark") {
        th.classList.add("ag-sortable");
        th.title = "sort by " + c[1] + " (click again to reverse)";
        th.addEventListener("click", function () { self.sortBy(c[0], self.sortKey === c[0] ? -self.sortDir : c[0] === "name" || c[0] === "index" ? 1 : -1); });
      }
      return th;
    }));
    this.tbody = el("div", { class: "ag-rows", role: "rowgroup" });
    this.rows = this.spec.params.map(function (name, i) {
      var cells = {};
      var tr = el("div", { class: "ag-row", role: "row", "data-index": String(i) });
      columns.forEach(function (c) {
        var td = el("div", { role: "cell", class: "ag-cell ag-col-" + c[0].replace(":", "-") });
        if (c[0] === "index") td.textContent = String(i);
        else if (c[0] === "name") {
          // layers.0.neurons.3.w.1 as L0.n3.w.1, to leave room for the numbers; the whole name on hover
          td.textContent = name.replace(/(^|\.)layers\.(\d+)\.neurons\.(\d+)(?=\.|$)/, "$1L$2.n$3");
          td.title = name;
        } else if (c[0] === "spark") {
          var canvas = el("canvas", { class: "ag-spark" });
          td.appendChild(canvas);
          cells.sparkCanvas = canvas;
        }
        cells[c[0]] = td;
        tr.appendChild(td);
      });
      self.tbody.appendChild(tr);
      return { tr: tr, cells: cells, index: i, shown: {} };
    });
    this.table = el("div", { class: "ag-params", role: "table", "aria-label": "parameters" }, [head, this.tbody]);
    this.tableBox.appendChild(this.table);
    // only the rows in sight are written each frame; a row scrolled into sight is written then
    if (window.IntersectionObserver) {
      this.rowObserver = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          var row = self.rows[+entry.target.getAttribute("data-index")];
          row.visible = entry.isIntersecting;
          if (row.visible && self.frame) self.fillRow(row);
        });
      }, { root: this.tableBox, rootMargin: "120px 0px" });
      this.rows.forEach(function (row) { self.rowObserver.observe(row.tr); });
    } else {
      this.rows.forEach(function (row) { row.visible = true; });
    }
  };

  Live.prototype.fillRow = function (row) {
    if (row.sparked !== this.k + ":" + this.history.count) this.drawSpark(row);
    var keys = this.rowKeys || (this.rowKeys = ["value", "grad", "update"].concat(this.stateNames.map(function (s) { return "state:" + s; })));
    for (var j = 0; j < keys.length; j++) {
      var v = this.cellValue(keys[j], row.index);
      var text = v === null || v === undefined ? "\u2013" : quick(v, 3);
      if (row.shown[keys[j]] !== text) {
        row.cells[keys[j]].textContent = text;
        row.shown[keys[j]] = text;
      }
    }
  };

  Live.prototype.cellValue = function (key, i) {
    var f = this.frame;
    if (key === "index") return i;
    if (key === "value") return f.params[i];
    if (key === "grad") return f.grads ? f.grads[i] : null;
    if (key === "update") return f.update ? f.update[i] : null;
    if (key.indexOf("state:") === 0) {
      var s = f.state ? f.state[key.slice(6)] : null;
      return s ? s[i] : null;
    }
    return null;
  };

  Live.prototype.fillTable = function () {
    var f = this.frame;
    if (!f) return;
    for (var i = 0; i < this.rows.length; i++) if (this.rows[i].visible) this.fillRow(this.rows[i]);
    if (this.sortKey) {
      var th = this.table.querySelector('.ag-head-row [data-key="' + this.sortKey + '"]');
      if (th) th.setAttribute("aria-sort", this.sortDir > 0 ? "ascending" : "descending");
    }
  };

  // a row's sparkline: its value over every frame recorded, a dot at this frame
  Live.prototype.drawSpark = function (row) {
    var h = this.history;
    var n = h.count;
    var W = 78;
    var H = 16;
    var i = row.index;
    var ctx = canvasSize(row.cells.sparkCanvas, W, H);
    ctx.clearRect(0, 0, W, H);
    // the line changes only when frames arrive: drawn once into a canvas of the row's own, then
    // each frame copies it and puts the dot on
    var line = row.sparkLine || (row.sparkLine = { canvas: document.createElement("canvas"), count: -1 });
    var fresh = line.count !== n || line.history !== h || line.canvas.width !== row.cells.sparkCanvas.width;
    var lctx = fresh ? canvasSize(line.canvas, W, H) : null;
    if (fresh) lctx.clearRect(0, 0, W, H);
    var lo = Infinity;
    var hi = -Infinity;
    if (fresh) {
      for (var k = 0; k < n; k++) {
        var v = h.values[k][i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi === lo) { hi += 1e-9; lo -= 1e-9; }
      line.lo = lo;
      line.hi = hi;
    } else {
      lo = line.lo;
      hi = line.hi;
    }
    var fx = function (j) { return n === 1 ? W / 2 : (j / (n - 1)) * (W - 4) + 2; };
    var fy = function (v) { return H - 2 - ((v - lo) / (hi - lo)) * (H - 4); };
    if (fresh) {
      if (lo < 0 && hi > 0) {
        lctx.strokeStyle = "#dee2e6";
        lctx.lineWidth = 1;
        lctx.beginPath();
        lctx.moveTo(0, fy(0));
        lctx.lineTo(W, fy(0));
        lctx.stroke();
      }
      lctx.strokeStyle = "#495057";
      lctx.lineWidth = 1;
      lctx.beginPath();
      for (var j = 0; j < n; j++) {
        if (j === 0) lctx.moveTo(fx(j), fy(h.values[j][i]));
        else lctx.lineTo(fx(j), fy(h.values[j][i]));
      }
      lctx.stroke();
      line.count = n;
      line.history = h;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(line.canvas, 0, 0);
    var ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#d6336c";
    ctx.beginPath();
    ctx.arc(fx(this.k), fy(h.values[this.k][i]), 2.2, 0, 2 * Math.PI);
    ctx.fill();
    row.sparked = this.k + ":" + n;
  };

  Live.prototype.sortBy = function (key, dir) {
    var self = this;
    if (!this.columns.some(function (c) { return c[0] === key && key !== "spark"; })) return;
    this.sortKey = key;
    this.sortDir = dir < 0 ? -1 : 1;
    if (!this.frame) return;
    var names = this.spec.params;
    var sorted = this.rows.slice().sort(function (a, b) {
      var d;
      if (key === "name") d = names[a.index] < names[b.index] ? -1 : names[a.index] > names[b.index] ? 1 : 0;
      else {
        var va = self.cellValue(key, a.index);
        var vb = self.cellValue(key, b.index);
        d = (va === null ? -Infinity : va) - (vb === null ? -Infinity : vb);
      }
      return (d || a.index - b.index) * self.sortDir;
    });
    sorted.forEach(function (row) { self.tbody.appendChild(row.tr); });
    Array.prototype.forEach.call(this.table.querySelectorAll("[aria-sort]"), function (th) { th.removeAttribute("aria-sort"); });
    this.fillTable();
    this.writeHash();
  };

  /* ------------------------------------------------------------------ window.autograd */

  Live.prototype.state = function () {
    var f = this.frame;
    var ex = this.explorer ? this.explorer.state() : null;
    var params = {};
    var self = this;
    if (f) this.spec.params.forEach(function (name, i) { params[name] = f.params[i]; });
    var caption = f ? "frame " + this.k + " of " + (this.store.count - 1) + ", step " + f.step + ": loss " + num(f.loss) : "no frames yet";
    return {
      kind: "live",
      step: f ? f.step : 0,
      steps: this.store.count,
      frame: this.k,
      frames: this.store.count,
      caption: caption + (ex ? "\n" + ex.caption : ""),
      nodes: ex ? ex.nodes : [],
      loss: f ? f.loss : null,
      accuracy: f && f.accuracy !== undefined ? f.accuracy : null,
      lr: f ? f.lr : null,
      events: f ? f.events || [] : [],
      params: params,
      playing: this.playing,
      fps: this.fps,
      probe: this.probe ? this.probe.index : null,
      probeInput: this.probeInput(),
      whatIf: this.whatIf,
      edges: this.edgeMode,
      backward: ex ? { step: ex.step, steps: ex.steps, focus: ex.focus, view: ex.view, caption: ex.caption } : null,
      sort: this.sortKey ? { key: this.sortKey, dir: this.sortDir } : null,
      order: this.rows.map(function (r) { return r.tr; }).length ? Array.prototype.map.call(this.tbody.children, function (tr) { return +tr.getAttribute("data-index"); }) : [],
      neurons: this.probeOut ? Array.prototype.slice.call(this.probeOut) : null,
      tip: this.tip.hidden ? "" : this.tipText,
      status: this.status.textContent,
      live: !!this.spec.live,
      hash: this.hash || window.location.hash,
      timings: self.timings.slice(-50)
    };
  };

  Live.prototype.makeApi = function () {
    var self = this;
    function view(node) {
      var r = self.netCanvas.getBoundingClientRect();
      return { x: r.left + node.x + node.s / 2, y: r.top + node.y + node.s / 2 };
    }
    return {
      state: function () { return self.state(); },
      goto: function (k) { self.pause(); return self.goto(k).step; },
      next: function () { self.pause(); return self.goto(self.k + 1).step; },
      previous: function () { self.pause(); return self.goto(self.k - 1).step; },
      play: function () { self.play(); },
      pause: function () { self.pause(); },
      reset: function () { self.reset(); },
      setSpeed: function (fps) { self.setSpeed(fps); },
      setEdges: function (mode) { self.setEdges(mode); },
      setProbe: function (x) { return self.setProbe(x); },
      sortBy: function (key, dir) { self.sortBy(key, dir); },
      backward: function (k) { if (self.explorer) self.explorer.goto(k); self.writeHash(); return self.explorer ? self.explorer.position : null; },
      receive: function (frame) { return self.receive(frame); },
      ready: function () { return self.ready.then(function () { return true; }); },
      // where things are drawn, in client coordinates, for tests and embedders
      layout: function () {
        var L = self.netLayout;
        var out = { neurons: {}, edges: [], probe: null, curves: null };
        if (L) {
          L.list.forEach(function (n) { out.neurons[n.id] = view(n); });
          var r = self.netCanvas.getBoundingClientRect();
          L.edges.forEach(function (e) {
            // a point on the curve: its middle
            out.edges.push({ param: e.param, x: r.left + (e.x0 + e.x1) / 2, y: r.top + (e.y0 + e.y1) / 2 });
          });
        }
        if (self.probeAt) {
          var d = self.dataCanvas.getBoundingClientRect();
          out.probe = { x: d.left + self.probeAt[0], y: d.top + self.probeAt[1] };
        }
        if (self.curveScale) {
          var c = self.curveCanvas.getBoundingClientRect();
          var g = self.curveGeometry();
          out.curves = { left: c.left + g.left, right: c.left + g.right, top: c.top + g.top, bottom: c.top + g.bottom, frames: self.curveScale.n,
            events: (self.eventMarks || []).map(function (m) { return { x: c.left + m.x, y: c.top + g.top + 1, frame: m.frame }; }) };
        }
        if (self.toPlane) {
          var dr = self.dataCanvas.getBoundingClientRect();
          var b = self.planeBounds();
          out.plane = { left: dr.left, top: dr.top, width: dr.width, height: dr.height, bounds: b };
        }
        return out;
      },
      toClient: function (x) {
        if (!self.fromPlane) return null;
        var p = self.fromPlane(x);
        var d = self.dataCanvas.getBoundingClientRect();
        return { x: d.left + p[0], y: d.top + p[1] };
      }
    };
  };

  AutogradLive.views = [];
  AutogradLive.mount = function (container, spec, encoded, options) {
    var view = new Live(container, spec, encoded, options);
    AutogradLive.views.push(view);
    return view;
  };
  AutogradLive.View = Live;
})();
