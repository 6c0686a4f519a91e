"""The live page: the run's spec, the frames, the generated forward script, in one HTML file."""

from __future__ import annotations

import base64
import html
import json
import zlib
from typing import TYPE_CHECKING, Any

from .. import pages
from ..pages import jsgen

if TYPE_CHECKING:
    from .recorder import Live

ASSETS = ("explorer.css", "live.css", "vendor/panzoom/panzoom.min.js", "explorer.js", "live_data.js", "live.js")
HEIGHT = 900

_BOOT = """\
(function () {
  var root = document.getElementById("live");
  var frames = AutogradPages.data("live-frames");
  // the probe's explorer data travels deflated (its diagrams are most of it): inflated before mount
  AutogradLive.inflateSpec(AutogradPages.data("live-spec"))
    .then(function (spec) {
      var view = AutogradLive.mount(root, spec, frames, { keys: true, hash: true });
      return view && view.ready;
    })
    .then(function () {
      // a page in an iframe (Jupyter) says when it listens for frames: the widget sends them then
      if (window.parent !== window) window.parent.postMessage({ autograd: "live-ready" }, "*");
    })
    .catch(function (error) {
      root.textContent = "The live view cannot start: " + error.message;
      throw error;
    });
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
            run._explorer = explorer_data(root, module=run.model)
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
        "probe": {
            "index": run.probe,
            "explorer": explorer,
            "recorded": [f"v{i}" for i in run._recorded],
            "constants": [f"v{i}" for i in run._constants],
        },
        "live": live,
    }


def forward_script(run: Live) -> str:
    """The pages' engine (for the helpers and the op table) and ``window.AutogradLiveForward``."""
    return jsgen.engine_js(strict=False) + "\n" + _traced(run).script


def packed(spec_data: dict[str, Any]) -> dict[str, Any]:
    """The spec as the page holds it: ``probe.explorer`` as ``probe.explorerz``, its JSON deflated in
    base64 (``AutogradLive.inflateSpec`` of live_data.js puts it back before the views mount)."""
    probe = dict(spec_data["probe"])
    text = json.dumps(probe.pop("explorer"), separators=(",", ":"), allow_nan=False)
    probe["explorerz"] = base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")
    return {**spec_data, "probe": probe}


def live_page(run: Live, spec_data: dict[str, Any], frames: dict[str, Any]) -> pages.Page:
    """The whole page: spec and frames as JSON, the assets, the forward script and the boot."""
    body = "\n".join(
        [
            f'<main id="live" class="ag-page ag-live" aria-label="{html.escape(spec_data["title"])}"></main>',
            pages.json_script("live-spec", packed(spec_data)),
            pages.json_script("live-frames", frames),
        ]
    )
    script = forward_script(run) + "\n" + _BOOT
    text = pages.document(spec_data["title"], body, assets=ASSETS, script=script, connect=bool(spec_data["live"]))
    return pages.Page(text, spec_data["title"], height=HEIGHT)
