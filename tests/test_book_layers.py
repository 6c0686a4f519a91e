"""demos/book_layers.py: each hand-written backward equals the engine's gradients and finite differences."""

import importlib.util
import math
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograd import Value
from autograd.nn.losses import cross_entropy

DEMOS = Path(__file__).resolve().parent.parent / "demos"
TOL = 1e-12  # the two agree to rounding: the largest difference measured is below 1e-15


def _load_demo() -> Any:
    spec = importlib.util.spec_from_file_location("book_layers", DEMOS / "book_layers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["book_layers"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bl = _load_demo()


def numerical_gradient(f: Callable[[Any], float], x: Any, h: float = 1e-6) -> Any:
    """Central differences of f at x, a number or nested lists of numbers, entry by entry.

    The step grows with |x|, so that x + h still differs from x in enough digits.
    """
    if isinstance(x, list):
        return [numerical_gradient(lambda xi, i=i: f([*x[:i], xi, *x[i + 1 :]]), xi, h) for i, xi in enumerate(x)]
    step = h * max(1.0, abs(x))
    return (f(x + step) - f(x - step)) / (2 * step)


def close_to_numerical(analytic: Any, numerical: Any, tol: float = 1e-6) -> bool:
    """Whether every entry agrees with its central difference, relative to the entry's size."""
    pairs = zip(bl.flatten(analytic), bl.flatten(numerical))
    return all(abs(a - n) <= tol * max(1.0, abs(a)) for a, n in pairs)


def random_matrix(seed: int, rows: int, columns: int, scale: float = 1.0) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.gauss(0.0, scale) for _ in range(columns)] for _ in range(rows)]


def dot(out: list[list[float]], dout: list[list[float]]) -> float:
    """sum(out * dout): the number whose gradient a layer's backward(dout) returns."""
    return sum(o * d for row, ds in zip(out, dout) for o, d in zip(row, ds))


# -- MulLayer and AddLayer: the apple example -------------------------------------------------------


def test_mul_layers_give_the_books_apple_price_and_gradients():
    mul_apple, mul_tax = bl.MulLayer(), bl.MulLayer()
    price = mul_tax.forward(mul_apple.forward(100.0, 2.0), 1.1)
    d_subtotal, d_tax = mul_tax.backward(1.0)
    d_apple, d_count = mul_apple.backward(d_subtotal)
    assert price == pytest.approx(220, rel=1e-15)
    assert (d_apple, d_count, d_tax) == pytest.approx((2.2, 110, 200), rel=1e-15)


def test_the_apple_section_prints_the_books_numbers_both_ways():
    section = bl.apple_section()
    expected = [220, 2.2, 110, 200, 715, 110, 2.2, 3.3, 165, 650]
    assert [row.hand for row in section.rows] == pytest.approx(expected, rel=1e-15)
    assert [row.engine for row in section.rows] == pytest.approx(expected, rel=1e-15)
    assert section.diff <= TOL


# Central differences are exact for x * y and x + y at any step, so these tests take a large one:
# it keeps rounding small next to the difference even where x + y is a million.
PAIRS = [(100.0, 2.0), (-3.5, 0.0), (0.0, 0.0), (1e-8, -7.25), (1e6, 3e-3)]


@pytest.mark.parametrize(("x", "y"), PAIRS)
@pytest.mark.parametrize("dout", [1.0, -2.5])
def test_mul_layer_backward_matches_the_engine_and_finite_differences(x, y, dout):
    layer = bl.MulLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    a, b = Value(x), Value(y)
    (a * b * dout).backward()
    assert bl.max_abs_diff([dx, dy], [a.grad, b.grad]) <= TOL
    assert close_to_numerical([dx, dy], numerical_gradient(lambda p: bl.MulLayer().forward(*p) * dout, [x, y], h=1e-3))


@pytest.mark.parametrize(("x", "y"), PAIRS)
@pytest.mark.parametrize("dout", [1.0, -2.5])
def test_add_layer_backward_matches_the_engine_and_finite_differences(x, y, dout):
    layer = bl.AddLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    a, b = Value(x), Value(y)
    ((a + b) * dout).backward()
    assert bl.max_abs_diff([dx, dy], [a.grad, b.grad]) <= TOL
    assert close_to_numerical([dx, dy], numerical_gradient(lambda p: bl.AddLayer().forward(*p) * dout, [x, y], h=1e-3))


