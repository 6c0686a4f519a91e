"""compile(fn): trace a function once on Values, then run it as straight-line Python on floats.

Tracing calls ``fn`` with Values standing for its arguments, which records its graph. From that
graph the compiler writes one Python function: the forward pass, node by node, then the backward
pass, each node's gradient written out from the formulas of the op table (evaluated on
``Symbol``, so they become source text). The result is ``value_and_grad`` style:

    >>> f = compile(lambda a, b: (a * b + b ** 3).tanh(), 0.5, 0.25)
    >>> value, (da, db) = f(0.5, 0.25)

``print(f.source)`` shows the code. It does the same float operations in the same order as the
engine's ``grad()``, so the numbers are identical, bit for bit. A graph of any size compiles (a
chain a million ops deep, a sum of a hundred thousand terms): beyond a few hundred lines, the
code is cut into small functions, and where the same code recurs (a chain, each example of a
batch) one function serves every place, compiled once.

The rule of tracing (as for ``jax.jit``): the function is run once, and only its Value operations
are recorded. Python that looks at a traced Value's number, such as ``if x.data > 0`` or ``if x:``,
would be frozen to the branch taken while tracing, so it raises ``TraceError``. Numbers and
constant Values the function reads from elsewhere are baked in: pass anything that changes as an
argument (or, for a model's weights, in ``params=``).

Dead code is left out, as ``jax.jit`` leaves it out: the compiled code computes what the outputs
depend on, and nothing else. An operation whose result the function drops (``x.log()`` computed,
then not used) is not in it, so a call neither spends time on it nor raises where the engine,
running the function itself, would (at ``x = 0``). To have it checked, make it part of an output
(``has_aux=True``).
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import itertools
import keyword
import linecache
import math
import numbers
import operator
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .. import backward, modes, ops
from ..errors import OperationOverflowError, TraceError, name_of
from ..modes import no_grad
from ..ops import OPS, Formula
from ..symbolic import ATOM, POWER, PRODUCT, SUM, UNARY, Symbol, symbol
from ..value import Value, _leaf, apply

Tree = Any  # a number, a Value, or a list or tuple of trees

# How each op's forward is written in the generated code: an operator, or a call to the very
# function the engine runs (bound under this name in the code's namespace).
_INFIX = {"+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT}  # the precedence of each
_FORWARD_NAMES = {
    "max": "max",
    "**": "power",
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "abs": "fabs",
    "sin": "sin",
    "cos": "cos",
    "sign": "signum",
}

# Ops whose result can be finite although an input is inf or NaN (relu(-inf) is 0, 1 / inf is 0):
# the inputs they are given (those slots) are checked, so that no overflow is hidden.
_HIDING = {
    "/": (1,),
    "**": (0, 1),
    "max": (0, 1),
    "relu": (0,),
    "tanh": (0,),
    "sigmoid": (0,),
    "exp": (0,),
    "sign": (0,),
}


def compile(
    fn: Callable[..., Any],
    *example_args: Tree,
    params: Iterable[Value] | Any = (),
    wrt: int | Sequence[int] | None = None,
    has_aux: bool = False,
    inline: bool = True,
    backward: bool = True,
) -> Compiled:
    """Trace ``fn(*example_args)`` once and compile its forward and backward pass to Python.

    ``example_args`` are numbers or (nested) lists of numbers; a compiled call takes arguments of
    the same shapes and returns ``(value, grads)``: ``fn``'s result as a float and, for each
    argument in ``wrt`` (default: all), its gradient, shaped like the argument. A call takes what
    ``Value()`` takes as a number (not ``"3"`` or ``b"3"``) and lists or tuples of the traced
    lengths (not a set, a dict or a string); anything else raises the engine's error.

    ``params`` are Values that ``fn`` reads without taking them as arguments, such as a model's
    weights (a ``Module`` is taken as its parameters). Each call reads their current ``.data``
    and adds their gradients into ``.grad``, as ``backward()`` would (a ``.grad`` of None counts as
    0), all of them or, if the call is interrupted, none; so an optimizer steps as usual. With
    ``has_aux=True``, ``fn`` returns ``(value, aux)``, where ``aux`` is Values or numbers in
    lists; a call then returns ``((value, aux), grads)`` with ``aux`` as floats.

    With ``backward=False`` the compiled code is the forward pass alone: ``fn`` may return Values
    in (nested) lists, and a call returns their numbers in the same lists, touching no ``.grad``
    (for predictions, like running the model under ``no_grad()``).

    With ``inline=False`` every node gets a line of its own, as in the engine's graph; by default
    a value used once is written into the expression that uses it, as one would by hand.

    Raises ``TraceError`` where tracing cannot capture ``fn`` (see the module docstring).
    """
    if modes.busy and modes.current().tracing is not None:
        raise TraceError(
            "compile() was called inside a function that compile() is tracing; compile the outer one alone"
        )
    if not backward and (wrt is not None or has_aux):
        raise ValueError("compile(): wrt= and has_aux= are about gradients, which backward=False leaves out")
    wrt_args = _wrt(wrt, len(example_args)) if backward else ()
    trace = _trace(fn, example_args, *_params(params), has_aux, backward)
    with _collector_paused():
        return _generate(trace, wrt_args, inline)


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


class Compiled:
    """A traced function compiled to Python; call it with numbers shaped like the example arguments.

    ``source`` is the generated code; ``nodes`` the number of operations traced.
    """

    source: str
    nodes: int
    name: str

    def _setup(self, trace: _Trace, wrt: tuple[int, ...]) -> None:
        self._trace = trace
        self._wrt = wrt
        self._params = trace.params
        self._kinds = [_kind(shape) for shape in trace.shapes]
        self.nodes = trace.node_count
        self.name = _fn_name(trace.fn)

    def __call__(self, *args: Tree) -> Any:  # replaced by the generated code in each subclass
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<compiled {self.name}: {self.nodes} ops, {self.source.count(chr(10))} lines>"

    def _finish(self, values: list[float]) -> Any:
        """The result of a call of the code cut into steps, from the list of values they made."""
        trace = self._trace
        outputs = self._gather(values)
        aux_count = self._aux_count
        start = 0 if trace.root is None else 1
        aux = _unflatten(outputs[start : start + aux_count], trace.aux_shape)
        if trace.root is None:
            return aux  # the forward pass alone
        result: Any = (outputs[0], aux) if trace.has_aux else outputs[0]
        start += aux_count
        per_arg = []
        for i in self._wrt:
            kind = self._kinds[i]
            size = 1 if kind is None else kind if type(kind) is int else _size(trace.shapes[i])
            part = outputs[start : start + size]
            per_arg.append(list(part) if type(kind) is int else _unflatten(part, trace.shapes[i]))
            start += size
        if self._params:
            _add_into_params(self._params, outputs[start:])
        return result, tuple(per_arg)

    def _slow(self, args: tuple[Tree, ...]) -> Any:
        """The engine's own answer, for a call the fast code could not finish cleanly.

        Reruns the recorded operations on Values, so that a bad argument or a value out of an op's
        domain raises the engine's error, naming the op; if nothing is wrong (a false alarm, such
        as a check sum that overflowed), returns the engine's result.
        """
        trace = self._trace
        flat = _flatten_args(args, trace.shapes, self.name)
        values = _replay(trace, flat)
        aux = _unflatten([values[i]._data for i in trace.aux_slots], trace.aux_shape)
        if trace.root is None:
            return aux  # the forward pass alone
        out = values[trace.root]
        targets = [values[i] for i in trace.inputs_of(self._wrt)] + [values[i] for i in trace.param_slots]
        grads = backward.grad(out, targets) if out.requires_grad else [0.0] * len(targets)
        n = len(grads) - len(self._params)
        _add_into_params(self._params, grads[n:])
        result: Any = out._data
        if trace.has_aux:
            result = (result, aux)
        per_arg, start = [], 0
        for i in self._wrt:
            size = _size(trace.shapes[i])
            per_arg.append(_unflatten(grads[start : start + size], trace.shapes[i]))
            start += size
        return result, tuple(per_arg)


# ----------------------------------------------------------------------------- tracing


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


# ----------------------------------------------------------------------------- code generation
#
# The code is written in two passes. The first (_Source) walks the graph and writes one
# statement per value that gets a name (a node's value, a gradient, a partial sum): its
# expression, in which every named value is a placeholder such as {v1000000012} (the value in
# place 12, see below). The second (_Code) gives the placeholders their names. While the statements are
# few, they become one readable function, named after the arguments and labels. Beyond that,
# one function would cost Python's compiler about 3 KB per line, all at once, and several us per
# line, so the statements are cut into steps: small functions that read the values they need
# from one list and append the values they make to it. Steps whose code is the same (in a chain,
# a sum, each example of a batch) share one function, compiled once.
#
# Measured on CPython 3.11 (benchmarks/bench.py prints the figures): a function of n lines
# takes Python's compile() ~3 KB per line at its peak and 2 to 8 us per line, the more the
# longer the function; steps of a few hundred characters' worth of statements cost a few us of
# overhead per call each, which a step of ~100 statements makes negligible.
#
# Every different step is compiled once, and a regular graph has about ten different ones
# (where the chain starts, its body, where the backward pass turns, ...) whatever its length:
# so the steps are shorter in a small graph, where those ten are most of the code (with steps a
# quarter as long, a 1,000-op chain compiles in three quarters of the instructions), and grow
# to full length at _STEP_FULL ops, where the calls they save (an MLP step runs ~10% faster)
# matter more than the once-compiled code.

# A placeholder, {v1000000012}, stands for a named value: the number after the v is the value's
# place in the list of values that the steps fill (the leaves first, then each statement in
# turn), plus _WIDE, so that all placeholders have the same length and the length of a
# statement says something about its code and nothing about where it stands.
_WIDE = 1_000_000_000
_MAX_DEPTH = 40  # an expression nested deeper than this is cut (Python's compiler recurses per level)
_MAX_LENGTH = 1200  # and one longer than this many characters (a balanced tree is shallow but wide)
_SMALL = 250  # statements: up to this many make one readable function; beyond, steps
_STEP_MIN, _STEP_MAX, _STEP_SPREAD = 800, 4000, 8  # characters per step, and how often to cut
_STEP_FULL, _STEP_SHORTEST = 10_000, 0.25  # ops from which steps are full length; the shortest, as a fraction


class _Writer:
    """Readable names for the generated function: unique as Python reads identifiers."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.used = set(reserved) | set(keyword.kwlist) | set(dir(builtins)) | {"self", "args"}
        self.counter = itertools.count()

    def fresh(self, wish: Any, fallback: str) -> str:
        """``wish`` made an identifier, or ``fallback`` numbered: never one that is taken.

        Python reads identifiers in NFKC form ("µ" is "μ", "ｔ0" is "t0"), so names are
        compared, and written, in that form; a label that is not a string is not used.
        """
        name = ""
        if isinstance(wish, str) and wish:
            name = unicodedata.normalize("NFKC", wish).replace(".", "_").replace("[", "_").replace("]", "").strip("_")
        if not name.isidentifier() or name in self.used or keyword.iskeyword(name):
            name = f"{fallback}{next(self.counter)}"
            while name in self.used:
                name = f"{fallback}{next(self.counter)}"
        self.used.add(name)
        return name


