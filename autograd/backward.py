"""Gradients flowing back: the graph walks, ``backward()`` and ``grad()``.

A pass walks the graph from the root into an order where every node comes after its inputs,
then runs it backwards, one step per node (``steps.py``): when a node's turn comes, every path
into it has added its share, so its gradient is complete and can be handed on. ``backward()``
keeps its gradients in the nodes' ``.grad`` (the hot path); every other pass (``grad()``,
anomaly mode, hooks, ``trace_backward``) keeps them in a dict and changes no node until the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from itertools import repeat
from math import isfinite
from typing import TYPE_CHECKING, Any

from . import modes, steps
from .errors import OpDefinitionError, OperationError, OperationOverflowError, backward_error, name_of, trace_error
from .steps import PENDING, Pending, Step

if TYPE_CHECKING:
    from .value import Value

# One backward() at a time writes marks into .grad: two threads training one model then add both
# their gradients, rather than each skipping the nodes the other has marked. No user code runs
# while it is held, so a thread that finds it holds it already was stopped (an exception raised by
# a tracer between the body of the `with` and its exit) and lets it go.
_writing = threading.RLock()


def _take_writing() -> threading.RLock:
    while _writing._is_owned():  # type: ignore[attr-defined]
        _writing.release()
    return _writing


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on and that requires grad, each after its children.

    ``root`` itself comes last (the list is empty if ``root`` does not require grad).
    """
    # Iterative, because graphs can be a million nodes deep. An inner node, when first seen,
    # goes back on the stack under a None marker; popping the marker means its children are
    # all in `order`. A leaf has nothing to wait for and goes straight in.
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())
        elif node.requires_grad and node not in visited:
            visited.add(node)
            if node._x is None:
                order.append(node)
            else:
                stack.append(node)
                stack.append(None)
                stack.append(node._x)
                if node._y is not None:
                    stack.append(node._y)
    return order


# ----------------------------------------------------------------------------- backward()


def backward(root: Value) -> None:
    """Fill ``.grad`` of every node ``root`` depends on with d(root)/d(node): ``root.backward()``.

    Intermediate nodes hold the gradient of this latest pass (each pass overwrites them);
    leaves accumulate, as in PyTorch: two calls give exactly twice the leaf grads. A node
    reached along several paths gets the sum over all of them. Works on graphs of any
    depth (no recursion). If a gradient is infinite or undefined it raises OperationError
    naming the op; leaves then keep the ``.grad`` they had and inner nodes read 0.0. So does
    anything else that stops the pass, KeyboardInterrupt included.
    """
    if modes.busy:
        state = modes.current()
        if state.tracing is not None:
            raise trace_error(root, "called backward()", "use autograd.grad(..., create_graph=True) inside it")
        if state.anomaly:
            return _backward_in_dict(root, steps.CHECKED)
    if _hooks.live:
        return _backward_in_dict(root, steps.FLOATS)
    if not root.requires_grad:
        raise ValueError(
            f"backward() needs a Value that requires grad, but {root!r} is a constant "
            "(made from a number, under no_grad(), or by detach())"
        )
    # The hot path: the pass keeps each gradient in the node's .grad, marking the nodes it walks.
    mark = Pending()  # this pass's own: a mark left by another pass is no mark of this one
    order: list[Value] = []
    leaves: list[tuple[Value, Any]] = []  # each leaf with the .grad it had
    with _take_writing():
        # Everything from the first mark on happens inside this try, so that whatever stops the
        # pass (an error, KeyboardInterrupt) leaves no mark behind and every leaf as it was.
        try:
            _walk(mark, order, leaves, [root])
            root.grad = 1.0
            node, compiled = root, steps.COMPILED
            try:
                for node in reversed(order):
                    if node._x is not None:  # a leaf has nothing to hand on
                        compiled[node.op](node, node.grad, mark)
            except (ValueError, ArithmeticError) as cause:
                raise backward_error(node, cause) from None
            # Leaves accumulate: this pass's gradient plus what they had. Every formula is g times
            # something finite, so an inf or NaN anywhere in the pass reaches a leaf.
            for leaf, old in leaves:
                total = leaf.grad + old
                if not isfinite(total):
                    raise _leaf_overflow(order, leaf, old)
                leaf.grad = total
        except BaseException:
            _set_grads(order, repeat(0.0))  # the pass did not finish: inner nodes have no gradient
            _unmark(root, mark)  # those of a walk that did not finish
            _set_grads([leaf for leaf, _ in leaves], [old for _, old in leaves])
            raise


def _walk(mark: Pending, order: list[Value], leaves: list[tuple[Value, Any]], stack: list[Any]) -> None:
    """``topological_order`` for backward(), into ``order``: it marks each node it has seen by setting
    its ``.grad`` to ``mark`` (which is where the pass starts anyway) instead of keeping a set.

    A leaf goes into ``leaves`` before it is marked; an inner node is marked only after it was
    reached from a marked one, so from the root every marked node can be found (``_unmark``).
    """
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())  # its inputs are all in order: now it goes in
        elif node.requires_grad and node.grad is not mark:
            if node._x is None:
                g = node.grad  # None (no gradient yet, as in PyTorch) and a stray mark count as 0.0
                leaves.append((node, 0.0 if g is None or type(g) is Pending else g))
                order.append(node)
            else:
                stack.append(node)
                stack.append(None)
                stack.append(node._x)
                if node._y is not None:
                    stack.append(node._y)
            node.grad = mark


def _unmark(root: Value, mark: Pending) -> None:
    """Set every node still marked by an unfinished walk to 0.0, following marked nodes from the root."""
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is not None and node.grad is mark:
            node.grad = 0.0
            stack.append(node._x)
            stack.append(node._y)


