"""gradcheck: it passes correct gradients and names the input whose gradient is wrong."""

import math

import pytest

from autograd import GradcheckError, Value, gradcheck, steps
from autograd.ops import OPS, Op, cos


def test_correct_gradients_pass():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / y, [Value(0.3), Value(1.7)])


def test_plain_numbers_are_accepted_as_inputs():
    assert gradcheck(lambda x: x**3, [2.0])


@pytest.fixture
def wrong_sin_rule(monkeypatch):
    """Make sin's derivative wrong (g * sin(x) instead of g * cos(x)) in the table and its steps."""
    monkeypatch.setitem(OPS, "sin", Op(math.sin, lambda g, x, out: g * out))
    monkeypatch.setitem(steps.COMPILED, "sin", steps.compiled_step("sin"))
    for table in (steps.FLOATS, steps.CHECKED, steps.ON_VALUES):
        monkeypatch.setitem(table, "sin", table.make("sin"))


def test_a_deliberately_wrong_rule_is_caught_and_the_input_named(wrong_sin_rule):
    a, b = Value(0.5, label="a"), Value(2.0, label="b")
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: a.sin() * b, [a, b])
    message = str(caught.value)
    assert "input 0 ('a') at 0.5" in message
    assert f"analytic gradient {2.0 * math.sin(0.5)!r}" in message
    numeric = float(message.split("numeric ")[1].split(";")[0])
    assert numeric == pytest.approx(2.0 * cos(0.5), rel=1e-6)


def test_without_raising_a_failure_is_false(wrong_sin_rule):
    assert gradcheck(lambda x: x.sin(), [Value(0.5)], raise_exception=False) is False


def test_fn_must_return_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, [Value(1.0)])


def test_the_tolerance_is_respected():
    # an error of 1e-3 passes a loose check and fails a tight one
    def slightly_off(x):
        return x * x + (x * 0.0 + 1e-3 * x.data)  # the added term has no gradient but moves the value

    assert gradcheck(slightly_off, [Value(1.0)], atol=1e-2)
    assert not gradcheck(slightly_off, [Value(1.0)], atol=1e-6, rtol=0.0, raise_exception=False)
