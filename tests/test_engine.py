"""The engine: building graphs, backward's promises, grad(), no_grad, detach, anomaly mode, errors."""

import decimal
import fractions
import math
import re
import sys

import pytest
from examples import micrograd_readme_expression

import autograd
from autograd import OperationError, Value, detect_anomaly, grad, no_grad, steps
from autograd.engine import apply, topological_order
from autograd.errors import OperationOverflowError, OperationZeroDivisionError

# ----------------------------------------------------------------------------- building values


@pytest.mark.parametrize(
    "number, expected",
    [(3, 3.0), (True, 1.0), (2.5, 2.5), (fractions.Fraction(1, 4), 0.25), (decimal.Decimal("1.5"), 1.5)],
)
def test_real_numbers_become_float_data(number, expected):
    v = Value(number)
    assert v.data == expected and type(v.data) is float


def test_numpy_scalars_become_float_data():
    np = pytest.importorskip("numpy")
    for number in (np.float32(1.5), np.float64(2.5), np.int64(3), np.bool_(True)):
        assert type(Value(number).data) is float


@pytest.mark.parametrize("bad", ["3", None, [1], b"1", 1j, {}, object()])
def test_a_value_of_the_wrong_kind_is_a_type_error_naming_it(bad):
    with pytest.raises(TypeError, match=r"Value expects a real number, got .*\(" + type(bad).__name__):
        Value(bad)


def test_a_value_of_a_value_says_to_use_data():
    with pytest.raises(TypeError, match=r"use \.data"):
        Value(Value(1.0))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 10**400])
def test_a_value_that_is_not_a_finite_float_is_a_value_error(bad):
    with pytest.raises(ValueError, match="Value expects a finite number"):
        Value(bad)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
@pytest.mark.parametrize("bad", ["3", None, [1.0], 1j])
def test_an_operand_of_the_wrong_kind_is_a_type_error_naming_the_op(op, bad):
    with pytest.raises(TypeError, match=re.escape(repr(op))):
        apply(op, Value(2.0), bad)
    if bad is not None:
        with pytest.raises(TypeError, match=re.escape(repr(op))):
            apply(op, bad, Value(2.0))


def test_operators_with_bad_operands_name_the_op_and_the_value():
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"'\+' expects a Value or a real number, got '3' \(str\)"):
        x + "3"
    with pytest.raises(TypeError, match=r"'\*'.*None"):
        x * None
    with pytest.raises(TypeError, match="modulus"):
        pow(x, 2, 5)


def test_apply_refuses_unknown_ops_and_wrong_input_counts():
    x = Value(2.0)
    with pytest.raises(ValueError, match="unknown op 'cube'"):
        apply("cube", x)
    with pytest.raises(TypeError, match="'exp' takes 1 input"):
        apply("exp", x, x)


def test_value_built_by_hand_checks_its_children_and_op():
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, (a, b), "+")
    assert c.children == (a, b)
    assert Value(3.0, _children=(a, b), _op="+").children == (a, b)  # micrograd's keywords
    with pytest.raises(TypeError, match="children must be Values"):
        Value(3.0, (a, 2.0), "+")
    with pytest.raises(ValueError, match="needs an op of that arity"):
        Value(3.0, (a, b), "tanh")


# ----------------------------------------------------------------------------- the graph


def test_operands_keep_their_order_and_multiplicity():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    assert (x * x).children == (x, x)
    z = 2 - y
    assert (z.op, z.data, z.children[1]) == ("-", -1.0, y)
    assert z.children[0].data == 2.0 and not z.children[0].requires_grad
    assert (y / x).children == (y, x) and (y / x).op == "/"
    assert (-x).op == "neg" and (-x).children == (x,)
    assert (2**x).children[1] is x and (2**x).data == 4.0


def test_micrograd_aliases_are_read_only_views():
    x = Value(2.0)
    y = x * 3
    assert y._prev == y.children and y._op == y.op == "*"
    with pytest.raises(AttributeError):
        y._op = "+"


