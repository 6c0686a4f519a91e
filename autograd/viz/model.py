"""What a diagram shows, before any DOT is written: boxes, edges, and the transformations on them.

A Value graph becomes a ``Model``: one box per Value (ids ``v0, v1, ...`` in data-flow order, so
the same graph always gives the same ids), then optionally each layer of a module folded into one
box, then everything beyond ``max_nodes`` folded into one summary box.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..engine import Value

# Kinds of box, in the order a legend lists them.
KINDS = ("input", "parameter", "constant", "intermediate", "output", "layer", "summary")


@dataclass
class Box:
    """One drawn node: a Value, a collapsed layer, or the summary of what is not shown."""

    id: str
    kind: str
    label: str = ""
    data: float | None = None
    grad: float | None = None  # None: no gradient to show (or not reached yet, in a backward step)
    op: str = ""  # the op that made this Value; drawn as a small node of its own
    value: Value | None = None
    details: list[str] = field(default_factory=list)  # extra lines for layer and summary boxes
    members: int = 1  # how many Values this box stands for
    copy_of: str = ""  # the id of the box this one repeats near some of its uses (see spread_uses)
    params: tuple[Value, ...] = ()  # a layer box's parameters, whose largest |grad| it shows


@dataclass
class Edge:
    """Data flowing from one box into another; ``operand`` is its position among the op's inputs."""

    source: str
    target: str
    operand: int | None = None  # None for an edge into or out of a folded box
    count: int = 1  # how many Value-to-Value edges a folded edge stands for


@dataclass
class Model:
    """Boxes in data-flow order (inputs first), edges in data-flow order, and the roots' ids."""

    boxes: list[Box]
    edges: list[Edge]
    roots: list[str]
    folded: dict[str, str] = field(default_factory=dict)  # id of a box folded away -> the box it went into

    def box(self, box_id: str) -> Box:
        return next(b for b in self.boxes if b.id == box_id)


def walk(roots: Sequence[Value]) -> list[Value]:
    """Every Value the roots depend on, constants included, each after its inputs (first operand first)."""
    # Iterative, because graphs can be a million nodes deep. Unlike engine.topological_order,
    # constants are kept: a diagram of x * 2 shows the 2.
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False) for root in reversed(roots)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
    return order


def build(
    roots: Sequence[Value],
    *,
    params: Iterable[Value] | Any = (),
    module: Any = None,
    max_nodes: int | None = None,
    grads: Mapping[Value, float | None] | None = None,
) -> Model:
    """The model of the graph behind ``roots``: kinds from ``params`` (Values, or a Module whose
    parameter names become the labels of unlabelled parameters), layers of ``module`` folded,
    at most ``max_nodes`` boxes; ``grads`` overrides the ``.grad`` shown (for backward steps)."""
    order = walk(roots)
    index = {node: i for i, node in enumerate(order)}
    # a module's parameters are named after where they live ("layers.0.neurons.3.w.1") unless labelled
    names = {p: name for name, p in params.named_parameters()} if hasattr(params, "named_parameters") else {}
    params = set(names) or set(params)
    if module is not None:
        params.update(module.parameters())
    root_set = set(roots)
    boxes = [_value_box(f"v{i}", node, params, root_set, grads) for i, node in enumerate(order)]
    for box, node in zip(boxes, order):
        box.label = box.label or names.get(node, "")
    edges = [
        Edge(f"v{index[child]}", f"v{i}", operand)
        for i, node in enumerate(order)
        for operand, child in enumerate(node.children)
    ]
    model = Model(boxes, edges, [f"v{index[root]}" for root in roots])
    if module is not None:
        model = fold_layers(model, order, module, grads)
    if max_nodes is not None and len(model.boxes) > max_nodes:
        model = fold_beyond(model, max_nodes)
    return model


def _value_box(
    box_id: str, node: Value, params: set[Value], roots: set[Value], grads: Mapping[Value, float | None] | None
) -> Box:
    if node in roots:
        kind = "output"
    elif node.children:
        kind = "intermediate"
    elif not node.requires_grad:
        kind = "constant"
    elif node in params:
        kind = "parameter"
    else:
        kind = "input"
    if not node.requires_grad:
        grad = None  # a constant has no gradient: backward never computes one
    elif grads is not None:
        grad = grads.get(node)
    else:
        grad = node.grad
    return Box(box_id, kind, label_of(node), node.data, grad, node.op, node)