class _Steps:
    """Statements cut into steps; identical steps share one compiled function."""

    def __init__(self, namespace: dict[str, Any], filename: str, ops: int) -> None:
        self.namespace, self.filename = namespace, filename
        scale = min(1.0, max(_STEP_SHORTEST, ops / _STEP_FULL))
        self.shortest, self.longest = int(_STEP_MIN * scale), int(_STEP_MAX * scale)
        self.count = 0  # places taken in the list of values: the leaves', then those of the steps cut
        self.steps: list[tuple[Callable[..., None], Callable[..., Any] | None]] = []
        self.functions: dict[str, tuple[int, Callable[..., None]]] = {}  # body -> (number, function)
        self.sources: list[str] = []
        self.calls: list[int] = []
        self.made: list[str] = []
        self.texts: list[str] = []
        self.size = self.last = 0

    def leaves(self, count: int) -> None:
        """The arguments' and params' numbers: the first places in the list, before any step runs."""
        self.count += count

    def add(self, text: str, wish: Any = None, fallback: str = "", of: int | None = None) -> str:
        """A statement: ``text`` given a place in the list of values, whose placeholder (without its
        braces) is returned (the rest names it in the readable form, not needed here)."""
        # A step ends where its content says, so that code that repeats is cut the same way each
        # time: where the kind of statement changes (told by the length of its text, in which
        # every placeholder has the same length), at one change in _STEP_SPREAD, picked by a
        # checksum; within bounds on the step's length.
        length = len(text)
        if self.size >= self.shortest and (
            self.size >= self.longest
            or (length != self.last and zlib.crc32(b"%d %d" % (self.last, length)) % _STEP_SPREAD == 0)
        ):
            self.cut()
        self.last = length
        ref = f"v{self.count + len(self.made) + _WIDE}"
        self.made.append(ref)
        self.texts.append(text)
        self.size += length
        return ref

    def cut(self) -> None:
        """End the step: its code named, compiled unless the same code was, and noted to run."""
        made = self.made
        if not made:
            return
        # a0, a1, ... for the values the step makes, in order, then for those it reads that
        # earlier steps made, in the order it first reads them (format_map meets them in that
        # order, and _Locals names each the first time)
        n = len(made)
        names = _local_names(n)
        local = _Locals(zip(made, names))
        starts = _ASSIGNS if n <= len(_ASSIGNS) else _ASSIGNS + [f"\n    a{k} = " for k in range(len(_ASSIGNS), n)]
        body = "".join(itertools.chain.from_iterable(zip(starts, self.texts))).format_map(local)[1:] + "\n"
        live = local.live
        if live:
            reads = _local_names(n + len(live))[n:]
            body = f"    {reads[0] if len(reads) == 1 else _targets(reads)} = get(v)\n{body}"
        body += f"    v += {_targets(names)}\n"
        known = self.functions.get(body)
        if known is None:
            number = len(self.sources)
            source = f"def _step{number}(v, get):\n{body}"
            filename = f"{self.filename} step {number}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            exec(builtins.compile(source, filename, "exec"), self.namespace)
            known = self.functions[body] = (number, self.namespace.pop(f"_step{number}"))
            self.sources.append(source)
            self.calls.append(0)
        self.calls[known[0]] += 1
        self.steps.append((known[1], operator.itemgetter(*live) if live else None))
        self.count += n
        self.made, self.texts, self.size = [], [], 0


