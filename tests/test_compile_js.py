"""The page's views of create_graph and of compile(), generated from the op table, run in Node against Python:
``gradWithGraph`` builds the graph of d out / d x that ``autograd.grad(create_graph=True)`` builds (every node's
number, and the second derivatives its backward gives), and ``compileSource`` writes the very text of
``autograd.compile(expression, *values).source``."""

import pytest
from expressions import evaluate
from nodejs import BUILD_TREE, MATH_ORACLE, Node, needs_node
from test_jsgen import assert_close, bits, oracle_for

import autograd
from autograd import OperationError, Value, userops
from autograd.engine import apply
from autograd.expr import parse
from autograd.ops import OPS, Op
from autograd.pages import jsgen
from autograd.viz import model as viz_model

pytestmark = needs_node

# Trees of tests/expressions.py on the page's engine; Math wrapped as in test_jsgen (every call
# recorded; with an oracle, Python's numbers returned instead), so that the graphs can be checked
# bit for bit. For each input i, a fresh graph: d out / d x_i with its graph, the boxes of that
# graph (label, op, data) and, after its backward, each box's grad and each input's (d2 out / dx_i dx_j).
HANDLER = (
    MATH_ORACLE
    + BUILD_TREE
    + r"""


function stage(name, run) {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof E.OperationError)) throw error;
    return { error: name };
  }
}

function handle(request) {
  calls = [];
  oracle = request.oracle || null;
  const answer = {};
  if (request.text !== undefined) {
    const ex = E.expr.parse(request.text);
    const ev = ex.evaluate(request.values);
    answer.source = E.compile.compileSource(ev.result, ex.names.map((n) => ev.leaves[n]), "expression");
    answer.calls = calls;
    return answer;
  }
  const leaves = () => request.point.map((p, i) => new E.Value(p, "x" + i));
  const first = stage("forward", () => build(request.tree, leaves()));
  if (first.error) return first;
  answer.second = request.point.map((_, i) =>
    stage("grad", () => {
      const xs = leaves();
      const out = build(request.tree, xs);
      const g = E.gradWithGraph(out, [xs[i]])[0];
      const boxes = E.buildModel([g], { maxNodes: null }).boxes;
      const shape = boxes.map((b) => [b.label, b.op, b.data]);
      return stage("backward", () => {
        E.backward(g);
        const grads = boxes.map((b) => (b.value.requiresGrad ? b.value.grad : null));
        return { boxes: shape, grads, d2: xs.map((x) => x.grad) };
      });
    })
  );
  if (request.compile) {
    const xs = leaves();
    const out = build(request.tree, xs);
    answer.source = out.requiresGrad ? E.compile.compileSource(out, xs, "expression") : null;
  }
  answer.calls = calls;
  return answer;
}
"""
)


@pytest.fixture(scope="module")
def node():
    with Node(jsgen.pages_js() + HANDLER) as session:
        yield session


def _build(tree, xs):
    """The tree on the engine's Values ``xs``."""
    return evaluate(tree, xs, apply)


def _stage(name, run):
    try:
        return run()
    except OperationError:
        return {"error": name}


def python_answer(tree, point, compile=False):
    """What the handler answers, by the Python engine: autograd.grad(create_graph=True) and compile()."""

    def leaves():
        return [Value(p, label=f"x{i}") for i, p in enumerate(point)]

    first = _stage("forward", lambda: _build(tree, leaves()))
    if isinstance(first, dict):
        return first

    def second(i):
        xs = leaves()
        g = autograd.grad(_build(tree, xs), [xs[i]], create_graph=True)[0]
        boxes = viz_model.build([g]).boxes

        def after():
            g.backward()
            return {
                "boxes": [[b.label, b.op, b.data] for b in boxes],
                "grads": [None if b.kind == "constant" else b.grad for b in viz_model.build([g]).boxes],
                "d2": [x.grad for x in xs],
            }

        return _stage("backward", after)

    answer = {"second": [_stage("grad", lambda i=i: second(i)) for i in range(len(point))]}
    if compile:
        xs = leaves()
        answer["source"] = None
        if _build(tree, xs).requires_grad:
            names = ", ".join(f"x{i}" for i in range(len(point)))
            namespace = {}
            source = f"def expression({names}):\n    return _build(tree, [{names}])\n"
            exec(source, {"_build": _build, "tree": tree}, namespace)
            answer["source"] = {"source": autograd.compile(namespace["expression"], *point).source}
    return answer


def check(node, tree, point, compile=True):
    """The page's gradient graphs and compiled code are Python's: bit for bit with Python's elementary
    functions in place of Math's, numbers to 1e-12 with Math's (compiled code: text equal)."""
    request = {"tree": tree, "point": point, "compile": compile}
    expected = python_answer(tree, point, compile)
    plain = node.ask(request)
    oracle = oracle_for(plain.get("calls", []))
    for _ in range(5):  # Python's number for one call can lead to calls on other numbers: until none is new
        same = node.ask({**request, "oracle": oracle})
        more = {**oracle, **oracle_for(same.get("calls", []))}
        if more == oracle:
            break
        oracle = more
    assert bits(same) == bits(expected), f"with Python's math: {same} != {expected}"
    plain.pop("source", None)  # a constant's literal may differ in its last digit with Math's
    expected.pop("source", None)
    assert_close(plain, expected)


X, Y, Z = ("input", 0), ("input", 1), ("input", 2)
C = lambda c: ("const", c)  # noqa: E731


