"""compile(fn): the generated code against the engine, bit for bit, and what tracing refuses."""

import ast
import gc
import math
import os
import random
import subprocess
import sys
import tracemalloc
import unicodedata

import pytest
from examples import micrograd_expression

from autograd import Compiled, OperationError, TraceError, Value, compile, grad, no_grad
from autograd.engine import apply
from autograd.errors import OperationOverflowError
from autograd.nn import MLP, SGD, cross_entropy, hinge, l2, logsumexp
from autograd.ops import OPS


def bits(x):
    """A float's exact identity: equal values with different signs of zero differ here."""
    return x.hex() if isinstance(x, float) else x


def same(a, b):
    """Nested lists and tuples of floats equal bit for bit."""
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) is float and bits(a) == bits(b)


def eager(fn, *args):
    """The engine's answer: fn on fresh Values, then grad() of the result for each number."""
    leaves = [[Value(x) for x in arg] if isinstance(arg, list) else Value(arg) for arg in args]
    flat = [v for leaf in leaves for v in (leaf if isinstance(leaf, list) else [leaf])]
    out = fn(*leaves)
    grads = grad(out, flat) if out.requires_grad else [0.0] * len(flat)
    it = iter(grads)
    shaped = tuple([next(it) for _ in leaf] if isinstance(leaf, list) else next(it) for leaf in leaves)
    return out.data, shaped


# Points for the table-driven test: kinks and ties included (0 for relu/abs/sign, x == y for max).
POINTS = [-2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, 3.25]


def op_fn(name):
    return (lambda x: apply(name, x)) if OPS[name].arity == 1 else (lambda x, y: apply(name, x, y))


def defined(fn, point):
    try:
        eager(fn, *point)
    except OperationError:
        return False
    return True


def no_replay(self, args):
    raise AssertionError(f"the generated code gave up on {args!r}")


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_compiles_to_the_engines_numbers(name, monkeypatch):
    fn = op_fn(name)
    arity = OPS[name].arity
    points = [(x,) if arity == 1 else (x, y) for x in POINTS for y in (POINTS if arity == 2 else [None])]
    good = [p for p in points if defined(fn, p)]
    compiled = compile(fn, *good[0])  # traced at one point, run at every other
    with monkeypatch.context() as patch:
        patch.setattr(Compiled, "_slow", no_replay)  # where the engine has no error, neither has the code
        for point in good:
            assert same(compiled(*point), eager(fn, *point)), point
    for point in set(points) - set(good):  # outside the domain: the engine's error, naming the op
        with pytest.raises(OperationError) as error:
            compiled(*point)
        assert error.value.op == name


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_with_a_shared_input_and_with_constants(name):
    variants = [lambda x: apply(name, x)] if OPS[name].arity == 1 else []
    if OPS[name].arity == 2:
        variants = [lambda x: apply(name, x, x), lambda x: apply(name, 2.0, x), lambda x: apply(name, x, 2.0)]
    for fn in variants:
        good = [x for x in POINTS if defined(fn, (x,))]
        compiled = compile(fn, good[-1])
        for x in good:
            assert same(compiled(x), eager(fn, x)), (name, x)


def test_the_micrograd_expression():
    f = compile(micrograd_expression, -4.0, 2.0)
    value, (da, db) = f(-4.0, 2.0)
    assert (round(value, 4), round(da, 4), round(db, 4)) == (24.7041, 138.8338, 645.5773)
    for a, b in [(-4.0, 2.0), (1.5, -0.25), (3.0, 3.0)]:
        assert same(f(a, b), eager(micrograd_expression, a, b))


def test_inline_false_gives_one_line_per_node_and_the_same_numbers():
    inlined = compile(micrograd_expression, -4.0, 2.0)
    spelled = compile(micrograd_expression, -4.0, 2.0, inline=False)
    forward = spelled.source.split("# forward")[1].split("# backward")[0]
    assert len(forward.strip().splitlines()) == spelled.nodes
    assert len(inlined.source.splitlines()) < len(spelled.source.splitlines())
    assert same(inlined(1.0, 2.0), spelled(1.0, 2.0))


# ----------------------------------------------------------------------------- arguments and results


def test_lists_of_arguments_get_gradients_of_the_same_shape():
    def fn(w, x, b):
        return sum((wi * xi for wi, xi in zip(w, x)), b).tanh()

    f = compile(fn, [0.1, 0.2], [1.0, -1.0], 0.3)
    value, (gw, gx, gb) = f([0.5, -0.5], [2.0, 1.0], 0.1)
    expected_value, expected = eager(fn, [0.5, -0.5], [2.0, 1.0], 0.1)
    assert same((value, (gw, gx, gb)), (expected_value, expected))
    assert isinstance(gw, list) and len(gw) == 2