_LOCAL_NAMES = [f"a{k}" for k in range(2000)]
_ASSIGNS = [f"\n    a{k} = " for k in range(2000)]  # how a step's lines start


class _Locals(dict):  # type: ignore[type-arg]
    """A step's local names by placeholder; one it has not met is a value an earlier step made,
    read into the next free name (and its place in the list of values noted in ``live``)."""

    def __init__(self, made: Iterable[tuple[str, str]]) -> None:
        super().__init__(made)
        self.live: list[int] = []

    def __missing__(self, ref: str) -> str:
        name = self[ref] = _LOCAL_NAMES[len(self)] if len(self) < len(_LOCAL_NAMES) else f"a{len(self)}"
        self.live.append(_place(ref))
        return name


def _place(ref: str) -> int:
    """The place in the list of values of the value with placeholder ``ref`` (without its braces)."""
    return int(ref[1:]) - _WIDE


def _local_names(n: int) -> list[str]:
    """``a0`` to ``a{n-1}``."""
    return _LOCAL_NAMES[:n] if n <= len(_LOCAL_NAMES) else _LOCAL_NAMES + [f"a{k}" for k in range(len(_LOCAL_NAMES), n)]


class _Code:
    """The second pass: statements with placeholders, turned into one function or into steps."""

    def __init__(self, namespace: dict[str, Any], filename: str, ops: int) -> None:
        self.namespace, self.filename, self.ops = namespace, filename, ops
        self.names: dict[str, str] = {}
        self.wishes: list[Any] = []  # for the arguments' numbers and the params', named first
        self.fallbacks: list[str] = []
        self.made = 0  # values named so far, the leaves included: the next one's place
        self.statements: list[tuple[str | None, str, Any, str, int | None]] = []  # while few
        self.steps: _Steps | None = None

    def leaves(self, wishes: list[Any], fallbacks: list[str]) -> list[str]:
        """Placeholders for the arguments' numbers and the params' (the first values of all), each
        to be named after its wish (a leaf, whose label is read, or a name) or its fallback."""
        self.wishes, self.fallbacks = wishes, fallbacks
        self.made = len(wishes)
        return [f"v{k + _WIDE}" for k in range(self.made)]

    def comment(self, text: str) -> None:
        if self.steps is None:
            self.statements.append((None, text, None, "", None))

    def assign(self, text: str, wish: Any, fallback: str, of: int | None = None) -> str:
        """A statement naming ``text``; returns its placeholder (without its braces). ``wish`` names
        it in the readable form, or ``g_`` and the name of node ``of``'s value.

        A value's placeholder is its place in the list of values the steps fill (plus _WIDE), so
        that the steps need no table of places: the leaves take the first places, then each
        statement the next, in the order made, as here."""
        ref = f"v{self.made + _WIDE}"
        self.made += 1
        self.statements.append((ref, text, wish, fallback, of))
        if len(self.statements) > _SMALL:  # too many for one function: steps from now on
            steps = self.steps = _Steps(self.namespace, self.filename, self.ops)
            steps.leaves(len(self.wishes))
            for made, text, *_ in self.statements:
                if made is not None and steps.add(text) != made:
                    raise AssertionError(f"compile(): statement {made} got another place in the steps")
            self.statements = []
            self.assign = steps.add  # type: ignore[method-assign]
        return ref

    def readable(self, values: list[Any]) -> list[str]:
        """The statements of the readable form, each placeholder given its name (the arguments'
        and params' first, then each in turn, in the order the code reads); ``values`` are the
        nodes' expressions (for a gradient's name, that of its node's value)."""
        names, fresh = self.names, _Writer(self.namespace).fresh
        for k, (wish, fallback) in enumerate(zip(self.wishes, self.fallbacks)):
            names[f"v{k + _WIDE}"] = fresh(wish.label if isinstance(wish, Value) else wish, fallback)
        lines = []
        for ref, text, wish, fallback, of in self.statements:
            if ref is None:
                lines.append(f"        {text}")
                continue
            line = text.format_map(names)
            if of is not None:
                value = values[of].source[1:-1]  # its placeholder, if it is named
                wish = f"g_{names[value]}" if value in names else ""
            elif isinstance(wish, Value):
                wish = wish.label
            name = names[ref] = fresh(wish, fallback)
            lines.append(f"        {name} = {line}")
        return lines


