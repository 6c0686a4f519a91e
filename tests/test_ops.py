"""The op table: every row's gradients against finite differences, to third order, and its edges."""

import itertools
import math

import pytest

from autograd import OperationError, Value, grad, gradcheck
from autograd.engine import apply
from autograd.ops import OPS, Op
from autograd.steps import CHECKED, COMPILED, FLOATS, ON_VALUES, PENDING, Pending, step_source

# Points away from every kink (0 for relu/abs/sign) and inside most domains; ops whose domain
# excludes a point raise OperationError there and the point is skipped.
POINTS = [-2.3, -1.3, -0.6, 0.4, 0.9, 1.7, 3.1]


def points_for(name):
    """Every tuple of POINTS at which op `name` is defined."""
    for point in itertools.product(POINTS, repeat=OPS[name].arity):
        try:
            apply(name, *point)
        except OperationError:
            continue  # outside this op's domain
        yield point


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_points_to_test(name):
    assert len(list(points_for(name))) >= 3


@pytest.mark.parametrize("name", sorted(OPS))
def test_first_derivatives_match_finite_differences(name):
    for point in points_for(name):
        gradcheck(lambda *xs: apply(name, *xs), [Value(p) for p in point])


@pytest.mark.parametrize("name", sorted(OPS))
def test_second_derivatives_match_finite_differences(name):
    def first_derivatives_summed(*xs):
        return sum(grad(apply(name, *xs), xs, create_graph=True))

    for point in points_for(name):
        gradcheck(first_derivatives_summed, [Value(p) for p in point], atol=1e-4)


@pytest.mark.parametrize("name", sorted(OPS))
def test_third_derivatives_match_finite_differences(name):
    def second_derivatives_summed(*xs):
        firsts = grad(apply(name, *xs), xs, create_graph=True)
        return sum(sum(grad(d, xs, create_graph=True)) for d in firsts)

    for point in points_for(name):
        gradcheck(second_derivatives_summed, [Value(p) for p in point], atol=1e-3)


@pytest.mark.parametrize("name", sorted(OPS))
def test_compiled_steps_give_exactly_what_the_formulas_give(name):
    # backward's compiled steps add into .grad; every other pass calls the formulas into a dict
    for point in points_for(name):
        xs = [Value(p) for p in point]
        out = apply(name, *xs)
        mark = Pending()
        for x in xs:
            x.grad = mark  # as at the start of a pass
        COMPILED[name](out, 0.7, mark)
        compiled = [x.grad for x in xs]
        for table in (FLOATS, CHECKED):
            grads = dict.fromkeys(xs, PENDING)
            table[name](out, 0.7, grads)
            assert [grads[x] for x in xs] == compiled, (name, point)
        assert all(type(g) is float for g in compiled)