def test_nested_lists_and_wrt():
    def fn(rows, scale):
        return scale * sum(a * b for a, b in rows)

    f = compile(fn, [[1.0, 2.0], [3.0, 4.0]], 0.5, wrt=0)
    value, (grows,) = f([[1.0, 2.0], [3.0, 5.0]], 2.0)
    assert value == 2.0 * (2.0 + 15.0)
    assert grows == [[4.0, 2.0], [10.0, 6.0]]
    assert compile(fn, [[1.0, 2.0]], 0.5, wrt=[1])([[1.0, 2.0]], 3.0) == (6.0, (2.0,))
    assert compile(fn, [[1.0, 2.0]], 0.5, wrt=())([[1.0, 2.0]], 3.0) == (6.0, ())


def test_has_aux_returns_values_beside_the_result():
    def fn(x, y):
        s = x * y
        return s + 1, [s, x.relu(), 7]

    f = compile(fn, 2.0, 3.0, has_aux=True)
    (value, aux), grads = f(-2.0, 3.0)
    assert (value, aux, grads) == (-5.0, [-6.0, 0.0, 7.0], (3.0, -2.0))


def test_ints_and_numpy_floats_are_taken_as_floats():
    f = compile(lambda x: x / 3, 1.0)
    assert same(f(2), f(2.0))
    numpy = pytest.importorskip("numpy")
    assert same(f(numpy.float64(2.0)), f(2.0))


def test_an_output_that_does_not_depend_on_the_inputs():
    f = compile(lambda x: Value(2.0, requires_grad=False) * 3, 1.0)
    assert f(5.0) == (6.0, (0.0,))
    assert compile(lambda x: x, 1.0)(4.0) == (4.0, (1.0,))


def test_values_made_inside_the_function_are_constants():
    f = compile(lambda x: x * Value(3.0), 1.0)  # a fresh Value per call would hold 3.0 every time
    assert f(2.0) == (6.0, (3.0,))


def test_no_grad_and_detach_inside_are_computed_but_pass_no_gradient():
    def fn(x):
        with no_grad():
            s = x * x
        return x * s + x * x.detach()

    f = compile(fn, 1.0)
    for x in (1.0, 2.0, -3.0):
        assert same(f(x), eager(fn, x))
    assert f(2.0) == (12.0, (6.0,))  # not the derivative of x**3 + x**2, which is 16


def test_gradients_with_graphs_compile_too():
    def slope(x):
        (d,) = grad(x * x * x, [x], create_graph=True)
        return d  # 3x**2, whose derivative is 6x

    f = compile(slope, 2.0)
    assert f(2.0) == (12.0, (12.0,))
    assert f(3.0) == (27.0, (18.0,))
    # the derivative formula of ** branches on its numbers (at 0 ** 0), so it cannot be traced
    with pytest.raises(TraceError, match=r"\.data"):
        compile(lambda x: grad(x**3, [x], create_graph=True)[0], 2.0)


def test_logsumexp_and_cross_entropy_compile_exactly():
    def fn(logits):
        return cross_entropy(logits, 1) + logsumexp(logits) / 3

    f = compile(fn, [0.5, 1.5, -2.0])
    for logits in ([0.5, 1.5, -2.0], [1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]):
        assert same(f(logits), eager(fn, logits))


# ----------------------------------------------------------------------------- models and params


def moons(n=20, seed=0):
    rng = random.Random(seed)
    xs = [[rng.uniform(-2, 2), rng.uniform(-1, 1)] for _ in range(n)]
    return xs, [1.0 if a * b > 0 else -1.0 for a, b in xs]


def test_a_training_step_matches_the_engine_bit_for_bit_over_steps():
    xs, ys = moons()
    models = [MLP(2, [8, 8, 1], seed=3), MLP(2, [8, 8, 1], seed=3)]

    def loss_of(model):
        def loss(X, Y):
            return hinge([model(x) for x in X], Y) + l2(model.parameters(), 1e-4)

        return loss

    step = compile(loss_of(models[1]), xs, ys, params=models[1], wrt=())
    opts = [SGD(m.parameters(), lr=0.05, momentum=0.9) for m in models]
    for _ in range(5):
        for opt in opts:
            opt.zero_grad()
        loss = loss_of(models[0])(xs, ys)
        loss.backward()
        compiled_loss, grads = step(xs, ys)
        assert grads == ()
        assert bits(compiled_loss) == bits(loss.data)
        assert [bits(p.grad) for p in models[1].parameters()] == [bits(p.grad) for p in models[0].parameters()]
        for opt in opts:
            opt.step()
    assert models[0].state_dict() == models[1].state_dict()


