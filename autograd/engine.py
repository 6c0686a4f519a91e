"""The engine: Value, the one place a node is born, graph walks, backward and grad().

Every derivative used here comes from the op table in ``ops.py``; this file only walks graphs.
"""

from __future__ import annotations

import linecache
import numbers
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import ContextDecorator
from math import isfinite
from typing import Any

from . import steps
from .errors import OperationError, OperationOverflowError, TraceError, error_class
from .ops import OPS
from .steps import PENDING, Step

Number = int | float
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

# Module state, switched by the context managers below. Like a plain global, it is shared by
# every thread (PyTorch keeps grad mode per thread; this engine is single-threaded by design).
_recording = True  # False inside no_grad(): ops then record no graph
_anomaly = False  # True inside detect_anomaly(): nodes remember where they were made
# Set by compile() while it traces a function (see compiler.py): then ops record a node even where
# no gradient flows (under no_grad), so that the compiled code can compute it, and reading the
# number of a traced Value raises TraceError. `_inputs` are the leaves standing for the arguments
# and params; `_born` collects the Values made during the trace.
_tracing = False
_inputs: set[Value] = set()
_born: set[Value] = set()


def primitive(name: str, reflected: bool = False, doc: str = "") -> Callable[..., Value]:
    """Op ``name`` of the table as a function of its inputs: what each operator method runs.

    The function takes ``x``, or ``x, y``, where ``x`` is a Value (the one whose method runs);
    ``reflected`` swaps them, for ``__radd__`` and friends: ``2 - v`` calls ``v.__rsub__(2)``,
    which must compute ``2 - v``. Plain numbers become constants. A forward that fails, or gives
    inf or NaN, raises an OperationError naming the op, its inputs and the line of user code
    that called it.
    """
    forward = OPS[name].forward

    # These bodies are the only place a node is born, and the hot path of every forward pass:
    # one function per op, so an operator costs one Python call, not two. An op of one input
    # and an op of two get a body each, so that neither tests which kind it is on every call.
    def unary(x: Value, y: None = None) -> Value:
        if y is not None:
            _constant(y, name)  # a second input that is no number is reported as such first
            raise _arity_error(name, 2)
        try:
            data = forward(x._data)
        except (ValueError, ArithmeticError) as cause:
            raise _forward_error(name, (x,), cause) from None
        if not isfinite(data):
            raise _forward_error(name, (x,), OverflowError("the result is too large for a float"))
        requires_grad = True
        if not (_recording and x.requires_grad):
            if not (_tracing and _traced(x)):
                return _leaf(data, False)
            requires_grad = False  # computed from traced inputs, but no gradient flows through it
        node = _new(Value)
        node._data = data
        node.grad = 0.0
        node._x = x
        node._y = None
        node.op = name
        node.requires_grad = requires_grad
        if _anomaly:
            node._site = _user_site()
        return node

    def binary(x: Value, y: Operand | None = None) -> Value:
        if reflected:
            x, y = y, x  # type: ignore[assignment]
            if type(x) is not Value:  # otherwise x is self, a Value already
                x = _constant(x, name)
        if type(y) is not Value:
            if y is None:
                raise _arity_error(name, 1)
            y = _constant(y, name)
        try:
            data = forward(x._data, y._data)
        except (ValueError, ArithmeticError) as cause:
            raise _forward_error(name, (x, y), cause) from None
        if not isfinite(data):
            raise _forward_error(name, (x, y), OverflowError("the result is too large for a float"))
        requires_grad = True
        if not (_recording and (x.requires_grad or y.requires_grad)):
            if not (_tracing and (_traced(x) or _traced(y))):
                return _leaf(data, False)
            requires_grad = False  # computed from traced inputs, but no gradient flows through it
        node = _new(Value)
        node._data = data
        node.grad = 0.0
        node._x = x
        node._y = y
        node.op = name
        node.requires_grad = requires_grad
        if _anomaly:
            node._site = _user_site()
        return node

    run = unary if OPS[name].arity == 1 else binary
    run.__name__ = run.__qualname__ = f"primitive({name!r})"
    run.__doc__ = doc or f"The {name!r} op."
    return run


