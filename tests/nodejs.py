"""Run the pages' JavaScript in Node from the tests: one process for many cases.

``Node(script)`` starts one Node process running ``script`` and a driver that reads one JSON
request per line, calls the script's ``handle(request)`` and writes one JSON answer per line;
``ask(request)`` sends one and returns the answer. Floats cross as Python's repr (JavaScript
sends ``{"f": repr}`` for each number, via ``py``), so that -0.0, the last bit and non-finite
numbers survive the trip; Python sends JSON numbers, which keep every finite double.
"""

import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

NODE = shutil.which("node")

needs_node = pytest.mark.skipif(NODE is None, reason="the JavaScript tests run in Node, which is not installed")

# The generated engine's elementary functions (E.M) wrapped: every call is recorded in `calls`, and
# with an `oracle` ({"name(args)": number}) Python's number is returned in place of Math's, so that
# everything else a test compares can be compared bit for bit. A test's script starts with it.
MATH_ORACLE = r"""
const E = globalThis.autogradEngine;
const original = Object.assign({}, E.M);
let calls = [];
let oracle = null;
for (const name of Object.keys(original)) {
  E.M[name] = function (...args) {
    calls.push([name, ...args]);
    const key = name + "(" + args.map(E.reprFloat).join(", ") + ")";
    if (oracle !== null && Object.prototype.hasOwnProperty.call(oracle, key)) return oracle[key];
    return original[name](...args);
  };
}
"""

# tests/expressions.py's trees built on the generated engine (E, which the script defines first):
# ("input", i) is xs[i], ("const", c) the number c, (op, *subtrees) E.apply of the op.
BUILD_TREE = r"""
function build(tree, xs) {
  if (tree[0] === "input") return xs[tree[1]];
  if (tree[0] === "const") return tree[1];
  return E.apply(tree[0], ...tree.slice(1).map((t) => build(t, xs)));
}
"""

DRIVER = r"""
;(function () {
  const E = globalThis.autogradEngine;
  globalThis.py = function py(x) {
    if (typeof x === "number") return { f: E.reprFloat(x) };
    if (Array.isArray(x)) return x.map(py);
    if (x !== null && typeof x === "object") {
      const out = {};
      for (const k of Object.keys(x)) out[k] = py(x[k]);
      return out;
    }
    return x;
  };
  const lines = require("readline").createInterface({ input: process.stdin });
  lines.on("line", function (line) {
    let answer;
    try {
      answer = py(handle(JSON.parse(line))); // the script's own function
    } catch (error) {
      answer = { crashed: String(error && error.stack ? error.stack : error) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  });
})();
"""


def floats(x):
    """An answer with each ``{"f": repr}`` turned back into its float."""
    if isinstance(x, dict):
        if set(x) == {"f"}:
            return float(x["f"])
        return {k: floats(v) for k, v in x.items()}
    if isinstance(x, list):
        return [floats(v) for v in x]
    return x


def _encode(x):
    if isinstance(x, float) and not math.isfinite(x):
        raise ValueError(f"{x!r} cannot be sent to Node as JSON")
    if isinstance(x, dict):
        return {k: _encode(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_encode(v) for v in x]
    return x


class Node:
    """One Node process running ``script``; ``ask`` a request, ``close`` when done (or use ``with``)."""

    def __init__(self, script: str) -> None:
        if NODE is None:
            pytest.skip("Node is not installed")
        self._dir = tempfile.TemporaryDirectory()
        path = Path(self._dir.name) / "run.js"
        path.write_text(script + "\n" + DRIVER, encoding="utf-8")
        self._process = subprocess.Popen(
            [NODE, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request):
        """The answer of ``handle(request)``; an AssertionError if the JavaScript threw."""
        self._process.stdin.write(json.dumps(_encode(request)) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise AssertionError(f"node exited ({self._process.poll()}):\n{self._process.stderr.read()[-3000:]}")
        answer = floats(json.loads(line))
        if isinstance(answer, dict) and "crashed" in answer:
            raise AssertionError(f"the JavaScript threw: {answer['crashed']}")
        return answer

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=30)
        self._process.stdout.close()
        self._process.stderr.close()
        self._dir.cleanup()

    def __enter__(self) -> "Node":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run(script: str, requests: list) -> list:
    """The answers of ``handle(request)`` for each request, in one Node process."""
    with Node(script) as node:
        return [node.ask(r) for r in requests]
