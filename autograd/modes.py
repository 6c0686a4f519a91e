"""The engine's modes, held per thread: recording (``no_grad``), anomaly detection, and compile()'s tracing.

Each thread has its own modes, as PyTorch keeps grad mode per thread: a ``no_grad()`` block in one
thread changes nothing in another. The hot path (every operator) reads one module set, ``busy``:
the threads inside a mode block. While it is empty, as in the usual single-threaded program, no
op looks up its thread's state; otherwise an op asks ``current()``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Tracing:
    """What compile() needs from the engine while it traces a function in this thread.

    ``inputs`` are the leaves standing for the arguments and params; ``born`` collects every Value
    the traced function creates itself (compile() treats those as constants).
    """

    __slots__ = ("inputs", "born")

    def __init__(self, inputs: set[Any]) -> None:
        self.inputs = inputs
        self.born: set[Any] = set()

    def traced(self, node: Any) -> bool:
        """Whether ``node`` is computed (from the traced inputs) or is one of them."""
        return node._x is not None or node in self.inputs


class State(threading.local):
    """One thread's modes; a new thread starts with the defaults below."""

    recording: bool = True  # False inside no_grad(): ops record no graph
    anomaly: bool = False  # True inside detect_anomaly(): nodes remember where they were made
    tracing: Tracing | None = None  # set while compile() traces a function in this thread
    depth: int = 0  # mode blocks open in this thread


_state = State()
# A thread is in `busy` from before it sets a mode until after it has restored it. Set.add and
# set.discard are atomic, so no lock is needed (a lock that an interrupt left held would stop
# every other thread); an interrupt at the wrong moment leaves a thread in `busy` too long, which
# only sends ops down the slower path, never a wrong one.
busy: set[int] = set()


def current() -> State:
    """This thread's modes."""
    return _state


@contextmanager
def _mode(name: str, value: Any) -> Iterator[None]:
    # Counted before the mode is set and uncounted after it is restored: an interrupt in between
    # leaves the count too high, which only sends ops down the slower path, never a wrong one.
    state, me = _state, threading.get_ident()
    busy.add(me)
    state.depth += 1
    saved = getattr(state, name)
    try:
        setattr(state, name, value)
        yield
    finally:
        setattr(state, name, saved)
        state.depth -= 1
        if not state.depth:
            busy.discard(me)


@contextmanager
def tracing(inputs: set[Any]) -> Iterator[Tracing]:
    """For compile(): record every op on the traced inputs in this thread, even under no_grad."""
    trace = Tracing(inputs)
    with _mode("recording", True), _mode("tracing", trace):
        yield trace


class _Switch:
    """A mode switch usable as ``with`` block and as decorator; nests, and holds for its thread only.

    On a generator function the mode covers the generator's body each time it runs, as in PyTorch,
    not just the call that creates the generator.
    """

    name: str
    value: bool

    def __init__(self) -> None:
        self._open = threading.local()  # per thread, the blocks this instance has open, innermost last

    def __enter__(self) -> _Switch:
        block = _mode(self.name, self.value)
        block.__enter__()
        stack = self._open.__dict__.setdefault("blocks", [])
        stack.append(block)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._open.blocks.pop().__exit__(*exc)

    def __call__(self, fn: F) -> F:
        import inspect  # at decoration time: `import autograd` stays light

        name, value = self.name, self.value
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def generator(*args: Any, **kwargs: Any) -> Any:
                gen = fn(*args, **kwargs)
                try:
                    with _mode(name, value):
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with _mode(name, value):
                                gen.close()
                            raise
                        except BaseException as error:
                            with _mode(name, value):
                                response = gen.throw(error)
                        else:
                            with _mode(name, value):
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value

            return generator  # type: ignore[return-value]

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            with _mode(name, value):  # a block per call: the decorated function may run in many threads
                return fn(*args, **kwargs)

        return call  # type: ignore[return-value]


class no_grad(_Switch):
    """Context manager and decorator: inside it this thread's ops record no graph and return constants."""

    name, value = "recording", False


class enable_grad(_Switch):
    """Context manager and decorator: record the graph again, inside a ``no_grad()`` block."""

    name, value = "recording", True


class detect_anomaly(_Switch):
    """Context manager and decorator for debugging NaN and inf, in this thread.

    Inside it every node remembers the line of user code that made it, and backward checks
    each gradient as it is computed, raising at the first one that is not finite with the op
    and that line. (Forward results are always checked, in or out of this mode.) Slow: use it
    to find a bug, not to train.
    """

    name, value = "anomaly", True


def is_grad_enabled() -> bool:
    """Whether ops in this thread record a graph (False inside ``no_grad()``)."""
    return not busy or _state.recording
