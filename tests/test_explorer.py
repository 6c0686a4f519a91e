"""The explorer: its data (all from trace_backward), its page (self-contained), the page in a real
Chromium (captions, stepping, pan and zoom, folds, colours, the URL), Jupyter through nbclient."""

import hashlib
import importlib.util
import json
import math
import re
from pathlib import Path

import pytest

from autograd import OperationError, Value, trace_backward
from autograd.nn import MLP
from autograd.ops import OPS
from autograd.viz import draw_dot, explore, write_steps
from autograd.viz.draw import number
from autograd.viz.explorer import MAX_STEPS, explorer_data

ROOT = Path(__file__).resolve().parent.parent
MINUS = "\u2212"


def neuron():
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), where n = 0.8814 and o = 0.7071."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def square_plus():
    """y = x*x + x at x = 3: x is reached three times, and x.grad = 1 + 3 + 3 = 7."""
    x = Value(3.0, label="x")
    y = x * x + x
    y.label = "y"
    return y


def lecture_mlp(samples=1):
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=1)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]][:samples]
    ys = [1.0, -1.0, -1.0, 1.0][:samples]
    loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
    loss.label = "loss"
    return model, loss


def spec_of(page):
    """The JSON a page carries, read back as the page's script reads it."""
    text = re.search(r'<script type="application/json" id="ag-data">(.*?)</script>', page.html, re.S).group(1)
    return json.loads(text)


def leaves_of(root):
    seen, stack, leaves = {root}, [root], []
    while stack:
        node = stack.pop()
        if not node.children:
            leaves.append(node)
        for child in node.children:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return [leaf for leaf in leaves if leaf.requires_grad]


# ----------------------------------------------------------------------------- the data


def test_the_steps_are_trace_backward_with_the_running_sums_of_each_input():
    y = square_plus()
    data = explorer_data(y)
    ids = {node["label"]: node["id"] for node in data["nodes"] if node["label"]}
    trace = trace_backward(y)
    assert [step["node"] for step in data["steps"]] == [ids["y"], data["steps"][1]["node"]]
    assert [step["grad"] for step in data["steps"]] == [step.grad for step in trace]
    into_x = [share for step in data["steps"] for share in step["shares"] if share["input"] == ids["x"]]
    assert [share["share"] for share in into_x] == [1.0, 3.0, 3.0]
    assert [share["total"] for share in into_x] == [1.0, 4.0, 7.0]
    assert [share["again"] for share in into_x] == [8.0, 11.0, 14.0]  # a second pass adds onto the first's 7
    assert all(share["formula"] for step in data["steps"] for share in step["shares"])


def test_every_number_the_page_shows_is_the_engines_bit_for_bit():
    model, loss = lecture_mlp(samples=2)
    data = explorer_data(loss, module=model)
    shares = {}
    for step in data["steps"]:
        for share in step["shares"]:
            shares[share["input"]] = share  # the last share to reach each input holds its sum
    ids = {value: f"v{i}" for i, value in enumerate(_walk(loss))}
    leaves = leaves_of(loss)
    for leaf in leaves:
        leaf.grad = 0.0
    loss.backward()
    for leaf in leaves:
        assert shares[ids[leaf]]["total"] == leaf.grad  # ==: not approximately
    loss.backward()
    for leaf in leaves:
        assert shares[ids[leaf]]["again"] == leaf.grad  # what a second backward() leaves, exactly
    by_id = {node["id"]: node for node in data["nodes"]}
    for value, value_id in ids.items():
        assert by_id[value_id]["data"] == value.data


def _walk(root):
    from autograd.viz.model import walk

    return walk([root])


def test_the_explorer_changes_no_gradient():
    o = neuron()
    leaves = leaves_of(o)
    for k, leaf in enumerate(leaves):
        leaf.grad = float(k)
    explore(o)
    assert [leaf.grad for leaf in leaves] == [float(k) for k in range(len(leaves))]


def test_a_constant_root_and_an_infinite_gradient_are_refused_as_backward_refuses_them():
    with pytest.raises(ValueError, match="constant"):
        explore(Value(2.0, requires_grad=False) * 3)
    x = Value(0.0, label="x")
    with pytest.raises(OperationError, match="'sqrt'"):
        explore(x.sqrt() + x)


