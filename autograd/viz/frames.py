"""Backward, step by step: the diagram after each node hands its gradient on, and the explorer page.

Every number comes from ``trace_backward``, the record of the pass ``backward()`` runs: no
derivative is taken here, and ``.grad`` is never touched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..trace import trace_backward
from ..value import Value
from . import model as _model
from .draw import DEFAULT_MAX_NODES, Diagram, _roots, frame, number
from .explorer import explore


def backward_steps(root: Value, **draw_options: Any) -> Iterator[Diagram]:
    """The diagram of ``root``'s graph before backward, then after each node hands its gradient on.

    Frame 0 shows d root / d root = 1 and every other gradient as ``?`` (not reached yet); each
    later frame is one step of ``trace_backward(root)``, outlining its node and the inputs it
    passed shares to, which show the sum of the shares that reached them so far. The last frame
    holds ``d root / d node`` for every node: what one ``backward()`` computes (leaves show this
    pass's gradient, not a sum with what they held). ``draw_options`` are ``draw_dot``'s.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps expects a Value, got {root!r} ({type(root).__name__})")
    trace = trace_backward(root)  # raises here, not at the first frame, as backward() would
    return _frames(root, trace, draw_options)


def _frames(root: Value, trace: list[Any], draw_options: dict[str, Any]) -> Iterator[Diagram]:
    options = dict(draw_options)
    build_options = {key: options.pop(key) for key in ("params", "module", "max_nodes") if key in options}
    build_options.setdefault("max_nodes", DEFAULT_MAX_NODES)
    roots, module = _roots(root, build_options.pop("module", None))
    grads: dict[Value, float | None] = {root: 1.0}
    total = len(trace)

    def draw(focus_nodes: list[Value], caption: str) -> Diagram:
        model = _model.build(roots, module=module, grads=grads, **build_options)
        ids = {box.value: box.id for box in model.boxes if box.value is not None}
        return frame(model, options, [ids[n] for n in focus_nodes if n in ids], caption)

    name = _name(root)
    yield draw([root], f"step 0 of {total}: d {name} / d {name} = 1; nothing else is known yet")
    for k, step in enumerate(trace, start=1):
        for share in step.shares:  # the shares that reach a node add up, in backward's order
            held = grads.get(share.input)
            grads[share.input] = share.share if held is None else held + share.share
        inputs = ", ".join(_name(child) for child in step.node.children)
        handed = "; ".join(f"{number(share.share)} to {_name(share.input)}" for share in step.shares)
        caption = (
            f"step {k} of {total}: {_name(step.node)} = {step.node.op}({inputs}) passes its grad "
            f"{number(step.grad)} back: {handed or 'no input needs it'}"
        )
        yield draw([step.node, *(share.input for share in step.shares)], caption)


def _name(node: Value) -> str:
    return node.label or number(node.data)


def write_steps(root: Value, directory: str | Path, **draw_options: Any) -> Path:
    """Write the explorer page of ``root`` (``autograd.viz.explore``) into ``directory`` as
    ``steps.html`` and return its path: forward, then backward, one node at a time, with the
    chain rule of each step. ``draw_options`` are ``draw_dot``'s."""
    page = explore(root, **draw_options)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "steps.html"
    # written whole beside it, then renamed over it: a symlink left there is replaced, not written through
    fd, temporary = tempfile.mkstemp(prefix=".steps-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(page.html)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target
