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

# The package, its modules in the order they import one another (each imports only those above it):
#
#   tables.py       what the compiler knows of each op: how its forward is written, the inputs it
#                   could hide an inf in, what its gradient formulas read; learnt for a user's op
#   expressions.py  _Expr, an expression's source as the compiler writes it; a gradient formula's
#                   share of g, filled in from a template made once per formula
#   arguments.py    the arguments' shapes, and their numbers checked as Value() checks them
#   code.py         the second pass: statements with placeholders, named into one readable
#                   function or cut into steps (how and why: its opening comment)
#   tracing.py      fn run once on Values; the graph its outputs depend on, as index arrays
#   calls.py        Compiled: what a compiled call does at run time, and its code's namespace
#   source.py       the first pass: the graph written as statements, and the main function
#   __init__.py     compile() and its options

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .. import modes
from ..errors import TraceError
from ..value import Value
from .arguments import Tree
from .calls import Compiled
from .source import _generate
from .tracing import _collector_paused, _trace

__all__ = ["Compiled", "compile"]


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