def test_unknown_options_and_graphs_too_long_to_step_through_are_refused():
    with pytest.raises(TypeError, match="'colour'"):
        explore(square_plus(), colour=True)
    x = Value(1.0, label="x")
    y = x
    for _ in range(MAX_STEPS + 1):
        y = y + 1.0
    with pytest.raises(ValueError, match=f"{MAX_STEPS + 1:,} steps"):
        explore(y)


def test_a_neuron_folds_with_its_activation_whatever_it_is():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    loss = (model([Value(0.5, label="a"), Value(-1.0, label="b")]) - 1.0) ** 2
    source = draw_dot(loss, module=model).source
    assert re.search(r"_op \[label=\S+", source)  # the output's own ops are drawn
    assert not re.search(r"_op \[label=tanh\b", source)  # but no neuron's tanh is left outside its box


def test_a_modules_neurons_fold_into_boxes_each_with_a_view_that_opens_it():
    model, loss = lecture_mlp()
    data = explorer_data(loss, module=model)
    labels = sorted(group["label"] for group in data["groups"].values())
    assert labels == [f"layers.{i}.neurons.{j}" for i, n in ((0, 4), (1, 4), (2, 1)) for j in range(n)]
    assert set(data["views"]) == {"", *data["groups"]}
    folded = data["views"][""]["boxOf"]
    for key, group in data["groups"].items():
        assert all(folded[member] == key for member in group["members"])
        assert all(member not in data["views"][key]["boxOf"] for member in group["members"])  # open there
        assert f'id="cluster_{key}"' in data["views"][key]["svg"]
    first = data["views"][""]["svg"]
    assert first.count('class="node"') < 60 < len(data["nodes"])  # folded, the diagram is small


def test_an_l2_term_over_the_parameters_stays_out_of_the_neurons_boxes():
    # the running sum of p * p also depends on all of a neuron's parameters, after its output:
    # folded into the neuron, it made the box's own view fail in Graphviz ("lost edge")
    model = MLP(2, [3, 3, 1], seed=0)
    score = model([0.5, -0.3])
    loss = (1 - score).relu() + 1e-3 * sum(p * p for p in model.parameters())
    data = explorer_data(loss, module=model)
    assert set(data["views"]) == {"", *data["groups"]}  # every box opens
    nodes = {node["id"]: node for node in data["nodes"]}
    params = {node["id"] for node in nodes.values() if node["kind"] == "parameter"}
    for group in data["groups"].values():
        for member in group["members"]:
            inputs = nodes[member]["inputs"]
            assert not (len(inputs) == 2 and inputs[0] == inputs[1] and inputs[0] in params), group["label"]
    assert len(data["groups"]) == 7


def test_a_module_given_as_root_is_run_on_named_inputs():
    model = MLP(2, [2, 1], seed=0)
    data = explorer_data(model)
    assert {"x0", "x1"} <= {node["label"] for node in data["nodes"]}
    assert data["groups"]


def test_the_page_is_one_self_contained_file(tmp_path):
    page = explore(neuron(), tmp_path / "neuron.html")
    text = (tmp_path / "neuron.html").read_text()
    assert text == page.html
    assert "<script src" not in text and "<link" not in text and "<img" not in text and "@import" not in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    assert "default-src 'none'" in text  # the browser itself refuses any request the page would make
    assert text.count("<svg") == 1 and "Panzoom 4.6.2" in text
    assert page.size == len(text.encode())


def test_the_notebook_display_is_the_page_in_an_iframe_srcdoc():
    page = explore(square_plus())
    shown = page._repr_html_()
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)".*></iframe>', shown, re.S).group(1)
    import html

    assert html.unescape(srcdoc) == page.html


def test_write_steps_writes_the_explorer_page(tmp_path):
    path = write_steps(neuron(), tmp_path / "steps", rankdir="TB")
    assert path == tmp_path / "steps" / "steps.html"
    assert sorted(p.name for p in (tmp_path / "steps").iterdir()) == ["steps.html"]
    assert "AutogradExplorer.mount" in path.read_text()


