"""Code written for micrograd runs unchanged on autograd, with the same numbers."""

import random

import pytest

micrograd_engine = pytest.importorskip("micrograd.engine", reason="micrograd 0.1.0 is in the 'dev' extra")
micrograd_nn = pytest.importorskip("micrograd.nn")

from examples import micrograd_readme_expression  # noqa: E402

from autograd import Value  # noqa: E402
from autograd.nn import MLP  # noqa: E402


def test_the_readme_expression_gives_micrograds_numbers():
    ours = micrograd_readme_expression(Value)
    theirs = micrograd_readme_expression(micrograd_engine.Value)
    # micrograd divides by multiplying with y ** -1, so the last bits may differ
    assert ours == pytest.approx(theirs, rel=1e-12)


def trace(root):
    """micrograd's notebook helper for draw_dot: it walks _prev and reads _op."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def test_micrograds_trace_helper_runs_on_our_graphs():
    x, y = Value(2.0), Value(3.0)
    out = x * y + x
    nodes, edges = trace(out)
    assert len(nodes) == 4 and len(edges) == 4
    assert {n._op for n in nodes} == {"", "*", "+"}


def test_the_same_seed_gives_the_same_mlp_outputs_and_gradients():
    random.seed(7)
    theirs = micrograd_nn.MLP(2, [4, 4, 1])
    random.seed(7)
    ours = MLP(2, [4, 4, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    for model, V in ((theirs, micrograd_engine.Value), (ours, Value)):
        loss = sum((model([V(x), V(-x)]) - x) ** 2 for x in (0.5, -1.0, 2.0))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    assert [p.data for p in ours.parameters()] == pytest.approx([p.data for p in theirs.parameters()], rel=1e-12)


def test_micrograds_training_loop_idioms_run_unchanged():
    random.seed(3)
    model = MLP(2, [8, 1])
    x = [[2.0, 3.0], [-1.0, -2.0]]
    y = [1.0, -1.0]
    scores = list(map(model, x))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total = loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= 0.1 * p.grad
    assert isinstance(total.data, float)