# -- Relu and Sigmoid -------------------------------------------------------------------------------

RELU_INPUTS = [
    [[-2.0, -0.5, 0.0, 0.5, 2.0]],
    [[0.0]],
    [[1e-300, -1e-300], [5.0, -5.0]],
    random_matrix(1, 3, 4),
]
SIGMOID_INPUTS = [
    [[-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0]],
    [[0.0]],
    random_matrix(2, 3, 4, scale=3.0),
]


@pytest.mark.parametrize("x", RELU_INPUTS)
def test_relu_layer_matches_value_relu(x):
    dout = random_matrix(10, len(x), len(x[0]))
    rows = bl.elementwise_rows("relu", bl.Relu(), Value.relu, x, dout)
    assert max(row.diff for row in rows) <= TOL


@pytest.mark.parametrize("x", SIGMOID_INPUTS)
def test_sigmoid_layer_matches_value_sigmoid(x):
    dout = random_matrix(11, len(x), len(x[0]))
    rows = bl.elementwise_rows("sigmoid", bl.Sigmoid(), Value.sigmoid, x, dout)
    assert max(row.diff for row in rows) <= TOL


def test_relu_passes_no_gradient_at_zero_in_the_book_and_in_the_engine():
    layer = bl.Relu()
    layer.forward([[0.0]])
    assert layer.backward([[1.0]]) == [[0.0]]  # the book's mask is x <= 0
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0  # the engine's relu'(0) = 0, as in PyTorch
    # a central difference would say 0.5 here: at the kink the value is a convention, not a derivative


@pytest.mark.parametrize(
    ("layer_class", "x"),
    [(bl.Relu, random_matrix(3, 3, 4)), (bl.Sigmoid, random_matrix(4, 3, 4, scale=3.0)), (bl.Sigmoid, [[-30.0, 30.0]])],
)
def test_elementwise_backward_matches_finite_differences(layer_class, x):
    assert all(abs(v) > 1e-3 for row in x for v in row)  # away from relu's kink
    dout = random_matrix(12, len(x), len(x[0]))
    layer = layer_class()
    layer.forward(x)
    dx = layer.backward(dout)
    assert close_to_numerical(dx, numerical_gradient(lambda x: dot(layer_class().forward(x), dout), x))


def test_sigmoid_layer_does_not_overflow_far_from_zero():
    layer = bl.Sigmoid()
    assert layer.forward([[-1000.0, 1000.0]]) == [[0.0, 1.0]]
    assert layer.backward([[1.0, 1.0]]) == [[0.0, 0.0]]


# -- Affine -----------------------------------------------------------------------------------------

SHAPES = [(1, 1, 1), (2, 3, 2), (4, 5, 3), (3, 2, 2)]  # (batch, nin, nout); a square W shows a missing transpose


def affine_both_ways(batch: int, nin: int, nout: int, seed: int) -> tuple[Any, ...]:
    """x, W, b, dout, the layer after backward(dout), and the engine's dx, dW, db."""
    x, W = random_matrix(seed, batch, nin), random_matrix(seed + 1, nin, nout)
    b, dout = random_matrix(seed + 2, 1, nout)[0], random_matrix(seed + 3, batch, nout)
    layer = bl.Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)
    xs, Ws, bs = bl.to_values(x), bl.to_values(W), bl.to_values(b)
    bl.weighted_sum(bl.engine_affine(xs, Ws, bs), dout).backward()
    return x, W, b, dout, layer, dx, (bl.grads_of(xs), bl.grads_of(Ws), bl.grads_of(bs))


@pytest.mark.parametrize("shape", SHAPES)
def test_affine_backward_matches_the_engine(shape):
    _, _, _, _, layer, dx, (ex, eW, eb) = affine_both_ways(*shape, seed=20)
    assert bl.max_abs_diff(dx, ex) <= TOL
    assert bl.max_abs_diff(layer.dW, eW) <= TOL
    assert bl.max_abs_diff(layer.db, eb) <= TOL