class Value:
    """A scalar that remembers how it was computed, so that gradients can flow back to it.

    ``data`` is always a finite float. ``grad`` holds d(root)/d(self) after ``root.backward()``.
    ``children`` are the inputs of the op that produced it (in order, repeats kept), ``op`` that
    op's name (``''`` for a leaf), ``label`` a name for diagrams. ``requires_grad=False`` marks a
    constant: gradients are neither computed for it nor passed through it. The constructor's
    ``_children`` and ``_op`` are micrograd's names, for building a node by hand.
    """

    # A node's inputs sit in two slots rather than a tuple: one object per node for the garbage
    # collector to track, not two (ops take one input or two; _y is None for one, both for none).
    __slots__ = ("_data", "grad", "_x", "_y", "op", "_label", "requires_grad", "_site")

    def __init__(
        self,
        data: Number,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
        *,
        requires_grad: bool = True,
    ) -> None:
        self._data = data if type(data) is float and isfinite(data) else _to_float(data)
        self.grad = 0.0
        if _children:
            self._x, self._y = _checked_children(tuple(_children), _op)
        else:
            self._x = self._y = None
        self.op = _op
        if label:
            self._label = label
        self.requires_grad = requires_grad
        if _tracing:
            _born.add(self)  # made by the traced function itself: compile() treats it as a constant

    @property
    def data(self) -> float:
        """The number this Value holds: always a finite float (what is assigned is converted and checked)."""
        if _tracing and _traced(self):
            raise _trace_error(self, "read its .data")
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        # `p.data -= lr * p.grad` with a numpy lr must not turn data into a numpy scalar
        self._data = value if type(value) is float and isfinite(value) else _to_float(value)

    @property
    def label(self) -> str:
        """A name for diagrams and messages; '' if none was given."""
        return getattr(self, "_label", "")  # most nodes never get one, so the slot stays empty

    @label.setter
    def label(self, name: str) -> None:
        self._label = name

    @property
    def children(self) -> tuple[Value, ...]:
        """The inputs of the op that made this Value, in order (``x * x`` has two); ``()`` for a leaf."""
        x, y = self._x, self._y
        return () if x is None else (x,) if y is None else (x, y)

    # micrograd's names, read-only, so that its notebooks and draw_dot code run unchanged
    @property
    def _prev(self) -> tuple[Value, ...]:
        return self.children

    @property
    def _op(self) -> str:
        return self.op

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{label})"

    def __bool__(self) -> bool:
        # A Value is true, as any object is; but `if v:` on a traced Value is a branch on its
        # number, which compile() cannot record, so it refuses it there.
        if _tracing and _traced(self):
            raise _trace_error(self, "tested its truth (if, while, and, or)")
        return True

    def _repr_svg_(self) -> str | None:
        """The graph behind this Value as SVG, so that Jupyter shows it; None to fall back to the text."""
        from .viz import _repr_svg  # loaded on first display: `import autograd` stays light

        return _repr_svg(self)

    # Each op of the table, spelled as an operator or a method. Reflected forms swap operands.
    __add__ = primitive("+")
    __radd__ = primitive("+", reflected=True)  # other + self
    __sub__ = primitive("-")
    __rsub__ = primitive("-", reflected=True)  # other - self
    __mul__ = primitive("*")
    __rmul__ = primitive("*", reflected=True)  # other * self
    __truediv__ = primitive("/")
    __rtruediv__ = primitive("/", reflected=True)  # other / self
    __rpow__ = primitive("**", reflected=True)  # other ** self
    __neg__ = primitive("neg")
    __abs__ = primitive("abs")
    relu = primitive("relu", doc="max(0, x); its gradient at exactly 0 is 0, as in PyTorch.")
    tanh = primitive("tanh", doc="Hyperbolic tangent.")
    sigmoid = primitive("sigmoid", doc="1 / (1 + e^-x), computed without overflow for any finite x.")
    exp = primitive("exp", doc="e^x; raises OperationOverflowError above x = 709.78 instead of giving inf.")
    log = primitive("log", doc="Natural logarithm; x must be positive.")
    sqrt = primitive("sqrt", doc="Square root; x must be non-negative (the gradient at 0 is infinite and raises).")
    abs = primitive("abs", doc="|x|; its gradient at exactly 0 is 0, as in PyTorch.")
    sin = primitive("sin", doc="Sine of x (radians).")
    cos = primitive("cos", doc="Cosine of x (radians).")
    sign = primitive("sign", doc="-1.0, 0.0 or 1.0; its gradient is 0 everywhere.")
    max = primitive("max", doc="The larger of x and y; at a tie each gets half the gradient, as in PyTorch.")

    def __pow__(self, other: Value | Number, modulo: None = None) -> Value:
        if modulo is not None:
            raise TypeError("'**' with a modulus is not differentiable: pow(x, y, m) is not supported")
        return _PRIMITIVES["**"](self, other)

    def detach(self) -> Value:
        """A constant with the same data and label: gradients do not flow through it."""
        if _tracing and _traced(self):
            with no_grad():  # traced: a node the compiled code computes, passing no gradient on
                node = self * 1.0  # exactly self's number, for every finite float
            node.label = self.label
            return node
        node = _leaf(self._data, False)
        node.label = self.label
        return node

    def backward(self) -> None:
        """Fill ``.grad`` of every node this Value depends on with d(self)/d(node).

        Intermediate nodes hold the gradient of this latest pass (each pass overwrites them);
        leaves accumulate, as in PyTorch: two calls give exactly twice the leaf grads. A node
        reached along several paths gets the sum over all of them. Works on graphs of any
        depth (no recursion). If a gradient is infinite or undefined it raises OperationError
        naming the op; leaves then keep the ``.grad`` they had and inner nodes read 0.0.
        """
        if _tracing:
            raise _trace_error(self, "called backward()", "use autograd.grad(..., create_graph=True) inside it")
        if not self.requires_grad:
            raise ValueError(
                f"backward() needs a Value that requires grad, but {self!r} is a constant "
                "(made from a number, under no_grad(), or by detach())"
            )
        order, leaves, held = _walk(self)
        try:
            _chain_rule(order, 1.0, steps.CHECKED if _anomaly else steps.COMPILED, pending=True)
            for leaf, old in zip(leaves, held):
                total = leaf.grad + old  # leaves accumulate: this pass's total plus what they had
                # Every formula is g times something finite, so an inf or NaN anywhere in the pass
                # reaches a leaf: checking the leaves is enough.
                if not isfinite(total):
                    raise _leaf_overflow(order, leaf, old)
                leaf.grad = total
        except BaseException:  # KeyboardInterrupt too: never leave a .grad PENDING
            for node in order:
                node.grad = 0.0  # the pass did not finish: inner nodes have no gradient
            _restore(leaves, held)  # and leaves keep what they had
            raise

    def _backward(self) -> None:
        """One step of the chain rule by hand, as in micrograd's lectures.

        Adds ``self.grad`` times each local derivative into the children's ``.grad``.
        """
        if self._x is not None:
            steps.COMPILED[self.op](self, self.grad)


