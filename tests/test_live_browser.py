"""The live page in a real Chromium, as live-py writes it: the replay from file:// with the network
blocked, and the served page receiving new frames without a reload. (The views themselves are tested
by tests/test_live_page.py; these check what any live.js gives through window.autograd.)"""

import threading
import time
from array import array

from autograd.live import Live, make_moons
from autograd.nn import MLP


def small_live(steps):
    X, y = make_moons(12, noise=0.1, seed=1)
    model = MLP(2, [4, 1], seed=0)
    live = Live(model, X, y)
    for _ in range(steps):
        live.step()
    return live, model


def open_page(browser, url, allowed):
    context = browser.new_context()
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.split("#")[0].split("?")[0].startswith(allowed):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.goto(url)
    page.wait_for_function("() => window.autograd !== undefined")
    return context, page, errors, requests


def wait_frames(page, count, timeout=20000):
    page.wait_for_function(f"() => window.autograd.state().frames >= {count}", timeout=timeout)
    return page.evaluate("window.autograd.state()")


def test_the_replay_opens_from_file_with_the_network_blocked_and_shows_the_recorded_numbers(browser, tmp_path):
    live, model = small_live(3)
    path = live.save(tmp_path / "live.html")
    context, page, errors, requests = open_page(browser, path.as_uri(), path.as_uri())
    try:
        state = wait_frames(page, 4)
        assert state["kind"] == "live" and state["frames"] == 4
        page.evaluate("window.autograd.goto(3)")
        state = page.evaluate("window.autograd.state()")
        assert state["frame"] == 3
        names = [name for name, _ in model.named_parameters()]
        assert [state["params"][name] for name in names] == array("f", [p.data for p in model.parameters()]).tolist()
        assert state["loss"] == live.frames[3].loss
        assert errors == [] and requests == []
    finally:
        context.close()


def test_the_served_page_receives_new_frames_without_a_reload(browser):
    live, _ = small_live(1)
    server = live.serve()
    context = None
    try:
        context, page, errors, requests = open_page(browser, server.url, server.url)
        assert wait_frames(page, 2)["frames"] == 2
        page.evaluate("window.__same_document = true")  # gone if the page reloaded

        def train():
            for _ in range(3):
                live.step()
                time.sleep(0.1)

        trainer = threading.Thread(target=train)
        trainer.start()
        trainer.join(timeout=60)
        state = wait_frames(page, 5)
        assert state["frames"] == 5 and page.evaluate("window.__same_document") is True
        page.evaluate("window.autograd.goto(4)")
        last = page.evaluate("window.autograd.state()")
        assert last["loss"] == live.frames[4].loss
        assert errors == [] and requests == []
    finally:
        if context is not None:
            context.close()
        server.close()
