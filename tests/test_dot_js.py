"""The pages' DOT writer (js/dot.js) writes, for a graph, the very DOT text that draw_dot writes."""

import contextlib

import pytest
from expressions import evaluate
from nodejs import BUILD_TREE, Node, needs_node

from autograd import OperationError, Value
from autograd.engine import apply
from autograd.pages import jsgen
from autograd.viz import draw_dot
from autograd.viz import model as viz_model
from autograd.viz.draw import frame

pytestmark = needs_node

HANDLER = (
    r"""
const E = globalThis.autogradEngine;
"""
    + BUILD_TREE
    + r"""

// A graph given node by node (model.walk's order), to draw the very numbers Python drew.
function rebuild(graph) {
  const nodes = [];
  for (const n of graph) {
    const node = new E.Value(n.data, n.label, n.requiresGrad);
    node.grad = n.grad;
    node.op = n.op;
    node.x = n.children.length > 0 ? nodes[n.children[0]] : null;
    node.y = n.children.length > 1 ? nodes[n.children[1]] : null;
    nodes.push(node);
  }
  return nodes;
}

function handle(request) {
  if (request.graph) {
    const nodes = rebuild(request.graph);
    const options = Object.assign({}, request.options);
    options.params = request.params.map((i) => nodes[i]);
    return { dot: E.drawDot(nodes[nodes.length - 1], options) };
  }
  const xs = request.point.map((p, i) => new E.Value(p, request.labels[i] || ""));
  let out;
  try {
    out = build(request.tree, xs);
  } catch (error) {
    return { error: error.message };
  }
  if (typeof out === "number") out = new E.Value(out, "", false);
  if (request.backward) {
    try {
      E.backward(out);
    } catch (error) {
      if (!(error instanceof E.OperationError)) throw error;
    }
  }
  const options = Object.assign({}, request.options);
  options.params = (request.params || []).map((i) => xs[i]);
  if (request.grads) {
    const order = E.buildModel([out], { maxNodes: null }).boxes.map((box) => box.value);
    options.grads = new Map(request.grads.map(([i, g]) => [order[i], g]));
  }
  return { dot: E.drawDot(out, options) };
}
"""
)

CAMEL = {"show_grad": "showGrad", "max_nodes": "maxNodes", "color_by_grad": "colorByGrad"}


@pytest.fixture(scope="module")
def node():
    with Node(jsgen.engine_js() + jsgen.dot_js() + HANDLER) as session:
        yield session


def _build(tree, xs):
    """The tree on the engine's Values ``xs``."""
    return evaluate(tree, xs, apply)


def python_dot(tree, point, labels, options, params=(), backward=True, grads=None):
    xs = [Value(p, label=label) for p, label in zip(point, labels)]
    try:
        out = _build(tree, xs)
    except OperationError as error:
        return {"error": str(error).split("\n")[0]}
    if not isinstance(out, Value):
        out = Value(out, requires_grad=False)
    if backward:
        with contextlib.suppress(OperationError, ValueError):
            out.backward()
    if grads is None:
        return {"dot": draw_dot(out, params=[xs[i] for i in params], **options).source}
    order = viz_model.walk([out])
    build_options = {k: options.pop(k) for k in ("max_nodes",) if k in options}
    build_options.setdefault("max_nodes", 300)
    focus, caption = options.pop("focus", ()), options.pop("caption", "")
    built = viz_model.build(
        [out], grads={order[i]: g for i, g in grads}, params=[xs[i] for i in params], **build_options
    )
    return {"dot": frame(built, options, focus, caption).source}


def js_dot(node, tree, point, labels, options, params=(), backward=True, grads=None):
    camel = {CAMEL.get(k, k): v for k, v in options.items()}
    request = {"tree": tree, "point": point, "labels": labels, "options": camel, "params": list(params)}
    request.update(backward=backward, grads=grads)
    return node.ask(request)


def same_dot(node, tree, point, labels=("a", "b", "c"), options=None, **kw):
    options = options or {}
    js = js_dot(node, tree, point, list(labels), dict(options), **kw)
    py = python_dot(tree, point, list(labels), dict(options), **kw)
    assert js == py
    return py.get("dot", "")


X, Y, Z = ("input", 0), ("input", 1), ("input", 2)
README = ("+", ("*", X, Y), ("/", ("**", ("tanh", X), ("const", 2.0)), ("+", ("const", 1.0), ("exp", Y))))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"show_grad": False},
        {"rankdir": "TB"},
        {"rankdir": "BT", "digits": 17},
        {"digits": 1},
        {"color_by_grad": True},
        {"highlight": True},
        {"highlight": True, "color_by_grad": True, "rankdir": "RL"},
        {"legend": True},
        {"highlight": True, "legend": False},
        {"max_nodes": 4},
        {"max_nodes": 1, "highlight": True, "color_by_grad": True},
    ],
)
def test_the_readme_expression_gives_draw_dots_text_with_each_option(node, options):
    dot = same_dot(node, README, [2.0, -3.0], options=options, params=[0])
    assert dot.startswith("digraph autograd {")


