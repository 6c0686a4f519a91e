"""gradcheck: compare the engine's gradients with central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value, grad


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if ``grad(fn(*inputs), inputs)`` matches central differences for every input.

    ``fn`` takes one Value per input and returns a Value. A gradient passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|`` (PyTorch's defaults). Otherwise a
    GradcheckError names the input, both values and the tolerance; with
    ``raise_exception=False`` the result is False instead.
    """
    values = [x if isinstance(x, Value) else Value(x) for x in inputs]
    output = _call(fn, values)
    analytic = grad(output, values)
    for i, (x, exact) in enumerate(zip(values, analytic)):
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


def _call(fn: Callable[..., Value], values: list[Value]) -> Value:
    output = fn(*values)
    if not isinstance(output, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {output!r} ({type(output).__name__})")
    return output


def _shifted(fn: Callable[..., Value], values: list[Value], i: int, step: float) -> float:
    """fn's value with input i moved by ``step``, every input a fresh Value."""
    # not under no_grad(): fn may itself differentiate (a second-order check calls grad())
    moved = [Value(x.data + step if j == i else x.data) for j, x in enumerate(values)]
    return _call(fn, moved).data
