"""What a diagram shows, before any DOT is written: boxes, edges, and the transformations on them.

A Value graph becomes a ``Model``: one box per Value (ids ``v0, v1, ...`` in data-flow order, so
the same graph always gives the same ids), then optionally each layer of a module folded into one
box, then everything beyond ``max_nodes`` folded into one summary box.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
    return Box(box_id, kind, node.label, node.data, grad, node.op, node)


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
    return Box(box_id, "layer", name, None, grad, "", None, details, members)


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