def test_the_vendored_pan_and_zoom_library_is_the_pinned_version():
    spec = importlib.util.spec_from_file_location("vendor_explorer", ROOT / "scripts" / "vendor_explorer.py")
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    for name, package in vendor.PACKAGES.items():
        for target, pinned in package["files"].values():
            data = (ROOT / "autograd" / "pages" / "vendor" / name / target).read_bytes()
            assert hashlib.sha256(data).hexdigest() == pinned, f"{name}/{target} is not {package['version']}"
        assert package["version"] in (ROOT / "autograd" / "pages" / "vendor" / name / "VERSION").read_text()


def test_a_bare_value_shows_its_diagram_in_jupyter_only_for_a_small_graph():
    from autograd import viz

    small = square_plus()
    assert viz._repr_svg(small).lstrip().startswith("<?xml")
    shown = small._repr_html_()
    assert shown.count("<svg") == 1 and "Value(data=12.0" in shown  # the number, then the diagram
    assert not hasattr(small, "_repr_svg_")  # so a notebook stores the diagram once
    x = Value(1.0, label="x")
    big = x
    for _ in range(viz.REPR_MAX_BOXES):
        big = big * 1.0  # a constant and a product each time
    assert big._repr_html_() is None and viz._repr_svg(big) is None  # so Jupyter shows the text, with the number


def test_the_readme_explorer_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## The explorer") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(code, namespace)
    assert (tmp_path / "neuron.html").read_text() == namespace["page"].html
    assert (ROOT / "docs" / "explorer.png").stat().st_size < 150_000  # the screenshot the section shows


# ----------------------------------------------------------------------------- in a real browser


class Tab:
    """One page in its own context, recording console errors and every request that is not the file itself."""

    def __init__(self, browser, path, hash="", width=1100, height=760, scale=1):
        self.context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
        self.page = self.context.new_page()
        self.errors, self.requests = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.split("#")[0] == path.as_uri() else self.requests.append(r.url))
        self.page.goto(path.as_uri() + hash)
        self.page.wait_for_function("() => window.autograd !== undefined")

    def state(self):
        return self.page.evaluate("window.autograd.state()")

    def caption(self):
        return self.state()["caption"]

    def settle(self):
        self.page.wait_for_timeout(350)  # pans are animated for 250 ms

    def close(self):
        self.context.close()
        assert self.errors == [], self.errors
        assert self.requests == [], self.requests


@pytest.fixture
def tab(browser, tmp_path):
    opened = []

    def open_tab(page, name="page.html", **options):
        path = page.save(tmp_path / name)
        t = Tab(browser, path, **options)
        opened.append(t)
        return t

    yield open_tab
    for t in opened:
        t.close()


def test_tanh_states_the_chain_rule_with_its_formula_and_numbers(tab):
    t = tab(explore(neuron()))
    assert t.state()["step"] == 0
    forward = len([n for n in t.state()["nodes"] if n["op"]])
    for _ in range(forward + 2):  # the forward pass, backward's start, then o's step
        t.page.keyboard.press("ArrowRight")
    caption = t.caption()
    assert "o = tanh(n) passes its gradient back" in caption
    assert "local = d o/d n = 1 − out² = 1 − 0.7071² = 0.5" in caption
    assert "share = upstream × local = 1 × 0.5 = 0.5" in caption
    assert "in the formula g * (1 − out * out), out is o = 0.7071" in caption
    assert "n.grad = 0.5" in caption
    assert t.state()["focus"] == t.state()["focusBox"]  # the step's node is outlined
    grads = {n["label"]: n["grad"] for n in t.state()["nodes"] if n["label"]}
    o = neuron()
    o.backward()
    assert grads["o"] == 1.0 and grads["n"] == o.children[0].grad and grads["x1"] is None  # x1: not reached yet


def test_a_node_reached_three_times_shows_its_shares_arriving_and_summing(tab):
    t = tab(explore(square_plus()))
    t.page.click("button.ag-last")
    caption = t.caption()
    assert "x.grad = 1 + 3 = 4 so far" in caption
    assert "x.grad = 1 + 3 + 3 = 7 (all 3 shares have arrived)" in caption
    assert "local = d t1/d x = y = 3" in caption and "local = d t1/d x = x = 3" in caption
    t.page.click("button.ag-previous")
    assert "x.grad = 1 so far" in t.caption()


