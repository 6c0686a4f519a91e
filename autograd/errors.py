"""The exceptions autograd raises, and the wording of every message: what failed, on which numbers, where."""

from __future__ import annotations

import linecache
import os
import sys
from typing import Any


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


class OpDefinitionError(ValueError):
    """``defop`` (or ``from_layer``) refused a rule: the message names the op, and where it applies the
    input, the point and the two numbers that disagree."""


# ----------------------------------------------------------------------------- messages
# Every error the engine raises is worded here: what failed, on which numbers, and the user's line.

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_site() -> tuple[str, int] | None:
    """File and line of the innermost caller outside this package (and the code it generates)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith((_PACKAGE_DIR, "<autograd")):
        frame = frame.f_back
    return None if frame is None else (frame.f_code.co_filename, frame.f_lineno)


def describe_site(site: tuple[str, int] | None) -> str:
    """``"\\n  at file:line: source"`` for a site of ``user_site()``, or '' for None."""
    if site is None:
        return ""
    filename, lineno = site
    source = linecache.getline(filename, lineno).strip()
    return f"\n  at {filename}:{lineno}" + (f": {source}" if source else "")


def short(x: object) -> str:
    """``repr(x)``, cut to about 60 characters."""
    text = repr(x)
    return text if len(text) <= 60 else f"{text[:45]}...({len(text)} characters)"


def name_of(node: Any) -> str:
    """How messages refer to a Value: its label, else its number."""
    label = node.label
    return repr(label) if label else f"the Value {node._data!r}"


def forward_error(name: str, children: tuple[Any, ...], cause: BaseException, domain: str = "") -> OperationError:
    """The error for op ``name`` failing (or giving inf or NaN) on the numbers of ``children``."""
    inputs = tuple(child._data for child in children)
    if isinstance(cause, OverflowError):
        reason = "the result is too large for a float"
    else:
        reason = f"{cause}" + (f" ({domain})" if domain else "")
    shown = ", ".join(repr(x) for x in inputs)
    message = f"{name!r} failed on {shown}: {reason}{describe_site(user_site())}"
    return error_class(cause)(message, name, inputs)


def backward_error(node: Any, cause: BaseException) -> OperationError:
    """The error for a gradient of ``node``'s op that is infinite or undefined."""
    inputs = tuple(child._data for child in node.children)
    if isinstance(cause, ZeroDivisionError):
        what = "is infinite (a division by zero)"
    elif isinstance(cause, OverflowError):
        what = "overflows a float"
    else:
        what = f"is undefined ({cause})"
    site = getattr(node, "_site", None)
    where = describe_site(site) if site else "\n  (run under autograd.detect_anomaly() to see where it was made)"
    shown = ", ".join(repr(x) for x in inputs)
    message = f"the gradient of {node.op!r} at {shown} {what}{where}"
    return error_class(cause)(message, node.op, inputs)


def trace_error(node: Any, did: str, advice: str = "") -> TraceError:
    """The error for Python looking at a traced Value's number while compile() traces."""
    advice = advice or (
        "use Value operations instead (for example x.relu() rather than `x if x.data > 0 else 0`), or pass "
        "the number as an argument of its own"
    )
    return TraceError(
        f"compile() traces the function once, with Values standing for its arguments, and records their "
        f"operations; the function {did} on a traced Value ({name_of(node)} while tracing), so the compiled "
        f"code could not follow it when the numbers change: {advice}{describe_site(user_site())}"
    )
