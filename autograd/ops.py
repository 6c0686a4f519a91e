"""The calculus of scalar-autograd: every primitive's forward and derivatives, one row per op.

This file is the only place in the package that knows a derivative. Backward, higher-order
``grad(..., create_graph=True)`` and the compiler all read the same rows.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from .symbolic import SUM, Symbol, call

Formula = Callable[..., Any]


class Op:
    """One primitive: its forward on floats, then one gradient formula per input.

    A formula takes the upstream gradient ``g``, the inputs and the output ``out``, and returns
    ``g * d out / d input``. It may use only operators, ``out`` and the helpers below, so the
    same line runs on floats (backward) and on Values (``create_graph=True``).
    """

    __slots__ = ("forward", "grads", "domain", "layer")

    def __init__(
        self, forward: Callable[..., float], *grads: Formula, domain: str = "", layer: type | None = None
    ) -> None:
        if len(grads) not in (1, 2):
            raise ValueError(f"an op takes one input or two, so it needs one or two formulas, not {len(grads)}")
        self.forward = forward
        self.grads = grads
        self.domain = domain  # shown when the forward meets a value outside its domain
        # from_layer: a class of the book's shape, whose instance on each node holds the backward
        self.layer = layer

    @property
    def arity(self) -> int:
        """How many inputs the op takes."""
        return len(self.grads)


# Helpers that dispatch on type: math on a float, the op of the same name on anything else
# (a Value, or the compiler's symbolic type), so a formula stays differentiable.


def sin(x: Any) -> Any:
    """sin(x): ``math.sin`` on a float, the ``sin`` op otherwise."""
    return math.sin(x) if type(x) is float else x.sin()


def cos(x: Any) -> Any:
    """cos(x): ``math.cos`` on a float, the ``cos`` op otherwise."""
    return math.cos(x) if type(x) is float else x.cos()


def log(x: Any) -> Any:
    """Natural log: ``math.log`` on a float, the ``log`` op otherwise."""
    return math.log(x) if type(x) is float else x.log()


def exp(x: Any) -> Any:
    """e^x: ``math.exp`` on a float, the ``exp`` op otherwise."""
    return math.exp(x) if type(x) is float else x.exp()


def tanh(x: Any) -> Any:
    """tanh(x): ``math.tanh`` on a float, the ``tanh`` op otherwise."""
    return math.tanh(x) if type(x) is float else x.tanh()


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x): on a float without overflow, the ``sigmoid`` op otherwise."""
    return _sigmoid(x) if type(x) is float else x.sigmoid()


def sqrt(x: Any) -> Any:
    """Square root: ``math.sqrt`` on a float, the ``sqrt`` op otherwise."""
    return math.sqrt(x) if type(x) is float else x.sqrt()


def relu(x: Any) -> Any:
    """max(0, x): on a float, or the ``relu`` op."""
    return _relu(x) if type(x) is float else x.relu()


def absolute(x: Any) -> Any:
    """|x|: ``math.fabs`` on a float, the ``abs`` op otherwise."""
    return math.fabs(x) if type(x) is float else x.abs()


def maximum(x: Any, y: Any) -> Any:
    """The larger of x and y: ``max`` on floats, the ``max`` op otherwise."""
    if type(x) is float and type(y) is float:
        return max(x, y)
    return x.max(y) if not isinstance(x, (int, float)) else y.max(x)


def sign(x: Any) -> Any:
    """-1, 0 or 1 (0 at 0, as in PyTorch): an int on a float, the ``sign`` op on a Value."""
    if type(x) is float:
        return (x > 0.0) - (x < 0.0)
    if isinstance(x, Symbol):  # written out as it is computed on a float, without a call
        return Symbol(f"({x} > 0.0) - ({x} < 0.0)", SUM)
    return x.sign()


# Two helpers for the corners of x ** y, where a formula would multiply 0 by an infinity. Each
# branches on the numbers (a float's, or a Value's data), and on a Symbol writes a call to itself.


