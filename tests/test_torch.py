"""The engine against PyTorch's autograd in float64: every op to second order, and random expressions."""

import math

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): comparison skipped")
pytest.importorskip("hypothesis", reason="hypothesis is in the 'dev' extra")

from expressions import evaluate, points, trees, uses_inputs  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402

from autograd import OperationError, Value, grad  # noqa: E402
from autograd.engine import apply  # noqa: E402
from autograd.ops import OPS  # noqa: E402

TORCH = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "**": lambda x, y: x**y,
    "neg": lambda x: -x,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "sin": torch.sin,
    "cos": torch.cos,
    "sign": torch.sign,
    "max": torch.maximum,
}


def test_every_op_has_a_pytorch_twin():
    assert set(TORCH) == set(OPS)


def tensor(x):
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def as_tensor(x):
    """Constants of the tree as constant tensors, as this engine makes constant Values."""
    return x if isinstance(x, torch.Tensor) else torch.tensor(x, dtype=torch.float64)


POINTS = [-1.7, -0.4, 0.0, 0.3, 0.6, 2.2]


def defined_points(name):
    for x in POINTS:
        for y in POINTS if OPS[name].arity == 2 else [None]:
            point = [x] if y is None else [x, y]
            try:
                out = apply(name, *[Value(p) for p in point])
                grad(out, out.children)
            except OperationError:
                continue
            yield point


@pytest.mark.parametrize("name", sorted(OPS))
def test_first_and_second_derivatives_match_pytorch(name):
    checked = 0
    for point in defined_points(name):
        xs = [Value(p) for p in point]
        ts = [tensor(p) for p in point]
        out, tout = apply(name, *xs), TORCH[name](*ts)
        assert out.data == pytest.approx(tout.item(), rel=1e-15, abs=1e-300)
        firsts = grad(out, xs, create_graph=True)
        tfirsts = torch.autograd.grad(tout, ts, create_graph=True, allow_unused=True, materialize_grads=True)
        for d, td in zip(firsts, tfirsts):
            assert d.data == pytest.approx(td.item(), rel=1e-12, abs=1e-300)
            if not td.requires_grad:
                continue  # PyTorch made no graph: the second derivative is zero
            if name == "**" and point[1] == 0.0:
                continue  # PyTorch zeroes d(x ** y)/dx where y == 0 with a where(), cutting d2/dxdy = 1/x
            try:
                seconds = grad(d, xs)
            except OperationError:
                continue
            tseconds = torch.autograd.grad(td, ts, allow_unused=True, materialize_grads=True)
            for s, ts2 in zip(seconds, tseconds):
                if math.isfinite(ts2.item()):
                    assert s == pytest.approx(ts2.item(), rel=1e-12, abs=1e-300), (name, point)
        checked += 1
    assert checked >= 3


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(trees, points)
def test_random_expressions_match_pytorch(tree, point):
    assume(uses_inputs(tree))
    xs = [Value(p) for p in point]
    try:
        out = evaluate(tree, xs, apply)
        out.backward()
    except OperationError:
        assume(False)  # PyTorch would give inf or nan here; this engine raises instead
    ts = [tensor(p) for p in point]
    tout = evaluate(tree, ts, lambda name, *args: TORCH[name](*map(as_tensor, args)))
    assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-12)
    if tout.requires_grad:
        tout.backward()
    expected = [0.0 if t.grad is None else t.grad.item() for t in ts]
    scale = 1 + max(abs(g) for g in expected)
    for x, g in zip(xs, expected):
        assert x.grad == pytest.approx(g, rel=1e-9, abs=1e-12 * scale)