def _generate(trace: _Trace, wrt: tuple[int, ...], inline: bool) -> Compiled:
    """The Compiled object for ``trace``: its source written, compiled and bound."""
    namespace = _namespace()
    filename = f"<autograd.compile {_comment(_fn_name(trace.fn))}"
    code = _Code(namespace, filename, trace.node_count)
    source = _Source(trace, wrt, inline, code)
    source.write()
    compiled = source.finish()
    filename += ">"
    linecache.cache[filename] = (len(compiled.source), None, compiled.source.splitlines(True), filename)
    main = compiled.source.split("\n\n", 1)[0] + "\n"  # the steps, if any, are compiled already
    exec(builtins.compile(main, filename, "exec"), namespace)
    cls = type("Compiled", (Compiled,), {"__call__": namespace["__call__"], "__module__": __name__})
    compiled.__class__ = cls
    return compiled


class _Source:
    """Writes the code of one traced function: its arguments, forward pass, backward pass and
    result, each section by a method of its own, in that order. Nodes are known by their index
    in ``trace.nodes``; ``trace.xs`` and ``trace.ys`` give their inputs'."""

    def __init__(self, trace: _Trace, wrt: tuple[int, ...], inline: bool, code: _Code) -> None:
        self.trace, self.wrt, self.inline, self.code = trace, wrt, inline, code
        self.nodes = trace.nodes
        n = len(self.nodes)
        self.root = None if trace.root is None else self.nodes[trace.root]
        root = self.root
        self.targets = set() if root is None else set(trace.inputs_of(wrt)) | set(trace.param_slots)
        # the nodes a gradient reaches, in the engine's order; wanted[i] tells whether i is one
        self.wanted = wanted = bytearray(n)
        if self.targets and root.requires_grad:  # type: ignore[union-attr]
            self.order = _backward_order(trace, self.targets)
            for i in self.order:
                wanted[i] = 1
        else:
            self.order = []
        self.expr: list[Any] = [None] * n  # each node's value: a placeholder or an expression
        self.named = bytearray(n)
        self.gradients: dict[int, str] = {}  # the placeholder of each target's gradient, without its braces
        self.checked: list[int] = []  # values an op could hide an inf in, for the final check

    def write(self) -> None:
        self.needs_name = self.plan()
        self.arguments()
        self.forward()
        if self.root is not None:
            self.backward()

    def plan(self) -> bytearray:
        """Which nodes get a line of their own: those used twice, read by a gradient formula, or
        checked, and the outputs; with ``inline=False``, all."""
        nodes, xs, ys, checked = self.nodes, self.trace.xs, self.trace.ys, self.checked
        needs_name = bytearray([not self.inline]) * len(nodes)
        self.uses = uses = [0] * len(nodes)
        for i, node in enumerate(nodes):
            x = xs[i]
            if x < 0:
                continue
            uses[x] += 1
            y = ys[i]
            if y >= 0:
                uses[y] += 1
            hiding = _HIDING.get(node.op)
            if hiding is not None:
                if 0 in hiding and xs[x] >= 0:
                    needs_name[x] = 1
                    checked.append(x)
                if y >= 0 and 1 in hiding and xs[y] >= 0:
                    needs_name[y] = 1
                    checked.append(y)
        wanted = self.wanted
        for i in self.order:
            x = xs[i]
            if x < 0:
                continue
            reads = _READS[nodes[i].op]
            places = (x, ys[i], i)
            if wanted[x]:
                for used in reads[0]:
                    needs_name[places[used]] = 1
            if ys[i] >= 0 and wanted[ys[i]]:
                for used in reads[1]:
                    needs_name[places[used]] = 1
        for i in self.trace.aux_slots if self.root is None else [self.trace.root, *self.trace.aux_slots]:
            needs_name[i] = 1
        return needs_name

    def arguments(self) -> None:
        """Name the arguments' numbers and the params' (they are read by the code's preamble)."""
        trace, expr, named = self.trace, self.expr, self.named
        wishes = [leaf for leaves in trace.arg_leaves for leaf in leaves] + trace.param_names
        fallbacks = ["x"] * (len(wishes) - len(trace.params)) + ["p"] * len(trace.params)
        refs = self.code.leaves(wishes, fallbacks)  # the arguments' leaves, then the params: nodes 0, 1, ...
        expr[: len(refs)] = [_Expr("{" + ref + "}") for ref in refs]
        named[: len(refs)] = b"\x01" * len(refs)

    def forward(self) -> None:
        """Each named node gets a line; any other is written into its one user's expression."""
        self.code.comment("# forward")
        nodes, xs, ys = self.nodes, self.trace.xs, self.trace.ys
        expr, named, needs_name, uses = self.expr, self.named, self.needs_name, self.uses
        code, infix = self.code, _INFIX
        for i, node in enumerate(nodes):
            x = xs[i]
            if x < 0:
                if expr[i] is None:
                    expr[i] = _literal(node._data)  # a constant
                continue
            op, y = node.op, ys[i]
            a = expr[x]
            if not named[x] and xs[x] >= 0:
                expr[x] = _SPENT  # written into this expression: not needed on its own any more
            if y < 0:
                e = _Expr(f"-{_operand(a, UNARY)}", UNARY, a.depth + 1) if op == "neg" else _forward_one(op, a)
            else:
                b = expr[y]
                if not named[y] and xs[y] >= 0:
                    expr[y] = _SPENT
                if op in infix:
                    e = _infix(a, op, b, infix[op])
                elif op == "**" and xs[y] < 0 and not named[y] and nodes[y]._data.is_integer():
                    e = _power(a, _literal(nodes[y]._data))  # float ** n is math.pow's number
                else:
                    e = _Expr(f"{_FORWARD_NAMES[op]}({a.source}, {b.source})", ATOM, max(a.depth, b.depth) + 1)
            if needs_name[i] or uses[i] != 1 or e.depth > _MAX_DEPTH or len(e.source) > _MAX_LENGTH:
                ref = code.assign(e.source, node, "t")
                e = _Expr("{" + ref + "}")
                named[i] = 1
            expr[i] = e

    def backward(self) -> None:
        """In the engine's order, each node's gradient: the sum of its shares, in the order the
        engine adds them (so the floats come out the same), passed on by its op's formulas."""
        self.code.comment("# backward: g_v is d(result)/dv")
        shares: list[Any] = [None] * len(self.nodes)  # for each node, its share so far, or a list of them
        nodes, xs, ys, expr, named = self.nodes, self.trace.xs, self.trace.ys, self.expr, self.named
        wanted, code, inline = self.wanted, self.code, self.inline
        root, gradients, passes = self.trace.root, self.gradients, _PASSES
        for i in reversed(self.order):
            if i == root:
                g = _Expr("1.0")
            else:
                g = shares[i]
                shares[i] = None
                if type(g) is list:
                    g = self._sum(g)
            x = xs[i]
            if x < 0:  # a leaf in the order is a target: its gradient gets a name, and goes no further
                ref = code.assign(g.source, "", "g_t", i)
                gradients[i] = ref
                continue
            # an inner node: never a target (those are arguments and params, leaves all)
            y = ys[i]
            to_x = wanted[x]
            to_y = y >= 0 and wanted[y]
            if not (to_x or to_y):
                continue
            op = nodes[i].op
            source = g.source
            if inline and source[0] == "{" and g.precedence == ATOM:
                pass  # already a name: no line needed to pass it on
            elif not inline or to_x + to_y != 1 or g.depth > _MAX_DEPTH or len(source) > _MAX_LENGTH or op in _G_TWICE:
                ref = code.assign(source, "", "g_t", i)
                g = _Expr("{" + ref + "}")
            # a constant input reaches the formulas as its number, so that what depends on it alone
            # is worked out here, once (sign(2.0) is 1), and helpers know it (pow_grad of a known power)
            grads, out = OPS[op].grads, expr[i]
            a = nodes[x]._data if xs[x] < 0 and not named[x] else expr[x]
            if y < 0:
                inputs: tuple[Any, ...] = (a,)
            else:
                inputs = (a, nodes[y]._data if xs[y] < 0 and not named[y] else expr[y])
            if to_x:
                formula = grads[0]
                share = g if formula in passes else _share(formula, g, inputs, out)
                had = shares[x]
                if had is None:
                    shares[x] = share
                elif type(had) is list:
                    had.append(share)
                else:
                    shares[x] = [had, share]
            if to_y:
                formula = grads[1]
                share = g if formula in passes else _share(formula, g, inputs, out)
                had = shares[y]
                if had is None:
                    shares[y] = share
                elif type(had) is list:
                    had.append(share)
                else:
                    shares[y] = [had, share]

    def _sum(self, terms: list[_Expr]) -> _Expr:
        """``terms[0] + terms[1] + ...``, left to right as the engine adds them; cut when deep or long."""
        total = terms[0]
        for term in terms[1:]:
            if total.depth >= _MAX_DEPTH or len(total.source) >= _MAX_LENGTH:
                ref = self.code.assign(total.source, "", "g_t")
                total = _Expr("{" + ref + "}")
            total = _infix(total, "+", term, SUM)
        return total

    def finish(self) -> Compiled:
        """The main function around the statements, and the Compiled object that runs it."""
        trace = self.trace
        gradient = self.gradients.get  # None (a gradient of 0) for a target no path leads to
        returned = [gradient(i) for i in trace.inputs_of(self.wrt)]
        params = [gradient(i) for i in trace.param_slots] if self.targets else []
        aux = [self.expr[i] for i in trace.aux_slots]
        compiled = Compiled.__new__(Compiled)
        compiled._setup(trace, self.wrt)
        header = f"def __call__(self, *args):  # {_comment(_fn_name(trace.fn))}: {trace.node_count} ops traced"
        if self.code.steps is None:
            exprs = [_ZERO if ref is None else _Expr("{" + ref + "}") for ref in returned + params]
            body = self._one_function(exprs[: len(returned)], exprs[len(returned) :], aux)
            compiled._steps = []
        else:
            steps = self.code.steps
            steps.cut()
            constants = []
            slots = []
            for e in ([] if self.root is None else [self.expr[trace.root]]) + aux:  # type: ignore[index]
                if e.source[0] == "{":
                    slots.append(_place(e.source[1:-1]))
                else:
                    slots.append(steps.count + len(constants))
                    constants.append(float(e.source))
            if None in returned or None in params:
                zero = steps.count + len(constants)  # the one 0.0 of every gradient that is 0
                constants.append(0.0)
                slots += [zero if ref is None else _place(ref) for ref in returned + params]
            else:
                slots += map(_place, returned + params)
            compiled._steps, compiled._constants = steps.steps, constants
            compiled._gather = _getter(slots)
            compiled._aux_count = len(aux)
            header += f", run as {len(steps.steps):,} calls of the {len(steps.sources):,} functions below"
            body = [
                "        v = _floats(args, self._kinds)",
                *(["        v += map(_data, self._params)"] if trace.params else []),
                "        for step, get in self._steps:",
                "            step(v, get)",
                "        v += self._constants",
                "        if isfinite(sum(v)):",
                "            return self._finish(v)",
            ]
        lines = [
            header,
            "    try:",
            *body,
            "    except (ArithmeticError, ValueError, TypeError):",
            "        pass",
            "    return self._slow(args)  # an error or a non-finite value: the engine says which",
        ]
        source = "\n".join(lines) + "\n"
        if self.code.steps is not None:
            steps = self.code.steps
            source += "".join(
                f"\n\n# called {calls:,} time{'s' if calls != 1 else ''}\n{text}"
                for calls, text in zip(steps.calls, steps.sources)
            )
        compiled.source = source
        return compiled

    def _one_function(self, returned: list[_Expr], params: list[_Expr], aux: list[_Expr]) -> list[str]:
        """The body of the readable form: arguments, statements, the check and the result."""
        trace, code = self.trace, self.code
        statements = code.readable(self.expr)
        names = code.names
        per_arg = [[names[f"v{i + _WIDE}"] for i in trace.inputs_of([a])] for a in range(len(trace.arg_leaves))]
        arg_names = [name for names_of_arg in per_arg for name in names_of_arg]
        param_names = [names[f"v{i + _WIDE}"] for i in trace.param_slots]
        lines = ["        # the arguments, as floats" if arg_names else "        # no arguments"]
        if any(shape is not None for shape in trace.shapes):
            # one call checks the lists and numbers, refusing what the engine refuses
            lines[0] += ": " + _targets([_pattern(s, n) for s, n in zip(trace.shapes, per_arg)])
            lines.append(f"        {_targets(arg_names) or '()'} = _floats(args, self._kinds)")
        else:
            lines.append(f"        {_targets(arg_names) or '()'} = args")
            # a float as it is; anything else as Value() takes it ("3" is refused, not read as 3.0)
            lines += [f"        {n} = {n} if type({n}) is float else _float({n})" for n in arg_names]
        if param_names:
            lines.append(f"        {_targets(param_names)} = map(_data, self._params)")
        lines += statements

        def text(e: _Expr) -> str:
            return e.source.format_map(names)

        check = arg_names + [text(self.expr[c]) for c in dict.fromkeys(self.checked)]
        check += [text(self.expr[i]) for i in trace.aux_slots] + [text(g) for g in returned + params]
        aux_source = _pattern(trace.aux_shape, iter(text(e) for e in aux))
        if self.root is None:
            lines.append(f"        if isfinite(sum(({', '.join(check)},))):")
            lines.append(f"            return {aux_source}")
            return lines
        root = text(self.expr[trace.root])  # type: ignore[index]
        check.append(root)
        value = f"({root}, {aux_source})" if trace.has_aux else root
        returned_names = iter(text(g) for g in returned)
        grads = [_pattern(trace.shapes[a], returned_names) for a in self.wrt]
        lines.append(f"        if isfinite(sum(({', '.join(check)},))):")
        if params:
            lines.append(f"            if _add_into_params(self._params, ({', '.join(text(g) for g in params)},)):")
            lines.append(f"                return {value}, ({_targets(grads)})")
        else:
            lines.append(f"            return {value}, ({_targets(grads)})")
        return lines