def pow_grad(x: Any, y: Any) -> Any:
    """y * x ** (y - 1), which is d(x ** y)/dx; 0 where x == y == 0, since x ** 0 is 1 for every x."""
    if isinstance(x, Symbol) or isinstance(y, Symbol):
        if not isinstance(y, Symbol) and y != 0.0:
            return y * x ** (y - 1)  # a known power other than 0: no corner to branch on
        return call("pow_grad", x, y)
    if _number(x) == 0.0 and _number(y) == 0.0:
        return 0 * y
    return y * x ** (y - 1)


def xlogy(x: Any, y: Any) -> Any:
    """x * log(y), taken as 0 where x == 0 (as PyTorch's xlogy): d(0 ** y)/dy is 0 for y > 0."""
    if isinstance(x, Symbol):
        return call("xlogy", x, y)
    if _number(x) == 0.0:
        return 0 * y
    return x * log(y)


def larger(x: Any, y: Any) -> float:
    """d max(x, y) / dx: 1.0 where x > y, 0.0 where x < y, 0.5 at a tie (shared, as in PyTorch).

    A number for floats and for Values alike (max is flat on each side, so nothing to
    differentiate further); on a Symbol, a call to itself.
    """
    if isinstance(x, Symbol) or isinstance(y, Symbol):
        return call("larger", x, y)
    a, b = _number(x), _number(y)
    return 1.0 if a > b else 0.0 if a < b else 0.5


def _number(x: Any) -> float:
    return x if type(x) is float else x.data


# Forwards too long for a lambda.


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


def _sigmoid(x: float) -> float:
    # two branches so that exp never overflows: sigmoid(-1000) is 0.0, not an OverflowError
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _sign(x: float) -> float:
    return float((x > 0.0) - (x < 0.0))


def _pow(x: float, y: float) -> float:
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    return math.pow(x, y)  # math.pow raises where (-8) ** (1/3) would quietly return a complex


OPS: dict[str, Op] = {
    "+": Op(
        operator.add,
        lambda g, x, y, out: g,
        lambda g, x, y, out: g,
    ),
    "-": Op(
        operator.sub,
        lambda g, x, y, out: g,
        lambda g, x, y, out: -g,
    ),
    "*": Op(
        operator.mul,
        lambda g, x, y, out: g * y,
        lambda g, x, y, out: g * x,
    ),
    "/": Op(
        operator.truediv,
        lambda g, x, y, out: g / y,
        lambda g, x, y, out: -g * out / y,
    ),
    "**": Op(
        _pow,
        lambda g, x, y, out: g * pow_grad(x, y),
        lambda g, x, y, out: g * xlogy(out, x),  # real only for x > 0, or x == 0 < y where it is 0
        domain="a negative base needs an integer exponent",
    ),
    "max": Op(
        max,
        lambda g, x, y, out: g * larger(x, y),
        lambda g, x, y, out: g * larger(y, x),
    ),
    "neg": Op(operator.neg, lambda g, x, out: -g),
    "relu": Op(_relu, lambda g, x, out: g * sign(out)),  # relu'(0) = 0, as in PyTorch
    "tanh": Op(math.tanh, lambda g, x, out: g * (1 - out * out)),
    "sigmoid": Op(_sigmoid, lambda g, x, out: g * out * (1 - out)),
    "exp": Op(math.exp, lambda g, x, out: g * out),
    "log": Op(math.log, lambda g, x, out: g / x, domain="log needs x > 0"),
    "sqrt": Op(math.sqrt, lambda g, x, out: g / (2 * out), domain="sqrt needs x >= 0"),
    "abs": Op(math.fabs, lambda g, x, out: g * sign(x)),  # abs'(0) = 0, as in PyTorch
    "sin": Op(math.sin, lambda g, x, out: g * cos(x)),
    "cos": Op(math.cos, lambda g, x, out: -g * sin(x)),
    "sign": Op(_sign, lambda g, x, out: 0 * g),  # flat wherever it is defined
}
