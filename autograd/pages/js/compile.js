// The code autograd.compile writes for a graph of the pages' engine: the readable function of
// autograd/compiler/ (its _Source, _Code and _Writer, for numbers as arguments and no params),
// written again here over the same graph, so that the page shows, beside the diagram, the very
// text Python's compile(expression, *values).source would print. Needs engine.js.
//
// Not a second compiler of derivatives: the gradient formulas are the op table's, read by
// autograd/pages/jsgen.py into the templates below (the compiler's _Template of each formula) and
// into each row's generic form, which runs here on Python's Symbol (ON_SYMBOLS: symbolic.py's
// Symbol, infix, power and call, and ops.py's helpers on a Symbol or a float) where a constant
// input makes the compiler run the formula itself. What the compiler knows of each op (how its
// forward is spelled, which inputs it could hide an infinity in, what its formulas read) comes
// from the compiler's own tables (compiler/tables.py), written in at the COMPILE marker.
//
// compileSource(root, leaves, name) returns {source} or, for a graph that compile() would cut
// into steps (more than its _SMALL statements), {source: null, reason}. Numbers of constants
// are the page's: where JavaScript's Math rounded an elementary function of constants apart
// from Python's (see engine.js), the literal differs in its last digit.
(function (global) {
  "use strict";
  const E = global.autogradEngine;

  /*@COMPILE@*/

  // ------------------------------------------------------------------ symbolic.py

  const SUM = 1;
  const PRODUCT = 2;
  const UNARY = 3;
  const POWER = 4;
  const ATOM = 5;

  class Sym {
    constructor(source, precedence = ATOM, depth = 0) {
      this.source = source;
      this.precedence = precedence;
      this.depth = depth;
    }
  }

  // A Python int (the 1 of 1 - out * out, sign's -1, 0 or 1): its repr has no ".0".
  class PyInt {
    constructor(value) {
      this.value = value;
    }
  }

  const isSym = (x) => x instanceof Sym;
  const valueOf = (x) => (x instanceof PyInt ? x.value : x);

  function symbol(x) {
    if (isSym(x)) return x;
    const text = x instanceof PyInt ? String(x.value) : E.reprFloat(x);
    return new Sym(text, text.startsWith("-") ? UNARY : ATOM);
  }

  function parenthesized(x, precedence) {
    const s = symbol(x);
    return s.precedence < precedence ? `(${s.source})` : s.source;
  }

  function infix(left, op, right, precedence) {
    const a = symbol(left);
    const b = symbol(right);
    const x = a.precedence >= precedence ? a.source : `(${a.source})`;
    const y = b.precedence > precedence ? b.source : `(${b.source})`;
    return new Sym(`${x} ${op} ${y}`, precedence, Math.max(a.depth, b.depth) + 1);
  }

  function power(base, exponent) {
    const a = symbol(base);
    const b = symbol(exponent);
    return new Sym(`${parenthesized(a, POWER + 1)} ** ${parenthesized(b, UNARY)}`, POWER, 1 + Math.max(a.depth, b.depth));
  }

  function call(name, ...args) {
    const symbols = args.map(symbol);
    const depth = 1 + (symbols.length ? Math.max(...symbols.map((s) => s.depth)) : 0);
    return new Sym(`${name}(${symbols.map((s) => s.source).join(", ")})`, ATOM, depth);
  }

  // Python's arithmetic on two numbers (ints stay ints, / and a float make a float).
  function numbers(op, a, b) {
    const ints = a instanceof PyInt && b instanceof PyInt;
    const x = valueOf(a);
    const y = valueOf(b);
    switch (op) {
      case "+":
        return ints ? new PyInt(x + y) : x + y;
      case "-":
        return ints ? new PyInt(x - y) : x - y;
      case "*":
        return ints ? new PyInt(x * y) : x * y;
      case "/":
        return E.helpers.div(x, y);
      default:
        if (ints && y >= 0) return new PyInt(x ** y);
        return E.helpers.pow(x, y);
    }
  }

  function notAFloat(name, x) {
    return new TypeError(`ops.${name}: ${x instanceof PyInt ? "an int" : "this value"} has no method ${name}()`);
  }

  // Python's Symbol and numbers, as the compiler's _share runs a formula on them; each helper as
  // ops.py's on a Symbol (a call written out, or the Symbol it builds) or on a float.
  function unary(name, method, float) {
    return (x) => {
      if (typeof x === "number") return float(x);
      if (isSym(x)) return call(method, x);
      throw notAFloat(name, x);
    };
  }
  const m = E.helpers.math;
  const ON_SYMBOLS = {
    int: (n) => new PyInt(n),
    add: (a, b) => (isSym(a) || isSym(b) ? infix(a, "+", b, SUM) : numbers("+", a, b)),
    sub: (a, b) => (isSym(a) || isSym(b) ? infix(a, "-", b, SUM) : numbers("-", a, b)),
    mul: (a, b) => (isSym(a) || isSym(b) ? infix(a, "*", b, PRODUCT) : numbers("*", a, b)),
    div: (a, b) => (isSym(a) || isSym(b) ? infix(a, "/", b, PRODUCT) : numbers("/", a, b)),
    pow: (a, b) => (isSym(a) || isSym(b) ? power(a, b) : numbers("**", a, b)),
    neg(a) {
      if (isSym(a)) return new Sym("-" + parenthesized(a, UNARY), UNARY, a.depth + 1);
      return a instanceof PyInt ? new PyInt(-a.value) : -a;
    },
    op(name, x, ...args) {
      if (!isSym(x)) throw notAFloat(name, x);
      return call(name, x, ...args);
    },
    sin: unary("sin", "sin", m.sin),
    cos: unary("cos", "cos", m.cos),
    log: unary("log", "log", m.log),
    exp: unary("exp", "exp", m.exp),
    tanh: unary("tanh", "tanh", m.tanh),
    sqrt: unary("sqrt", "sqrt", m.sqrt),
    sigmoid: unary("sigmoid", "sigmoid", E.helpers._sigmoid),
    relu: unary("relu", "relu", E.helpers._relu),
    absolute: unary("absolute", "abs", Math.abs),
    maximum(x, y) {
      if (typeof x === "number" && typeof y === "number") return E.helpers._max(x, y);
      return isSym(x) ? call("max", x, y) : call("max", y, x);
    },
    sign(x) {
      if (typeof x === "number") return new PyInt((x > 0.0) - (x < 0.0));
      if (isSym(x)) return new Sym(`(${x.source} > 0.0) - (${x.source} < 0.0)`, SUM);
      throw notAFloat("sign", x);
    },
    pow_grad(x, y) {
      const T = ON_SYMBOLS;
      if (isSym(x) || isSym(y)) {
        if (!isSym(y) && valueOf(y) !== 0) return T.mul(y, T.pow(x, T.sub(y, new PyInt(1))));
        return call("pow_grad", x, y);
      }
      if (valueOf(x) === 0 && valueOf(y) === 0) return T.mul(new PyInt(0), y);
      return T.mul(y, T.pow(x, T.sub(y, new PyInt(1))));
    },
    xlogy(x, y) {
      const T = ON_SYMBOLS;
      if (isSym(x)) return call("xlogy", x, y);
      if (valueOf(x) === 0) return T.mul(new PyInt(0), y);
      return T.mul(x, T.log(y));
    },
    larger(x, y) {
      if (isSym(x) || isSym(y)) return call("larger", x, y);
      const a = valueOf(x);
      const b = valueOf(y);
      return a > b ? 1.0 : a < b ? 0.0 : 0.5;
    },
  };

  // ------------------------------------------------------------------ autograd/compiler/

  const WIDE = 1000000000;
  const INFIX = { "+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT };
  const G = "\u0000g";

  class TooBig extends Error {}

  // _Writer: readable names, unique as Python reads identifiers (NFKC).
  class Writer {
    constructor() {
      this.used = new Set(CONFIG.reserved);
      this.counter = 0;
    }

    fresh(wish, fallback) {
      let name = "";
      if (typeof wish === "string" && wish) {
        name = wish.normalize("NFKC").split(".").join("_").split("[").join("_").split("]").join("").replace(/^_+|_+$/g, "");
      }
      if (!/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name) || this.used.has(name)) {
        name = fallback + this.counter++;
        while (this.used.has(name)) name = fallback + this.counter++;
      }
      this.used.add(name);
      return name;
    }
  }

  // _trace and _collect for expression(*leaves): the leaves first, then every node the root
  // depends on, children first, by the compiler's stack walk.
  function traceOf(root, leaves) {
    const nodes = leaves.slice();
    const index = new Map(nodes.map((leaf, i) => [leaf, i]));
    const xs = nodes.map(() => -1);
    const ys = nodes.map(() => -1);
    const stack = [root];
    while (stack.length) {
      let node = stack.pop();
      if (node === null) {
        node = stack.pop();
        index.set(node, nodes.length);
        nodes.push(node);
        xs.push(index.get(node.x));
        ys.push(node.y === null ? -1 : index.get(node.y));
        continue;
      }
      if (index.has(node)) continue;
      if (node.x === null) {
        index.set(node, nodes.length);
        nodes.push(node);
        xs.push(-1);
        ys.push(-1);
        continue;
      }
      stack.push(node, null);
      if (node.y !== null) stack.push(node.y);
      stack.push(node.x);
    }
    return { nodes, index, xs, ys, root: index.get(root), nodeCount: nodes.length - xs.filter((x) => x < 0).length };
  }

  // _share: the formula's template filled in; a known number among its inputs makes the formula
  // itself run (its generic form, on Symbols and that number).
  function share(op, slot, g, inputs, out) {
    const template = CONFIG.templates[op][slot];
    let source = template.source;
    if (source === G) return g;
    let depth = g.depth;
    source = source.split(G).join(g.precedence === ATOM ? g.source : `(${g.source})`);
    const values = [...inputs, out];
    for (const [standIn, k] of template.fills) {
      const value = values[k];
      if (!isSym(value)) return symbol(E.OPS[op].generic[slot](ON_SYMBOLS, g, ...inputs, out));
      source = source.split(standIn).join(value.precedence === ATOM ? value.source : `(${value.source})`);
      depth = value.depth > depth ? value.depth : depth;
    }
    return new Sym(source, template.precedence, template.depth + depth);
  }

  function forwardOne(op, x) {
    if (op === "relu" && x.precedence === ATOM && x.depth === 0) {
      return new Sym(`(${x.source} if ${x.source} > 0.0 else 0.0)`, ATOM, 2);
    }
    return call(CONFIG.forwardNames[op], x);
  }

  function targetsOf(names) {
    return names.join(", ") + (names.length === 1 ? "," : "");
  }

  function comment(text) {
    return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u.test(text) ? text : E.reprStr(text);
  }

  // The source compile(fn, *values) writes, fn named `name` and taking `leaves` in order.
  function compileSource(root, leaves, name = "expression") {
    for (const node of E.topologicalOrder(root)) {
      if (node.op && !(node.op in CONFIG.templates)) {
        return { source: null, reason: `compile() cannot go through ${E.reprStr(node.op)}: ${CONFIG.missing[node.op] || "it has no compiled form"}` };
      }
    }
    try {
      return { source: write(root, leaves, name) };
    } catch (error) {
      if (error instanceof TooBig) {
        return { source: null, reason: `compile() writes a graph of more than ${CONFIG.small} statements as small functions called in a loop (steps), not as one readable function; call it in Python to see them` };
      }
      throw error;
    }
  }

  function write(rootValue, leaves, name) {
    const trace = traceOf(rootValue, leaves);
    const { nodes, index, xs, ys } = trace;
    const n = nodes.length;
    const root = trace.root;
    const statements = []; // [ref, text, wish, fallback, of], or [null, comment]
    const assign = (ref, text, wish, fallback, of = null) => {
      statements.push([ref, text, wish, fallback, of]);
      if (statements.length > CONFIG.small) throw new TooBig();
    };
    const inputs = leaves.map((leaf) => index.get(leaf));
    const targets = new Set(inputs);
    const reaching = new Set(leaves);
    const order = [];
    if (rootValue.requiresGrad) {
      for (const node of E.topologicalOrder(rootValue)) {
        if (reaching.has(node) || (node.x !== null && (reaching.has(node.x) || (node.y !== null && reaching.has(node.y))))) {
          reaching.add(node);
          order.push(index.get(node));
        }
      }
    }
    const wanted = new Uint8Array(n);
    for (const i of order) wanted[i] = 1;
    const expr = new Array(n).fill(null);
    const named = new Uint8Array(n);
    const gexpr = new Map();
    const checked = [];
    let temporaries = 0;

    // plan
    const needsName = new Uint8Array(n);
    const uses = new Array(n).fill(0);
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      if (x < 0) continue;
      const hiding = CONFIG.hiding[nodes[i].op] || [];
      uses[x] += 1;
      if (hiding.includes(0) && nodes[x].x !== null) {
        needsName[x] = 1;
        checked.push(x);
      }
      const y = ys[i];
      if (y >= 0) {
        uses[y] += 1;
        if (hiding.includes(1) && nodes[y].x !== null) {
          needsName[y] = 1;
          checked.push(y);
        }
      }
    }
    for (const i of order) {
      const x = xs[i];
      if (x < 0) continue;
      const reads = CONFIG.reads[nodes[i].op];
      const places = [x, ys[i], i];
      if (wanted[x]) for (const used of reads[0]) needsName[places[used]] = 1;
      if (ys[i] >= 0 && wanted[ys[i]]) for (const used of reads[1]) needsName[places[used]] = 1;
    }
    needsName[root] = 1;

    // arguments
    for (const i of inputs) {
      expr[i] = new Sym(`{v${i + WIDE}}`);
      named[i] = 1;
    }

    // forward
    statements.push([null, "# forward"]);
    const SPENT = new Sym("0.0");
    for (let i = 0; i < n; i++) {
      const node = nodes[i];
      const x = xs[i];
      if (x < 0) {
        if (expr[i] === null) expr[i] = symbol(node.data);
        continue;
      }
      const op = node.op;
      const y = ys[i];
      const a = expr[x];
      if (!named[x] && xs[x] >= 0) expr[x] = SPENT;
      let e;
      if (y < 0) {
        e = op === "neg" ? ON_SYMBOLS.neg(a) : forwardOne(op, a);
      } else {
        const b = expr[y];
        if (!named[y] && xs[y] >= 0) expr[y] = SPENT;
        if (op in INFIX) e = infix(a, op, b, INFIX[op]);
        else if (op === "**" && xs[y] < 0 && !named[y] && Number.isInteger(nodes[y].data)) e = power(a, nodes[y].data);
        else e = call(CONFIG.forwardNames[op], a, b);
      }
      if (needsName[i] || uses[i] !== 1 || e.depth > CONFIG.maxDepth || e.source.length > CONFIG.maxLength) {
        const ref = `v${i + WIDE}`;
        assign(ref, e.source, node, "t");
        e = new Sym(`{${ref}}`);
        named[i] = 1;
      }
      expr[i] = e;
    }

    // backward
    if (root !== undefined) {
      statements.push([null, "# backward: g_v is d(result)/dv"]);
      const shares = new Map();
      const sum = (terms) => {
        let total = terms[0];
        for (const term of terms.slice(1)) {
          if (total.depth >= CONFIG.maxDepth || total.source.length >= CONFIG.maxLength) {
            const ref = `s${temporaries++ + WIDE}`;
            assign(ref, total.source, "", "g_t");
            total = new Sym(`{${ref}}`);
          }
          total = infix(total, "+", term, SUM);
        }
        return total;
      };
      for (let k = order.length - 1; k >= 0; k--) {
        const i = order[k];
        let g;
        if (i === root) {
          g = new Sym("1.0");
        } else {
          g = shares.get(i);
          shares.delete(i);
          if (Array.isArray(g)) g = sum(g);
        }
        const x = xs[i];
        if (x < 0) {
          const ref = `g${i + WIDE}`;
          assign(ref, g.source, "", "g_t", `v${i + WIDE}`);
          gexpr.set(i, new Sym(`{${ref}}`));
          continue;
        }
        const y = ys[i];
        const op = nodes[i].op;
        const toX = x >= 0 && wanted[x];
        const toY = y >= 0 && wanted[y];
        const isTarget = targets.has(i);
        if (!isTarget && g.precedence === ATOM && g.source[0] === "{") {
          // already a name: no line needed to pass it on
        } else if (isTarget || toX + toY !== 1 || g.depth > CONFIG.maxDepth || g.source.length > CONFIG.maxLength || CONFIG.gTwice.includes(op)) {
          const ref = `g${i + WIDE}`;
          assign(ref, g.source, "", "g_t", `v${i + WIDE}`);
          g = new Sym(`{${ref}}`);
        }
        if (isTarget) gexpr.set(i, g);
        if (!(toX || toY)) continue;
        const a = xs[x] < 0 && !named[x] ? nodes[x].data : expr[x];
        let given;
        if (y < 0) {
          given = [[x, share(op, 0, g, [a], expr[i])]];
        } else {
          const b = xs[y] < 0 && !named[y] ? nodes[y].data : expr[y];
          given = toX ? [[x, share(op, 0, g, [a, b], expr[i])]] : [];
          if (toY) given.push([y, share(op, 1, g, [a, b], expr[i])]);
        }
        for (const [child, s] of given) {
          const had = shares.get(child);
          if (had === undefined) shares.set(child, s);
          else if (Array.isArray(had)) had.push(s);
          else shares.set(child, [had, s]);
        }
      }
    }

    // _Code.readable and _one_function
    const writer = new Writer();
    const names = {};
    for (const i of inputs) names[`v${i + WIDE}`] = writer.fresh(nodes[i].label, "x");
    const fill = (text) => text.replace(/\{(\w+)\}/g, (all, ref) => names[ref]);
    const lines = [];
    for (const [ref, text, wish, fallback, of] of statements) {
      if (ref === null) {
        lines.push(`        ${text}`);
        continue;
      }
      const line = fill(text);
      let wanting = wish;
      if (of !== null) wanting = of in names ? `g_${names[of]}` : "";
      else if (wish instanceof E.Value) wanting = wish.label;
      names[ref] = writer.fresh(wanting, fallback);
      lines.push(`        ${names[ref]} = ${line}`);
    }
    const argNames = inputs.map((i) => names[`v${i + WIDE}`]);
    const body = [argNames.length ? "        # the arguments, as floats" : "        # no arguments"];
    body.push(`        ${targetsOf(argNames) || "()"} = args`);
    for (const a of argNames) body.push(`        ${a} = ${a} if type(${a}) is float else _float(${a})`);
    body.push(...lines);
    const returned = inputs.map((i) => fill((gexpr.get(i) || new Sym("0.0")).source));
    const check = argNames.concat([...new Set(checked)].map((c) => fill(expr[c].source)), returned);
    const result = fill(expr[root].source);
    check.push(result);
    body.push(`        if isfinite(sum((${check.join(", ")},))):`);
    body.push(`            return ${result}, (${targetsOf(returned)})`);
    return [
      `def __call__(self, *args):  # ${comment(name)}: ${trace.nodeCount} ops traced`,
      "    try:",
      ...body,
      "    except (ArithmeticError, ValueError, TypeError):",
      "        pass",
      "    return self._slow(args)  # an error or a non-finite value: the engine says which",
    ].join("\n") + "\n";
  }

  E.compile = { compileSource, ON_SYMBOLS, Sym, PyInt, CONFIG };
})(typeof globalThis !== "undefined" ? globalThis : this);
