"""The chain rule at one node: each op's gradient formulas as a step function.

A step ``step(node, g)`` adds ``g * d node / d input`` into the ``.grad`` of each input of
``node`` that requires grad (a ``.grad`` of PENDING counts as "nothing yet"). Backward runs one
step per node, from the root down. The steps come in three kinds, all read from ``ops.OPS``:

- ``COMPILED``: on floats, each op's formulas written out as Python source and compiled,
  which is what every ordinary ``backward()`` runs (``print(step_source("tanh"))`` shows one);
- ``ON_VALUES``: the formulas called on Values, so gradients get graphs (``create_graph=True``);
- ``CHECKED``: the formulas called on floats, raising at the first gradient that is not finite.
"""

from __future__ import annotations

import linecache
import re
from collections.abc import Callable, Container, Sequence
from math import isfinite
from typing import TYPE_CHECKING, Any

from . import ops
from .ops import OPS, Formula
from .symbolic import Symbol

if TYPE_CHECKING:
    from .engine import Value

Step = Callable[["Value", Any], None]


class _Pending:
    """The ``.grad`` of a node during a backward pass before any share has reached it."""

    def __repr__(self) -> str:
        return "PENDING"


PENDING: Any = _Pending()  # the one instance; a pass never ends with a .grad left PENDING


def interpreted_step(
    formulas: Sequence[Formula], on_values: bool = False, check: bool = False, only: Container[Value] | None = None
) -> Step:
    """A step that calls the formulas themselves: on floats, or on Values when ``on_values``.

    With ``only``, inputs outside it get nothing (their formulas do not even run).
    """

    def step(node: Value, g: Any) -> None:
        children = node.children
        inputs = children if on_values else [child._data for child in children]
        out = node if on_values else node._data
        for child, formula in zip(children, formulas):
            if child.requires_grad and (only is None or child in only):
                share = formula(g, *inputs, out)
                child.grad = share if child.grad is PENDING else child.grad + share
                if check and not isfinite(child.grad):
                    raise OverflowError(f"it came to {child.grad!r}")

    return step


# Names in the compiled source: the upstream gradient, each input's node and number, the output.
_NODES = {1: ("a",), 2: ("a", "b")}
_NUMBERS = {1: ("x",), 2: ("x", "y")}


def step_source(name: str) -> str:
    """The Python source of the compiled step of op ``name``: its formulas, written out."""
    grads = OPS[name].grads
    nodes, numbers = _NODES[len(grads)], _NUMBERS[len(grads)]
    shares = [str(formula(Symbol("g"), *map(Symbol, numbers), Symbol("out"))) for formula in grads]
    used = [n for n in (*numbers, "out") if any(re.search(rf"\b{n}\b", share) for share in shares)]
    source_of = dict(zip(numbers, (f"{node}._data" for node in nodes)), out="node._data")
    inputs = ", ".join(("node._x", "node._y")[: len(nodes)])
    lines = [f"def step(node, g):  # backward through {name!r}", f"    {', '.join(nodes)} = {inputs}"]
    if used:
        lines.append(f"    {', '.join(used)} = {', '.join(source_of[n] for n in used)}")
    for node, share in zip(nodes, shares):
        lines += [
            f"    if {node}.requires_grad:",
            f"        share = {share}",
            f"        {node}.grad = share if {node}.grad is PENDING else {node}.grad + share",
        ]
    return "\n".join(lines) + "\n"


def compiled_step(name: str) -> Step:
    """The step of op ``name`` compiled from ``step_source(name)``."""
    source = step_source(name)
    filename = f"<autograd step {name!r}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for tracebacks
    namespace = dict(vars(ops), PENDING=PENDING)  # helpers such as sign() are the very ones the formulas call
    exec(compile(source, filename, "exec"), namespace)
    return namespace["step"]


COMPILED: dict[str, Step] = {name: compiled_step(name) for name in OPS}
ON_VALUES: dict[str, Step] = {name: interpreted_step(op.grads, on_values=True) for name, op in OPS.items()}
CHECKED: dict[str, Step] = {name: interpreted_step(op.grads, check=True) for name, op in OPS.items()}


def steps_for(on_values: bool = False, check: bool = False, only: Container[Value] | None = None) -> dict[str, Step]:
    """The steps of one pass: compiled, on Values, or checked; with ``only``, handing gradients
    only to the nodes in it (interpreted steps, built for this pass)."""
    if only is not None:
        return {name: interpreted_step(op.grads, on_values, check, only) for name, op in OPS.items()}
    return ON_VALUES if on_values else CHECKED if check else COMPILED
