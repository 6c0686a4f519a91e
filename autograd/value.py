"""Value: a number that remembers how it was computed, and each op of the table spelled as an operator or method.

The operators and methods are the primitives of ``nodes.py``, where every node is born. What the
numbers of an op are comes from ``ops.py``; how gradients flow back is ``backward.py``'s; the
modes are ``modes.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from math import isfinite
from typing import Any

from . import backward as _backward
from . import hooks, modes, nodes
from .convert import Number, as_float, checked_children
from .errors import OperationError, trace_error
from .nodes import _PRIMITIVES, _leaf, apply, constant, primitive  # the compiler imports _leaf and apply from here


class Value:
    """A scalar that remembers how it was computed, so that gradients can flow back to it.

    ``data`` is always a finite float. ``grad`` holds d(root)/d(self) after ``root.backward()``.
    ``children`` are the inputs of the op that produced it (in order, repeats kept), ``op`` that
    op's name (``''`` for a leaf), ``label`` a name for diagrams. ``requires_grad=False`` marks a
    constant: gradients are neither computed for it nor passed through it. The constructor's
    ``_children`` and ``_op`` are micrograd's names, for building a node by hand. Attributes that
    user code sets (``p.m = 0.0``) are kept, as on any Python object.
    """

    # A node's inputs sit in two slots rather than a tuple: one object per node for the garbage
    # collector to track, not two (ops take one input or two; _y is None for one, both for none).
    # __dict__ stays empty (no dict is made) until user code sets an attribute of its own.
    __slots__ = ("_data", "grad", "_x", "_y", "op", "_label", "requires_grad", "__dict__")

    def __init__(
        self,
        data: Number,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
        *,
        requires_grad: bool = True,
    ) -> None:
        self._data = data if type(data) is float and isfinite(data) else _as_data(data)
        self.grad = 0.0
        if _children:
            self._x, self._y = checked_children(tuple(_children), _op, Value)
        else:
            self._x = self._y = None
        self.op = _op
        if label:
            self.label = label
        self.requires_grad = requires_grad
        if modes.busy and (tracing := modes.current().tracing) is not None:
            tracing.born.add(self)  # made by the traced function itself: compile() treats it as a constant

    @property
    def data(self) -> float:
        """The number this Value holds: always a finite float (what is assigned is converted and checked)."""
        if modes.busy:
            _refuse_while_tracing(self, "read its .data")
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        # `p.data -= lr * p.grad` with a numpy lr must not turn data into a numpy scalar
        self._data = value if type(value) is float and isfinite(value) else _as_data(value)

    @property
    def label(self) -> str:
        """A name for diagrams and messages; '' if none was given (any other object is kept as its str())."""
        return getattr(self, "_label", "")  # most nodes never get one, so the slot stays empty

    @label.setter
    def label(self, name: object) -> None:
        self._label = "" if name is None else name if type(name) is str else str(name)

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

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats the number, as PyTorch's one-number tensors do
        return format(self._data, spec) if spec else repr(self)

    # Reading the number: float(v), int(v), bool(v) (v != 0) and comparisons with Values or
    # numbers give plain Python answers, as a one-number tensor does in PyTorch. They are not
    # recorded (no gradient flows through them), so compile() refuses them while it traces.
    def __float__(self) -> float:
        if modes.busy:
            _refuse_while_tracing(self, "called float() (or a math function)", "use the Value's own methods")
        return self._data

    def __int__(self) -> int:
        return int(self.__float__())

    def __bool__(self) -> bool:
        if modes.busy:
            _refuse_while_tracing(self, "tested its truth (if, while, and, or)")
        return self._data != 0.0

    def __lt__(self, other: Operand) -> bool:
        return self._compared(other, "<") < _number_of(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self._compared(other, "<=") <= _number_of(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self._compared(other, ">") > _number_of(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self._compared(other, ">=") >= _number_of(other, ">=")

    def _compared(self, other: Operand, how: str) -> float:
        if modes.busy:
            _refuse_while_tracing(self, f"compared it ({how})", "use .max(), .relu() or abs() to choose by value")
            if isinstance(other, Value):
                _refuse_while_tracing(other, f"compared it ({how})", "use .max(), .relu() or abs() to choose by value")
        return self._data

    def _repr_html_(self) -> str | None:
        """For Jupyter: the text repr (the number) above the diagram of the graph, for a small graph
        (viz.REPR_MAX_BOXES Values); None, so that the text alone is shown, for a big one. One copy
        of the diagram in the notebook: there is no ``_repr_svg_`` to store it twice."""
        from .viz import _repr_html  # loaded on first display: `import autograd` stays light

        return _repr_html(self)

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
        tracing = None if not modes.busy else modes.current().tracing
        if tracing is not None and tracing.traced(self):
            with modes.no_grad():  # traced: a node the compiled code computes, passing no gradient on
                node = self * 1.0  # exactly self's number, for every finite float
        else:
            node = _leaf(self._data, False)
        node.label = self.label
        return node

    backward = _backward.backward  # root.backward(): the pass itself lives in backward.py

    def register_hook(self, fn: Callable[[Any], Any]) -> hooks.RemovableHandle:
        """Call ``fn(grad)`` in every backward pass or ``grad()`` that reaches this Value, once, with its
        complete gradient (the sum over all paths), before it is handed on; a number returned
        replaces it. Hooks run in the order registered; under ``create_graph=True`` ``fn`` gets a
        Value. Returns a handle whose ``remove()`` takes the hook off."""
        return hooks.register(self, fn)

    def _backward(self) -> None:
        """One step of the chain rule by hand, as in micrograd's lectures.

        Adds ``self.grad`` times each local derivative into the children's ``.grad``.
        """
        if self._x is not None:
            _backward.step_by_hand(self)


# The primitives of the class body were made before the class: this gives them the class to make
# nodes of. nodes.py cannot import it (it is loaded first, to make them); see the note there.
nodes.Value = Value
Operand = Value | Number


def _as_data(x: object) -> float:
    """What Value() and ``.data =`` store: a finite float; a Value is refused (that would cut the graph)."""
    if isinstance(x, Value):
        raise TypeError(f"Value expects a real number, got {x!r} (Value); use .data for its number")
    return as_float(x)


def _number_of(other: object, how: str) -> float:
    if isinstance(other, Value):
        return other._data
    return as_float(other, how)


def _refuse_while_tracing(node: Value, did: str, advice: str = "") -> None:
    tracing = modes.current().tracing
    if tracing is not None and tracing.traced(node):
        raise trace_error(node, did, advice)


__all__ = ["OperationError", "Value", "apply", "constant", "primitive"]
