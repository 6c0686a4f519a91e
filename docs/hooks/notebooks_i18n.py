"""mkdocs hooks for the executed notebooks: pages under i18n, Korean anchors, one shared stylesheet.

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

import markdown
import mkdocs_jupyter.convert
import mkdocs_jupyter.plugin
from markdown.extensions.toc import TocExtension
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from pymdownx.slugs import slugify

_markdown_or_not = File.is_documentation_page


def _is_documentation_page(self: File) -> bool:
    return self.src_uri.endswith(".ipynb") or _markdown_or_not(self)


File.is_documentation_page = _is_documentation_page


# mkdocs-jupyter makes a heading's id and its table-of-contents link with two slug functions that
# keep ASCII only, so a Korean heading got id="" and a link to "#_1". Both now use one slug that
# keeps every letter, so each link finds its heading, in either language.
_slug = slugify(case="lower")
mkdocs_jupyter.convert.slugify = lambda text: _slug(text, "-")
mkdocs_jupyter.plugin._get_markdown_toc = lambda source, depth: _toc_tokens(source, depth)


def _toc_tokens(source: str, depth: int) -> list[dict]:
    md = markdown.Markdown(extensions=[TocExtension(toc_depth=depth, slugify=_slug)])
    md.convert(source)
    return md.toc_tokens


@event_priority(100)  # before mkdocs-static-i18n reads the nav
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """The nav in reading order: home, the tutorial's chapters as build_docs.py wrote them, the reference.

    (Left to itself, mkdocs sorts folders by name and puts the reference first.)"""
    if config.nav is None:
        english = Path(config.docs_dir) / "en"
        chapters = sorted(p.relative_to(english).as_posix() for p in english.glob("tutorial/[0-9][0-9]_*.ipynb"))
        reference = [
            "reference/index.md",
            *sorted(p.relative_to(english).as_posix() for p in english.glob("reference/*.md") if p.name != "index.md"),
        ]
        config.nav = [
            {"Home": "index.md"},
            {"Tutorial": ["tutorial/index.md", *chapters]},
            {"Reference": reference},
        ]
    return config


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