Operand = Value | Number
_PRIMITIVES = {name: primitive(name) for name in OPS}


def apply(name: str, x: Operand, y: Operand | None = None) -> Value:
    """Run op ``name`` of the table on ``x``, or on ``x, y``; ``apply("*", a, b)`` is ``a * b``."""
    if name not in _PRIMITIVES:
        raise ValueError(f"unknown op {name!r}; the ops are {', '.join(map(repr, OPS))}")
    if type(x) is not Value:
        x = _constant(x, name)
    return _PRIMITIVES[name](x, y)


def _arity_error(name: str, given: int) -> TypeError:
    if OPS[name].arity == 2:
        return TypeError(f"{name!r} takes two inputs: it expects a Value or a real number as the second, got None")
    return TypeError(f"{name!r} takes {OPS[name].arity} input(s), got {given}")


_new = object.__new__


def _leaf(data: float, requires_grad: bool) -> Value:
    """A node with no children, skipping the checks of Value() for data that is already valid."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node._x = node._y = None
    node.op = ""
    node.requires_grad = requires_grad
    return node


def _traced(x: Value) -> bool:
    """During compile()'s trace: whether ``x`` is computed (from the traced inputs) or is one of them."""
    return x._x is not None or x in _inputs


def _trace_error(node: Value, did: str, advice: str = "") -> TraceError:
    advice = advice or (
        "use Value operations instead (for example x.relu() rather than `x if x.data > 0 else 0`), or pass "
        "the number as an argument of its own"
    )
    return TraceError(
        f"compile() traces the function once, with Values standing for its arguments, and records their "
        f"operations; the function {did} on a traced Value ({_name(node)} while tracing), so the compiled "
        f"code could not follow it when the numbers change: {advice}{_describe_site(_user_site())}"
    )


