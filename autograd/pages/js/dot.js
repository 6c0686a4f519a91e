// The diagram of a graph of the pages' engine as DOT text, the same text autograd.viz.draw_dot
// writes for the same graph (autograd/viz/model.py and draw.py, and the quoting of the
// graphviz package), so that the page's Graphviz draws the same picture. Needs engine.js.
//
// drawDot(root, options) takes draw_dot's options in camelCase: rankdir, showGrad, maxNodes,
// colorByGrad, highlight, params (Values), digits, legend; and, as a backward step's frame
// (draw.frame), focus (box ids, the step's node first), caption, and grads (a Map node ->
// gradient shown, null for "not reached yet"). Module folding (module=) is Python's alone.
(function (global) {
  "use strict";
  const E = global.autogradEngine;

  const DEFAULT_MAX_NODES = 300;
  const RANKDIRS = ["LR", "RL", "TB", "BT"];
  const KINDS = ["input", "parameter", "constant", "intermediate", "output", "layer", "summary"];
  const KIND_COLORS = {
    input: "#cfe2ff",
    parameter: "#ffe08a",
    constant: "#e9ecef",
    intermediate: "#ffffff",
    output: "#c7f0d0",
    layer: "#e2d9f3",
    summary: "#f1f3f5",
  };
  // draw.GRAD_*: the symmetric log scale of gradients (draw.grad_scale, grad_fill)
  const GRAD_FLOOR = 1e-6;
  const GRAD_RED = [178, 24, 43];
  const GRAD_BLUE = [33, 102, 172];
  const GRAD_LIGHTEST = 0.15;
  const GRAD_WHITE_TEXT = 0.62;
  const FOCUS_COLOR = "#d6336c";
  const FONT = "DejaVu Sans"; // render.FONT: the one family whose widths the WebAssembly layout knows
  const MAX_SPAN = 12; // model.MAX_SPAN

  // ------------------------------------------------------------------ the model (viz/model.py)

  // model.walk: every Value the roots depend on, constants too, each after its inputs.
  function walk(roots) {
    const order = [];
    const visited = new Set();
    const stack = roots.slice().reverse().map((root) => [root, false]);
    while (stack.length) {
      const [node, inputsDone] = stack.pop();
      if (inputsDone) {
        order.push(node);
      } else if (!visited.has(node)) {
        visited.add(node);
        stack.push([node, true]);
        const children = node.children;
        for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], false]);
      }
    }
    return order;
  }

  function valueBox(id, node, params, roots, grads) {
    let kind;
    if (roots.has(node)) kind = "output";
    else if (node.children.length) kind = "intermediate";
    else if (!node.requiresGrad) kind = "constant";
    else if (params.has(node)) kind = "parameter";
    else kind = "input";
    let grad;
    if (!node.requiresGrad) grad = null;
    else if (grads) grad = grads.has(node) ? grads.get(node) : null;
    else grad = node.grad;
    return { id, kind, label: node.label, data: node.data, grad, op: node.op, value: node, details: [], members: 1 };
  }

  // model.build without module folding: boxes v0, v1, ... in data-flow order, edges, roots.
  function build(roots, { params = [], maxNodes = null, grads = null } = {}) {
    const order = walk(roots);
    const index = new Map(order.map((node, i) => [node, i]));
    const rootSet = new Set(roots);
    const paramSet = new Set(params);
    const boxes = order.map((node, i) => valueBox(`v${i}`, node, paramSet, rootSet, grads));
    const edges = [];
    order.forEach((node, i) => {
      node.children.forEach((child, operand) => {
        edges.push({ source: `v${index.get(child)}`, target: `v${i}`, operand, count: 1 });
      });
    });
    let model = { boxes, edges, roots: roots.map((root) => `v${index.get(root)}`) };
    if (maxNodes !== null && model.boxes.length > maxNodes) model = foldBeyond(model, maxNodes);
    return model;
  }

  function foldEdges(edges, boxOf) {
    const kept = [];
    const merged = new Map();
    for (const edge of edges) {
      const source = boxOf.has(edge.source) ? boxOf.get(edge.source) : edge.source;
      const target = boxOf.has(edge.target) ? boxOf.get(edge.target) : edge.target;
      if (source === target && source !== edge.source) continue;
      if (source === edge.source && target === edge.target) {
        kept.push(edge);
        continue;
      }
      const key = JSON.stringify([source, target]);
      if (merged.has(key)) {
        merged.get(key).count += edge.count;
      } else {
        const folded = { source, target, operand: target === edge.target ? edge.operand : null, count: edge.count };
        merged.set(key, folded);
        kept.push(folded);
      }
    }
    return kept;
  }

  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // model.fold_beyond: the maxNodes boxes nearest the roots, the rest one summary box.
  function foldBeyond(model, maxNodes) {
    if (maxNodes < 1) throw new RangeError(`max_nodes must be at least 1, got ${maxNodes}`);
    const inputs = new Map();
    for (const edge of model.edges) {
      if (!inputs.has(edge.target)) inputs.set(edge.target, []);
      inputs.get(edge.target).push(edge.source);
    }
    const shown = new Set(model.roots.slice(0, maxNodes));
    const queue = Array.from(shown);
    for (let q = 0; q < queue.length; q++) {
      if (shown.size >= maxNodes) break;
      for (const source of inputs.get(queue[q]) || []) {
        if (!shown.has(source)) {
          shown.add(source);
          queue.push(source);
          if (shown.size >= maxNodes) break;
        }
      }
    }
    const hidden = model.boxes.filter((box) => !shown.has(box.id));
    const values = hidden.reduce((sum, box) => sum + box.members, 0);
    const summary = {
      id: "hidden",
      kind: "summary",
      label: `${grouped(values)} more nodes not shown`,
      data: null,
      grad: null,
      op: "",
      value: null,
      details: [`(max_nodes=${maxNodes})`],
      members: values,
    };
    const boxOf = new Map(hidden.map((box) => [box.id, summary.id]));
    const boxes = [summary, ...model.boxes.filter((box) => shown.has(box.id))];
    const edges = foldEdges(model.edges, boxOf).filter((edge) => edge.target !== summary.id);
    return { boxes, edges, roots: model.roots.filter((root) => shown.has(root)) };
  }

  // ------------------------------------------------------------------ DOT text (the graphviz package)

  const ID = /^(?:[a-zA-Z_][a-zA-Z0-9_]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))\n?$/; // Python's $ allows a final \n
  const HTML = /^<[\s\S]*>\n?$/;
  const KEYWORDS = new Set(["node", "edge", "graph", "digraph", "subgraph", "strict"]);

  // graphviz.quoting.quote
  function quote(identifier) {
    if (HTML.test(identifier)) return identifier;
    if (!ID.test(identifier) || KEYWORDS.has(identifier.toLowerCase())) {
      return '"' + identifier.replace(/((?:\\\\)*)\\?"/g, '$1\\"') + '"';
    }
    return identifier;
  }

  // graphviz.quoting.quote_edge
  function quoteEdge(identifier) {
    const colon = identifier.indexOf(":");
    if (colon < 0) return quote(identifier);
    const node = identifier.slice(0, colon);
    const rest = identifier.slice(colon + 1);
    const parts = [quote(node)];
    const second = rest.indexOf(":");
    if (second < 0) {
      parts.push(quote(rest));
    } else {
      parts.push(quote(rest.slice(0, second)));
      if (rest.slice(second + 1)) parts.push(rest.slice(second + 1));
    }
    return parts.join(":");
  }

  // graphviz's a_list: the label first, then the other attributes sorted by name (Python sorts
  // str by code point; these names are ASCII, so JavaScript's sort agrees).
  function aList(label, attrs) {
    const result = label === null || label === undefined ? [] : [`label=${quote(label)}`];
    for (const key of Object.keys(attrs).sort()) {
      if (attrs[key] !== null && attrs[key] !== undefined) result.push(`${quote(key)}=${quote(attrs[key])}`);
    }
    return result.join(" ");
  }

  function attrList(label, attrs) {
    const content = aList(label, attrs);
    return content ? ` [${content}]` : "";
  }

  class Digraph {
    constructor(name) {
      this.name = name;
      this.body = [];
    }

    attr(kw, attrs) {
      if (kw === null) this.body.push(`\t${aList(null, attrs)}\n`);
      else this.body.push(`\t${kw}${attrList(null, attrs)}\n`);
    }

    node(name, label, attrs) {
      const { label: given, ...rest } = attrs;
      this.body.push(`\t${quote(name)}${attrList(label !== null ? label : given, rest)}\n`);
    }

    edge(tail, head, attrs = {}) {
      const { label, ...rest } = attrs;
      this.body.push(`\t${quoteEdge(tail)} -> ${quoteEdge(head)}${attrList(label, rest)}\n`);
    }

    subgraph(name, fill) {
      const sub = new Digraph(name);
      fill(sub);
      this.body.push(`\tsubgraph ${quote(name)} {\n`, ...sub.body.map((line) => "\t" + line), "\t}\n");
    }

    get source() {
      return `digraph ${quote(this.name)} {\n` + this.body.join("") + "}\n";
    }
  }

  // ------------------------------------------------------------------ the picture (viz/draw.py)

  // draw.number: %g with `digits` significant digits, never -0.
  function number(x, digits = 4) {
    const text = E.formatG(x, digits);
    return text === "-0" ? "0" : text;
  }

  function escape(text) {
    let out = text;
    for (const special of '\\{}|<>"') out = out.split(special).join("\\" + special);
    return out.split("\n").join("\\n");
  }

  // Python's round(): halves to even.
  function roundHalfEven(x) {
    const floor = Math.floor(x);
    const diff = x - floor;
    if (diff > 0.5) return floor + 1;
    if (diff < 0.5) return floor;
    return floor % 2 === 0 ? floor : floor + 1;
  }

  // draw.grad_scale: [low, high] over the finite non-zero |grad|s, or null.
  function gradScale(grads) {
    const sizes = grads.filter((g) => g !== null && Number.isFinite(g) && g !== 0).map(Math.abs);
    if (!sizes.length) return null;
    const high = Math.max(...sizes);
    return [Math.max(Math.min(...sizes), high * GRAD_FLOOR), high];
  }

  // draw.grad_depth and grad_fill.
  function gradDepth(scale, grad) {
    if (scale === null || grad === null || !Number.isFinite(grad) || grad === 0) return 0.0;
    const [low, high] = scale;
    if (high === low) return 1.0;
    const t = (Math.log(Math.abs(grad)) - Math.log(low)) / (Math.log(high) - Math.log(low));
    return GRAD_LIGHTEST + (1 - GRAD_LIGHTEST) * Math.max(0.0, Math.min(1.0, t));
  }

  function gradColor(grad, scale) {
    const t = gradDepth(scale, grad);
    const ink = grad !== null && grad < 0 ? GRAD_BLUE : GRAD_RED;
    const hex = ink.map((c) => Math.floor(255 + (c - 255) * t + 0.5).toString(16).padStart(2, "0")).join("");
    return ["#" + hex, t > GRAD_WHITE_TEXT ? "white" : "black"];
  }


  function darker(color) {
    const channels = [1, 3, 5].map((i) => Math.trunc(parseInt(color.slice(i, i + 2), 16) * 0.55));
    return "#" + channels.map((c) => c.toString(16).padStart(2, "0")).join("");
  }

  function boxAttrs(box, showGrad, digits, horizontal) {
    if (box.kind === "summary") {
      const text = [box.label, ...box.details].map((line) => line.split("\\").join("\\\\")).join("\\n");
      return { shape: "box", style: "filled,dashed,rounded", label: text, tooltip: box.label };
    }
    const fields = [];
    if (box.label) fields.push(escape(box.label));
    fields.push(`data ${number(box.data, digits)}`);
    if (showGrad && box.kind !== "constant") fields.push("grad " + (box.grad === null ? "?" : number(box.grad, digits)));
    const label = fields.join(" | ");
    let tooltip = box.label
      ? `${box.kind} ${E.reprStr(box.label)}: data=${E.reprFloat(box.data)}`
      : `${box.kind}: data=${E.reprFloat(box.data)}`;
    if (box.grad !== null) tooltip += `, grad=${E.reprFloat(box.grad)}`;
    const attrs = { shape: "record", label: horizontal ? "{" + label + "}" : label, tooltip };
    if (box.kind === "constant") attrs.style = "filled,dashed";
    return attrs;
  }

  // draw.legend_elements: `key` is [scale, signs] or null.
  function legend(dot, kinds, key, digits, horizontal) {
    const rows = kinds.map((kind) => [`legend_${kind}`, KIND_COLORS[kind], "black", kind]);
    if (key !== null) {
      const [scale, signs] = key;
      let stops = [0.0];
      if (scale !== null) {
        const [low, high] = scale;
        const sizes = high === low ? [high] : [high, Math.sqrt(high * low), low];
        stops = [];
        for (const sign of signs) for (const size of sizes) stops.push(sign * size);
      }
      stops.forEach((level, k) => rows.push([`legend_grad${k}`, ...gradColor(level, scale), `grad ${number(level, digits)}`]));
    }
    dot.subgraph("cluster_legend", (key) => {
      key.attr(null, { label: "key", style: "rounded,dashed", color: "#adb5bd", fontsize: "10", rank: "same" });
      for (const [name, fill, font, text] of horizontal ? rows.slice().reverse() : rows) {
        key.node(name, text, {
          shape: "box",
          style: "filled",
          fillcolor: fill,
          fontcolor: font,
          fontsize: "9",
          height: "0.25",
          margin: "0.06,0.02",
        });
      }
    });
  }

  // draw._draw: the DOT of a model.
  function draw(model, options = {}) {
    const {
      rankdir = "LR",
      showGrad = true,
      colorByGrad = false,
      highlight = false,
      digits = 4,
      legend: withLegend = null,
      focus = [],
      caption = "",
    } = options;
    if (!RANKDIRS.includes(rankdir)) throw new RangeError(`rankdir must be one of ${RANKDIRS.join(", ")}; got ${E.reprStr(String(rankdir))}`);
    if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new RangeError(`digits must be an int from 1 to 17, got ${digits}`);
    const dot = new Digraph("autograd");
    dot.attr(null, { rankdir, fontname: FONT, fontsize: "11" });
    if (caption) dot.attr(null, { label: caption.replace(/\\/g, "\\\\"), labelloc: "t", labeljust: "l" });
    dot.attr("node", { fontname: FONT, fontsize: "11" });
    dot.attr("edge", { arrowsize: "0.7", fontname: FONT, fontsize: "10" });
    const horizontal = rankdir === "LR" || rankdir === "RL";
    const scale = gradScale(model.boxes.map((b) => b.grad));
    const usedKinds = [];
    for (const box of model.boxes) {
      const attrs = boxAttrs(box, showGrad, digits, horizontal);
      let fill = "#ffffff";
      if (highlight) {
        fill = KIND_COLORS[box.kind];
        if (!usedKinds.includes(box.kind)) usedKinds.push(box.kind);
      }
      if (colorByGrad && box.kind !== "summary") {
        const [color, font] = gradColor(box.grad, scale);
        fill = color;
        attrs.fontcolor = font;
        if (highlight) Object.assign(attrs, { color: darker(KIND_COLORS[box.kind]), penwidth: "2.5" });
      }
      attrs.style = attrs.style || "filled";
      attrs.fillcolor = fill;
      if (box.copyOf) {
        // the same Value again, near uses far from where it is made
        Object.assign(attrs, { shape: "Mrecord", style: "filled,dashed", tooltip: `${attrs.tooltip} (drawn again here)` });
      }
      if (focus.includes(box.id) || (box.copyOf && focus.includes(box.copyOf))) {
        Object.assign(attrs, { color: FOCUS_COLOR, penwidth: "3" });
      }
      const focused = focus.length > 0 && box.id === focus[0];
      if (box.op) {
        const opAttrs = { shape: "circle", width: "0.3", margin: "0.02", fontsize: "10", ordering: "in" };
        if (focused) Object.assign(opAttrs, { color: FOCUS_COLOR, penwidth: "3", fontcolor: FOCUS_COLOR });
        dot.node(`${box.id}_op`, box.op, opAttrs);
      }
      dot.node(box.id, null, attrs);
      if (box.op) dot.edge(`${box.id}_op`, box.id, focused ? { color: FOCUS_COLOR, penwidth: "2" } : {});
    }
    const hasOp = new Set(model.boxes.filter((box) => box.op).map((box) => box.id));
    for (const edge of model.edges) {
      const attrs = {};
      if (edge.count > 1) attrs.label = `×${grouped(edge.count)}`;
      if (edge.source === "hidden") attrs.style = "dashed";
      if (focus.length && edge.target === focus[0]) Object.assign(attrs, { color: FOCUS_COLOR, penwidth: "2" });
      dot.edge(edge.source, hasOp.has(edge.target) ? `${edge.target}_op` : edge.target, attrs);
    }
    if (withLegend !== null ? withLegend : highlight || colorByGrad) {
      const kinds = highlight ? KINDS.filter((kind) => usedKinds.includes(kind)) : [];
      const signs = [1.0, -1.0].filter((sign) => model.boxes.some((b) => b.grad && Number.isFinite(b.grad) && Math.sign(b.grad) === sign));
      legend(dot, kinds, colorByGrad ? [scale, signs] : null, digits, horizontal);
    }
    return dot.source;
  }

  // draw_dot(root, ...).source: root a Value or an array of Values.
  function drawDot(root, options = {}) {
    const roots = Array.isArray(root) ? root : [root];
    const { params = [], maxNodes = DEFAULT_MAX_NODES, grads = null } = options;
    return draw(spreadUses(build(roots, { params, maxNodes, grads })), options);
  }

  // model.spread_uses: a box whose uses lie more than MAX_SPAN ranks apart is drawn again, as a copy,
  // near each later group of them (hundreds of long edges out of one node take Graphviz minutes).
  function spreadUses(model, maxSpan = MAX_SPAN) {
    const ranks = lateRanks(model);
    if (ranks === null) return model;
    const hasOp = new Set(model.boxes.filter((box) => box.op).map((box) => box.id));
    const entry = (edge) => ranks.get(edge.target) - (hasOp.has(edge.target) ? 1 : 0);
    const uses = new Map();
    model.edges.forEach((edge, k) => {
      if (!uses.has(edge.source)) uses.set(edge.source, []);
      uses.get(edge.source).push(k);
    });
    const sourceOf = new Map();
    const copiesBefore = new Map();
    for (const box of model.boxes) {
      // a stable sort, as Python's sorted
      const edges = (uses.get(box.id) || []).map((k, i) => [entry(model.edges[k]), i, k]);
      edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const order = edges.map((e) => e[2]);
      if (order.length < 2 || entry(model.edges[order[order.length - 1]]) - entry(model.edges[order[0]]) <= maxSpan) continue;
      let start = entry(model.edges[order[0]]);
      let copy = null;
      for (const k of order) {
        if (entry(model.edges[k]) - start > maxSpan) {
          start = entry(model.edges[k]);
          copy = Object.assign({}, box, { id: `${box.id}_copy${sourceOf.size + 1}`, op: "", copyOf: box.id });
          const target = model.edges[k].target;
          if (!copiesBefore.has(target)) copiesBefore.set(target, []);
          copiesBefore.get(target).push(copy);
        }
        if (copy !== null) sourceOf.set(k, copy.id);
      }
    }
    if (sourceOf.size === 0) return model;
    const boxes = [];
    for (const box of model.boxes) {
      boxes.push(...(copiesBefore.get(box.id) || []));
      boxes.push(box);
    }
    const edges = model.edges.map((edge, k) => (sourceOf.has(k) ? Object.assign({}, edge, { source: sourceOf.get(k) }) : edge));
    return Object.assign({}, model, { boxes, edges });
  }

  // model._late_ranks: each box's rank when every node sits as late as it can (outputs at 0).
  function lateRanks(model) {
    const outgoing = new Map(model.boxes.map((box) => [box.id, []]));
    const pending = new Map(model.boxes.map((box) => [box.id, 0]));
    for (const edge of model.edges) {
      outgoing.get(edge.source).push(edge.target);
      pending.set(edge.source, pending.get(edge.source) + 1);
    }
    const hasOp = new Set(model.boxes.filter((box) => box.op).map((box) => box.id));
    const incoming = new Map([...outgoing.keys()].map((id) => [id, []]));
    for (const edge of model.edges) incoming.get(edge.target).push(edge.source);
    const ranks = new Map();
    const ready = [...pending.entries()].filter(([, count]) => count === 0).map(([id]) => id);
    while (ready.length) {
      const id = ready.pop();
      const targets = outgoing.get(id);
      ranks.set(id, targets.length ? Math.min(...targets.map((t) => ranks.get(t) - (hasOp.has(t) ? 2 : 1))) : 0);
      for (const source of incoming.get(id)) {
        pending.set(source, pending.get(source) - 1);
        if (pending.get(source) === 0) ready.push(source);
      }
    }
    return ranks.size === outgoing.size ? ranks : null;
  }

  Object.assign(E, { drawDot, buildModel: build, drawModel: draw, spreadUses, quote, DEFAULT_MAX_NODES });
})(typeof globalThis !== "undefined" ? globalThis : this);
