"""The chain rule at one node: each op's gradient formulas as a step function.

A step hands ``g * d node / d input`` to each input of ``node``. The steps are read from
``ops.OPS`` and come in two stores:

- ``COMPILED``, ``step(node, g, pending)``: adds into the inputs' ``.grad`` (a ``.grad`` that is
  this pass's ``pending`` mark counts as "nothing yet"). Each op's formulas are written out as
  Python source and compiled (``print(step_source("tanh"))`` shows one). This is what an
  ordinary ``backward()`` runs: the hot path.
- ``FLOATS``, ``CHECKED``, ``ON_VALUES``, ``recording(...)``, ``step(node, g, grads)``: add into the
  dict ``grads``, which holds an entry (``PENDING`` before the first share) for exactly the nodes of
  the pass; an input without one gets nothing. Nothing on the nodes changes, so these passes need
  no undoing. The formulas are called on floats, on floats with a check that the result is finite
  (anomaly mode), on Values (``create_graph=True``), or on floats with each share recorded
  (``trace_backward``).

Each table builds the step of an op the first time it is asked for it, so an op added at run
time (``autograd.defop``) gets its steps like any row of ``ops.py``.
"""

from __future__ import annotations

import linecache
import re
from collections.abc import Callable, Sequence
from math import isfinite
from typing import TYPE_CHECKING, Any

from . import ops
from .ops import OPS, Formula
from .symbolic import Symbol

if TYPE_CHECKING:
    from .value import Value

Step = Callable[["Value", Any, Any], None]


class Pending:
    """A gradient that no share has reached yet: a ``.grad`` during a pass, or an entry of a pass's dict.

    ``backward()`` marks the nodes it walks with an instance of its own, so that a mark left behind by
    a pass that never finished cannot be taken for one of the next pass.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING: Any = Pending()  # the dict passes' "no share yet" (it never leaves their dict)


# ----------------------------------------------------------------------------- into .grad: backward's hot path

# Names in the compiled source: the upstream gradient, each input's node and number, the output.
_NODES = {1: ("a",), 2: ("a", "b")}
_NUMBERS = {1: ("x",), 2: ("x", "y")}


def step_source(name: str) -> str:
    """The Python source of the compiled step of op ``name``: its formulas, written out.

    Raises TypeError (or what the formula raises) if a formula cannot be written out, which is the
    case of one that branches on the numbers.
    """
    grads = OPS[name].grads
    nodes, numbers = _NODES[len(grads)], _NUMBERS[len(grads)]
    shares = [str(formula(Symbol("g"), *map(Symbol, numbers), Symbol("out"))) for formula in grads]
    used = [n for n in (*numbers, "out") if any(re.search(rf"\b{n}\b", share) for share in shares)]
    source_of = dict(zip(numbers, (f"{node}._data" for node in nodes)), out="node._data")
    inputs = ", ".join(("node._x", "node._y")[: len(nodes)])
    lines = [f"def step(node, g, pending):  # backward through {name!r}", f"    {', '.join(nodes)} = {inputs}"]
    if used:
        lines.append(f"    {', '.join(used)} = {', '.join(source_of[n] for n in used)}")
    for node, share in zip(nodes, shares):
        lines += [
            f"    if {node}.requires_grad:",
            f"        share = {share}",
            f"        {node}.grad = share if {node}.grad is pending else {node}.grad + share",
        ]
    return "\n".join(lines) + "\n"


def compiled_step(name: str) -> Step:
    """The step of op ``name`` compiled from ``step_source(name)``; for a formula that cannot be
    written out as source, a step that calls the formulas themselves."""
    if OPS[name].layer is not None:
        return layer_step(name, into_dict=False)
    try:
        source = step_source(name)
    except Exception:  # a user's formula that branches on numbers: it still runs on floats
        return _slot_step(OPS[name].grads)
    filename = f"<autograd step {name!r}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for tracebacks
    namespace = dict(vars(ops))  # helpers such as sign() are the very ones the formulas call
    exec(compile(source, filename, "exec"), namespace)
    return namespace["step"]


def _slot_step(formulas: Sequence[Formula]) -> Step:
    def step(node: Value, g: Any, pending: Any) -> None:
        children = node.children
        inputs = [child._data for child in children]
        for child, formula in zip(children, formulas):
            if child.requires_grad:
                share = formula(g, *inputs, node._data)
                child.grad = share if child.grad is pending else child.grad + share

    return step


# ----------------------------------------------------------------------------- into a dict: every other pass


def interpreted_step(formulas: Sequence[Formula], on_values: bool = False, check: bool = False) -> Step:
    """A dict-store step that calls the formulas themselves: on floats, or on Values when ``on_values``;
    with ``check``, a share or sum that is not finite raises OverflowError."""

    def step(node: Value, g: Any, grads: dict[Value, Any]) -> None:
        children = node.children
        inputs = children if on_values else [child._data for child in children]
        out = node if on_values else node._data
        for child, formula in zip(children, formulas):
            old = grads.get(child)
            if old is not None:  # the input is part of this pass
                share = formula(g, *inputs, out)
                total = share if old is PENDING else old + share
                if check and not isfinite(total):
                    raise OverflowError(f"it came to {total!r}")
                grads[child] = total

    return step


class _Table(dict):  # type: ignore[type-arg]
    """Steps by op name, each made on first use by ``make(name)``."""

    def __init__(self, make: Callable[[str], Step]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, name: str) -> Step:
        step = self[name] = self.make(name)
        return step


# backward's hot path looks a step up for every node: a plain dict, filled here and by ops.add (defop)
COMPILED: dict[str, Step] = {name: compiled_step(name) for name in OPS}


def _dict_steps(on_values: bool = False, check: bool = False) -> Callable[[str], Step]:
    def make(name: str) -> Step:
        if OPS[name].layer is not None:
            return layer_step(name, into_dict=True, on_values=on_values)
        return interpreted_step(OPS[name].grads, on_values=on_values, check=check)

    return make


FLOATS: dict[str, Step] = _Table(_dict_steps())
CHECKED: dict[str, Step] = _Table(_dict_steps(check=True))
ON_VALUES: dict[str, Step] = _Table(_dict_steps(on_values=True))


# ----------------------------------------------------------------------------- ops from layers (from_layer)


def layer_gradients(node: Value, g: Any) -> list[float]:
    """``node``'s layer's ``backward(g)``, one finite float per input (the layer is the one whose
    forward made this node)."""
    from .errors import OpDefinitionError

    layer = getattr(node, "_layer", None)
    if layer is None:
        raise OpDefinitionError(f"the {node.op!r} node has no layer: make it by calling the op from_layer returned")
    if type(g) is not float:
        raise OpDefinitionError(
            f"{node.op!r} comes from the layer class {type(layer).__name__}, whose backward works on numbers: it "
            "has first derivatives only, so create_graph=True (and compile()) cannot go through it; write its "
            "formulas with autograd.defop to differentiate it again"
        )
    result = layer.backward(g)
    douts = list(result) if isinstance(result, (tuple, list)) else [result]
    if len(douts) != len(node.children):
        raise OpDefinitionError(
            f"{type(layer).__name__}.backward returned {len(douts)} gradient(s) for {node.op!r}, whose forward takes "
            f"{len(node.children)} input(s): return one per input, in order"
        )
    numbers = [float(d) for d in douts]
    for d in numbers:
        if not isfinite(d):
            raise OverflowError(f"{type(layer).__name__}.backward gave {d!r}")
    return numbers


def layer_step(name: str, into_dict: bool, on_values: bool = False) -> Step:
    """The step of an op made by ``from_layer``: the node's own layer instance hands the shares on."""

    def step(node: Value, g: Any, store: Any) -> None:
        shares = layer_gradients(node, g)
        for child, share in zip(node.children, shares):
            if into_dict:
                old = store.get(child)
                if old is not None:
                    store[child] = share if old is PENDING else old + share
            elif child.requires_grad:
                child.grad = share if child.grad is store else child.grad + share

    return step