@pytest.mark.parametrize(
    "labels",
    [
        ("", "", ""),
        ('say "hi"', "x{1}|<y>", "back\\slash"),
        ("it's", "π", "tab\there"),
        ("node", "graph", "-1.5"),
        ("new\nline", "a:b", "é"),
    ],
)
def test_labels_are_escaped_and_quoted_as_the_graphviz_package_does(node, labels):
    same_dot(node, ("*", ("+", X, Y), ("sin", Z)), [0.5, -2.0, 1e-7], labels=labels)


@pytest.mark.parametrize(
    ("tree", "point"),
    [
        (("*", X, X), [3.0]),
        (("sign", X), [0.0]),
        (("+", ("const", 2.0), ("const", 3.0)), []),
        (("sqrt", X), [0.0]),  # backward fails: the gradients shown are those left after the error
        (("*", X, ("const", 12.125)), [1e16]),  # a tie at the 4th digit, and %g's exponent form
        (("-", X, ("const", 0.0)), [-0.0]),
        (("max", X, Y), [1e-5, 123456789.0]),
    ],
)
def test_numbers_and_corner_graphs_give_the_same_text(node, tree, point):
    same_dot(node, tree, point, labels=["x", "y"][: len(point)])
    same_dot(node, tree, point, labels=["x", "y"][: len(point)], backward=False)


def test_a_backward_step_frame_with_grads_not_reached_yet_focus_and_caption(node):
    # as the step pages draw one: grads {walk index: grad or None}, the step's node first in focus
    grads = [[0, None], [1, 2.5], [2, None], [3, 1.0]]
    options = {"focus": ["v3", "v1"], "caption": 'step 1 of 3: "y" = x * 2 {passes} its grad', "highlight": True}
    same_dot(node, ("*", ("tanh", X), ("const", 2.0)), [0.3], labels=["x"], options=options, grads=grads)


def test_a_long_sum_folds_beyond_max_nodes_with_counts_on_the_folded_edges(node):
    tree = X
    for k in range(60):
        tree = ("+", tree, ("*", ("input", k % 3), ("const", float(k))))
    dot = same_dot(node, tree, [1.0, 2.0, 3.0], options={"max_nodes": 40})
    assert "more nodes not shown" in dot


try:
    from expressions import points, trees
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:
    pass
else:
    drawing_options = st.fixed_dictionaries(
        {},
        optional={
            "show_grad": st.booleans(),
            "color_by_grad": st.booleans(),
            "highlight": st.booleans(),
            "digits": st.integers(1, 17),
            "max_nodes": st.integers(1, 12),
            "rankdir": st.sampled_from(["LR", "TB"]),
        },
    )

    @settings(max_examples=300, deadline=None)
    @given(trees, points, drawing_options, st.booleans())
    def test_random_graphs_give_draw_dots_text(node, tree, point, options, backward):
        # the graph Python built, given to the JavaScript node by node: the same numbers drawn
        # (the page's engine computes them too, but may differ in a last bit where Math does)
        xs = [Value(p, label=label) for p, label in zip(point, "abc")]
        try:
            out = _build(tree, xs)
        except OperationError:
            return
        if not isinstance(out, Value):
            out = Value(out, requires_grad=False)
        if backward:
            with contextlib.suppress(OperationError, ValueError):  # ValueError: a constant
                out.backward()
        index, graph = graph_of(out)
        params = [index[xs[1]]] if xs[1] in index else []
        camel = {CAMEL.get(k, k): v for k, v in options.items()}
        js = node.ask({"graph": graph, "options": camel, "params": params})
        assert js == {"dot": draw_dot(out, params=[xs[1]], **options).source}


def graph_of(out):
    """``out``'s graph node by node, in model.walk's order, for the handler to rebuild."""
    order = viz_model.walk([out])
    index = {n: i for i, n in enumerate(order)}
    return index, [
        {
            "data": n.data,
            "grad": n.grad,
            "op": n.op,
            "label": n.label,
            "requiresGrad": n.requires_grad,
            "children": [index[c] for c in n.children],
        }
        for n in order
    ]


@pytest.mark.parametrize("grad", [0.08483428982440712, 0.6105402296585327])
def test_colours_round_half_to_even_as_python_does(node, grad):
    # |grad| / largest puts these exactly half way between two colours: Python's round() picks
    # the even one, where JavaScript's Math.round would go up
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    out = a + b
    a.grad, b.grad, out.grad = 1.0, grad, 1.0
    _, graph = graph_of(out)
    js = node.ask({"graph": graph, "options": {"colorByGrad": True}, "params": []})
    assert js == {"dot": draw_dot(out, color_by_grad=True).source}
