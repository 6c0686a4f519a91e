/* The playground: type an expression, see its graph, step through its backward pass.

   Everything computed here is computed by the pages' engine (js/engine.js, whose forwards and
   gradient formulas are written out of autograd/ops.py by autograd/pages/jsgen.py): the
   expression is read by js/expr.js (the command line's grammar), run into a graph of Values,
   traced as trace_backward traces it, drawn as draw_dot draws it (js/dot.js) and laid out by
   Graphviz in WebAssembly; the explorer (explorer.js) then only shows that spec, as it shows
   the one Python writes. The state (expression, values, step) lives in the URL hash.

   Boot: AutogradPlayground.start(config) with config {presets: [{name, expression, values}]}. */
(function () {
  "use strict";
  var E = window.autogradEngine;
  var fmt = AutogradPages.format;
  var DIGITS = 4;
  var DEFAULT_VALUE = 1.0; // what a variable typed for the first time holds

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  /* ------------------------------------------------------------------ the spec, as explorer.py writes it */

  // explorer._names: a label, a constant's number, else t1, t2, ... (as compile() names them)
  function namesOf(boxes) {
    var taken = {};
    boxes.forEach(function (box) { if (box.label) taken[box.label] = true; });
    var names = {};
    var counter = 0;
    boxes.forEach(function (box) {
      if (box.label) names[box.id] = box.label;
      else if (box.kind === "constant") names[box.id] = fmt(box.data, DIGITS);
      else {
        counter += 1;
        while (taken["t" + counter]) counter += 1;
        names[box.id] = "t" + counter;
      }
    });
    return names;
  }

  // explorer._steps: the trace with each input's running sum, and a leaf's sum in a second pass
  function stepsOf(trace, ids, root) {
    var totals = new Map();
    trace.forEach(function (step) {
      step.shares.forEach(function (share) {
        totals.set(share.input, totals.has(share.input) ? totals.get(share.input) + share.share : share.share);
      });
    });
    var held = new Map();
    totals.forEach(function (g, value) { if (value.children.length === 0) held.set(value, g); });
    var running = new Map();
    var shown = new Map([[root, [1.0]]]);
    var steps = trace.map(function (step) {
      var shares = step.shares.map(function (share) {
        var value = share.input;
        running.set(value, running.has(value) ? running.get(value) + share.share : share.share);
        var item = {
          input: ids.get(value),
          slot: share.slot,
          local: share.local,
          share: share.share,
          formula: share.formula,
          total: running.get(value)
        };
        if (!shown.has(value)) shown.set(value, []);
        shown.get(value).push(running.get(value));
        if (held.has(value)) {
          item.again = held.get(value) + running.get(value);
          shown.get(value).push(item.again);
        }
        return item;
      });
      return { node: ids.get(step.node), grad: step.grad, shares: shares };
    });
    return { steps: steps, shown: shown };
  }

  // explorer._compact: Graphviz's SVG with each node's <g> named by its DOT name, no link wrappers
  var FONT_ATTR = ' font-family="Helvetica,Arial,Liberation Sans,Nimbus Sans,DejaVu Sans,Noto Sans,sans-serif"';
  function compact(svg) {
    var start = svg.indexOf("<svg");
    if (start >= 0) svg = svg.slice(start);
    svg = svg.replace(/<g id="a_[^"]*"><a [^>]*>\n|<\/a>\n<\/g>\n/g, "").replace(/<!--.*?-->\n/g, "");
    svg = svg.split(FONT_ATTR).join("");
    return svg.replace(/<g id="(?:node|clust)\d+" class="(node|cluster)">\n<title>([^<]*)<\/title>/g, function (m, kind, title) {
      return '<g id="' + title + '" class="' + kind + '">\n<title>' + title + "</title>";
    });
  }

  // The explorer's spec of root's graph (explorer_data's, with one view and no folds).
  function specOf(root, viz) {
    var trace = E.traceBackward(root); // throws the OperationError backward() would
    var full = E.buildModel([root], { maxNodes: null });
    var ids = new Map(full.boxes.map(function (box) { return [box.value, box.id]; }));
    var names = namesOf(full.boxes);
    var nodes = full.boxes.map(function (box) {
      return {
        id: box.id,
        label: box.label,
        name: names[box.id],
        kind: box.kind,
        op: box.op,
        data: box.data,
        inputs: box.value.children.map(function (child) { return ids.get(child); })
      };
    });
    var traced = stepsOf(trace, ids, root);
    var widest = new Map();
    traced.shown.forEach(function (candidates, value) {
      var best = candidates[0];
      candidates.forEach(function (g) { if (fmt(g, DIGITS).length > fmt(best, DIGITS).length) best = g; });
      widest.set(value, best);
    });
    var model = E.buildModel([root], { maxNodes: E.DEFAULT_MAX_NODES, grads: widest });
    model.boxes.forEach(function (box) {
      if (box.value && !box.label && box.kind !== "constant") box.label = names[box.id];
    });
    var dot = E.drawModel(model, {});
    var svg = compact(viz.renderString(dot, { format: "svg" }));
    return {
      kind: "explorer",
      title: "",
      root: ids.get(root),
      digits: DIGITS,
      colorByGrad: false,
      nodes: nodes,
      steps: traced.steps,
      groups: {},
      views: { "": { svg: svg, boxOf: {} } },
      dot: dot
    };
  }

  /* ------------------------------------------------------------------ the URL hash */

  function readHash() {
    var text = window.location.hash.replace(/^#/, "");
    if (!/(^|&)expr=/.test(text)) return null;
    var params = new URLSearchParams(text);
    var values = {};
    params.forEach(function (v, key) {
      if (key.indexOf("v.") === 0) values[key.slice(2)] = parseFloat(v);
    });
    var step = parseInt(params.get("step"), 10);
    return { expression: params.get("expr"), values: values, step: isNaN(step) ? null : step, wrt: params.get("grad") };
  }

  /* ------------------------------------------------------------------ copy as Python */

  // The expression as Python on autograd.Value: the same ops in the same order on the same
  // numbers (every literal a float, as the engine makes it; unary + dropped, as expr.py drops
  // it), so that Python builds the very graph the page shows. A part made of numbers alone is
  // Python's float arithmetic, or autograd.engine.apply for a function or a power (expr.py's own way).
  var PREC = { Add: 1, Sub: 1, Mult: 2, Div: 2, Pow: 4 };
  var SYMBOL = { Add: "+", Sub: "-", Mult: "*", Div: "/", Pow: "**" };
  function pythonOf(node, module, methods) {
    var ATOM = 5;
    function wrap(part, bare) { return bare ? part.text : "(" + part.text + ")"; }
    function walk(node) {
      switch (node.type) {
        case "Constant":
          return { text: E.reprFloat(node.value.value), prec: ATOM, numbers: true };
        case "Name":
          return { text: node.id, prec: ATOM, numbers: false };
        case "UnaryOp": {
          var operand = walk(node.operand);
          if (node.op === "UAdd") return operand;
          var bare = operand.prec >= 3 && operand.text.charAt(0) !== "-";
          return { text: "-" + wrap(operand, bare), prec: 3, numbers: operand.numbers };
        }
        case "BinOp": {
          var left = walk(node.left);
          var right = walk(node.right);
          var numbers = left.numbers && right.numbers;
          if (numbers && node.op === "Pow") {
            return { text: module + '.engine.apply("**", ' + left.text + ", " + right.text + ")", prec: ATOM, numbers: true };
          }
          var p = PREC[node.op];
          var text = node.op === "Pow"
            ? wrap(left, left.prec > p) + " ** " + wrap(right, right.prec >= 3)
            : wrap(left, left.prec >= p) + " " + SYMBOL[node.op] + " " + wrap(right, right.prec > p);
          return { text: text, prec: p, numbers: numbers };
        }
        case "Call": {
          var name = node.func.type === "Attribute" ? node.func.attr : node.func.id;
          var arg = walk(node.func.type === "Attribute" ? node.func.value : node.args[0]);
          if (arg.numbers || methods.indexOf(name) < 0) {
            return { text: module + ".engine.apply(" + JSON.stringify(name) + ", " + arg.text + ")", prec: ATOM, numbers: arg.numbers };
          }
          return { text: wrap(arg, arg.prec === ATOM) + "." + name + "()", prec: ATOM, numbers: false };
        }
      }
      throw new Error("pythonOf: an unexpected node " + node.type);
    }
    return walk(node).text;
  }

  // A runnable snippet: the expression as a Python function, its values, backward, the gradients
  // printed, (the second derivatives the gradient graph gives), and compile()'s code printed.
  function pythonSnippet(expression, values, methods, wrt) {
    var names = expression.names;
    var module = "autograd";
    while (names.indexOf(module) >= 0) module += "_";
    var body = pythonOf(expression.tree, module, methods);
    var imports = [module === "autograd" ? "import autograd" : "import autograd as " + module];
    if (body.indexOf(module + ".engine.apply(") >= 0) imports.push("import autograd.engine  # apply(op, ...): an op of the table on numbers");
    var lines = imports.concat([
      "",
      "",
      "def expression(" + names.join(", ") + "):",
      "    return " + body,
      "",
      "",
      "values = {" + names.map(function (n) { return JSON.stringify(n) + ": " + E.reprFloat(values[n]); }).join(", ") + "}",
      "leaves = [" + module + ".Value(number, label=name) for name, number in values.items()]",
      "out = expression(*leaves)",
      "out.backward()",
      'print("out =", repr(out.data))',
      "for leaf in leaves:",
      '    print(f"d out / d {leaf.label} =", repr(leaf.grad))'
    ]);
    if (wrt !== null && names.indexOf(wrt) >= 0) {
      lines.push(
        "# the gradient's own graph, and its backward: the second derivatives",
        "wrt = leaves[" + names.indexOf(wrt) + "]",
        "(d_out_d_wrt,) = " + module + ".grad(out, [wrt], create_graph=True)",
        "for leaf, second in zip(leaves, " + module + ".grad(d_out_d_wrt, leaves)):",
        '    print(f"d2 out / d {wrt.label} d {leaf.label} =", repr(second))'
      );
    }
    lines.push("print(" + module + ".compile(expression, *values.values()).source)");
    return lines.join("\n") + "\n";
  }

  /* ------------------------------------------------------------------ the playground */

  function Playground(container, config) {
    var self = this;
    this.presets = config.presets || [];
    this.values = {}; // every variable ever typed keeps its value: a, b survive "a*b" becoming "a*b + c"
    this.names = [];
    this.expression = null; // the parsed Expression shown
    this.text = "";
    this.error = null;
    this.explorer = null;
    this.lastSpec = null;
    this.timing = null;
    this.methods = config.methods || [];
    this.wrt = null; // the variable whose gradient's own graph is drawn, or null: the expression's
    this.code = { source: null, reason: "" };
    this.build(container);
    document.addEventListener("keydown", function (event) {
      // the explorer's keys, except where the learner types or moves a variable's slider
      if (!self.explorer || (event.target && event.target.closest && event.target.closest(".pg-controls"))) return;
      self.explorer.key_(event);
    });
    window.addEventListener("hashchange", function () {
      // a link pasted or the history walked: show what the hash says, unless it is shown already
      var wanted = readHash();
      if (wanted && window.location.hash.replace(/^#/, "") !== self.hashState()) self.load(wanted);
    });
  }

  Playground.prototype.build = function (container) {
    var self = this;
    container.innerHTML = "";
    this.presetSelect = el("select", { class: "pg-presets", "aria-label": "presets" }, [
      el("option", { value: "", text: "presets\u2026" })
    ]);
    this.presets.forEach(function (preset, k) {
      self.presetSelect.appendChild(el("option", { value: String(k), text: preset.name }));
    });
    this.presetSelect.addEventListener("change", function () {
      var k = self.presetSelect.value;
      if (k !== "") self.usePreset(parseInt(k, 10));
      self.presetSelect.value = "";
    });
    this.input = el("input", {
      type: "text",
      class: "pg-expr",
      spellcheck: "false",
      autocomplete: "off",
      "aria-label": "expression",
      placeholder: "an expression, such as (a*b + c) * f"
    });
    this.input.addEventListener("input", function () { self.update(self.input.value, { fromTyping: true }); });
    this.result = el("span", { class: "pg-result", "aria-live": "polite" });
    this.errorBox = el("pre", { class: "pg-error", role: "alert", hidden: "" });
    this.table = el("table", { class: "pg-vars" });
    this.lr = el("input", { type: "number", class: "pg-lr", value: "0.01", step: "any", "aria-label": "learning rate" });
    this.descend = el("button", { type: "button", class: "pg-descend", text: "gradient-descent step" });
    this.descend.title = "every variable x becomes x \u2212 lr \u00d7 x.grad";
    this.descend.addEventListener("click", function () { self.descentStep(); });
    this.controls = el("section", { class: "pg-controls" }, [
      el("div", { class: "pg-line" }, [el("h1", { class: "pg-title", text: "autograd playground" }), this.presetSelect]),
      el("div", { class: "pg-line" }, [this.input, this.result]),
      this.errorBox,
      this.table,
      el("div", { class: "pg-line pg-descent" }, [
        this.descend,
        el("label", { text: "lr " }, [this.lr]),
        el("span", { class: "pg-note", text: "numeric: central difference (f(x+h) \u2212 f(x\u2212h)) / 2h, h = 1e-6\u00b7max(1, |x|)" })
      ])
    ]);
    this.gradToggle = el("input", { type: "checkbox", class: "pg-gradgraph", "aria-label": "draw the gradient's own graph" });
    this.wrtSelect = el("select", { class: "pg-wrt", "aria-label": "the variable of the gradient graph" });
    this.gradToggle.addEventListener("change", function () {
      self.setGradientGraph(self.gradToggle.checked ? self.wrtSelect.value || self.names[0] || null : null);
    });
    this.wrtSelect.addEventListener("change", function () {
      if (self.gradToggle.checked) self.setGradientGraph(self.wrtSelect.value);
    });
    this.codeToggle = el("input", { type: "checkbox", class: "pg-showcode", "aria-label": "show the code compile() writes" });
    this.codeToggle.checked = true;
    this.codeToggle.addEventListener("change", function () { self.codePane.hidden = !self.codeToggle.checked; });
    this.copyButton = el("button", { type: "button", class: "pg-copy", text: "copy as Python" });
    this.copyButton.title = "a snippet that builds this expression on autograd.Value, runs backward and prints the numbers shown";
    this.copyStatus = el("span", { class: "pg-note pg-copied", "aria-live": "polite" });
    this.copyButton.addEventListener("click", function () { self.copyPython(); });
    this.modeNote = el("div", { class: "pg-note pg-mode", hidden: "" });
    this.controls.appendChild(
      el("div", { class: "pg-line pg-views" }, [
        el("label", { class: "pg-group" }, [this.gradToggle, document.createTextNode(" draw the gradient\u2019s own graph: d out / d "), this.wrtSelect]),
        el("label", { class: "pg-group" }, [this.codeToggle, document.createTextNode(" compile() code")]),
        this.copyButton,
        this.copyStatus
      ])
    );
    this.controls.appendChild(this.modeNote);
    this.stage = el("div", { class: "pg-explorer", id: "pg-explorer" });
    this.codeText = el("pre", { class: "pg-code-text" });
    this.codeHead = el("div", { class: "pg-code-head", text: "autograd.compile(expression, *values).source" });
    this.codePane = el("aside", { class: "pg-code", "aria-label": "the code compile() writes" }, [this.codeHead, this.codeText]);
    container.appendChild(this.controls);
    container.appendChild(el("div", { class: "pg-main" }, [this.stage, this.codePane]));
  };

  Playground.prototype.usePreset = function (k) {
    var preset = this.presets[k];
    var self = this;
    Object.keys(preset.values).forEach(function (name) { self.values[name] = preset.values[name]; });
    return this.setExpression(preset.expression);
  };

  Playground.prototype.setExpression = function (text) {
    if (typeof text !== "string") return { ok: false, error: "setExpression expects the expression as a string, got " + typeof text };
    this.input.value = text;
    this.update(text, {});
    return { ok: this.error === null, error: this.error };
  };

  Playground.prototype.setValue = function (name, number) {
    if (this.names.indexOf(name) < 0) {
      return { ok: false, error: "setValue: " + E.reprStr(String(name)) + " is not a variable of the expression (it has " + (this.names.join(", ") || "none") + ")" };
    }
    if (typeof number !== "number" || !isFinite(number)) {
      return { ok: false, error: "setValue: the value of " + E.reprStr(name) + " must be a finite number, not " + String(number) };
    }
    this.values[name] = number;
    this.refresh(name, true);
    return { ok: this.error === null, error: this.error };
  };

  Playground.prototype.load = function (wanted) {
    var self = this;
    Object.keys(wanted.values).forEach(function (name) {
      if (isFinite(wanted.values[name])) self.values[name] = wanted.values[name];
    });
    this.input.value = wanted.expression;
    this.wrt = wanted.wrt || null;
    this.update(wanted.expression, { step: wanted.step });
  };

  // Draw the graph of d out / d `name` (grad(create_graph=True) on the page's Values), or, with
  // null, the expression's own graph again.
  Playground.prototype.setGradientGraph = function (name) {
    if (name !== null && this.names.indexOf(name) < 0) {
      return { ok: false, error: "setGradientGraph: " + E.reprStr(String(name)) + " is not a variable of the expression (it has " + (this.names.join(", ") || "none") + ")" };
    }
    this.wrt = name;
    if (this.expression) this.compute(null);
    return { ok: this.error === null, error: this.error };
  };

  Playground.prototype.copyPython = function () {
    var text = this.python();
    var status = this.copyStatus;
    if (text === null) {
      status.textContent = "nothing to copy: the expression has an error";
      return;
    }
    function fallback() {
      var area = el("textarea", { class: "pg-clip", "aria-hidden": "true" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (error) { done = false; }
      document.body.removeChild(area);
      status.textContent = done ? "copied: paste it into Python" : "copying was refused: select the code and copy it";
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { status.textContent = "copied: paste it into Python"; }, fallback);
    } else {
      fallback();
    }
  };

  Playground.prototype.python = function () {
    if (!this.expression || this.error) return null;
    var values = {};
    var self = this;
    this.names.forEach(function (name) { values[name] = self.values[name]; });
    return pythonSnippet(this.expression, values, this.methods, this.wrt);
  };

  // The expression typed: parsed (an error is shown, the last graph stays, dimmed), its fields made.
  Playground.prototype.update = function (text, options) {
    this.text = text;
    var parsed;
    try {
      parsed = E.expr.parse(text);
    } catch (error) {
      return this.fail(error);
    }
    var self = this;
    this.expression = parsed;
    this.names = parsed.names;
    this.names.forEach(function (name) { if (!(name in self.values)) self.values[name] = DEFAULT_VALUE; });
    if (this.wrt !== null && this.names.indexOf(this.wrt) < 0) this.wrt = null;
    this.fields();
    this.compute(options.step !== undefined && options.step !== null ? options.step : null);
  };

  Playground.prototype.fail = function (error) {
    var message = error && error.message ? error.message : String(error);
    if (error && typeof error.pointer === "function" && error.pointer()) message += "\n" + error.pointer();
    if (!(error instanceof E.OperationError || (E.expr && error instanceof E.expr.ExpressionError))) {
      message = "unexpected error: " + message; // a bug of the page: shown, never thrown
    }
    this.error = message;
    this.errorBox.textContent = message;
    this.errorBox.hidden = false;
    this.stage.classList.add("pg-stale");
    this.result.textContent = "";
    this.writeHash();
    return { ok: false, error: message };
  };

  // One row per variable: its name, a field, a slider, the gradient, the finite difference.
  Playground.prototype.fields = function () {
    var self = this;
    var key = this.names.join("\u0000");
    if (this.fieldsKey === key) return;
    this.fieldsKey = key;
    this.wrtSelect.innerHTML = "";
    this.names.forEach(function (name) { self.wrtSelect.appendChild(el("option", { value: name, text: name })); });
    this.table.innerHTML = "";
    this.rows = {};
    if (!this.names.length) return;
    var heads = ["variable", "value", "", "grad (analytic)", "numeric", "", ""].map(function (h) { return el("th", { text: h }); });
    this.secondHead = heads[6];
    this.table.appendChild(el("tr", {}, heads));
    this.names.forEach(function (name) {
      var field = el("input", { type: "text", class: "pg-value", "data-name": name, "aria-label": "value of " + name, spellcheck: "false" });
      var slider = el("input", { type: "range", class: "pg-range", "data-name": name, "aria-label": "slider of " + name });
      var row = {
        field: field,
        slider: slider,
        grad: el("td", { class: "pg-grad" }),
        numeric: el("td", { class: "pg-numeric" }),
        check: el("td", { class: "pg-check" }),
        second: el("td", { class: "pg-second" })
      };
      field.addEventListener("input", function () {
        var x = Number(field.value.trim());
        if (field.value.trim() === "" || !isFinite(x)) {
          field.classList.add("pg-bad");
          return;
        }
        field.classList.remove("pg-bad");
        self.values[name] = x;
        self.refresh(name, false);
      });
      slider.addEventListener("input", function () {
        self.values[name] = parseFloat(slider.value);
        self.refresh(name, "slider");
      });
      self.rows[name] = row;
      self.table.appendChild(
        el("tr", { "data-name": name }, [el("td", { class: "pg-name", text: name }), el("td", {}, [field]), el("td", {}, [slider]), row.grad, row.numeric, row.check, row.second])
      );
      self.showValue(name, true, true);
    });
  };

  Playground.prototype.showValue = function (name, toField, rescale) {
    var row = this.rows && this.rows[name];
    if (!row) return;
    var x = this.values[name];
    if (toField) {
      row.field.value = E.reprFloat(x);
      row.field.classList.remove("pg-bad");
    }
    if (rescale) {
      var span = 5 * Math.max(1, Math.abs(x));
      row.slider.min = String(x - span);
      row.slider.max = String(x + span);
      row.slider.step = "any"; // no snapping to a grid: the value set is the value shown
    }
    row.slider.value = String(x);
  };

  // A value changed: from the field (keep its text), the slider (keep its scale) or a script.
  Playground.prototype.refresh = function (name, from) {
    this.showValue(name, from !== false, from !== "slider");
    if (this.expression) this.compute(this.explorer ? this.explorer.position : null);
  };

  Playground.prototype.descentStep = function () {
    if (!this.grads || this.error) return;
    var rate = Number(this.lr.value);
    if (!isFinite(rate)) return;
    var self = this;
    this.names.forEach(function (name) {
      self.values[name] = self.values[name] - rate * self.grads[name];
      self.showValue(name, true, true);
    });
    this.compute(this.explorer ? this.explorer.position : null);
  };

  // Evaluate, trace, lay out and mount the explorer; `step` the position to show (null: the last).
  Playground.prototype.compute = function (step) {
    var started = performance.now();
    var values = {};
    var self = this;
    this.names.forEach(function (name) { values[name] = self.values[name]; });
    var spec, evaluated;
    try {
      evaluated = this.expression.evaluate(values);
      if (!evaluated.result.requiresGrad) {
        throw new E.OperationError("the expression has no variable, so it has no gradient to show: use a name, such as x * 2", "", [], "ValueError");
      }
      var shown = evaluated.result;
      this.gradGraph = null;
      if (this.wrt !== null) {
        // the gradient's own graph: d out / d wrt as a Value, built by the op table's formulas
        shown = E.gradWithGraph(evaluated.result, [evaluated.leaves[this.wrt]])[0];
        this.gradGraph = { root: shown, second: E.gradients(shown) };
      }
      spec = specOf(shown, this.viz);
      var leaves = this.names.map(function (name) { return evaluated.leaves[name]; });
      this.code = E.compile.compileSource(evaluated.result, leaves, "expression");
    } catch (error) {
      this.grads = null;
      return this.fail(error);
    }
    this.error = null;
    this.errorBox.hidden = true;
    this.errorBox.textContent = "";
    this.stage.classList.remove("pg-stale");
    this.lastSpec = spec;
    this.mount(spec, step);
    this.result.textContent = "= " + fmt(evaluated.result.data, 6);
    this.result.title = E.reprFloat(evaluated.result.data);
    this.resultValue = evaluated.result.data;
    this.checks(evaluated, values);
    this.showMode(evaluated);
    this.codeText.textContent = this.code.source !== null ? this.code.source : this.code.reason;
    this.codeText.classList.toggle("pg-code-none", this.code.source === null);
    this.writeHash();
    this.timing = performance.now() - started;
    return { ok: true, error: null };
  };

  Playground.prototype.mount = function (spec, step) {
    var self = this;
    if (this.explorer) {
      this.explorer.pause();
      if (this.explorer.pz && this.explorer.pz.destroy) this.explorer.pz.destroy();
    }
    // the step to show is given at mount: one render, one layout (a second goto would lay out again)
    var start = step === null || step === undefined ? -1 : Math.max(0, step);
    var explorer = AutogradExplorer.mount(this.stage, spec, { keys: false, hash: false, start: start });
    var goto = explorer.goto;
    explorer.goto = function (k, options) {
      var answer = goto.call(explorer, k, options);
      if (explorer === self.explorer) self.writeHash();
      return answer;
    };
    this.explorer = explorer;
  };

  // Per variable: the gradient backward gives, beside a central difference of the forward.
  Playground.prototype.checks = function (evaluated, values) {
    var grads = E.gradients(evaluated.result);
    var self = this;
    this.grads = {};
    this.numerics = {};
    this.names.forEach(function (name) {
      var leaf = evaluated.leaves[name];
      var analytic = grads.has(leaf) ? grads.get(leaf) : 0.0;
      self.grads[name] = analytic;
      var x = values[name];
      var h = 1e-6 * Math.max(1, Math.abs(x));
      var numeric = null;
      try {
        var up = Object.assign({}, values);
        var down = Object.assign({}, values);
        up[name] = x + h;
        down[name] = x - h;
        numeric = (self.expression.evaluate(up).result.data - self.expression.evaluate(down).result.data) / (2 * h);
      } catch (error) {
        numeric = null; // x +- h leaves the domain (log at 0): no difference to take
      }
      self.numerics[name] = numeric;
      var row = self.rows[name];
      row.grad.textContent = fmt(analytic, 6);
      row.grad.title = E.reprFloat(analytic);
      row.numeric.textContent = numeric === null ? "\u2014" : fmt(numeric, 6);
      var agree = numeric !== null && Math.abs(numeric - analytic) <= 1e-4 * Math.max(1, Math.abs(analytic), Math.abs(numeric));
      row.check.textContent = numeric === null ? "" : agree ? "\u2713" : "\u2717 differs";
      row.check.className = "pg-check " + (numeric === null ? "" : agree ? "pg-agree" : "pg-differ");
    });
  };

  // The note over the diagram, the select and the column of second derivatives, for the mode shown.
  Playground.prototype.showMode = function (evaluated) {
    var self = this;
    var on = this.gradGraph !== null;
    this.gradToggle.checked = on;
    if (on) this.wrtSelect.value = this.wrt;
    this.modeNote.hidden = !on;
    this.modeNote.textContent = on
      ? "the graph of d out / d " + this.wrt + ", built by the op table\u2019s formulas on Values, as autograd.grad(out, [" +
        this.wrt + "], create_graph=True) builds it; its backward gives the second derivatives d\u00b2out / d" + this.wrt + " dv"
      : "";
    this.seconds = {};
    if (this.secondHead) this.secondHead.textContent = on ? "second derivative" : "";
    this.names.forEach(function (name) {
      var cell = self.rows[name].second;
      if (!on) {
        cell.textContent = "";
        return;
      }
      var leaf = evaluated.leaves[name];
      var value = self.gradGraph.second.has(leaf) ? self.gradGraph.second.get(leaf) : 0.0;
      self.seconds[name] = value;
      cell.textContent = "d\u00b2/d" + self.wrt + " d" + name + " = " + fmt(value, 6);
      cell.title = E.reprFloat(value);
    });
  };

  Playground.prototype.hashState = function () {
    var params = new URLSearchParams();
    params.set("expr", this.text);
    var self = this;
    this.names.forEach(function (name) { params.set("v." + name, E.reprFloat(self.values[name])); });
    if (this.explorer && !this.error) params.set("step", String(this.explorer.position));
    if (this.wrt !== null) params.set("grad", this.wrt);
    return params.toString();
  };

  Playground.prototype.writeHash = function () {
    var hash = "#" + this.hashState();
    if (window.location.hash !== hash) {
      try {
        history.replaceState(null, "", hash);
      } catch (error) {
        /* an iframe srcdoc has no URL of its own to change */
      }
    }
  };

  Playground.prototype.state = function () {
    var shown = this.explorer ? this.explorer.state() : { step: 0, steps: 0, caption: "", nodes: [] };
    var self = this;
    var values = {};
    this.names.forEach(function (name) { values[name] = self.values[name]; });
    var checks = {};
    if (this.grads && !this.error) {
      this.names.forEach(function (name) { checks[name] = { analytic: self.grads[name], numeric: self.numerics[name] }; });
    }
    return Object.assign({}, shown, {
      kind: "playground",
      expression: this.text,
      values: values,
      error: this.error,
      stale: this.error !== null && this.explorer !== null,
      checks: checks,
      result: this.error ? null : this.resultValue,
      gradientGraph: this.wrt,
      second: this.wrt !== null && !this.error ? Object.assign({}, this.seconds) : null,
      code: this.error ? null : this.code.source,
      ms: this.timing
    });
  };

  Playground.prototype.api = function () {
    var self = this;
    function explorer(method) {
      return function (k) { return self.explorer ? self.explorer.api[method](k) : 0; };
    }
    return {
      state: function () { return self.state(); },
      goto: function (k) { return self.explorer ? self.explorer.goto(k).step : 0; },
      next: function () { return self.explorer ? self.explorer.goto(self.explorer.position + 1).step : 0; },
      previous: function () { return self.explorer ? self.explorer.goto(self.explorer.position - 1).step : 0; },
      play: explorer("play"),
      pause: explorer("pause"),
      setExpression: function (text) { return self.setExpression(text); },
      setValue: function (name, number) { return self.setValue(name, number); },
      setGradientGraph: function (name) { return self.setGradientGraph(name === undefined ? null : name); },
      python: function () { return self.python(); },
      preset: function (k) { return self.usePreset(k); },
      presets: function () { return self.presets.map(function (p) { return p.name; }); },
      spec: function () {
        if (!self.lastSpec) return null;
        var copy = Object.assign({}, self.lastSpec);
        delete copy.views;
        return copy;
      },
      svg: function () { return self.lastSpec ? self.lastSpec.views[""].svg : null; }
    };
  };

  window.AutogradPlayground = {
    start: function (container, config) {
      var playground = new Playground(container, config);
      return Viz.instance().then(function (viz) {
        playground.viz = viz;
        var wanted = readHash();
        if (wanted) playground.load(wanted);
        else if (playground.presets.length) playground.usePreset(0);
        AutogradPages.expose(playground.api());
        return playground;
      });
    },
    compact: compact,
    pythonOf: pythonOf
  };
})();
