"""A user's op row checked before it serves: each formula against central differences of the forward.

``defop`` (``userops.py``) runs these checks when an op is defined, ``from_layer`` at its first
call. A formula must run on floats and on Values without reading their numbers, agree with central
differences of the forward (first order), and its own derivative, as the engine takes it, must
agree with central differences of the formula (second order). Each refusal is an
OpDefinitionError naming the op, the input, the point and both numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

from . import modes, steps
from .backward import grad
from .errors import OpDefinitionError, TraceError
from .nodes import apply
from .ops import Op
from .value import Value

SWEEP = (-10.0, -3.0, -1.0, -0.5, -1e-3, 1e-3, 0.5, 1.0, 3.0, 10.0)
EPS = 1e-6
ATOL, RTOL = 1e-5, 1e-3  # PyTorch's gradcheck tolerances


def points_inside(row: Op, arity: int, extra: Iterable[float | Sequence[float]]) -> list[tuple[float, ...]]:
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


def on_floats(name: str, row: Op, points: list[tuple[float, ...]]) -> None:
    """Each formula runs on floats at every point and gives a finite number."""
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


def on_values(name: str, row: Op, point: tuple[float, ...]) -> None:
    """Each formula runs on Values without reading their numbers (so it stays differentiable).

    Runs the op itself, so the row must be in the table already."""
    xs = [Value(v) for v in point]
    g = Value(1.0)
    out = apply(name, *xs)
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
        if not isinstance(share, Value):
            raise OpDefinitionError(
                f"defop({name!r}): the formula for input {slot} returned {share!r} on Values; it must return "
                "g times the local derivative (a Value when g is one)"
            )


def first_order(name: str, row: Op, points: list[tuple[float, ...]]) -> None:
    """Each formula on floats against central differences of the forward."""
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


def second_order(name: str, row: Op, points: list[tuple[float, ...]]) -> None:
    """The engine's derivative of each formula (on Values) against central differences of the formula.

    Runs the op itself, so the row must be in the table already."""

    def formula_at(slot: int, p: tuple[float, ...]) -> float | None:
        out = _forward_at(row, p)
        return None if out is None else float(row.grads[slot](1.0, *p, out))

    for point in points:
        for slot, formula in enumerate(row.grads):
            xs = [Value(v) for v in point]
            share = formula(Value(1.0), *xs, apply(name, *xs))
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


def layer_backward(name: str, cls: type, point: list[float], layer: Any) -> None:
    """A layer class's backward, as ``layer`` (just run forward at ``point``) gives it, against central differences."""

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


def _forward_at(row: Op, point: Sequence[float]) -> float | None:
    try:
        out = float(row.forward(*point))
    except (ValueError, ArithmeticError, TypeError):
        return None
    return out if math.isfinite(out) else None


def _moved(point: tuple[float, ...], i: int, step: float) -> tuple[float, ...]:
    return tuple(v + step if j == i else v for j, v in enumerate(point))


def _shown(point: tuple[float, ...]) -> str:
    return "x = " + repr(point[0]) if len(point) == 1 else f"x = {point[0]!r}, y = {point[1]!r}"
