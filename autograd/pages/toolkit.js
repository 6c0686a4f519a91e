/* What every page of autograd shares: reading the data inlined into the page, numbers written as
   Python's %g writes them, and the window.autograd hook that scripts, embedders and tests use. */
(function () {
  "use strict";

  /* The JSON inlined into the page in <script type="application/json" id=...>. */
  function data(id) {
    var element = document.getElementById(id);
    if (!element) throw new Error("autograd page: no data element #" + id);
    return JSON.parse(element.textContent);
  }

  /* Round |x| to p significant digits, half to even on exact ties as Python does
     (JavaScript's toPrecision rounds ties up: 1.0625 would read 1.063 where Python says 1.062). */
  function roundDigits(x, p) {
    var parts = Math.abs(x).toExponential(99).split("e"); // 100 significant digits, exact enough
    var exponent = parseInt(parts[1], 10);
    var all = parts[0].replace(".", "");
    var head = all.slice(0, p).split("").map(Number);
    var next = +all.charAt(p);
    var rest = all.slice(p + 1);
    var up = next > 5 || (next === 5 && (/[1-9]/.test(rest) || head[p - 1] % 2 === 1));
    if (up) {
      var i = p - 1;
      for (; i >= 0; i--) {
        head[i] += 1;
        if (head[i] < 10) break;
        head[i] = 0;
      }
      if (i < 0) {
        head.unshift(1);
        head.pop();
        exponent += 1;
      }
    }
    return { digits: head.join(""), exponent: exponent };
  }

  // whole.fraction without the fraction's trailing zeros (and without the point if none is left)
  function trimmed(whole, fraction) {
    fraction = fraction.replace(/0+$/, "");
    return fraction ? whole + "." + fraction : whole;
  }

  /* x as Python's "%.{digits}g" writes it (2.2, 1.235e+06, 0.0001), never "-0"; null as "?". */
  function format(x, digits) {
    if (x === null || x === undefined) return "?";
    if (typeof x !== "number" || !isFinite(x)) return String(x);
    if (x === 0) return "0";
    var p = digits || 4;
    var rounded = roundDigits(x, p);
    var d = rounded.digits;
    var e = rounded.exponent;
    var text;
    if (e < -4 || e >= p) {
      text = trimmed(d.charAt(0), d.slice(1)) + "e" + (e < 0 ? "-" : "+") + (Math.abs(e) < 10 ? "0" : "") + Math.abs(e);
    } else if (e >= 0) {
      text = trimmed(d.slice(0, e + 1), d.slice(e + 1));
    } else {
      text = trimmed("0", "0".repeat(-e - 1) + d);
    }
    return (x < 0 ? "-" : "") + text;
  }

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Make api the page's window.autograd: state() returns a fresh JSON-ready copy each time. */
  function expose(api) {
    var hook = {};
    Object.keys(api).forEach(function (name) {
      hook[name] = api[name];
    });
    hook.state = function () {
      return JSON.parse(JSON.stringify(api.state()));
    };
    window.autograd = hook;
    return hook;
  }

  window.AutogradPages = { data: data, format: format, escape: escape, expose: expose };
})();
