"""trace_backward: the steps that ``root.backward()`` takes, recorded, for every view of a backward pass.

The explorer, the live view and ``viz.backward_steps`` read these steps, so that no page shows a
number the engine did not compute: each share is the very float backward adds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from . import steps
from .backward import run_pass, topological_order

if TYPE_CHECKING:
    from .value import Value


class Share(NamedTuple):
    """What one step hands to one input: ``share = formula(g, ...)``, the float backward adds."""

    input: Value
    slot: int  # 0 for x, 1 for y
    local: float  # d node / d input: the formula at g = 1
    share: float
    formula: str  # the op row's formula as source: "g * (1 - out * out)"


class BackwardStep(NamedTuple):
    """One node's turn in backward: its complete gradient ``grad`` (d root / d node) and its shares."""

    node: Value
    grad: float
    shares: tuple[Share, ...]

    @property
    def op(self) -> str:
        """The node's op."""
        return self.node.op


def trace_backward(root: Value) -> list[BackwardStep]:
    """The steps ``root.backward()`` takes, in its order, changing no ``.grad`` and running no hook.

    One step per node that hands a gradient on (leaves have none), each with one share per input
    that requires grad. The shares reaching a leaf, summed in step order, are the gradient one
    ``backward()`` gives it. Raises as backward() does for a gradient that is not finite.
    """
    from .value import Value

    if not isinstance(root, Value):
        raise TypeError(f"trace_backward expects a Value, got {root!r} ({type(root).__name__})")
    if not root.requires_grad:
        raise ValueError(
            f"trace_backward needs a Value that requires grad, but {root!r} is a constant "
            "(made from a number, under no_grad(), or by detach())"
        )
    record: list[tuple[Value, Any, list[tuple[Value, int, float, float]]]] = []
    run_pass(topological_order(root), 1.0, steps.recording(record))
    return [
        BackwardStep(
            node,
            g,
            tuple(
                Share(child, slot, local, share, steps.formula_source(node.op, slot))
                for child, slot, local, share in shares
            ),
        )
        for node, g, shares in record
    ]