def label_of(node: Value) -> str:
    """``node``'s label as text: a label set to a number or anything else is shown as ``str`` shows it."""
    label = node.label
    return label if isinstance(label, str) else "" if label is None else str(label)


# ----------------------------------------------------------------------------- folding layers


def fold_layers(model: Model, order: list[Value], module: Any, grads: Mapping[Value, float | None] | None) -> Model:
    """``model`` with the Values computed inside each layer of ``module`` folded into one box.

    A layer's Values are its parameters and everything on a path from them to one of its
    neurons' outputs (a neuron's output is the first Value that depends on all its parameters,
    then its ReLU if it has one). Inputs, and whatever is computed from the outputs (a loss),
    stay as they are.
    """
    groups = _layers(module)
    bit = {}  # parameter -> its bit in a Python int used as a bitset
    for _, layer in groups:
        for p in layer.parameters():
            bit.setdefault(p, 1 << len(bit))
    depends = [0] * len(order)  # bitset of the parameters each Value depends on
    index = {node: i for i, node in enumerate(order)}
    parents: list[list[int]] = [[] for _ in order]
    for i, node in enumerate(order):
        mask = bit.get(node, 0)
        for child in node.children:
            j = index[child]
            mask |= depends[j]
            parents[j].append(i)
        depends[i] = mask

    group_of: dict[int, int] = {}  # Value index -> group number
    for g, (_, layer) in enumerate(groups):
        for unit in _units(layer):
            mask = 0
            for p in unit.parameters():
                mask |= bit[p]
            if not mask:
                continue
            outputs = [
                i
                for i, node in enumerate(order)
                if depends[i] & mask == mask and not any(depends[index[c]] & mask == mask for c in node.children)
            ]
            if outputs and isinstance(getattr(unit, "w", None), (list, tuple)):
                # a neuron has one output, the first made: a later Value that also depends on all its
                # parameters is built from them elsewhere (an L2 term's running sum of p * p)
                outputs = outputs[:1]
            activation = _activation(unit)
            if activation:  # the neuron's activation is part of it
                outputs += [k for i in outputs for k in parents[i] if order[k].op == activation]
            stack = list(outputs)
            while stack:  # down from the outputs, through the Values that depend on this unit
                i = stack.pop()
                if i not in group_of and depends[i] & mask:
                    group_of[i] = g
                    stack.extend(index[c] for c in order[i].children)
    for i, node in enumerate(order):  # a constant used only inside one layer belongs to it
        if i not in group_of and not node.requires_grad and parents[i]:
            owners = {group_of.get(k) for k in parents[i]}
            if len(owners) == 1 and None not in owners:
                group_of[i] = owners.pop()

    box_of = {f"v{i}": f"layer{g}" for i, g in group_of.items()}
    members = [0] * len(groups)
    for g in group_of.values():
        members[g] += 1
    layer_boxes = iter(  # where the layers first appear, in the module's order
        _layer_box(f"layer{g}", *groups[g], members[g], grads) for g in range(len(groups)) if members[g]
    )
    boxes: list[Box] = []
    made: set[str] = set()
    for box in model.boxes:
        target = box_of.get(box.id)
        if target is None:
            boxes.append(box)
        elif target not in made:
            made.add(target)
            boxes.append(next(layer_boxes))
    folded = {value: box_of.get(box, box) for value, box in model.folded.items()}
    folded.update(box_of)
    return Model(boxes, _fold_edges(model.edges, box_of), [box_of.get(r, r) for r in model.roots], folded)


def _activation(unit: Any) -> str:
    """The op of a neuron's activation (``"relu"``, ``"tanh"``, ...), or ``""`` for a linear one."""
    activation = getattr(unit, "activation", None)
    if isinstance(activation, str):
        return "" if activation == "linear" else activation
    return "relu" if getattr(unit, "nonlin", False) else ""


def _layers(module: Any) -> list[tuple[str, Any]]:
    """The named groups a module folds into: an MLP's layers, or the module itself."""
    layers = getattr(module, "layers", None)
    if isinstance(layers, (list, tuple)) and layers and all(hasattr(layer, "parameters") for layer in layers):
        return [(f"Layer {i}", layer) for i, layer in enumerate(layers)]
    if not hasattr(module, "parameters"):
        raise TypeError(f"module= expects an autograd.nn Module, got {module!r} ({type(module).__name__})")
    return [(type(module).__name__, module)]


