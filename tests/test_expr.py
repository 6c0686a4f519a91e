"""Expressions typed by a user: what parse() accepts, what it refuses (and where), and the graphs it builds."""

import ast
import builtins
import math

import pytest

from autograd import OperationError, Value
from autograd.expr import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    ExpressionError,
    parse,
    parse_assignments,
)
from autograd.ops import OPS


def grads(text, **values):
    """(result, {name: gradient}) of ``text`` at ``values``, after backward."""
    result, leaves = parse(text).evaluate(values)
    result.backward()
    return result.data, {name: leaf.grad for name, leaf in leaves.items()}


# ----------------------------------------------------------------------------- what is accepted


def test_the_example_of_the_api_gives_the_gradients_worked_out_by_hand():
    value, g = grads("a*b + c.tanh()", a=2, b=-3, c=10)
    assert value == pytest.approx(2 * -3 + math.tanh(10))
    assert g["a"] == pytest.approx(-3)  # d/da (a*b) = b
    assert g["b"] == pytest.approx(2)  # = a
    assert g["c"] == pytest.approx(1 - math.tanh(10) ** 2)


def test_names_are_listed_once_in_order_of_first_use():
    assert parse("b * a + b / c - a").names == ("b", "a", "c")
    assert parse("2 * 3").names == ()


def test_a_name_used_twice_is_one_leaf_whose_gradient_sums_both_uses():
    value, g = grads("x * x + x", x=3)
    assert value == 12
    assert g == {"x": 2 * 3 + 1}


def test_every_operator_follows_python_precedence_and_calculus():
    x, y = 1.5, -0.5
    value, g = grads("-x ** 2 / y - +y * 3 + x ** y", x=x, y=y)
    assert value == pytest.approx(-(x**2) / y - y * 3 + x**y)
    assert g["x"] == pytest.approx(-2 * x / y + y * x ** (y - 1))
    assert g["y"] == pytest.approx(x**2 / y**2 - 3 + x**y * math.log(x))


def test_a_value_raised_to_a_value_differentiates_in_both():
    value, g = grads("a ** b", a=2, b=3)
    assert value == 8
    assert g["a"] == pytest.approx(3 * 2**2)
    assert g["b"] == pytest.approx(8 * math.log(2))


def test_the_functions_are_the_engines_one_input_ops_with_a_method():
    expected = {name for name, op in OPS.items() if op.arity == 1 and hasattr(Value, name)}
    assert set(FUNCTIONS) == expected
    assert {"tanh", "exp", "log", "relu", "sigmoid", "sqrt", "abs", "sin", "cos"} <= set(FUNCTIONS)
    assert "neg" not in FUNCTIONS and "+" not in FUNCTIONS


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_can_be_called_or_used_as_a_method_with_the_same_result(name):
    direct = getattr(Value(0.7), name)()
    as_call, leaves_call = parse(f"{name}(x)").evaluate({"x": 0.7})
    as_method, leaves_method = parse(f"x.{name}()").evaluate({"x": 0.7})
    as_call.backward()
    as_method.backward()
    assert as_call.data == as_method.data == direct.data
    assert as_call.op == as_method.op == name
    assert leaves_call["x"].grad == leaves_method["x"].grad


def test_known_derivatives_of_functions_and_methods_on_subexpressions():
    value, g = grads("sin(x) * exp(y) + (x * y).log() + sqrt(y)", x=0.5, y=2.0)
    assert value == pytest.approx(math.sin(0.5) * math.exp(2) + math.log(1.0) + math.sqrt(2))
    assert g["x"] == pytest.approx(math.cos(0.5) * math.exp(2) + 1 / 0.5)
    assert g["y"] == pytest.approx(math.sin(0.5) * math.exp(2) + 1 / 2.0 + 0.5 / math.sqrt(2))


def test_leaves_are_labelled_with_their_names_and_numbers_become_constants():
    result, leaves = parse("w * 2").evaluate({"w": 4})
    assert leaves["w"].label == "w"
    assert [child.data for child in result.children] == [4.0, 2.0]
    assert result.children[1].requires_grad is False


def test_numbers_alone_evaluate_to_a_constant():
    result, leaves = parse("2 * 3 + 1").evaluate({})
    assert result.data == 7 and leaves == {}
    assert result.requires_grad is False


def test_non_ascii_names_work_and_columns_count_characters():
    value, g = grads("π * r ** 2", π=3, r=2)
    assert (value, g) == (12, {"π": 4, "r": 12})
    with pytest.raises(ExpressionError) as refused:
        parse("π*x.data")
    assert refused.value.column == 5  # π is two bytes in UTF-8, one character


