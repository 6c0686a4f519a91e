"""Backward, step by step: the diagram after each node hands its gradient on, and a page to click through.

The gradients come from ``trace_backward``, the engine's own pass recorded: no derivative is
written here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..trace import trace_backward
from ..value import Value
from . import model as _model
from .draw import DEFAULT_MAX_NODES, Diagram, _roots, frame, number
from .render import render

MAX_FRAMES = 500


def backward_steps(root: Value, **draw_options: Any) -> Iterator[Diagram]:
    """The diagram of ``root``'s graph before backward, then after each node hands its gradient on.

    Frame 0 shows d root / d root = 1 and every other gradient as ``?`` (not reached yet); each
    later frame runs the chain rule at one more node, in backward's order, and outlines that
    node and the inputs it passed shares to. The last frame holds ``d root / d node`` for every
    node: what one ``backward()`` computes (leaves show this pass's gradient, not a sum with
    what they held). ``draw_options`` are ``draw_dot``'s. ``.grad`` of the graph is left as it was.
    """
    replay = _replay(root)
    return _frames(root, replay, draw_options)


def _replay(root: Value) -> list[tuple[Value, list[tuple[Value, float]]]]:
    """Each node of backward's pass, in order, with the gradient each of its inputs has after its step."""
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps expects a Value, got {root!r} ({type(root).__name__})")
    so_far: dict[Value, float] = {}
    record = []
    for step in trace_backward(root):
        shares = []
        for share in step.shares:
            total = so_far[share.input] + share.share if share.input in so_far else share.share
            so_far[share.input] = total
            shares.append((share.input, total))
        record.append((step.node, shares))
    return record


def _frames(
    root: Value, replay: list[tuple[Value, list[tuple[Value, float]]]], draw_options: dict[str, Any]
) -> Iterator[Diagram]:
    options = dict(draw_options)
    build_options = {key: options.pop(key) for key in ("params", "module", "max_nodes") if key in options}
    build_options.setdefault("max_nodes", DEFAULT_MAX_NODES)
    roots, module = _roots(root, build_options.pop("module", None))
    grads: dict[Value, float | None] = {root: 1.0}
    total = len(replay)

    def draw(focus_nodes: list[Value], caption: str) -> Diagram:
        model = _model.build(roots, module=module, grads=grads, **build_options)
        ids = {box.value: box.id for box in model.boxes if box.value is not None}
        return frame(model, options, [ids[n] for n in focus_nodes if n in ids], caption)

    name = _name(root)
    yield draw([root], f"step 0 of {total}: d {name} / d {name} = 1; nothing else is known yet")
    for k, (node, shares) in enumerate(replay, start=1):
        for child, grad in shares:
            grads[child] = grad
        inputs = ", ".join(_name(child) for child in node.children)
        caption = (
            f"step {k} of {total}: {_name(node)} = {node.op}({inputs}) passes its grad "
            f"{number(grads[node])} back to its input{'s' if len(node.children) > 1 else ''}"
        )
        yield draw([node, *(child for child, _ in shares)], caption)


def _name(node: Value) -> str:
    return node.label or number(node.data)


def write_steps(root: Value, directory: str | Path, **draw_options: Any) -> Path:
    """Write backward's steps into ``directory``: ``step-000.svg``, ``step-001.svg``, ... and one
    self-contained page, ``steps.html``, to click (or arrow-key) through them; returns its path.

    ``draw_options`` are ``draw_dot``'s. A graph whose backward takes more than 500 steps is
    refused (a ValueError): fold it with ``module=`` or draw a smaller one.
    """
    replay = _replay(root)
    if len(replay) + 1 > MAX_FRAMES:
        raise ValueError(
            f"backward through this graph takes {len(replay)} steps, too many frames to write "
            f"(at most {MAX_FRAMES - 1}): draw a smaller graph"
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(replay))))
    sections = []
    for k, diagram in enumerate(_frames(root, replay, draw_options)):
        svg = render(diagram, "svg").decode("utf-8")
        (directory / f"step-{k:0{width}d}.svg").write_text(svg, encoding="utf-8")
        hidden = "" if k == 0 else " hidden"
        sections.append(f'<section class="frame" id="step-{k}" data-step="{k}"{hidden}>\n{_inline(svg)}\n</section>')
    for stale in directory.glob("step-*.svg"):  # frames left from a longer graph drawn here before
        match = re.fullmatch(r"step-(\d+)\.svg", stale.name)
        if match and (int(match.group(1)) > len(replay) or len(match.group(1)) != width):
            stale.unlink()
    page = directory / "steps.html"
    title = f"Backward through {html.escape(_name(root))}, step by step"
    page.write_text(_PAGE.format(title=title, frames="\n".join(sections), last=len(sections) - 1), encoding="utf-8")
    return page


def _inline(svg: str) -> str:
    """An SVG document as an element to put in HTML: without its XML declaration and doctype."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1em 2em; }}
  nav {{ display: flex; gap: 1em; align-items: center; margin-bottom: .5em; }}
  button {{ font-size: 1em; padding: .3em 1em; }}
  .frame svg {{ max-width: 100%; height: auto; }}
  .hint {{ color: #666; font-size: .9em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<nav>
  <button id="previous" type="button" aria-label="previous step">&larr; previous</button>
  <span id="counter" aria-live="polite"></span>
  <button id="next" type="button" aria-label="next step">next &rarr;</button>
  <span class="hint">or use the arrow keys (Home, End for the first and last step)</span>
</nav>
{frames}
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var last = {last};
  var current = 0;
  function show(k) {{
    current = Math.max(0, Math.min(last, k));
    frames.forEach(function (f, i) {{ f.hidden = i !== current; }});
    document.getElementById("counter").textContent = "step " + current + " of " + last;
    document.getElementById("previous").disabled = current === 0;
    document.getElementById("next").disabled = current === last;
    if (location.hash !== "#step-" + current) history.replaceState(null, "", "#step-" + current);
  }}
  document.getElementById("previous").addEventListener("click", function () {{ show(current - 1); }});
  document.getElementById("next").addEventListener("click", function () {{ show(current + 1); }});
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowRight" || e.key === "ArrowDown" || e.key === "PageDown") show(current + 1);
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp" || e.key === "PageUp") show(current - 1);
    else if (e.key === "Home") show(0);
    else if (e.key === "End") show(last);
    else return;
    e.preventDefault();
  }});
  var start = /^#step-(\\d+)$/.exec(location.hash);
  show(start ? parseInt(start[1], 10) : 0);
}})();
</script>
</body>
</html>
"""