def _comment(text: str) -> str:
    """``text`` as it may stand in a comment: on one line."""
    return text if text.isprintable() else repr(text)


def _getter(slots: list[int]) -> Callable[[list[float]], tuple[float, ...]]:
    """A function of the list of values: the values at ``slots``, as a tuple."""
    if len(slots) == 1:
        slot = slots[0]
        return lambda values: (values[slot],)
    return operator.itemgetter(*slots) if slots else lambda values: ()


def _targets(names: list[str]) -> str:
    """``a, b`` as the left side of an assignment or a tuple display (``a,`` for one)."""
    return ", ".join(names) + ("," if len(names) == 1 else "")


def _backward_order(trace: _Trace, targets: set[int]) -> list[int]:
    """The nodes a gradient passes through on its way to ``targets``, in the engine's order
    (that of ``grad()``: ``backward.topological_order``, less the nodes that lead to no target),
    by their indices.

    The walk is topological_order's, step for step (the same stack, the second input popped
    first), on the trace's index arrays rather than on the Values.
    """
    nodes, xs, ys = trace.nodes, trace.xs, trace.ys
    live = bytearray(map(operator.attrgetter("requires_grad"), nodes))  # not yet seen, and requires grad
    reaching = bytearray(len(nodes))  # a target, or a node with a target below it
    for i in targets:
        reaching[i] = 1
    order: list[int] = []
    append = order.append
    stack = [trace.root]
    pop, push = stack.pop, stack.append
    while stack:
        i = pop()
        if i < 0:
            i = ~i  # its inputs are all in the order: now it goes in, if a target lies below
            if reaching[xs[i]] or (ys[i] >= 0 and reaching[ys[i]]):
                reaching[i] = 1
                append(i)
        elif live[i]:
            live[i] = 0
            x = xs[i]
            if x < 0:
                if reaching[i]:
                    append(i)  # a target
            else:
                push(~i)
                push(x)
                y = ys[i]
                if y >= 0:
                    push(y)
    return order


