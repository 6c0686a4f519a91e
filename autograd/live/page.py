"""The live page: the run's spec, the frames, the generated forward script, in one HTML file."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .. import pages
from ..pages import jsgen

if TYPE_CHECKING:
    from .recorder import Live

ASSETS = ("explorer.css", "live.css", "vendor/panzoom/panzoom.min.js", "explorer.js", "live_data.js", "live.js")
VIEWS_BUDGET = 1_200_000  # bytes of SVG for the probe graph with one neuron opened: the rest is the frames'
HEIGHT = 900

_BOOT = """\
(function () {
  var spec = AutogradPages.data("live-spec");
  var frames = AutogradPages.data("live-frames");
  AutogradLive.mount(document.getElementById("live"), spec, frames, { keys: true, hash: true });
})();"""


def _explorer(run: Live) -> dict[str, Any]:
    """The explorer's spec of the probe graph at frame 0's parameters (laid out once, then cached)."""
    if run._explorer is None:
        from ..viz.explorer import explorer_data

        now = [p.data for p in run.params]
        for p, v in zip(run.params, run._initial):
            p.data = v
        try:
            root = run._probe_root()
            run._explorer = explorer_data(root, module=run.model, views_budget=VIEWS_BUDGET)
        finally:
            for p, v in zip(run.params, now):
                p.data = v
    return run._explorer


def _traced(run: Live) -> Any:
    if run._traced is None:
        from .forward import trace_model

        run._traced = trace_model(run.model, run.dim, run._index, run.names)
    return run._traced


def spec(run: Live, *, live: bool = False) -> dict[str, Any]:
    """The run's spec (LIVE_CONTRACT.md): parameters, data, task, loss, optimizer, network, forward, probe."""
    from ..nn import SGD, Adam

    traced = _traced(run)
    explorer = _explorer(run)
    optimizer = run.optimizer
    about: dict[str, Any] = {"kind": type(optimizer).__name__, "state": list(run.state_names), "lr": optimizer.lr}
    if isinstance(optimizer, SGD):
        about["momentum"] = optimizer.momentum
    if isinstance(optimizer, Adam):
        about["betas"] = list(optimizer.betas)
        about["eps"] = optimizer.eps
    classes: list[Any] | None
    if run.task == "binary":
        classes = sorted(set(run.y))
    elif run.task == "multiclass":
        classes = list(range(run.outputs))
    else:
        classes = None
    return {
        "kind": "live",
        "title": run.title,
        "version": 1,
        "params": list(run.names),
        "data": {"X": run.X, "y": run.y, "dim": run.dim, "classes": classes},
        "task": run.task,
        "loss": getattr(run.loss, "__name__", type(run.loss).__name__),
        "optimizer": about,
        "network": traced.network,
        "forward": traced.forward,
        "probe": {"index": run.probe, "explorer": explorer, "recorded": [f"v{i}" for i in run._recorded]},
        "live": live,
    }


def forward_script(run: Live) -> str:
    """The pages' engine (for the helpers and the op table) and ``window.AutogradLiveForward``."""
    return jsgen.engine_js(strict=False) + "\n" + _traced(run).script


def live_page(run: Live, spec_data: dict[str, Any], frames: dict[str, Any]) -> pages.Page:
    """The whole page: spec and frames as JSON, the assets, the forward script and the boot."""
    body = "\n".join(
        [
            f'<main id="live" class="ag-page ag-live" aria-label="{html.escape(spec_data["title"])}"></main>',
            pages.json_script("live-spec", spec_data),
            pages.json_script("live-frames", frames),
        ]
    )
    script = forward_script(run) + "\n" + _BOOT
    text = pages.document(spec_data["title"], body, assets=ASSETS, script=script, connect=bool(spec_data["live"]))
    return pages.Page(text, spec_data["title"], height=HEIGHT)