def test_run_backward_again_shows_leaves_accumulating(tab):
    y = square_plus()
    t = tab(explore(y))
    t.page.click("button.ag-again")
    assert t.state()["pass"] == 2
    assert "leaves keep what they hold (x.grad = 7)" in t.caption()
    grads = {n["label"]: n["grad"] for n in t.state()["nodes"] if n["label"]}
    assert grads["x"] == 7.0 and grads["y"] == 1.0
    t.page.keyboard.press("End")
    assert "x.grad = 7 held + 1 + 3 + 3 = 14 (a leaf adds each pass to what it holds)" in t.caption()
    x = y.children[1]
    y.backward()
    y.backward()
    assert {n["label"]: n["grad"] for n in t.state()["nodes"]}["x"] == x.grad == 14.0


def test_the_forward_pass_comes_first_one_node_at_a_time(tab):
    t = tab(explore(neuron()))
    nodes = {n["label"]: n for n in t.state()["nodes"]}
    assert nodes["x1"]["data"] == 2.0 and nodes["o"]["data"] is None and nodes["n"]["data"] is None
    t.page.click("button.ag-next")
    assert "t1 = x1 × w1 = 2 × (−3) = −6" in t.caption()
    t.page.keyboard.press("End")
    t.page.keyboard.press("Home")
    assert t.state()["step"] == 0
    page_nodes = t.page.evaluate("Array.from(document.querySelectorAll('g.node text')).map(e => e.textContent)")
    assert "data ?" in page_nodes and "grad ?" in page_nodes


def test_the_last_step_shows_the_graph_after_backward(tab):
    o = neuron()
    t = tab(explore(o))
    t.page.keyboard.press("End")
    state = t.state()
    assert state["step"] == state["steps"] - 1
    o.backward()
    by_label = {n.label: n.grad for n in [o, *o.children, *leaves_of(o)] if n.label}
    for node in state["nodes"]:
        if node["label"] in by_label:
            assert node["grad"] == by_label[node["label"]], node
    texts = t.page.evaluate("Array.from(document.querySelectorAll('g.node text')).map(e => e.textContent)")
    assert f"grad {number(leaves_of(o)[0].grad)}" in texts
    assert "grad ?" not in texts


def test_the_step_lives_in_the_url(tab):
    t = tab(explore(neuron()), hash="#step-9")
    assert t.state()["step"] == 9
    t.page.keyboard.press("ArrowLeft")
    assert t.page.evaluate("location.hash") == "#step-8"
    t.page.evaluate("location.hash = '#step-3'")
    t.page.wait_for_function("() => window.autograd.state().step === 3")
    steps = t.state()["steps"]
    second = tab(explore(square_plus()), name="again.html", hash="#step-8")  # past the first pass: pass 2
    assert second.state()["step"] == 8 and second.state()["pass"] == 2
    assert steps > 9


def test_play_pause_and_speed(tab):
    t = tab(explore(neuron()))
    t.page.select_option("select.ag-speed", "8")
    t.page.keyboard.press("Space")
    assert t.state()["playing"]
    t.page.wait_for_timeout(600)
    t.page.keyboard.press("Space")
    reached = t.state()["step"]
    assert not t.state()["playing"] and reached >= 3
    t.page.wait_for_timeout(400)
    assert t.state()["step"] == reached  # paused
    t.page.click("button.ag-play")
    t.page.wait_for_function("() => window.autograd.state().step === window.autograd.state().steps - 1", timeout=5000)
    t.page.wait_for_timeout(300)
    assert not t.state()["playing"]  # stops at the end


def chain(length):
    x = Value(0.5, label="x")
    y = x
    for k in range(length):
        y = (y * 1.01).tanh() if k % 2 else y + 0.25
    y.label = "y"
    return y


def focus_inside_view(t):
    return t.page.evaluate(
        """() => {
        const id = window.autograd.state().focusBox;
        const box = document.getElementById(id).getBoundingClientRect();
        const view = document.querySelector('.ag-view').getBoundingClientRect();
        return box.left >= view.left && box.right <= view.right && box.top >= view.top && box.bottom <= view.bottom;
    }"""
    )