def test_repr_shows_data_grad_and_label():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"


def test_data_stays_a_finite_float_when_assigned():
    x = Value(1.0)
    x.data = 3
    assert type(x.data) is float
    x.data -= 0.5 * x.data  # an optimizer step
    assert x.data == 1.5
    with pytest.raises(ValueError, match="finite"):
        x.data = math.nan
    with pytest.raises(TypeError, match="real number"):
        x.data = "2"
    assert x.data == 1.5


def test_data_assigned_a_numpy_scalar_keeps_backward_working():
    np = pytest.importorskip("numpy")
    x = Value(1.0)
    for lr in np.linspace(1.0, 0.1, 3):  # micrograd's demo decays its rate this way
        y = x.relu() * x.sin()
        x.grad = 0.0
        y.backward()
        x.data -= lr * x.grad
        assert type(x.data) is float and type(x.grad) is float


def test_values_compare_by_identity_and_can_be_set_members():
    a, b = Value(1.0), Value(1.0)
    assert a != b and len({a, b, a}) == 2


# ----------------------------------------------------------------------------- forward errors


@pytest.mark.parametrize(
    "make, op, kind",
    [
        (lambda: Value(0.0).log(), "log", OperationError),
        (lambda: Value(-1.0).log(), "log", OperationError),
        (lambda: Value(-1.0).sqrt(), "sqrt", OperationError),
        (lambda: Value(1.0) / 0, "/", ZeroDivisionError),
        (lambda: 1 / Value(0.0), "/", ZeroDivisionError),
        (lambda: Value(0.0) ** -1, r"\*\*", OperationError),
        (lambda: 0 ** Value(-1.0), r"\*\*", OperationError),
        (lambda: Value(-8.0) ** (1 / 3), r"\*\*", OperationError),
        (lambda: Value(1000.0).exp(), "exp", OverflowError),
        (lambda: Value(10.0) ** 400, r"\*\*", OverflowError),
        (lambda: Value(1e200) * 1e200, r"\*", OverflowError),
        (lambda: Value(1e308) + 1e308, r"\+", OverflowError),
    ],
)
def test_bad_values_raise_naming_the_op_and_the_inputs_never_inf_or_nan(make, op, kind):
    with pytest.raises(kind, match=f"'{op}' failed on") as caught:
        make()
    assert isinstance(caught.value, ValueError)  # every such error is a ValueError too
    assert caught.value.op == op.replace("\\", "")


def test_an_overflow_says_so_without_unrelated_domain_notes():
    with pytest.raises(OverflowError) as caught:
        Value(10.0) ** 400
    assert "too large for a float" in str(caught.value) and "negative base" not in str(caught.value)
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(1e308) / 1e-10


def test_huge_numbers_are_shortened_in_messages():
    with pytest.raises(ValueError) as caught:
        Value(10**400)
    assert len(str(caught.value)) < 150


def test_forward_errors_point_at_the_users_line():
    x = Value(-1.0)
    with pytest.raises(OperationError) as caught:
        x.log()  # the line that fails
    assert "test_engine.py" in str(caught.value) and "x.log()  # the line that fails" in str(caught.value)


def test_error_classes_keep_the_python_kind():
    assert issubclass(OperationZeroDivisionError, ZeroDivisionError)
    assert issubclass(OperationOverflowError, OverflowError)
    assert issubclass(OperationError, ValueError)


# ----------------------------------------------------------------------------- backward


def test_micrograd_readme_expression():
    g, a_grad, b_grad = micrograd_readme_expression(Value)
    assert round(g, 4) == 24.7041
    assert round(a_grad, 4) == 138.8338
    assert round(b_grad, 4) == 645.5773