_G, _X, _Y, _OUT = "\x00g", "\x00x", "\x00y", "\x00o"  # stand-ins, in a formula's source, for its inputs


class _Template:
    """A gradient formula's source with stand-ins for g, x, y and out; ``fills`` pairs each of
    x, y, out that it reads with its place in ``(*inputs, out)``."""

    __slots__ = ("source", "precedence", "depth", "fills")

    def __init__(self, formula: Formula, arity: int) -> None:
        stand_ins = (*(_X, _Y)[:arity], _OUT)
        e = symbol(formula(Symbol(_G), *map(Symbol, stand_ins)))
        self.source, self.precedence, self.depth = e.source, e.precedence, e.depth
        self.fills = tuple((s, k) for k, s in enumerate(stand_ins) if s in e.source)


_TEMPLATES: dict[Formula, _Template] = {}
_PASSES: set[Formula] = set()  # the formulas that pass g on as it is: no call of _share needed


def _share(formula: Formula, g: _Expr, inputs: tuple[Any, ...], out: _Expr) -> _Expr:
    """``formula(g, *inputs, out)`` as an expression: the formula run on Symbols once per op, then
    its source filled in (each input in brackets unless it is a name, a number or a call, which
    keeps the order of operations). An input that is a known number makes the formula run on it."""
    template = _TEMPLATES.get(formula)
    if template is None:
        template = _TEMPLATES[formula] = _Template(formula, len(inputs))
        if template.source == _G:
            _PASSES.add(formula)
    source = template.source
    if source == _G:
        return g  # the formula passes g on as it is (the shares of +)
    depth = g.depth
    source = source.replace(_G, g.source if g.precedence == ATOM else f"({g.source})")
    values = (*inputs, out)
    for stand_in, k in template.fills:
        value = values[k]
        if type(value) is not _Expr:  # a known number: the formula worked out here, on Symbols
            return _share_known(formula, g, inputs, out)
        source = source.replace(stand_in, value.source if value.precedence == ATOM else f"({value.source})")
        depth = value.depth if value.depth > depth else depth
    return _Expr(source, template.precedence, template.depth + depth)


