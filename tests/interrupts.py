"""Deliver a KeyboardInterrupt at every moment of a call: at its Nth bytecode inside the package, for each N.

``sys.settrace`` with ``f_trace_opcodes`` sees every bytecode of every frame whose code comes from the
``autograd`` package (or the code it generates, named ``<autograd ...>``); raising from the trace
function raises in that frame at that instruction, as a signal handler could.

Python 3.11 only: from 3.12 on, an exception raised by a trace function at some instructions (a
``try:``'s NOP, a conditional jump, a ``with`` block's exit) leaves the frame without running its
handlers, which no real interrupt can do, so the test would report failures of CPython's tracing,
not of the code under test. The engine's code is the same on every version.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator

import autograd

PACKAGE = os.path.dirname(os.path.abspath(autograd.__file__)) + os.sep


def _ours(frame) -> bool:
    name = frame.f_code.co_filename
    return name.startswith(PACKAGE) or name.startswith("<autograd")


class _Counter:
    def __init__(self, at: int | None) -> None:
        self.at, self.seen = at, 0

    def __call__(self, frame, event, arg):
        if not _ours(frame):
            return None
        frame.f_trace_opcodes = True
        if event == "opcode":
            if self.seen == self.at:
                self.seen += 1
                raise KeyboardInterrupt(f"delivered at event {self.at}")
            self.seen += 1
        return self


def count_events(call: Callable[[], object]) -> int:
    """How many bytecodes of the package ``call()`` runs."""
    counter = _Counter(None)
    sys.settrace(counter)
    try:
        call()
    finally:
        sys.settrace(None)
    return counter.seen


def interrupted(call: Callable[[], object], at: int) -> bool:
    """Run ``call()`` with a KeyboardInterrupt at its bytecode number ``at``; True if it was interrupted."""
    sys.settrace(_Counter(at))
    try:
        call()
    except KeyboardInterrupt:
        return True
    finally:
        sys.settrace(None)
    return False


def every_moment(
    setup: Callable[[], Callable[[], object]], step: int = 1, limit: int = 4000
) -> Iterator[tuple[int, Callable[[], object]]]:
    """For N = 0, step, 2 * step, ... over the call's bytecodes: a fresh ``call = setup()``, run with
    an interrupt at N; yields ``(N, call)`` after each, for the caller to check the state it left."""
    if sys.version_info >= (3, 12):
        import pytest

        pytest.skip("interrupts from a trace function are faithful on Python 3.11 only (see tests/interrupts.py)")
    setup()()  # warm up: tables filled on first use, caches
    total = count_events(setup())
    assert total > 10, "the call ran no package code"
    stride = max(step, total // limit)
    missed = 0
    for at in range(0, total, stride):
        call = setup()
        if not interrupted(call, at):  # a second run may take a few bytecodes less (caches warmed)
            missed += 1
            continue
        yield at, call
        reset_modes()
    assert missed <= 3, f"{missed} of the moments were never reached"


def reset_modes() -> None:
    """Put this thread's modes back to the defaults: an interrupt inside a mode block's own exit may
    leave the thread marked busy (safe: its ops only take the slower path), or its mode still set."""
    from autograd import modes

    state = modes.current()
    state.recording, state.anomaly, state.tracing, state.depth = True, False, None, 0
    modes.busy.discard(threading.get_ident())