def test_apple_shopping_from_deep_learning_from_scratch():
    apple, count, tax = Value(100, label="apple"), Value(2, label="count"), Value(1.1, label="tax")
    price = apple * count * tax
    price.backward()
    assert price.data == pytest.approx(220)
    assert (apple.grad, count.grad, tax.grad) == pytest.approx((2.2, 110, 200))


def test_apples_and_oranges_from_deep_learning_from_scratch():
    apple, apples, orange, oranges, tax = map(Value, (100, 2, 150, 3, 1.1))
    price = (apple * apples + orange * oranges) * tax
    price.backward()
    assert price.data == pytest.approx(715)
    grads = (apples.grad, apple.grad, orange.grad, oranges.grad, tax.grad)
    assert grads == pytest.approx((110, 2.2, 3.3, 165, 650))


def test_backward_twice_gives_exactly_twice_the_leaf_grads_at_any_depth():
    x, w = Value(0.3), Value(-1.7)
    y = x
    for _ in range(300):
        y = (y * w).tanh() + x * 0.01
    y.backward()
    once = (x.grad, w.grad)
    y.backward()
    assert (x.grad, w.grad) == (2 * once[0], 2 * once[1])
    assert once[0] != 0.0 and once[1] != 0.0


def test_intermediate_grads_hold_the_latest_pass_and_leaves_accumulate():
    x = Value(3.0)
    h = x * x
    y = h * 2
    y.backward()
    y.backward()
    assert h.grad == 2.0  # d y / d h from the latest pass, not 4.0
    assert x.grad == 24.0  # 12 + 12
    assert y.grad == 1.0


def test_a_node_used_on_several_paths_gets_the_sum_of_all_paths():
    x = Value(2.0)
    s = x * x + x * 3 + x
    s.backward()
    assert x.grad == 2 * 2.0 + 3 + 1
    shared = x.exp()
    t = shared * shared + shared
    t.backward()
    assert shared.grad == pytest.approx(2 * math.exp(2) + 1)


def test_gradients_are_floats():
    x = Value(3)
    (x * 2 + x.relu() + abs(x)).backward()
    assert type(x.grad) is float


def test_backward_on_a_leaf_gives_it_gradient_one():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_on_a_constant_is_refused():
    with no_grad():
        y = Value(2.0) * 3
    with pytest.raises(ValueError, match="requires grad"):
        y.backward()


def test_a_chain_of_a_million_nodes_works_without_recursion():
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + x
    y.backward()
    assert x.grad == 1_000_001.0
    assert sys.getrecursionlimit() == limit


def test_topological_order_puts_children_first_and_skips_constants():
    x, w = Value(1.0), Value(2.0)
    y = (x * w + 3) * x
    order = topological_order(y)
    position = {node: i for i, node in enumerate(order)}
    assert order[-1] is y and len(order) == 5  # x, w, x*w, +3, *x
    for node in order:
        for child in node.children:
            if child.requires_grad:
                assert position[child] < position[node]


def test_a_gradient_that_overflows_raises_naming_the_op():
    a, b, c = Value(1e200), Value(1e-200), Value(1e200)
    out = (a * b) * c  # forward is finite
    with pytest.raises(OperationOverflowError, match=r"the gradient of '\*'"):
        out.backward()  # d out / d b = c * a = 1e400
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)  # left as they were


def test_a_failed_backward_leaves_leaf_grads_as_they_were_and_inner_ones_zero():
    x = Value(4.0)
    y = x.sqrt()
    z = (x - 4).sqrt()  # sqrt(0): its gradient is infinite
    total = y + z
    y.backward()
    assert (x.grad, y.grad) == (0.25, 1.0)
    with pytest.raises(ZeroDivisionError):
        total.backward()
    assert x.grad == 0.25
    assert all(node.grad == 0.0 for node in topological_order(total) if node.children)