def _units(layer: Any) -> list[Any]:
    """The parts of a layer whose outputs can be found: its neurons, or the layer as one unit."""
    neurons = getattr(layer, "neurons", None)
    if isinstance(neurons, (list, tuple)) and neurons:
        return [unit for neuron in neurons for unit in _units(neuron)]
    return [layer]


def _layer_box(box_id: str, name: str, layer: Any, members: int, grads: Mapping[Value, Any] | None) -> Box:
    params = layer.parameters()
    details = []
    neurons = getattr(layer, "neurons", None)
    if neurons:
        nin = len(getattr(neurons[0], "w", ()))
        act = _activation(neurons[0])
        details.append(f"{nin} → {len(neurons)}, {'ReLU' if act == 'relu' else act or 'linear'}")
    details.append(f"{len(params)} parameters")
    shown = [grads.get(p) if grads is not None else p.grad for p in params]
    known = [abs(g) for g in shown if g is not None]
    grad = max(known) if known else None
    return Box(box_id, "layer", name, None, grad, "", None, details, members, params=tuple(params))


def set_grads(boxes: Iterable[Box], grads: Mapping[Value, float | None]) -> list[Box]:
    """Show ``grads`` in ``boxes``, as ``build(..., grads=grads)`` would; returns the boxes that changed."""
    touched = []
    for box in boxes:
        if box.kind == "layer":
            known = [abs(g) for g in (grads.get(p) for p in box.params) if g is not None]
            grad = max(known) if known else None
        elif box.value is not None and box.value.requires_grad:
            grad = grads.get(box.value)
        else:
            continue
        if grad is not box.grad and grad != box.grad:
            box.grad = grad
            touched.append(box)
    return touched


def boxes_showing(model: Model) -> dict[Value, list[Box]]:
    """Each Value and the boxes that show its gradient: its own, its copies, the layer it is a parameter of."""
    index: dict[Value, list[Box]] = {}
    for box in model.boxes:
        for value in box.params if box.kind == "layer" else () if box.value is None else (box.value,):
            index.setdefault(value, []).append(box)
    return index


def _fold_edges(edges: list[Edge], box_of: Mapping[str, str]) -> list[Edge]:
    """Edges between folded boxes: inside one box they vanish, parallel ones merge with a count."""
    kept: list[Edge] = []
    merged: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        source, target = box_of.get(edge.source, edge.source), box_of.get(edge.target, edge.target)
        if source == target and source != edge.source:
            continue
        if source == edge.source and target == edge.target:
            kept.append(edge)
            continue
        key = (source, target)
        if key in merged:
            merged[key].count += edge.count
        else:
            # an edge out of a folded box into a Value still enters that Value's op at its operand
            operand = edge.operand if target == edge.target else None
            merged[key] = Edge(source, target, operand, edge.count)
            kept.append(merged[key])
    return kept


# ----------------------------------------------------------------------------- the summary box


def fold_beyond(model: Model, max_nodes: int) -> Model:
    """``model`` cut to the ``max_nodes`` boxes nearest the roots, the rest folded into one summary box."""
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    inputs: dict[str, list[str]] = {}
    for edge in model.edges:
        inputs.setdefault(edge.target, []).append(edge.source)
    shown: dict[str, None] = dict.fromkeys(model.roots[:max_nodes])
    queue = list(shown)
    for box_id in queue:  # breadth first, from the outputs back towards the inputs
        if len(shown) >= max_nodes:
            break
        for source in inputs.get(box_id, ()):
            if source not in shown:
                shown[source] = None
                queue.append(source)
                if len(shown) >= max_nodes:
                    break
    hidden = [box for box in model.boxes if box.id not in shown]
    values = sum(box.members for box in hidden)
    summary = Box(
        "hidden",
        "summary",
        f"{values:,} more nodes not shown",
        details=[f"(max_nodes={max_nodes})"],
        members=values,
    )
    box_of = {box.id: summary.id for box in hidden}
    boxes = [summary] + [box for box in model.boxes if box.id in shown]
    edges = [edge for edge in _fold_edges(model.edges, box_of) if edge.target != summary.id]
    folded = {value: box_of.get(box, box) for value, box in model.folded.items()}
    folded.update(box_of)
    return Model(boxes, edges, [r for r in model.roots if r in shown], folded)


# ----------------------------------------------------------------------------- uses far apart

MAX_SPAN = 12
"""How many ranks of the drawing the uses of one box may spread over before it is drawn again."""