@pytest.mark.parametrize("shape", SHAPES)
def test_affine_backward_matches_finite_differences(shape):
    x, W, b, dout, layer, dx, _ = affine_both_ways(*shape, seed=30)
    assert close_to_numerical(dx, numerical_gradient(lambda x: dot(bl.Affine(W, b).forward(x), dout), x))
    assert close_to_numerical(layer.dW, numerical_gradient(lambda W: dot(bl.Affine(W, b).forward(x), dout), W))
    assert close_to_numerical(layer.db, numerical_gradient(lambda b: dot(bl.Affine(W, b).forward(x), dout), b))


def test_affine_with_zero_inputs_and_weights_agrees():
    x, W, b, dout = [[0.0, 0.0]], [[0.0], [0.0]], [0.0], [[1.0]]
    layer = bl.Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)
    xs, Ws, bs = bl.to_values(x), bl.to_values(W), bl.to_values(b)
    bl.weighted_sum(bl.engine_affine(xs, Ws, bs), dout).backward()
    assert (
        (dx, layer.dW, layer.db)
        == (bl.grads_of(xs), bl.grads_of(Ws), bl.grads_of(bs))
        == ([[0.0, 0.0]], [[0.0], [0.0]], [1.0])
    )


# -- SoftmaxWithLoss --------------------------------------------------------------------------------


def softmax_both_ways(x: list[list[float]], t: list[list[float]]) -> tuple[float, Any, float, Any]:
    """The layer's loss and backward(1), and the engine's loss and d loss / d logits."""
    layer = bl.SoftmaxWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward(1.0)
    xs = bl.to_values(x)
    engine_loss = bl.engine_cross_entropy(xs, t)
    engine_loss.backward()
    return loss, dx, engine_loss.data, bl.grads_of(xs)


def one_hot(labels: list[int], classes: int) -> list[list[float]]:
    return [[float(j == label) for j in range(classes)] for label in labels]


@pytest.mark.parametrize(
    ("x", "t"),
    [
        (random_matrix(40, 1, 3), one_hot([0], 3)),
        (random_matrix(41, 4, 5, scale=3.0), one_hot([4, 0, 2, 2], 5)),
        ([[0.0, 0.0, 0.0]], one_hot([1], 3)),
        ([[0.2, 0.3, 0.5], [1.0, -1.0, 0.0]], [[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]]),  # soft targets
    ],
)
def test_softmax_with_loss_matches_the_engine_and_finite_differences(x, t):
    loss, dx, engine_loss, engine_dx = softmax_both_ways(x, t)
    assert abs(loss - engine_loss) <= TOL
    assert bl.max_abs_diff(dx, engine_dx) <= TOL
    assert close_to_numerical(dx, numerical_gradient(lambda x: bl.SoftmaxWithLoss().forward(x, t), x))


@pytest.mark.parametrize("label", [0, 1, 2])
def test_softmax_with_loss_is_stable_at_huge_logits(label):
    loss, dx, engine_loss, engine_dx = softmax_both_ways([[1000.0, 0.0, -1000.0]], one_hot([label], 3))
    assert loss == engine_loss == [0.0, 1000.0, 2000.0][label]
    expected = [[1.0 - (label == 0), -float(label == 1), -float(label == 2)]]  # y - t, y = [1, 0, 0]
    assert dx == engine_dx == expected


@pytest.mark.parametrize(
    ("x", "labels"),
    [(random_matrix(42, 3, 4, scale=2.0), [3, 0, 1]), ([[1000.0, 0.0, -1000.0], [0.5, 0.0, -0.5]], [1, 2])],
)
def test_softmax_with_loss_matches_the_librarys_cross_entropy(x, labels):
    loss, dx, _, _ = softmax_both_ways(x, one_hot(labels, len(x[0])))
    xs = bl.to_values(x)
    library_loss = cross_entropy(xs, labels)
    library_loss.backward()
    assert abs(loss - library_loss.data) <= TOL
    assert bl.max_abs_diff(dx, bl.grads_of(xs)) <= TOL


