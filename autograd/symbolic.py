"""Symbol: run an op-table formula on names instead of numbers, and get it back as source.

``OPS["tanh"].grads[0](Symbol("g"), Symbol("x"), Symbol("out"))`` gives the Symbol
``g * (1 - out * out)``. The engine compiles each op's gradient formulas this way (see
``steps.py``), so the formulas written once in ``ops.py`` also run as plain Python code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

# Python's precedence levels, as far as formulas need them: a higher one binds tighter
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5

Operand = Union["Symbol", int, float]


class Symbol:
    """A Python expression under construction: arithmetic on Symbols writes its source text.

    Parentheses are kept exactly where the formula had them, so the source evaluates the same
    operations in the same order as the formula itself, bit for bit. ``depth`` is how deeply the
    operators and calls that this module writes are nested in it (0 for a name or a number):
    Python's compiler recurses once per level, so the compiler cuts expressions that get deep.
    """

    __slots__ = ("source", "precedence", "depth")

    def __init__(self, source: str, precedence: int = ATOM, depth: int = 0) -> None:
        self.source = source
        self.precedence = precedence
        self.depth = depth

    def __repr__(self) -> str:
        return f"Symbol({self.source!r})"

    def __str__(self) -> str:
        return self.source

    def __add__(self, other: Operand) -> Symbol:
        return infix(self, "+", other, SUM)

    def __radd__(self, other: Operand) -> Symbol:
        return infix(other, "+", self, SUM)

    def __sub__(self, other: Operand) -> Symbol:
        return infix(self, "-", other, SUM)

    def __rsub__(self, other: Operand) -> Symbol:
        return infix(other, "-", self, SUM)

    def __mul__(self, other: Operand) -> Symbol:
        return infix(self, "*", other, PRODUCT)

    def __rmul__(self, other: Operand) -> Symbol:
        return infix(other, "*", self, PRODUCT)

    def __truediv__(self, other: Operand) -> Symbol:
        return infix(self, "/", other, PRODUCT)

    def __rtruediv__(self, other: Operand) -> Symbol:
        return infix(other, "/", self, PRODUCT)

    def __pow__(self, other: Operand) -> Symbol:
        return power(self, other)

    def __rpow__(self, other: Operand) -> Symbol:
        return power(other, self)

    def __neg__(self) -> Symbol:
        return Symbol("-" + parenthesized(self, UNARY), UNARY, self.depth + 1)

    def __getattr__(self, name: str) -> Callable[..., Symbol]:
        # x.cos() writes the call cos(x): the helpers of ops.py call such methods on anything
        # that is not a float, and on a Symbol the call becomes source
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args: call(name, self, *args)


def symbol(x: Operand) -> Symbol:
    """``x`` as a Symbol: a number becomes its literal."""
    if isinstance(x, Symbol):
        return x
    text = repr(x)
    return Symbol(text, UNARY if text.startswith("-") else ATOM)  # -0.0 too: (-0.0) ** 2 is 0.0


def parenthesized(x: Operand, precedence: int) -> str:
    """Source of ``x`` as an operand of an operator of ``precedence``."""
    s = symbol(x)
    return f"({s.source})" if s.precedence < precedence else s.source


def infix(left: Operand, op: str, right: Operand, precedence: int) -> Symbol:
    """``left op right`` for a left-associative operator."""
    # written out rather than through parenthesized(): the compiler makes one per node
    a = left if isinstance(left, Symbol) else symbol(left)
    b = right if isinstance(right, Symbol) else symbol(right)
    x = a.source if a.precedence >= precedence else f"({a.source})"
    y = b.source if b.precedence > precedence else f"({b.source})"  # a - (b - c) is not a - b - c
    return Symbol(f"{x} {op} {y}", precedence, (a.depth if a.depth > b.depth else b.depth) + 1)


def power(base: Operand, exponent: Operand) -> Symbol:
    """``base ** exponent``: right-associative, and tighter than a unary minus on its left."""
    a, b = symbol(base), symbol(exponent)
    return Symbol(f"{parenthesized(a, POWER + 1)} ** {parenthesized(b, UNARY)}", POWER, 1 + max(a.depth, b.depth))


def call(name: str, *args: Operand) -> Symbol:
    """``name(args)``: a function call, which binds tightest of all."""
    if len(args) == 1:  # the common case, quickly: the compiler writes one per node of most ops
        a = symbol(args[0])
        return Symbol(f"{name}({a.source})", ATOM, a.depth + 1)
    symbols = [symbol(a) for a in args]
    depth = 1 + max((s.depth for s in symbols), default=0)
    return Symbol(f"{name}({', '.join(s.source for s in symbols)})", ATOM, depth)
