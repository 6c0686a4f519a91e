"""Build the tutorial and the site: execute every chapter, split it by language, mkdocs, browser check.

    python scripts/build_docs.py                 # everything: chapters, site/ (Korean in site/ko/), check
    python scripts/build_docs.py --only 07       # execute chapter 07 alone (its assertions), no site
    python scripts/build_docs.py --only 03 07 --site   # those chapters, then the site from them
    python scripts/build_docs.py --no-check      # skip the browser check

A chapter is ``docs/tutorial/NN_slug.py`` in jupytext's percent format (docs/tutorial/README.md).
Each is executed once, in a fresh kernel, with ``build/docs/en/tutorial/`` as its working directory
(pages it saves under ``pages/`` land next to the chapter). The executed notebook is then split in
two: the English one keeps the markdown cells marked ``lang="en"``, the Korean one those marked
``lang="ko"``; both keep every code cell with its outputs, so the numbers cannot drift apart. A cell
that raises (a failed assertion included) or writes anything to stderr (a warning) fails the build.
The mkdocs source tree is written under build/docs/, then ``mkdocs build --strict`` writes site/.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "docs" / "tutorial"
HOME = ROOT / "docs" / "home"  # the hand-written pages per language: home, API reference
BUILD = ROOT / "build" / "docs"
SITE = ROOT / "site"
LANGS = ("en", "ko")
TIMEOUT = 120  # seconds per cell; a chapter should take about 20 s in all


@dataclass
class Chapter:
    number: str  # "07"
    source: Path

    @property
    def stem(self) -> str:
        return self.source.stem


class ChapterError(RuntimeError):
    """A chapter failed: a cell raised, or wrote to stderr."""


def find_chapters(only: list[str] | None = None) -> list[Chapter]:
    """The chapters under docs/tutorial/, in order; ``only`` keeps those numbers ("7" or "07")."""
    chapters = []
    for path in sorted(CHAPTERS.glob("[0-9][0-9]_*.py")):
        chapters.append(Chapter(path.name[:2], path))
    if only:
        wanted = {n.zfill(2) for n in only}
        missing = wanted - {c.number for c in chapters}
        if missing:
            raise SystemExit(f"no chapter {', '.join(sorted(missing))} under {CHAPTERS.relative_to(ROOT)}")
        chapters = [c for c in chapters if c.number in wanted]
    return chapters


def execute(chapter: Chapter, workdir: Path) -> object:
    """The chapter's notebook, executed in a fresh kernel in ``workdir``; raises ChapterError."""
    import jupytext
    import nbclient
    from nbclient.exceptions import CellExecutionError

    nb = jupytext.read(chapter.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # not its warning about TCP on localhost
    )
    try:
        client.execute()
    except CellExecutionError as e:
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(e))  # the traceback without its colours
        raise ChapterError(f"{chapter.source.relative_to(ROOT)}: a cell failed\n{message}") from None
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                raise ChapterError(
                    f"{chapter.source.relative_to(ROOT)}: cell {index} wrote to stderr "
                    f"(a warning fails the build):\n{cell.source}\n---\n{output.get('text', '')}"
                )
    return nb


def split(nb: object, lang: str) -> object:
    """The notebook for one language: its prose cells and every shared cell, with the same outputs."""
    out = copy.deepcopy(nb)
    out.cells = [cell for cell in out.cells if cell.metadata.get("lang", lang) == lang]
    out.metadata["language"] = lang
    if lang != LANGS[0]:
        # The pages a chapter saves are written once, beside the English chapter; the Korean
        # chapter (site/ko/tutorial/) embeds the same files rather than a second copy of each.
        for cell in out.cells:
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html")
                if html is not None:
                    output["data"]["text/html"] = _pages_from(html, "../../tutorial/pages/")
    return out


def _pages_from(html: str | list[str], prefix: str) -> str:
    text = "".join(html) if isinstance(html, list) else html
    return re.sub(r'(<iframe\b[^>]*\bsrc=")pages/', lambda m: m.group(1) + prefix, text)