def test_an_interrupted_backward_leaves_no_grad_as_none(monkeypatch):
    x = Value(2.0)
    y = (x * 3).tanh()
    y.backward()
    before = x.grad

    def interrupted(node, g, pending):
        raise KeyboardInterrupt

    monkeypatch.setitem(steps.COMPILED, "tanh", interrupted)
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert x.grad == before
    assert all(type(node.grad) is float for node in topological_order(y))


def test_a_backward_interrupted_while_walking_the_graph_leaves_no_grad_pending():
    class Trap(Value):
        """A leaf that raises KeyboardInterrupt when the walk asks whether it requires grad."""

        __slots__ = ()
        armed = False

        @property
        def requires_grad(self):
            if Trap.armed:
                raise KeyboardInterrupt
            return True

        @requires_grad.setter
        def requires_grad(self, value):
            pass

    x, trap = Value(2.0), Trap(1.0)
    y = ((x * 3).tanh() + x * trap).relu()
    y.backward()
    before = (x.grad, trap.grad)
    Trap.armed = True
    try:
        with pytest.raises(KeyboardInterrupt):
            y.backward()
    finally:
        Trap.armed = False
    assert (x.grad, trap.grad) == before
    assert all(type(node.grad) is float for node in topological_order(y))


def test_a_grad_set_to_none_counts_as_zero_as_in_pytorch():
    x = Value(3.0)
    y = x * x
    y.backward()
    x.grad = None  # what torch's zero_grad(set_to_none=True) leaves
    y.backward()
    assert x.grad == 6.0


def test_accumulating_into_a_huge_grad_names_the_leaf():
    x = Value(1.0, label="x")
    y = x * 1e308
    y.backward()  # x.grad = 1e308
    x.grad = 1.7e308
    with pytest.raises(OverflowError, match="'x' held"):
        y.backward()
    assert x.grad == 1.7e308


def test_micrograd_style_manual_backward_steps():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    d.grad = 1.0
    d._backward()
    c._backward()
    assert (a.grad, b.grad, c.grad) == (-3.0 + 1.0, 2.0, 1.0)


# ----------------------------------------------------------------------------- no_grad and detach


def test_no_grad_records_no_graph_and_restores_recording():
    x = Value(2.0)
    with no_grad():
        y = x * 3 + 1
    assert y.children == () and not y.requires_grad and y.data == 7.0
    z = x * 3
    assert z.children and z.requires_grad


def test_no_grad_nests_and_is_a_decorator_and_survives_exceptions():
    x = Value(2.0)
    guard = no_grad()

    @guard
    def nested(depth):
        if depth:
            return nested(depth - 1)
        return x * 2

    assert not nested(3).requires_grad
    assert (x * 2).requires_grad
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError
    assert (x * 2).requires_grad


def test_detach_gives_a_constant_that_stops_gradients():
    x = Value(3.0, label="x")
    d = x.detach()
    assert (d.data, d.label, d.requires_grad, d.children) == (3.0, "x", False, ())
    y = x * d
    y.backward()
    assert x.grad == 3.0 and d.grad == 0.0


# ----------------------------------------------------------------------------- grad()


def test_grad_returns_gradients_and_leaves_grad_untouched():
    x, y = Value(2.0), Value(5.0)
    x.grad = 0.25
    out = x * y + x
    gx, gy = grad(out, [x, y])
    assert (gx, gy) == (6.0, 2.0)
    assert (x.grad, y.grad, out.grad) == (0.25, 0.0, 0.0)


def test_grad_of_an_unused_input_is_zero():
    x, unused = Value(2.0), Value(1.0)
    assert grad(x * 3, [x, unused]) == [3.0, 0.0]
    (dx,) = grad(x * 3, [unused], create_graph=True)
    assert dx.data == 0.0 and grad(dx, [x]) == [0.0]


