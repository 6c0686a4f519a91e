"""Ops from user code: defop's rows through every surface, its refusals at definition, and from_layer."""

import math

import pytest
import test_ops

import autograd
from autograd import OpDefinitionError, Value, detect_anomaly, grad, gradcheck, trace_backward
from autograd.ops import OPS, cos, exp


@pytest.fixture
def user_ops():
    """A unary and a binary user op, registered for the test and removed after it."""
    from autograd import userops

    made = {
        "cube": autograd.defop("cube", lambda x: x**3, lambda g, x, out: g * 3 * x * x),
        "hypot": autograd.defop(
            "hypot", math.hypot, lambda g, x, y, out: g * x / out, lambda g, x, y, out: g * y / out
        ),
    }
    yield made
    for name in made:
        userops._unregister(name)


TABLE_TESTS = [
    test_ops.test_every_op_has_points_to_test,
    test_ops.test_first_derivatives_match_finite_differences,
    test_ops.test_second_derivatives_match_finite_differences,
    test_ops.test_third_derivatives_match_finite_differences,
    test_ops.test_compiled_steps_give_exactly_what_the_formulas_give,
    test_ops.test_value_steps_give_the_same_numbers_as_float_steps,
    test_ops.test_step_source_is_valid_python_and_deterministic,
]


@pytest.mark.parametrize("table_test", TABLE_TESTS, ids=lambda t: t.__name__)
def test_the_table_driven_tests_pick_up_a_registered_op_as_they_pick_up_a_built_in_row(user_ops, table_test):
    for name in user_ops:
        assert name in OPS
        table_test(name)


def test_a_user_op_serves_backward_grad_to_third_order_anomaly_gradcheck_and_trace(user_ops):
    cube, hyp = user_ops["cube"], user_ops["hypot"]
    a, b = Value(2.0, label="a"), Value(4.0, label="b")
    y = cube(a) + hyp(3.0, b)
    assert (y.data, [c.op for c in y.children]) == (13.0, ["cube", "hypot"])
    y.backward()
    assert (a.grad, b.grad) == (12.0, 0.8)
    first = grad(cube(a), a, create_graph=True)[0]
    second = grad(first, a, create_graph=True)[0]
    assert (first.data, second.data, grad(second, a)[0]) == (12.0, 12.0, 6.0)
    with detect_anomaly():
        z = hyp(a, b)
    assert z._site[0] == __file__  # anomaly mode records the user's line for a user op too
    assert gradcheck(lambda p, q: hyp(cube(p), q), [Value(0.7), Value(-1.3)])
    steps = trace_backward(y)
    assert [s.op for s in steps] == ["+", "cube", "hypot"]
    assert steps[1].shares[0].formula == "g * 3 * x * x"
    assert cube(2.0).requires_grad is False and cube(2.0).data == 8.0  # numbers alone: a constant


def test_a_user_op_is_drawn_by_name_and_compiled(user_ops):
    from autograd.viz import graph_data

    cube = user_ops["cube"]
    x = Value(1.5, label="x")
    y = cube(x).tanh()
    assert "cube" in [node["op"] for node in graph_data(y)["nodes"]]
    f = autograd.compile(lambda x: cube(x).tanh(), 1.5)
    y.backward()
    assert f(1.5) == (y.data, (x.grad,))


def test_an_op_defined_again_under_its_name_is_compiled_with_its_new_formulas():
    # compile() learns what a user op's formulas read (which values need a name); learnt from the
    # first row, the second's formula, which reads out, got 0.0 for it: a gradient of 0.0, not 1.9
    from autograd import userops

    def fn_of(op):
        return lambda a: (op(a) * 2.0 + op(a * 0.5)).tanh()

    try:
        first = autograd.defop("cubed", lambda x: x**3, lambda g, x, out: g * 3.0 * x * x)
        autograd.compile(fn_of(first), 0.7)
        userops._unregister("cubed")
        second = autograd.defop("cubed", lambda x: x**3, lambda g, x, out: g * 3.0 * out / x)
        value, (da,) = autograd.compile(fn_of(second), 0.7)(0.7)
        x = Value(0.7)
        y = fn_of(second)(x)
        assert (value, da) == (y.data, grad(y, [x])[0])
    finally:
        userops._unregister("cubed")


def test_a_wrong_number_of_formulas_is_refused_when_defined():
    with pytest.raises(OpDefinitionError, match=r"defop\('twice'\): the forward takes 1 input\(s\) but 2"):
        autograd.defop("twice", math.exp, lambda g, x, out: g * out, lambda g, x, out: g)
    with pytest.raises(OpDefinitionError, match="the formula for input 0 takes 2 argument"):
        autograd.defop("short", math.exp, lambda g, x: g)
    assert "twice" not in OPS and "short" not in OPS


def test_a_formula_that_reads_the_number_of_a_value_is_refused_with_the_helper_to_use():
    with pytest.raises(OpDefinitionError, match=r"reads the number of a Value .*cos\(x\)") as caught:
        autograd.defop("mycos", math.cos, lambda g, x, out: -g * math.sin(x))
    assert "'mycos'" in str(caught.value)
    with pytest.raises(OpDefinitionError, match="reads the number"):
        autograd.defop("mycos", math.cos, lambda g, x, out: -g * math.sin(x.data if isinstance(x, Value) else x))
    assert "mycos" not in OPS
    autograd.userops._unregister("mycos2") if "mycos2" in OPS else None
    ok = autograd.defop("mycos2", math.cos, lambda g, x, out: -g * autograd.ops.sin(x))  # the helper works
    assert ok(Value(0.0)).data == 1.0
    autograd.userops._unregister("mycos2")


