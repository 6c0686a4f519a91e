"""Backward, step by step: the diagram after each node hands its gradient on, and a page to click through.

The gradients come from a replay of the engine's own pass (its topological order and the op
table's compiled steps) on the real nodes, whose ``.grad`` is put back at once: no derivative
is written here. ``write_steps`` lays the graph out once and draws every frame from that layout.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import steps
from ..engine import Value, topological_order
from ..errors import error_class
from . import model as _model
from .draw import (
    DEFAULT_MAX_NODES,
    Diagram,
    Element,
    Style,
    _draw,
    _roots,
    box_elements,
    edge_element,
    frame,
    largest_grad,
    legend_elements,
    number,
)
from .render import RenderError, render

MAX_FRAMES = 500

Replay = list[tuple[Value, list[tuple[Value, float]]]]


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
    """Each node of backward's pass, in order, with the ``.grad`` its inputs had after its step."""
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps expects a Value, got {root!r} ({type(root).__name__})")
    if not root.requires_grad:
        raise ValueError(f"backward_steps needs a Value that requires grad, but {root!r} is a constant")
    order = topological_order(root)
    held = [node.grad for node in order]
    record = []
    try:
        for node in order:
            node.grad = steps.PENDING  # "no share yet", as the engine's pass starts
        root.grad = 1.0
        for node in reversed(order):
            if node.children:
                try:  # checked steps: an infinite or undefined gradient raises, as backward() does
                    steps.CHECKED[node.op](node, node.grad)
                except (ValueError, ArithmeticError) as cause:
                    inputs = tuple(child.data for child in node.children)
                    shown = ", ".join(repr(x) for x in inputs)
                    message = f"the gradient of {node.op!r} at {shown} is not finite: {cause}"
                    raise error_class(cause)(message, node.op, inputs) from None
                shares = [(child, child.grad) for child in node.children if child.requires_grad]
                record.append((node, shares))
    finally:
        for node, grad in zip(order, held):
            node.grad = grad
    return record


def _frames(root: Value, replay: Replay, draw_options: dict[str, Any]) -> Iterator[Diagram]:
    options, build_options = _split_options(draw_options)
    roots, module = _roots(root, build_options.pop("module", None))
    grads: dict[Value, float | None] = {}
    for changes, focus_nodes, caption in _steps(root, replay):
        grads.update(changes)
        model = _model.spread_uses(_model.build(roots, module=module, grads=grads, **build_options))
        ids = _ids(model)
        yield frame(model, options, [ids[n] for n in focus_nodes if n in ids], caption)