def test_params_accumulate_like_backward_and_source_names_them():
    model = MLP(2, [3, 1], seed=1)
    f = compile(lambda x: model(x), [1.0, 2.0], params=model, wrt=())
    model.zero_grad()
    f([1.0, 2.0])
    once = [p.grad for p in model.parameters()]
    f([1.0, 2.0])
    assert [p.grad for p in model.parameters()] == [2 * g for g in once]
    assert "layers_0_neurons_2_w_1" in f.source
    assert all(p.label == "" for p in model.parameters())  # names are the code's, labels untouched


def test_model_weights_as_an_argument():
    model = MLP(2, [3, 1], seed=1)
    params = model.parameters()
    f = compile(lambda ps, x: model(x), params, [1.0, 2.0], wrt=0)
    numbers = [p.data for p in params]
    value, (gp,) = f(numbers, [1.0, 2.0])
    out = model([1.0, 2.0])
    assert same((value, gp), (out.data, grad(out, params)))
    model.layers[0].neurons[0].w[0].data = 5.0  # the compiled call uses the numbers it is given
    assert same(f(numbers, [1.0, 2.0])[0], value)
    assert not same(f([p.data for p in params], [1.0, 2.0])[0], value)


def test_backward_false_compiles_the_forward_pass_alone():
    model = MLP(2, [4, 3], seed=2)
    predict = compile(lambda x: model(x), [0.0, 0.0], params=model, backward=False)
    assert "# backward" not in predict.source
    for x in ([1.0, 2.0], [-0.5, 0.25]):
        with no_grad():
            expected = [v.data for v in model(x)]
        assert same(predict(x), expected)
    assert all(p.grad == 0.0 for p in model.parameters())
    assert compile(lambda x: [x * 2, [x, 3]], 1.0, backward=False)(2.0) == [4.0, [2.0, 3.0]]
    with pytest.raises(ValueError, match="backward=False"):
        compile(lambda x: x, 1.0, backward=False, wrt=0)


def test_an_overflowing_gradient_sum_leaves_params_alone():
    w = Value(1.0)
    f = compile(lambda x: w * x, 1.0, params=[w], wrt=())
    w.grad = 1e308
    with pytest.raises(OperationOverflowError, match="overflows a float"):
        f(1e308)
    assert w.grad == 1e308


def test_good_calls_never_need_the_engine(monkeypatch):
    # the engine's replay is for errors only: a call that goes well is the generated code alone
    monkeypatch.setattr(Compiled, "_slow", no_replay)
    model = MLP(2, [3, 1], seed=0)
    cases = [
        (lambda x: x * 2, (1.0,), {}),
        (lambda x: x.relu().tanh(), (1.0,), {"inline": False}),
        (lambda x, y: x / y, (1.0, 2.0), {}),
        (lambda xs: sum(xs), ([1.0],), {}),
        (lambda xs, y: sum(xs) * y, ([1.0, 2.0], 3.0), {"wrt": 0}),
        (lambda x: model(x), ([1.0, 2.0],), {"params": model, "wrt": ()}),
        (lambda x: (model(x), [x[0] * 2]), ([1.0, 2.0],), {"params": model, "has_aux": True}),
        (lambda x: [model(x)], ([1.0, 2.0],), {"params": model, "backward": False}),
        (lambda x: (x * x).log(), (3,), {}),
        (micrograd_expression, (-4.0, 2.0), {}),
    ]
    for fn, args, options in cases:
        compile(fn, *args, **options)(*args)


# ----------------------------------------------------------------------------- refusals


def test_reading_data_of_a_traced_value_is_refused():
    def fn(x):
        return x * 2 if x.data > 0 else -x

    with pytest.raises(TraceError, match=r"read its \.data.*x\.data > 0"):
        compile(fn, 1.0)


def test_branching_on_a_traced_value_is_refused():
    def fn(x):
        return x if x else -x

    with pytest.raises(TraceError, match="tested its truth"):
        compile(fn, 1.0)