def test_grad_follows_only_the_paths_to_its_inputs():
    x, y = Value(2.0), Value(0.0)
    # d/dy of sqrt(y) at 0 is infinite, but only d/dx is asked for
    assert grad(x * y.sqrt(), [x]) == [0.0]
    base, exponent = Value(-2.0), Value(3.0)
    assert grad(base**exponent, [base]) == [12.0]  # d/d exponent would need log(-2)
    (d,) = grad(x * y.sqrt(), [x], create_graph=True)
    assert d.data == 0.0


def test_grad_of_a_constant_is_refused_like_backward():
    x = Value(2.0)
    with no_grad():
        y = x * x
    with pytest.raises(ValueError, match="requires grad"):
        grad(y, [x])


def test_derivatives_of_linear_functions_are_zero_not_errors():
    x = Value(2.0)
    (d1,) = grad(3 * x + 1, [x], create_graph=True)
    assert d1.data == 3.0
    assert grad(d1, [x]) == [0.0]


def test_grad_sums_that_would_overflow_are_fine():
    a, b = Value(1.0), Value(-1.0)
    assert grad(a * 1e308 + b * 1e308, [a, b]) == [1e308, 1e308]


def test_grad_accepts_a_single_input_and_checks_types():
    x = Value(2.0)
    assert grad(x * x, x) == [4.0]
    with pytest.raises(TypeError, match="expects a Value as output"):
        grad(3.0, [x])
    with pytest.raises(TypeError, match="expects Values as inputs"):
        grad(x * x, [2.0])


def test_second_and_third_derivatives_of_x_cubed():
    x = Value(2.0)
    (d1,) = grad(x**3, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x], create_graph=True)
    assert (d1.data, d2.data, d3.data) == (12.0, 12.0, 6.0)
    assert grad(d3, [x]) == [0.0]


@pytest.mark.parametrize("x", [-1.5, 0.3, 2.0])
def test_second_derivatives_of_tanh_and_sigmoid(x):
    v = Value(x)
    (d1,) = grad(v.tanh(), [v], create_graph=True)
    (d2,) = grad(d1, [v])
    t = math.tanh(x)
    assert d2 == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)
    (d1,) = grad(v.sigmoid(), [v], create_graph=True)
    (d2,) = grad(d1, [v])
    s = 1 / (1 + math.exp(-x))
    assert d2 == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-12)


def test_mixed_second_derivatives_of_x_times_y():
    x, y = Value(3.0), Value(-2.0)
    dx, dy = grad(x * y, [x, y], create_graph=True)
    assert grad(dx, [x, y]) == [0.0, 1.0]
    assert grad(dy, [x, y]) == [1.0, 0.0]


def test_create_graph_works_even_under_no_grad():
    x = Value(2.0)
    out = x**3
    with no_grad():
        (d1,) = grad(out, [x], create_graph=True)
    assert grad(d1, [x]) == [12.0]


# ----------------------------------------------------------------------------- anomaly mode


def test_anomaly_mode_names_the_op_and_the_line_that_made_it():
    a, b, c = Value(1e200), Value(1e-200), Value(1e200)
    with detect_anomaly():
        product = a * b  # the node whose gradient overflows
        out = product * c
        with pytest.raises(OverflowError) as caught:
            out.backward()
    message = str(caught.value)
    assert "'*'" in message and "product = a * b  # the node whose gradient overflows" in message


def test_outside_anomaly_mode_the_error_says_how_to_find_the_line():
    x = Value(0.0)
    y = x.sqrt()
    with pytest.raises(OperationError, match="detect_anomaly"):
        y.backward()


def test_anomaly_mode_nests_and_restores():
    with detect_anomaly():
        with detect_anomaly():
            pass
        inside = Value(1.0) * 2
    outside = Value(1.0) * 2
    assert getattr(inside, "_site", None) is not None
    assert getattr(outside, "_site", None) is None


def test_package_exports_the_api():
    for name in ("Value", "grad", "no_grad", "gradcheck", "detect_anomaly", "OperationError"):
        assert hasattr(autograd, name)
