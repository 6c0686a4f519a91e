/* The explorer: a Graphviz diagram of a Value graph in a pan-and-zoom view, stepped through its
   forward pass and then its backward pass one node at a time, the chain rule of each step in a
   caption. Every number it shows comes in its spec; it adds, multiplies and differentiates nothing.

   AutogradExplorer.mount(element, spec, options) -> {api, ...}, where spec is
     nodes  [{id, label, name, kind, op, data, inputs: [ids]}]   in data-flow order (ids v0, v1, ...)
     steps  [{node, grad, shares: [{input, slot, local, share, formula, total, again}]}]
            trace_backward as JSON; total: the input's gradient after this share arrived;
            again (leaves): what it holds after this share in a second backward pass
     root   the id of the Value differentiated
     views  {key: {svg, boxOf: {value id: id of the box it is folded into}}}   "" is the first view
     groups {box id: {label, about, members: [ids], params: [ids]}}   folded boxes a click opens
     digits, colorByGrad, title
   options: {keys: true (arrow keys etc. on the document), hash: true (the step in the URL),
             start: the step shown first when the URL names none (-1: the last; default 0)}. */
(function () {
  "use strict";
  var fmt = AutogradPages.format;
  var MINUS = "\u2212";
  var SPEEDS = [0.5, 1, 2, 4, 8]; // steps per second

  /* ------------------------------------------------------------------ formulas, for reading */

  // A formula of the op table is Python source over g, x, y, out ("g * (1 - out * out)"): parsed
  // here only to be written for people, with g = 1 (the local derivative) and then with numbers.
  function tokenize(source) {
    var tokens = [];
    var pattern = /\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|[A-Za-z_]\w*|\*\*|>=|<=|==|[-+*\/(),<>])/y;
    var match;
    pattern.lastIndex = 0;
    while (pattern.lastIndex < source.length) {
      if (/^\s*$/.test(source.slice(pattern.lastIndex))) break;
      match = pattern.exec(source);
      if (!match) return null;
      tokens.push(match[1]);
    }
    return tokens;
  }

  function parse(source) {
    var tokens = tokenize(source);
    if (!tokens) return null;
    var i = 0;
    function peek() {
      return tokens[i];
    }
    function take(expected) {
      var token = tokens[i++];
      if (expected !== undefined && token !== expected) throw new Error("expected " + expected);
      return token;
    }
    function comparison() {
      var left = sum();
      if ([">", "<", ">=", "<=", "=="].indexOf(peek()) >= 0) {
        var op = take();
        left = { t: "bin", op: op, a: left, b: sum() };
      }
      return left;
    }
    function sum() {
      var left = product();
      while (peek() === "+" || peek() === "-") {
        var op = take();
        left = { t: "bin", op: op, a: left, b: product() };
      }
      return left;
    }
    function product() {
      var left = unary();
      while (peek() === "*" || peek() === "/") {
        var op = take();
        left = { t: "bin", op: op, a: left, b: unary() };
      }
      return left;
    }
    function unary() {
      if (peek() === "-") {
        take();
        return { t: "neg", a: unary() };
      }
      if (peek() === "+") {
        take();
        return unary();
      }
      return power();
    }
    function power() {
      var base = atom();
      if (peek() === "**") {
        take();
        return { t: "bin", op: "**", a: base, b: unary() };
      }
      return base;
    }
    function atom() {
      var token = take();
      if (token === undefined) throw new Error("unexpected end");
      if (token === "(") {
        var inner = comparison();
        take(")");
        return inner;
      }
      if (/^[\d.]/.test(token)) return { t: "num", v: parseFloat(token), text: token.replace(/\.0*$/, "") };
      if (/^[A-Za-z_]/.test(token)) {
        if (peek() === "(") {
          take();
          var args = [];
          if (peek() !== ")") {
            args.push(comparison());
            while (peek() === ",") {
              take();
              args.push(comparison());
            }
          }
          take(")");
          return { t: "call", f: token, args: args };
        }
        return { t: "name", v: token };
      }
      throw new Error("unexpected " + token);
    }
    try {
      var tree = comparison();
      return i === tokens.length ? tree : null;
    } catch (error) {
      return null;
    }
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  function isNum(node, v) {
    return node.t === "num" && !node.value && node.v === v;
  }

  // The formula with g = 1: what d node / d input is.
  function local(tree) {
    switch (tree.t) {
      case "name":
        return tree.v === "g" ? { t: "num", v: 1, text: "1" } : tree;
      case "num":
        return tree;
      case "neg": {
        var a = local(tree.a);
        return a.t === "neg" ? a.a : { t: "neg", a: a };
      }
      case "call":
        return { t: "call", f: tree.f, args: tree.args.map(local) };
      case "bin": {
        var left = local(tree.a);
        var right = local(tree.b);
        if (tree.op === "*") {
          if (isNum(left, 1)) return right;
          if (isNum(right, 1)) return left;
          if (left.t === "neg" && isNum(left.a, 1)) return right.t === "neg" ? right.a : { t: "neg", a: right };
          if (right.t === "neg" && isNum(right.a, 1)) return { t: "neg", a: left };
          if (isNum(left, 0) || isNum(right, 0)) return { t: "num", v: 0, text: "0" };
        }
        if (tree.op === "/" && isNum(right, 1)) return left;
        // sign(a), as the compiler writes it out: (a > 0.0) - (a < 0.0)
        if (
          tree.op === "-" &&
          left.t === "bin" &&
          right.t === "bin" &&
          left.op === ">" &&
          right.op === "<" &&
          same(left.a, right.a) &&
          isNum(left.b, 0) &&
          isNum(right.b, 0)
        ) {
          return { t: "call", f: "sign", args: [left.a] };
        }
        return { t: "bin", op: tree.op, a: left, b: right };
      }
    }
    return tree;
  }

  // Names of the formula replaced by numbers (the page's own copy of the engine's floats).
  function substitute(tree, values) {
    switch (tree.t) {
      case "name":
        return tree.v in values ? { t: "num", v: values[tree.v], value: true } : tree;
      case "neg":
        return { t: "neg", a: substitute(tree.a, values) };
      case "call":
        return { t: "call", f: tree.f, args: tree.args.map(function (a) { return substitute(a, values); }) };
      case "bin":
        return { t: "bin", op: tree.op, a: substitute(tree.a, values), b: substitute(tree.b, values) };
    }
    return tree;
  }

  var PRECEDENCE = { ">": 0, "<": 0, ">=": 0, "<=": 0, "==": 0, "+": 1, "-": 1, "*": 2, "/": 2, "**": 4 };
  var SHOWN = { "*": "\u00d7", "-": MINUS, "/": "/", "+": "+", ">": ">", "<": "<", ">=": "\u2265", "<=": "\u2264", "==": "=" };
  var SQUARES = { 2: "\u00b2", 3: "\u00b3" };

  function precedence(node) {
    if (node.t === "bin") return node.op === "*" && same(node.a, node.b) && node.a.t !== "bin" ? 4 : PRECEDENCE[node.op];
    if (node.t === "neg") return 3;
    if (node.t === "num" && node.v < 0) return node.value ? 3.5 : 3; // a number put in: bracketed as an operand
    return 5;
  }

  function write(node, digits) {
    function operand(child, least) {
      var text = write(child, digits);
      var p = precedence(child);
      return p < least || (child.t === "num" && child.value && child.v < 0) ? "(" + text + ")" : text;
    }
    switch (node.t) {
      case "num":
        return node.value ? fmt(node.v, digits).replace("-", MINUS) : node.text.replace("-", MINUS);
      case "name":
        return node.v;
      case "neg":
        return MINUS + operand(node.a, 3);
      case "call": {
        var args = node.args.map(function (a) { return write(a, digits); });
        if (node.f === "pow_grad" && node.args.length === 2) {
          // y * x ** (y - 1), taken as 0 at x = y = 0
          return operand(node.args[1], 2) + " \u00d7 " + operand(node.args[0], 5) + "^(" + args[1] + " " + MINUS + " 1)";
        }
        if (node.f === "xlogy" && node.args.length === 2) return operand(node.args[0], 2) + " \u00d7 log(" + args[1] + ")";
        if (node.f === "larger" && node.args.length === 2) return "[" + args[0] + " > " + args[1] + "]";
        return node.f + "(" + args.join(", ") + ")";
      }
      case "bin": {
        if (node.op === "*" && same(node.a, node.b) && node.a.t !== "bin") return operand(node.a, 5) + SQUARES[2];
        if (node.op === "**") {
          var exponent = node.b;
          if (exponent.t === "num" && !exponent.value && SQUARES[exponent.v]) return operand(node.a, 5) + SQUARES[exponent.v];
          return operand(node.a, 5) + "^" + operand(exponent, 5);
        }
        var p = PRECEDENCE[node.op];
        return operand(node.a, p) + " " + SHOWN[node.op] + " " + operand(node.b, p + 1);
      }
    }
    return "?";
  }

  // The forward of a node for people: a × b, tanh(n), −a, a ** b.
  var INFIX = { "+": "+", "-": MINUS, "*": "\u00d7", "/": "/", "**": "**" };
  function forwardText(op, inputs) {
    if (inputs.length === 2 && INFIX[op]) return inputs[0] + " " + INFIX[op] + " " + inputs[1];
    if (op === "neg" && inputs.length === 1) return MINUS + inputs[0];
    return op + "(" + inputs.join(", ") + ")";
  }

  /* ------------------------------------------------------------------ colours */

  // Gradients on a symmetric log scale between the smallest and the largest |grad| the whole
  // pass shows, locked for the pass; positive red, negative blue, zero white: the same colour
  // means the same number. The scale of draw_dot(color_by_grad=True): autograd/viz/draw.py's
  // grad_scale, grad_depth and grad_fill (GRAD_FLOOR, GRAD_RED, GRAD_BLUE, GRAD_LIGHTEST,
  // GRAD_WHITE_TEXT), the same numbers, as tests/test_explorer.py checks.
  function colourScale(values) {
    var high = 0;
    var low = Infinity;
    values.forEach(function (v) {
      var a = Math.abs(v);
      if (!isFinite(a)) return;
      if (a > high) high = a;
      if (a > 0 && a < low) low = a;
    });
    if (!(high > 0)) return null;
    low = Math.max(low, high * 1e-6);
    return { low: low, high: high };
  }
  var RED = [178, 24, 43];
  var BLUE = [33, 102, 172];
  function level(scale, g) {
    var a = Math.abs(g);
    if (a === 0 || !isFinite(a)) return 0;
    if (scale.high === scale.low) return 1;
    var t = (Math.log(a) - Math.log(scale.low)) / (Math.log(scale.high) - Math.log(scale.low));
    return 0.15 + (1 - 0.15) * Math.max(0, Math.min(1, t));
  }
  function colour(scale, g) {
    var t = level(scale, g);
    var ink = g < 0 ? BLUE : RED;
    var hex = ink.map(function (c) { return ("0" + Math.floor(255 + (c - 255) * t + 0.5).toString(16)).slice(-2); });
    return { fill: "#" + hex.join(""), text: t > 0.62 ? "#ffffff" : "#000000" };
  }

  /* ------------------------------------------------------------------ the explorer */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function Explorer(container, spec, options) {
    var self = this;
    options = options || {};
    this.spec = spec;
    this.options = { keys: options.keys !== false, hash: options.hash !== false };
    this.digits = spec.digits || 4;
    this.nodes = spec.nodes;
    this.byId = {};
    this.nodes.forEach(function (node) { self.byId[node.id] = node; });
    this.steps = spec.steps || [];
    this.groups = spec.groups || {};
    this.views = spec.views || { "": { svg: spec.svg || "", boxOf: {} } };
    this.forward = this.nodes.filter(function (node) { return node.op; }).map(function (node) { return node.id; });
    this.tally();
    this.again = false;
    this.position = 0;
    this.viewKey = "";
    this.colorByGrad = !!spec.colorByGrad;
    this.speed = 1;
    this.timer = null;
    this.build(container);
    this.timeline();
    this.showView("", true);
    // the first step shown: the URL's, else options.start (-1: the last), else the first
    var start = this.options.hash ? this.fromHash() : null;
    if (start === null && typeof options.start === "number") start = options.start < 0 ? this.length - 1 : options.start;
    this.goto(start === null ? 0 : Math.max(0, Math.min(start, this.length - 1)), { jump: true });
    if (this.options.hash) {
      window.addEventListener("hashchange", function () {
        var k = self.fromHash();
        if (k !== null && k !== self.position) self.goto(k);
      });
    }
    this.api = {
      state: function () { return self.state(); },
      goto: function (k) { return self.goto(k).step; },
      next: function () { return self.goto(self.position + 1).step; },
      previous: function () { return self.goto(self.position - 1).step; },
      play: function () { self.play(); },
      pause: function () { self.pause(); },
      again: function () { return self.runAgain(); },
      open: function (key) { return self.open(key); },
      fold: function () { return self.open(""); },
      fit: function () { self.fit(true); },
      zoomIn: function () { self.zoomBy(1.25); },
      zoomOut: function () { self.zoomBy(0.8); },
      actualSize: function () { self.actualSize(); },
      view: function () { return { scale: self.pz.getScale(), pan: self.pz.getPan(), key: self.viewKey }; },
      setColorByGrad: function (on) { self.setColour(!!on); },
      setSpeed: function (s) { self.setSpeed(s); },
      update: function (values) { return self.update(values).step; }
    };
  }

  /* What the steps add up to: the last step reaching each input, the leaves' gradients after one
     pass, and one colour scale per pass, over every gradient that pass shows. */
  Explorer.prototype.tally = function () {
    var self = this;
    this.last = {}; // input id -> index of the last step handing it a share
    this.leaves = {}; // leaf id -> its gradient after one pass (the last total)
    this.steps.forEach(function (step, k) {
      step.shares.forEach(function (share) {
        self.last[share.input] = k;
        if (!self.byId[share.input].op) self.leaves[share.input] = share.total;
      });
    });
    this.canAgain = this.steps.some(function (step) {
      return step.shares.some(function (share) { return share.again !== undefined; });
    });
    var first = [1];
    var second = [1];
    this.steps.forEach(function (step) {
      first.push(step.grad);
      second.push(step.grad);
      step.shares.forEach(function (share) {
        first.push(share.total);
        second.push(share.again !== undefined ? share.again : share.total);
      });
    });
    Object.keys(this.leaves).forEach(function (id) { second.push(self.leaves[id]); });
    this.scales = { 1: colourScale(first), 2: colourScale(second) };
    this.scale = this.scales[1];
  };

  /* New numbers for the same graph (the live view's frames): values.data {node id: data} and
     values.steps, the backward steps with the same nodes and shares in the same order. The layout,
     the open box, the pan and zoom and the position stay; nothing is laid out again. */
  Explorer.prototype.update = function (values) {
    var self = this;
    var data = values.data || {};
    this.nodes.forEach(function (node) {
      if (Object.prototype.hasOwnProperty.call(data, node.id)) node.data = data[node.id];
    });
    if (values.steps) {
      if (values.steps.length !== this.steps.length) throw new Error("explorer.update: the steps are not those of this graph");
      this.steps = values.steps;
      this.tally();
    }
    if (values.note !== undefined) this.banner = values.note;
    this.render({ still: true });
    return { step: this.position };
  };

  Explorer.prototype.build = function (container) {
    var self = this;
    container.classList.add("ag-explorer");
    container.innerHTML = "";
    function button(name, label, title, onClick) {
      var b = el("button", { type: "button", class: "ag-" + name, title: title, "aria-label": title, text: label });
      b.addEventListener("click", onClick);
      return b;
    }
    this.title = el("h1", { class: "ag-title", text: this.spec.title || "" });
    this.buttons = {
      first: button("first", "\u2759\u25c0", "first step (Home)", function () { self.goto(0); }),
      previous: button("previous", "\u25c0", "previous step (\u2190)", function () { self.goto(self.position - 1); }),
      play: button("play", "play", "play (space)", function () { self.toggle(); }),
      next: button("next", "\u25b6", "next step (\u2192)", function () { self.goto(self.position + 1); }),
      last: button("last", "\u25b6\u2759", "last step (End)", function () { self.goto(self.length - 1); }),
      zoomOut: button("zoom-out", MINUS, "zoom out (\u2212)", function () { self.zoomBy(0.8); }),
      zoomIn: button("zoom-in", "+", "zoom in (+)", function () { self.zoomBy(1.25); }),
      fit: button("fit", "fit", "fit the diagram to the view (0)", function () { self.fit(true); }),
      actual: button("actual", "1:1", "natural size (1)", function () { self.actualSize(); }),
      fold: button("fold", "fold it again", "fold the open box again", function () { self.open(""); }),
      again: button("again", "run backward again", "a second backward pass: leaves add to what they hold", function () {
        self.runAgain();
      })
    };
    this.speedSelect = el("select", { class: "ag-speed", title: "speed of play", "aria-label": "speed of play" });
    SPEEDS.forEach(function (s) {
      var option = el("option", { value: String(s), text: s + " step" + (s === 1 ? "" : "s") + "/s" });
      if (s === self.speed) option.selected = true;
      self.speedSelect.appendChild(option);
    });
    this.speedSelect.addEventListener("change", function () { self.setSpeed(parseFloat(self.speedSelect.value)); });
    this.counter = el("span", { class: "ag-counter", "aria-live": "polite" });
    this.slider = el("input", { type: "range", class: "ag-slider", min: "0", value: "0", "aria-label": "step" });
    this.slider.addEventListener("input", function () { self.goto(parseInt(self.slider.value, 10)); });
    this.colourBox = el("input", { type: "checkbox", class: "ag-colour" });
    this.colourBox.checked = this.colorByGrad;
    this.colourBox.addEventListener("change", function () { self.setColour(self.colourBox.checked); });
    var colourLabel = el("label", { class: "ag-colour-label", title: "fill each box by its gradient" }, [
      this.colourBox,
      document.createTextNode(" colour by grad")
    ]);
    var b = this.buttons;
    this.toolbar = el("div", { class: "ag-toolbar", role: "toolbar" }, [
      el("span", { class: "ag-group" }, [b.first, b.previous, b.play, b.next, b.last, this.speedSelect]),
      this.counter,
      el("span", { class: "ag-group" }, [b.zoomOut, b.zoomIn, b.fit, b.actual, b.fold]),
      el("span", { class: "ag-group" }, [colourLabel, b.again])
    ]);
    this.canvas = el("div", { class: "ag-canvas" });
    this.view = el("div", { class: "ag-view", tabindex: "0", "aria-label": "diagram: drag to pan, wheel to zoom" }, [
      this.canvas
    ]);
    this.key = el("div", { class: "ag-key", hidden: "" });
    this.caption = el("div", { class: "ag-caption", "aria-live": "polite" });
    this.help = el("div", {
      class: "ag-help",
      text:
        "\u2190 \u2192 step \u00b7 space play/pause \u00b7 Home End \u00b7 + \u2212 zoom \u00b7 0 fit \u00b7 1 natural size \u00b7 " +
        "drag to pan, wheel to zoom" + (Object.keys(this.groups).length ? " \u00b7 click a folded box to open it" : "")
    });
    [this.title, this.toolbar, this.slider, this.view, this.key, this.caption, this.help].forEach(function (part) {
      container.appendChild(part);
    });
    if (!this.spec.title) this.title.hidden = true;

    /* global Panzoom */
    this.pz = Panzoom(this.canvas, { canvas: true, maxScale: 16, minScale: 0.02, step: 0.25, duration: 250 });
    this.view.addEventListener(
      "wheel",
      function (event) {
        event.preventDefault();
        self.pz.zoomWithWheel(event);
      },
      { passive: false }
    );
    var down = null;
    this.view.addEventListener("pointerdown", function (event) { down = [event.clientX, event.clientY]; });
    this.view.addEventListener("click", function (event) {
      var moved = down && Math.abs(event.clientX - down[0]) + Math.abs(event.clientY - down[1]) > 5;
      down = null;
      if (!moved) self.clicked(event.target); // a drag that ends on a box does not open it
    });
    if (this.options.keys) {
      document.addEventListener("keydown", function (event) { self.key_(event); });
    }
  };

  Explorer.prototype.key_ = function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (!(target.type === "range" || target.type === "checkbox")) return;
    }
    var k = event.key;
    if (k === "ArrowRight" || k === "ArrowDown" || k === "PageDown") this.goto(this.position + 1);
    else if (k === "ArrowLeft" || k === "ArrowUp" || k === "PageUp") this.goto(this.position - 1);
    else if (k === "Home") this.goto(0);
    else if (k === "End") this.goto(this.length - 1);
    else if (k === " " || k === "Spacebar") this.toggle();
    else if (k === "+" || k === "=") this.zoomBy(1.25);
    else if (k === "-" || k === "_") this.zoomBy(0.8);
    else if (k === "0") this.fit(true);
    else if (k === "1") this.actualSize();
    else return;
    event.preventDefault();
  };

  /* The positions of the timeline: the graph, each forward node, backward's start, each step;
     then, after "run backward again", a second backward pass. */
  Explorer.prototype.timeline = function () {
    var positions = [{ kind: "start" }];
    this.forward.forEach(function (id, k) { positions.push({ kind: "forward", node: id, index: k }); });
    var passes = this.again ? [1, 2] : [1];
    var steps = this.steps;
    passes.forEach(function (pass) {
      positions.push({ kind: "seed", pass: pass });
      steps.forEach(function (step, k) { positions.push({ kind: "backward", pass: pass, index: k }); });
    });
    this.positions = positions;
    this.length = positions.length;
    this.firstPass2 = this.again ? 2 + this.forward.length + steps.length : null;
    this.slider.max = String(this.length - 1);
  };

  Explorer.prototype.runAgain = function () {
    if (!this.canAgain) return this.position;
    if (!this.again) {
      this.again = true;
      this.timeline();
    }
    return this.goto(this.firstPass2).step;
  };

  Explorer.prototype.fromHash = function () {
    var match = /^#step-(\d+)$/.exec(window.location.hash);
    if (!match) return null;
    var k = parseInt(match[1], 10);
    if (k >= this.length && this.canAgain && !this.again) {
      this.again = true;
      this.timeline();
    }
    return k;
  };

  /* What is known at a position: data and grad of every node (null: not yet). */
  Explorer.prototype.known = function (position) {
    var p = this.positions[position];
    var data = {};
    var grad = {};
    var self = this;
    var computed = p.kind === "start" ? -1 : p.kind === "forward" ? p.index : Infinity;
    var forwardIndex = {};
    this.forward.forEach(function (id, k) { forwardIndex[id] = k; });
    this.nodes.forEach(function (node) {
      data[node.id] = !node.op || forwardIndex[node.id] <= computed ? node.data : null;
      grad[node.id] = null;
    });
    if (p.kind === "seed" || p.kind === "backward") {
      grad[this.spec.root] = 1;
      if (p.pass === 2) {
        Object.keys(this.leaves).forEach(function (id) { grad[id] = self.leaves[id]; });
      }
      var upTo = p.kind === "backward" ? p.index : -1;
      for (var k = 0; k <= upTo; k++) {
        this.steps[k].shares.forEach(function (share) {
          grad[share.input] = p.pass === 2 && share.again !== undefined ? share.again : share.total;
        });
      }
    }
    return { data: data, grad: grad };
  };

  Explorer.prototype.name = function (id) {
    var node = this.byId[id];
    if (node.kind === "constant" && !node.label) return fmt(node.data, this.digits).replace("-", MINUS);
    return node.name || node.label || id;
  };

  /* The box that shows a Value in the current view: its own, or the folded box it went into. */
  Explorer.prototype.shownAs = function (id) {
    if (this.elements[id]) return id;
    var boxOf = this.views[this.viewKey].boxOf || {};
    return boxOf[id] || null;
  };

  Explorer.prototype.groupOf = function (id) {
    var box = (this.views[""].boxOf || {})[id];
    return box && this.groups[box] ? box : null;
  };

  /* ------------------------------------------------------------------ captions */

  Explorer.prototype.captionFor = function (position, known) {
    var p = this.positions[position];
    var self = this;
    var d = this.digits;
    function num(x) {
      return fmt(x, d).replace("-", MINUS);
    }
    function operand(x) {
      return x < 0 ? "(" + num(x) + ")" : num(x);
    }
    var rootName = this.name(this.spec.root);
    var lines = [];
    var inside = null;
    if (p.kind === "start") {
      lines.push({ head: true, text: "The graph of " + rootName + ", before anything is computed" });
      lines.push({
        text: "Its inputs hold their values; every other node waits for the forward pass (data ?). " +
          "Step forward (\u2192) to compute one node at a time."
      });
      return { lines: lines };
    }
    if (p.kind === "forward") {
      var node = this.byId[p.node];
      var names = node.inputs.map(function (id) { return self.name(id); });
      var values = node.inputs.map(function (id) { return operand(self.byId[id].data); });
      lines.push({ head: true, text: "forward " + (p.index + 1) + " of " + this.forward.length + ": " + this.name(node.id) });
      lines.push({
        math: true,
        text: this.name(node.id) + " = " + forwardText(node.op, names) + " = " + forwardText(node.op, values) + " = " + num(node.data)
      });
      if (p.index === this.forward.length - 1) {
        lines.push({ text: "The forward pass is done: " + rootName + " = " + num(this.byId[this.spec.root].data) + ". Next, backward." });
      }
      inside = this.groupOf(node.id);
      return { lines: lines, inside: inside };
    }
    if (p.kind === "seed") {
      lines.push({
        head: true,
        text: (p.pass === 2 ? "backward again, " : "backward, ") + "step 0 of " + this.steps.length + ": start at " + rootName
      });
      lines.push({ math: true, text: rootName + ".grad = d " + rootName + "/d " + rootName + " = 1" });
      if (p.pass === 2) {
        var held = Object.keys(this.leaves).map(function (id) { return self.name(id) + ".grad = " + num(self.leaves[id]); });
        lines.push({
          text: "A second backward() without zeroing: inner nodes start afresh (grad ?), while leaves keep what " +
            "they hold (" + held.slice(0, 4).join(", ") + (held.length > 4 ? ", \u2026" : "") + ") and add this pass to it."
        });
      } else {
        lines.push({ text: "Every other gradient is unknown (grad ?) until the chain rule reaches it." });
      }
      return { lines: lines };
    }
    var step = this.steps[p.index];
    var node = this.byId[step.node];
    var o = this.name(node.id);
    var inputNames = node.inputs.map(function (id) { return self.name(id); });
    lines.push({
      head: true,
      text: (p.pass === 2 ? "backward again, " : "backward, ") + "step " + (p.index + 1) + " of " + this.steps.length + ": " +
        o + " = " + forwardText(node.op, inputNames) + " passes its gradient back"
    });
    lines.push({
      math: true,
      text: "upstream = " + o + ".grad = d " + rootName + "/d " + o + " = " + num(step.grad) +
        (node.id === this.spec.root ? "" : " (complete: every path from " + rootName + " has added its share)")
    });
    var names = { x: node.inputs[0], y: node.inputs[1], out: node.id };
    var values = {};
    Object.keys(names).forEach(function (n) {
      if (names[n] !== undefined) values[n] = self.byId[names[n]].data;
    });
    step.shares.forEach(function (share) {
      var input = self.name(share.input);
      var tree = parse(share.formula);
      var which = node.inputs.length === 2 ? (share.slot === 0 ? "x" : "y") : "x";
      var ordinal = share.slot === 0 ? "first" : "second";
      var to = "to " + input + (node.inputs.length === 2 ? " (as " + which + ", the " + ordinal + " input)" : "");
      lines.push({ sub: true, text: to });
      var d_ = "d " + o + "/d " + input;
      if (tree) {
        var loc = local(tree);
        var symbolic = write(loc, d);
        var used = {};
        (function walk(t) {
          if (t.t === "name") used[t.v] = true;
          (t.args || []).forEach(walk);
          if (t.a) walk(t.a);
          if (t.b) walk(t.b);
        })(loc);
        var numeric = write(substitute(loc, values), d);
        var text = "local = " + d_ + " = " + symbolic;
        if (numeric !== symbolic) text += " = " + numeric;
        if (numeric !== num(share.local)) text += " = " + num(share.local);
        lines.push({ math: true, text: text });
        var where = Object.keys(used)
          .filter(function (n) { return n in values; })
          .map(function (n) {
            var shown = self.name(names[n]);
            return n + " is " + shown + (shown === num(values[n]) ? "" : " = " + num(values[n]));
          });
        if (where.length) lines.push({ note: true, text: "in the formula " + share.formula.replace(/-/g, MINUS) + ", " + where.join(", ") });
      } else {
        lines.push({ math: true, text: "local = " + d_ + " = " + num(share.local) + "   (formula: " + share.formula + ")" });
      }
      lines.push({
        math: true,
        text: "share = upstream \u00d7 local = " + num(step.grad) + " \u00d7 " + operand(share.local) + " = " + num(share.share)
      });
      lines.push({ math: true, text: self.accumulation(share, p) });
    });
    if (!step.shares.length) lines.push({ text: "No input of " + o + " needs a gradient." });
    return { lines: lines, inside: this.groupOf(node.id) };
  };

  /* "x.grad = 1 + 3 + 3 = 7": the shares that reached an input so far, and their sum (from the spec). */
  Explorer.prototype.accumulation = function (share, p) {
    var d = this.digits;
    function num(x) {
      return fmt(x, d).replace("-", MINUS);
    }
    function term(x) {
      return x < 0 ? MINUS + " " + num(-x) : "+ " + num(x);
    }
    var parts = [];
    for (var k = 0; k <= p.index; k++) {
      var shares = this.steps[k].shares;
      for (var i = 0; i < shares.length; i++) {
        if (shares[i].input === share.input) parts.push(shares[i].share);
        if (shares[i] === share) break;
      }
    }
    var pass2 = p.pass === 2 && share.again !== undefined;
    var terms = parts.map(function (x, i) { return i === 0 && !pass2 ? num(x) : term(x); });
    if (pass2) terms.unshift(num(this.leaves[share.input]) + " held");
    var text = this.name(share.input) + ".grad = " + (terms.length > 1 ? terms.join(" ") + " = " : "");
    text += num(pass2 ? share.again : share.total);
    var complete = this.last[share.input] === p.index && this.steps[p.index].shares.lastIndexOf(share) === this.lastSlot(share);
    if (!complete) text += " so far";
    else if (pass2) text += " (a leaf adds each pass to what it holds)";
    else if (parts.length > 1) text += " (all " + parts.length + " shares have arrived)";
    return text;
  };

  // The position, among its step's shares, of the last share for the same input.
  Explorer.prototype.lastSlot = function (share) {
    var shares = this.steps[this.last[share.input]].shares;
    var at = -1;
    shares.forEach(function (s, i) {
      if (s.input === share.input) at = i;
    });
    return at;
  };

  /* ------------------------------------------------------------------ drawing */

  Explorer.prototype.showView = function (key, first) {
    var view = this.views[key];
    this.viewKey = key;
    this.canvas.innerHTML = view.svg;
    var svg = this.canvas.querySelector("svg");
    this.elements = {};
    this.edges = {};
    this.clusters = {};
    var self = this;
    if (!svg) return;
    svg.removeAttribute("style");
    Array.prototype.forEach.call(svg.querySelectorAll("g.node, g.edge, g.cluster"), function (g) {
      var title = g.querySelector("title");
      if (!title) return;
      var name = title.textContent;
      g.setAttribute("data-id", name);
      if (g.classList.contains("node")) {
        var texts = Array.prototype.slice.call(g.querySelectorAll("text"));
        var find = function (prefix) {
          var found = null;
          texts.forEach(function (t) {
            if (t.textContent.indexOf(prefix) === 0) found = t;
          });
          return found;
        };
        var shape = g.querySelector("polygon, path, ellipse");
        self.elements[name] = {
          g: g,
          title: title,
          data: find("data "),
          grad: find("grad ") || find("max |grad| "),
          shape: shape,
          fill: shape ? shape.getAttribute("fill") : null,
          texts: texts,
          inks: texts.map(function (t) { return t.getAttribute("fill"); })
        };
        if (self.groups[name]) g.classList.add("ag-folded");
        if (!self.views[name] && self.groups[name]) g.classList.add("ag-shut");
      } else if (g.classList.contains("edge")) {
        var target = name.split("->")[1];
        (self.edges[target] = self.edges[target] || []).push(g);
      } else {
        self.clusters[name.replace(/^cluster_/, "")] = g;
        g.classList.add("ag-open");
      }
    });
    if (!first) this.render({ jump: true });
  };

  Explorer.prototype.open = function (key) {
    if (key && !this.views[key]) return false;
    if (key === this.viewKey) return true;
    this.showView(key || "");
    return true;
  };

  Explorer.prototype.clicked = function (target) {
    var g = target.closest ? target.closest("g.node, g.cluster") : null;
    if (!g) return;
    var name = g.getAttribute("data-id") || "";
    if (g.classList.contains("cluster")) {
      this.open("");
    } else if (this.groups[name]) {
      if (this.views[name]) this.open(name);
      else this.note = "This box holds too much to open in this page: draw it with draw_dot, without module=.";
      this.render({});
    }
  };

  Explorer.prototype.goto = function (k, how) {
    if (typeof k !== "number" || isNaN(k)) k = 0;
    this.position = Math.max(0, Math.min(this.length - 1, Math.round(k)));
    if (this.position === this.length - 1) this.pause();
    this.note = null;
    this.render(how || {});
    return { step: this.position };
  };

  // a text node changed only when its text does: an unchanged frame costs no style or layout
  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  Explorer.prototype.render = function (how) {
    var self = this;
    var known = this.known(this.position);
    this.shown = known;
    var d = this.digits;
    // numbers in the boxes
    Object.keys(this.elements).forEach(function (id) {
      var item = self.elements[id];
      var node = self.byId[id];
      if (node) {
        if (item.data) setText(item.data, "data " + fmt(known.data[id], d));
        if (item.grad) setText(item.grad, "grad " + fmt(known.grad[id], d));
        // the tooltip: every digit of the engine's floats
        var tip = self.name(id) + " (" + node.kind + "): data " + (known.data[id] === null ? "?" : String(known.data[id]));
        if (node.kind !== "constant") tip += ", grad " + (known.grad[id] === null ? "?" : String(known.grad[id]));
        setText(item.title, tip);
      } else if (self.groups[id]) {
        if (item.grad) setText(item.grad, "max |grad| " + fmt(self.groupGrad(id, known), d));
        var group = self.groups[id];
        setText(item.title, group.label + ": " + group.about + ", " + group.members.length + " Values folded" +
          (self.views[id] ? "; click to open" : ""));
      }
    });
    // the focus of this step
    Array.prototype.forEach.call(this.canvas.querySelectorAll(".ag-focus, .ag-touched, .ag-focus-edge"), function (e) {
      e.classList.remove("ag-focus", "ag-touched", "ag-focus-edge");
    });
    var p = this.positions[this.position];
    var focus = null;
    var touched = [];
    if (p.kind === "forward") {
      focus = p.node;
      touched = this.byId[p.node].inputs;
    } else if (p.kind === "seed") {
      focus = this.spec.root;
    } else if (p.kind === "backward") {
      var step = this.steps[p.index];
      focus = step.node;
      touched = step.shares.map(function (s) { return s.input; });
    }
    this.focusId = focus;
    var focusBox = focus ? this.shownAs(focus) : null;
    if (focusBox) {
      this.elements[focusBox].g.classList.add("ag-focus");
      if (focusBox === focus) {
        if (this.elements[focus + "_op"]) this.elements[focus + "_op"].g.classList.add("ag-focus");
        (this.edges[focus + "_op"] || []).forEach(function (e) { e.classList.add("ag-focus-edge"); });
        (this.edges[focus] || []).forEach(function (e) { e.classList.add("ag-focus-edge"); });
      }
    }
    touched.forEach(function (id) {
      var box = self.shownAs(id);
      if (box && box !== focusBox) self.elements[box].g.classList.add("ag-touched");
    });
    this.paint(known);
    // the caption
    var caption = this.captionFor(this.position, known);
    var html = "";
    var text = [];
    if (!caption.inside && focusBox && focusBox !== focus && !this.groups[focusBox]) {
      // folded into the summary box of what max_nodes leaves out
      var words = this.elements[focusBox].texts.map(function (e) { return e.textContent; }).join(" ");
      var hidden = focus + " is not drawn: it is among the " + words.replace(/^([\d,]+) more nodes not shown/, "$1 nodes in the dashed box") +
        "; explore with a larger max_nodes (or None) to see it";
      html += '<div class="ag-inside">' + AutogradPages.escape(hidden.replace(focus, this.name(focus))) + "</div>";
      text.push(hidden.replace(focus, this.name(focus)));
    }
    if (caption.inside) {
      var group = this.groups[caption.inside];
      var inside = "inside " + group.label + " (" + group.about + ")";
      if (this.viewKey !== caption.inside) inside += ", folded: click the box to open it";
      html += '<div class="ag-inside">' + AutogradPages.escape(inside) + "</div>";
      text.push(inside);
    }
    caption.lines.forEach(function (line) {
      var cls = line.head ? "ag-head" : line.math ? "ag-math" : line.sub ? "ag-sub" : line.note ? "ag-note" : "ag-text";
      html += '<div class="' + cls + '">' + AutogradPages.escape(line.text) + "</div>";
      text.push(line.text);
    });
    if (this.note) {
      html += '<div class="ag-note">' + AutogradPages.escape(this.note) + "</div>";
      text.push(this.note);
    }
    if (this.banner) {
      html = '<div class="ag-inside">' + AutogradPages.escape(this.banner) + "</div>" + html;
      text.unshift(this.banner);
    }
    if (this.captionHtml !== html) {
      // rebuilt only when it says something new (the live view renders every frame)
      this.caption.innerHTML = html;
      this.captionHtml = html;
    }
    this.captionText = text.join("\n");
    // controls
    this.counter.textContent = "step " + this.position + " of " + (this.length - 1);
    this.slider.value = String(this.position);
    this.buttons.first.disabled = this.buttons.previous.disabled = this.position === 0;
    this.buttons.next.disabled = this.buttons.last.disabled = this.position === this.length - 1;
    this.buttons.again.hidden = !this.canAgain;
    this.buttons.fold.hidden = !this.viewKey;
    if (this.viewKey) this.buttons.fold.textContent = "fold " + this.groups[this.viewKey].label;
    this.buttons.again.disabled = this.again && this.position >= this.firstPass2;
    if (this.options.hash) {
      var hash = "#step-" + this.position;
      if (window.location.hash !== hash) {
        try {
          history.replaceState(null, "", hash);
        } catch (error) {
          /* a page without a URL of its own (about:srcdoc in some browsers): the step stays unsaved */
        }
      }
    }
    if (how.still) {
      // new numbers only (update): the view stays where the reader put it
    } else if (focusBox) {
      var near = [this.elements[focusBox].g];
      touched.forEach(function (id) {
        var box = self.shownAs(id);
        if (box && box !== focusBox) near.push(self.elements[box].g);
      });
      this.keepInView(near, how.jump);
    } else if (how.jump) this.home();
  };

  Explorer.prototype.groupGrad = function (id, known) {
    var best = null;
    this.groups[id].params.forEach(function (p) {
      var g = known.grad[p];
      if (g !== null && g !== undefined && (best === null || Math.abs(g) > Math.abs(best))) best = g;
    });
    return best === null ? null : Math.abs(best);
  };

  Explorer.prototype.paint = function (known) {
    var self = this;
    this.scale = this.scales[this.positions[this.position].pass || 1];
    var on = this.colorByGrad && this.scale;
    Object.keys(this.elements).forEach(function (id) {
      var item = self.elements[id];
      if (!item.shape || /_op$/.test(id) || (!self.byId[id] && !self.groups[id])) return;
      var g = null;
      if (self.byId[id]) g = known.grad[id];
      else {
        var best = null;
        self.groups[id].params.forEach(function (p) {
          var v = known.grad[p];
          if (v !== null && v !== undefined && (best === null || Math.abs(v) > Math.abs(best))) best = v;
        });
        g = best;
      }
      var constant = self.byId[id] && self.byId[id].kind === "constant";
      if (on && g !== null && g !== undefined && !constant) {
        var c = colour(self.scale, g);
        item.shape.setAttribute("fill", c.fill);
        item.texts.forEach(function (t) { t.setAttribute("fill", c.text); });
      } else {
        if (item.fill !== null) item.shape.setAttribute("fill", item.fill);
        item.texts.forEach(function (t, i) {
          if (item.inks[i] === null) t.removeAttribute("fill");
          else t.setAttribute("fill", item.inks[i]);
        });
      }
    });
    this.drawKey();
  };

  Explorer.prototype.drawKey = function () {
    if (!(this.colorByGrad && this.scale)) {
      this.key.hidden = true;
      return;
    }
    var s = this.scale;
    var d = this.digits;
    var parts = [];
    var stops = [];
    for (var i = 0; i <= 4; i++) {
      stops.push(Math.exp(Math.log(s.low) + (Math.log(s.high) - Math.log(s.low)) * (i / 4)));
    }
    if (s.high === s.low) stops = [s.high];
    var negative = stops.slice().reverse().map(function (v) { return -v; });
    negative.concat([0], stops).forEach(function (v) {
      var c = v === 0 ? { fill: "#ffffff", text: "#000000" } : colour(s, v);
      parts.push(
        '<span class="ag-swatch" style="background:' + c.fill + ";color:" + c.text + '">' +
          AutogradPages.escape(fmt(v, 2).replace("-", MINUS)) + "</span>"
      );
    });
    this.key.innerHTML =
      '<span class="ag-key-title">grad, on a log scale fixed for the whole pass:</span> ' + parts.join("");
    this.key.hidden = false;
  };

  Explorer.prototype.setColour = function (on) {
    this.colorByGrad = on;
    this.colourBox.checked = on;
    this.paint(this.shown);
  };

  /* ------------------------------------------------------------------ pan and zoom */

  // Panzoom's transform is scale(s) translate(x, y) about the canvas's centre c: a point q of the
  // diagram lands at c + s (q - c + t) in the view. The diagram keeps its natural size (1 CSS px per
  // px) until a button or the wheel changes it, so the browser's own zoom enlarges it.
  Explorer.prototype.size = function () {
    return { w: this.canvas.offsetWidth, h: this.canvas.offsetHeight, vw: this.view.clientWidth, vh: this.view.clientHeight };
  };

  Explorer.prototype.place = function (scale, q, animate) {
    var z = this.size();
    var cx = z.w / 2;
    var cy = z.h / 2;
    var x = (z.vw / 2 - cx) / scale - q.x + cx;
    var y = (z.vh / 2 - cy) / scale - q.y + cy;
    this.pz.zoom(scale, { animate: !!animate, force: true });
    this.pz.pan(x, y, { animate: !!animate, force: true });
  };

  Explorer.prototype.fit = function (animate) {
    var z = this.size();
    if (!z.w || !z.h) return;
    var scale = Math.min(z.vw / z.w, z.vh / z.h) * 0.96;
    this.place(scale, { x: z.w / 2, y: z.h / 2 }, animate);
  };

  Explorer.prototype.actualSize = function () {
    var centre = this.centre();
    this.place(1, centre, true);
  };

  // The diagram point at the centre of the view, under the current transform.
  Explorer.prototype.centre = function () {
    var z = this.size();
    var s = this.pz.getScale();
    var t = this.pz.getPan();
    return { x: (z.vw / 2 - z.w / 2) / s + z.w / 2 - t.x, y: (z.vh / 2 - z.h / 2) / s + z.h / 2 - t.y };
  };

  Explorer.prototype.zoomBy = function (factor) {
    var s = Math.max(0.02, Math.min(16, this.pz.getScale() * factor));
    this.place(s, this.centre(), true);
  };

  // Where the diagram starts: whole and centred if it fits at its natural size, else its first corner.
  Explorer.prototype.home = function () {
    var z = this.size();
    if (z.w <= z.vw && z.h <= z.vh) this.place(1, { x: z.w / 2, y: z.h / 2 }, false);
    else this.place(1, { x: Math.min(z.w / 2, z.vw / 2 - 8), y: Math.min(z.h / 2, z.vh / 2 - 8) }, false);
  };

  // Pan (never zoom) so that the step's node, and its inputs too where they fit, are inside the view.
  Explorer.prototype.keepInView = function (elements, jump) {
    var z = this.size();
    if (!z.vw || !z.vh) return;
    var s = this.pz.getScale();
    var t = this.pz.getPan();
    var canvasBox = this.canvas.getBoundingClientRect();
    var shownScale = canvasBox.width / z.w || s; // the scale on screen now, mid-animation too
    function region(list) {
      // the elements' box in diagram coordinates
      var r = null;
      list.forEach(function (element) {
        var b = element.getBoundingClientRect();
        var box = {
          left: (b.left - canvasBox.left) / shownScale,
          top: (b.top - canvasBox.top) / shownScale,
          right: (b.right - canvasBox.left) / shownScale,
          bottom: (b.bottom - canvasBox.top) / shownScale
        };
        r = r
          ? { left: Math.min(r.left, box.left), top: Math.min(r.top, box.top), right: Math.max(r.right, box.right), bottom: Math.max(r.bottom, box.bottom) }
          : box;
      });
      return r;
    }
    var margin = 12;
    function fits(r) {
      return (r.right - r.left) * s <= z.vw - 2 * margin && (r.bottom - r.top) * s <= z.vh - 2 * margin;
    }
    function inside(r) {
      var left = z.w / 2 + s * (r.left - z.w / 2 + t.x);
      var top = z.h / 2 + s * (r.top - z.h / 2 + t.y);
      return left >= margin && top >= margin && left + (r.right - r.left) * s <= z.vw - margin && top + (r.bottom - r.top) * s <= z.vh - margin;
    }
    var all = region(elements);
    var target = fits(all) ? all : region(elements.slice(0, 1));
    if (inside(target)) return;
    if (jump && z.w * s <= z.vw && z.h * s <= z.vh) this.home();
    else this.place(s, { x: (target.left + target.right) / 2, y: (target.top + target.bottom) / 2 }, !jump);
  };

  /* ------------------------------------------------------------------ play */

  Explorer.prototype.play = function () {
    var self = this;
    if (this.timer) return;
    if (this.position >= this.length - 1) this.goto(0);
    this.timer = window.setInterval(function () {
      if (self.position >= self.length - 1) self.pause();
      else self.goto(self.position + 1);
    }, 1000 / this.speed);
    this.buttons.play.textContent = "pause";
    this.buttons.play.title = "pause (space)";
    this.buttons.play.setAttribute("aria-label", "pause (space)");
  };

  Explorer.prototype.pause = function () {
    if (this.timer) window.clearInterval(this.timer);
    this.timer = null;
    this.buttons.play.textContent = "play";
    this.buttons.play.title = "play (space)";
    this.buttons.play.setAttribute("aria-label", "play (space)");
  };

  Explorer.prototype.toggle = function () {
    if (this.timer) this.pause();
    else this.play();
  };

  Explorer.prototype.setSpeed = function (speed) {
    if (!(speed > 0)) return;
    this.speed = speed;
    this.speedSelect.value = String(speed);
    if (this.timer) {
      this.pause();
      this.play();
    }
  };

  Explorer.prototype.state = function () {
    var self = this;
    var known = this.shown;
    return {
      kind: "explorer",
      step: this.position,
      steps: this.length,
      pass: this.positions[this.position].pass || 0,
      caption: this.captionText,
      view: this.viewKey,
      nodes: this.nodes.map(function (node) {
        return { id: node.id, label: node.label, op: node.op, data: known.data[node.id], grad: known.grad[node.id] };
      }),
      focus: this.focusId,
      focusBox: this.focusId ? this.shownAs(this.focusId) : null,
      playing: !!self.timer
    };
  };

  window.AutogradExplorer = {
    mount: function (container, spec, options) {
      return new Explorer(container, spec, options);
    },
    formula: { parse: parse, local: local, substitute: substitute, write: write }
  };
})();
