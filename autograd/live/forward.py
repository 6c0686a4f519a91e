"""The model's forward pass as straight-line JavaScript, for the live page's heatmaps and boundary.

The model is run once on inputs x0, x1, ... (Values), which records its graph; each node of it
is then written out with its op's forward as ``autograd.pages.jsgen`` spells it from the op
table, so the page computes what the engine computes (to the last bit where no elementary
function of JavaScript rounds differently). The same trace finds the neurons: a neuron's output
is the first Value that depends on all its parameters (then its activation), as the diagrams
fold them, and each weight's input is the other operand of the product it is in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..ops import OPS
from ..pages import jsgen
from ..value import Value
from ..viz import model as _model

__all__ = ["Traced", "trace_model"]


class Traced:
    """What one symbolic run of the model gave: the JavaScript, the network's drawing, the neurons."""

    def __init__(self, script: str, network: dict[str, Any] | None, forward: dict[str, Any]) -> None:
        self.script = script
        self.network = network
        self.forward = forward


def _outputs(result: Any) -> list[Value]:
    items = result if isinstance(result, (list, tuple)) else [result]
    if not items or not all(isinstance(v, Value) for v in items):
        raise TypeError(f"Live: the model must return a Value or a list of Values for one example, got {result!r}")
    return list(items)


def _neurons(model: Any) -> list[tuple[int, int, Any]]:
    """(layer, position, neuron) of every neuron of a model made of layers of neurons (micrograd's shape)."""
    found = []
    for layer_index, (_, layer) in enumerate(_model._layers(model)):
        for position, unit in enumerate(_model._units(layer)):
            if isinstance(getattr(unit, "w", None), (list, tuple)) and isinstance(getattr(unit, "b", None), Value):
                found.append((layer_index, position, unit))
            else:
                return []  # not a network of neurons: no Playground-style drawing
    return found


def trace_model(model: Any, dim: int, param_index: dict[Value, int], names: Sequence[str]) -> Traced:
    """Run ``model`` once on ``dim`` symbolic inputs and write its forward pass as JavaScript."""
    xs = [Value(0.0, label=f"x{i}") for i in range(dim)]
    outputs = _outputs(model(xs))
    order = _model.walk(outputs)
    index = {node: i for i, node in enumerate(order)}
    parents: list[list[int]] = [[] for _ in order]
    for i, node in enumerate(order):
        for child in node.children:
            parents[index[child]].append(i)
    input_of = {x: i for i, x in enumerate(xs)}

    # the neurons' outputs: the first Value that depends on all of a neuron's parameters, then its activation
    units = _neurons(model)
    bit = {}
    for _, _, unit in units:
        for p in unit.parameters():
            bit.setdefault(p, 1 << len(bit))
    depends = [0] * len(order)
    for i, node in enumerate(order):
        mask = bit.get(node, 0)
        for child in node.children:
            mask |= depends[index[child]]
        depends[i] = mask
    neuron_ids: list[str] = []
    neuron_nodes: list[int] = []
    node_neuron: dict[int, str] = {}
    layers: list[list[dict[str, Any]]] = []
    for layer_index, position, unit in units:
        mask = 0
        for p in unit.parameters():
            mask |= bit[p]
        first = [
            i
            for i, node in enumerate(order)
            if depends[i] & mask == mask and not any(depends[index[c]] & mask == mask for c in node.children)
        ]
        if len(first) != 1:
            units = []  # the model does not use each neuron once: draw no network
            break
        out = first[0]
        activation = _model._activation(unit)
        if activation:
            after = [k for k in parents[out] if order[k].op == activation]
            if len(after) != 1:
                units = []
                break
            out = after[0]
        neuron_id = f"n{layer_index}.{position}"
        neuron_ids.append(neuron_id)
        neuron_nodes.append(out)
        node_neuron[out] = neuron_id
    if units:
        for (layer_index, _, unit), neuron_id in zip(units, neuron_ids):
            weights = []
            for w in unit.w:
                products = [k for k in parents[index[w]] if order[k].op == "*"] if w in index else []
                source = None
                if products:
                    other = [c for c in order[products[0]].children if c is not w]
                    if other and other[0] in input_of:
                        source = f"x{input_of[other[0]]}"
                    elif other:
                        source = node_neuron.get(index[other[0]])
                weights.append({"param": param_index.get(w), "from": source})
            name = names[param_index[unit.b]].rsplit(".", 1)[0] if unit.b in param_index else neuron_id
            while len(layers) <= layer_index:
                layers.append([])
            layers[layer_index].append(
                {
                    "name": name,
                    "id": neuron_id,
                    "activation": getattr(unit, "activation", None) or ("relu" if unit.nonlin else "linear"),
                    "weights": weights,
                    "bias": param_index.get(unit.b),
                }
            )
        network: dict[str, Any] | None = {"inputs": [f"x{i}" for i in range(dim)], "layers": layers}
    else:
        network, neuron_ids, neuron_nodes = None, [], []
    # every output of the model is a neuron, or gets an entry of its own
    output_slots = []
    for k, out in enumerate(outputs):
        i = index[out]
        if i in neuron_nodes:
            output_slots.append(neuron_nodes.index(i))
        else:
            neuron_ids.append(f"out{k}")
            neuron_nodes.append(i)
            output_slots.append(len(neuron_nodes) - 1)
    script = _script(order, input_of, param_index, neuron_nodes)
    return Traced(script, network, {"neurons": neuron_ids, "outputs": output_slots})


_NAME = re.compile(r"\b([xy])\b")


def _forward(op_name: str, args: list[str]) -> str:
    """The JavaScript of op ``op_name``'s forward on the argument expressions ``args``."""
    op = OPS[op_name]
    if op.forward in jsgen.FORWARDS:
        spelled = jsgen.FORWARDS[op.forward]
        return _NAME.sub(lambda m: args[0 if m.group(1) == "x" else 1], spelled)
    source = jsgen.forward_js(op_name, op)  # raises JSFormError, naming the op, when it has no JavaScript form
    return _NAME.sub(lambda m: args[0 if m.group(1) == "x" else 1], source)


def _script(order: list[Value], input_of: dict[Value, int], param_index: dict[Value, int], outs: list[int]) -> str:
    index = {node: i for i, node in enumerate(order)}
    lines = []
    names: dict[int, str] = {}
    for i, node in enumerate(order):
        if node in input_of:
            names[i] = f"x[{input_of[node]}]"
        elif node._x is None:
            if node in param_index:
                names[i] = f"p[{param_index[node]}]"
            else:  # a constant, or a Value the model reads that is not one of its parameters: baked in
                names[i] = f"({jsgen._literal(node.data).source})"
        else:
            args = [names[index[c]] for c in node.children]
            names[i] = f"v{i}"
            lines.append(f"    const v{i} = {_forward(node.op, args)};")
    body = "\n".join(lines)
    fill = "\n".join(f"    out[{k}] = {names[i]};" for k, i in enumerate(outs))
    helpers = ", ".join(
        f"{name} = H.{name}" for name in ("div", "pow", "math", "_relu", "_sigmoid", "_sign", "_pow", "_max", "_min")
    )
    return (
        "// generated by autograd.live from the model's graph and autograd.ops.OPS: do not edit\n"
        "(function () {\n"
        '  "use strict";\n'
        f"  var H = autogradEngine.helpers, {helpers};\n"
        "  window.AutogradLiveForward = function (x, p) {\n"
        f"    var out = new Float64Array({len(outs)});\n"
        f"{body}\n{fill}\n"
        "    return out;\n"
        "  };\n"
        "})();"
    )
