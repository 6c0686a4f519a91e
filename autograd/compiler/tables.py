"""What compile() knows of each op: how its forward is written, the inputs it could hide an inf
in, and which of x, y, out its gradient formulas read; learnt on first use for an op added at run
time (``defop``).

The tables are mutable (``_user_op`` adds to them), and exist here alone: the other modules import
them and never rebind them, so that what is learnt is seen everywhere. (A loop that calls a method
of one binds it first: CPython 3.11 compiles ``_HIDING.get(op)`` on an imported name as an attribute
read, a new bound method at every call.)"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..errors import TraceError
from ..ops import OPS
from ..symbolic import PRODUCT, SUM, Symbol
from ..value import Value

# How each op's forward is written in the generated code: an operator, or a call to the very
# function the engine runs (bound under this name in the code's namespace).
_INFIX = {"+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT}  # the precedence of each
_FORWARD_NAMES = {
    "max": "max",
    "**": "power",
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "abs": "fabs",
    "sin": "sin",
    "cos": "cos",
    "sign": "signum",
}

# Ops whose result can be finite although an input is inf or NaN (relu(-inf) is 0, 1 / inf is 0):
# the inputs they are given (those slots) are checked, so that no overflow is hidden.
_HIDING = {
    "/": (1,),
    "**": (0, 1),
    "max": (0, 1),
    "relu": (0,),
    "tanh": (0,),
    "sigmoid": (0,),
    "exp": (0,),
    "sign": (0,),
}


def _formula_uses() -> tuple[dict[str, list[tuple[int, ...]]], set[str]]:
    """For each op and input slot, which of x, y, out (0, 1, 2) its gradient formula reads; and
    the ops with a formula that reads g twice (its g is then named, not written out twice)."""
    reads, twice = {}, set()
    for name, op in OPS.items():
        inputs = ("x", "y")[: op.arity]
        slot_of = {**{a: k for k, a in enumerate(inputs)}, "out": 2}
        per_slot = []
        for formula in op.grads:
            text = str(formula(Symbol("g"), *map(Symbol, inputs), Symbol("out")))
            per_slot.append(tuple(k for a, k in slot_of.items() if _mentions(text, a)))
            if len(re.findall(r"\bg\b", text)) > 1:
                twice.add(name)
        reads[name] = per_slot
    return reads, twice


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{name}\b", text) is not None


_READS, _G_TWICE = _formula_uses()
_BUILT_IN = frozenset(OPS)


_LEARNT: dict[str, Any] = {}  # for each op added at run time, the row what is known of it was learnt from


def _user_op(op: str) -> None:
    """Learn, on first use, what compile() needs of an op added at run time (``defop``), or refuse it.

    What is learnt is kept with the row it came from: an op taken out of the table and defined
    again under its name (with other formulas) is learnt again, not compiled with the old ones."""
    row = OPS[op]
    if _LEARNT.get(op) is row:
        return
    if row.layer is not None:
        raise TraceError(
            f"compile() cannot go through {op!r}: it comes from the layer class {row.layer.__name__}, whose "
            "backward works on numbers only; write its formulas with autograd.defop to compile it"
        )
    inputs = ("x", "y")[: row.arity]
    slot_of = {**{a: k for k, a in enumerate(inputs)}, "out": 2}
    per_slot = []
    twice = False
    for slot, formula in enumerate(row.grads):
        try:
            text = str(formula(Symbol("g"), *map(Symbol, inputs), Symbol("out")))
        except Exception as error:
            raise TraceError(
                f"compile() cannot write out the gradient formula of {op!r} for input {slot}: it branches on the "
                f"numbers (or calls something other than operators and autograd.ops helpers): {error}"
            ) from None
        per_slot.append(tuple(k for a, k in slot_of.items() if _mentions(text, a)))
        twice = twice or len(re.findall(r"\bg\b", text)) > 1
    if twice:
        _G_TWICE.add(op)
    else:
        _G_TWICE.discard(op)
    _READS[op] = per_slot
    _FORWARD_NAMES[op] = "op_" + re.sub(r"\W", "_", unicodedata.normalize("NFKC", op)) + f"_{len(_FORWARD_NAMES)}"
    _HIDING[op] = tuple(range(row.arity))  # unknown: check every input, so that no inf hides
    _LEARNT[op] = row


def _user_ops(nodes: Iterable[Value]) -> None:
    """Refuse what tracing cannot follow (a layer op, a hooked Value) and learn the user ops."""
    from .. import hooks

    nodes = list(nodes)
    for op in set(map(operator.attrgetter("op"), nodes)) - _BUILT_IN - {""}:
        _user_op(op)
    for node in nodes if hooks.live else ():
        if hooks.of(node):
            raise TraceError(
                f"compile() does not call hooks: {node!r} has {len(hooks.of(node))} hook(s) registered; remove "
                "them (handle.remove()) before compiling, or run the function on the engine"
            )
