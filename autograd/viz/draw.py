"""draw_dot: a Value graph as a ``graphviz.Digraph``, one record per Value and a small node per op.

Only DOT text is built here; ``render.py`` turns it into pictures. Everything is written in the
model's order with the model's ids, so the same graph always gives the same DOT.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, NamedTuple

import graphviz

from ..engine import Value
from . import model as _model
from .render import FONT, render

DEFAULT_MAX_NODES = 300  # beyond this, a summary box: Graphviz lays out a few hundred nodes in about a second
RANKDIRS = ("LR", "RL", "TB", "BT")

# Fill colours by kind (highlight=True), and nine steps from white to dark red for |grad|.
KIND_COLORS = {
    "input": "#cfe2ff",
    "parameter": "#ffe08a",
    "constant": "#e9ecef",
    "intermediate": "#ffffff",
    "output": "#c7f0d0",
    "layer": "#e2d9f3",
    "summary": "#f1f3f5",
}
# The colour of a gradient: a symmetric log scale, red for positive, blue for negative, white for
# 0, its depth the place of log |grad| between the smallest and the largest |grad| shown (the
# smallest no less than GRAD_FLOOR times the largest), so that colours spread over the numbers
# there are and the same colour means the same number. The explorer's pages (explorer.js) and
# the pages' DOT writer (js/dot.js) use this very scale, locked for a whole backward pass.
GRAD_FLOOR = 1e-6
GRAD_RED, GRAD_BLUE = (178, 24, 43), (33, 102, 172)
GRAD_LIGHTEST = 0.15  # the depth of the smallest |grad|; the largest has 1
GRAD_WHITE_TEXT = 0.62  # from this depth on, text is white
FOCUS_COLOR = "#d6336c"


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose ``pipe``, ``render`` and Jupyter display go through
    ``autograd.viz.render``: the system ``dot`` when there is one, else Graphviz in WebAssembly."""

    caption: str = ""  # what a backward step did, for write_steps' page

    def pipe(  # type: ignore[override]
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> bytes | str:
        """The rendered graph as bytes (a str when ``encoding=`` is given)."""
        if renderer or formatter:  # a Graphviz plugin choice only the system dot can honour
            return super().pipe(format, renderer, formatter, *args, **kwargs)
        encoding = kwargs.get("encoding")
        data = render(self, format or self.format)
        return data.decode(encoding) if encoding else data

    def render(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *args: Any,
        outfile: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> str:
        """Save the DOT source as ``filename`` and the picture as ``filename.<format>``; returns the
        picture's path. As ``graphviz.Digraph.render``, without needing a system Graphviz."""
        if args or kwargs.get("renderer") or kwargs.get("formatter"):
            return super().render(filename, directory, view, cleanup, format, *args, outfile=outfile, **kwargs)
        if outfile is not None and format is None:
            format = os.path.splitext(os.fspath(outfile))[1].lstrip(".") or None
        format = format or self.format
        source_path = self.save(filename, directory=directory)
        target = os.fspath(outfile) if outfile is not None else f"{source_path}.{format}"
        data = render(self, format)
        with open(target, "wb") as file:
            file.write(data)
        if cleanup:
            os.remove(source_path)
        if view:
            graphviz.view(target)
        return target


def draw_dot(
    root: Value | Sequence[Value] | Any,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    color_by_grad: bool = False,
    highlight: bool = False,
    params: Iterable[Value] | Any = (),
    module: Any = None,
    digits: int = 4,
    format: str = "svg",
    legend: bool | None = None,
) -> Diagram:
    """The graph behind ``root`` as a ``graphviz.Digraph`` (a ``Diagram``); draws, renders nothing.

    Each Value is a record of its label, data and grad; each op a small node between its
    inputs and its result, with an edge per operand (``x * x`` has two).

    - ``root``: a Value, several Values (all drawn as outputs), or an ``autograd.nn`` Module,
      which is then called on inputs ``x0, x1, ...`` and drawn with its layers folded.
    - ``rankdir``: ``"LR"`` (inputs left), ``"TB"``, ``"RL"`` or ``"BT"``.
    - ``show_grad``: show ``.grad`` in each record.
    - ``max_nodes``: draw at most this many boxes, nearest the output first; the rest become one
      summary box saying how many are hidden. ``None`` draws everything.
    - ``color_by_grad``: fill each box by its gradient: red for positive, blue for negative,
      darkest for the largest |grad|, on a log scale between the smallest and the largest shown
      (``grad_scale``), the scale the explorer's pages use.
    - ``highlight``: fill by kind: inputs, parameters (those in ``params``, or ``module``'s),
      constants, intermediates, outputs. With ``color_by_grad`` too, the kind colours the border.
    - ``params``: the parameters, or a Module: its unlabelled parameters are then labelled with
      their names from ``named_parameters()`` (``layers.0.neurons.3.w.1``).
    - ``module``: fold the Values computed inside each layer of this module into one box.
    - ``digits``: significant digits of the numbers shown (``%.4g``); tooltips hold full precision.
    - ``format``: the format ``.render()`` and ``.pipe()`` use by default.
    - ``legend``: add a key of the colours (default: when ``highlight`` or ``color_by_grad``).
    """
    roots, module = _roots(root, module)
    return _draw(
        _model.spread_uses(_model.build(roots, params=params, module=module, max_nodes=max_nodes)),
        rankdir=rankdir,
        show_grad=show_grad,
        color_by_grad=color_by_grad,
        highlight=highlight,
        digits=digits,
        format=format,
        legend=legend,
    )


def graph_data(
    root: Value | Sequence[Value] | Any,
    *,
    max_nodes: int | None = None,
    params: Iterable[Value] | Any = (),
    module: Any = None,
    show_grad: bool = True,
) -> dict[str, Any]:
    """The graph behind ``root`` as JSON-ready dicts: ``{"nodes": [...], "edges": [...], "roots": [...]}``.

    A node has ``id`` (as in ``draw_dot``), ``kind``, ``label``, ``data``, ``grad`` and ``op``
    (``''`` for a leaf); an edge ``from``, ``to`` and ``operand`` (its position among the op's
    inputs). Options mean what they mean for ``draw_dot``; by default every node is listed, and
    with ``show_grad=False`` every ``grad`` is None.
    """
    roots, module = _roots(root, module)
    model = _model.build(roots, params=params, module=module, max_nodes=max_nodes)
    if not show_grad:
        for box in model.boxes:
            box.grad = None
    return _model.as_json(model)


def _roots(root: Any, module: Any) -> tuple[list[Value], Any]:
    """The Values to draw from, and the module to fold (a Module given as root is run on x0, x1, ...)."""
    if isinstance(root, Value):
        return [root], module
    if hasattr(root, "parameters") and callable(root):
        nin = _inputs_of(root)
        out = root([Value(0.0, label=f"x{i}") for i in range(nin)])
        return (list(out) if isinstance(out, (list, tuple)) else [out]), root if module is None else module
    if isinstance(root, (list, tuple)) and root and all(isinstance(r, Value) for r in root):
        return list(root), module
    raise TypeError(f"draw_dot expects a Value, a list of Values or an nn Module, got {root!r} ({type(root).__name__})")


def _inputs_of(module: Any) -> int:
    """How many inputs a module takes: the weights of its first neuron."""
    node = module
    for attribute in ("layers", "neurons"):
        parts = getattr(node, attribute, None)
        if parts:
            node = parts[0]
    if not hasattr(node, "w"):
        neurons = getattr(node, "neurons", None)
        node = neurons[0] if neurons else node
    weights = getattr(node, "w", None)
    if not weights:
        raise TypeError(f"cannot tell how many inputs {module!r} takes: pass its output Value with module=")
    return len(weights)


# ----------------------------------------------------------------------------- DOT


class Element(NamedTuple):
    """One node or edge of the DOT, as plain data: ``id`` names it (and its group in an SVG, when
    drawn with ``ids=True``); an edge has ``edge=(tail, head)``, a node is named by its ``id``."""

    id: str
    attrs: dict[str, str]
    edge: tuple[str, str] | None = None


@dataclass(frozen=True)
class Style:
    """The drawing options that decide how each box looks (see ``draw_dot``)."""

    show_grad: bool = True
    color_by_grad: bool = False
    highlight: bool = False
    digits: int = 4
    horizontal: bool = True


def _draw(
    model: _model.Model,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    color_by_grad: bool = False,
    highlight: bool = False,
    digits: int = 4,
    format: str = "svg",
    legend: bool | None = None,
    focus: Sequence[str] = (),
    caption: str = "",
    ids: bool = False,
) -> Diagram:
    """The DOT of a model; ``focus`` ids are outlined: the node of a backward step (first, with its
    op and the edges into it) and the inputs it passed gradients to. ``ids``: give every node and
    edge its element id, which the SVG keeps, and the key a width that fits any number (for
    frames that share one layout)."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    if not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an int from 1 to 17, got {digits!r}")
    style = Style(show_grad, color_by_grad, highlight, digits, rankdir in ("LR", "RL"))
    dot = Diagram(name="autograd", format=format)
    dot.attr(rankdir=rankdir, fontname=FONT, fontsize="11")
    if caption:
        dot.attr(label=caption.replace("\\", "\\\\"), labelloc="t", labeljust="l")  # its backslashes as written
        dot.caption = caption
    dot.attr("node", fontname=FONT, fontsize="11")
    dot.attr("edge", arrowsize="0.7", fontname=FONT, fontsize="10")
    scale = grad_scale(b.grad for b in model.boxes)
    lead = focus[0] if focus else None
    for element in elements(model, style, scale, set(focus), lead):
        attrs = {**element.attrs, "id": element.id} if ids else element.attrs
        if element.edge is None:
            dot.node(element.id, **attrs)
        else:
            dot.edge(*element.edge, **attrs)
    if legend if legend is not None else highlight or color_by_grad:
        used = {box.kind for box in model.boxes}
        kinds = [kind for kind in _model.KINDS if kind in used] if highlight else []
        signs = {math.copysign(1.0, b.grad) for b in model.boxes if b.grad and math.isfinite(b.grad)}
        key = (scale, sorted(signs, reverse=True)) if color_by_grad else None
        rows = legend_elements(kinds, key, digits, style.horizontal, steady=ids)
        _legend(dot, [row._replace(attrs={**row.attrs, "id": row.id}) for row in rows] if ids else rows)
    return dot


def largest_grad(model: _model.Model) -> float:
    """The largest finite |grad| shown in ``model`` (0 if none): the top of the colour scale."""
    return max((abs(b.grad) for b in model.boxes if b.grad is not None and math.isfinite(b.grad)), default=0.0)


Scale = tuple[float, float] | None


def grad_scale(grads: Iterable[float | None]) -> Scale:
    """``(low, high)``: the range of the colour scale over ``grads`` (None and non-finite ones left
    out), ``high`` the largest |grad|, ``low`` the smallest non-zero one, at least GRAD_FLOOR * high;
    None if every one is 0."""
    sizes = [abs(g) for g in grads if g is not None and math.isfinite(g) and g != 0.0]
    if not sizes:
        return None
    high = max(sizes)
    return max(min(sizes), high * GRAD_FLOOR), high


def grad_depth(scale: Scale, grad: float | None) -> float:
    """How deep the colour of ``grad`` is on ``scale``: 0 for 0 (white), GRAD_LIGHTEST to 1 on the scale."""
    if scale is None or grad is None or not math.isfinite(grad) or grad == 0.0:
        return 0.0
    low, high = scale
    if high == low:
        return 1.0
    t = (math.log(abs(grad)) - math.log(low)) / (math.log(high) - math.log(low))
    return GRAD_LIGHTEST + (1 - GRAD_LIGHTEST) * max(0.0, min(1.0, t))


def grad_fill(scale: Scale, grad: float | None) -> tuple[str, bool]:
    """The fill of ``grad`` on ``scale`` as ``#rrggbb``, and whether text on it is white."""
    t = grad_depth(scale, grad)
    ink = GRAD_BLUE if grad is not None and grad < 0 else GRAD_RED
    rgb = [math.floor(255 + (c - 255) * t + 0.5) for c in ink]
    return "#{:02x}{:02x}{:02x}".format(*rgb), t > GRAD_WHITE_TEXT


def elements(
    model: _model.Model, style: Style, scale: Scale, focus: Set[str] = frozenset(), lead: str | None = None
) -> Iterator[Element]:
    """Every node and edge of ``model``'s DOT, in the order written: each box (after its op, and
    the edge from it), then the edges between boxes."""
    for box in model.boxes:
        yield from box_elements(box, style, scale, box.id in focus or box.copy_of in focus, box.id == lead)
    has_op = {box.id for box in model.boxes if box.op}
    for k, edge in enumerate(model.edges):
        yield edge_element(k, edge, has_op, edge.target == lead)


def box_elements(box: _model.Box, style: Style, scale: Scale, focused: bool, lead: bool) -> list[Element]:
    """The DOT of one box: its op node and the edge from it (if it has an op), then its record.
    ``focused`` outlines it; ``lead`` marks it as the node whose backward step is shown."""
    attrs = _box_attrs(box, style.show_grad, style.digits, style.horizontal)
    fill = KIND_COLORS[box.kind] if style.highlight else "#ffffff"
    if style.color_by_grad and box.kind != "summary":
        fill, font = _grad_color(box.grad, scale)
        attrs["fontcolor"] = font
        if style.highlight:
            attrs.update(color=_darker(KIND_COLORS[box.kind]), penwidth="2.5")
    attrs.update(style=attrs.get("style", "filled"), fillcolor=fill)
    if box.copy_of:  # the same Value again, near uses far from where it is made
        attrs.update(shape="Mrecord", style="filled,dashed", tooltip=f"{attrs['tooltip']} (drawn again here)")
    if focused:
        attrs.update(color=FOCUS_COLOR, penwidth="3")
    if not box.op:
        return [Element(box.id, attrs)]
    op_attrs = {"label": box.op, "shape": "circle", "width": "0.3", "margin": "0.02", "fontsize": "10"}
    op_attrs["ordering"] = "in"
    if lead:
        op_attrs.update(color=FOCUS_COLOR, penwidth="3", fontcolor=FOCUS_COLOR)
    op = _op_id(box.id)
    return [
        Element(op, op_attrs),
        Element(box.id, attrs),
        Element(f"{op}:{box.id}", {"color": FOCUS_COLOR, "penwidth": "2"} if lead else {}, (op, box.id)),
    ]


def edge_element(k: int, edge: _model.Edge, has_op: Set[str], lead: bool) -> Element:
    """The DOT of the ``k``-th edge between boxes, into the op of its target if it has one;
    ``lead``: its target is the node whose backward step is shown."""
    attrs = {}
    if edge.count > 1:
        attrs["label"] = f"×{edge.count:,}"
    if edge.source == "hidden":
        attrs["style"] = "dashed"
    if lead:
        attrs.update(color=FOCUS_COLOR, penwidth="2")
    return Element(f"e{k}", attrs, (edge.source, _op_id(edge.target) if edge.target in has_op else edge.target))


def _op_id(box_id: str) -> str:
    return f"{box_id}_op"


def _box_attrs(box: _model.Box, show_grad: bool, digits: int, horizontal: bool) -> dict[str, str]:
    """Shape, label and tooltip of one box."""
    if box.kind == "summary":
        text = "\\n".join(line.replace("\\", "\\\\") for line in [box.label, *box.details])
        return {"shape": "box", "style": "filled,dashed,rounded", "label": text, "tooltip": box.label}
    fields = []
    if box.label:
        fields.append(_escape(box.label))
    if box.kind == "layer":
        fields += [_escape(line) for line in box.details]
        if show_grad:  # "?" in a backward step that has not reached the layer yet
            fields.append("max \\|grad\\| " + ("?" if box.grad is None else number(box.grad, digits)))
        tooltip = f"{box.label}: {', '.join(box.details)}; {box.members} Values folded"
        label = " | ".join(fields)
        label = "{" + label + "}" if horizontal else label
        return {"shape": "record", "style": "filled,rounded", "label": label, "tooltip": tooltip}
    assert box.data is not None
    fields.append(f"data {number(box.data, digits)}")
    if show_grad and box.kind != "constant":  # a constant has no gradient
        fields.append("grad " + ("?" if box.grad is None else number(box.grad, digits)))
    label = " | ".join(fields)
    tooltip = f"{box.kind} {box.label!r}: data={box.data!r}" if box.label else f"{box.kind}: data={box.data!r}"
    if box.grad is not None:
        tooltip += f", grad={box.grad!r}"
    attrs = {"shape": "record", "label": "{" + label + "}" if horizontal else label, "tooltip": tooltip}
    if box.kind == "constant":
        attrs["style"] = "filled,dashed"
    return attrs


def number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, as ``%g`` writes it (``2.2``, ``1.235e+06``; never ``-0``)."""
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def _escape(text: str) -> str:
    """``text`` as one field of a record label: its special characters taken literally."""
    for special in '\\{}|<>"':
        text = text.replace(special, "\\" + special)
    return text.replace("\n", "\\n")


def _grad_color(grad: float | None, scale: Scale) -> tuple[str, str]:
    """Fill and font colour for ``grad`` on the symmetric log scale of the diagram."""
    fill, white = grad_fill(scale, grad)
    return fill, "white" if white else "black"


def _darker(color: str) -> str:
    """A darker shade of ``#rrggbb``, for borders."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.55) for c in (r, g, b)))


def _legend(dot: Diagram, elements: Sequence[Element]) -> None:
    """The key, in a box of its own."""
    with dot.subgraph(name="cluster_legend") as key:
        key.attr(label="key", style="rounded,dashed", color="#adb5bd", fontsize="10", rank="same")
        for element in elements:
            key.node(element.id, **element.attrs)


def legend_elements(
    kinds: Sequence[str],
    scale: tuple[Scale, Sequence[float]] | None,
    digits: int,
    horizontal: bool,
    steady: bool = False,
) -> list[Element]:
    """The rows of the key: a swatch per kind shown, and the gradient colour scale: ``(scale, signs)``,
    three stops (largest, middle, smallest |grad|) for each sign shown (1.0, -1.0), or a 0 alone.
    ``steady``: make the scale's boxes wide enough for any number, so that frames can share a layout."""
    rows = [(f"legend_{kind}", KIND_COLORS[kind], "black", kind) for kind in kinds]
    if scale is not None:
        levels, signs = scale
        stops = [0.0]
        if levels is not None:
            low, high = levels
            sizes = [high] if high == low else [high, math.sqrt(high * low), low]
            stops = [sign * size for sign in signs for size in sizes]
        for k, level in enumerate(stops):
            rows.append((f"legend_grad{k}", *_grad_color(level, levels), f"grad {number(level, digits)}"))
    elements = []
    # one rank, stacked across the flow like a list (dot stacks a rank of LR bottom-up)
    for name, fill, font, text in reversed(rows) if horizontal else rows:
        attrs = {"label": text, "shape": "box", "style": "filled", "fillcolor": fill, "fontcolor": font}
        attrs.update(fontsize="9", height="0.25", margin="0.06,0.02")
        if steady and name.startswith("legend_grad"):
            # "|grad| " and the longest number %g writes: the digits, "-", ".", and "e-100"; in
            # inches, at 9 pt with DejaVu Sans's 0.64 em digits, plus the two margins
            attrs["width"] = f"{((7 + digits + 7) * 9 * 0.64 + 9) / 72:.2f}"
        elements.append(Element(name, attrs))
    return elements


def frame(
    model: _model.Model,
    options: Mapping[str, Any],
    focus: Sequence[str],
    caption: str,
) -> Diagram:
    """One frame of a backward walk-through: the model drawn with ``options``, ``focus`` outlined."""
    return _draw(model, focus=focus, caption=caption, **options)
