"""Numbers in: what the engine accepts as a number, and the TypeError or ValueError for what it does not."""

from __future__ import annotations

import numbers
from math import isfinite
from typing import Any

from .errors import short
from .ops import OPS

Number = int | float


def as_float(x: object, op: str = "") -> float:
    """``x`` as a finite float, or a TypeError / ValueError naming the op (or Value) and ``x``."""
    if (
        type(x) is not float
        and type(x) is not int
        and (
            isinstance(x, (str, bytes, bytearray, complex))
            or not (isinstance(x, numbers.Real) or hasattr(type(x), "__float__"))
        )
    ):
        expected = "a Value or a real number" if op else "a real number"
        raise TypeError(f"{_where(op)} expects {expected}, got {short(x)} ({type(x).__name__})")
    try:
        number = float(x)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{_where(op)} expects a finite number, got {short(x)}: too large for a float") from None
    except (TypeError, ValueError) as e:
        raise TypeError(f"{_where(op)} expects a real number, got {short(x)} ({type(x).__name__}): {e}") from None
    if not isfinite(number):
        raise ValueError(f"{_where(op)} expects a finite number, got {number!r}")
    return number


def checked_children(children: tuple[Any, ...], op: str, value_type: type) -> tuple[Any, Any]:
    """Children given to Value() by hand, as (x, y): Values, with an op that takes that many."""
    for child in children:
        if not isinstance(child, value_type):
            raise TypeError(f"Value children must be Values, got {child!r} ({type(child).__name__})")
    if op not in OPS or OPS[op].arity != len(children):
        known = ", ".join(repr(name) for name in OPS)
        raise ValueError(f"a Value with {len(children)} children needs an op of that arity, one of {known}; got {op!r}")
    return children[0], children[1] if len(children) == 2 else None


def _where(op: str) -> str:
    return repr(op) if op else "Value"
