"""Ops from user code: ``defop`` adds a row to the op table at run time, ``from_layer`` makes one of a layer class.

A row added here is a row like those of ``ops.py``: backward, ``grad(create_graph=True)``, anomaly
mode, ``trace_backward``, diagrams and ``compile()`` read it the same way. It is checked when it is
defined, not at the first backward: the number of formulas, that each runs on floats and on Values,
and (unless ``check=False``) that each agrees with central differences of the forward (first
order) and that its own derivative agrees with central differences of the formula (second order).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import modes, steps, value
from .backward import grad
from .errors import OpDefinitionError, TraceError
from .ops import OPS, Formula, Op

SWEEP = (-10.0, -3.0, -1.0, -0.5, -1e-3, 1e-3, 0.5, 1.0, 3.0, 10.0)
EPS = 1e-6
ATOL, RTOL = 1e-5, 1e-3  # PyTorch's gradcheck tolerances
_NOT_NAMES = {"", "seed"}


def defop(
    name: str,
    forward: Callable[..., float],
    *grads: Formula,
    domain: str = "",
    check: bool = True,
    points: Iterable[float | Sequence[float]] = (),
) -> Callable[..., value.Value]:
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
    checked_points = _points(row, arity, points)
    if not checked_points:
        raise OpDefinitionError(f"defop({name!r}): the forward fails at every point tried, so nothing can be checked")
    _check_on_floats(name, row, checked_points)
    _register(name, row)
    try:
        _check_on_values(name, row, checked_points[0])
        if check:
            _check_first_order(name, row, checked_points)
            _check_second_order(name, row, checked_points)
    except BaseException:
        _unregister(name)
        raise
    return _function(name)


def from_layer(cls: type, name: str | None = None) -> Callable[..., value.Value]:
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
    primitive = value._PRIMITIVES[name]
    unchecked = [True]

    def op(x: Any, y: Any = None) -> value.Value:
        if type(x) is not value.Value:
            x = value.constant(x, name)
        if arity == 2 and type(y) is not value.Value:
            y = value.constant(y, name)
        node = primitive(x, y)
        if node._x is not None:
            node._layer = made.layer
        if unchecked[0]:
            _check_layer(name, cls, [x._data] if arity == 1 else [x._data, y._data], made.layer)
            unchecked[0] = False
        return node

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The op {name!r}, made from the layer class {cls.__name__}."
    return op


# ----------------------------------------------------------------------------- the table


def _register(name: str, row: Op) -> None:
    OPS[name] = row
    steps.COMPILED[name] = steps.compiled_step(name)
    value._PRIMITIVES[name] = value.primitive(name)


def _unregister(name: str) -> None:
    OPS.pop(name, None)
    for table in (steps.COMPILED, steps.FLOATS, steps.CHECKED, steps.ON_VALUES, steps._FORMULAS):
        table.pop(name, None)
    value._PRIMITIVES.pop(name, None)


def _function(name: str) -> Callable[..., value.Value]:
    def op(x: Any, y: Any = None) -> value.Value:
        return value.apply(name, x, y)

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


# ----------------------------------------------------------------------------- the checks


def _forward_at(row: Op, point: Sequence[float]) -> float | None:
    try:
        out = float(row.forward(*point))
    except (ValueError, ArithmeticError, TypeError):
        return None
    return out if math.isfinite(out) else None


def _points(row: Op, arity: int, extra: Iterable[float | Sequence[float]]) -> list[tuple[float, ...]]:
    """The sweep's points (and the user's) inside the domain: where the forward and its neighbours are finite."""
    sweep = [(x,) for x in SWEEP] if arity == 1 else list(itertools.product(SWEEP, repeat=2))
    given = [tuple(float(v) for v in (p if isinstance(p, (tuple, list)) else (p,))) for p in extra]
    for p in given:
        if len(p) != arity:
            raise OpDefinitionError(f"a point to check must have {arity} number(s), got {p!r}")
    inside = []
    for point in [*sweep, *given]:
        near = [point] + [_moved(point, i, s) for i in range(arity) for s in (EPS, -EPS)]
        if all(_forward_at(row, p) is not None for p in near):
            inside.append(point)
    return inside


def _moved(point: tuple[float, ...], i: int, step: float) -> tuple[float, ...]:
    return tuple(v + step if j == i else v for j, v in enumerate(point))


def _check_on_floats(name: str, row: Op, points: list[tuple[float, ...]]) -> None:
    for point in points:
        out = _forward_at(row, point)
        for slot, formula in enumerate(row.grads):
            try:
                share = formula(1.0, *point, out)
                number = float(share)
            except Exception as error:
                raise OpDefinitionError(
                    f"defop({name!r}): the formula for input {slot} fails on floats at {_shown(point)}: "
                    f"{type(error).__name__}: {error}"
                ) from None
            if not math.isfinite(number):
                raise OpDefinitionError(
                    f"defop({name!r}): the formula for input {slot} gives {number!r} at {_shown(point)}"
                )


def _check_on_values(name: str, row: Op, point: tuple[float, ...]) -> None:
    """Each formula runs on Values without reading their numbers (so it stays differentiable)."""
    xs = [value.Value(v) for v in point]
    g = value.Value(1.0)
    out = value.apply(name, *xs)
    for slot, formula in enumerate(row.grads):
        try:
            with modes.tracing({g, *xs}):  # reading a number (.data, float(), math.cos) raises here
                share = formula(g, *xs, out)
        except TraceError:
            raise OpDefinitionError(
                f"defop({name!r}): the formula for input {slot} reads the number of a Value (.data, float(), or "
                "a math function such as math.cos): a formula must also run on Values, so that gradients can be "
                "differentiated again; write it with operators and the helpers of autograd.ops (cos(x), exp(x), "
                "log(x)...), which work on both"
            ) from None
        except Exception as error:
            raise OpDefinitionError(
                f"defop({name!r}): the formula for input {slot} fails on Values at {_shown(point)}: "
                f"{type(error).__name__}: {error}; use operators and the helpers of autograd.ops"
            ) from None
        if not isinstance(share, value.Value):
            raise OpDefinitionError(
                f"defop({name!r}): the formula for input {slot} returned {share!r} on Values; it must return "
                "g times the local derivative (a Value when g is one)"
            )


def _check_first_order(name: str, row: Op, points: list[tuple[float, ...]]) -> None:
    for point in points:
        out = _forward_at(row, point)
        for slot, formula in enumerate(row.grads):
            analytic = float(formula(1.0, *point, out))
            up, down = _forward_at(row, _moved(point, slot, EPS)), _forward_at(row, _moved(point, slot, -EPS))
            numeric = (up - down) / (2 * EPS)  # type: ignore[operator]
            if not abs(analytic - numeric) <= ATOL + RTOL * abs(numeric):
                raise OpDefinitionError(
                    f"defop({name!r}): the formula for input {slot} disagrees with the forward at {_shown(point)}: "
                    f"the formula gives {analytic!r}, central differences {numeric!r}"
                )


def _check_second_order(name: str, row: Op, points: list[tuple[float, ...]]) -> None:
    """The engine's derivative of each formula (on Values) against central differences of the formula."""

    def formula_at(slot: int, p: tuple[float, ...]) -> float | None:
        out = _forward_at(row, p)
        return None if out is None else float(row.grads[slot](1.0, *p, out))

    for point in points:
        for slot, formula in enumerate(row.grads):
            xs = [value.Value(v) for v in point]
            share = formula(value.Value(1.0), *xs, value.apply(name, *xs))
            if not share.requires_grad:
                continue  # constant in the inputs: nothing to compare
            try:
                derivatives = grad(share, xs)
            except (ValueError, ArithmeticError):
                continue
            for i, analytic in enumerate(derivatives):
                up, down = formula_at(slot, _moved(point, i, EPS)), formula_at(slot, _moved(point, i, -EPS))
                if up is None or down is None:
                    continue
                numeric = (up - down) / (2 * EPS)
                if not abs(analytic - numeric) <= 10 * ATOL + RTOL * abs(numeric):
                    raise OpDefinitionError(
                        f"defop({name!r}): the formula for input {slot} is right to first order but its own "
                        f"derivative along input {i} disagrees at {_shown(point)} (second order): the engine gives "
                        f"{analytic!r}, central differences of the formula {numeric!r}; the formula computes on "
                        "Values something other than on floats"
                    )


def _check_layer(name: str, cls: type, point: list[float], layer: Any) -> None:
    def forward(p: list[float]) -> float:
        return float(cls().forward(*p))

    douts = steps.layer_gradients(_Node(layer, len(point), name), 1.0)
    for i, analytic in enumerate(douts):
        up = forward([v + EPS if j == i else v for j, v in enumerate(point)])
        down = forward([v - EPS if j == i else v for j, v in enumerate(point)])
        numeric = (up - down) / (2 * EPS)
        if not abs(analytic - numeric) <= ATOL + RTOL * abs(numeric):
            raise OpDefinitionError(
                f"from_layer: {cls.__name__}.backward disagrees with its forward for input {i} at "
                f"{_shown(tuple(point))}: backward gives {analytic!r}, central differences {numeric!r}"
            )


class _Node:
    """Just enough of a node for ``layer_gradients`` at the first call's check."""

    def __init__(self, layer: Any, arity: int, op: str) -> None:
        self._layer, self.children, self.op = layer, (None,) * arity, op


def _shown(point: tuple[float, ...]) -> str:
    return "x = " + repr(point[0]) if len(point) == 1 else f"x = {point[0]!r}, y = {point[1]!r}"
