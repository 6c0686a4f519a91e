"""The exceptions autograd raises when an operation meets a value it cannot handle."""

from __future__ import annotations


class OperationError(ValueError):
    """An op met a value outside its domain, or produced a number that is not finite.

    ``op`` is the op's name (``'log'``) and ``inputs`` the floats it was given. The subclasses
    below are also a ``ZeroDivisionError`` or an ``OverflowError``, so plain Python handlers work.
    """

    def __init__(self, message: str, op: str | None = None, inputs: tuple[float, ...] = ()) -> None:
        super().__init__(message)
        self.op = op
        self.inputs = inputs


class OperationZeroDivisionError(OperationError, ZeroDivisionError):
    """A division by zero inside an op or one of its gradients."""


class OperationOverflowError(OperationError, OverflowError):
    """A forward result or a gradient too large for a float (it would have been inf or NaN)."""


def error_class(cause: BaseException) -> type[OperationError]:
    """The OperationError subclass that keeps the kind of the Python error ``cause``."""
    if isinstance(cause, ZeroDivisionError):
        return OperationZeroDivisionError
    if isinstance(cause, OverflowError):
        return OperationOverflowError
    return OperationError


class TraceError(TypeError):
    """``compile()`` met something that tracing cannot record: Python reading a traced Value's
    number (``.data``, ``if v:``) to decide what to compute, or a backward pass inside the function."""
