"""Hooks: functions that see a node's complete gradient in a pass, and may replace it before it is handed on."""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any

live = 0  # hooks registered and not removed, on any node: while 0, no pass looks for hooks


class RemovableHandle:
    """What ``Value.register_hook`` returns: ``remove()`` takes the hook off again (once; later calls do nothing)."""

    __slots__ = ("_node", "_fn")

    def __init__(self, node: Any, fn: Callable[[Any], Any]) -> None:
        self._node: Any = node
        self._fn = fn

    def remove(self) -> None:
        """Take the hook off its node."""
        global live
        node, self._node = self._node, None
        if node is None:
            return
        hooks = node.__dict__["_hooks"]
        hooks.remove(self._fn)
        if not hooks:
            del node.__dict__["_hooks"]
        live -= 1

    def __repr__(self) -> str:
        state = "removed" if self._node is None else f"on {self._node!r}"
        return f"<hook {getattr(self._fn, '__name__', self._fn)!r} {state}>"


def register(node: Any, fn: Callable[[Any], Any]) -> RemovableHandle:
    """Add ``fn`` to the hooks of ``node``; see ``Value.register_hook``."""
    global live
    if not callable(fn):
        raise TypeError(f"register_hook expects a function of the gradient, got {fn!r} ({type(fn).__name__})")
    if not node.requires_grad:
        raise ValueError(
            f"register_hook: {node!r} is a constant (made from numbers, under no_grad(), or by detach()): "
            "no gradient reaches it, so its hook would never run"
        )
    node.__dict__.setdefault("_hooks", []).append(fn)
    live += 1
    return RemovableHandle(node, fn)


def registered() -> bool:
    """Whether any node has a hook, so that a pass must look for them."""
    return live > 0


def of(node: Any) -> list[Callable[[Any], Any]]:
    """The hooks of ``node``, in the order registered."""
    return getattr(node, "_hooks", None) or []


def run(node: Any, g: Any) -> Any:
    """``g`` after each hook of ``node`` in turn: a hook that returns a number replaces it."""
    for fn in list(of(node)):
        result = fn(g)
        if result is None:
            continue
        g = _checked(fn, node, g, result)
    return g


def _checked(fn: Callable[[Any], Any], node: Any, g: Any, result: Any) -> Any:
    name = getattr(fn, "__name__", repr(fn))
    if type(g) is float:  # a float pass: the hook must give a number
        if hasattr(result, "_x"):  # a Value
            raise TypeError(f"the hook {name} of {node!r} returned a Value; in this pass it must return a number")
        if isinstance(result, bool) or (not isinstance(result, (int, float)) and not hasattr(result, "__float__")):
            raise TypeError(f"the hook {name} of {node!r} returned {result!r}; it must return a number or None")
        number = float(result)
        if not isfinite(number):
            raise ValueError(f"the hook {name} of {node!r} returned {number!r}; a gradient must be finite")
        return number
    if hasattr(result, "_x"):  # create_graph: a Value, or a number taken as a constant
        return result
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise TypeError(f"the hook {name} of {node!r} returned {result!r}; it must return a Value, a number or None")
    if not isfinite(result):
        raise ValueError(f"the hook {name} of {node!r} returned {result!r}; a gradient must be finite")
    return float(result) + 0 * g  # still a Value: the gradients after it keep their graph
