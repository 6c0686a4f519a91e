"""Diagrams of Value graphs: draw_dot builds a graphviz.Digraph, render turns it into SVG, PNG or PDF.

Imported on first use only (``import autograd`` does not load it, nor graphviz, nor wasmtime).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .draw import DEFAULT_MAX_NODES, Diagram, draw_dot, graph_data
from .explorer import explore
from .frames import backward_steps, write_steps
from .render import RenderError, backend_for, render

if TYPE_CHECKING:
    from ..pages import Page

__all__ = [
    "DEFAULT_MAX_NODES",
    "Diagram",
    "RenderError",
    "backend_for",
    "backward_steps",
    "draw_dot",
    "explore",
    "graph_data",
    "playground",
    "render",
    "write_steps",
]


def playground(path: str | os.PathLike[str] | None = None) -> Page:
    """The playground page (``autograd.pages.Page``): type an expression, see its graph and step through
    its backward pass, all computed in the page from the op table as it is now (ops from ``defop``
    included). With ``path``, it is also written there (``python -m autograd playground -o FILE``)."""
    from ..pages.playground import write_playground

    return write_playground(path)


REPR_MAX_BOXES = 50  # a bare Value in Jupyter shows its diagram up to this many Values, else its text


def _small(value: object) -> bool:
    """Whether ``value``'s graph has at most REPR_MAX_BOXES Values (constants too), walking no further."""
    from ..value import Value

    if not isinstance(value, Value):
        return False
    seen, stack = {value}, [value]
    while stack:  # iterative, and stopped early: a training loss may be a million nodes deep
        for child in stack.pop().children:
            if child not in seen:
                seen.add(child)
                if len(seen) > REPR_MAX_BOXES:
                    return False
                stack.append(child)
    return True


def _repr_svg(value: object) -> str | None:
    """SVG of ``value``'s graph for Jupyter when it is small (at most REPR_MAX_BOXES Values); else, or if
    it cannot be drawn, None, so that the text repr (which shows the number) is displayed instead."""
    if not _small(value):
        return None
    try:
        return render(draw_dot(value), "svg").decode("utf-8")
    except (RenderError, ValueError):
        return None


def _repr_html(value: object) -> str | None:
    """HTML of a Value for Jupyter: its repr, then its diagram, for a small graph; None (the text repr) otherwise."""
    import html

    svg = _repr_svg(value)
    if svg is None:
        return None
    start = svg.find("<svg")
    return f"<div><code>{html.escape(repr(value))}</code></div>\n<div>{svg[start:] if start >= 0 else svg}</div>"
