"""Diagrams of Value graphs: draw_dot builds a graphviz.Digraph, render turns it into SVG, PNG or PDF.

Imported on first use only (``import autograd`` does not load it, nor graphviz, nor wasmtime).
"""

from __future__ import annotations

from .draw import DEFAULT_MAX_NODES, Diagram, draw_dot, graph_data
from .frames import backward_steps, write_steps
from .render import RenderError, backend_for, render

__all__ = [
    "DEFAULT_MAX_NODES",
    "Diagram",
    "RenderError",
    "backend_for",
    "backward_steps",
    "draw_dot",
    "graph_data",
    "render",
    "write_steps",
]


def _repr_svg(value: object) -> str | None:
    """SVG of ``value``'s graph for Jupyter, or None (so the text repr shows) if it cannot be drawn."""
    try:
        return render(draw_dot(value), "svg").decode("utf-8")
    except (RenderError, ValueError):
        return None