class _Known:
    """A gradient formula run on Symbols once for the known numbers among its inputs and the
    precedences of the others (all that Symbol's arithmetic looks at): its source with stand-ins,
    and how deep each stand-in sits in it (the result's depth is the deepest of those plus the
    stand-in's own depth, or the formula's own depth at depth 0, as Symbol counts it)."""

    __slots__ = ("source", "precedence", "depth", "fills")

    def __init__(self, formula: Formula, g: _Expr, inputs: tuple[Any, ...], out: _Expr) -> None:
        stand_ins = [(_G, g), *((s, v) for s, v in zip((_X, _Y), inputs) if type(v) is _Expr), (_OUT, out)]

        def run(deep: str) -> Symbol:
            made = {s: Symbol(s, v.precedence, _DEEP if s == deep else 0) for s, v in stand_ins}
            args = [made[s] if type(v) is _Expr else v for s, v in zip((_X, _Y), inputs)]
            return symbol(formula(made[_G], *args, made[_OUT]))

        e = run("")
        self.source, self.precedence, self.depth = e.source, e.precedence, e.depth
        fills = []
        for k, (s, _) in enumerate(stand_ins):
            if s in e.source:
                fills.append((s, k, run(s).depth - _DEEP))
        self.fills = tuple(fills)


_DEEP = 1_000_000
_KNOWN: dict[Any, _Known] = {}


def _share_known(formula: Formula, g: _Expr, inputs: tuple[Any, ...], out: _Expr) -> _Expr:
    """``formula(g, *inputs, out)`` where some input is a known number: the same source and
    depth as the formula run on ``_symbol``s of the others, from a template made once per formula,
    numbers and precedences."""
    if not all(type(v) is float or type(v) is _Expr for v in inputs):
        e = symbol(formula(_symbol(g), *(v if type(v) is not _Expr else _symbol(v) for v in inputs), _symbol(out)))
        return _Expr(e.source, e.precedence, e.depth)
    key = (formula, g.precedence, out.precedence, *(v.precedence if type(v) is _Expr else v.hex() for v in inputs))
    known = _KNOWN.get(key)
    if known is None:
        known = _KNOWN[key] = _Known(formula, g, inputs, out)
    source, depth = known.source, known.depth
    values = (g, *(v for v in inputs if type(v) is _Expr), out)
    for stand_in, k, level in known.fills:
        value = values[k]
        source = source.replace(stand_in, value.source)
        if level + value.depth > depth:
            depth = level + value.depth
    return _Expr(source, known.precedence, depth)


def _forward_one(op: str, x: _Expr) -> _Expr:
    """The source of op ``op`` (of one input) on ``x``: a call of the very forward function the
    engine runs, or for relu of a name its body, written out."""
    if op == "relu" and x.precedence == ATOM and x.depth == 0:
        return _Expr(f"({x.source} if {x.source} > 0.0 else 0.0)", ATOM, 2)  # the body of ops._relu
    return _Expr(f"{_FORWARD_NAMES[op]}({x.source})", ATOM, x.depth + 1)


class _Expr:
    """The source of an expression the compiler writes, as a ``Symbol`` holds it (``precedence``
    and ``depth`` alike), and written by the same rules (``_infix``, ``_power``, ``_operand``:
    those of symbolic.py). Not a Symbol: a Symbol's ``__getattr__`` (which turns ``x.cos()`` in
    a formula into source) makes every read of its attributes several times slower, and the
    compiler reads them a dozen times per op. Formulas still run on Symbols (``_symbol``)."""

    __slots__ = ("source", "precedence", "depth")

    def __init__(self, source: str, precedence: int = ATOM, depth: int = 0) -> None:
        self.source = source
        self.precedence = precedence
        self.depth = depth

    def __repr__(self) -> str:
        return f"_Expr({self.source!r})"


def _symbol(e: _Expr) -> Symbol:
    return Symbol(e.source, e.precedence, e.depth)


def _literal(x: float) -> _Expr:
    """A number's literal, as ``symbolic.symbol`` writes it."""
    text = repr(x)
    return _Expr(text, UNARY if text.startswith("-") else ATOM)


def _operand(e: _Expr, precedence: int) -> str:
    """``e`` as the operand of an operator of ``precedence`` (``symbolic.parenthesized``)."""
    return e.source if e.precedence >= precedence else f"({e.source})"


def _infix(a: _Expr, op: str, b: _Expr, precedence: int) -> _Expr:
    """``a op b`` for a left-associative operator, as ``symbolic.infix`` writes it."""
    x = a.source if a.precedence >= precedence else f"({a.source})"
    y = b.source if b.precedence > precedence else f"({b.source})"  # a - (b - c) is not a - b - c
    return _Expr(f"{x} {op} {y}", precedence, (a.depth if a.depth > b.depth else b.depth) + 1)


def _power(a: _Expr, b: _Expr) -> _Expr:
    """``a ** b``, as ``symbolic.power`` writes it."""
    return _Expr(f"{_operand(a, POWER + 1)} ** {_operand(b, UNARY)}", POWER, 1 + max(a.depth, b.depth))


_SPENT = _Expr("0.0")  # in place of an expression written into its user's (no formula reads it)
_ZERO = _Expr("0.0")


def _formula_uses() -> tuple[dict[str, list[tuple[int, ...]]], set[str]]:
    """For each op and input slot, which of x, y, out (0, 1, 2) its gradient formula reads; and
    the ops with a formula that reads g twice (its g is then named, not written out twice)."""
    reads, twice = {}, set()
    for name, op in OPS.items():
        inputs = ("x", "y")[: op.arity]
        slot_of = {**{a: k for k, a in enumerate(inputs)}, "out": 2}
        per_slot = []
        for formula in op.grads:
            text = str(formula(Symbol("g"), *map(Symbol, inputs), Symbol("out")))
            per_slot.append(tuple(k for a, k in slot_of.items() if _mentions(text, a)))
            if len(re.findall(r"\bg\b", text)) > 1:
                twice.add(name)
        reads[name] = per_slot
    return reads, twice


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{name}\b", text) is not None


_READS, _G_TWICE = _formula_uses()
_BUILT_IN = frozenset(OPS)


_LEARNT: dict[str, Any] = {}  # for each op added at run time, the row what is known of it was learnt from