def spread_uses(model: Model, max_span: int = MAX_SPAN) -> Model:
    """``model`` with each box whose uses lie far apart drawn again, as a copy, near each group of them.

    In ``a + a + ... + a`` one box feeds every op of a long chain. Graphviz lays each edge out
    rank by rank, and hundreds of long edges out of one node make its layout take minutes
    (a sum of 100 terms took 19 to 45 s, with 250 more than 60 s). Here the uses of a box are
    sorted by where they would sit if every node were drawn as late as it can be; the box keeps
    the first group of uses within ``max_span`` ranks, and each later group gets a copy of its
    own (same fields, ``copy_of`` naming the original), so that no edge is long.
    """
    ranks = _late_ranks(model)
    if ranks is None:  # not a DAG (cannot happen for a Value graph): draw it as it is
        return model
    has_op = {box.id for box in model.boxes if box.op}

    def entry(edge: Edge) -> int:  # the rank at which an edge enters its target: its op node, if any
        return ranks[edge.target] - (1 if edge.target in has_op else 0)

    uses: dict[str, list[int]] = {}
    for k, edge in enumerate(model.edges):
        uses.setdefault(edge.source, []).append(k)
    source_of: dict[int, str] = {}  # edge index -> the copy it now leaves from
    copies_before: dict[str, list[Box]] = {}  # box id -> copies drawn just before it
    for box in model.boxes:
        edges = sorted(uses.get(box.id, ()), key=lambda k: entry(model.edges[k]))
        if len(edges) < 2 or entry(model.edges[edges[-1]]) - entry(model.edges[edges[0]]) <= max_span:
            continue
        start = entry(model.edges[edges[0]])
        copy: Box | None = None
        for k in edges:
            if entry(model.edges[k]) - start > max_span:
                start = entry(model.edges[k])
                copy = replace(box, id=f"{box.id}_copy{len(source_of) + 1}", op="", copy_of=box.id)
                copies_before.setdefault(model.edges[k].target, []).append(copy)
            if copy is not None:
                source_of[k] = copy.id
    if not source_of:
        return model
    boxes: list[Box] = []
    for box in model.boxes:
        boxes += copies_before.get(box.id, [])
        boxes.append(box)
    edges = [replace(edge, source=source_of[k]) if k in source_of else edge for k, edge in enumerate(model.edges)]
    return Model(boxes, edges, list(model.roots))


def _late_ranks(model: Model) -> dict[str, int] | None:
    """Each box's rank when every node sits as late as it can (outputs at 0, inputs negative);
    an op node takes a rank of its own, before its box. None if the edges have a cycle."""
    outgoing: dict[str, list[str]] = {box.id: [] for box in model.boxes}
    pending = dict.fromkeys(outgoing, 0)  # how many uses of each box are not ranked yet
    for edge in model.edges:
        outgoing[edge.source].append(edge.target)
        pending[edge.source] += 1
    has_op = {box.id for box in model.boxes if box.op}
    incoming: dict[str, list[str]] = {box_id: [] for box_id in outgoing}
    for edge in model.edges:
        incoming[edge.target].append(edge.source)
    ranks: dict[str, int] = {}
    ready = [box_id for box_id, count in pending.items() if count == 0]
    while ready:  # from the outputs back: a box's rank is just before its earliest use
        box_id = ready.pop()
        targets = outgoing[box_id]
        ranks[box_id] = min((ranks[t] - (2 if t in has_op else 1) for t in targets), default=0)
        for source in incoming[box_id]:
            pending[source] -= 1
            if pending[source] == 0:
                ready.append(source)
    return ranks if len(ranks) == len(outgoing) else None


# ----------------------------------------------------------------------------- JSON


def as_json(model: Model) -> dict[str, Any]:
    """The model as plain dicts, lists, strings and numbers (non-finite numbers as None)."""

    def number(x: float | None) -> float | None:
        return x if x is not None and math.isfinite(x) else None

    nodes = []
    for box in model.boxes:
        node: dict[str, Any] = {
            "id": box.id,
            "kind": box.kind,
            "label": box.label,
            "data": number(box.data),
            "grad": number(box.grad),
            "op": box.op,
        }
        if box.kind in ("layer", "summary"):
            node["details"] = list(box.details)
            node["values"] = box.members
        nodes.append(node)
    edges = []
    for edge in model.edges:
        item: dict[str, Any] = {"from": edge.source, "to": edge.target}
        if edge.operand is not None:
            item["operand"] = edge.operand
        if edge.count != 1:
            item["count"] = edge.count
        edges.append(item)
    return {"nodes": nodes, "edges": edges, "roots": list(model.roots)}
