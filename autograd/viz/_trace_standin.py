"""TEMPORARY stand-in for ``autograd.trace_backward`` (being written on main): delete on merging main.

Written against the contract only: one step per inner node in backward's order, each share
the float backward adds, ``local`` the formula at g = 1.0, ``formula`` its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine import Value, topological_order
from ..errors import error_class
from ..ops import OPS
from ..symbolic import Symbol


@dataclass(frozen=True)
class Share:
    input: Value
    slot: int
    local: float
    share: float
    formula: str


@dataclass(frozen=True)
class BackwardStep:
    node: Value
    grad: float
    shares: tuple[Share, ...]


_NAMES = {1: ("x",), 2: ("x", "y")}


def trace_backward(root: Value) -> list[BackwardStep]:
    if not root.requires_grad:
        raise ValueError(f"trace_backward needs a Value that requires grad, but {root!r} is a constant")
    grads: dict[Value, Any] = {root: 1.0}
    trace = []
    for node in reversed(topological_order(root)):
        if not node.children:
            continue
        g = grads[node]
        formulas = OPS[node.op].grads
        inputs = [child.data for child in node.children]
        shares = []
        for slot, (child, formula) in enumerate(zip(node.children, formulas)):
            if not child.requires_grad:
                continue
            try:
                share = float(formula(g, *inputs, node.data))
                local = float(formula(1.0, *inputs, node.data))
            except (ValueError, ArithmeticError) as cause:
                shown = ", ".join(repr(x) for x in inputs)
                message = f"the gradient of {node.op!r} at {shown} is not finite: {cause}"
                raise error_class(cause)(message, node.op, tuple(inputs)) from None
            total = share if child not in grads else grads[child] + share
            if total != total or total in (float("inf"), float("-inf")):
                raise error_class(OverflowError())(f"the gradient of {node.op!r} overflows", node.op, tuple(inputs))
            grads[child] = total
            source = str(formula(Symbol("g"), *map(Symbol, _NAMES[len(formulas)]), Symbol("out")))
            shares.append(Share(child, slot, local, share, source))
        trace.append(BackwardStep(node, g, tuple(shares)))
    return trace
