"""The playground page in a real Chromium: what it computes as you type is what autograd.Value computes,
its presets, setValue, errors shown in the page, the URL hash, the command line, the size budget."""

import gzip
import math
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd import Value, userops
from autograd.expr import parse
from autograd.pages.playground import PRESETS, playground_page
from autograd.viz import model as viz_model
from autograd.viz.explorer import explorer_data

ROOT = Path(__file__).resolve().parent.parent
PAGE_BUDGET = 1_000_000  # bytes, gzipped
# The target is 100 ms from a key pressed to the new graph for 50 ops: measured and printed here (and by
# scripts/measure_pages.py), not asserted, since a shared machine's load decides it. The bound
# asserted only catches a page that has become pathologically slow.
KEYSTROKE_SANITY = 2000  # ms


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    return playground_page().save(tmp_path_factory.mktemp("playground") / "playground.html")


class Tab:
    """The page in its own context, recording console errors and every request that is not the file itself."""

    def __init__(self, browser, path, hash=""):
        self.context = browser.new_context(viewport={"width": 1100, "height": 800})
        self.page = self.context.new_page()
        self.errors, self.requests = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.split("#")[0] == path.as_uri() else self.requests.append(r.url))
        self.page.goto(path.as_uri() + hash)
        self.page.wait_for_function("() => window.autograd !== undefined", timeout=30_000)

    def state(self):
        return self.page.evaluate("window.autograd.state()")

    def call(self, name, *args):
        return self.page.evaluate(f"(args) => window.autograd.{name}(...args)", list(args))

    def close(self):
        self.context.close()
        assert self.errors == [], self.errors
        assert self.requests == [], self.requests


@pytest.fixture
def tab(browser, page_path):
    opened = []

    def open_tab(hash="", path=page_path):
        t = Tab(browser, path, hash)
        opened.append(t)
        return t

    yield open_tab
    for t in opened:
        t.close()


def python_graph(text, values, build=None):
    """The expression run by the Python engine, after backward: per box of draw_dot's walk, (label, op, data, grad)."""
    result = parse(text).evaluate(values)[0] if build is None else build()
    result.backward()
    return result, [(b.label, b.op, b.data, b.grad) for b in viz_model.build([result]).boxes]


