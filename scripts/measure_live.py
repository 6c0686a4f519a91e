"""Measure the live view in headless Chromium: the time of changing frame, the frame rate of play, the size.

    PYTHONPATH=. python scripts/measure_live.py [--steps 200] [--page FILE] [--keep FILE]

Records ``--steps`` steps of MLP(2, [16, 16, 1]) on 100 moons with ``autograd.live.Live`` (or opens
``--page``), then in Chromium (playwright, /usr/bin/chromium):

- frame change: ``autograd.goto(k)`` for every k, each followed by a forced style and layout
  (``getBoundingClientRect``), so the time is the script and DOM work a frame costs (paint and
  compositing come after; the probe graph is never laid out again: explorer.update changes text and
  colours by element id). Also Chrome's own ScriptDuration + RecalcStyle + Layout per frame (CDP
  Performance.getMetrics), the median, 90th percentile and worst;
- play: frames shown per second of wall time while playing at 60 frames/s asked;
- page size in bytes.

The numbers are printed, not asserted: the machine is shared and timings vary with its load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def build(steps: int, path: Path) -> Path:
    from autograd.live import Live, make_moons
    from autograd.nn import MLP, SGD

    X, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=1)
    run = Live(
        model, X, y, optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9), title="MLP(2, [16, 16, 1]) on moons"
    )
    for k in range(steps):
        run.step()
        if k == steps // 2:
            run.optimizer.lr = 0.05  # an event for the curves
    return run.save(path)


def measure(page: Path, width: int = 1440, height: int = 1000) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        tab = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        start = time.perf_counter()
        tab.goto(page.resolve().as_uri())
        tab.wait_for_function("() => window.autograd && autograd.state().frames > 0", timeout=60000)
        opened = time.perf_counter() - start
        nodes = tab.evaluate("autograd.state().nodes.length")
        frames = tab.evaluate("autograd.state().frames")
        # warm up: every frame once (the JIT, the decoded frames), then measure two passes
        tab.evaluate("() => { for (let k = 0; k < autograd.state().frames; k++) autograd.goto(k); }")
        per_frame = tab.evaluate(
            """() => {
              const n = autograd.state().frames, times = [];
              for (let pass = 0; pass < 2; pass++) for (let k = 0; k < n; k++) {
                const t = performance.now();
                autograd.goto(pass ? n - 1 - k : k);
                document.body.getBoundingClientRect();   // style and layout, forced now
                times.push(performance.now() - t);
              }
              return times;
            }"""
        )
        cdp = tab.context.new_cdp_session(tab)
        cdp.send("Performance.enable")

        def metrics() -> dict[str, float]:
            return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

        before = metrics()
        tab.evaluate(
            "() => { const n = autograd.state().frames; for (let k = 0; k < n; k++) "
            "{ autograd.goto(k); document.body.getBoundingClientRect(); } }"
        )
        after = metrics()
        work = sum(after[k] - before[k] for k in ("ScriptDuration", "RecalcStyleDuration", "LayoutDuration"))
        chrome_ms = 1000 * work / frames
        tab.evaluate("autograd.goto(0); autograd.setSpeed(60); autograd.play()")
        tab.wait_for_timeout(3000)
        played = tab.evaluate("AutogradLive.views[0].measured")
        tab.evaluate("autograd.pause()")
        browser.close()
    if errors:
        print("errors in the page:", *errors, sep="\n  ", file=sys.stderr)
    per_frame.sort()
    return {
        "size": page.stat().st_size,
        "frames": frames,
        "nodes": nodes,
        "open_s": opened,
        "median_ms": statistics.median(per_frame),
        "p90_ms": per_frame[int(0.9 * len(per_frame))],
        "max_ms": per_frame[-1],
        "chrome_ms": chrome_ms,
        "fps": played["frames"] / played["seconds"] if played and played["seconds"] else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--page", type=Path, help="measure this page instead of recording one")
    parser.add_argument("--keep", type=Path, help="write the recorded page here")
    args = parser.parse_args(argv)
    if args.page:
        page = args.page
    else:
        target = args.keep or Path(tempfile.mkdtemp()) / "live.html"
        started = time.perf_counter()
        page = build(args.steps, target)
        print(f"recorded {args.steps} steps in {time.perf_counter() - started:.1f} s")
    r = measure(page)
    print(
        f"page: {r['size']:,} bytes ({r['size'] / 1e6:.2f} MB), {r['frames']} frames, "
        f"probe graph of {r['nodes']} Values; opened in {r['open_s']:.2f} s"
    )
    print(
        f"frame change (script + style + layout, forced): median {r['median_ms']:.1f} ms, 90% {r['p90_ms']:.1f} ms, "
        f"worst {r['max_ms']:.1f} ms (target 16 ms)"
    )
    print(f"Chrome's ScriptDuration + RecalcStyle + Layout per frame change: {r['chrome_ms']:.1f} ms")
    print(f"play at 60 frames/s asked: {r['fps']:.1f} frames/s shown (target 20)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