def test_the_stable_softmax_is_needed_at_huge_logits():
    with pytest.raises(OverflowError):
        [math.exp(v) for v in (1000.0, 0.0, -1000.0)]  # softmax without the shift
    assert bl.softmax([1000.0, 0.0, -1000.0]) == [1.0, 0.0, 0.0]


# -- The two-layer net ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_two_layer_net_gradients_agree_with_loss_backward(seed):
    section = bl.net_section(random.Random(seed))
    assert [row.name for row in section.rows] == ["loss", "W1", "b1", "W2", "b2"]
    assert section.diff <= TOL


def test_two_layer_net_gradients_match_finite_differences():
    rng = random.Random(7)
    params = {
        "W1": random_matrix(50, 3, 4),
        "b1": [0.1, -0.2, 0.3, 0.0],
        "W2": random_matrix(51, 4, 2),
        "b2": [0.5, -0.5],
    }
    x, t = random_matrix(52, 3, 3), one_hot([rng.randrange(2) for _ in range(3)], 2)
    _, grads = bl.TwoLayerNet(params).gradient(x, t)
    for name, param in params.items():
        numerical = numerical_gradient(lambda p, name=name: bl.TwoLayerNet({**params, name: p}).loss(x, t), param)
        assert close_to_numerical(grads[name], numerical), name


@pytest.mark.parametrize("seed", range(20))
def test_every_section_agrees_within_the_tolerance(seed):
    assert max(section.diff for section in bl.sections(seed)) <= TOL


# -- The comparison can fail ------------------------------------------------------------------------


class SigmoidWithWrongBackward(bl.Sigmoid):
    def backward(self, dout):
        return [[d * y for d, y in zip(row, ys)] for row, ys in zip(dout, self.out)]  # forgot the (1 - y)


class ReluPassingAtZero(bl.Relu):
    def forward(self, x):
        self.mask = [[v < 0.0 for v in row] for row in x]  # x < 0 instead of x <= 0: passes gradient at 0
        return [[max(v, 0.0) for v in row] for row in x]


class AffineWithUnsummedBias(bl.Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = list(dout[0])  # forgot to add up the rows of the batch
        return dx


def test_the_comparison_catches_a_wrong_sigmoid_backward():
    rows = bl.elementwise_rows("sigmoid", SigmoidWithWrongBackward(), Value.sigmoid, [[-1.0, 0.5]], [[1.0, 1.0]])
    assert rows[0].diff <= TOL  # the forward is right
    assert rows[1].diff > 0.1


def test_max_abs_diff_refuses_different_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        bl.max_abs_diff([[1.0, 2.0]], [[1.0], [2.0]])
    assert bl.max_abs_diff([[1.0, 2.0]], [[1.0, 2.5]]) == 0.5


@pytest.mark.parametrize(
    ("name", "wrong", "section"), [("Relu", ReluPassingAtZero, "(2)"), ("Affine", AffineWithUnsummedBias, "(3)")]
)
def test_the_script_fails_when_a_layer_is_wrong(monkeypatch, capsys, name, wrong, section):
    monkeypatch.setattr(bl, name, wrong)
    assert bl.main([]) == 1
    output = capsys.readouterr().out
    assert "FAILED" in output
    failing = [block.splitlines()[0] for block in output.split("\n\n") if "DISAGREE" in block]
    assert failing[0].startswith(section)


# -- The script -------------------------------------------------------------------------------------


def run_script(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(DEMOS / "book_layers.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_script_runs_and_every_section_agrees():
    result = run_script("--seed", "3")
    assert result.returncode == 0, result.stderr
    for number in range(1, 6):
        assert f"({number}) " in result.stdout
    assert result.stdout.count(": agree") == 5
    assert "All hand-written gradients match" in result.stdout


def test_the_script_has_help():
    result = run_script("--help")
    assert result.returncode == 0
    assert "Deep Learning from Scratch" in result.stdout
    assert "--seed" in result.stdout and "--tol" in result.stdout


def test_the_layers_import_with_demos_on_the_path():
    code = (
        f"import sys; sys.path.insert(0, {str(DEMOS)!r}); "
        "from book_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss; "
        "print(MulLayer().forward(3, 4))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "12"
