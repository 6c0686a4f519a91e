"""Properties of backward on random expressions built from every op of the table (hypothesis)."""

import ast

import pytest

pytest.importorskip("hypothesis", reason="hypothesis is in the 'dev' extra")

from expressions import evaluate, points, trees, uses_inputs
from hypothesis import HealthCheck, assume, given, settings
from test_compile import defined, eager, same

from autograd import OperationError, Value, compile, detect_anomaly, grad
from autograd.engine import apply, topological_order
from autograd.ops import OPS

relaxed = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


def build(tree, point):
    """Leaves and output of the tree on Values; a tree without inputs, or out of an op's domain, is rejected."""
    assume(uses_inputs(tree))
    xs = [Value(p) for p in point]
    try:
        return xs, evaluate(tree, xs, apply)
    except OperationError:
        assume(False)


def on_floats(tree, point):
    return evaluate(tree, point, lambda name, *args: OPS[name].forward(*map(float, args)))


def backward_or_none(out, xs):
    try:
        out.backward()
    except OperationError:
        return None  # an infinite or undefined gradient, reported as such
    return [x.grad for x in xs]


def one_sided_differences(tree, point, i, eps):
    """(f(x) - f(x - eps)) / eps and (f(x + eps) - f(x)) / eps along input i."""
    up, down = list(point), list(point)
    up[i] += eps
    down[i] -= eps
    middle = on_floats(tree, point)
    return (middle - on_floats(tree, down)) / eps, (on_floats(tree, up) - middle) / eps


@relaxed
@given(trees, points)
def test_backward_matches_finite_differences(tree, point):
    xs, out = build(tree, point)
    # finite differences lose |value| * 1e-16 / eps to rounding: keep every value moderate
    assume(all(abs(node.data) < 1e4 for node in topological_order(out)))
    grads = backward_or_none(out, xs)
    assume(grads is not None)
    for i, analytic in enumerate(grads):
        try:
            left, right = one_sided_differences(tree, point, i, 1e-6)
            wider = sum(one_sided_differences(tree, point, i, 1e-5)) / 2
        except (ValueError, ArithmeticError):
            assume(False)  # a neighbour is out of the domain
        numeric = (left + right) / 2
        # at a kink (relu, abs) the two sides differ; at a jump (sign) the estimate grows as
        # the step shrinks: there, differences are no derivative
        assume(abs(left - right) <= 1e-4 * (1 + abs(numeric)))
        assume(abs(wider - numeric) <= 1e-4 * (1 + abs(numeric)))
        assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-4)


@relaxed
@given(trees, points)
def test_backward_twice_doubles_leaf_grads_exactly(tree, point):
    xs, out = build(tree, point)
    once = backward_or_none(out, xs)
    assume(once is not None)
    out.backward()
    assert [x.grad for x in xs] == [2 * g for g in once]


@relaxed
@given(trees, points)
def test_grad_agrees_with_backward_and_leaves_grad_alone(tree, point):
    xs, out = build(tree, point)
    try:
        gradients = grad(out, xs)
    except OperationError:
        assume(False)
    assert [x.grad for x in xs] == [0.0] * len(xs)
    assert backward_or_none(out, xs) == gradients


@relaxed
@given(trees, points)
def test_anomaly_mode_computes_the_very_same_gradients(tree, point):
    # anomaly mode runs the formulas themselves, checked; normal mode runs their compiled source
    xs, out = build(tree, point)
    plain = backward_or_none(out, xs)
    for x in xs:
        x.grad = 0.0
    with detect_anomaly():
        checked = backward_or_none(out, xs)
    assert plain == checked


@relaxed
@given(trees, points)
def test_gradients_with_graphs_have_the_same_numbers(tree, point):
    xs, out = build(tree, point)
    try:
        plain = grad(out, xs)
        with_graphs = grad(out, xs, create_graph=True)
    except OperationError:
        assume(False)
    assert [g.data for g in with_graphs] == pytest.approx(plain, rel=1e-12, abs=1e-300)


# ----------------------------------------------------------------------------- compile()


def tree_fn(tree):
    return lambda *xs: evaluate(tree, xs, apply)


def outcome(call):
    """("value", the call's result), or ("error", the kind of OperationError raised, the op it named)."""
    try:
        return "value", call()
    except OperationError as error:
        return "error", type(error), error.op


@relaxed
@given(trees, points, points)
def test_compiled_random_expressions_match_the_engine_at_a_new_point(tree, traced_at, run_at):
    assume(uses_inputs(tree))
    fn = tree_fn(tree)
    assume(defined(fn, traced_at))
    for inline in (True, False):
        compiled = compile(fn, *traced_at, inline=inline)
        expected, got = outcome(lambda: eager(fn, *run_at)), outcome(lambda: compiled(*run_at))  # noqa: B023
        if expected[0] == "value":
            assert got[0] == "value" and same(got[1], expected[1])
        else:
            assert got == expected


@relaxed
@given(trees, points)
def test_compiled_random_expressions_give_the_same_source_every_time(tree, point):
    assume(uses_inputs(tree))
    fn = tree_fn(tree)
    assume(defined(fn, point))
    first, second = compile(fn, *point), compile(fn, *point)
    assert first.source == second.source
    ast.parse(first.source)


@relaxed
@given(trees, points)
def test_trace_backward_shares_sum_to_the_leaf_grads_bit_for_bit_and_change_nothing(tree, point):
    from autograd import trace_backward

    xs, out = build(tree, point)
    try:
        steps = trace_backward(out)
    except OperationError:
        assume(False)
    assert all(x.grad == 0.0 for x in xs)  # nothing changed
    sums: dict = {out: 1.0}  # the root's own gradient is the seed
    for step in steps:
        assert step.node.children and [s.input for s in step.shares] == [
            c for c in step.node.children if c.requires_grad
        ]
        for share in step.shares:
            sums[share.input] = sums[share.input] + share.share if share.input in sums else share.share
    grads = backward_or_none(out, xs)
    assert grads is not None
    assert [(sums.get(x, 0.0) + 0.0).hex() for x in xs] == [float(g).hex() for g in grads]
    # each step's gradient is what backward left in that inner node
    assert [step.grad for step in steps] == [step.node.grad for step in steps]