@pytest.mark.parametrize(
    ("tree", "point"),
    [
        (("+", ("*", X, Y), ("/", ("**", ("tanh", X), C(2.0)), ("+", C(1.0), ("exp", Y)))), [2.0, -3.0]),
        (("*", X, X), [3.0]),
        (("+", ("*", X, X), X), [3.0]),
        (("tanh", ("+", ("+", ("*", X, Y), ("*", Z, C(1.0))), C(6.8813735870195432))), [2.0, -3.0, 0.0]),
        (("max", X, Y), [1.0, 1.0]),
        (("max", X, Y), [1.0, 2.0]),
        (("**", X, Y), [0.0, 0.0]),
        (("**", X, Y), [2.0, 0.5]),
        (("**", X, C(3.0)), [-3.0]),
        (("**", C(2.0), X), [1.5]),
        (("relu", ("neg", X)), [-1.0]),
        (("abs", ("sign", X)), [-0.0]),
        (("sigmoid", ("*", X, Y)), [0.5, -4.0]),
        (("-", ("sin", X), ("cos", ("*", X, Y))), [0.7, -1.3]),
        (("sqrt", ("log", X)), [2.5]),
        (("/", C(1.0), X), [0.0]),  # the forward fails: no gradient to build
        (("sqrt", X), [0.0]),  # d sqrt at 0 is infinite: grad raises, as in Python
        (X, [1.5]),
    ],
)
def test_gradient_graphs_and_compiled_code_are_pythons(node, tree, point):
    check(node, tree, point)


EXPRESSIONS = [
    ("(a*b + c) * f", {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}),
    ("tanh(x1*w1 + x2*w2 + b)", {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}),
    ("apple*count*tax", {"apple": 100.0, "count": 2.0, "tax": 1.1}),
    ("x*x", {"x": 3.0}),
    ("x*x + 2*x**2 - abs(x)/3 + x.relu()", {"x": 2.0}),
    ("log(exp(z1) + exp(z2)) - z2", {"z1": 1.0, "z2": -1.0}),
    ("sigmoid(a)/b**c - sqrt(a) + sin(b)*cos(a) - -a", {"a": 2.0, "b": 0.5, "c": 1.5}),
    ("2**x + x**y + x**0", {"x": 1.5, "y": 2.0}),
    ("x", {"x": 1.0}),
    ("sign(x) * x + relu(x - 1) / (1 + x*x)", {"x": 0.25}),
    ("((a + b) * (a - b)) ** 2 / (a * b)", {"a": 3.0, "b": -1.25}),
    ("len * type + sum", {"len": 1.0, "type": 2.0, "sum": 3.0}),  # names compile() reserves
    (" + ".join(f"x{i % 7} * x{(i * 3) % 7}" for i in range(40)), {f"x{i}": i / 4 + 0.5 for i in range(7)}),
    (" * ".join(["tanh(x)"] * 60) + " + x", {"x": 0.3}),  # long: cut where compile() cuts
]


def python_source(text, values):
    names = ", ".join(parse(text).names)
    namespace = {}
    exec(f"def expression({names}):\n    return _f({names})\n", {"_f": parse(text).function()}, namespace)
    return autograd.compile(namespace["expression"], *values.values()).source


@pytest.mark.parametrize(("text", "values"), EXPRESSIONS)
def test_the_page_writes_the_code_compile_writes_character_for_character(node, text, values):
    answer = node.ask({"text": text, "values": values})
    assert answer["source"]["source"] == python_source(text, values)


def test_a_graph_compile_cuts_into_steps_is_named_not_shown(node):
    tree = ("tanh", X)
    for k in range(300):
        tree = ("+", tree, ("tanh", ("*", X, C(float(k)))))
    answer = node.ask({"tree": tree, "point": [0.5], "compile": True})
    assert answer["source"]["source"] is None
    assert "steps" in answer["source"]["reason"]
    assert "calls of the" in python_answer(tree, [0.5], compile=True)["source"]["source"]  # Python cuts it indeed


def test_every_row_has_a_generic_form_and_the_compilers_tables():
    config = jsgen.compile_config()
    for name, op in OPS.items():
        assert [jsgen.generic_js(name, op, slot) for slot in range(op.arity)]
        assert len(config["templates"][name]) == op.arity


def test_a_formula_that_looks_at_numbers_has_no_generic_form():
    peek = Op(lambda x: x * 2.0, lambda g, x, out: g * (2.0 if x.data > 0 else 1.0))
    with pytest.raises(jsgen.JSFormError, match=r"'peek'.*no generic form"):
        jsgen.generic_js("peek", peek, 0)


def test_a_user_op_from_defop_carries_into_create_graph_and_compile():
    cube = autograd.defop("cube_js", lambda x: x**3, lambda g, x, out: g * 3 * x * x)
    try:
        script = jsgen.pages_js() + HANDLER
        with Node(script) as session:
            tree = ("+", ("cube_js", X), ("*", X, Y))
            check(session, tree, [1.5, -2.0])
        assert cube(Value(2.0)).data == 8.0
    finally:
        userops._unregister("cube_js")


try:
    from expressions import points, trees, uses_inputs
    from hypothesis import assume, given, settings
except ImportError:  # hypothesis is in the 'dev' extra
    pass
else:

    @settings(max_examples=150, deadline=None)
    @given(trees, points)
    def test_random_expressions_give_pythons_gradient_graphs_and_compiled_code(node, tree, point):
        assume(uses_inputs(tree))
        check(node, tree, point)