def _user_op(op: str) -> None:
    """Learn, on first use, what compile() needs of an op added at run time (``defop``), or refuse it.

    What is learnt is kept with the row it came from: an op taken out of the table and defined
    again under its name (with other formulas) is learnt again, not compiled with the old ones."""
    row = OPS[op]
    if _LEARNT.get(op) is row:
        return
    if row.layer is not None:
        raise TraceError(
            f"compile() cannot go through {op!r}: it comes from the layer class {row.layer.__name__}, whose "
            "backward works on numbers only; write its formulas with autograd.defop to compile it"
        )
    inputs = ("x", "y")[: row.arity]
    slot_of = {**{a: k for k, a in enumerate(inputs)}, "out": 2}
    per_slot = []
    twice = False
    for slot, formula in enumerate(row.grads):
        try:
            text = str(formula(Symbol("g"), *map(Symbol, inputs), Symbol("out")))
        except Exception as error:
            raise TraceError(
                f"compile() cannot write out the gradient formula of {op!r} for input {slot}: it branches on the "
                f"numbers (or calls something other than operators and autograd.ops helpers): {error}"
            ) from None
        per_slot.append(tuple(k for a, k in slot_of.items() if _mentions(text, a)))
        twice = twice or len(re.findall(r"\bg\b", text)) > 1
    if twice:
        _G_TWICE.add(op)
    else:
        _G_TWICE.discard(op)
    _READS[op] = per_slot
    _FORWARD_NAMES[op] = "op_" + re.sub(r"\W", "_", unicodedata.normalize("NFKC", op)) + f"_{len(_FORWARD_NAMES)}"
    _HIDING[op] = tuple(range(row.arity))  # unknown: check every input, so that no inf hides
    _LEARNT[op] = row


def _user_ops(nodes: Iterable[Value]) -> None:
    """Refuse what tracing cannot follow (a layer op, a hooked Value) and learn the user ops."""
    from .. import hooks

    nodes = list(nodes)
    for op in set(map(operator.attrgetter("op"), nodes)) - _BUILT_IN - {""}:
        _user_op(op)
    for node in nodes if hooks.live else ():
        if hooks.of(node):
            raise TraceError(
                f"compile() does not call hooks: {node!r} has {len(hooks.of(node))} hook(s) registered; remove "
                "them (handle.remove()) before compiling, or run the function on the engine"
            )


def _namespace() -> dict[str, Any]:
    """What the generated code may call: the helpers of ops.py and each op's forward function."""
    namespace = {k: v for k, v in vars(ops).items() if not k.startswith("__")}
    for op, name in _FORWARD_NAMES.items():
        if op in OPS:
            namespace[name] = OPS[op].forward
    namespace.update(
        isfinite=math.isfinite, sum=sum, map=map, float=float, type=type, _data=operator.attrgetter("_data")
    )
    namespace.update(_add_into_params=_add_into_params, _float=_float, _floats=_floats)
    return namespace


def _pattern(shape: Tree, names: Iterable[str]) -> str:
    """Source of a value of ``shape``, its numbers taken from ``names``: ``[[a, b], [c, d]]``."""
    names = iter(names)
    if shape is None:
        return next(names, "None")
    return "[" + ", ".join(_pattern(s, names) for s in shape) + "]"


# ----------------------------------------------------------------------------- calling


def _add_into_params(params: list[Value], grads: Sequence[float]) -> bool:
    """Add this call's gradients into the params' ``.grad`` (as backward() adds into leaves).

    A ``.grad`` of None counts as 0, as in backward(). All of them change or none: the sums are
    worked out first, then stored by one call that no signal (KeyboardInterrupt) or trace
    function can cut in two. Raises OperationOverflowError, changing nothing, if a sum overflows.
    """
    totals = [g + (0.0 if p.grad is None else p.grad) for p, g in zip(params, grads)]
    if not math.isfinite(sum(totals)):
        for p, g, total in zip(params, grads, totals):
            if not math.isfinite(total):
                raise OperationOverflowError(
                    f"adding this call's gradient {g!r} to the {p.grad!r} that {name_of(p)} held "
                    "overflows a float; set .grad = 0.0 (or call zero_grad()) between steps"
                )
    any(map(setattr, params, itertools.repeat("grad"), totals))  # setattr returns None: any() runs them all
    return True


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


def _replay(trace: _Trace, flat: list[float]) -> list[Value]:
    """The traced operations run again on the engine's Values, with these argument numbers."""
    leaves = list(itertools.chain.from_iterable(trace.arg_leaves))
    values: list[Any] = [Value(x, label=leaf.label) for x, leaf in zip(flat, leaves)]  # the first nodes
    values += trace.params
    values += [None] * (len(trace.nodes) - len(values))
    for i, node in enumerate(trace.nodes):
        if values[i] is not None:
            continue
        if node._x is None:
            values[i] = node  # a constant
            continue
        x, y = trace.xs[i], trace.ys[i]
        args = [values[x]] if y < 0 else [values[x], values[y]]
        if node.requires_grad:
            values[i] = apply(node.op, *args)
        else:
            with no_grad():
                values[i] = apply(node.op, *args)
    return values


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


# ----------------------------------------------------------------------------- small helpers


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


def _wrt(wrt: int | Sequence[int] | None, count: int) -> tuple[int, ...]:
    if wrt is None:
        return tuple(range(count))
    chosen = (wrt,) if isinstance(wrt, int) else tuple(wrt)
    for i in chosen:
        if not isinstance(i, int) or not 0 <= i < count:
            raise ValueError(f"compile(): wrt={wrt!r} must name arguments by position, 0 to {count - 1}")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"compile(): wrt={wrt!r} names an argument twice")
    return chosen


def _params(params: Any) -> tuple[list[Value], list[str]]:
    """The params as a list, and the names the generated code gives them (a Module's own names)."""
    if hasattr(params, "named_parameters"):
        named = params.named_parameters()
        values = [p for _, p in named]
        names = [p.label if isinstance(p.label, str) and p.label else name for name, p in named]
    else:
        values = list(params)
        names = [p.label if isinstance(p, Value) and isinstance(p.label, str) else "" for p in values]
    for p in values:
        if not isinstance(p, Value) or p._x is not None or not p.requires_grad:
            raise TypeError(f"compile(): params must be leaf Values that require grad, got {p!r}")
    return values, names


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
