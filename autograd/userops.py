"""Ops from user code: ``defop`` adds a row to the op table at run time, ``from_layer`` makes one of a layer class.

A row added here is a row like those of ``ops.py``: backward, ``grad(create_graph=True)``, anomaly
mode, ``trace_backward``, diagrams and ``compile()`` read it the same way. It is checked when it is
defined, not at the first backward: here, the name and the number of formulas and of their
arguments; in ``opcheck.py``, that each formula runs on floats and on Values and (unless
``check=False``) agrees with central differences to first and second order. A row that fails is
taken out of the table again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import nodes, opcheck, steps
from .errors import OpDefinitionError
from .ops import OPS, Formula, Op
from .value import Value

_NOT_NAMES = {"", "seed"}


def defop(
    name: str,
    forward: Callable[..., float],
    *grads: Formula,
    domain: str = "",
    check: bool = True,
    points: Iterable[float | Sequence[float]] = (),
) -> Callable[..., Value]:
    """Add op ``name`` to the op table and return it as a function of its one or two inputs.

    ``forward`` computes the op on floats; each of ``grads`` is a formula ``(g, *inputs, out)``
    giving that input's share, written with operators and the helpers of ``autograd.ops`` (``exp``,
    ``cos``...), so that it runs on floats and on Values alike. ``domain`` is shown when the forward
    fails. ``points`` are more points to check at (numbers, or pairs for two inputs). Raises
    OpDefinitionError naming the op, the input, the point and both numbers.
    """
    _check_name(name)
    if not callable(forward):
        raise OpDefinitionError(f"defop({name!r}): the forward must be a function of the inputs, got {forward!r}")
    arity = len(grads)
    if arity not in (1, 2):
        raise OpDefinitionError(
            f"defop({name!r}): an op takes one input or two, so it needs one gradient formula per input; "
            f"got {arity} formulas"
        )
    taken = _positional_count(forward)
    if taken is not None and taken != arity:
        raise OpDefinitionError(
            f"defop({name!r}): the forward takes {taken} input(s) but {arity} gradient formula(s) were given: "
            "give exactly one formula per input, (g, *inputs, out) -> that input's share"
        )
    for slot, formula in enumerate(grads):
        wanted = _positional_count(formula)
        if wanted is not None and wanted != arity + 2:
            raise OpDefinitionError(
                f"defop({name!r}): the formula for input {slot} takes {wanted} argument(s); a formula takes "
                f"(g, {', '.join('xy'[:arity])}, out): {arity + 2}"
            )
    row = Op(forward, *grads, domain=domain)
    checked_points = opcheck.points_inside(row, arity, points)
    if not checked_points:
        raise OpDefinitionError(f"defop({name!r}): the forward fails at every point tried, so nothing can be checked")
    opcheck.on_floats(name, row, checked_points)
    _register(name, row)  # before the checks that run the op itself (on Values, second order)
    try:
        opcheck.on_values(name, row, checked_points[0])
        if check:
            opcheck.first_order(name, row, checked_points)
            opcheck.second_order(name, row, checked_points)
    except BaseException:
        _unregister(name)
        raise
    return _function(name)


def from_layer(cls: type, name: str | None = None) -> Callable[..., Value]:
    """An op made of a layer class written as "Deep Learning from Scratch" writes them.

    ``forward(self, *inputs)`` keeps what it needs on ``self`` and returns the output;
    ``backward(self, dout)`` returns one gradient per input. Each call of the op makes a fresh
    instance, kept on the node for backward. First derivatives only: ``create_graph=True`` and
    ``compile()`` refuse it. Its backward is checked against central differences at the first call.
    """
    if (
        not isinstance(cls, type)
        or not callable(getattr(cls, "forward", None))
        or not callable(getattr(cls, "backward", None))
    ):
        raise OpDefinitionError(f"from_layer expects a class with forward and backward methods, got {cls!r}")
    name = cls.__name__ if name is None else name
    _check_name(name)
    arity = _positional_count(cls.forward)
    if arity is not None:
        arity -= 1  # self
    if arity not in (1, 2):
        raise OpDefinitionError(
            f"from_layer({cls.__name__}): its forward takes {arity} input(s) besides self; an op takes one or two"
        )
    made = threading.local()

    def forward(*xs: float) -> float:
        layer = cls()
        result = float(layer.forward(*xs))
        made.layer = layer
        return result

    def first_order_only(*args: Any) -> Any:
        raise OpDefinitionError(f"{name!r} comes from a layer class: write its formulas with autograd.defop")

    _register(name, Op(forward, *[first_order_only] * arity, layer=cls))
    primitive = nodes._PRIMITIVES[name]
    unchecked = [True]

    def op(x: Any, y: Any = None) -> Value:
        if type(x) is not Value:
            x = nodes.constant(x, name)
        if arity == 2 and type(y) is not Value:
            y = nodes.constant(y, name)
        node = primitive(x, y)
        if node._x is not None:
            node._layer = made.layer
        if unchecked[0]:
            opcheck.layer_backward(name, cls, [x._data] if arity == 1 else [x._data, y._data], made.layer)
            unchecked[0] = False
        return node

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The op {name!r}, made from the layer class {cls.__name__}."
    return op


# ----------------------------------------------------------------------------- the table


def _register(name: str, row: Op) -> None:
    OPS[name] = row
    steps.COMPILED[name] = steps.compiled_step(name)
    nodes._PRIMITIVES[name] = nodes.primitive(name)


def _unregister(name: str) -> None:
    OPS.pop(name, None)
    for table in (steps.COMPILED, steps.FLOATS, steps.CHECKED, steps.ON_VALUES, steps._FORMULAS):
        table.pop(name, None)
    nodes._PRIMITIVES.pop(name, None)


def _function(name: str) -> Callable[..., Value]:
    def op(x: Any, y: Any = None) -> Value:
        return nodes.apply(name, x, y)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The op {name!r}, defined with autograd.defop."
    return op


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name.strip() or name in _NOT_NAMES:
        raise OpDefinitionError(f"an op's name must be a non-empty string, got {name!r}")
    if name in OPS:
        raise OpDefinitionError(f"{name!r} is already an op; choose another name")


def _positional_count(fn: Callable[..., Any]) -> int | None:
    """How many positional arguments ``fn`` takes, or None if it takes any number (or cannot say)."""
    import inspect  # when an op is defined: `import autograd` stays light

    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(1 for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
