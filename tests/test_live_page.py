"""The live page's five views and its controls in Chromium, driven by clicks, keys and window.autograd,
against the numbers Python recorded: every frame's parameters (float32), the probe graph (exact),
the backward shares of any frame (the page's op-table JavaScript against trace_backward)."""

from __future__ import annotations

import math
import shutil
from array import array

import pytest

from autograd import trace_backward
from autograd.live import Live, make_moons
from autograd.nn import MLP, SGD
from autograd.viz.model import walk

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
STEPS = 8


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("no chromium to drive")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


def probe_trace(live):
    """The probe's backward as Python's engine takes it now: [(node id, grad, [(input id, slot, local, share)])]."""
    root = live._probe_root()
    ids = {node: f"v{i}" for i, node in enumerate(walk([root]))}
    return [
        (ids[s.node], s.grad, [(ids[h.input], h.slot, h.local, h.share) for h in s.shares])
        for s in trace_backward(root)
    ]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    X, y = make_moons(24, noise=0.1, seed=2)
    model = MLP(2, [4, 4, 1], seed=3)
    live = Live(model, X, y, optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9), probe=5, title="test run")
    traces = [probe_trace(live)]
    for k in range(STEPS):
        if k == 4:
            live.optimizer.lr = 0.05
            live.note("halfway")
        live.step()
        traces.append(probe_trace(live))
    path = live.save(tmp_path_factory.mktemp("live") / "live.html")
    return live, model, path, traces


