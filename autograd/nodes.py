"""Where a node is born: each op of the table as the function its operator runs, and the leaves.

A node with inputs is made by ``primitive(name)``'s bodies (or ``_moded``, while a mode is on) and
nowhere else; ``constant`` and ``_leaf`` make the nodes without. ``Value`` (``value.py``) spells
each op as an operator or a method; ``apply`` runs an op by its name. What the numbers of an op are
comes from ``ops.py``; the modes are ``modes.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import TYPE_CHECKING

from . import modes
from .convert import as_float
from .errors import forward_error, user_site
from .ops import OPS

if TYPE_CHECKING:
    from .value import Operand, Value
else:
    # The class is value.py's, and value.py's class body calls primitive() to spell its operators,
    # so this module is loaded first and cannot import it. value.py binds it here instead, on the
    # line after the class (`nodes.Value = Value`), before any node can be made; the bodies below
    # read it as a global of this module, as cheaply as a name defined here.
    Value = None

_busy = modes.busy  # the very set (never rebound): the hot path reads a global of its own module
_new = object.__new__


def primitive(name: str, reflected: bool = False, doc: str = "") -> Callable[..., Value]:
    """Op ``name`` of the table as a function of its inputs: what each operator method runs.

    The function takes ``x``, or ``x, y``, where ``x`` is a Value (the one whose method runs);
    ``reflected`` swaps them, for ``__radd__`` and friends: ``2 - v`` calls ``v.__rsub__(2)``,
    which must compute ``2 - v``. Plain numbers become constants. A forward that fails, or gives
    inf or NaN, raises an OperationError naming the op, its inputs and the line of user code
    that called it.
    """
    op = OPS[name]
    forward = op.forward

    # These bodies are the only place a node is born, and the hot path of every forward pass:
    # one function per op, so an operator costs one Python call, not two. An op of one input
    # and an op of two get a body each, so that neither tests which kind it is on every call.
    # While no thread is in a mode (not modes.busy), what happens depends on requires_grad alone.
    def unary(x: Value, y: None = None) -> Value:
        if y is not None:
            constant(y, name)  # a second input that is no number is reported as such first
            raise _arity_error(name, 2)
        try:
            data = forward(x._data)
        except (ValueError, ArithmeticError) as cause:
            raise forward_error(name, (x,), cause, op.domain) from None
        if not isfinite(data):
            raise forward_error(name, (x,), OverflowError())
        if not _busy:
            if not x.requires_grad:
                return _leaf(data, False)
        else:
            return _moded(name, data, x, None)
        node = _new(Value)
        node._data = data
        node.grad = 0.0
        node._x = x
        node._y = None
        node.op = name
        node.requires_grad = True
        return node

    def binary(x: Value, y: Operand | None = None) -> Value:
        if reflected:
            x, y = y, x  # type: ignore[assignment]
            if type(x) is not Value:  # otherwise x is self, a Value already
                x = constant(x, name)
        if type(y) is not Value:
            if y is None:
                raise _arity_error(name, 1)
            y = constant(y, name)
        try:
            data = forward(x._data, y._data)
        except (ValueError, ArithmeticError) as cause:
            raise forward_error(name, (x, y), cause, op.domain) from None
        if not isfinite(data):
            raise forward_error(name, (x, y), OverflowError())
        if not _busy:
            if not (x.requires_grad or y.requires_grad):
                return _leaf(data, False)
        else:
            return _moded(name, data, x, y)
        node = _new(Value)
        node._data = data
        node.grad = 0.0
        node._x = x
        node._y = y
        node.op = name
        node.requires_grad = True
        return node

    run = unary if op.arity == 1 else binary
    run.__name__ = run.__qualname__ = f"primitive({name!r})"
    run.__doc__ = doc or f"The {name!r} op."
    return run


def _moded(name: str, data: float, x: Value, y: Value | None) -> Value:
    """An op's result while some thread is in a mode: this thread's modes decide."""
    state = modes.current()
    recording = state.recording and (x.requires_grad or (y is not None and y.requires_grad))
    if not recording:
        tracing = state.tracing
        if tracing is None or not (tracing.traced(x) or (y is not None and tracing.traced(y))):
            return _leaf(data, False)
        # computed from traced inputs: compile() computes it at every call, passing no gradient on
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node._x = x
    node._y = y
    node.op = name
    node.requires_grad = recording
    if state.anomaly:
        node._site = user_site()
    return node


# Every op of the table as its primitive, by name: what apply() and `**` run. defop and
# from_layer (userops.py) add to it and take from it; it is never rebound.
_PRIMITIVES: dict[str, Callable[..., Value]] = {name: primitive(name) for name in OPS}


def apply(name: str, x: Operand, y: Operand | None = None) -> Value:
    """Run op ``name`` of the table on ``x``, or on ``x, y``; ``apply("*", a, b)`` is ``a * b``."""
    if name not in _PRIMITIVES:
        raise ValueError(f"unknown op {name!r}; the ops are {', '.join(map(repr, OPS))}")
    if type(x) is not Value:
        x = constant(x, name)
    return _PRIMITIVES[name](x, y)


def _leaf(data: float, requires_grad: bool) -> Value:
    """A node with no children, skipping the checks of Value() for data that is already valid."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node._x = node._y = None
    node.op = ""
    node.requires_grad = requires_grad
    return node


def constant(x: object, op: str) -> Value:
    """A plain number as a constant node; a Value (of a subclass) passes through."""
    kind = type(x)
    if kind is int:
        try:
            x = float(x)  # the common 2 in `x * 2`, quickly
        except OverflowError:
            x = as_float(x, op)  # raises, naming the op
    elif kind is not float or not isfinite(x):
        if isinstance(x, Value):
            return x
        x = as_float(x, op)
    node = _new(Value)  # _leaf(x, False), written out: constants are made as often as nodes
    node._data = x
    node.grad = 0.0
    node._x = node._y = None
    node.op = ""
    node.requires_grad = False
    return node


def _arity_error(name: str, given: int) -> TypeError:
    if OPS[name].arity == 2:
        return TypeError(f"{name!r} takes two inputs: it expects a Value or a real number as the second, got None")
    return TypeError(f"{name!r} takes {OPS[name].arity} input(s), got {given}")


__all__ = ["apply", "constant", "primitive"]
