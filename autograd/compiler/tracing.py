"""Tracing: fn run once on Values standing for its arguments, and the graph its outputs depend on
recorded as index arrays (``_Trace``), its leaves checked; the garbage collector paused meanwhile."""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .. import modes
from ..errors import TraceError
from ..value import Value, _leaf
from .arguments import Tree, _flatten_tree, _number, _shape
from .tables import _user_ops


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off meanwhile (as it was after).

    Making the leaves, walking the graph and writing the code make a few small objects per node
    and no reference cycles; with the collector on, each of its full passes would walk the whole
    traced graph again (a fifth of the time of a large compile). It stays on while fn runs.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


_NEVER = 1 << 30  # a threshold the collector's oldest generation does not reach


@contextlib.contextmanager
def _full_collections_paused() -> Iterator[None]:
    """The collector's full passes off meanwhile, its young ones on.

    While fn runs, the garbage cycles it makes (rare) are still freed by the young passes, which
    look at new objects only; a full pass would walk the whole graph traced so far, which grows
    with every op (a 200,000-op graph traced twice as fast without them). Other threads keep the
    young passes too. The first of several overlapping compiles to pause them restores the
    threshold (the others see it paused already); code that sets it meanwhile is overruled.
    """
    young, middle, old = gc.get_threshold()
    if old == _NEVER:
        yield
        return
    gc.set_threshold(young, middle, _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


class _Trace:
    """What one traced call recorded: every node, in an order where children come first."""

    def __init__(self, fn: Callable[..., Any], params: list[Value], has_aux: bool) -> None:
        self.fn = fn
        self.params = params
        self.has_aux = has_aux
        self.nodes: list[Value] = []  # all nodes, children before parents; the leaves first (see _collect)
        self.xs: list[int] = []  # per node, the index of its first input (-1: none), and of its second
        self.ys: list[int] = []
        self.arg_leaves: list[list[Value]] = []  # per argument, its leaves in order
        self.shapes: list[Tree] = []  # per argument: None for a number, else a list of shapes
        self.arg_names: list[str] = []
        self.root: int | None = None  # None: no gradients, every output is in aux
        self.aux_slots: list[int] = []
        self.aux_shape: Tree = None
        self.param_slots: list[int] = []
        self.param_names: list[str] = []
        self.node_count = 0

    def inputs_of(self, args: Iterable[int]) -> list[int]:
        """The indices of the leaves of arguments ``args``: the arguments' leaves are the first
        nodes, argument by argument, each in order (then the params')."""
        starts = list(itertools.accumulate(map(len, self.arg_leaves), initial=0))
        return [i for a in args for i in range(starts[a], starts[a + 1])]


def _trace(
    fn: Callable[..., Any],
    example_args: tuple[Tree, ...],
    params: list[Value],
    param_names: list[str],
    has_aux: bool,
    backward: bool,
) -> _Trace:
    trace = _Trace(fn, params, has_aux)
    trace.param_names = param_names
    trace.arg_names = _arg_names(fn, len(example_args))
    traced_args = []
    with _collector_paused():
        for name, example in zip(trace.arg_names, example_args):
            leaves: list[Value] = []
            traced_args.append(_leaves_for(example, leaves, "", name))
            trace.arg_leaves.append(leaves)
            trace.shapes.append(_shape(example))
    inputs = [leaf for leaves in trace.arg_leaves for leaf in leaves] + params
    given_inputs = set(inputs)  # a Value is equal to itself alone
    if len(given_inputs) != len(inputs):
        raise ValueError("compile(): a Value appears twice among the arguments and params")
    with modes.tracing(given_inputs) as tracing, _full_collections_paused():
        result = fn(*traced_args)
    born = tracing.born
    if backward:
        root, aux = _split_result(result, has_aux, trace)
    else:
        root, aux = None, _checked_aux(result)
    # numbers in aux become constants, so that every output is a node
    given = _flatten_tree(aux) if has_aux or not backward else []
    auxes = [v if isinstance(v, Value) else Value(float(v), requires_grad=False) for v in given]
    with _collector_paused():
        index = _collect(trace, ([] if root is None else [root]) + auxes, given_inputs, born)
        _user_ops(trace.nodes)
        trace.root = None if root is None else index[root]
        trace.aux_slots = [index[v] for v in auxes]
        trace.aux_shape = _shape(aux)
        trace.param_slots = [index[p] for p in params]
        del index  # freed here, before the code is written: ~100 bytes a node
    return trace


def _leaves_for(example: Tree, leaves: list[Value], path: str, arg: str) -> Tree:
    """The traced stand-in for one argument: a leaf Value per number, in the same lists."""
    if not isinstance(example, (list, tuple)):
        return _leaf_for(example, leaves, f"{arg}{path}")
    traced = []
    add, add_leaf, isfinite = traced.append, leaves.append, math.isfinite
    for i, item in enumerate(example):  # a loop, not a call per number: lists can be long
        if type(item) is float and isfinite(item):  # the common case, as _leaf_for makes it
            leaf = _leaf(item, True)
            leaf._label = f"{arg}{path}[{i}]"
            add_leaf(leaf)
            add(leaf)
        elif isinstance(item, (list, tuple)):
            add(_leaves_for(item, leaves, f"{path}[{i}]", arg))
        else:
            add(_leaf_for(item, leaves, f"{arg}{path}[{i}]"))
    return traced


def _leaf_for(example: Any, leaves: list[Value], label: str) -> Value:
    if isinstance(example, Value) and example._x is None and example.requires_grad:
        leaf = example  # the very Value: code that holds it (a model, a closure) reads the input
    else:
        if type(example) is float and math.isfinite(example):
            number = example
        else:
            number = example._data if isinstance(example, Value) else _number(example, label, "compile()")
        leaf = _leaf(number, True)  # Value(number, label=label), less its checks: the number is valid
        leaf._label = label
    leaves.append(leaf)
    return leaf


def _split_result(result: Any, has_aux: bool, trace: _Trace) -> tuple[Value, Tree]:
    aux = None
    if has_aux:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(f"compile(has_aux=True): {_fn_name(trace.fn)} must return (value, aux), got {result!r}")
        result, aux = result[0], _checked_aux(result[1])
    if not isinstance(result, Value):
        hint = "; to return more, use has_aux=True and return (value, aux)" if isinstance(result, (list, tuple)) else ""
        raise TypeError(
            f"compile(): {_fn_name(trace.fn)} must return one Value (the one to differentiate), got {result!r}{hint}"
        )
    return result, aux


def _checked_aux(aux: Any) -> Tree:
    for v in _flatten_tree(aux):
        if not isinstance(v, (Value, int, float)):
            raise TypeError(
                f"compile(): the function returned {v!r} among its outputs; they may be Values and numbers in lists"
            )
    return aux


def _collect(trace: _Trace, outputs: list[Any], inputs: set[Value], born: set[Value]) -> dict[Value, int]:
    """Every node the outputs depend on into ``trace.nodes``, children first, the arguments' leaves
    and the params the first of all, in order; leaves checked. Returns each node's index."""
    nodes, xs, ys = trace.nodes, trace.xs, trace.ys
    nodes += itertools.chain.from_iterable(trace.arg_leaves)
    nodes += trace.params
    index = dict(zip(nodes, range(len(nodes))))
    xs += [-1] * len(nodes)
    ys += [-1] * len(nodes)
    # Iterative, as every walk here: graphs can be a million nodes deep. A node whose inputs
    # are still to be seen goes back on the stack under a None marker; an input seen already is
    # not pushed at all.
    stack: list[Any] = list(reversed(outputs))
    pop, push = stack.pop, stack.append
    add_node, add_x, add_y = nodes.append, xs.append, ys.append
    while stack:
        node = pop()
        if node is None:
            node = pop()
            y = node._y
            index[node] = len(nodes)
            add_node(node)
            add_x(index[node._x])
            add_y(-1 if y is None else index[y])
            continue
        if node in index:
            continue
        x = node._x
        if x is None:
            if node.requires_grad and node not in inputs and node not in born:
                raise TraceError(
                    f"compile(): {_fn_name(trace.fn)} uses {node!r}, which requires grad but is neither an "
                    "argument nor in params=, so its gradient would be lost; pass it in params= (a model's "
                    "weights), or make it a constant with .detach() or requires_grad=False"
                )
            index[node] = len(nodes)
            add_node(node)
            add_x(-1)
            add_y(-1)
            continue
        push(node)
        push(None)
        y = node._y
        if y is not None and y not in index:
            push(y)
        if x not in index:
            push(x)
    trace.node_count = len(nodes) - xs.count(-1)
    return index


def _arg_names(fn: Callable[..., Any], count: int) -> list[str]:
    import inspect

    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:count]
    return names + [f"x{i}" for i in range(len(names), count)]


def _fn_name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", type(fn).__name__)
