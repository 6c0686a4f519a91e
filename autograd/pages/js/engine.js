// The playground's engine: Value, graph walks, backward and the backward trace, in JavaScript.
//
// Not a second engine: every forward and every gradient formula comes from autograd/ops.py,
// written out by autograd/pages/jsgen.py into the table below (at the OPS marker). What is
// written by hand here is what autograd/engine.py does without calculus: the walks, the order
// shares are added in, and the errors. Each helper that a generated formula calls mirrors the
// Python one of the same name (ops.py, or Python's float and math semantics) and says how.
//
// MATH_DIFFERENCES. Python's math calls the C library (glibc 2.36 here); JavaScript's Math is
// V8's own (fdlibm's algorithms, Node 20). Both are within about an ulp of the true value but
// do not always round alike. Measured on 200,000 random points each (ulp = unit in the last
// place), the share of results that differ and the largest difference:
//   exp on [-700, 700]        9.8 %   1 ulp      log on e^[-700, 700]     0.02 %  1 ulp
//   sin, cos on [-10, 10]     3.2 %   1 ulp      sin on [1e5, 1e22]        3.4 %   1 ulp
//   tanh on [-20, 20]         0.005 % 2 ulp      tanh on [-1, 1]           0.12 %  3 ulp
//   pow(x, y), x in (0, 10], y in [-50, 50]: 9.7 %, 1 ulp; pow(x, 2): 0.07 %; pow(x, 3): 10 %
//   sqrt: never (both correctly rounded)        hypot: 34 %, 2 ulp;  cosh: 9.5 %, 2 ulp
// + - * / are IEEE in both and agree always. So the page's numbers equal the engine's bit for
// bit wherever no elementary function rounds differently; on 20,000 random expressions of
// tests/expressions.py (up to 10 leaves), 4 % differed in some bit of some value or gradient,
// by 8.1e-15 relatively at most, and never in whether an error is raised. With Python's
// values put in place of Math's, the tests find every number equal bit for bit.
(function (global) {
  "use strict";

  // ------------------------------------------------------------------ Python's errors

  // A Python exception raised by a helper: `type` is its class (ValueError, ZeroDivisionError,
  // OverflowError), `message` its str(); the engine turns it into an OperationError.
  class PyError extends Error {
    constructor(type, message) {
      super(message);
      this.type = type;
    }
  }

  // What autograd.OperationError is: `op` the op's name, `inputs` its numbers, `type` the kind of
  // Python error it also is ("ZeroDivisionError", "OverflowError" or "ValueError").
  class OperationError extends Error {
    constructor(message, op, inputs, type) {
      super(message);
      this.name = "OperationError";
      this.op = op;
      this.inputs = inputs;
      this.type = type;
    }
  }

  // ------------------------------------------------------------------ Python's float and math

  function isfinite(x) {
    return Number.isFinite(x);
  }

  // x / y on floats: Python raises where IEEE would give an infinity or NaN.
  function div(x, y) {
    if (y === 0) throw new PyError("ZeroDivisionError", "float division by zero");
    return x / y;
  }

  // x ** y on floats, as CPython's float_pow: 0 to a negative power raises, an overflow raises,
  // a negative base to a fractional power gives a complex number in Python (here a ValueError:
  // the engine has no complex numbers, and every forward refuses it before a formula sees it).
  function pow(x, y) {
    if (y === 0) return 1.0;
    if (x === 0 && y < 0) throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
    if (x < 0 && Math.floor(y) !== y) throw new PyError("ValueError", "math domain error");
    const r = M.pow(x, y);
    if (!isfinite(r)) throw new PyError("OverflowError", "(34, 'Numerical result out of range')");
    return r;
  }

  // math.pow(x, y), as CPython's math_pow for finite x and y.
  function math_pow(x, y) {
    if (y === 0) return 1.0;
    if (x < 0 && Math.floor(y) !== y) throw new PyError("ValueError", "math domain error");
    const r = M.pow(x, y);
    if (!isfinite(r)) {
      if (x === 0) throw new PyError("ValueError", "math domain error");
      throw new PyError("OverflowError", "math range error");
    }
    return r;
  }

  // The elementary functions every other one calls: JavaScript's Math (the tests put Python's
  // values in their place to check that everything else is the same float operations).
  const M = {};
  for (const name of [
    "exp", "expm1", "sinh", "cosh", "tanh", "sin", "cos", "tan", "asin", "acos", "atan", "asinh",
    "acosh", "atanh", "log", "log2", "log10", "log1p", "sqrt", "atan2", "hypot", "pow",
  ]) {
    M[name] = Math[name];
  }

  // A function of math on finite floats, as CPython's math_1: NaN from a number is a domain
  // error; an infinity is a range error where the function can overflow, else a domain error.
  function math1(name, canOverflow) {
    return function (x) {
      const r = M[name](x);
      if (Number.isNaN(r)) throw new PyError("ValueError", "math domain error");
      if (!isfinite(r)) {
        throw new PyError(canOverflow ? "OverflowError" : "ValueError", canOverflow ? "math range error" : "math domain error");
      }
      return r;
    };
  }

  // math.log and its kin refuse 0 and negative numbers outright (CPython's m_log).
  function mathLog(name) {
    return function (x) {
      if (!(x > 0)) throw new PyError("ValueError", "math domain error");
      return M[name](x);
    };
  }

  const math = {
    exp: math1("exp", true),
    expm1: math1("expm1", true),
    sinh: math1("sinh", true),
    cosh: math1("cosh", true),
    tanh: (x) => M.tanh(x),
    sin: (x) => M.sin(x),
    cos: (x) => M.cos(x),
    tan: math1("tan", false),
    asin: math1("asin", false),
    acos: math1("acos", false),
    atan: (x) => M.atan(x),
    asinh: (x) => M.asinh(x),
    acosh: math1("acosh", false),
    atanh: math1("atanh", false),
    log: mathLog("log"),
    log2: mathLog("log2"),
    log10: mathLog("log10"),
    log1p: math1("log1p", false),
    sqrt: math1("sqrt", false),
    fabs: Math.abs,
    atan2: (y, x) => M.atan2(y, x),
    hypot: (x, y) => M.hypot(x, y),
    pow: math_pow,
  };

  // ------------------------------------------------------------------ the helpers of ops.py, on floats

  // ops.sin, ops.cos, ops.log on a float: math's.
  const sin = math.sin;
  const cos = math.cos;
  const log = math.log;

  // ops.pow_grad(x, y) on floats: y * x ** (y - 1), and 0 * y where x == y == 0.
  function pow_grad(x, y) {
    if (x === 0 && y === 0) return 0 * y;
    return y * pow(x, y - 1);
  }

  // ops.xlogy(x, y) on floats: x * log(y), and 0 * y where x == 0.
  function xlogy(x, y) {
    if (x === 0) return 0 * y;
    return x * log(y);
  }

  // ops.larger(x, y): 1.0 where x > y, 0.0 where x < y, 0.5 at a tie.
  function larger(x, y) {
    return x > y ? 1.0 : x < y ? 0.0 : 0.5;
  }

  // The bodies of ops.py's named forwards (_relu, _sigmoid, _sign, _pow), on floats.
  function _relu(x) {
    return x > 0.0 ? x : 0.0;
  }

  function _sigmoid(x) {
    if (x >= 0.0) return div(1.0, 1.0 + math.exp(-x));
    const z = math.exp(x);
    return div(z, 1.0 + z);
  }

  function _sign(x) {
    return (x > 0.0) - (x < 0.0);
  }

  function _pow(x, y) {
    if (x === 0 && y < 0) throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
    return math.pow(x, y);
  }

  // builtins.max(x, y): the first of the largest (max(0.0, -0.0) is 0.0, max(-0.0, 0.0) is -0.0).
  function _max(x, y) {
    return y > x ? y : x;
  }

  function _min(x, y) {
    return y < x ? y : x;
  }

  // ------------------------------------------------------------------ Python's repr and format

  // repr(x) of a float, as Python writes it: the shortest digits that read back as x (the same
  // digits as JavaScript's String(x)), in Python's layout (1e-05, 1e+16, 2.0).
  function reprFloat(x) {
    if (Number.isNaN(x)) return "nan";
    if (!isfinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const sign = x < 0 ? "-" : "";
    let text = String(Math.abs(x));
    let exponent = 0;
    const e = text.indexOf("e");
    if (e >= 0) {
      exponent = parseInt(text.slice(e + 1), 10);
      text = text.slice(0, e);
    }
    let point = text.indexOf(".");
    if (point < 0) point = text.length;
    let digits = text.slice(0, point) + text.slice(point + 1);
    let decpt = point + exponent; // value = 0.digits * 10 ** decpt
    const lead = digits.length - digits.replace(/^0+/, "").length;
    digits = digits.slice(lead).replace(/0+$/, "");
    decpt -= lead;
    if (decpt <= -4 || decpt > 16) {
      const mantissa = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
      const exp = decpt - 1;
      return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
    }
    if (decpt <= 0) return sign + "0." + "0".repeat(-decpt) + digits;
    if (decpt >= digits.length) return sign + digits + "0".repeat(decpt - digits.length) + ".0";
    return sign + digits.slice(0, decpt) + "." + digits.slice(decpt);
  }

  // The exact decimal value of a finite double, |x| = digits * 10 ** exp10 (digits a string).
  function exactDecimal(x) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, Math.abs(x));
    const bits = view.getBigUint64(0);
    const biased = Number((bits >> 52n) & 0x7ffn);
    let mantissa = bits & ((1n << 52n) - 1n);
    let exp2;
    if (biased === 0) {
      exp2 = -1074;
    } else {
      mantissa |= 1n << 52n;
      exp2 = biased - 1075;
    }
    if (exp2 >= 0) return { digits: (mantissa << BigInt(exp2)).toString(), exp10: 0 };
    return { digits: (mantissa * 5n ** BigInt(-exp2)).toString(), exp10: exp2 };
  }

  // x rounded to `precision` significant digits, half to even on the exact value, as C's printf:
  // {digits, exponent} with x ~ d.ddd * 10 ** exponent.
  function roundDecimal(x, precision) {
    let { digits, exp10 } = exactDecimal(x);
    digits = digits.replace(/^0+/, "");
    if (digits === "") return { digits: "0".repeat(precision), exponent: 0 };
    let exponent = digits.length - 1 + exp10;
    if (digits.length > precision) {
      const kept = digits.slice(0, precision);
      const rest = digits.slice(precision);
      let up = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
      if (rest[0] === "5" && !/[1-9]/.test(rest.slice(1))) up = (kept.charCodeAt(kept.length - 1) - 48) % 2 === 1;
      let rounded = up ? (BigInt(kept) + 1n).toString() : kept;
      if (rounded.length > precision) {
        rounded = rounded.slice(0, precision);
        exponent += 1;
      }
      digits = rounded;
    } else {
      digits = digits + "0".repeat(precision - digits.length);
    }
    return { digits, exponent };
  }

  // Python's format(x, f".{precision}g"): %g, trailing zeros removed.
  function formatG(x, precision) {
    if (Number.isNaN(x)) return "nan";
    if (!isfinite(x)) return x > 0 ? "inf" : "-inf";
    const p = precision === 0 ? 1 : precision;
    const sign = x < 0 || Object.is(x, -0) ? "-" : "";
    const { digits, exponent } = roundDecimal(x, p);
    let text;
    if (x !== 0 && (exponent < -4 || exponent >= p)) {
      let mantissa = digits[0] + (p > 1 ? "." + digits.slice(1) : "");
      if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
      text = mantissa + "e" + (exponent < 0 ? "-" : "+") + String(Math.abs(exponent)).padStart(2, "0");
    } else {
      const e = x === 0 ? 0 : exponent;
      if (e >= 0) {
        text = digits.slice(0, e + 1) + (p > e + 1 ? "." + digits.slice(e + 1) : "");
      } else {
        text = "0." + "0".repeat(-e - 1) + digits;
      }
      if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
    }
    return sign + text;
  }

  // repr(s) of a str, as Python writes it: single quotes unless only double quotes avoid escapes.
  const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

  function isPrintable(char) {
    return char === " " || !NOT_PRINTABLE.test(char);
  }

  function reprStr(s) {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = quote;
    for (const char of s) {
      const code = char.codePointAt(0);
      if (char === quote || char === "\\") out += "\\" + char;
      else if (char === "\t") out += "\\t";
      else if (char === "\n") out += "\\n";
      else if (char === "\r") out += "\\r";
      else if (isPrintable(char)) out += char;
      else if (code < 0x100) out += "\\x" + code.toString(16).padStart(2, "0");
      else if (code < 0x10000) out += "\\u" + code.toString(16).padStart(4, "0");
      else out += "\\U" + code.toString(16).padStart(8, "0");
    }
    return out + quote;
  }

  // ------------------------------------------------------------------ the op table, generated

  /*@OPS@*/

  // ------------------------------------------------------------------ Value and apply

  class Value {
    // A node, as autograd.Value: `data` a finite float, `x` and `y` its inputs (null for none),
    // `op` the op's name ("" for a leaf), `label`, `requiresGrad`; `grad` after backward().
    constructor(data, label = "", requiresGrad = true) {
      if (typeof data !== "number" || !isfinite(data)) {
        throw new TypeError(`Value expects a finite number, got ${String(data)}`);
      }
      this.data = data;
      this.grad = 0.0;
      this.x = null;
      this.y = null;
      this.op = "";
      this.label = label;
      this.requiresGrad = requiresGrad;
    }

    get children() {
      return this.x === null ? [] : this.y === null ? [this.x] : [this.x, this.y];
    }
  }

  function constant(x) {
    return x instanceof Value ? x : new Value(x, "", false);
  }

  // engine.py's _forward_error, without the line of user code (a page has none).
  function forwardError(name, inputs, cause) {
    let reason;
    if (cause.type === "OverflowError") {
      reason = "the result is too large for a float";
    } else {
      const domain = OPS[name].domain;
      reason = cause.message + (domain ? ` (${domain})` : "");
    }
    const shown = inputs.map(reprFloat).join(", ");
    return new OperationError(`${reprStr(name)} failed on ${shown}: ${reason}`, name, inputs, cause.type);
  }

  // Run op `name` on one or two inputs (Values or numbers), as engine.apply: the one place a
  // node is born. Numbers become constants; a result of constants alone is a constant.
  function apply(name, a, b) {
    const op = OPS[name];
    if (op === undefined) {
      throw new OperationError(`unknown op ${reprStr(name)}; the ops are ${Object.keys(OPS).map(reprStr).join(", ")}`, name, [], "ValueError");
    }
    if (op.missing) {
      throw new OperationError(`the op ${reprStr(name)} has no JavaScript form: ${op.missing}`, name, [], "ValueError");
    }
    const inputs = op.arity === 1 ? [constant(a)] : [constant(a), constant(b)];
    const numbers = inputs.map((v) => v.data);
    let data;
    try {
      data = op.forward(...numbers);
    } catch (cause) {
      if (cause instanceof PyError) throw forwardError(name, numbers, cause);
      throw cause;
    }
    if (!isfinite(data)) {
      throw forwardError(name, numbers, new PyError("OverflowError", "the result is too large for a float"));
    }
    if (!inputs.some((v) => v.requiresGrad)) return new Value(data, "", false);
    const node = new Value(data);
    node.x = inputs[0];
    node.y = inputs.length > 1 ? inputs[1] : null;
    node.op = name;
    return node;
  }

  // ------------------------------------------------------------------ walks and backward

  // engine.topological_order: every node the root depends on that requires grad, each after its
  // children, by the very same stack walk (so the same order: the second input's side first).
  function topologicalOrder(root) {
    const order = [];
    const visited = new Set();
    const stack = [root];
    while (stack.length) {
      const node = stack.pop();
      if (node === null) {
        order.push(stack.pop());
      } else if (node.requiresGrad && !visited.has(node)) {
        visited.add(node);
        if (node.x === null) {
          order.push(node);
        } else {
          stack.push(node);
          stack.push(null);
          stack.push(node.x);
          if (node.y !== null) stack.push(node.y);
        }
      }
    }
    return order;
  }

  // engine._backward_error, without the line of user code.
  function backwardError(node, cause) {
    const inputs = node.children.map((child) => child.data);
    let what;
    if (cause.type === "ZeroDivisionError") what = "is infinite (a division by zero)";
    else if (cause.type === "OverflowError") what = "overflows a float";
    else what = `is undefined (${cause.message})`;
    const shown = inputs.map(reprFloat).join(", ");
    return new OperationError(`the gradient of ${reprStr(node.op)} at ${shown} ${what}`, node.op, inputs, cause.type);
  }

  const PENDING = undefined; // "no share yet": the first share is stored as it is

  // One pass of the chain rule over `order` (topological), from the root's seed 1.0, as
  // engine._chain_rule with steps.py's steps: each node's formulas, for each input that requires
  // grad, in slot order; `share` is added into the input's gradient. With `check`, the first
  // gradient that is not finite raises (steps.CHECKED). `record(node, grad, slot, input, share)`
  // sees every share. Returns the Map node -> gradient of this pass.
  function chainRule(order, check, record) {
    const grads = new Map();
    for (const node of order) grads.set(node, PENDING);
    const root = order[order.length - 1];
    grads.set(root, 1.0);
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      if (node.x === null) continue;
      const g = grads.get(node);
      const inputs = node.children;
      const numbers = inputs.map((child) => child.data);
      const formulas = OPS[node.op].grads;
      try {
        for (let slot = 0; slot < inputs.length; slot++) {
          const child = inputs[slot];
          if (!child.requiresGrad) continue;
          const share = formulas[slot](g, ...numbers, node.data);
          const held = grads.get(child);
          const total = held === PENDING ? share : held + share;
          grads.set(child, total);
          if (record) record(node, g, slot, child, share);
          if (check && !isfinite(total)) throw new PyError("OverflowError", `it came to ${reprFloat(total)}`);
        }
      } catch (cause) {
        if (cause instanceof PyError) throw backwardError(node, cause);
        throw cause;
      }
    }
    return grads;
  }

  // What root.backward() leaves in every node's .grad, as a Map (nodes are not changed): inner
  // nodes this pass's gradient, leaves this pass's plus `held.get(leaf)` (what they had, 0.0 if
  // absent). Raises an OperationError where backward() does, naming the same op.
  function gradients(root, held = new Map()) {
    if (!root.requiresGrad) {
      throw new OperationError("backward() needs a Value that requires grad, but it is a constant", "", [], "ValueError");
    }
    const order = topologicalOrder(root);
    const grads = chainRule(order, false, null);
    for (const node of order) {
      if (node.x !== null) continue;
      const old = held.has(node) ? held.get(node) : 0.0;
      const total = grads.get(node) + old;
      if (!isfinite(total)) {
        if (!isfinite(grads.get(node))) chainRule(order, true, null); // raises, naming the op
        throw new OperationError(
          `adding this pass's gradient ${reprFloat(grads.get(node))} to the ${reprFloat(old)} that ` +
            `${node.label ? reprStr(node.label) : "the Value " + reprFloat(node.data)} held overflows a float; ` +
            "set .grad = 0.0 (or call zero_grad()) between passes",
          null, // no op failed: the sum did
          [],
          "OverflowError"
        );
      }
      grads.set(node, total);
    }
    return grads;
  }

  // root.backward(): fills .grad of every node root depends on (leaves accumulate).
  function backward(root) {
    const order = topologicalOrder(root);
    const held = new Map(order.filter((n) => n.x === null).map((n) => [n, n.grad]));
    const grads = gradients(root, held);
    for (const [node, g] of grads) node.grad = g;
  }

  // autograd.trace_backward(root): the steps root.backward() takes, in order, changing no .grad:
  // [{node, grad, shares: [{input, slot, local, share, formula}]}], one step per inner node.
  // `local` is the formula with g = 1.0, `share` what backward adds, `formula` the row's Python
  // source. Raises where backward() does.
  function traceBackward(root) {
    gradients(root); // the errors of backward(), first
    const order = topologicalOrder(root);
    const steps = [];
    const byNode = new Map();
    chainRule(order, false, (node, g, slot, input, share) => {
      let step = byNode.get(node);
      if (step === undefined) {
        step = { node, grad: g, shares: [] };
        byNode.set(node, step);
        steps.push(step);
      }
      const numbers = node.children.map((child) => child.data);
      const local = OPS[node.op].grads[slot](1.0, ...numbers, node.data);
      step.shares.push({ input, slot, local, share, formula: OPS[node.op].formulas[slot] });
    });
    return steps;
  }

  // ------------------------------------------------------------------ grad(create_graph=True)

  // The algebra the generic formulas (jsgen.generic_js) run in to build the gradient's own graph:
  // what Python does with a Value or a float, op by op. An operator with a Value on either side is
  // the op of the table (Value's __add__ and __radd__ are apply("+", a, b) with the operands as
  // written); on two numbers it is Python's float arithmetic. Each helper is ops.py's helper of
  // that name on a Value (the op of the same name, or a branch on its number) or on a float.
  function isValue(x) {
    return x instanceof Value;
  }
  function numberOf(x) {
    return isValue(x) ? x.data : x;
  }
  function onValues(name, float) {
    return (a, b) => (isValue(a) || isValue(b) ? apply(name, a, b) : float(a, b));
  }
  function helper1(name, float) {
    return (x) => (isValue(x) ? apply(name, x) : float(x));
  }
  const ON_VALUES = {
    int: (n) => n,
    add: onValues("+", (a, b) => a + b),
    sub: onValues("-", (a, b) => a - b),
    mul: onValues("*", (a, b) => a * b),
    div: onValues("/", div),
    pow: onValues("**", pow),
    neg: (a) => (isValue(a) ? apply("neg", a) : -a),
    op: (name, x, y) => apply(name, x, y), // x.sin(), x.max(y): the op's method
    sin: helper1("sin", math.sin),
    cos: helper1("cos", math.cos),
    log: helper1("log", math.log),
    exp: helper1("exp", math.exp),
    tanh: helper1("tanh", math.tanh),
    sigmoid: helper1("sigmoid", _sigmoid),
    sqrt: helper1("sqrt", math.sqrt),
    relu: helper1("relu", _relu),
    absolute: helper1("abs", Math.abs),
    sign: helper1("sign", (x) => (x > 0.0) - (x < 0.0)),
    maximum(x, y) {
      if (!isValue(x) && !isValue(y)) return _max(x, y);
      return isValue(x) ? apply("max", x, y) : apply("max", y, x);
    },
    pow_grad(x, y) {
      const T = ON_VALUES;
      if (numberOf(x) === 0 && numberOf(y) === 0) return T.mul(0, y);
      return T.mul(y, T.pow(x, T.sub(y, 1)));
    },
    xlogy(x, y) {
      const T = ON_VALUES;
      if (numberOf(x) === 0) return T.mul(0, y);
      return T.mul(x, T.log(y));
    },
    larger(x, y) {
      return larger(numberOf(x), numberOf(y));
    },
  };

  // backward.toward: the nodes of `order` from which some input can be reached, in order.
  function toward(order, inputs) {
    const reaching = new Set(inputs);
    return order.filter((node) => {
      if (reaching.has(node) || node.children.some((child) => reaching.has(child))) {
        reaching.add(node);
        return true;
      }
      return false;
    });
  }

  // autograd.grad(output, inputs, create_graph=True): d output / d each input as Values with
  // graphs of their own, built by the op table's formulas run on Values (steps.ON_VALUES) from
  // the seed Value(1.0, label="seed"), over the same order and in the same order as Python.
  function gradWithGraph(output, inputs) {
    if (!output.requiresGrad) {
      throw new OperationError("grad() needs an output that requires grad, but it is a constant", "", [], "ValueError");
    }
    const order = toward(topologicalOrder(output), inputs);
    if (!order.length || order[order.length - 1] !== output) return inputs.map(() => new Value(0.0));
    const grads = new Map(order.map((node) => [node, PENDING]));
    grads.set(output, new Value(1.0, "seed"));
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      if (node.x === null) continue;
      const row = OPS[node.op];
      if (!row.generic) {
        throw new OperationError(`the op ${reprStr(node.op)} has no generic form: ${row.genericMissing}`, node.op, [], "ValueError");
      }
      const g = grads.get(node);
      const children = node.children;
      try {
        for (let slot = 0; slot < children.length; slot++) {
          const child = children[slot];
          if (!grads.has(child)) continue; // not part of this pass
          const share = row.generic[slot](ON_VALUES, g, ...children, node);
          const held = grads.get(child);
          grads.set(child, held === PENDING ? share : ON_VALUES.add(held, share));
        }
      } catch (cause) {
        if (cause instanceof PyError || cause instanceof OperationError) throw backwardError(node, cause);
        throw cause;
      }
    }
    return inputs.map((x) => (grads.has(x) ? grads.get(x) : new Value(0.0)));
  }

  const engine = {
    OPS,
    MISSING,
    Value,
    OperationError,
    PyError,
    apply,
    constant,
    topologicalOrder,
    gradients,
    backward,
    traceBackward,
    gradWithGraph,
    toward,
    ON_VALUES,
    reprFloat,
    reprStr,
    formatG,
    isPrintable,
    M,
    helpers: { div, pow, math_pow, math, sin, cos, log, pow_grad, xlogy, larger, _relu, _sigmoid, _sign, _pow, _max, _min },
  };
  global.autogradEngine = engine;
  if (typeof module !== "undefined" && module.exports) module.exports = engine;
})(typeof globalThis !== "undefined" ? globalThis : this);