@pytest.mark.parametrize("name", sorted(OPS))
def test_value_steps_give_the_same_numbers_as_float_steps(name):
    for point in points_for(name):
        xs = [Value(p) for p in point]
        out = apply(name, *xs)
        grads = dict.fromkeys(xs, PENDING)
        ON_VALUES[name](out, Value(0.7), grads)
        on_values = [grads[x].data for x in xs]
        floats = dict.fromkeys(xs, PENDING)
        FLOATS[name](out, 0.7, floats)
        assert on_values == pytest.approx([floats[x] for x in xs], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", sorted(OPS))
def test_step_source_is_valid_python_and_deterministic(name):
    source = step_source(name)
    compile(source, "<test>", "exec")
    assert source == step_source(name)
    assert f"backward through {name!r}" in source


def test_step_source_reads_like_the_formula():
    assert "share = g * (1 - out * out)" in step_source("tanh")
    assert "share = g * pow_grad(x, y)" in step_source("**")
    assert "share = -g * out / y" in step_source("/")


def test_an_op_with_a_formula_missing_or_extra_is_refused():
    with pytest.raises(ValueError, match="one input or two"):
        Op(math.fsum)
    with pytest.raises(ValueError, match="one input or two"):
        Op(lambda a, b, c: a, *[lambda g, a, b, c, out: g] * 3)


# ----------------------------------------------------------------------------- edges and conventions


def derivative(name, *point):
    xs = [Value(p) for p in point]
    apply(name, *xs).backward()
    return [x.grad for x in xs]


def test_relu_at_exactly_zero_has_gradient_zero_as_in_pytorch():
    assert derivative("relu", 0.0) == [0.0]
    assert derivative("relu", -0.0) == [0.0]
    assert derivative("relu", 1e-300) == [1.0]


def test_abs_and_sign_at_zero_have_gradient_zero():
    assert derivative("abs", 0.0) == [0.0]
    assert derivative("sign", 0.0) == [0.0]
    assert derivative("abs", -2.0) == [-1.0]


@pytest.mark.parametrize("x", [-1000.0, -40.0, 40.0, 1000.0, 1e300, -1e300])
def test_tanh_and_sigmoid_stay_finite_and_exact_at_large_inputs(x):
    t, s = Value(x).tanh(), Value(x).sigmoid()
    assert t.data == math.copysign(1.0, x)
    expected_sigmoid = 1 / (1 + math.exp(-x)) if x > -700 else 0.0
    assert s.data == pytest.approx(expected_sigmoid, rel=1e-15, abs=0)
    assert 0.0 <= s.data <= 1.0
    for op in ("tanh", "sigmoid"):
        (g,) = derivative(op, x)
        assert math.isfinite(g) and 0.0 <= g < 1e-16


def test_sigmoid_gradient_at_moderate_inputs_is_exact():
    for x in (-30.0, -3.0, 0.0, 3.0, 30.0):
        s = 1 / (1 + math.exp(-x))
        assert derivative("sigmoid", x)[0] == pytest.approx(s * (1 - s), rel=1e-15)


def test_power_with_a_constant_exponent_never_asks_for_the_log_of_the_base():
    # d(x ** 2)/d exponent would need log(-3); the exponent is a constant, so it is never computed
    x = Value(-3.0)
    (x**2).backward()
    assert x.grad == -6.0


def test_power_of_a_value_exponent_gives_both_partials():
    x, y = Value(2.0), Value(3.0)
    (x**y).backward()
    assert (x.grad, y.grad) == (12.0, pytest.approx(8 * math.log(2)))


def test_power_at_its_corners_has_the_gradients_pytorch_gives():
    x = Value(0.0)
    (x**0).backward()  # x ** 0 is 1 everywhere
    assert x.grad == 0.0
    y = Value(2.0)
    (0**y).backward()  # 0 ** y is 0 for every y > 0
    assert y.grad == 0.0
    x = Value(0.0)
    (d1,) = grad(x**2, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    assert (d1.data, d2.data, grad(d2, [x])) == (0.0, 2.0, [0.0])


def test_the_mixed_derivative_of_a_power_at_exponent_zero_is_one_over_the_base():
    # PyTorch returns 0 here (it cuts d(x ** y)/dx at y == 0 with a where()); 1/x is the derivative
    x, y = Value(0.5), Value(0.0)
    (dx,) = grad(x**y, [x], create_graph=True)
    assert grad(dx, [y]) == [2.0]


def test_zero_to_a_negative_power_is_a_division_by_zero():
    with pytest.raises(ZeroDivisionError, match="negative power"):
        Value(0.0) ** -1


def test_sqrt_at_zero_has_an_infinite_gradient_which_raises_naming_the_op():
    x = Value(0.0)
    y = x.sqrt()
    with pytest.raises(OperationError, match="'sqrt'"):
        y.backward()
    assert x.grad == 0.0  # left as it was


def test_power_exponent_gradient_at_a_negative_base_raises_naming_the_op():
    x, y = Value(-2.0), Value(2.0)
    z = x**y  # fine: (-2) ** 2 = 4
    assert z.data == 4.0
    with pytest.raises(OperationError, match=r"'\*\*'"):
        z.backward()  # d/dy = 4 * log(-2) is not real
