"""Hooks: once per pass, with the complete gradient, in the order registered; a number returned replaces it."""

import pytest

from autograd import Value, grad, hooks


@pytest.fixture(autouse=True)
def no_hooks_left():
    yield
    assert hooks.live == 0, "a test left a hook registered"


def test_a_hook_on_a_reused_node_runs_once_with_the_sum_over_every_path():
    x = Value(3.0)
    seen = []
    h = x.register_hook(seen.append)
    (x * x + x).backward()
    assert seen == [7.0] and x.grad == 7.0
    h.remove()


def test_a_number_returned_replaces_the_gradient_before_it_is_handed_on():
    x = Value(2.0)
    inner = x * 3
    y = inner.tanh() + inner
    h = inner.register_hook(lambda g: 10.0)
    y.backward()
    assert inner.grad == 10.0 and x.grad == 30.0
    h.remove()
    y.backward()
    assert x.grad == 30.0 + 3 * (1 - y.children[0].data ** 2) + 3


def test_hooks_run_in_the_order_registered_and_remove_takes_one_off():
    x = Value(1.0)
    calls = []
    first = x.register_hook(lambda g: calls.append(("first", g)) or g * 2)
    second = x.register_hook(lambda g: calls.append(("second", g)))
    (x * 5).backward()
    assert calls == [("first", 5.0), ("second", 10.0)] and x.grad == 10.0
    first.remove()
    first.remove()  # a second remove does nothing
    calls.clear()
    (x * 5).backward()
    assert calls == [("second", 5.0)]
    second.remove()


def test_grad_runs_hooks_and_leaves_grad_alone():
    x = Value(2.0)
    seen = []
    h = x.register_hook(lambda g: seen.append(g) or -g)
    assert grad(x * x, x) == [-4.0]
    assert seen == [4.0] and x.grad == 0.0
    h.remove()


def test_under_create_graph_a_hook_gets_a_value_and_may_return_one():
    x = Value(3.0)
    seen = []
    h = x.register_hook(lambda g: seen.append(g) or g * 2)
    try:
        (g,) = grad(x * x, x, create_graph=True)
        assert isinstance(seen[0], Value) and seen[0].data == 6.0
        # g = 2 * (2x): its own derivative 4, doubled again by the hook in this second pass
        assert g.data == 12.0 and grad(g, x) == [8.0] and seen[1] == 4.0
    finally:
        h.remove()


def test_a_hook_on_a_constant_or_not_a_function_is_refused():
    with pytest.raises(ValueError, match="is a constant"):
        Value(1.0, requires_grad=False).register_hook(print)
    with pytest.raises(TypeError, match="expects a function"):
        Value(1.0).register_hook(3)


def test_a_hook_returning_nan_or_a_string_says_so():
    x = Value(1.0)
    h = x.register_hook(lambda g: float("nan"))
    with pytest.raises(ValueError, match="a gradient must be finite"):
        (x * 2).backward()
    h.remove()
    h = x.register_hook(lambda g: "0")
    with pytest.raises(TypeError, match="must return a number or None"):
        (x * 2).backward()
    h.remove()
    assert x.grad == 0.0  # the passes that raised changed nothing
