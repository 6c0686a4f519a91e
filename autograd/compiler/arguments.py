"""A traced function's arguments: their shapes, and their numbers checked as ``Value()`` checks
them, when traced and at each call (``_floats``, which the generated code calls first, is on the
hot path)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from ..value import Value

Tree = Any  # a number, a Value, or a list or tuple of trees


def _shape(tree: Tree) -> Tree:
    """None for a number (or Value), else the list of its items' shapes."""
    if isinstance(tree, (list, tuple)):
        return [_shape(item) for item in tree]
    return None


def _size(shape: Tree) -> int:
    return 1 if shape is None else sum(_size(s) for s in shape)


def _flatten_tree(tree: Tree) -> list[Any]:
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _flatten_tree(item)]
    return [tree]


def _unflatten(flat: Sequence[Any], shape: Tree) -> Tree:
    if not flat and shape is None:
        return None  # nothing was there
    items = iter(flat)

    def build(s: Tree) -> Tree:
        return next(items) if s is None else [build(x) for x in s]

    return build(shape)


def _takes(x: Any) -> bool:
    """Whether ``Value(x)`` takes ``x`` as a number: a real number, or anything with ``__float__``
    except strings, bytes and complex numbers (``float("3")`` is 3.0, but ``Value("3")`` refuses)."""
    kind = type(x)
    if kind is float or kind is int:
        return True
    return not isinstance(x, (str, bytes, complex, Value)) and (
        isinstance(x, numbers.Real) or hasattr(kind, "__float__")
    )


def _float(x: Any) -> float:
    """``x`` as a float, for the generated code: TypeError for what ``Value()`` refuses, after
    which the engine's replay says what is wrong."""
    if _takes(x):
        return float(x)
    raise TypeError(f"not a number: {x!r}")


Kind = Any  # None for a number, n for a list of n numbers, else a list of kinds


def _kind(shape: Tree) -> Kind:
    if shape is None:
        return None
    if all(s is None for s in shape):
        return len(shape)
    return [_kind(s) for s in shape]


_FLOATS, _INTS_AND_FLOATS = {float}, {float, int}


def _floats(args: tuple[Tree, ...], kinds: list[Kind]) -> list[float]:
    """The numbers of ``args``, arguments of the kinds traced, in one list of floats.

    For the generated code: lists (or tuples) of the traced lengths and numbers that ``Value()``
    takes; anything else raises TypeError or ValueError, and the engine's replay says which.
    """
    if len(args) != len(kinds):
        raise TypeError("the number of arguments differs from the traced one")
    flat: list[float] = []
    for arg, kind in zip(args, kinds):
        if kind is None:
            flat.append(arg if type(arg) is float else _float(arg))
        else:
            _extend(flat, arg, kind)
    return flat


def _extend(flat: list[float], items: Any, kind: Kind) -> None:
    if type(items) is not list and type(items) is not tuple:
        raise TypeError("a list was traced here")
    if type(kind) is int:
        if len(items) != kind:
            raise ValueError("the length differs from the traced one")
        types = set(map(type, items))
        flat += items if types <= _FLOATS else map(float if types <= _INTS_AND_FLOATS else _float, items)
        return
    if len(items) != len(kind):
        raise ValueError("the length differs from the traced one")
    for item, k in zip(items, kind):
        if k is None:
            flat.append(item if type(item) is float else _float(item))
        else:
            _extend(flat, item, k)


def _flatten_args(args: tuple[Tree, ...], shapes: list[Tree], name: str) -> list[float]:
    if len(args) != len(shapes):
        raise TypeError(f"compiled {name} takes {len(shapes)} argument(s), as traced; got {len(args)}")
    flat: list[float] = []
    for i, (arg, shape) in enumerate(zip(args, shapes)):
        _flatten_arg(arg, shape, f"argument {i}", name, flat)
    return flat


def _flatten_arg(arg: Tree, shape: Tree, where: str, name: str, flat: list[float]) -> None:
    if shape is None:
        flat.append(_number(arg, where, f"compiled {name}"))
        return
    if not isinstance(arg, Sequence) or isinstance(arg, (str, bytes)):
        raise TypeError(f"compiled {name}: {where} must be a list of {len(shape)} items, as traced; got {arg!r}")
    if len(arg) != len(shape):
        raise ValueError(f"compiled {name}: {where} has {len(arg)} items, but the traced one had {len(shape)}")
    for j, (item, s) in enumerate(zip(arg, shape)):
        _flatten_arg(item, s, f"{where}[{j}]", name, flat)


def _number(x: Any, where: str, who: str) -> float:
    if isinstance(x, Value):
        raise TypeError(f"{who}: {where} is a Value; pass its number (.data), or a plain float")
    if not _takes(x):
        raise TypeError(f"{who}: {where} must be a number, got {x!r} ({type(x).__name__})")
    try:
        number = float(x)
    except OverflowError:
        raise ValueError(f"{who}: {where} must be a finite number, got {x!r}: too large for a float") from None
    except (TypeError, ValueError) as e:
        raise TypeError(f"{who}: {where} must be a number, got {x!r} ({type(x).__name__}): {e}") from None
    if not math.isfinite(number):
        raise ValueError(f"{who}: {where} must be a finite number, got {number!r}")
    return number