def formula_source(name: str, slot: int) -> str:
    """Op ``name``'s gradient formula for input ``slot`` as source text: ``"g * (1 - out * out)"``."""
    return _FORMULAS[name][slot]


def _formula_sources(name: str) -> list[str]:
    op = OPS[name]
    if op.layer is not None:
        return [f"{op.layer.__name__}.backward(dout)[{slot}]" for slot in range(op.arity)]
    grads = op.grads
    numbers = _NUMBERS[len(grads)]
    sources = []
    for formula in grads:
        try:
            sources.append(str(formula(Symbol("g"), *map(Symbol, numbers), Symbol("out"))))
        except Exception:  # branches on numbers: show what the row can say of itself
            sources.append(getattr(formula, "__name__", "formula") + "(" + ", ".join(("g", *numbers, "out")) + ")")
    return sources


_FORMULAS: dict[str, list[str]] = _Table(_formula_sources)  # type: ignore[assignment]


def recording(record: list[tuple[Value, Any, list[tuple[Value, int, float, float]]]]) -> dict[str, Step]:
    """Checked float steps that also append ``(node, g, [(input, slot, local, share), ...])`` to ``record``.

    ``local`` is the formula at ``g = 1.0`` (d node / d input); ``share`` is the very float the
    other steps add.
    """
    checked = CHECKED

    def make(name: str) -> Step:
        formulas = OPS[name].grads
        inner = checked[name]

        def step(node: Value, g: Any, grads: dict[Value, Any]) -> None:
            inner(node, g, grads)  # the pass itself, as anomaly mode runs it
            children = node.children
            if OPS[name].layer is not None:
                local, share = layer_gradients(node, 1.0), layer_gradients(node, g)
                record.append((node, g, [(c, k, local[k], share[k]) for k, c in enumerate(children) if c in grads]))
                return
            inputs = [child._data for child in children]
            out = node._data
            shares = [
                (child, slot, formulas[slot](1.0, *inputs, out), formulas[slot](g, *inputs, out))
                for slot, child in enumerate(children)
                if child in grads
            ]
            record.append((node, g, shares))

        return step

    return _Table(make)
