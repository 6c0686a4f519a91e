"""gradcheck: compare the engine's gradients with central finite differences."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

from .engine import Value, grad


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Value | float] | Value | float,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if ``grad(fn(*inputs), inputs)`` matches central differences for every input.

    ``fn`` takes one Value per input and returns a Value. A gradient passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|`` (PyTorch's defaults). Otherwise a
    GradcheckError names the input, both values and the tolerance; with
    ``raise_exception=False`` the result is False instead. As in PyTorch, one input may be given
    alone, and an input with ``requires_grad=False`` is held fixed and not checked.
    """
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be a function of the inputs, such as lambda x, y: x * y, got {fn!r}")
    eps = _tolerance("eps", eps, "the step of the finite differences, such as the default 1e-6", positive=True)
    atol = _tolerance("atol", atol, "an absolute tolerance, such as the default 1e-5")
    rtol = _tolerance("rtol", rtol, "a relative tolerance, such as the default 1e-3")
    values = _values(inputs)
    checked = [i for i, x in enumerate(values) if x.requires_grad]
    if not checked:
        raise ValueError(
            "gradcheck: no input requires grad, so there is no gradient to check; pass Values made with "
            "requires_grad=True (the default) or plain numbers"
        )
    output = _call(fn, values)
    analytic = grad(output, [values[i] for i in checked])
    for i, exact in zip(checked, analytic):
        x = values[i]
        numeric = (_shifted(fn, values, i, eps) - _shifted(fn, values, i, -eps)) / (2 * eps)
        tolerance = atol + rtol * abs(numeric)
        if not abs(exact - numeric) <= tolerance:
            name = f" ({x.label!r})" if x.label else ""
            message = (
                f"gradcheck failed for input {i}{name} at {x.data!r}: analytic gradient {exact!r}, "
                f"numeric {numeric!r}; they differ by {abs(exact - numeric):.3g}, "
                f"more than atol + rtol * |numeric| = {tolerance:.3g}"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def _values(inputs: object) -> list[Value]:
    """The inputs as a non-empty list of Values (numbers become Values)."""
    if isinstance(inputs, (Value, numbers.Real)):
        inputs = [inputs]  # one input alone, as torch.autograd.gradcheck takes one tensor
    elif isinstance(inputs, (str, bytes)) or not isinstance(inputs, Iterable):
        raise TypeError(f"gradcheck: inputs must be a list of Values or numbers, such as [x, y], got {inputs!r}")
    values = [x if isinstance(x, Value) else Value(x) for x in inputs]
    if not values:
        raise ValueError("gradcheck needs at least one input: fn's arguments, such as [x, y]")
    return values


def _tolerance(name: str, value: object, what: str, positive: bool = False) -> float:
    bound = "> 0" if positive else ">= 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"gradcheck: {name} must be a number {bound} ({what}), got {value!r}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"gradcheck: {name} must be a finite number {bound} ({what}), got {value!r}")
    return float(value)


def _call(fn: Callable[..., Value], values: list[Value]) -> Value:
    output = fn(*values)
    if not isinstance(output, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {output!r} ({type(output).__name__})")
    return output


def _shifted(fn: Callable[..., Value], values: list[Value], i: int, step: float) -> float:
    """fn's value with input i moved by ``step``, every input a fresh Value."""
    # not under no_grad(): fn may itself differentiate (a second-order check calls grad())
    moved = [Value(x.data + step if j == i else x.data, requires_grad=x.requires_grad) for j, x in enumerate(values)]
    return _call(fn, moved).data
