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
    operations in the same order as the formula itself, bit for bit.
    """

    __slots__ = ("source", "precedence")

    def __init__(self, source: str, precedence: int = ATOM) -> None:
        self.source = source
        self.precedence = precedence

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
        return Symbol("-" + parenthesized(self, UNARY), UNARY)

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
    # the right operand is bracketed at equal precedence too: a - (b - c) is not a - b - c
    return Symbol(f"{parenthesized(left, precedence)} {op} {parenthesized(right, precedence + 1)}", precedence)


def power(base: Operand, exponent: Operand) -> Symbol:
    """``base ** exponent``: right-associative, and tighter than a unary minus on its left."""
    return Symbol(f"{parenthesized(base, POWER + 1)} ** {parenthesized(exponent, UNARY)}", POWER)


def call(name: str, *args: Operand) -> Symbol:
    """``name(args)``: a function call, which binds tightest of all."""
    return Symbol(f"{name}({', '.join(symbol(a).source for a in args)})")