def title_of(nb: object, lang: str) -> str:
    """The chapter's title: the first heading of its first prose cell in that language."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("lang", lang) == lang:
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    raise ChapterError(f"no title (a '# ' heading) in the {lang} prose")


def run_chapters(chapters: list[Chapter], jobs: int) -> dict[str, tuple[Chapter, object, float]]:
    """Execute the chapters (``jobs`` at a time), write each language's notebook, return them by number."""
    import nbformat

    workdir = BUILD / LANGS[0] / "tutorial"
    (workdir / "pages").mkdir(parents=True, exist_ok=True)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    os.environ.setdefault("MPLBACKEND", "Agg")

    def one(chapter: Chapter) -> tuple[Chapter, object, float]:
        start = time.perf_counter()
        nb = execute(chapter, workdir)
        seconds = time.perf_counter() - start
        print(f"  {chapter.stem}: {seconds:.1f} s", flush=True)
        return chapter, nb, seconds

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = list(pool.map(one, chapters))
    for chapter, nb, _ in done:
        for lang in LANGS:
            title_of(nb, lang)
            target = BUILD / lang / "tutorial" / f"{chapter.stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(split(nb, lang), target)
    return {chapter.number: (chapter, nb, seconds) for chapter, nb, seconds in done}


def write_source_tree(done: dict[str, tuple[Chapter, object, float]]) -> None:
    """The hand-written pages of docs/home/<lang>/ into build/docs/<lang>/, and each chapter index."""
    for lang in LANGS:
        shutil.copytree(HOME / lang, BUILD / lang, dirs_exist_ok=True)
        index = BUILD / lang / "tutorial" / "index.md"
        heading = {"en": "The tutorial", "ko": "튜토리얼"}[lang]
        intro = {
            "en": "Thirteen chapters, from the derivative by nudging to a trained network. Every number"
            " they print is checked when the site is built. Each chapter can be downloaded as a notebook.",
            "ko": "수치 미분에서 학습된 신경망까지 열세 개의 장입니다. 각 장이 출력하는 모든 수는 사이트를"
            " 빌드할 때 검증됩니다. 각 장은 노트북으로 내려받을 수 있습니다.",
        }[lang]
        lines = [f"# {heading}", "", intro, ""]
        for number in sorted(done):
            chapter, nb, _ = done[number]
            lines.append(f"1. [{title_of(nb, lang).split('. ', 1)[-1]}]({chapter.stem}.ipynb)")
        index.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_site() -> float:
    """``mkdocs build --strict`` into site/; returns the seconds it took."""
    start = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--site-dir", str(SITE)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - start


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NN", help="execute only these chapters (no site unless --site)")
    parser.add_argument("--site", action="store_true", help="with --only: build the site from those chapters")
    parser.add_argument("--no-check", action="store_true", help="skip the browser check")
    parser.add_argument("--jobs", type=int, default=1, help="chapters executed at a time (default 1)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    chapters = find_chapters(args.only)
    if not chapters:
        print("no chapters under docs/tutorial/", file=sys.stderr)
        return 1
    shutil.rmtree(BUILD, ignore_errors=True)
    print(f"executing {len(chapters)} chapter(s)", flush=True)
    try:
        done = run_chapters(chapters, args.jobs)
    except ChapterError as e:
        print(f"\nFAILED: {e}", file=sys.stderr)
        return 1
    executed = time.perf_counter() - start
    print(f"chapters: {executed:.1f} s", flush=True)
    if args.only and not args.site:
        return 0

    write_source_tree(done)
    try:
        seconds = build_site()
    except subprocess.CalledProcessError:
        print("\nFAILED: mkdocs build --strict", file=sys.stderr)
        return 1
    print(f"mkdocs: {seconds:.1f} s; site/: {size_of(SITE) / 1e6:.2f} MB", flush=True)
    if not args.no_check:
        sys.path.insert(0, str(ROOT / "scripts"))
        import check_site

        if check_site.main([str(SITE)]) != 0:
            return 1
    print(f"built in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
