"""An mkdocs hook: the executed notebooks stay pages, with their language alternates, under i18n.

mkdocs-jupyter marks each ``.ipynb`` as a documentation page by wrapping its File; mkdocs-static-i18n
makes fresh File objects for every language, so the mark is lost (the notebook would be copied as a
static file, and the language switch would not find its other-language twin). Here a File whose
source is a notebook answers ``is_documentation_page()`` as mkdocs-jupyter's wrapper does, for every
File object, so both plugins see the same thing. mkdocs-jupyter still renders the pages.
"""

from __future__ import annotations

from mkdocs.structure.files import File

_markdown_or_not = File.is_documentation_page


def _is_documentation_page(self: File) -> bool:
    return self.src_uri.endswith(".ipynb") or _markdown_or_not(self)


File.is_documentation_page = _is_documentation_page