def test_a_long_graph_keeps_its_natural_size_and_the_focus_in_view(tab):
    t = tab(explore(chain(40)))
    assert t.page.evaluate("window.autograd.view().scale") == 1
    width = t.page.evaluate("document.querySelector('.ag-canvas svg').getBoundingClientRect().width")
    assert width > t.page.evaluate("document.querySelector('.ag-view').clientWidth") * 2  # not squeezed to fit
    forward = len([n for n in t.state()["nodes"] if n["op"]])
    for k in (forward // 2, forward, forward + 1, t.state()["steps"] - 1):
        t.page.evaluate(f"window.autograd.goto({k})")
        t.settle()
        assert focus_inside_view(t), k


def test_browser_zoom_enlarges_the_diagram(browser, tmp_path):
    page = explore(chain(12))
    path = page.save(tmp_path / "zoom.html")
    sizes = {}
    for scale in (1, 2):  # 200% browser zoom: half the CSS pixels across, each drawn twice as large
        t = Tab(browser, path, width=1200 // scale, height=800 // scale, scale=scale)
        sizes[scale] = t.page.evaluate("document.getElementById('v0').getBoundingClientRect().width")
        wide = t.page.evaluate("document.querySelector('.ag-canvas svg').getBoundingClientRect().width")
        assert wide > 1200 // scale  # wider than the view: a page that fits it to the width would shrink it
        shot = t.page.screenshot()
        (tmp_path / f"zoom-{scale}.png").write_bytes(shot)
        t.close()
    assert sizes[1] == sizes[2]  # the same CSS size, so twice the device pixels at 200%


def test_wheel_drag_and_buttons_pan_and_zoom(tab):
    t = tab(explore(chain(30)))
    view = t.page.locator(".ag-view").bounding_box()
    centre = (view["x"] + view["width"] / 2, view["y"] + view["height"] / 2)
    t.page.mouse.move(*centre)
    t.page.mouse.wheel(0, -300)
    t.settle()
    assert t.page.evaluate("window.autograd.view().scale") > 1
    before = t.page.evaluate("window.autograd.view().pan")
    t.page.mouse.down()
    t.page.mouse.move(centre[0] - 150, centre[1] + 40, steps=5)
    t.page.mouse.up()
    after = t.page.evaluate("window.autograd.view().pan")
    assert after["x"] < before["x"] and after["y"] > before["y"]
    t.page.click("button.ag-fit")
    t.settle()
    inside = t.page.evaluate(
        """() => {
        const svg = document.querySelector('.ag-canvas svg').getBoundingClientRect();
        const view = document.querySelector('.ag-view').getBoundingClientRect();
        return svg.left >= view.left - 1 && svg.right <= view.right + 1 && svg.top >= view.top - 1
            && svg.bottom <= view.bottom + 1;
    }"""
    )
    assert inside and t.page.evaluate("window.autograd.view().scale") < 1
    fitted = t.page.evaluate("window.autograd.view()")
    fitted_picture = t.page.locator(".ag-view").screenshot()
    t.page.click("button.ag-actual")
    t.settle()
    assert t.page.evaluate("window.autograd.view().scale") == 1
    assert t.page.locator(".ag-view").screenshot() != fitted_picture
    scale = t.page.evaluate("window.autograd.view().scale")
    t.page.click("button.ag-zoom-in")
    t.settle()
    assert t.page.evaluate("window.autograd.view().scale") > scale
    t.page.keyboard.press("-")
    t.page.keyboard.press("-")
    t.settle()
    assert t.page.evaluate("window.autograd.view().scale") < scale
    t.page.keyboard.press("0")
    t.settle()
    assert t.page.evaluate("window.autograd.view()") == fitted  # fit is fit, whichever way it was reached


def test_a_step_inside_a_folded_neuron_highlights_its_box_and_a_click_opens_it(tab):
    model, loss = lecture_mlp()
    t = tab(explore(loss, module=model))
    forward = len([n for n in t.state()["nodes"] if n["op"]])
    t.page.evaluate(f"window.autograd.goto({forward + 2 + 5})")  # a few steps into backward
    state = t.state()
    group = state["focusBox"]
    assert group.startswith("n") and state["focus"] != group  # the step's node is folded away
    assert re.search(r"^inside layers\.\d\.neurons\.\d \(neuron: \d inputs, tanh\), folded: click", state["caption"])
    assert t.page.evaluate(f"document.getElementById('{group}').classList.contains('ag-focus')")
    t.settle()
    t.page.click(f"g#{group}")
    t.settle()
    state = t.state()
    assert state["view"] == group and state["focusBox"] == state["focus"]  # now the node itself is drawn
    assert ", folded" not in state["caption"].splitlines()[0]
    assert focus_inside_view(t)
    t.page.click("button.ag-fold")
    t.settle()
    assert t.state()["view"] == "" and t.page.is_hidden("button.ag-fold")
    t.page.click(f"g#{group}")
    assert t.state()["view"] == group
    frame = f"document.querySelector('#cluster_{group} > text')"
    t.page.evaluate(f"{frame}.dispatchEvent(new MouseEvent('click', {{bubbles: true}}))")
    assert t.state()["view"] == ""  # a click on the open box's frame folds it too


def test_colour_by_grad_is_a_symmetric_log_scale_locked_for_the_pass(tab):
    t = tab(explore(neuron(), color_by_grad=True))
    assert t.page.is_checked("input.ag-colour") and t.page.is_visible(".ag-key")

    def fills():
        return t.page.evaluate(
            """() => Object.fromEntries(Array.from(document.querySelectorAll('g.node'))
                .filter(g => /^v\\d+$/.test(g.id)).map(g => [g.id, g.querySelector('polygon').getAttribute('fill')]))"""
        )

    t.page.keyboard.press("End")
    last = fills()
    grads = {n["id"]: n["grad"] for n in t.state()["nodes"]}
    positive = [i for i, g in grads.items() if g and g > 0]
    negative = [i for i, g in grads.items() if g and g < 0]
    zero = [i for i, g in grads.items() if g == 0]
    assert positive and negative and zero
    assert all(last[i] == "#ffffff" for i in zero)

    def rgb(text):
        return [int(text[k : k + 2], 16) for k in (1, 3, 5)]

    assert all(rgb(last[i])[0] > rgb(last[i])[2] for i in positive)  # red
    assert all(rgb(last[i])[2] > rgb(last[i])[0] for i in negative)  # blue
    magnitudes = {number(abs(g), 3) for g in grads.values() if g}
    assert len({last[i] for i in positive + negative}) >= len(magnitudes)  # not all one dark red
    root = t.state()["nodes"][-1]["id"]
    t.page.evaluate(f"window.autograd.goto({t.state()['steps'] - 5})")
    assert fills()[root] == last[root]  # the scale does not move between steps
    coloured = t.page.screenshot()
    t.page.click("input.ag-colour")
    assert not t.page.is_visible(".ag-key")
    assert set(fills().values()) <= {"#ffffff", "white", "none"}
    assert t.page.screenshot() != coloured


def test_the_explorer_and_draw_dot_paint_a_gradient_the_same_colour(tab):
    # one scale: draw_dot(color_by_grad=True) after backward fills each box as the explorer's last step does
    root = neuron()
    t = tab(explore(root, color_by_grad=True))
    t.page.keyboard.press("End")
    shown = t.page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('g.node'))
            .filter(g => /^v\\d+$/.test(g.id)).map(g => [g.id, g.querySelector('polygon').getAttribute('fill')]))"""
    )
    root.backward()
    source = draw_dot(root, color_by_grad=True).source
    drawn = dict(re.findall(r"\t(v\d+) \[[^\]]*fillcolor=\"(#[0-9a-f]{6})\"", source))
    constants = {n["id"] for n in t.state()["nodes"] if not n["op"] and not n["label"]}
    assert drawn and set(drawn) - constants <= set(shown)
    assert {i: drawn[i] for i in drawn if i not in constants} == {i: shown[i] for i in drawn if i not in constants}
    # a neuron's boxes no longer all the same dark red: as many colours as distinct gradients
    grads = {round(b.grad, 9) for b in _model_boxes(root) if b.grad}
    assert len({c for i, c in drawn.items() if i not in constants} - {"#ffffff"}) == len(grads)


def _model_boxes(root):
    from autograd.viz import model

    return [b for b in model.build([root]).boxes if b.kind != "constant"]


def test_numbers_read_as_python_writes_them(tab):
    t = tab(explore(neuron()))
    cases = [0.5, -3.0, 1.0625, 0.0625, 2.5, 1e-5, -1.23456e-7, 123456.0, 12345.0, 9999.5, 0.1 + 0.2]
    cases += [6.8813735870195432, 0.70710678118654746, -0.49999999999999983]
    cases += [math.pi * 10**k for k in range(-6, 8)] + [1 / 3, 2 / 3, -0.0, 5e-324, 1.7976931348623157e308]
    shown = t.page.evaluate(f"{json.dumps(cases)}.map(x => AutogradPages.format(x, 4))")
    assert shown == [number(x) for x in cases]


def op_graphs():
    """One small graph per op of the table, each input a leaf with a label."""
    points = {"log": 2.0, "sqrt": 2.0, "**": 1.5}
    for name in sorted(OPS):
        arity = len(OPS[name].grads)
        x = Value(points.get(name, 0.7), label="p")
        inputs = [x] if arity == 1 else [x, Value(1.3, label="q")]
        from autograd.engine import apply

        yield name, apply(name, *inputs) * 1.0


def test_every_formula_of_the_table_is_written_out_in_the_caption(browser, tmp_path):
    for k, (name, root) in enumerate(op_graphs()):
        t = Tab(browser, explore(root).save(tmp_path / f"op-{k}.html"))
        t.page.keyboard.press("End")
        caption = t.caption()
        t.close()
        assert re.search(r"local = d t\d/d p = ", caption), (name, caption)
        assert "(formula:" not in caption, (name, caption)  # the parser read it


def test_the_command_lines_steps_page_is_the_explorer(browser, tmp_path, capsys):
    from autograd.cli import main

    assert main(["graph", "x*x + x", "--set", "x=3", "--steps", str(tmp_path / "steps")]) == 0
    t = Tab(browser, tmp_path / "steps" / "steps.html")
    t.page.keyboard.press("End")
    assert "x.grad = 1 + 3 + 3 = 7 (all 3 shares have arrived)" in t.caption()
    t.close()


# ----------------------------------------------------------------------------- Jupyter


def test_the_explorer_displays_in_an_executed_notebook_and_keeps_working_exported(browser, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom autograd import Value\nfrom autograd.viz import explore",
        "x = Value(3.0, label='x')\ny = x * x + x\ny.label = 'y'\nexplore(y)",
        "y",
        "z = x\nfor _ in range(60):\n    z = z * 1.0\nz",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    explorer, small, big = (cell.outputs[-1]["data"] for cell in notebook.cells[1:])
    assert "<iframe srcdoc=" in explorer["text/html"]
    assert "image/svg+xml" not in small and small["text/html"].count("<svg") == 1  # the diagram stored once
    assert "Value(data=12.0" in small["text/plain"]
    assert set(big) == {"text/plain"} and big["text/plain"].startswith("Value(data=3.0")
    exported = tmp_path / "exported.html"  # what an exported notebook holds: the output's HTML, no kernel
    exported.write_text(f"<!DOCTYPE html><html><body>{explorer['text/html']}</body></html>")
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("request", lambda r: None if r.url.startswith(exported.as_uri()) else errors.append(r.url))
    page.goto(exported.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator("button.ag-last").click()
    inner = page.frames[1]
    caption = inner.evaluate("window.autograd.state().caption")
    assert "x.grad = 1 + 3 + 3 = 7" in caption
    context.close()
    assert errors == []


def test_a_variable_feeding_a_hundred_ops_is_drawn_again_near_its_uses_so_the_layout_stays_fast():
    # without the copies (model.spread_uses), Graphviz took minutes over the --steps page of a+a+...+a
    from autograd.expr import parse
    from autograd.viz import explore

    result, _ = parse("+".join(["a"] * 100)).evaluate({"a": 1.001})
    assert "_copy1" in explore(result).html  # the id of the first copy
