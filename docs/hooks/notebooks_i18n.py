"""mkdocs hooks for the executed notebooks: they stay pages under i18n, and share one stylesheet.

mkdocs-jupyter marks each ``.ipynb`` as a documentation page by wrapping its File; mkdocs-static-i18n
makes fresh File objects for every language, so the mark is lost (the notebook would be copied as a
static file, and the language switch would not find its other-language twin). Here a File whose
source is a notebook answers ``is_documentation_page()`` as mkdocs-jupyter's wrapper does, for every
File object, so both plugins see the same thing. mkdocs-jupyter still renders the pages.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

_markdown_or_not = File.is_documentation_page


def _is_documentation_page(self: File) -> bool:
    return self.src_uri.endswith(".ipynb") or _markdown_or_not(self)


File.is_documentation_page = _is_documentation_page


# mkdocs-jupyter inlines JupyterLab's stylesheet (about 580 kB) into every notebook page; the same
# text goes, once, into a file under assets/notebook/ that each page links to instead.
_SHARED_MIN = 2000  # an inline style at least this long is shared rather than repeated
_STYLE = re.compile(r'<style type="text/css">(.*?)</style>', re.S)


# Material's script fetches "sitemap.xml" beside each <link rel="alternate"> of the head, which it
# takes for a language's root; mkdocs-static-i18n points them at the page itself, so every page
# asked for a sitemap that is not there (a 404 in the console). The header's language switch keeps
# its own links, which already lead to the same page in the other language.
_HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


def _without_head_alternates(output: str) -> str:
    head, sep, body = output.partition("</head>")
    return _HEAD_ALTERNATE.sub("", head) + sep + body


@event_priority(-200)
def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    return _without_head_alternates(output)  # 404.html


@event_priority(-200)
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    output = _without_head_alternates(output)
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    depth = page.file.url.count("/")
    base = "../" * depth

    def shared(match: re.Match[str]) -> str:
        css = match.group(1)
        if len(css) < _SHARED_MIN:
            return match.group(0)
        name = f"assets/notebook/{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        target = Path(config.site_dir) / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(css, encoding="utf-8")
        return f'<link rel="stylesheet" href="{base}{name}">'

    return _STYLE.sub(shared, output)
