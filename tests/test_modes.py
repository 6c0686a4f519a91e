"""Modes belong to a thread: no_grad, detect_anomaly and compile()'s tracing in one thread change nothing in another."""

import threading

import pytest
from interrupts import every_moment

import autograd
from autograd import OperationError, Value, detect_anomaly, enable_grad, grad, is_grad_enabled, modes, no_grad

TIMEOUT = 10


class Holder(threading.Thread):
    """A thread that enters a block (``opened`` is set once inside) and stays there until ``release``."""

    def __init__(self, block_factory):
        super().__init__(daemon=True)
        self.block_factory = block_factory
        self.opened, self.release, self.error = threading.Event(), threading.Event(), None

    def run(self):
        try:
            with self.block_factory():
                self.opened.set()
                assert self.release.wait(TIMEOUT)
        except BaseException as error:  # reported by the test
            self.error = error
            self.opened.set()

    def __enter__(self):
        self.start()
        assert self.opened.wait(TIMEOUT)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.join(TIMEOUT)
        assert not self.is_alive()
        if self.error is not None:
            raise self.error


def test_another_threads_no_grad_does_not_turn_this_threads_ops_into_constants():
    x = Value(2.0)
    with Holder(no_grad):
        assert modes.busy  # the ops below take the path that reads this thread's modes
        y = x * 3 + x * 5
        y.backward()
    assert x.grad == 8.0
    assert y.requires_grad and y.children


def test_inside_no_grad_only_this_thread_stops_recording():
    x = Value(2.0)
    seen = {}

    def other():
        seen["other"] = (x * 2).requires_grad

    with no_grad():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(TIMEOUT)
        seen["here"] = (x * 2).requires_grad
    assert seen == {"other": True, "here": False}


def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on_everywhere():
    # A enters, B enters, A leaves, B leaves: with one shared flag, B restored "off" for good
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a():
        with no_grad():
            a_in.set()
            assert b_in.wait(TIMEOUT)
        a_out.set()

    def b():
        assert a_in.wait(TIMEOUT)
        with no_grad():
            b_in.set()
            assert a_out.wait(TIMEOUT)

    threads = [threading.Thread(target=f) for f in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not modes.busy and is_grad_enabled()
    x = Value(1.0)
    assert (x * 2).requires_grad


def test_one_no_grad_instance_used_by_two_threads_at_once_restores_each():
    shared = no_grad()
    inside, done = threading.Barrier(2, timeout=TIMEOUT), []

    def worker():
        with shared:
            inside.wait()
            done.append((Value(1.0) * 2).requires_grad)
            inside.wait()
        done.append((Value(1.0) * 2).requires_grad)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert sorted(done) == [False, False, True, True]
    assert not modes.busy


def test_a_decorated_function_called_in_two_threads_gives_each_its_own_block():
    release = threading.Event()
    results = []

    @no_grad()
    def slow_constant(x):
        release.wait(TIMEOUT)
        return x * 2

    threads = [threading.Thread(target=lambda: results.append(slow_constant(Value(1.0)))) for _ in range(2)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(TIMEOUT)
    assert [r.requires_grad for r in results] == [False, False]
    assert (Value(1.0) * 2).requires_grad and not modes.busy


def test_anomaly_mode_in_another_thread_checks_nothing_here():
    x = Value(0.0)
    with Holder(detect_anomaly):
        y = x.sqrt()  # no site recorded: anomaly is the other thread's
        assert "_site" not in vars(y)
        with pytest.raises(OperationError) as caught:
            y.backward()
    assert "detect_anomaly" in str(caught.value)  # the advice given outside anomaly mode


def test_while_another_thread_compiles_this_one_reads_data_and_runs_backward():
    started, release = threading.Event(), threading.Event()

    def traced(a):
        started.set()
        assert release.wait(TIMEOUT)
        return a * a

    compiled = []
    thread = threading.Thread(target=lambda: compiled.append(autograd.compile(traced, 3.0)))
    thread.start()
    assert started.wait(TIMEOUT)
    try:
        x = Value(3.0)
        y = x * x
        assert y.data == 9.0 and float(y) == 9.0 and bool(y)
        y.backward()
        assert x.grad == 6.0
        assert grad(y, x) == [6.0]
    finally:
        release.set()
        thread.join(TIMEOUT)
    assert compiled[0](3.0) == (9.0, (6.0,))


def test_no_grad_on_a_generator_function_covers_its_body_each_time_it_runs():
    x = Value(2.0)

    @no_grad()
    def doubles(n):
        for _ in range(n):
            received = yield x * 2
            if received is not None:
                yield received * 3
        return "done"

    gen = doubles(2)
    first = next(gen)
    assert not first.requires_grad
    assert (x * 2).requires_grad  # between resumptions this thread records again
    sent = gen.send(Value(1.0))
    assert not sent.requires_grad
    assert not next(gen).requires_grad
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done"
    assert not modes.busy


def test_a_decorated_generator_sees_throw_and_close_inside_its_mode():
    seen = []

    @no_grad()
    def gen():
        try:
            yield 1
        except ValueError:
            seen.append(("throw", is_grad_enabled()))
            yield 2
        finally:
            seen.append(("finally", is_grad_enabled()))

    g = gen()
    next(g)
    assert g.throw(ValueError("x")) == 2
    g.close()
    assert seen == [("throw", False), ("finally", False)]
    assert is_grad_enabled() and not modes.busy


def test_enable_grad_records_inside_no_grad():
    x = Value(1.0)
    with no_grad():
        with enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert not modes.busy


def test_ops_on_the_moded_path_build_the_same_graph_as_on_the_plain_path():
    # The hot path runs while no thread is in a mode; the other path must give the same nodes.
    def build():
        a, b = Value(-4.0), Value(2.0)
        c = (a * b + b**3).tanh() - a.relu() / (1 + b.exp())
        c.backward()
        return [c.data, a.grad, b.grad], [(n.op, n.requires_grad) for n in autograd.backward.topological_order(c)]

    plain = build()
    with Holder(no_grad):
        moded = build()
    assert plain == moded


def test_an_interrupt_at_any_moment_of_a_mode_block_never_leaves_this_thread_moded_on_the_hot_path():
    # after each interrupt: either the thread is marked busy (ops read its modes), or its modes are back
    def setup():
        def call():
            with no_grad():
                Value(1.0) * 2

        return call

    for at, _ in every_moment(setup):
        state = modes.current()
        assert threading.get_ident() in modes.busy or (state.recording and state.depth == 0), at
        assert (Value(1.0) * 2).requires_grad == state.recording, at
