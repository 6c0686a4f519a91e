"""The explorer: one page that steps through a graph's forward pass, then its backward pass node by node,
stating at each step the chain rule with the op row's formula and the engine's numbers.

Python lays the diagram out once (Graphviz, one SVG per way of folding the graph) and records
the pass with ``trace_backward``; the page (``autograd/pages/explorer.js``) only shows them. No
number in it is computed there: grads, shares and their running sums all come from here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import pages
from ..trace import trace_backward
from ..value import Value
from . import model as _model
from .draw import DEFAULT_MAX_NODES, FONT, _draw, _roots, number
from .render import render

MAX_STEPS = 5000  # inner nodes: each is a forward and a backward step, and ~0.3 kB of the page
VIEWS_BUDGET = 3_000_000  # bytes of SVG for the ways of opening folded boxes; beyond, boxes stay shut
ASSETS = ("explorer.css", "vendor/panzoom/panzoom.min.js", "explorer.js")

_BUILD_OPTIONS = ("params", "module", "max_nodes")
_DOT_OPTIONS = ("rankdir", "show_grad", "highlight", "digits", "legend")
_PAGE_OPTIONS = ("color_by_grad", "views_budget")
_IGNORED = ("format",)  # draw_dot's default output format: a page has none


def explore(root: Value | Any, path: str | Path | None = None, **draw_options: Any) -> pages.Page:
    """The explorer page of ``root``'s graph: the forward pass, then backward one node at a time,
    each step's chain rule shown with its formula and numbers; ``.save(path)`` writes it, and in
    Jupyter it displays inline. With ``path``, it is also written there.

    ``root`` is a Value that requires grad, or an ``autograd.nn`` Module (run on inputs
    ``x0, x1, ...``). ``draw_options`` are ``draw_dot``'s: with ``module=``, each neuron is folded
    into one box that a click opens; ``color_by_grad`` colours the boxes by their gradient.
    """
    spec = explorer_data(root, **draw_options)
    page = pages.Page(_page(spec), spec["title"])
    if path is not None:
        page.save(path)
    return page


def explorer_data(root: Value | Any, **draw_options: Any) -> dict[str, Any]:
    """Everything the explorer page shows, as JSON-ready data: nodes, the backward steps, the folds
    and one SVG diagram per view (``views[key]["svg"]``); ``explore`` inlines it into a page."""
    unknown = sorted(set(draw_options) - {*_BUILD_OPTIONS, *_DOT_OPTIONS, *_PAGE_OPTIONS, *_IGNORED})
    if unknown:
        raise TypeError(f"explore got unexpected options {', '.join(map(repr, unknown))}; it takes draw_dot's options")
    options = dict(draw_options)
    roots, module = _roots(root, options.pop("module", None))
    if len(roots) != 1:
        raise ValueError(f"explore steps through the backward pass of one Value, and this has {len(roots)} outputs")
    root = roots[0]
    if not isinstance(root, Value):
        raise TypeError(f"explore expects a Value, got {root!r} ({type(root).__name__})")
    trace = trace_backward(root)  # raises as backward() would: a constant root, a gradient that is not finite
    if len(trace) > MAX_STEPS:
        raise ValueError(
            f"backward through this graph takes {len(trace):,} steps, more than the explorer shows "
            f"({MAX_STEPS:,}): explore a smaller graph, such as the loss of one example"
        )
    digits = options.get("digits", 4)
    params = options.pop("params", ())
    if module is not None and params == ():
        params = module  # name each parameter after where it lives: layers.0.neurons.3.w.1
    max_nodes = options.pop("max_nodes", DEFAULT_MAX_NODES)
    color_by_grad = bool(options.pop("color_by_grad", False))
    views_budget = options.pop("views_budget", VIEWS_BUDGET)  # the live page spends its bytes on frames too
    options.pop("format", None)

    full = _model.build([root], params=params)
    ids = {box.value: box.id for box in full.boxes}
    steps, shown = _steps(trace, ids, root)
    names = _names(full.boxes, digits)
    nodes = [
        {
            "id": box.id,
            "label": box.label,
            "name": names[box.id],
            "kind": box.kind,
            "op": box.op,
            "data": box.data,
            "inputs": [ids[child] for child in box.value.children],
        }
        for box in full.boxes
    ]
    widest = {value: max(candidates, key=lambda g: len(number(g, digits))) for value, candidates in shown.items()}
    units = _fold_units(module)
    first = _view(root, ids, params, units, None, max_nodes, widest, names, options, {}, digits)
    groups = first.pop("groups")
    views, spent = {"": first}, len(first["svg"])
    for key in groups:  # one more view per folded box drawn: the graph with that box open
        view = _view(root, ids, params, units, int(key[1:]), max_nodes, widest, names, options, groups, digits)
        view.pop("groups")
        spent += len(view["svg"])
        if spent > views_budget:
            break  # the page says that the boxes left cannot be opened here
        views[key] = view
    return {
        "kind": "explorer",
        "title": f"Forward and backward through {names[ids[root]]}, step by step",
        "root": ids[root],
        "digits": digits,
        "colorByGrad": color_by_grad,
        "nodes": nodes,
        "steps": steps,
        "groups": groups,
        "views": views,
    }


def _steps(trace: Sequence[Any], ids: dict[Value, str], root: Value) -> tuple[list[dict[str, Any]], dict[Value, list]]:
    """The trace as JSON, each share with the running sum of its input's gradient (``total``), and for
    a leaf what it holds in a second pass (``again``: the first pass's sum plus this one's so far);
    also, per Value, every gradient the page will show, to size its box for the widest."""
    totals: dict[Value, float] = {}
    for step in trace:
        for share in step.shares:
            # summed in step order, as backward sums the shares that reach a node (bit for bit)
            totals[share.input] = share.share if share.input not in totals else totals[share.input] + share.share
    held = {value: g for value, g in totals.items() if not value.children}  # leaves after one pass
    running: dict[Value, float] = {}
    shown: dict[Value, list[float]] = {root: [1.0]}
    steps = []
    for step in trace:
        shares = []
        for share in step.shares:
            value = share.input
            running[value] = share.share if value not in running else running[value] + share.share
            item = {
                "input": ids[value],
                "slot": share.slot,
                "local": share.local,
                "share": share.share,
                "formula": share.formula,
                "total": running[value],
            }
            shown.setdefault(value, []).append(running[value])
            if value in held:
                item["again"] = held[value] + running[value]  # leaves accumulate: what backward() adds to
                shown[value].append(item["again"])
            shares.append(item)
        steps.append({"node": ids[step.node], "grad": step.grad, "shares": shares})
    return steps, shown


def _names(boxes: Sequence[_model.Box], digits: int) -> dict[str, str]:
    """What captions call each Value: its label; a constant, its number; any other, t1, t2, ... (as compile() does)."""
    taken = {box.label for box in boxes if box.label}
    names, counter = {}, 0
    for box in boxes:
        if box.label:
            names[box.id] = box.label
        elif box.kind == "constant":
            names[box.id] = number(box.data, digits)
        else:
            counter += 1
            while f"t{counter}" in taken:
                counter += 1
            names[box.id] = f"t{counter}"
    return names


# ----------------------------------------------------------------------------- folds and views


class _Units:
    """Stands for a module whose layers are the given units, so that model.fold_layers folds each into a box."""

    def __init__(self, units: Sequence[Any]) -> None:
        self.layers = list(units)

    def parameters(self) -> list[Value]:
        return [p for unit in self.layers for p in unit.parameters()]


def _fold_units(module: Any) -> list[tuple[str, str, Any]]:
    """``(name, about, unit)`` for every neuron of ``module`` (or the module itself when it has none)."""
    if module is None:
        return []
    names = {p: name for name, p in module.named_parameters()} if hasattr(module, "named_parameters") else {}
    units = []
    for _, layer in _model._layers(module):
        for unit in _model._units(layer):
            paths = [names[p].split(".") for p in unit.parameters() if p in names]
            prefix = paths[0] if paths else []
            for path in paths[1:]:  # "layers.0.neurons.3" is what its w.0, w.1 and b share
                prefix = prefix[: next((i for i, (a, b) in enumerate(zip(prefix, path)) if a != b), len(prefix))]
            if len(paths) == 1:
                prefix = prefix[:-1]
            name = ".".join(prefix) or type(unit).__name__
            weights = getattr(unit, "w", None)
            if isinstance(weights, (list, tuple)):
                activation = _model._activation(unit) or "linear"
                about = f"neuron: {len(weights)} input{'s' if len(weights) != 1 else ''}, {activation}"
            else:
                about = f"{len(unit.parameters())} parameters"
            units.append((name, about, unit))
    return units


def _view(
    root: Value,
    ids: dict[Value, str],
    params: Any,
    units: list[tuple[str, str, Any]],
    opened: int | None,
    max_nodes: int | None,
    widest: dict[Value, float],
    names: dict[str, str],
    options: dict[str, Any],
    groups: dict[str, Any],
    digits: int,
) -> dict[str, Any]:
    """One way of drawing the graph: every unit folded but ``opened``; its SVG and where folded Values went."""
    folding = [u for u in range(len(units)) if u != opened]
    shim = _Units([units[u][2] for u in folding]) if folding else None
    if shim is None and units:
        params = params if params != () else [p for _, _, unit in units for p in unit.parameters()]
    model = _model.build([root], params=params, module=shim, max_nodes=max_nodes, grads=widest)
    rename = {f"layer{g}": f"n{u}" for g, u in enumerate(folding)}
    for box in model.boxes:
        box.id = rename.get(box.id, box.id)
    for edge in model.edges:
        edge.source, edge.target = rename.get(edge.source, edge.source), rename.get(edge.target, edge.target)
    model.roots = [rename.get(r, r) for r in model.roots]
    folded = {value: rename.get(box, box) for value, box in model.folded.items() if value.startswith("v")}

    found: dict[str, Any] = {}
    for box in model.boxes:
        if box.kind == "layer":
            name, about, unit = units[int(box.id[1:])]
            members = sorted((v for v, b in folded.items() if b == box.id), key=lambda v: int(v[1:]))
            member_set = set(members)
            unit_params = [ids[p] for p in unit.parameters() if ids.get(p) in member_set]
            box.label, box.details = name, [about]
            shown = [abs(widest[p]) for p in unit.parameters() if p in widest]
            box.grad = max(shown, key=lambda g: len(number(g, digits))) if shown else None
            found[box.id] = {"label": name, "about": about, "members": members, "params": unit_params}
        elif box.value is not None and not box.label and box.kind != "constant":
            box.label = names[box.id]  # so that the caption's t3 can be found in the picture
    # a Value whose uses lie far apart is drawn again near them (model.spread_uses): without it, one
    # variable feeding hundreds of ops takes Graphviz minutes to lay out
    model = _model.spread_uses(model)
    dot = _draw(model, color_by_grad=False, **options)
    if opened is not None:
        drawn = {box.id for box in model.boxes}
        key = f"n{opened}"
        info = groups.get(key, {})
        with dot.subgraph(name=f"cluster_{key}") as cluster:
            cluster.attr(
                label=f"{units[opened][0]} (click here to fold it)",
                style="rounded,dashed",
                color="#7048e8",
                fontcolor="#7048e8",
                fontsize="10",
            )
            for value_id in info.get("members", []):
                if value_id in drawn:
                    cluster.node(value_id)
                    if model.box(value_id).op:
                        cluster.node(f"{value_id}_op")
    svg = _compact(render(dot, "svg").decode("utf-8"))
    return {"svg": svg, "boxOf": folded, "groups": found}


_TITLED = re.compile(r'<g id="(?:node|clust)\d+" class="(node|cluster)">\n<title>([^<]*)</title>')
_TOOLTIP = re.compile(r'<g id="a_[^"]*"><a [^>]*>\n|</a>\n</g>\n')  # the page writes its own tooltips
_COMMENT = re.compile(r"<!--.*?-->\n")
_FONT = f' font-family="{FONT}"'  # set once, by the page's style sheet


def _compact(svg: str) -> str:
    """Graphviz's SVG as an element to put in the page: each node's and cluster's ``<g>`` given its DOT
    name as id, without the XML prolog, comments, link wrappers (whose tooltips would show the numbers
    the boxes were sized for, not the step's) or a font family repeated on every text."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = _COMMENT.sub("", _TOOLTIP.sub("", svg)).replace(_FONT, "")

    def named(match: re.Match[str]) -> str:
        kind, title = match.group(1), match.group(2)
        return f'<g id="{html.escape(html.unescape(title))}" class="{kind}">\n<title>{title}</title>'

    return _TITLED.sub(named, svg)


def _page(spec: dict[str, Any]) -> str:
    """The explorer's HTML page: its SVG views as templates, its data as JSON, the component and its boot."""
    data = dict(spec)
    views = data.pop("views")
    data["views"] = {key: {k: v for k, v in view.items() if k != "svg"} for key, view in views.items()}
    body = "\n".join(
        [
            '<main id="explorer" class="ag-page"></main>',
            *(pages.template(f"ag-view-{key}", view["svg"]) for key, view in views.items()),
            pages.json_script("ag-data", data),
        ]
    )
    return pages.document(spec["title"], body, assets=ASSETS, script=_BOOT)


_BOOT = """\
(function () {
  var spec = AutogradPages.data("ag-data");
  Object.keys(spec.views).forEach(function (key) {
    spec.views[key].svg = document.getElementById("ag-view-" + key).innerHTML;
  });
  var explorer = AutogradExplorer.mount(document.getElementById("explorer"), spec);
  AutogradPages.expose(explorer.api);
})();"""
