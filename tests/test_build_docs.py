"""scripts/build_docs.py and scripts/check_site.py: chapters split by language, and a browser check that fails."""

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


nbformat = pytest.importorskip("nbformat", reason="nbformat is in the dev and docs extras")
jupytext = pytest.importorskip("jupytext", reason="jupytext is in the docs extra")
build_docs = _load("build_docs")
check_site = _load("check_site")


def notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 1. Title", metadata={"lang": "en"}),
        nbformat.v4.new_markdown_cell("# 1. 제목", metadata={"lang": "ko"}),
        nbformat.v4.new_code_cell("IFrame(...)"),
    ]
    nb.cells[2].outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": '<iframe width="100%" src="pages/06_x.html">'}),
        nbformat.v4.new_output("stream", name="stdout", text="7.0\n"),
    ]
    return nb


def test_each_language_keeps_its_prose_and_every_code_cell_with_the_same_outputs():
    nb = notebook()
    en, ko = build_docs.split(nb, "en"), build_docs.split(nb, "ko")
    assert [c.source for c in en.cells] == ["# 1. Title", "IFrame(...)"]
    assert [c.source for c in ko.cells] == ["# 1. 제목", "IFrame(...)"]
    assert en.cells[1].outputs[1] == ko.cells[1].outputs[1] == nb.cells[2].outputs[1]
    assert build_docs.title_of(nb, "en") == "1. Title" and build_docs.title_of(nb, "ko") == "1. 제목"


def test_the_korean_chapter_embeds_the_page_saved_beside_the_english_one():
    nb = notebook()
    en, ko = build_docs.split(nb, "en"), build_docs.split(nb, "ko")
    assert 'src="pages/06_x.html"' in en.cells[1].outputs[0]["data"]["text/html"]
    assert 'src="../../tutorial/pages/06_x.html"' in ko.cells[1].outputs[0]["data"]["text/html"]
    assert nb.cells[2].outputs[0]["data"]["text/html"].count("../") == 0  # the original is untouched


def test_a_chapter_that_is_asked_for_but_missing_is_named():
    with pytest.raises(SystemExit, match="no chapter 99"):
        build_docs.find_chapters(["99"])
    assert [c.number for c in build_docs.find_chapters(["1"])] == ["01"]


@pytest.mark.parametrize("chapter", build_docs.find_chapters(), ids=lambda c: c.stem)
def test_every_chapter_pairs_english_and_korean_prose_under_a_numbered_title(chapter):
    nb = jupytext.read(chapter.source)
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    langs = [c.metadata.get("lang") for c in prose]
    assert langs == ["en", "ko"] * (len(prose) // 2), "prose cells alternate en, ko"
    number = int(chapter.number)
    for lang in ("en", "ko"):
        assert re.match(rf"{number}\. \S", build_docs.title_of(nb, lang))
    korean = " ".join(c.source for c in prose if c.metadata["lang"] == "ko")
    assert re.search("[가-힣]", korean)
    assert sum(1 for c in nb.cells if c.cell_type == "code" and "assert" in c.source) >= 3


# ----------------------------------------------------------------------------- the browser check

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEAD = '<!doctype html><link rel="icon" href="data:,">'  # else the browser asks for /favicon.ico
SWITCH = (
    '<a class="md-select__link" hreflang="en" href="#">en</a><a class="md-select__link" hreflang="ko" href="#">ko</a>'
)

GOOD_EMBED = (
    HEAD
    + '<button onclick="step++">next</button><script>var step = 0; window.autograd = {state: () => ({step})};</script>'
)
FROZEN_EMBED = HEAD + "<button>next</button><script>window.autograd = {state: () => ({step: 0})};</script>"


def test_the_browser_check_passes_a_quiet_site_and_names_each_problem_of_a_noisy_one(tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium to drive (apt-get install chromium); .ci/run installs it")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    (tmp_path / "index.html").write_text(
        HEAD + SWITCH + '<a href="good.html">x</a><iframe src="pages/good_embed.html">'
    )
    (tmp_path / "good.html").write_text(HEAD + SWITCH + "<p>fine</p>")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "good_embed.html").write_text(GOOD_EMBED)
    assert check_site.check(tmp_path, searches={}) == []

    (tmp_path / "noisy.html").write_text(
        HEAD + '<script>console.error("boom")</script>'
        '<img src="https://fonts.example.invalid/font.png"><a href="missing.html">gone</a><a href="#nowhere">toc</a>'
        '<iframe src="pages/frozen_embed.html"></iframe>'
    )
    (tmp_path / "pages" / "frozen_embed.html").write_text(FROZEN_EMBED)
    problems = "\n".join(check_site.check(tmp_path, searches={}))
    assert "noisy.html: console error: boom" in problems
    assert "noisy.html: request outside the site: https://fonts.example.invalid/font.png" in problems
    assert "noisy.html: broken link to missing.html (404)" in problems
    assert "noisy.html: link to a missing anchor: #nowhere" in problems
    assert "noisy.html iframe 0 (/pages/frozen_embed.html): no click changed window.autograd.state()" in problems
    assert "noisy.html: the language switch offers [], not ['en', 'ko']" in problems
    assert "good.html" not in problems and "index.html" not in problems