def test_backward_and_grad_without_graphs_are_refused():
    with pytest.raises(TraceError, match="backward"):
        compile(lambda x: (x * x).backward(), 1.0)
    with pytest.raises(TraceError, match="create_graph=True"):
        compile(lambda x: grad(x * x, [x])[0], 1.0)


def test_a_captured_value_that_requires_grad_is_refused():
    w = Value(3.0)
    with pytest.raises(TraceError, match="neither an argument nor in params="):
        compile(lambda x: w * x, 1.0)
    assert compile(lambda x: w.detach() * x, 1.0)(2.0) == (6.0, (3.0,))  # as a constant, it is baked in


def test_compile_inside_a_traced_function_is_refused():
    with pytest.raises(TraceError, match="inside a function that compile"):
        compile(lambda x: compile(lambda y: y * 2, 1.0)(2.0)[0] * x, 1.0)
    assert compile(lambda x: x * 2, 1.0)(3.0) == (6.0, (2.0,))  # and tracing is over afterwards


def test_what_fn_returns_is_checked():
    with pytest.raises(TypeError, match="must return one Value"):
        compile(lambda x: 1.0, 1.0)
    with pytest.raises(TypeError, match="has_aux=True"):
        compile(lambda x: [x, x], 1.0)
    with pytest.raises(TypeError, match=r"\(value, aux\)"):
        compile(lambda x: x, 1.0, has_aux=True)


def test_bad_arguments_to_compile():
    with pytest.raises(ValueError, match="wrt"):
        compile(lambda x: x, 1.0, wrt=1)
    with pytest.raises(ValueError, match="twice"):
        compile(lambda x: x, 1.0, wrt=[0, 0])
    with pytest.raises(TypeError, match="must be a number"):
        compile(lambda x: x, "1.0")
    with pytest.raises(ValueError, match="finite"):
        compile(lambda x: x, math.inf)
    v = Value(1.0)
    with pytest.raises(ValueError, match="twice"):
        compile(lambda a, b: a * b, v, v)
    with pytest.raises(TypeError, match="params"):
        compile(lambda x: x, 1.0, params=[Value(1.0) * 2])