class Page:
    def __init__(self, browser, url, viewport=(1400, 1000)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.errors, self.requests = [], []

        def route(r):
            if r.request.url.startswith("file:") or r.request.url.startswith("data:"):
                r.continue_()
            else:
                self.requests.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_function("() => window.autograd && window.autograd.state().frames > 0")

    def state(self):
        return self.page.evaluate("autograd.state()")

    def js(self, code):
        return self.page.evaluate(code)

    def close(self):
        assert self.errors == [] and self.requests == []
        self.context.close()


@pytest.fixture
def page(browser, run):
    p = Page(browser, run[2].as_uri())
    yield p
    p.close()


def f32(values):
    return array("f", values).tolist()


def frame_params(frame):
    return array("f", frame.params).tolist()


def test_every_frame_shows_the_recorded_parameters_loss_and_probe_graph(page, run):
    live, model, _, _ = run
    names = [name for name, _ in model.named_parameters()]
    for k in range(STEPS + 1):
        page.js(f"autograd.goto({k})")
        state = page.state()
        frame = live.frames[k]
        assert state["frame"] == k and state["step"] == frame.step and state["loss"] == frame.loss
        assert [state["params"][n] for n in names] == frame_params(frame)
        data = array("d", frame.probe_data).tolist()
        grad = array("d", frame.probe_grad).tolist()
        recorded = page.js("AutogradLive.views[0].probe.recorded")
        shown = {node["id"]: node for node in state["nodes"]}
        assert [shown[i]["data"] for i in recorded] == data  # exact: the engine's floats
        assert [shown[i]["grad"] for i in recorded] == grad


def test_each_frames_backward_shares_are_the_engines(page, run):
    traces = run[3]
    for k in range(STEPS + 1):
        page.js(f"autograd.goto({k})")
        steps = page.js(
            "AutogradLive.views[0].explorer.steps"
            ".map(s => [s.node, s.grad, s.shares.map(h => [h.input, h.slot, h.local, h.share])])"
        )
        expected = traces[k]
        assert len(steps) == len(expected)
        for (node, grad, shares), (enode, egrad, eshares) in zip(steps, expected):
            assert node == enode and grad == egrad
            for (i, slot, local, share), (ei, eslot, elocal, eshare) in zip(shares, eshares, strict=True):
                assert (i, slot) == (ei, eslot)
                assert local == pytest.approx(elocal, rel=1e-12, abs=1e-300)
                assert share == pytest.approx(eshare, rel=1e-12, abs=1e-300)


def test_the_controls_by_clicks(page, run):
    p = page.page
    p.click(".ag-live .ag-toolbar .ag-reset")
    assert page.state()["frame"] == 0
    p.click(".ag-live .ag-toolbar .ag-next")
    p.click(".ag-live .ag-toolbar .ag-next")
    assert page.state()["frame"] == 2
    p.click(".ag-live .ag-toolbar .ag-previous")
    assert page.state()["frame"] == 1
    p.click(".ag-live .ag-toolbar .ag-last")
    assert page.state()["frame"] == STEPS
    p.select_option(".ag-live .ag-toolbar .ag-speed", "60")
    assert page.state()["fps"] == 60
    p.click(".ag-live .ag-toolbar .ag-play")  # at the end: plays from the start
    p.wait_for_function(f"() => autograd.state().frame === {STEPS} && !autograd.state().playing", timeout=10000)
    p.select_option(".ag-live .ag-toolbar .ag-speed", "2")
    p.click(".ag-live .ag-toolbar .ag-play")
    assert page.state()["playing"] is True
    p.click(".ag-live .ag-toolbar .ag-play")
    assert page.state()["playing"] is False
    box = p.locator(".ag-scrub").bounding_box()
    p.mouse.click(box["x"] + box["width"] * 3 / STEPS, box["y"] + box["height"] / 2)  # scrub: a click on the bar
    assert abs(page.state()["frame"] - 3) <= 1
    p.locator(".ag-scrub").evaluate("(e) => { e.value = '6'; e.dispatchEvent(new Event('input')); }")
    assert page.state()["frame"] == 6


def test_the_controls_by_keys(page):
    p = page.page
    p.keyboard.press("Home")
    assert page.state()["frame"] == 0
    p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowLeft")
    assert page.state()["frame"] == 1
    p.keyboard.press("End")
    assert page.state()["frame"] == STEPS
    before = page.state()["backward"]
    p.keyboard.press("[")
    p.keyboard.press("[")
    after = page.state()["backward"]
    assert after["step"] == before["step"] - 2 and after["caption"] != before["caption"]
    p.keyboard.press("]")
    assert page.state()["backward"]["step"] == before["step"] - 1
    p.keyboard.press("g")
    assert page.state()["edges"] == "grads"
    p.keyboard.press("u")
    assert page.state()["edges"] == "update"
    p.keyboard.press("w")
    assert page.state()["edges"] == "weights"
    page.js("autograd.setSpeed(2)")
    p.keyboard.press(" ")
    assert page.state()["playing"] is True
    p.keyboard.press(" ")
    assert page.state()["playing"] is False


def test_window_autograd_goto_next_previous_play_pause(page):
    assert page.js("autograd.goto(2)") == 2
    assert page.js("autograd.next()") == 3
    assert page.js("autograd.previous()") == 2
    assert page.js("autograd.goto(99)") == STEPS
    assert page.js("autograd.goto(-5)") == 0
    page.js("autograd.setSpeed(60); autograd.play()")
    page.page.wait_for_function(f"() => autograd.state().frame === {STEPS}", timeout=10000)
    page.js("autograd.pause()")
    assert page.state()["playing"] is False


def test_the_backward_of_a_frame_is_stepped_through_by_the_explorers_buttons(page):
    page.js("autograd.goto(4)")
    total = page.state()["backward"]["steps"]
    page.page.click(".ag-graph .ag-first")
    assert page.state()["backward"]["step"] == 0
    page.page.click(".ag-graph .ag-next")
    state = page.state()
    assert state["backward"]["step"] == 1 and "forward 1 of" in state["backward"]["caption"]
    # a new frame keeps the place in the backward pass; its numbers are the new frame's
    page.js("autograd.goto(5)")
    assert page.state()["backward"]["step"] == 1
    page.page.click(".ag-graph .ag-last")
    assert page.state()["backward"]["step"] == total - 1


def test_the_network_edges_switch_and_hovering_shows_formulas_with_this_frames_numbers(page, run):
    live, model, _, _ = run
    p = page.page
    p.click("label[for=ag-edges-grads]")
    assert page.state()["edges"] == "grads"
    assert "gradients" in p.inner_text(".ag-net-key")
    p.click("label[for=ag-edges-update]")
    assert page.state()["edges"] == "update"
    p.click("label[for=ag-edges-weights]")
    page.js(f"autograd.goto({STEPS})")
    layout = page.js("autograd.layout()")
    at = layout["neurons"]["n1.2"]
    p.mouse.move(at["x"], at["y"])
    tip = page.state()["tip"]
    assert tip.startswith("layers.1.neurons.2") and "relu(" in tip
    out = page.state()["neurons"][page.js("AutogradLive.views[0].spec.forward.neurons.indexOf('n1.2')")]
    probe_x = live.X[live.probe]
    h = [max(0.0, sum(w.data * x for w, x in zip(n.w, probe_x)) + n.b.data) for n in model.layers[0].neurons]
    n12 = model.layers[1].neurons[2]
    python = max(0.0, sum(w.data * x for w, x in zip(n12.w, h)) + n12.b.data)
    assert out == pytest.approx(python, rel=1e-6)  # float32 parameters in the page
    assert "= " + page.js(f"AutogradPages.format({out}, 4)").replace("-", "\u2212") in tip
    # a weight: its name, value and gradient
    names = [name for name, _ in model.named_parameters()]
    edge = next(e for e in layout["edges"] if names[e["param"]] == "layers.2.neurons.0.w.1")
    p.mouse.move(edge["x"], edge["y"])
    tip = page.state()["tip"]
    assert tip.startswith("layers.2.neurons.0.w.1") and "d loss/d w" in tip and "last update" in tip
    p.mouse.move(1, 1)
    assert page.state()["tip"] == ""


def test_the_probe_point_drags_and_its_graph_is_recomputed_by_the_op_table(page, run):
    live, model, _, _ = run
    page.js(f"autograd.goto({STEPS})")  # the model's parameters now are this frame's, exactly
    layout = page.js("autograd.layout()")
    start = layout["probe"]
    target = page.js("autograd.toClient([0.2, 0.4])")
    p = page.page
    p.mouse.move(start["x"], start["y"])
    p.mouse.down()
    p.mouse.move((start["x"] + target["x"]) / 2, (start["y"] + target["y"]) / 2)
    p.mouse.move(target["x"], target["y"])
    p.mouse.up()
    state = page.state()
    x = state["whatIf"]
    assert x is not None and x == pytest.approx([0.2, 0.4], abs=0.02)
    assert "what-if" in state["caption"]
    root = live.loss([model(x)], [live.y[live.probe]])
    expected = {f"v{i}": node for i, node in enumerate(walk([root]))}
    saved = [p.grad for p in model.parameters()]
    model.zero_grad()
    root.backward()
    shown = {node["id"]: node for node in state["nodes"]}
    assert len(shown) == len(expected)
    for i, node in expected.items():
        assert shown[i]["data"] == pytest.approx(node.data, rel=1e-12, abs=1e-300)
        if node.requires_grad:
            assert shown[i]["grad"] == pytest.approx(node.grad, rel=1e-12, abs=1e-300)
    for p_, g in zip(model.parameters(), saved):
        p_.grad = g
    assert "probe=" in page.js("autograd.state().hash")
    p.click(".ag-live .ag-toolbar .ag-reset")
    assert page.state()["whatIf"] is None


def test_the_curves_jump_on_click_and_mark_the_events(page, run):
    live = run[0]
    layout = page.js("autograd.layout()")["curves"]
    events = [e for e in layout["events"]]
    marked = [k for k, f in enumerate(live.frames) if f.events]
    assert sorted({e["frame"] for e in events}) == marked
    p = page.page
    x = layout["left"] + (layout["right"] - layout["left"]) * 2 / STEPS
    p.mouse.click(x, (layout["top"] + layout["bottom"]) / 2)
    assert page.state()["frame"] == 2
    p.mouse.move(events[0]["x"], events[0]["y"])
    tip = page.state()["tip"]
    assert f"frame {events[0]['frame']}" in tip and ("halfway" in tip or "lr" in tip)


def test_the_parameter_table_sorts_and_draws_a_sparkline_each(page, run):
    live = run[0]
    p = page.page
    page.js(f"autograd.goto({STEPS})")
    values = frame_params(live.frames[STEPS])
    p.click(".ag-params .ag-head-row [data-key=value]")  # first click: largest first
    order = page.state()["order"]
    assert [values[i] for i in order] == sorted(values, reverse=True)
    p.click(".ag-params .ag-head-row [data-key=value]")
    assert [values[i] for i in page.state()["order"]] == sorted(values)
    assert "sort=value:up" in page.js("autograd.state().hash")
    p.click(".ag-params .ag-head-row [data-key=index]")
    assert page.state()["order"] == list(range(len(values)))
    first = p.locator(".ag-params .ag-rows .ag-row").first
    assert first.locator(".ag-col-value").inner_text().replace("\u2212", "-") == page.js(
        f"String(+({values[0]}).toPrecision(3))"
    )
    assert p.locator(".ag-params canvas.ag-spark").count() == len(values)
    momentum = p.locator(".ag-params .ag-head-row [data-key='state:momentum']")
    assert momentum.count() == 1


def test_each_frame_moves_the_sparkline_dot_over_a_line_drawn_once(page):
    # the line is kept in a canvas of the row's own; the dot is drawn on each frame
    sparks = "Array.from(document.querySelectorAll('.ag-params canvas.ag-spark')).slice(0, 5).map(c => c.toDataURL())"
    page.js("autograd.goto(0)")
    first = page.js(sparks)
    page.js(f"autograd.goto({STEPS})")
    last = page.js(sparks)
    assert all(a != b for a, b in zip(first, last))
    page.js("autograd.goto(0)")
    assert page.js(sparks) == first
    lines = page.js("AutogradLive.views[0].rows.filter(r => r.sparkLine).map(r => r.sparkLine.count)")
    assert lines and set(lines) == {STEPS + 1}


def test_a_resize_is_followed_by_the_canvases(page):
    # the panels' widths are kept between frames and forgotten when the page is resized
    width = "AutogradLive.views[0].curveCanvas.getBoundingClientRect().width"
    before = page.js(width)
    page.page.set_viewport_size({"width": 1000, "height": 1000})
    page.page.wait_for_function(f"() => Math.abs({width} - {before}) > 20")
    page.js("autograd.goto(1)")
    box = page.js("AutogradLive.views[0].curveCanvas.parentNode.clientWidth")
    assert abs(page.js(width) - max(200, box)) < 1
    net = page.js("AutogradLive.views[0].netCanvas.parentNode.clientWidth")
    assert page.js("AutogradLive.views[0].netLayout.W") == max(240, net)


def test_the_state_lives_in_the_url_hash(browser, run):
    path = run[2]
    p = Page(browser, path.as_uri() + "#frame=3&edges=grads&fps=30&sort=grad:down")
    try:
        state = p.state()
        assert state["frame"] == 3 and state["edges"] == "grads" and state["fps"] == 30
        assert state["sort"] == {"key": "grad", "dir": -1}
        p.js("autograd.goto(5)")
        p.page.wait_for_function("() => location.hash.indexOf('frame=5') >= 0", timeout=3000)
    finally:
        p.close()


def test_frames_arrive_by_post_message_and_are_shown(browser, run, tmp_path):
    X, y = make_moons(16, noise=0.1, seed=4)
    model = MLP(2, [3, 1], seed=1)
    live = Live(model, X, y)
    live.step()
    path = live.save(tmp_path / "small.html")
    p = Page(browser, path.as_uri())
    try:
        assert p.state()["frames"] == 2 and p.state()["frame"] == 1
        for _ in range(2):
            live.step()
            chunk = live.encode([live.frames[-1]])
            p.page.evaluate("chunk => window.postMessage({autograd: 'live-frame', frame: chunk}, '*')", chunk)
        p.page.wait_for_function("() => autograd.state().frames === 4 && autograd.state().frame === 3", timeout=5000)
        names = [name for name, _ in model.named_parameters()]
        state = p.state()
        assert [state["params"][n] for n in names] == frame_params(live.frames[3])
        assert state["loss"] == live.frames[3].loss
    finally:
        p.close()


@pytest.mark.parametrize("dim", [1, 3])
def test_inputs_of_other_dimensions_show_every_view_but_the_plane(browser, tmp_path, dim):
    import random

    rng = random.Random(dim)
    X = [[rng.uniform(-1, 1) for _ in range(dim)] for _ in range(20)]
    y = [1.0 if sum(x) > 0 else -1.0 for x in X]
    model = MLP(dim, [4, 1], seed=2)
    live = Live(model, X, y)
    for _ in range(3):
        live.step()
    p = Page(browser, live.save(tmp_path / f"d{dim}.html").as_uri())
    try:
        state = p.state()
        assert state["frames"] == 4
        note = p.page.inner_text(".ag-panel-data .ag-note")
        assert ("1-D input" in note) if dim == 1 else ("3-D input" in note)
        assert p.js("AutogradLive.views[0].gridOut") is None
        assert "output at the probe" in p.page.inner_text(".ag-net-key")
        x = live.X[live.probe]
        out = state["neurons"][-1]
        python = (
            sum(
                w.data * xi
                for w, xi in zip(
                    model.layers[1].neurons[0].w,
                    [max(0.0, sum(w.data * v for w, v in zip(n.w, x)) + n.b.data) for n in model.layers[0].neurons],
                )
            )
            + model.layers[1].neurons[0].b.data
        )
        assert out == pytest.approx(python, rel=1e-6)
        assert math.isfinite(out)
    finally:
        p.close()
