"""Live.show() in Jupyter: a notebook executed by nbclient whose output holds the live view, as a
widget and as the replay an exported notebook shows; the widget's script, run in Chromium, hands
new frames to the page."""

import html
import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]


def frames_in(page_html):
    return json.loads(page_html.split('id="live-frames">', 1)[1].split("</script>", 1)[0])


@pytest.fixture(scope="module")
def executed():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("anywidget")
    cells = [
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from autograd.nn import MLP\nfrom autograd.live import Live, make_moons\n"
        "X, y = make_moons(12, seed=1)\nlive = Live(MLP(2, [4, 1], seed=0), X, y)\nlive.show()",
        "for _ in range(3):\n    live.step()",
        "len(live.frames)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3").execute()
    return notebook


def test_the_executed_notebook_holds_the_widget_and_the_whole_replay(executed):
    shown, trained, counted = executed.cells
    (output,) = shown.outputs
    data = output["data"]
    assert "application/vnd.jupyter.widget-view+json" in data
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)".*</iframe>', data["text/html"], re.S).group(1)
    page = html.unescape(srcdoc)
    assert "AutogradLive.mount" in page
    assert frames_in(page)["count"] == 4  # refreshed when the training cell ended: every frame
    assert trained.outputs == []  # nothing printed by the training cell itself
    assert counted.outputs[0]["data"]["text/plain"] == "4"
    model_id = data["application/vnd.jupyter.widget-view+json"]["model_id"]
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"][model_id]["state"]
    assert state["count"] == 4 and frames_in(state["html"])["count"] == 4


def test_the_exported_replay_opens_with_no_kernel(executed, tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium to drive")
    sync_api = pytest.importorskip("playwright.sync_api")
    exported = tmp_path / "exported.html"
    exported.write_text(f"<!DOCTYPE html><html><body>{executed.cells[0].outputs[0]['data']['text/html']}</body></html>")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("request", lambda r: None if r.url.startswith(exported.as_uri()) else errors.append(r.url))
        page.goto(exported.as_uri())
        inner = page.frames[1]
        inner.wait_for_function("() => window.autograd && window.autograd.state().frames === 4")
        browser.close()
    assert errors == []


HOST = """<!DOCTYPE html><html><body><div id="out"></div><script type="module">
import widget from "./widget.js";
const listeners = {};
const state = STATE;
const model = {
  get: (name) => state[name],
  set: (name, value) => { state[name] = value; (listeners["change:" + name] || []).forEach((f) => f()); },
  on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
  off: () => {},
};
window.model = model;
window.emit = (message) => (listeners["msg:custom"] || []).forEach((f) => f(message));
widget.initialize({ model });
window.emit(EARLY);  // a chunk that arrives before the view renders
widget.render({ model, el: document.getElementById("out") });
</script></body></html>"""


def test_the_widget_script_hands_every_chunk_to_the_page_even_one_sent_before_it_rendered(tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium to drive")
    sync_api = pytest.importorskip("playwright.sync_api")
    from autograd.live import Live, make_moons
    from autograd.live.notebook import ESM
    from autograd.nn import MLP

    X, y = make_moons(12, seed=1)
    live = Live(MLP(2, [4, 1], seed=0), X, y)
    page_html = live.page().html
    for _ in range(3):
        live.step()
    early = {"start": 1, "chunk": live.encode(live.frames[1:3])}
    late = {"start": 3, "chunk": live.encode(live.frames[3:])}
    state = {"html": page_html, "count": 1, "height": 500, "title": "t"}
    (tmp_path / "widget.js").write_text(ESM)
    host = HOST.replace("STATE", json.dumps(state).replace("</", "<\\/")).replace("EARLY", json.dumps(early))
    (tmp_path / "host.html").write_text(host)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*ARGS, "--allow-file-access-from-files"]
        )
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "host.html").as_uri())
        page.wait_for_function("() => document.querySelector('iframe') !== null")
        inner = page.frames[1]
        inner.wait_for_function("() => window.autograd && window.autograd.state().frames === 3", timeout=20000)
        page.evaluate(f"window.emit({json.dumps(late)})")
        inner.wait_for_function("() => window.autograd.state().frames === 4", timeout=20000)
        inner.evaluate("window.autograd.goto(3)")
        assert inner.evaluate("window.autograd.state().loss") == live.frames[3].loss
        browser.close()
    assert errors == []