def _constant(x: object, op: str) -> Value:
    """A plain number as a constant node; a Value (of a subclass) passes through."""
    kind = type(x)
    if kind is int:
        try:
            x = float(x)  # the common 2 in `x * 2`, quickly
        except OverflowError:
            x = _to_float(x, op)  # raises, naming the op
    elif kind is not float or not isfinite(x):
        if isinstance(x, Value):
            return x
        x = _to_float(x, op)
    node = _new(Value)  # _leaf(x, False), written out: constants are made as often as nodes
    node._data = x
    node.grad = 0.0
    node._x = node._y = None
    node.op = ""
    node.requires_grad = False
    return node


def _to_float(x: object, op: str = "") -> float:
    """``x`` as a finite float, or a TypeError / ValueError naming the op (or Value) and ``x``."""
    if (
        type(x) is not float
        and type(x) is not int
        and (
            isinstance(x, (str, bytes, complex, Value))
            or not (isinstance(x, numbers.Real) or hasattr(type(x), "__float__"))
        )
    ):
        hint = "; use .data for its number" if isinstance(x, Value) else ""
        expected = "a Value or a real number" if op else "a real number"
        raise TypeError(f"{_where(op)} expects {expected}, got {_short(x)} ({type(x).__name__}){hint}")
    try:
        number = float(x)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{_where(op)} expects a finite number, got {_short(x)}: too large for a float") from None
    except (TypeError, ValueError) as e:
        raise TypeError(f"{_where(op)} expects a real number, got {_short(x)} ({type(x).__name__}): {e}") from None
    if not isfinite(number):
        raise ValueError(f"{_where(op)} expects a finite number, got {number!r}")
    return number


def _where(op: str) -> str:
    return repr(op) if op else "Value"