def _backward_in_dict(root: Value, op_steps: dict[str, Step]) -> None:
    """backward() through a dict pass (anomaly mode, hooks); ``.grad`` changes only at the end, at once."""
    if not root.requires_grad:
        raise ValueError(f"backward() needs a Value that requires grad, but {root!r} is a constant")
    order = topological_order(root)
    grads = run_pass(order, 1.0, op_steps, hooks=True)
    values = []
    for node, g in grads.items():
        if node._x is None:
            old = node.grad
            total = g + (0.0 if old is None or type(old) is Pending else old)
            if not isfinite(total):
                raise _sum_overflow(node, g, old)
            g = total
        values.append(g)
    with _take_writing():
        _set_grads(grads, values)


def step_by_hand(node: Value) -> None:
    """``node._backward()``: one step of the chain rule, adding into the inputs' ``.grad``."""
    steps.COMPILED[node.op](node, node.grad, PENDING)  # no .grad is PENDING: every share is added


def _set_grads(nodes: Iterable[Value], values: Iterable[Any]) -> None:
    any(map(setattr, nodes, repeat("grad"), values))  # a single C-level loop


def _leaf_overflow(order: list[Value], leaf: Value, old: Any) -> OperationError:
    """The error for a pass whose gradient of ``leaf``, or its sum with the ``old`` one, is not finite."""
    if not isfinite(leaf.grad):
        return _overflow_error(order)
    return _sum_overflow(leaf, leaf.grad, old)


def _sum_overflow(leaf: Value, g: float, old: Any) -> OperationError:
    if not isfinite(g):
        return OperationOverflowError(f"the gradient of {name_of(leaf)} is not finite ({g!r})")
    return OperationOverflowError(
        f"adding this pass's gradient {g!r} to the {old!r} that {name_of(leaf)} held overflows a float; "
        "set .grad = 0.0 (or call zero_grad()) between passes"
    )


def _overflow_error(order: list[Value]) -> OperationError:
    """The error for a float pass that overflowed, naming the op (found by a checked rerun)."""
    try:
        run_pass(order, 1.0, steps.CHECKED)  # raises at the first gradient that is not finite
    except OperationError as error:
        return error
    raise AssertionError("a pass overflowed once, and not when checked")


# ----------------------------------------------------------------------------- the dict pass


def run_pass(order: list[Value], seed: Any, op_steps: dict[str, Step], hooks: bool = False) -> dict[Value, Any]:
    """The chain rule over ``order`` (a topological order, root last) into a dict: node -> gradient.

    ``seed`` is d root / d root. The nodes' ``.grad`` is neither read nor written. ``op_steps``
    decide what the numbers are (see steps.py). An infinite or undefined gradient raises an
    OperationError naming the op. With ``hooks``, each node's hooks see its complete gradient
    and may replace it before it is handed on.
    """
    grads: dict[Value, Any] = dict.fromkeys(order, PENDING)
    grads[order[-1]] = seed
    run_hooks = hooks and _hooks.live
    for node in reversed(order):
        g = grads[node]
        if run_hooks:
            g = grads[node] = _hooks.run(node, g)  # a hook's own error is the user's, not the op's
        if node._x is not None:
            try:
                op_steps[node.op](node, g, grads)
            except OpDefinitionError:
                raise  # a user's op that cannot take this pass says so itself
            except (ValueError, ArithmeticError) as cause:
                raise backward_error(node, cause) from None
    return grads


def toward(order: list[Value], inputs: list[Value]) -> list[Value]:
    """The nodes of ``order`` from which some input can be reached, in the same order."""
    reaching = set(inputs)
    kept = []
    for node in order:  # children come first, so each child is settled before its parents
        if node in reaching or any(child in reaching for child in node.children):
            reaching.add(node)
            kept.append(node)
    return kept


def grad(output: Value, inputs: Value | Iterable[Value], create_graph: bool = False) -> list[Any]:
    """d output / d each input, as a list; ``.grad`` is left untouched.

    Only the paths from ``output`` to the inputs are followed. With ``create_graph=True`` the
    gradients are Values with graphs of their own, so they can be differentiated again
    (second, third... derivatives). An input that ``output`` does not depend on gets 0.
    """
    from .value import Value  # at call time: value.py imports this module

    if not isinstance(output, Value):
        raise TypeError(f"grad() expects a Value as output, got {output!r} ({type(output).__name__})")
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"grad() expects Values as inputs, got {x!r} ({type(x).__name__})")
    if not output.requires_grad:
        raise ValueError(
            f"grad() needs an output that requires grad, but {output!r} is a constant (made from numbers "
            "only, under no_grad(), or by detach())"
        )
    state = None if not modes.busy else modes.current()
    if state is not None and state.tracing is not None and not create_graph:
        raise trace_error(output, "called grad() without create_graph=True", "pass create_graph=True")
    order = toward(topological_order(output), inputs)
    zero: Any = Value(0.0) if create_graph else 0.0  # as a Value, differentiable again (to 0)
    if not order or order[-1] is not output:
        return [zero for _ in inputs]  # no input is reachable
    if create_graph:
        # The seed d output / d output = 1 is a leaf of its own, so every gradient, being linear in
        # it, has a graph, even one constant in the inputs: its own gradient is then 0, not an error.
        with modes.enable_grad():
            grads = run_pass(order, Value(1.0, label="seed"), steps.ON_VALUES, hooks=True)
    else:
        checked = state is not None and state.anomaly
        grads = run_pass(order, 1.0, steps.CHECKED if checked else steps.FLOATS, hooks=True)
    result = [grads.get(x, zero) for x in inputs]
    if not create_graph and not all(map(isfinite, result)):
        raise _overflow_error(order)
    return result


from . import hooks as _hooks  # noqa: E402  (hooks.py reads nothing of this module at import)
