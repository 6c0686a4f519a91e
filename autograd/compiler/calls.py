"""What a compiled call does at run time: ``Compiled`` (the result gathered from the values the
steps made, or the engine's own answer when the fast code cannot finish cleanly), the params'
gradients added in, and the namespace the generated code runs in."""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Sequence
from typing import Any

from .. import backward, ops
from ..errors import OperationOverflowError, name_of
from ..modes import no_grad
from ..ops import OPS
from ..value import Value, apply
from .arguments import Tree, _flatten_args, _float, _floats, _kind, _size, _unflatten
from .tables import _FORWARD_NAMES
from .tracing import _fn_name, _Trace


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