def _short(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 60 else f"{text[:45]}...({len(text)} characters)"


def _checked_children(children: tuple[Any, ...], op: str) -> tuple[Value, Value | None]:
    """Children given to Value() by hand, as (x, y): Values, with an op that takes that many."""
    for child in children:
        if not isinstance(child, Value):
            raise TypeError(f"Value children must be Values, got {child!r} ({type(child).__name__})")
    if op not in OPS or OPS[op].arity != len(children):
        known = ", ".join(repr(name) for name in OPS)
        raise ValueError(f"a Value with {len(children)} children needs an op of that arity, one of {known}; got {op!r}")
    return children[0], children[1] if len(children) == 2 else None


# ----------------------------------------------------------------------------- error messages


def _user_site() -> tuple[str, int] | None:
    """File and line of the innermost caller outside this package (and the code it generates)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith((_PACKAGE_DIR, "<autograd")):
        frame = frame.f_back
    return None if frame is None else (frame.f_code.co_filename, frame.f_lineno)


def _describe_site(site: tuple[str, int] | None) -> str:
    if site is None:
        return ""
    filename, lineno = site
    source = linecache.getline(filename, lineno).strip()
    return f"\n  at {filename}:{lineno}" + (f": {source}" if source else "")


def _forward_error(name: str, children: tuple[Value, ...], cause: BaseException) -> OperationError:
    inputs = tuple(child._data for child in children)
    if isinstance(cause, OverflowError):
        reason = "the result is too large for a float"
    else:
        domain = OPS[name].domain
        reason = f"{cause}" + (f" ({domain})" if domain else "")
    shown = ", ".join(repr(x) for x in inputs)
    message = f"{name!r} failed on {shown}: {reason}{_describe_site(_user_site())}"
    return error_class(cause)(message, name, inputs)


def _backward_error(node: Value, cause: BaseException) -> OperationError:
    inputs = tuple(child._data for child in node.children)
    if isinstance(cause, ZeroDivisionError):
        what = "is infinite (a division by zero)"
    elif isinstance(cause, OverflowError):
        what = "overflows a float"
    else:
        what = f"is undefined ({cause})"
    site = getattr(node, "_site", None)
    where = _describe_site(site) if site else "\n  (run under autograd.detect_anomaly() to see where it was made)"
    shown = ", ".join(repr(x) for x in inputs)
    message = f"the gradient of {node.op!r} at {shown} {what}{where}"
    return error_class(cause)(message, node.op, inputs)


def _name(node: Value) -> str:
    return repr(node.label) if node.label else f"the Value {node._data!r}"


# ----------------------------------------------------------------------------- graph walks


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


def _walk(root: Value) -> tuple[list[Value], list[Value], list[Any]]:
    """``topological_order(root)`` for backward(): the order, its leaves and the grads they had.

    The same walk, but backward's hot path: instead of a set of the nodes seen, it marks each by
    setting its ``.grad`` to PENDING, which is where the chain rule starts anyway. (So it does
    not leave the grads as they were; ``topological_order`` does.)
    """
    order: list[Value] = []
    leaves: list[Value] = []
    held: list[Any] = []
    stack: list[Any] = [root]
    try:
        while stack:
            node = stack.pop()
            if node is None:
                order.append(stack.pop())
            elif node.requires_grad and node.grad is not PENDING:
                if node._x is None:
                    held.append(0.0 if node.grad is None else node.grad)  # None: no gradient yet, as in PyTorch
                    leaves.append(node)
                    order.append(node)
                else:
                    stack.append(node)
                    stack.append(None)
                    stack.append(node._x)
                    if node._y is not None:
                        stack.append(node._y)
                node.grad = PENDING
    except BaseException:  # say, KeyboardInterrupt: no .grad may stay PENDING
        for node in order + stack:
            if node is not None and node.grad is PENDING:
                node.grad = 0.0
        _restore(leaves, held)
        raise
    return order, leaves, held


def _chain_rule(order: list[Value], seed: Any, op_steps: dict[str, Step], pending: bool = False) -> None:
    """Leave in each node's ``.grad`` the gradient of the root with respect to it.

    ``order`` is ``topological_order(root)``. Walking it backwards, each node's gradient is
    complete (every path into it has added its share) before its op's step hands shares on to
    its inputs. ``op_steps`` decide what the numbers are: floats, or Values with graphs (see
    steps.py). An error names the op; ``.grad`` is then half done, for the caller to set right.
    ``pending``: every ``.grad`` in ``order`` is PENDING already (``_walk`` leaves them so).
    """
    if not pending:
        for node in order:
            node.grad = PENDING  # no share yet: the first one is stored as it is
    node = order[-1]
    node.grad = seed
    try:
        for node in reversed(order):
            if node._x is not None:  # a leaf has nothing to hand on
                op_steps[node.op](node, node.grad)
    except (ValueError, ArithmeticError) as cause:
        raise _backward_error(node, cause) from None


def _restore(order: list[Value], grads: list[Any]) -> None:
    for node, g in zip(order, grads):
        node.grad = g


def _leaf_overflow(order: list[Value], leaf: Value, old: float) -> OperationError:
    """The error for a backward pass whose gradient of ``leaf``, or its sum with ``old``, is not finite."""
    if not isfinite(leaf.grad):
        return _overflow_error(order, steps.steps_for(check=True))
    return OperationOverflowError(
        f"adding this pass's gradient {leaf.grad!r} to the {old!r} that {_name(leaf)} held overflows a float; "
        "set .grad = 0.0 (or call zero_grad()) between passes"
    )


def _overflow_error(order: list[Value], checked: dict[str, Step]) -> OperationError:
    """The error for a float pass that overflowed, naming the op (found by a checked rerun)."""
    try:
        _chain_rule(order, 1.0, checked)  # raises at the first gradient that is not finite
    except OperationError as error:
        return error
    raise AssertionError("a pass overflowed once, and not when checked")


def grad(output: Value, inputs: Value | Iterable[Value], create_graph: bool = False) -> list[Any]:
    """d output / d each input, as a list; ``.grad`` is left untouched.

    Only the paths from ``output`` to the inputs are followed. With ``create_graph=True`` the
    gradients are Values with graphs of their own, so they can be differentiated again
    (second, third... derivatives). An input that ``output`` does not depend on gets 0.
    """
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
    if _tracing and not create_graph:
        raise _trace_error(output, "called grad() without create_graph=True", "pass create_graph=True")
    full = topological_order(output)
    order = _toward(full, inputs)
    zero: Any = Value(0.0) if create_graph else 0.0  # as a Value, differentiable again (to 0)
    if not order or order[-1] is not output:
        return [zero for _ in inputs]  # no input is reachable
    wanted = set(order)
    only = wanted if len(order) < len(full) else None  # some branches lead to no input
    previous = [node.grad for node in order]
    try:
        if create_graph:
            _with_graphs(order, steps.steps_for(on_values=True, only=only))
        else:
            _chain_rule(order, 1.0, steps.steps_for(check=_anomaly, only=only))
        result = [x.grad if x in wanted else zero for x in inputs]
        if not create_graph and not all(map(isfinite, result)):
            raise _overflow_error(order, steps.steps_for(check=True, only=only))
    finally:
        _restore(order, previous)
    return result


def _with_graphs(order: list[Value], value_steps: dict[str, Step]) -> None:
    """``_chain_rule`` on Values, recording the gradients' own graph even under no_grad()."""
    # The seed d output / d output = 1 is a leaf of its own, so every gradient, being linear in
    # it, has a graph, even one constant in the inputs: its own gradient is then 0, not an error.
    global _recording
    saved, _recording = _recording, True
    try:
        _chain_rule(order, Value(1.0, label="seed"), value_steps)
    finally:
        _recording = saved


def _toward(order: list[Value], inputs: list[Value]) -> list[Value]:
    """The nodes of ``order`` from which some input can be reached, in the same order."""
    reaching = set(inputs)
    kept = []
    for node in order:  # children come first, so each child is settled before its parents
        if node in reaching or any(child in reaching for child in node.children):
            reaching.add(node)
            kept.append(node)
    return kept


# ----------------------------------------------------------------------------- modes


class _Switch(ContextDecorator):
    """Sets a module flag for the length of a ``with`` block or a decorated call; nests."""

    flag: str
    value: bool

    def __init__(self) -> None:
        self._saved: list[bool] = []  # a stack, so that one instance can be entered again inside

    def __enter__(self) -> _Switch:
        self._saved.append(globals()[self.flag])
        globals()[self.flag] = self.value
        return self

    def __exit__(self, *exc: object) -> None:
        globals()[self.flag] = self._saved.pop()


class no_grad(_Switch):
    """Context manager and decorator: inside it ops record no graph and return constants."""

    flag, value = "_recording", False


class detect_anomaly(_Switch):
    """Context manager and decorator for debugging NaN and inf.

    Inside it every node remembers the line of user code that made it, and backward checks
    each gradient as it is computed, raising at the first one that is not finite with the op
    and that line. (Forward results are always checked, in or out of this mode.) Slow: use it
    to find a bug, not to train.
    """

    flag, value = "_anomaly", True