def _split_options(draw_options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``draw_dot``'s options split into those of the drawing and those of the model."""
    options = dict(draw_options)
    build_options = {key: options.pop(key) for key in ("params", "module", "max_nodes") if key in options}
    build_options.setdefault("max_nodes", DEFAULT_MAX_NODES)
    return options, build_options


def _ids(model: _model.Model) -> dict[Value, str]:
    """The id of each Value's own box (not of its copies)."""
    return {box.value: box.id for box in model.boxes if box.value is not None and not box.copy_of}


def _steps(root: Value, replay: Replay) -> Iterator[tuple[dict[Value, float], list[Value], str]]:
    """Per frame: the gradients it sets, the nodes it outlines (the one that acts first), its caption."""
    total = len(replay)
    name = _name(root)
    yield {root: 1.0}, [root], f"step 0 of {total}: d {name} / d {name} = 1; nothing else is known yet"
    grads: dict[Value, float] = {root: 1.0}
    for k, (node, shares) in enumerate(replay, start=1):
        changes = dict(shares)
        grads.update(changes)
        inputs = ", ".join(_name(child) for child in node.children)
        caption = (
            f"step {k} of {total}: {_name(node)} = {node.op}({inputs}) passes its grad "
            f"{number(grads[node])} back to its input{'s' if len(node.children) > 1 else ''}"
        )
        yield changes, [node, *(child for child, _ in shares)], caption


def _name(node: Value) -> str:
    """How a caption names a node: its label on one line, else its value."""
    return " ".join(_model.label_of(node).split()) or number(node.data)


def write_steps(root: Value, directory: str | Path, **draw_options: Any) -> Path:
    """Write backward's steps into ``directory``: ``step-000.svg``, ``step-001.svg``, ... and one
    self-contained page, ``steps.html``, to click (or arrow-key) through them; returns its path.

    ``draw_options`` are ``draw_dot``'s. All frames share one layout, made once: boxes stay in
    place from step to step, and a graph of hundreds of nodes takes seconds. A graph whose
    backward takes more than 500 steps is refused (a ValueError): fold it with ``module=`` or
    draw a smaller one. Each file is written whole, through a temporary file beside it.
    """
    replay = _replay(root)
    if len(replay) + 1 > MAX_FRAMES:
        raise ValueError(
            f"backward through this graph takes {len(replay)} steps, too many frames to write "
            f"(at most {MAX_FRAMES - 1}): draw a smaller graph"
        )
    film = _Film(root, replay, draw_options)  # laid out before any file is written
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(replay))))
    for k, svg in enumerate(film.svgs()):
        _write_file(directory / f"step-{k:0{width}d}.svg", svg)
    for stale in directory.glob("step-*.svg"):  # frames left from a longer graph drawn here before
        match = re.fullmatch(r"step-(\d+)\.svg", stale.name)
        if match and (int(match.group(1)) > len(replay) or len(match.group(1)) != width):
            stale.unlink()
    page = directory / "steps.html"
    title = html.escape(f"Backward through {_name(root)}, step by step")
    # "<" escaped, so that no "</script>" or "<!--" in the SVG text can end the script early
    data = json.dumps(film.page_data(), separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
    _write_file(page, _PAGE.format(title=title, svg=_inline("".join(film.parts)), data=data))
    return page


def _write_file(path: Path, text: str) -> None:
    """Write ``path`` whole through a temporary file beside it: never half a file, and never into
    what the name pointed at before (a symlink or a FIFO left in the folder is replaced, not followed)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".autograd-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; give it a new file's usual mode
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _inline(svg: str) -> str:
    """An SVG document as an element to put in HTML: without its XML declaration and doctype."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


# ----------------------------------------------------------------------------- frames from one layout

# Graphviz's time grows fast with a graph's size, and the frames of a walk-through differ only in
# numbers, colours and outlines, never in which boxes there are. So the graph is laid out once,
# each box as wide as the widest text it will show, and each frame is that SVG with the nodes and
# edges that differ rewritten: their texts, fills, font colours, outlines and tooltips.

CAPTION_LEFT = 8  # where Graphviz starts a left-justified graph label: its box's margin
_GROUP = re.compile(r'<g id="([^"]*)" class="(?:node|edge)">')
_G_TAG = re.compile(r"<g\b|</g>")
_TEXT = re.compile(r"(<text\b[^>]*>)(.*?)(</text>)", re.S)
_FIELD = re.compile(r"(?<!\\)\|")


class _Film:
    """The frames of one backward walk-through, drawn from a single layout."""

    def __init__(self, root: Value, replay: Replay, draw_options: dict[str, Any]) -> None:
        options, build_options = _split_options(draw_options)
        options.pop("format", None)  # frames are SVG
        roots, module = _roots(root, build_options.pop("module", None))
        self.root = root
        self.options = options
        self.model = _model.spread_uses(_model.build(roots, module=module, grads={root: 1.0}, **build_options))
        self.style = Style(
            options.get("show_grad", True),
            options.get("color_by_grad", False),
            options.get("highlight", False),
            options.get("digits", 4),
            options.get("rankdir", "LR") in ("LR", "RL"),
        )
        legend = options.get("legend")
        self.legend = legend if legend is not None else self.style.highlight or self.style.color_by_grad
        used = {box.kind for box in self.model.boxes}
        self.kinds = [kind for kind in _model.KINDS if kind in used] if self.style.highlight else []
        self.steps = list(_steps(root, replay))
        self.ids = _ids(self.model)
        self.showing = _model.boxes_showing(self.model)
        self.has_op = {box.id for box in self.model.boxes if box.op}
        self.into: dict[str, list[int]] = {}  # box id -> the edges into it
        for k, edge in enumerate(self.model.edges):
            self.into.setdefault(edge.target, []).append(k)
        self.frames: list[dict[str, Any]] = []
        self.strings: dict[str, int] = {}
        self.cache: dict[tuple[str, tuple[Any, ...]], dict[str, str] | None] = {}
        self.groups: dict[str, _Group | None] = {}
        self.inners: dict[str, int] = {}
        self._lay_out()

    # -- the shared layout

    def _lay_out(self) -> None:
        """Draw the model once, each box with the widest of its texts, and cut the SVG into parts."""
        widest: dict[str, tuple[float, float | None]] = {}
        for box, grad in self._grads_over_time():
            shown = _text_width(self._grad_text(grad))
            if box.id not in widest or shown > widest[box.id][0]:
                widest[box.id] = shown, grad
        for box in self.model.boxes:
            box.grad = widest[box.id][1] if box.id in widest else box.grad
        self.base_largest = largest_grad(self.model)
        self.base_state = {box.id: self._state(box, set(), None, self.base_largest) for box in self.model.boxes}
        self.base = {element.id: element.attrs for element in self._elements(self.base_largest)}
        caption = max((caption for _, _, caption in self.steps), key=_text_width)
        svg = render(_draw(self.model, caption=caption, ids=True, **self.options), "svg").decode("utf-8")
        _model.set_grads(self.model.boxes, {self.root: 1.0})  # back to frame 0
        self.parts, self.where, self.caption_part = _cut(svg, caption)

    def _grads_over_time(self) -> Iterator[tuple[_model.Box, float | None]]:
        """Each box with each gradient it shows in some frame; the boxes are left as in the last."""
        for box in self.model.boxes:
            yield box, box.grad
        grads: dict[Value, float | None] = {}
        for changes, _, _ in self.steps:
            grads.update(changes)
            for box in _model.set_grads(self._boxes_of(changes), grads):
                yield box, box.grad

    def _boxes_of(self, values: Iterable[Value]) -> list[_model.Box]:
        found: dict[str, _model.Box] = {}
        for value in values:
            for box in self.showing.get(value, ()):
                found[box.id] = box
        return list(found.values())

    def _grad_text(self, grad: float | None) -> str:
        return "?" if grad is None else number(grad, self.style.digits)

    def _state(self, box: _model.Box, focus: set[str], lead: str | None, largest: float) -> tuple[Any, ...]:
        """All that decides how ``box`` looks in a frame."""
        focused = box.id in focus or box.copy_of in focus
        return box.grad, focused, box.id == lead, largest if self.style.color_by_grad else None

    def _elements(self, largest: float) -> Iterator[Element]:
        for box in self.model.boxes:
            yield from box_elements(box, self.style, largest, False, False)
        for k, edge in enumerate(self.model.edges):
            yield edge_element(k, edge, self.has_op, False)
        yield from self._legend(largest)

    def _legend(self, largest: float) -> list[Element]:
        if not self.legend:
            return []
        scale = largest if self.style.color_by_grad else None
        return legend_elements(self.kinds, scale, self.style.digits, self.style.horizontal, steady=True)

    # -- the frames

    def svgs(self) -> Iterator[str]:
        """The SVG text of each frame, in order (``page_data`` then describes them)."""
        grads: dict[Value, float | None] = {}
        for changes, focus_nodes, caption in self.steps:
            grads.update(changes)
            _model.set_grads(self._boxes_of(changes), grads)
            focus = {self.ids[n] for n in focus_nodes if n in self.ids}
            lead = self.ids.get(focus_nodes[0])
            changed = self._changes(focus, lead)
            self.frames.append({"caption": caption, "grads": self._grads_of(changes)})
            if changed is None:  # a change the layout cannot show: this frame is laid out on its own
                outlined = sorted(focus, key=lambda box_id: box_id != lead)  # the lead first
                text = render(frame(self.model, self.options, outlined, caption), "svg").decode("utf-8")
                self.frames[-1]["svg"] = self._string(_inline(text))
                yield text
                continue
            parts = list(self.parts)
            for element_id, group in changed.items():
                parts[self.where[element_id]] = group
            parts[self.caption_part] = html.escape(caption, quote=False)
            self.frames[-1]["parts"] = {key: self._inner(group) for key, group in changed.items()}
            yield "".join(parts)
        _model.set_grads(self.model.boxes, {self.root: 1.0})

    def _changes(self, focus: set[str], lead: str | None) -> dict[str, str] | None:
        """The groups of this frame's SVG that differ from the layout's, by element id; None if one
        of them cannot be drawn by rewriting the layout's."""
        largest = largest_grad(self.model) if self.style.color_by_grad else self.base_largest
        changed: dict[str, str] = {}
        for box in self.model.boxes:
            state = self._state(box, focus, lead, largest)
            if state == self.base_state[box.id]:
                continue
            key = (box.id, state)
            if key not in self.cache:  # a box's state often comes back: outlined, then not again
                self.cache[key] = self._patch(box_elements(box, self.style, largest, state[1], state[2]))
            patched = self.cache[key]
            if patched is None:
                return None
            changed.update(patched)
        others: list[Element] = []
        if lead is not None:
            others += [edge_element(k, self.model.edges[k], self.has_op, True) for k in self.into.get(lead, ())]
        if largest != self.base_largest:
            others += self._legend(largest)
        patched = self._patch(others)
        if patched is None:
            return None
        changed.update(patched)
        return changed

    def _patch(self, elements: Iterable[Element]) -> dict[str, str] | None:
        """Each element that differs from the layout's, as its SVG group; None if one cannot be patched."""
        patched = {}
        for element in elements:
            base = self.base.get(element.id)
            if base == element.attrs:
                continue
            group = None if base is None else self._group(element.id)
            group = None if group is None else group.patch(base, element)
            if group is None:
                return None
            patched[element.id] = group
        return patched

    def _group(self, element_id: str) -> _Group | None:
        """The layout's SVG group of an element, cut for patching (once)."""
        if element_id not in self.groups:
            index = self.where.get(element_id)
            self.groups[element_id] = None if index is None else _Group(self.parts[index])
        return self.groups[element_id]

    def _grads_of(self, changes: dict[Value, float]) -> dict[str, float | None]:
        return {self.ids[v]: (g if math.isfinite(g) else None) for v, g in changes.items() if v in self.ids}

    def _string(self, text: str) -> int:
        return self.strings.setdefault(text, len(self.strings))

    def _inner(self, group: str) -> int:
        """The index of a group's content in the page's strings."""
        index = self.inners.get(group)
        if index is None:
            index = self.inners[group] = self._string(group[group.index(">") + 1 : group.rindex("</g>")])
        return index

    def page_data(self) -> dict[str, Any]:
        """What the page needs to show every frame, and ``window.autograd.state()`` to describe it."""
        nodes = [
            {"id": box.id, "label": box.label, "op": box.op, "data": box.data if math.isfinite(box.data) else None}
            for box in self.model.boxes
            if box.value is not None and not box.copy_of and box.data is not None
        ]
        return {"strings": list(self.strings), "frames": self.frames, "nodes": nodes}


def _cut(svg: str, caption: str) -> tuple[list[str], dict[str, int], int]:
    """``svg`` cut into parts: one per node or edge group (``where`` maps its id to its index), the
    caption's text on its own, and the text between them."""
    parts: list[str] = []
    where: dict[str, int] = {}
    start = 0
    first = _GROUP.search(svg)
    head = svg[: first.start()] if first else svg
    text = _TEXT.search(head)  # Graphviz writes the graph's label first, before any cluster or node
    if text is None:
        raise RenderError(f"the SVG of the steps' layout has no caption ({caption!r})")
    # left-aligned, where Graphviz centred the layout's caption in its box: a shorter one starts there too
    tag = re.sub(
        r'\bx="[^"]*"', f'x="{CAPTION_LEFT}"', text.group(1).replace('text-anchor="middle"', 'text-anchor="start"')
    )
    parts += [svg[: text.start(1)] + tag, text.group(2)]
    caption_part = 1
    start = text.end(2)
    for match in _GROUP.finditer(svg, start):
        if match.start() < start:  # inside a group already cut
            continue
        depth, end = 0, match.start()
        for tag in _G_TAG.finditer(svg, match.start()):
            depth += 1 if tag.group() == "<g" else -1
            if depth == 0:
                end = tag.end()
                break
        parts.append(svg[start : match.start()])
        where[html.unescape(match.group(1))] = len(parts)
        parts.append(svg[match.start() : end])
        start = end
    parts.append(svg[start:])
    return parts, where, caption_part


class _Group:
    """The SVG group Graphviz drew for one node or edge, cut at what a frame may rewrite: the
    content of each text, each text's and each shape's tag, and the tooltip's tag."""

    def __init__(self, svg: str) -> None:
        self.pieces: list[str] = []
        self.texts: list[int] = []  # the pieces holding each text's content
        self.shown: list[str] = []  # and that content, as shown
        self.text_tags: list[int] = []
        self.shapes: list[int] = []
        self.polygons: list[int] = []
        self.anchor: int | None = None
        self.outlines: dict[tuple[int, str, str | None], str] = {}
        start = 0
        for match in _PIECE.finditer(svg):
            self.pieces.append(svg[start : match.start()])
            if match.group(1) is not None:  # a text
                self.text_tags.append(len(self.pieces))
                self.texts.append(len(self.pieces) + 1)
                self.shown.append(html.unescape(match.group(2)))
                self.pieces += [match.group(1), match.group(2), "</text>"]
            else:
                tag = match.group()
                if tag.startswith("<a"):
                    self.anchor = self.anchor if self.anchor is not None else len(self.pieces)
                else:
                    self.shapes.append(len(self.pieces))
                    if tag.startswith("<polygon"):
                        self.polygons.append(len(self.pieces))
                self.pieces.append(tag)
            start = match.end()
        self.pieces.append(svg[start:])

    def patch(self, base: dict[str, str], element: Element) -> str | None:
        """This group redrawn for ``element``'s attributes instead of ``base``'s; None where a
        difference changes more than texts, colours, outlines and tooltips."""
        new = element.attrs
        pieces = list(self.pieces)
        if (base.get("color"), base.get("penwidth")) != (new.get("color"), new.get("penwidth")):
            color, width = new.get("color", "black"), new.get("penwidth")
            for i in self.shapes:  # first, while the tags are the layout's: the same few outlines recur
                key = (i, color, width)
                if key not in self.outlines:
                    tag = _set_attribute(_set_attribute(pieces[i], "stroke", color), "stroke-width", width)
                    if element.edge is not None and i in self.polygons:  # an arrowhead is filled with its edge's colour
                        tag = _set_attribute(tag, "fill", color)
                    self.outlines[key] = tag
                pieces[i] = self.outlines[key]
        for name in base.keys() | new.keys():
            old_value, new_value = base.get(name), new.get(name)
            if old_value == new_value or name in ("color", "penwidth"):
                continue
            if name == "label":
                record = base.get("shape") in ("record", "Mrecord")
                if not self._relabel(pieces, old_value or "", new_value or "", record):
                    return None
            elif name == "tooltip" and self.anchor is not None:
                pieces[self.anchor] = _set_attribute(pieces[self.anchor], "xlink:title", new_value or "")
            elif name == "fillcolor" and element.edge is None and self.shapes:
                pieces[self.shapes[0]] = _set_attribute(pieces[self.shapes[0]], "fill", new_value or "none")
            elif name == "fontcolor":
                for i in self.text_tags:
                    pieces[i] = _set_attribute(pieces[i], "fill", None if new_value == "black" else new_value)
            else:
                return None
        return "".join(pieces)

    def _relabel(self, pieces: list[str], old: str, new: str, record: bool) -> bool:
        """Rewrite in ``pieces`` the texts of label ``old`` that differ in label ``new``; False if it cannot be done."""
        olds, news = (_fields(old), _fields(new)) if record else ((old,), (new,))
        if len(olds) != len(news):
            return False
        for i, (before, after) in enumerate(zip(olds, news)):
            if before == after:
                continue
            before, after = _unescape(before), _unescape(after)
            if len(self.shown) == len(olds) and self.shown[i] == before:  # one text per field, in order
                text = i
            elif self.shown.count(before) == 1:
                text = self.shown.index(before)
            else:
                return False
            pieces[self.texts[text]] = html.escape(after, quote=False)
        return True


_PIECE = re.compile(r"(<text\b[^>]*>)(.*?)</text>|<(?:polygon|polyline|path|ellipse)\b[^>]*>|<a\b[^>]*>", re.S)
_ATTRIBUTES: dict[str, re.Pattern[str]] = {}


@functools.lru_cache(maxsize=4096)  # a Value's label comes back in each of its copies
def _fields(label: str) -> tuple[str, ...]:
    """The fields of a record label, as written: '{a | data 1 | grad 2}' -> ('a', 'data 1', 'grad 2')."""
    return tuple(field.strip() for field in _FIELD.split(label.strip().removeprefix("{").removesuffix("}")))


def _unescape(field: str) -> str:
    """A record field as Graphviz shows it: escaped characters taken literally."""
    return re.sub(r"\\(.)", r"\1", field) if "\\" in field else field


def _set_attribute(tag: str, name: str, value: str | None) -> str:
    """An SVG tag with attribute ``name`` set to ``value``, or removed if ``value`` is None."""
    pattern = _ATTRIBUTES.get(name)
    if pattern is None:
        pattern = _ATTRIBUTES[name] = re.compile(rf'\s{re.escape(name)}="[^"]*"')
    tag = pattern.sub("", tag)
    if value is None:
        return tag
    end = -2 if tag.endswith("/>") else -1
    return f'{tag[:end]} {name}="{html.escape(value)}"{tag[end:]}'


# Advance widths in em of DejaVu Sans, for what changes in a box: digits, signs, the exponent's "e".
_WIDTHS = {".": 0.318, "-": 0.361, "+": 0.838, "e": 0.615, "?": 0.531, " ": 0.318, "i": 0.278, "l": 0.278}


def _text_width(text: str) -> float:
    """Roughly how wide ``text`` is drawn, in em: enough to tell which of two numbers is wider."""
    return sum(_WIDTHS.get(c, 0.636 if c.isdigit() else 0.7) for c in text)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1em 2em; }}
  nav {{ display: flex; gap: 1em; align-items: center; margin-bottom: .5em; }}
  button {{ font-size: 1em; padding: .3em 1em; }}
  #diagram svg {{ max-width: 100%; height: auto; }}
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
<div id="diagram">
{svg}
</div>
<script type="application/json" id="steps-data">{data}</script>
<script>
(function () {{
  // One SVG, laid out once; each frame lists the groups (by id) that differ from it.
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var holder = document.getElementById("diagram");
  var layout = holder.innerHTML;
  var last = data.frames.length - 1;
  var current = 0;
  var groups = null, originals = null, shown = {{}};
  function attach() {{
    groups = {{}}; originals = {{}}; shown = {{}};
    holder.querySelectorAll("g[id]").forEach(function (g) {{ groups[g.id] = g; originals[g.id] = g.innerHTML; }});
  }}
  function paint(frame) {{
    if (frame.svg !== undefined) {{ holder.innerHTML = data.strings[frame.svg]; groups = null; return; }}
    if (groups === null) {{ holder.innerHTML = layout; attach(); }}
    Object.keys(shown).forEach(function (id) {{ if (!(id in frame.parts)) groups[id].innerHTML = originals[id]; }});
    Object.keys(frame.parts).forEach(function (id) {{ groups[id].innerHTML = data.strings[frame.parts[id]]; }});
    shown = frame.parts;
    var caption = holder.querySelector("g.graph > text");
    if (caption) caption.textContent = frame.caption;
  }}
  function show(k) {{
    current = Math.max(0, Math.min(last, k));
    paint(data.frames[current]);
    document.getElementById("counter").textContent = "step " + current + " of " + last;
    document.getElementById("previous").disabled = current === 0;
    document.getElementById("next").disabled = current === last;
    if (location.hash !== "#step-" + current) history.replaceState(null, "", "#step-" + current);
  }}
  function state() {{
    var grads = {{}};
    for (var k = 0; k <= current; k++) Object.assign(grads, data.frames[k].grads);
    return {{
      kind: "steps", step: current, steps: last, caption: data.frames[current].caption,
      nodes: data.nodes.map(function (n) {{
        return {{id: n.id, label: n.label, op: n.op, data: n.data, grad: n.id in grads ? grads[n.id] : null}};
      }})
    }};
  }}
  window.autograd = {{
    state: state,
    goto: function (k) {{ show(k); return state(); }},
    next: function () {{ show(current + 1); return state(); }},
    previous: function () {{ show(current - 1); return state(); }}
  }};
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
  attach();
  var start = /^#step-(\\d+)$/.exec(location.hash);
  show(start ? parseInt(start[1], 10) : 0);
}})();
</script>
</body>
</html>
"""