def close(a, b, rel=1e-12):
    """a and b equal, numbers within ``rel`` (the page's Math may round an elementary function apart)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return a == b or math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)
    return a == b


def assert_same_as_python(t, text, values, build=None):
    """The page's graph after backward (its last step) and its explorer spec equal the Python engine's;
    ``build()`` makes the graph in Python where expr.parse cannot (an op of defop)."""
    state = t.state()
    assert state["error"] is None, state["error"]
    assert state["expression"] == text
    assert state["step"] == state["steps"] - 1  # a new expression shows the graph after backward
    _, boxes = python_graph(text, values, build)
    shown = [(n["label"], n["op"], n["data"], n["grad"]) for n in state["nodes"]]
    # constants have no gradient: the page shows none (null), Python's Value holds 0.0
    expected = [
        (label, op, data, None if grad == 0.0 and not op and not label else grad) for label, op, data, grad in boxes
    ]
    assert close(shown, expected), (shown, expected)
    result = parse(text).evaluate(values)[0] if build is None else build()
    spec = explorer_data(result)
    page_spec = t.call("spec")
    for key in ("root", "nodes", "steps"):
        assert close(page_spec[key], spec[key]), key


def test_typing_an_expression_shows_the_graph_the_python_engine_computes(tab):
    t = tab()
    box = t.page.locator(".pg-expr")
    box.fill("")
    text = "tanh(x*y + x) / (y - 3) + exp(-x) * x"
    box.press_sequentially(text)  # one key at a time: the page redraws on every one, errors between
    t.page.locator('.pg-value[data-name="x"]').fill("0.5")
    t.page.locator('.pg-value[data-name="y"]').fill("-1.25")
    assert_same_as_python(t, text, {"x": 0.5, "y": -1.25})
    # every node is drawn: its box in the SVG, with the data Python computed
    svg = t.call("svg")
    assert svg.count('class="node"') == 2 * len(t.state()["nodes"]) - sum(1 for n in t.state()["nodes"] if not n["op"])
    # the finite differences agree with the analytic gradient, and are shown beside it
    checks = t.state()["checks"]
    for name in ("x", "y"):
        assert math.isclose(checks[name]["numeric"], checks[name]["analytic"], rel_tol=1e-6)
    assert t.page.locator('tr[data-name="x"] .pg-check').text_content() == "\u2713"


def test_the_presets_are_the_lectures_numbers(tab):
    t = tab()
    names = t.call("presets")
    assert len(names) == len(PRESETS)
    # the lecture's neuron, chosen from the menu as a learner would
    t.page.locator(".pg-presets").select_option(index=2)
    neuron = PRESETS[1]
    assert t.state()["expression"] == neuron["expression"]
    assert_same_as_python(t, neuron["expression"], neuron["values"])
    nodes = {n["label"]: n for n in t.state()["nodes"]}
    assert math.isclose(t.state()["nodes"][-1]["data"], 0.7071067811865476, rel_tol=1e-12)
    assert math.isclose(nodes["x1"]["grad"], -1.5, rel_tol=1e-9) and math.isclose(
        nodes["w1"]["grad"], 1.0, rel_tol=1e-9
    )
    for k, preset in enumerate(PRESETS):
        answer = t.call("preset", k)
        if "naive" in preset["name"]:
            assert not answer["ok"] and "'exp' failed on 1000.0" in answer["error"], answer
            continue
        assert answer["ok"], (preset, answer)
        assert_same_as_python(t, preset["expression"], preset["values"])
    t.call("preset", 4)  # softmax cross-entropy, stable: log-sum-exp minus the larger logit
    assert t.state()["nodes"][-1]["data"] == 2000.0
    assert t.state()["checks"]["z1"]["analytic"] == 1.0 and t.state()["checks"]["z2"]["analytic"] == -1.0
    t.call("preset", 0)
    assert [n["grad"] for n in t.state()["nodes"] if n["label"]] == [6.0, -4.0, -2.0, 4.0]  # a, b, c, f


def test_set_value_and_the_slider_recompute(tab):
    t = tab()
    t.call("setExpression", "x*x + x")
    assert t.call("setValue", "x", 3.0) == {"ok": True, "error": None}
    assert_same_as_python(t, "x*x + x", {"x": 3.0})
    x = next(n for n in t.state()["nodes"] if n["label"] == "x")
    assert x["grad"] == 7.0  # 3 + 3 + 1
    assert t.page.locator('.pg-value[data-name="x"]').input_value() == "3.0"
    refused = t.call("setValue", "z", 1.0)
    assert not refused["ok"] and "'z' is not a variable" in refused["error"]
    assert not t.call("setValue", "x", float("inf"))["ok"]
    t.page.locator('.pg-range[data-name="x"]').fill("-2")  # the slider
    assert t.state()["values"] == {"x": -2.0}
    assert_same_as_python(t, "x*x + x", {"x": -2.0})


def test_errors_are_shown_in_the_page_never_thrown(tab):
    t = tab()
    error = t.page.locator(".pg-error")
    answer = t.call("setExpression", "a * (b +")
    assert not answer["ok"] and answer["error"].startswith("syntax error")
    assert error.is_visible() and "syntax error" in error.text_content()
    assert t.state()["error"] == answer["error"]
    answer = t.call("setExpression", "__import__('os')")
    assert not answer["ok"] and "__import__" in answer["error"]
    answer = t.call("setExpression", "log(x)")
    assert answer["ok"]
    answer = t.call("setValue", "x", -1.0)
    assert not answer["ok"] and "'log' failed on -1.0" in answer["error"] and "log needs x > 0" in answer["error"]
    assert error.is_visible() and "log needs x > 0" in error.text_content()
    with pytest.raises(Exception, match="'log' failed"):  # the same message as the Python engine's
        Value(-1.0).log()
    assert t.call("setValue", "x", 2.0)["ok"]
    assert not error.is_visible()
    assert not t.call("setExpression", "2 * 3")["ok"]  # no variable: no gradient to show, said so


def test_the_state_lives_in_the_url_hash(tab):
    t = tab()
    t.call("setExpression", "sin(a) * b")
    t.call("setValue", "a", 0.1)
    t.call("setValue", "b", -7.5)
    t.call("goto", 3)
    before = t.state()
    hash = t.page.evaluate("location.hash")
    assert "expr=" in hash and "step=3" in hash
    again = tab(hash)
    after = again.state()
    for key in ("expression", "values", "step", "steps", "caption", "nodes"):
        assert after[key] == before[key], key
    # a link changed by hand: the page follows it
    again.page.evaluate("location.hash = '#expr=x*2&v.x=5.0'")
    again.page.wait_for_function("() => window.autograd.state().expression === 'x*2'")
    assert again.state()["values"] == {"x": 5.0}


def test_the_explorer_steps_through_the_typed_graph(tab):
    t = tab()
    t.call("setExpression", "x*x")
    t.call("setValue", "x", 3.0)
    assert t.call("goto", 0) == 0 and t.state()["nodes"][0]["grad"] is None
    t.call("next")
    t.page.keyboard.press("End")
    assert t.state()["step"] == t.state()["steps"] - 1
    last = t.state()["caption"]
    assert "x.grad = 3 + 3 = 6" in last, last  # the node reached twice: its shares arriving and summing
    t.call("previous")
    assert t.state()["step"] == t.state()["steps"] - 2
    t.page.locator(".pg-expr").press("Home")  # keys typed in the expression box move its caret, not the step
    assert t.state()["step"] == t.state()["steps"] - 2


def fifty_ops():
    """An expression of 50 ops (17 tanh of a product, 16 sums) and the count of its inner nodes."""
    names = ["a", "b", "c", "d", "e"]
    terms = [f"tanh({names[k % 5]}*{names[(k + 2) % 5]})" for k in range(17)]
    text = " + ".join(terms)
    result, _ = parse(text).evaluate(dict.fromkeys(names, 0.5))
    return text, sum(1 for box in viz_model.build([result]).boxes if box.op)


def test_each_keystroke_redraws_a_50_op_graph(tab):
    t = tab()
    text, ops = fifty_ops()
    assert ops == 50
    t.call("setExpression", text + " * 1")
    t.page.locator(".pg-expr").click()
    t.page.keyboard.press("End")
    t.page.evaluate(
        """() => {
        const box = document.querySelector('.pg-expr');
        window.timings = [];
        box.addEventListener('keydown', () => { window.pressed = performance.now(); });
        box.addEventListener('input', () => {  // after the page's own handler: the graph is mounted
          const computed = performance.now() - window.pressed;
          requestAnimationFrame(() => setTimeout(() => {
            window.timings.push({computed, painted: performance.now() - window.pressed});
          }, 0));
        });
      }"""
    )
    for k in range(9):  # * 1, * 10, * 100, ...: a new graph each time
        t.page.keyboard.press("0")
        t.page.wait_for_function("(n) => window.timings.length === n", arg=k + 1)
    timings = t.page.evaluate("window.timings")
    state = t.state()
    assert state["error"] is None and state["expression"].endswith(" * 1000000000")
    assert sum(1 for n in state["nodes"] if n["op"]) == 51  # the 50 ops and the * 1000...
    computed = statistics.median(x["computed"] for x in timings)
    painted = statistics.median(x["painted"] for x in timings)
    print(f"\nkeystroke to new graph, 50 ops: median {computed:.1f} ms computed and mounted, {painted:.1f} ms painted")
    assert painted <= KEYSTROKE_SANITY, timings


def test_a_user_op_from_defop_carries_into_the_page(browser, tmp_path):
    cube = autograd.defop("cube", lambda x: x**3, lambda g, x, out: g * 3 * x * x)
    try:
        path = playground_page().save(tmp_path / "with_cube.html")
        values = {"x": 1.5, "y": -0.5}
        t = Tab(browser, path)
        try:
            assert t.call("setExpression", "cube(x) * y + cube(y)")["ok"]
            t.call("setValue", "x", 1.5)
            t.call("setValue", "y", -0.5)

            # the command line's parser knows the built-in functions only: the graph made by hand
            def build():
                x, y = Value(1.5, label="x"), Value(-0.5, label="y")
                return cube(x) * y + cube(y)

            assert_same_as_python(t, "cube(x) * y + cube(y)", values, build)
            assert any(n["op"] == "cube" for n in t.state()["nodes"])
        finally:
            t.close()
        assert cube(Value(2.0)).data == 8.0
    finally:
        userops._unregister("cube")
    text = playground_page().html
    assert '"cube"' not in text  # a page written without it refuses cube() as an unknown function


def test_the_page_is_self_contained_and_under_its_size_budget():
    html = playground_page().html
    assert "default-src 'none'" in html and "'wasm-unsafe-eval'" in html
    assert "http://" not in html.split("<script")[0] and "src=" not in html.split("<body>")[1].split("<script>")[0]
    raw, zipped = len(html.encode()), len(gzip.compress(html.encode(), compresslevel=9))
    print(f"\nplayground page: {raw:,} bytes, {zipped:,} gzipped")
    assert zipped < PAGE_BUDGET, zipped


def test_the_command_line_writes_the_page(tmp_path):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "playground", "-o", str(tmp_path / "p.html")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.html").read_text() == playground_page().html
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "playground"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0 and (tmp_path / "playground.html").exists()
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "playground", "-o", str(tmp_path / "no" / "p.html")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1 and "cannot write" in done.stderr and "No such file" in done.stderr
    page = autograd.viz.playground(tmp_path / "v.html")
    assert (tmp_path / "v.html").read_text() == page.html


# ------------------------------------------------------------------ the gradient's own graph, compile(), Python


def python_gradient_graph(text, values, wrt):
    """d out / d wrt by autograd.grad(create_graph=True), after its backward: its boxes and the second derivatives."""
    out, leaves = parse(text).evaluate(values)
    (g,) = autograd.grad(out, [leaves[wrt]], create_graph=True)
    g.backward()
    boxes = [(b.label, b.op, b.data, None if b.kind == "constant" else b.grad) for b in viz_model.build([g]).boxes]
    return boxes, {name: leaf.grad for name, leaf in leaves.items()}


def test_the_toggle_draws_the_gradients_own_graph_as_create_graph_builds_it(tab):
    t = tab()
    text, values = "tanh(x*y + x) / (y - 3) + exp(-x) * x", {"x": 0.5, "y": -1.25}
    assert t.call("setExpression", text)["ok"]
    for name, v in values.items():
        t.page.locator(f'.pg-value[data-name="{name}"]').fill(str(v))
    plain = len(t.state()["nodes"])
    assert t.page.locator(".pg-mode").is_hidden()
    t.page.locator(".pg-gradgraph").check()  # by a click: d out / d x, the first variable
    state = t.state()
    assert state["gradientGraph"] == "x" and state["error"] is None
    boxes, second = python_gradient_graph(text, values, "x")
    shown = [(n["label"], n["op"], n["data"], n["grad"]) for n in state["nodes"]]
    assert len(shown) > plain and any(n["label"] == "seed" for n in state["nodes"])
    assert close(shown, boxes), (shown, boxes)  # every node's number, and after its backward every grad
    assert close(state["second"], second)  # d2 out / dx dv: the second derivatives, Python's
    assert "create_graph=True" in t.page.locator(".pg-mode").text_content()
    assert "grad=x" in t.page.evaluate("location.hash")
    cell = t.page.locator('tr[data-name="y"] .pg-second').text_content()
    assert cell.startswith("d\u00b2/dx dy = ")
    t.page.locator(".pg-wrt").select_option("y")  # another variable, by the select
    boxes, second = python_gradient_graph(text, values, "y")
    state = t.state()
    assert state["gradientGraph"] == "y"
    assert close([(n["label"], n["op"], n["data"], n["grad"]) for n in state["nodes"]], boxes)
    assert close(state["second"], second)
    # the explorer steps through the gradient graph's backward by keys, as through any graph
    t.page.locator(".ag-view").focus()  # out of the controls, where keys edit
    t.page.keyboard.press("Home")
    assert t.state()["step"] == 0
    t.page.keyboard.press("ArrowRight")
    assert t.state()["step"] == 1
    # a link reproduces it; unticking shows the expression's graph again
    link = t.page.evaluate("location.hash")
    again = tab(link)
    assert again.state()["gradientGraph"] == "y" and close(again.state()["second"], second)
    t.page.locator(".pg-gradgraph").uncheck()
    assert t.state()["gradientGraph"] is None and len(t.state()["nodes"]) == plain
    assert t.page.locator(".pg-mode").is_hidden()


def test_a_gradient_that_is_the_seed_itself_is_shown_as_a_leaf(tab):
    t = tab()
    assert t.call("setExpression", "a + b")["ok"]
    assert t.call("setGradientGraph", "a")["ok"]
    state = t.state()
    assert [(n["label"], n["data"]) for n in state["nodes"]] == [("seed", 1.0)]  # d(a + b)/da is g itself
    assert state["second"] == {"a": 0.0, "b": 0.0}
    assert t.call("setGradientGraph", "z")["ok"] is False


def python_code(text, values):
    """What autograd.compile writes for the expression as a function ``expression`` of its variables."""
    names = ", ".join(parse(text).names)
    namespace = {}
    exec(f"def expression({names}):\n    return _f({names})\n", {"_f": parse(text).function()}, namespace)
    return autograd.compile(namespace["expression"], *values.values()).source


def test_the_code_beside_the_diagram_is_what_compile_writes(tab):
    t = tab()
    for k, preset in enumerate(PRESETS):
        t.call("preset", k)
        state = t.state()
        if state["error"] is not None:
            continue  # the naive softmax overflows: no code to show
        expected = python_code(preset["expression"], preset["values"])
        assert state["code"] == expected, preset["name"]
        assert t.page.locator(".pg-code-text").text_content() == expected
    # typed: the code follows the expression, and the checkbox hides and shows it
    t.page.locator(".pg-expr").fill("x*x + x")
    assert t.page.locator(".pg-code-text").text_content() == python_code("x*x + x", {"x": t.state()["values"]["x"]})
    t.page.locator(".pg-showcode").uncheck()
    assert t.page.locator(".pg-code").is_hidden()
    t.page.locator(".pg-showcode").check()
    assert t.page.locator(".pg-code").is_visible()


def run_snippet(snippet):
    done = subprocess.run(
        [sys.executable, "-c", snippet],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_copy_as_python_gives_a_snippet_that_prints_the_pages_numbers(tab):
    t = tab()
    t.context.grant_permissions(["clipboard-read", "clipboard-write"])
    text = "tanh(x1*w1 + x2*w2 + b) * 2**x1 - abs(-x2) + (1 - 3) * sqrt(4)"
    assert t.call("setExpression", text)["ok"]
    for name, v in {"x1": 2.0, "x2": -0.5, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}.items():
        t.call("setValue", name, v)
    t.page.locator(".pg-wrt").select_option("w1")
    t.page.locator(".pg-gradgraph").check()
    t.page.locator(".pg-copy").click()
    t.page.wait_for_function("() => document.querySelector('.pg-copied').textContent.startsWith('copied')")
    snippet = t.page.evaluate("navigator.clipboard.readText()")
    assert snippet == t.call("python")
    assert "def expression(x1, w1, x2, w2, b):" in snippet
    assert "(x1 * w1 + x2 * w2 + b).tanh() * 2.0 ** x1" in snippet  # Python on Values, not the CLI's grammar
    printed = run_snippet(snippet)
    state = t.state()
    lines = dict(line.split(" = ", 1) for line in printed.splitlines() if " = " in line and line.startswith("d"))
    assert close(float(printed.split("out = ", 1)[1].split("\n")[0]), state["result"])
    for name, check in state["checks"].items():
        assert close(float(lines[f"d out / d {name}"]), check["analytic"]), name
        assert close(float(lines[f"d2 out / d w1 d {name}"]), state["second"][name]), name
    assert printed.rstrip("\n").endswith(state["code"].rstrip("\n"))  # compile()'s code, as the page shows it


def test_copy_as_python_keeps_the_graph_for_awkward_expressions(tab):
    t = tab()
    awkward = [
        "-x ** 2 + (-x) ** 2 - -x",
        "x - (y - x) / (x / y) ** -y",
        "+x * 2 / 3 ** 2",
        "relu(x).exp() - sign(tanh(1))",
    ]
    for text in awkward:
        assert t.call("setExpression", text)["ok"], text
        state = t.state()
        printed = run_snippet(t.call("python"))
        out = float(printed.split("out = ", 1)[1].split("\n")[0])
        assert close(out, state["result"]) and close(out, state["nodes"][-1]["data"]), text
        assert printed.rstrip("\n").endswith(state["code"].rstrip("\n")), text
