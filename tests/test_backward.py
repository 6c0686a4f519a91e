"""backward() and grad() under interrupts and threads: a pass that is stopped leaves nothing that spoils the next."""

import threading

import pytest
from interrupts import every_moment

from autograd import Value, detect_anomaly, grad, trace_backward
from autograd.backward import topological_order
from autograd.steps import Pending


def shared_graph():
    """A sum of 12 terms that all reuse x and w, through tanh: many shares per node, two leaves."""
    x, w = Value(0.3, label="x"), Value(-0.7, label="w")
    total = x * w
    for k in range(12):
        total = total + (x * (k % 3 + 1)).tanh() * w
    return x, w, total


def exact_gradients():
    x, w, y = shared_graph()
    y.backward()
    return [x.grad, w.grad]


EXACT = exact_gradients()


def no_marks_left(root):
    return not any(isinstance(node.grad, Pending) for node in topological_order(root))


@pytest.mark.parametrize("anomaly", [False, True], ids=["hot path", "anomaly mode"])
def test_an_interrupt_at_any_moment_of_backward_leaves_nothing_that_spoils_the_next_pass(anomaly):
    held = [1.5, -2.0]  # what the leaves held before the interrupted pass

    def setup():
        x, w, y = shared_graph()
        x.grad, w.grad = held
        setup.graph = x, w, y

        def call():
            if anomaly:
                with detect_anomaly():
                    y.backward()
            else:
                y.backward()

        return call

    checked = 0
    for at, _ in every_moment(setup, limit=800):
        x, w, y = setup.graph
        assert no_marks_left(y), f"a .grad was left marked after an interrupt at bytecode {at}"
        for leaf, old, new in zip((x, w), held, EXACT):
            # the pass either did not count or counted whole: never half a pass
            assert leaf.grad in (old, old + new), (at, leaf.grad)
        assert (x.grad == held[0]) == (w.grad == held[1]), at
        x.grad = w.grad = 0  # the recipe: reset and run again
        y.backward()
        assert [x.grad, w.grad] == EXACT, f"after an interrupt at bytecode {at}"
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("call_kind", ["grad", "create_graph", "trace"])
def test_an_interrupt_at_any_moment_of_grad_or_trace_backward_changes_no_grad(call_kind):
    def setup():
        x, w, y = shared_graph()
        y.backward()  # every node holds a gradient that grad() must not touch
        setup.before = [(node, node.grad) for node in topological_order(y)]
        if call_kind == "grad":
            return lambda: grad(y, [x, w])
        if call_kind == "create_graph":
            return lambda: grad(y, [x, w], create_graph=True)
        return lambda: trace_backward(y)

    for at, _ in every_moment(setup, limit=300):
        changed = [node for node, g in setup.before if node.grad != g]
        assert not changed, f"{call_kind} interrupted at bytecode {at} changed {changed[:3]}"


def test_a_mark_left_by_a_pass_that_never_finished_does_not_make_the_next_pass_skip_the_node():
    # A stray mark (as a second interrupt inside the clean-up could leave) is no mark of a new pass.
    x = Value(2.0)
    inner = x * 3.0
    y = inner + x
    inner.grad = Pending()
    x.grad = Pending()
    y.backward()
    assert x.grad == 4.0 and inner.grad == 1.0


def test_two_threads_running_backward_on_one_model_add_both_gradients():
    # Both threads build their own graph on the shared leaves and call backward at once, many times.
    w = [Value(0.1 * k, label=f"w{k}") for k in range(30)]
    rounds, start = 200, threading.Barrier(2, timeout=10)
    errors = []

    def worker(sign):
        try:
            start.wait()
            for _ in range(rounds):
                loss = sum((wk * sign * 1.5 for wk in w), Value(0.0))
                (loss * loss).backward()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (1.0, -1.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    # each pass adds 2 * loss * d loss / d wk = 2 * (1.5 * sum(w)) * 1.5 * sign^2, the same for both threads
    expected = 2 * rounds * (2 * 1.5 * 1.5 * sum(wk.data for wk in w))
    for wk in w:
        assert wk.grad == pytest.approx(expected, rel=1e-12)
