"""Symbol: formulas written back as source evaluate exactly as the formulas do."""

import operator

import pytest

from autograd.symbolic import Symbol, call

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is in the 'dev' extra")
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
NAMES = ("g", "x", "y", "out")

formulas = st.recursive(
    st.one_of(st.sampled_from(NAMES), st.integers(-3, 3), st.sampled_from([0.5, -1.5, 2.0])),
    lambda sub: st.one_of(st.tuples(st.just("neg"), sub), st.tuples(st.sampled_from(sorted(BINARY)), sub, sub)),
    max_leaves=8,
)


def run(formula, env):
    """The formula on whatever env holds: floats, or Symbols."""
    if isinstance(formula, str):
        return env[formula]
    if not isinstance(formula, tuple):
        return formula
    op, *args = formula
    values = [run(a, env) for a in args]
    return -values[0] if op == "neg" else BINARY[op](*values)


def outcome(thunk):
    try:
        return ("value", thunk())
    except (ArithmeticError, ValueError, TypeError) as e:
        return ("error", type(e))


@given(formulas, st.lists(st.sampled_from([-2.5, -1.0, 0.0, 0.3, 1.0, 4.0]), min_size=4, max_size=4))
def test_the_source_of_a_formula_evaluates_exactly_like_the_formula(formula, numbers):
    env = dict(zip(NAMES, numbers))
    built = outcome(lambda: str(run(formula, {name: Symbol(name) for name in NAMES})))
    assume(built[0] == "value")  # a subexpression of numbers alone, such as 1 / 0, is computed at once
    source = built[1]
    direct = outcome(lambda: run(formula, env))
    assert outcome(lambda: eval(source, {}, dict(env))) == direct, source


@pytest.mark.parametrize(
    "make, source",
    [
        (lambda x, y: x - (y - 1), "x - (y - 1)"),
        (lambda x, y: (x - y) - 1, "x - y - 1"),
        (lambda x, y: -(x**2), "-x ** 2"),
        (lambda x, y: (-x) ** 2, "(-x) ** 2"),
        (lambda x, y: x ** (y**2), "x ** y ** 2"),
        (lambda x, y: (x**y) ** 2, "(x ** y) ** 2"),
        (lambda x, y: x / (y * 2), "x / (y * 2)"),
        (lambda x, y: 2 - x, "2 - x"),
        (lambda x, y: -1.5 * x, "-1.5 * x"),
        (lambda x, y: x**-1, "x ** -1"),
    ],
)
def test_parentheses_appear_exactly_where_needed(make, source):
    assert str(make(Symbol("x"), Symbol("y"))) == source


def test_one_input_ops_write_calls():
    assert str(Symbol("out").sign()) == "sign(out)"
    assert str(call("cos", Symbol("x"))) == "cos(x)"
    assert str(Symbol("x").anything(2.0)) == "anything(x, 2.0)"
