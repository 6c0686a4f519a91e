"""The playground: one offline page where an expression is typed and its backward pass watched.

The page computes everything itself, as you type, with the pages' engine: ``jsgen.pages_js()``,
the op table of ``ops.OPS`` (read when the page is written, so an op added by ``autograd.defop``
is in it) written into JavaScript, with the command line's expression grammar and ``draw_dot``'s
DOT; Graphviz in WebAssembly lays the diagram out and the explorer shows it. Python writes only
the page: its scripts and the presets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import Page, asset, document, json_script
from .jsgen import pages_js

__all__ = ["PRESETS", "playground_page"]

ASSETS = (
    "explorer.css",
    "playground.css",
    "vendor/panzoom/panzoom.min.js",
    "vendor/viz-js/viz-global.js",
    "explorer.js",
)

# Two-class softmax cross-entropy with logits z1, z2 and target z2: log(e^z1 + e^z2) - z2.
# At logits +-1000 the naive form overflows exp; the stable one subtracts the larger logit m
# first (m written with abs, as the grammar's functions take one argument): m + log(e^(z1-m) + e^(z2-m)) - z2.
_M = "(z1 + z2 + abs(z1 - z2)) / 2"
PRESETS: list[dict[str, Any]] = [
    {
        "name": "the lecture's L = (a*b + c) * f",
        "expression": "(a*b + c) * f",
        "values": {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0},
    },
    {
        "name": "the lecture's neuron: tanh(x1*w1 + x2*w2 + b)",
        "expression": "tanh(x1*w1 + x2*w2 + b)",
        "values": {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432},
    },
    {
        "name": "apple shopping: apple * count * tax",
        "expression": "apple*count*tax",
        "values": {"apple": 100.0, "count": 2.0, "tax": 1.1},
    },
    {"name": "x*x: one input reached twice", "expression": "x*x", "values": {"x": 3.0}},
    {
        "name": "softmax cross-entropy at logits \u00b11000, stable",
        "expression": f"{_M} + log(exp(z1 - {_M}) + exp(z2 - {_M})) - z2",
        "values": {"z1": 1000.0, "z2": -1000.0},
    },
    {
        "name": "softmax cross-entropy at logits \u00b11000, naive: exp overflows",
        "expression": "log(exp(z1) + exp(z2)) - z2",
        "values": {"z1": 1000.0, "z2": -1000.0},
    },
]

TITLE = "autograd playground"


def playground_page(presets: list[dict[str, Any]] | None = None) -> Page:
    """The playground page: an expression box (the command line's grammar), a field and a slider per
    variable, the explorer on the result, redrawn as you type, a finite-difference check per
    variable, the state in the URL hash; a toggle that draws the gradient's own graph
    (``create_graph``), the code ``autograd.compile`` writes beside it, and "copy as Python". The
    op table is read now: ops from ``defop`` are in it."""
    from .. import expr  # the functions Value has as methods: "copy as Python" writes them x.tanh()

    config = {"presets": PRESETS if presets is None else presets, "methods": list(expr.FUNCTIONS)}
    body = "\n".join(['<main id="playground" class="ag-page ag-playground"></main>', json_script("pg-config", config)])
    script = "\n".join(
        [pages_js(strict=False), asset("playground.js"), _BOOT]
    )  # a row with no JavaScript form is refused by name in the page
    html_text = document(TITLE, body, assets=ASSETS, script=script, wasm=True)
    return Page(html_text, TITLE, height=760)


def write_playground(path: str | Path | None = None) -> Page:
    """``playground_page()``, also written to ``path`` when one is given."""
    page = playground_page()
    if path is not None:
        page.save(path)
    return page


_BOOT = """\
(function () {
  var config = AutogradPages.data("pg-config");
  AutogradPlayground.start(document.getElementById("playground"), config);
})();"""
