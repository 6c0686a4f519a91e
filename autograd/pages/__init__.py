"""Pages: every view the package shows in a browser is one self-contained HTML file.

Scripts, styles and data are inlined, so the same file opens from ``file://``, inside an
``iframe srcdoc`` (Jupyter) or from a server on 127.0.0.1, and asks the network for nothing.
Every page exposes ``window.autograd`` (``state()``, ``goto(k)``, ``next()``, ``previous()``)
for scripts, embedding and tests; ``toolkit.js`` holds what the pages' scripts share.
"""

from __future__ import annotations

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["Page", "asset", "document", "json_script", "template"]

DEFAULT_HEIGHT = 560  # px of an inline display in Jupyter: room for a diagram, its controls and a caption


def asset(name: str) -> str:
    """The text of a file shipped in ``autograd/pages/`` (``"explorer.js"``, ``"vendor/panzoom/panzoom.min.js"``)."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def json_script(element_id: str, data: Any) -> str:
    """``data`` as JSON in an inert ``<script type="application/json">``, read back with ``AutogradPages.data(id)``."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    # "<" only ever appears inside JSON strings, where \u003c means the same: no "</script>" can close it early
    text = text.replace("<", "\\u003c")
    return f'<script type="application/json" id="{html.escape(element_id)}">{text}</script>'


def template(element_id: str, content: str) -> str:
    """``content`` (HTML or inline SVG) in an inert ``<template>``: parsed, never shown until a script uses it."""
    return f'<template id="{html.escape(element_id)}">{content}</template>'


def _inline_script(code: str) -> str:
    # a script's text ends at the first "</script", in any case: break it where a string could hold one
    return "<script>\n" + code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT") + "\n</script>"


def _inline_style(css: str) -> str:
    return "<style>\n" + css.replace("</style", "<\\/style") + "\n</style>"


def document(
    title: str,
    body: str,
    *,
    assets: tuple[str, ...] = (),
    script: str = "",
    lang: str = "en",
    wasm: bool = False,
    connect: bool = False,
) -> str:
    """A whole HTML page: ``body`` with the packaged ``assets`` (``.css`` and ``.js`` files, in order) and
    ``script`` inlined. ``toolkit.js`` always comes first. Nothing in it loads from anywhere else.
    ``wasm``: the page may compile WebAssembly held in its own scripts (Graphviz, for the playground).
    ``connect``: the page may talk to the server it came from, and to no other (the served live view)."""
    styles = [_inline_style(asset(name)) for name in assets if name.endswith(".css")]
    scripts = [_inline_script(asset(name)) for name in ("toolkit.js", *assets) if name.endswith(".js")]
    if script:
        scripts.append(_inline_script(script))
    wasm_source = " 'wasm-unsafe-eval'" if wasm else ""  # compiling bytes the page holds: still no request
    connect_source = " connect-src 'self';" if connect else ""  # its own origin: the live server's events
    head = "\n".join(
        [
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            # no request may leave the page: not a script, a style, an image, a font or a fetch
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' + connect_source + " "
            f"script-src 'unsafe-inline'{wasm_source}; style-src 'unsafe-inline'; img-src data:\">",
            f"<title>{html.escape(title)}</title>",
            *styles,
        ]
    )
    tail = "\n".join(scripts)
    return f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{head}\n</head>\n<body>\n{body}\n{tail}\n</body>\n</html>\n'


class Page:
    """One self-contained HTML page: ``.html`` (its text), ``.save(path)``, and an inline display in Jupyter."""

    def __init__(self, html_text: str, title: str = "", height: int = DEFAULT_HEIGHT) -> None:
        self.html = html_text
        self.title = title
        self.height = height

    def __repr__(self) -> str:
        return f"<autograd page {self.title!r}: {len(self.html.encode('utf-8')):,} bytes; .save(path) writes it>"

    @property
    def size(self) -> int:
        """The page's size in bytes (UTF-8)."""
        return len(self.html.encode("utf-8"))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (a file; ``.html`` is the usual suffix) and return that path."""
        path = Path(path)
        if path.is_dir():
            raise IsADirectoryError(f"cannot save the page as {str(path)!r}: it is a directory; give a file name")
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        # The page in an iframe srcdoc: its scripts run there, apart from the notebook's, and an
        # exported notebook still holds the whole page, so it keeps working with no kernel or widget state.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title)}" '
            f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #dee2e6; border-radius: 4px" '
            'loading="lazy"></iframe>'
        )