def test_a_wrong_derivative_is_refused_naming_the_input_the_point_and_both_numbers():
    with pytest.raises(OpDefinitionError) as caught:
        autograd.defop("myexp", exp, lambda g, x, out: g * x)  # exp' = x: wrong
    message = str(caught.value)
    assert "'myexp'" in message and "input 0" in message and "x = -10.0" in message
    assert "-10.0" in message.split("formula gives ")[1] and repr(math.exp(-10.0))[:6] in message


def test_a_rule_right_to_first_order_and_wrong_to_second_is_refused():
    # on floats 2x; on Values 2 * x.detach(): the same number, but its own derivative is 0, not 2
    def formula(g, x, out):
        return g * 2 * (x if type(x) is float else x.detach())

    with pytest.raises(OpDefinitionError, match=r"right to first order .*second order"):
        autograd.defop("square", lambda x: x * x, formula)
    assert "square" not in OPS


def test_check_false_skips_only_the_numeric_comparisons():
    from autograd import userops

    wrong = autograd.defop("wrong_exp", math.exp, lambda g, x, out: g * x, check=False)
    assert wrong(Value(1.0)).data == math.e
    userops._unregister("wrong_exp")
    with pytest.raises(OpDefinitionError, match="reads the number"):
        autograd.defop("wrong_cos", math.cos, lambda g, x, out: -g * math.sin(x), check=False)


def test_a_taken_name_is_refused():
    for taken in ("tanh", "*"):
        with pytest.raises(OpDefinitionError, match=f"{taken!r} is already an op"):
            autograd.defop(taken, math.tanh, lambda g, x, out: g * (1 - out * out))
    assert OPS["tanh"].forward is math.tanh


def test_points_outside_the_domain_are_skipped_and_the_domain_is_shown():
    from autograd import userops

    mylog = autograd.defop("mylog", math.log, lambda g, x, out: g / x, domain="mylog needs x > 0", points=[0.01])
    with pytest.raises(autograd.OperationError, match=r"'mylog' failed on -1.0: .*mylog needs x > 0"):
        mylog(Value(-1.0))
    userops._unregister("mylog")


# ----------------------------------------------------------------------------- from_layer: the book's layers, pasted


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y

        return out

    def backward(self, dout):
        dx = dout * self.y  # x와 y를 바꾼다.
        dy = dout * self.x

        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return 0.0 if self.mask else x

    def backward(self, dout):
        return 0.0 if self.mask else dout


@pytest.fixture
def layers():
    from autograd import userops

    made = [autograd.from_layer(cls) for cls in (MulLayer, AddLayer, Relu)]
    yield made
    for name in ("MulLayer", "AddLayer", "Relu"):
        userops._unregister(name)


def test_the_books_layers_build_the_apple_and_orange_graph_with_its_numbers(layers):
    mul, add, _ = layers
    apple, apple_num, orange, orange_num, tax = (Value(v) for v in (100.0, 2.0, 150.0, 3.0, 1.1))
    price = mul(add(mul(apple, apple_num), mul(orange, orange_num)), tax)
    price.backward()
    assert price.data == pytest.approx(715.0)
    assert (apple_num.grad, apple.grad, orange.grad, orange_num.grad, tax.grad) == pytest.approx(
        (110.0, 2.2, 3.3, 165.0, 650.0)
    )
    # each call made its own instance, kept on its node
    assert price._layer is not price.children[0]._layer
    assert [s.shares[0].formula for s in trace_backward(price)][:2] == [
        "MulLayer.backward(dout)[0]",
        "AddLayer.backward(dout)[0]",
    ]


def test_a_layer_op_is_first_order_only_and_says_to_use_defop(layers):
    mul, _, relu = layers
    x = Value(3.0)
    y = mul(relu(x), x)
    with pytest.raises(OpDefinitionError, match=r"write its formulas with autograd\.defop"):
        grad(y, x, create_graph=True)
    with pytest.raises(autograd.TraceError, match="MulLayer"):
        autograd.compile(lambda v: mul(v, v), 2.0)
    assert grad(y, x) == [6.0]


def test_a_layer_whose_backward_is_wrong_is_refused_at_its_first_call():
    from autograd import userops

    class Swapped(MulLayer):
        def backward(self, dout):
            return dout * self.x, dout * self.y  # the book's comment says to swap them: here they are not

    op = autograd.from_layer(Swapped)
    try:
        with pytest.raises(OpDefinitionError, match=r"Swapped.backward disagrees .* input 0 at x = 1.0, y = 2.0"):
            op(Value(1.0), Value(2.0))
    finally:
        userops._unregister("Swapped")


def test_values_keep_attributes_that_user_code_sets_on_them():
    p = Value(1.0)
    p.m, p.v, p._vis_color = 0.0, 0.0, "red"  # EurekaLabsAI's micrograd: AdamW state and a drawing colour
    (p * 2).backward()
    assert (p.m, p.v, p._vis_color, p.grad) == (0.0, 0.0, "red", 2.0)
    assert vars(Value(2.0)) == {}


def test_cos_helper_is_the_one_formulas_use():
    assert cos(0.0) == 1.0 and cos(Value(0.0)).op == "cos"