def test_bad_calls_name_the_argument():
    f = compile(lambda xs, y: sum(xs) * y, [1.0, 2.0], 3.0)
    with pytest.raises(TypeError, match="takes 2 argument"):
        f([1.0, 2.0])
    with pytest.raises(ValueError, match=r"argument 0 has 3 items, but the traced one had 2"):
        f([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(ValueError, match=r"argument 0\[1\] must be a finite number, got nan"):
        f([1.0, math.nan], 1.0)
    with pytest.raises(TypeError, match=r"argument 1 is a Value"):
        f([1.0, 2.0], Value(1.0))
    with pytest.raises(TypeError, match=r"argument 0 must be a list"):
        f(1.0, 1.0)


def test_errors_at_call_time_are_the_engines():
    f = compile(lambda x, y: (x * y).log(), 1.0, 2.0)
    with pytest.raises(OperationError, match=r"'log' failed on -2\.0") as error:
        f(1.0, -2.0)
    assert error.value.op == "log"
    assert "test_compile.py" in str(error.value)  # the line that called the compiled function


def test_an_overflow_hidden_by_a_later_op_is_still_caught():
    # x * x overflows to inf, and tanh(inf) is a finite 1.0: the engine raises at the '*'
    f = compile(lambda x: (x * x).tanh(), 1.0)
    with pytest.raises(OperationOverflowError) as error:
        f(1e200)
    assert error.value.op == "*"
    g = compile(lambda x: 1 / (x * x), 1.0)
    with pytest.raises(OperationOverflowError):
        g(1e200)


# ----------------------------------------------------------------------------- the source


def test_the_source_reads_like_the_function():
    def fn(apple, count, tax):
        return apple * count * tax

    f = compile(fn, 100.0, 2.0, 1.1)
    assert isinstance(f, Compiled)
    lines = f.source.splitlines()
    assert lines[0].startswith("def __call__(self, *args):  # fn: 2 ops traced")
    assert "apple, count, tax = args" in f.source
    assert any(line.strip().startswith("g_apple = ") for line in lines)
    ast.parse(f.source)
    value, grads = f(100.0, 2.0, 1.1)
    assert (round(value, 10), [round(g, 10) for g in grads]) == (220.0, [2.2, 110.0, 200.0])
    assert repr(f).startswith("<compiled fn: 2 ops")


def test_labels_name_intermediate_values():
    def fn(x):
        h = x * 3
        h.label = "hidden"
        return h.tanh() + h

    assert "hidden = x * 3" in compile(fn, 1.0).source


def test_the_source_is_the_same_in_another_process():
    program = (
        "from autograd import compile\n"
        "from autograd.nn import MLP, hinge\n"
        "m = MLP(2, [3, 1], seed=0)\n"
        "f = compile(lambda X, Y: hinge([m(x) for x in X], Y), [[1.0, 2.0], [0.5, -1.0]], [1.0, -1.0], params=m)\n"
        "print(f.source)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and "def __call__" in runs[0]


# ----------------------------------------------------------------------------- any graph the engine takes


def chain_of(step, length):
    def fn(x):
        y = x
        for _ in range(length):
            y = step(y)
        return y

    return fn


CHAIN_STEPS = {
    "tanh": lambda y: y.tanh(),
    "y * c": lambda y: y * 0.999,
    "y / c": lambda y: y / 1.001,
    "-y": lambda y: -y,
    "y * c + x": None,  # the benchmark's chain: x is read by every step
}


@pytest.mark.parametrize("kind", sorted(CHAIN_STEPS))
def test_a_chain_of_5000_steps_compiles_to_the_engines_numbers(kind, monkeypatch):
    if kind == "y * c + x":

        def fn(x):
            y = x
            for _ in range(2500):
                y = y * 0.99999 + x
            return y

    else:
        fn = chain_of(CHAIN_STEPS[kind], 5000)
    f = compile(fn, 0.5)  # RecursionError in Python's compiler, once
    monkeypatch.setattr(Compiled, "_slow", no_replay)
    for x in (0.5, -0.25):
        assert same(f(x), eager(fn, x))


def test_a_wide_sum_compiles_to_the_engines_numbers(monkeypatch):
    rng = random.Random(0)
    ws, xs = [rng.uniform(-1, 1) for _ in range(20_000)], [rng.uniform(-1, 1) for _ in range(20_000)]

    def fn(ws, xs):
        return sum(w * x for w, x in zip(ws, xs))

    f = compile(fn, ws, xs)
    monkeypatch.setattr(Compiled, "_slow", no_replay)
    assert same(f(xs, ws), eager(fn, xs, ws))


def test_a_balanced_sum_is_cut_by_length_not_only_by_depth():
    # pairwise sums of 20,000 leaves are 15 deep: without a bound on length, one expression
    def pairwise(xs):
        while len(xs) > 1:
            xs = [a + b for a, b in zip(xs[::2], xs[1::2])] + ([xs[-1]] if len(xs) % 2 else [])
        return xs[0]

    xs = [float(i % 7) for i in range(20_000)]
    f = compile(pairwise, xs)
    assert max(len(line) for line in f.source.splitlines()) < 20_000
    assert same(f(xs), eager(pairwise, xs))


def test_compiling_a_long_chain_takes_memory_in_proportion_to_its_length():
    # The expressions of a chain once grew with its depth, so that memory grew as its square
    # (sizes that compiled before: 13 KB per op at 1,200 steps, 8 times as much as at 300).
    def peak(length):
        fn = chain_of(lambda y: y.tanh(), length)
        gc.collect()
        tracemalloc.start()
        try:
            compile(fn, 0.5)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(300), peak(1_200)
    assert large / small < 4 * 1.25  # four times the ops, four times the memory at most
    assert large / 1_200 < 4096  # bytes per op


def test_repeated_code_is_compiled_once():
    f = compile(chain_of(lambda y: y.tanh(), 20_000), 0.5)
    assert f.source.count("\ndef ") < 20  # a handful of functions, each run many times
    assert same(f(0.3), eager(chain_of(lambda y: y.tanh(), 20_000), 0.3))


@pytest.mark.parametrize("terms", [5, 3_000], ids=["one function", "steps"])
def test_an_argument_and_a_param_that_no_path_reaches_get_a_gradient_of_0(terms, monkeypatch):
    # the readable function writes 0.0 where no path leads; the steps read one shared constant
    spare = Value(0.25, label="spare")
    spare.grad = 1.5

    def fn(xs, unused, ys):
        total = xs[0] * ys[0]
        for x, y in zip(xs[1:], ys[1:]):
            total = total + x * y
        return total

    monkeypatch.setattr(Compiled, "_slow", no_replay)
    xs, ys = [0.5 + k / terms for k in range(terms)], [1.0 - k / terms for k in range(terms)]
    f = compile(fn, xs, 3.0, ys, params=[spare])
    assert ("self._steps" in f.source) == (terms > 5)
    value, (gxs, gunused, gys) = f(xs, 3.0, ys)
    expected = eager(lambda a, u, b: fn(a, u, b), xs, 3.0, ys)
    assert same((value, (gxs, gunused, gys)), expected)
    assert bits(gunused) == bits(0.0) and bits(spare.grad) == bits(1.5)


def test_the_steps_of_a_large_graph_give_what_one_function_gives(monkeypatch):
    # the same training step as one readable function (few points) and as steps (many)
    xs, ys = moons(60)
    flat = [a for x in xs for a in x]
    models = [MLP(2, [4, 4, 1], seed=5), MLP(2, [4, 4, 1], seed=5)]

    def loss_of(model):
        def loss(X, Y):
            return hinge([model(X[i : i + 2]) for i in range(0, len(X), 2)], Y)

        return loss

    monkeypatch.setattr(Compiled, "_slow", no_replay)
    for n in (2, 60):
        f = compile(loss_of(models[1]), flat[: 2 * n], ys[:n], params=models[1])
        assert ("self._steps" in f.source) == (n == 60)
        for model in models:
            model.zero_grad()
        result = f(flat[: 2 * n], ys[:n])
        expected = eager(loss_of(models[0]), flat[: 2 * n], ys[:n])
        assert same(result, expected)
        leaves = [[Value(x) for x in flat[: 2 * n]], [Value(y) for y in ys[:n]]]
        loss_of(models[0])(*leaves).backward()
        assert [bits(p.grad) for p in models[1].parameters()] == [bits(p.grad) for p in models[0].parameters()]


# ----------------------------------------------------------------------------- names, arguments, params


def test_labels_that_python_reads_as_one_name_get_two():
    def fn(x):
        a, b = x * 2, x * 3
        a.label, b.label = "µ", "μ"  # MICRO SIGN and GREEK SMALL LETTER MU: one identifier in NFKC
        c = x * 5
        c.label = "ｔ0"  # fullwidth: NFKC makes it t0, the name of the first temporary
        return a * b + a + b + c * c + c * (x + 1)

    assert unicodedata.normalize("NFKC", "µ") == unicodedata.normalize("NFKC", "μ")
    f = compile(fn, 1.0)
    for x in (1.0, 2.0, -0.5):
        assert same(f(x), eager(fn, x))


def test_a_label_that_is_not_a_string_is_left_out_of_the_names():
    def fn(x):
        h = x * 3
        h.label = 5
        return h * h

    w = Value(2.0, label=7)
    f = compile(lambda x: fn(x) * w, 1.0, params=[w])
    assert same(f(2.0), ((2.0 * 3) ** 2 * 2.0, (2 * 2.0 * 3 * 3 * 2.0,)))
    assert compile(fn, Value(1.0, label=6))(2.0) == (36.0, (36.0,))


def test_the_fast_path_refuses_what_the_engine_refuses(monkeypatch):
    f = compile(lambda x: x * 2, 1.0)
    g = compile(lambda xs: xs[0] * xs[1], [1.0, 2.0])
    cases = [
        (f, ("3",), TypeError),
        (f, (b"3",), TypeError),
        (f, (bytearray(b"3"),), TypeError),
        (f, (10**400,), ValueError),  # too large for a float, as Value(10**400) says
        (g, ({1.0, 2.0},), TypeError),
        (g, ({1.0: "a", 2.0: "b"},), TypeError),
        (g, ("12",), TypeError),
        (g, (iter([1.0, 2.0]),), TypeError),
        (g, (["3", 2.0],), TypeError),
    ]
    for compiled, args, error in cases:
        if compiled is f:
            with pytest.raises(error):
                Value(args[0])
        with pytest.raises(error):
            compiled._slow(args)  # the engine's answer, replaying the graph
        with pytest.raises(error):
            compiled(*args)
    assert f(True) == (2.0, (2.0,)) and g((1, 2.0)) == (2.0, ([2.0, 1.0],))  # what Value() takes


def test_extra_arguments_are_refused_even_with_none_traced():
    w = Value(3.0)
    f = compile(lambda: w * w, params=[w])
    assert f() == (9.0, ())
    with pytest.raises(TypeError, match="takes 0 argument"):
        f(1.0)


def test_a_param_whose_grad_is_none_counts_as_zero():
    w = Value(2.0)
    f = compile(lambda x: w * x, 1.0, params=[w], wrt=())
    w.grad = None
    f(3.0)
    v = Value(2.0)
    v.grad = None
    (v * 3.0).backward()
    assert w.grad == v.grad == 3.0


def test_a_function_name_that_is_not_one_line_stays_in_the_comment():
    def fn(x):
        return x * 2

    fn.__name__ = "two\nlines\r\x00"
    f = compile(fn, 1.0)
    assert f(2.0) == (4.0, (2.0,))
    assert f.source.splitlines()[0].endswith("ops traced")


def test_dead_code_is_left_out_as_documented():
    def fn(x):
        x.log()  # computed and dropped: not an output, so not compiled
        return x * 2

    with pytest.raises(OperationError):
        eager(fn, 0.0)
    assert compile(fn, 1.0)(0.0) == (0.0, (2.0,))
    assert "Dead code is left out" in compile.__doc__.split("\n\n")[0] + sys.modules[compile.__module__].__doc__


# ----------------------------------------------------------------------------- interrupts


def interrupted_calls(call, hook, reset):
    """``call()`` interrupted by KeyboardInterrupt at each event of ``hook`` (sys.settrace or
    sys.setprofile) in turn, after ``reset()``; yields after each, for the caller to look at
    what it left."""
    events = 0
    reset()

    def count(frame, event, arg):
        nonlocal events
        events += 1
        return count

    hook(count)
    try:
        call()
    finally:
        hook(None)
    for n in range(1, events + 2):
        reset()
        try:  # the hook may raise as it is set or unset too (setprofile sees those calls)
            try:
                hook(_interrupt_at(n))
                call()
            finally:
                hook(None)
        except KeyboardInterrupt:
            pass
        yield n


def _interrupt_at(n):
    """A trace or profile function that raises KeyboardInterrupt at its ``n``-th event."""
    seen = 0

    def interrupt(frame, event, arg):
        nonlocal seen
        seen += 1
        if seen == n:
            raise KeyboardInterrupt
        return interrupt

    return interrupt


@pytest.mark.parametrize("hook", [sys.settrace, sys.setprofile], ids=["settrace", "setprofile"])
@pytest.mark.parametrize("points", [1, 40], ids=["one function", "steps"])
def test_an_interrupted_call_adds_into_every_param_or_none(hook, points):
    model = MLP(2, [3, 1], seed=0)
    xs, ys = moons(points)
    f = compile(lambda X, Y: hinge([model(x) for x in X], Y), xs, ys, params=model, wrt=())
    params = model.parameters()
    assert ("self._steps" in f.source) == (points > 1)
    old = [0.25 * k for k in range(len(params))]
    for p, g in zip(params, old):
        p.grad = g
    f(xs, ys)
    new = [p.grad for p in params]
    assert new != old

    def reset():
        for p, g in zip(params, old):
            p.grad = g

    outcomes = set()
    for _ in interrupted_calls(lambda: f(xs, ys), hook, reset):
        grads = [p.grad for p in params]
        assert grads in (old, new)
        outcomes.add(grads == new)
    assert outcomes == {False, True}  # interrupted both before and after the grads were added


# ----------------------------------------------------------------------------- the backward order


def _random_graph(rng, xs, params):
    """A random graph over the leaves ``xs`` and ``params``: shared nodes, constants, nodes made
    under no_grad() from traced ones (computed, passing no gradient), inputs left unused."""
    pool = list(xs[: len(xs) - 1]) + list(params)  # the last argument is never used
    for _ in range(rng.randrange(1, 60)):
        a, b = rng.choice(pool), rng.choice(pool)
        kind = rng.randrange(6)
        if kind == 0:
            node = a * b
        elif kind == 1:
            node = a + rng.choice([b, 2.0, -0.5])
        elif kind == 2:
            node = (a * 0.1).tanh()
        elif kind == 3:
            node = a - b
        elif kind == 4:
            with no_grad():
                node = a * b  # a value computed from the inputs that passes no gradient on
        else:
            node = rng.choice(pool)  # reuse: a node with many users
        pool.append(node)
    root = pool[-1]
    for node in rng.sample(pool, min(3, len(pool))):
        root = root + node
    return root


def test_the_backward_order_is_the_engines():
    # compile walks the graph on its own index arrays; grad() (and so the order in which shares
    # are added, on which the floats depend) walks the Values. The two orders must be the same.
    from autograd.backward import topological_order, toward
    from autograd.compiler import source, tracing

    for seed in range(300):
        rng = random.Random(seed)
        params = [Value(rng.uniform(-1, 1), label=f"p{k}") for k in range(rng.randrange(3))]

        graph_rng = random.Random(seed + 10_000)

        def fn(xs, rng=graph_rng, params=params):
            return _random_graph(rng, xs, params)

        trace = tracing._trace(fn, ([0.5, -0.25, 1.5, 2.0],), params, [""] * len(params), False, True)
        root = trace.nodes[trace.root]
        if not root.requires_grad:
            continue
        targets = set(trace.inputs_of([0])) | set(trace.param_slots)
        got = [trace.nodes[i] for i in source._backward_order(trace, targets)]
        expected = toward(topological_order(root), [trace.nodes[i] for i in targets])
        assert [id(v) for v in got] == [id(v) for v in expected], seed


def test_a_small_graph_is_cut_into_shorter_steps_that_give_the_same_numbers(monkeypatch):
    # steps are a quarter as long below a few thousand ops (less code to compile once), and full
    # length from 10,000: the numbers are the same either way, and the engine's
    from autograd.compiler import code

    def fn(x, w):
        y = x
        for k in range(400):
            y = (y * w[k % 3] + x).tanh()
        return y

    monkeypatch.setattr(Compiled, "_slow", no_replay)
    args = (0.5, [0.9, -1.1, 0.7])
    short = compile(fn, *args)
    monkeypatch.setattr(code, "_STEP_SHORTEST", 1.0)  # read where _Steps is
    full = compile(fn, *args)
    assert short.source.count("\ndef _step") > full.source.count("\ndef _step")
    assert same(short(0.3, [1.0, -0.5, 0.25]), eager(fn, 0.3, [1.0, -0.5, 0.25]))
    assert same(full(0.3, [1.0, -0.5, 0.25]), short(0.3, [1.0, -0.5, 0.25]))


def test_a_share_with_a_known_number_is_the_formula_run_on_symbols():
    # expressions._share_known fills a template made once per formula, numbers and precedences:
    # its source and depth must be those of the formula run on Symbols, every op, every slot
    from autograd.compiler import expressions
    from autograd.symbolic import ATOM, PRODUCT, SUM, UNARY, symbol

    numbers = [2.0, -1.5, 0.0, -0.0, 3.0, 0.5]
    exprs = [
        expressions._Expr(s, p, d)
        for s, p, d in [("a", ATOM, 0), ("b + c", SUM, 3), ("d * e", PRODUCT, 7), ("-f", UNARY, 1)]
    ]
    checked = 0
    for name, op in OPS.items():
        for slot, formula in enumerate(op.grads):
            for g in exprs:
                for out in exprs[:2]:
                    for k in range(op.arity):
                        for number in numbers:
                            for other in exprs:
                                inputs = tuple(number if j == k else other for j in range(op.arity))
                                try:
                                    e = symbol(
                                        formula(
                                            expressions._symbol(g),
                                            *(
                                                v if type(v) is not expressions._Expr else expressions._symbol(v)
                                                for v in inputs
                                            ),
                                            expressions._symbol(out),
                                        )
                                    )
                                except (ArithmeticError, ValueError):
                                    continue
                                got = expressions._share_known(formula, g, inputs, out)
                                assert (got.source, got.precedence, got.depth) == (e.source, e.precedence, e.depth), (
                                    name,
                                    slot,
                                    inputs,
                                )
                                checked += 1
    assert checked > 500


def test_the_collectors_full_passes_are_paused_while_fn_is_traced_and_restored_after():
    # a full pass would walk the whole graph traced so far at every pass; the young passes stay on
    before = gc.get_threshold()
    seen = []

    def traced(x):
        seen.append(gc.get_threshold())
        return x * 2.0

    def failing(x):
        seen.append(gc.get_threshold())
        raise KeyError("fn's own error")

    try:
        gc.set_threshold(500, 7, 9)
        compile(traced, 1.0)
        assert gc.get_threshold() == (500, 7, 9)
        with pytest.raises(KeyError):
            compile(failing, 1.0)
        assert gc.get_threshold() == (500, 7, 9)
        # two compiles overlapping (as two threads would): the one that paused the passes restores them
        from autograd.compiler.tracing import _full_collections_paused

        with _full_collections_paused():
            assert gc.get_threshold()[:2] == (500, 7)
            compile(traced, 1.0)
            assert gc.get_threshold()[2] == seen[-1][2]
        assert gc.get_threshold() == (500, 7, 9)
    finally:
        gc.set_threshold(*before)
    assert [t[:2] for t in seen] == [(500, 7)] * 3  # the young passes as they were
    assert all(t[2] > 10**6 for t in seen)  # the full passes out of reach
