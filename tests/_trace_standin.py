"""A stand-in for autograd.trace_backward, written to its contract, until it lands on main.

Delete this file when main has ``autograd.trace_backward`` (tests import it from there first).
"""

from dataclasses import dataclass

from autograd import Value
from autograd.engine import topological_order
from autograd.ops import OPS
from autograd.symbolic import Symbol


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
    shares: tuple


def _formula(op, slot):
    names = ("x", "y")[: OPS[op].arity]
    return str(OPS[op].grads[slot](Symbol("g"), *map(Symbol, names), Symbol("out")))


def trace_backward(root):
    order = topological_order(root)
    held = [node.grad for node in order]
    try:
        root.backward()  # raises as backward() does
    finally:
        for node, grad in zip(order, held):
            node.grad = grad
    grads = {root: 1.0}
    steps = []
    for node in reversed(order):
        if not node.children:
            continue
        g = grads[node]
        inputs = [child.data for child in node.children]
        shares = []
        for slot, child in enumerate(node.children):
            if child.requires_grad:
                formula = OPS[node.op].grads[slot]
                share = formula(g, *inputs, node.data)
                local = formula(1.0, *inputs, node.data)
                grads[child] = share if child not in grads else grads[child] + share
                shares.append(Share(child, slot, local, share, _formula(node.op, slot)))
        steps.append(BackwardStep(node, g, tuple(shares)))
    return steps