def test_an_exponent_of_numbers_alone_may_reach_the_limit():
    assert parse(f"x ** {MAX_EXPONENT}").names == ("x",)
    assert parse(f"x ** -{MAX_EXPONENT}").names == ("x",)
    assert parse("x ** (2 * 500)").names == ("x",)
    assert parse("x ** (y * 1e9)").names == ("x", "y")  # not numbers alone: no limit


def test_a_long_chain_of_binary_operators_is_not_deep():
    chain = "x" + "*x+x" * 200  # a tree 400 deep, but one level of nesting to a reader
    result, leaves = parse(chain).evaluate({"x": 2})
    result.backward()
    assert result.data == 2 + 200 * 4
    assert leaves["x"].grad == 1 + 200 * 4


def test_an_expression_at_the_limits_of_length_and_depth_is_accepted():
    at_length = "x" + " + x" * ((MAX_LENGTH - 1) // 4)
    assert len(at_length) <= MAX_LENGTH
    result, _ = parse(at_length).evaluate({"x": 1})
    assert result.data == (MAX_LENGTH - 1) // 4 + 1
    nested = "(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1)
    assert parse(nested).names == ("x",)
    unary = "-" * (MAX_DEPTH - 1) + "x"
    result, _ = parse(unary).evaluate({"x": 2})
    assert result.data == (-2 if (MAX_DEPTH - 1) % 2 else 2)


# ----------------------------------------------------------------------------- what is refused

REFUSED = [
    # (expression, words the message must contain, column)
    ("__import__('os').system('touch MARKER')", ".system()", 18),
    ("open('MARKER', 'w')", "open(...)", 1),
    ("x.__class__.__init__.__globals__", "'.__globals__'", 22),
    ("x.data", "'.data'", 3),
    ("x.tanh", "'.tanh'", 3),
    ("lambda: 1", "lambda", 1),
    ("[x for x in y]", "list comprehension", 1),
    ("(x for x in y)", "generator expression", 1),
    ("x[0]", "subscript", 1),
    ("f'{x}'", "f-string", 1),
    ("'abc' * x", "string", 1),
    ("(y := 2) * y", "':='", 2),
    ("tanh(*x)", "starred", 6),
    ("tanh(x=1)", "keyword argument 'x='", 6),
    ("exec('1')", "exec(...)", 1),
    ("x.foo()", ".foo()", 3),
    ("tanh(x, y)", "takes one argument, got 2", 1),
    ("x.tanh(y)", "takes no arguments, got 1", 1),
    ("(x + 1)(2)", "calling the result", 1),
    ("x % 2", "'%'", 3),
    ("x // 2", "'//'", 3),
    ("~x", "'~'", 1),
    ("not x", "'not'", 1),
    ("x < y", "comparison", 1),
    ("x and y", "'and'/'or'", 1),
    ("x if y else 1", "conditional", 1),
    ("1j * x", "complex number 1j", 1),
    ("True * x", "True", 1),
    ("tanh + x", "the function 'tanh' without a call", 1),
    ("__builtins__", "'__builtins__'", 1),
    ("1e400 * x", "too large for a float", 1),
    ("2**10**10", "exponent 1e+10 is too large", 4),
    ("2**10**10**10", "exponent 1e+10 is too large", 8),
    (f"x ** {MAX_EXPONENT + 1}", f"exponent {MAX_EXPONENT + 1} is too large", 6),
    ("x ** -(10 ** 4)", "exponent -10000 is too large", 6),
    ("2 ** exp(10)", "too large", 6),
    ("a +* b", "syntax error", 4),
    ("import os", "syntax error", None),
    ("x = 1", "syntax error", None),
    ("x\ny", "control character '\\n'", 2),
    ("x\x00", "control character '\\x00'", 2),
    ("", "empty", None),
    ("   ", "empty", None),
]


@pytest.mark.parametrize(("text", "words", "column"), REFUSED)
def test_anything_off_the_allow_list_is_refused_saying_what_and_where(text, words, column):
    with pytest.raises(ExpressionError) as refused:
        parse(text)
    assert words in str(refused.value)
    if column is not None:
        assert refused.value.column == column
        assert f"column {column}" in str(refused.value)


def test_a_refusal_points_at_the_column_under_the_expression():
    with pytest.raises(ExpressionError) as refused:
        parse("a*b + x.data")
    assert refused.value.pointer() == "  a*b + x.data\n          ^"


def test_the_pointer_of_a_long_expression_shows_a_window_around_the_column():
    text = "x + " * 100 + "x.data + " + "y + " * 100 + "y"
    with pytest.raises(ExpressionError) as refused:
        parse(text)
    shown, caret = refused.value.pointer().splitlines()
    assert shown.startswith("  ...") and shown.endswith("...")
    assert len(shown) < 90
    assert shown[caret.index("^") :].startswith("data")


def test_too_long_an_expression_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr("ast.parse", lambda *args, **kwargs: pytest.fail("parsed"))
    with pytest.raises(ExpressionError, match=f"{MAX_LENGTH + 1} characters .*limit is {MAX_LENGTH}"):
        parse("x" * (MAX_LENGTH + 1))


@pytest.mark.parametrize(
    "text",
    [
        "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "[" * (MAX_DEPTH + 1),
        "-" * (MAX_DEPTH + 1) + "x",
        "tanh(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "x" + "**-x" * MAX_DEPTH,  # each unary minus nests the power after it
    ],
)
def test_nesting_deeper_than_the_limit_is_refused(text):
    with pytest.raises(ExpressionError, match=f"deeper than {MAX_DEPTH} levels at column"):
        parse(text)


def test_an_expression_of_numbers_that_fails_is_an_engine_error_when_evaluated():
    expression = parse("x * 10 ** 400")  # exponent within the limit, result too large for a float
    with pytest.raises(OperationError, match="too large"):
        expression.evaluate({"x": 1})


def test_parse_and_evaluate_never_run_code_with_eval_exec_or_compile(monkeypatch):
    compile_to_ast_only = builtins.compile
    calls = []

    def forbidden(*args, **kwargs):
        raise AssertionError("eval or exec was called")

    def compile_checked(source, filename, mode, flags=0, *args, **kwargs):
        calls.append(mode)
        # ast.parse compiles to a tree only; compiling to code would be a way to run the text
        assert flags & ast.PyCF_ONLY_AST, "compiled to code, not to a tree"
        return compile_to_ast_only(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", compile_checked)
    value, g = grads("a*b + c.tanh()", a=1, b=2, c=0)
    assert (value, g) == (2, {"a": 2, "b": 1, "c": 1})
    assert calls == ["eval"]  # one parse, to a tree


def test_parse_wants_a_string():
    with pytest.raises(TypeError, match="str"):
        parse(b"x + 1")


# ----------------------------------------------------------------------------- values


def test_evaluate_needs_every_name_and_nothing_more():
    expression = parse("a*b + c")
    with pytest.raises(ExpressionError, match=r"undefined names 'b' and 'c' at column 3"):
        expression.evaluate({"a": 1})
    with pytest.raises(ExpressionError, match=r"unused name 'd'.*uses a, b, c"):
        expression.evaluate({"a": 1, "b": 2, "c": 3, "d": 4})


def test_a_math_error_of_the_engine_reaches_the_caller_as_an_operation_error():
    with pytest.raises(OperationError, match=r"'log' failed on -1\.0"):
        parse("log(x)").evaluate({"x": -1})
    with pytest.raises(OperationError):
        parse("1 / (x - x)").evaluate({"x": 3})


def test_assignments_become_floats():
    assert parse_assignments(["a=2", " b = -3 ", "c=1e3", "d=.5"]) == {"a": 2.0, "b": -3.0, "c": 1000.0, "d": 0.5}
    assert parse_assignments([]) == {}


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("a=", "no number after"),
        ("=3", "no name before"),
        ("a", "no '='"),
        ("a=abc", "'abc' is not a number"),
        ("a=nan", "finite"),
        ("a=inf", "finite"),
        ("a=-inf", "finite"),
        ("a=1e400", "finite"),
        ("a=1=2", "'1=2' is not a number"),
        ("1a=2", "not a valid name"),
        ("a.b=2", "not a valid name"),
        ("if=2", "keyword"),
        ("tanh=2", "is a function"),
        ("__x=2", "'__'"),
    ],
)
def test_malformed_assignments_are_refused_naming_the_item(item, words):
    with pytest.raises(ExpressionError) as refused:
        parse_assignments([item])
    assert words in str(refused.value)


def test_a_name_given_twice_is_refused():
    with pytest.raises(ExpressionError, match="'a' is given twice"):
        parse_assignments(["a=1", "b=2", "a=3"])
