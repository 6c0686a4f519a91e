"""The browser check of the built site: every page opens in Chromium, quietly, with nothing fetched from outside.

    python scripts/check_site.py [site]          # default: site/ (scripts/build_docs.py runs it last)
    python scripts/check_site.py --shots DIR     # also save a screenshot of each page into DIR

The site is served by a local http.server on 127.0.0.1. Each HTML page is opened in /usr/bin/chromium
(through playwright; no browser is downloaded) and fails the check on a console error, an uncaught
exception, a request for anything outside the site (web fonts, CDN scripts) or a request the site
answers with an error. Every link a page holds to a page of the site must resolve, notebooks'
prose included (mkdocs checks only Markdown's links). Each embedded page (an iframe with
``window.autograd``) must respond to a click: clicking one of its buttons changes its
``window.autograd.state()``. Search is typed into once per language and must find something.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
INSIDE_PAGE = ("data:", "blob:", "about:")  # schemes that fetch nothing from anywhere
SEARCHES = {"index.html": "gradient", "ko/index.html": "기울기"}

# the buttons of the library's pages that move them on, tried first; then any enabled button
PREFERRED = ["button.ag-next", "button.ag-play", "button.ag-last"]


class Server:
    """The site on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def check(site: Path, shots: Path | None = None) -> list[str]:
    """Every problem found, as one line each; an empty list when the site passes."""
    from playwright.sync_api import sync_playwright

    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    problems: list[str] = []
    server = Server(site)
    link_status: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            for name in pages:
                problems += [f"{name}: {p}" for p in _check_page(context, server.url, name, link_status, shots)]
            for name, query in SEARCHES.items():
                problems += [f"{name}: {p}" for p in _check_search(context, server.url + name, query)]
            context.close()
            browser.close()
    finally:
        server.close()
    embedded = sum(1 for key in link_status if key.startswith("iframe:"))
    print(f"browser check: {len(pages)} pages, {len(link_status) - embedded} links, {embedded} embedded pages clicked")
    return problems


def _watch(page: object, base: str) -> list[str]:
    """Start recording the problems of a tab: console errors, exceptions, requests leaving the site."""
    found: list[str] = []

    def on_console(message: object) -> None:
        if message.type == "error":
            found.append(f"console error: {message.text}")

    def on_request(request: object) -> None:
        url = request.url
        if not (url.startswith(base) or url.startswith(INSIDE_PAGE)):
            found.append(f"request outside the site: {url}")

    def on_response(response: object) -> None:
        if response.url.startswith(base) and response.status >= 400:
            found.append(f"{response.status} for {response.url[len(base) :]}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"uncaught: {error}"))
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", lambda r: found.append(f"request failed: {r.url} ({r.failure})"))
    return found


def _check_page(context: object, base: str, name: str, link_status: dict[str, int], shots: Path | None) -> list[str]:
    page = context.new_page()
    found = _watch(page, base)
    url = base + name
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)  # anything a script fetches after load is still seen
    for frame_index, frame in enumerate(page.frames[1:]):
        found += _click_embedded(frame, f"{name} iframe {frame_index}")
        link_status[f"iframe:{name}:{frame_index}"] = 1
    if shots is not None:
        target = shots / (name.replace("/", "_").removesuffix(".html") + ".png")
        page.screenshot(path=str(target), full_page=False)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    page.close()
    for href in hrefs:
        target, _ = urldefrag(href)
        if not target.startswith(base) or target in link_status:
            continue
        response = context.request.get(target)
        link_status[target] = response.status
        if response.status >= 400:
            found.append(f"broken link to {target[len(base) :]} ({response.status})")
    return found


def _click_embedded(frame: object, where: str) -> list[str]:
    """Click the embedded page's buttons until its window.autograd state changes."""
    try:
        frame.wait_for_function("() => window.autograd !== undefined", timeout=10_000)
    except Exception:
        return [f"{where} ({urlparse(frame.url).path}): no window.autograd"]
    before = json.dumps(frame.evaluate("window.autograd.state()"), sort_keys=True)
    candidates = [s for s in PREFERRED if frame.locator(s).count()] + ["button:enabled:visible"]
    for selector in candidates:
        buttons = frame.locator(selector)
        for i in range(min(buttons.count(), 12)):
            button = buttons.nth(i)
            if not (button.is_visible() and button.is_enabled()):
                continue
            button.click()
            frame.wait_for_timeout(300)
            after = json.dumps(frame.evaluate("window.autograd.state()"), sort_keys=True)
            if after != before:
                return []
    return [f"{where} ({urlparse(frame.url).path}): no click changed window.autograd.state()"]


def _check_search(context: object, url: str, query: str) -> list[str]:
    page = context.new_page()
    found = _watch(page, urljoin(url, "/"))
    page.goto(url, wait_until="load")
    search = page.locator("input.md-search__input")
    search.click()
    search.fill(query)
    search.press("End")  # Material searches on a key, and fill() types none
    try:
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
    except Exception:
        found.append(f"search for {query!r} found nothing")
    page.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default=str(ROOT / "site"), help="the built site (default: site/)")
    parser.add_argument("--shots", metavar="DIR", help="save a screenshot of every page into DIR")
    args = parser.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"no built site in {site} (python scripts/build_docs.py builds it)", file=sys.stderr)
        return 1
    shots = None
    if args.shots:
        shots = Path(args.shots)
        shots.mkdir(parents=True, exist_ok=True)
    problems = check(site, shots)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    if problems:
        print(f"FAILED: the browser check found {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("browser check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
