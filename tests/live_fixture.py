"""A stand-in for autograd.live until its Live(...).save() exists: pages that follow LIVE_CONTRACT.md.

Frames are plain JSON (``tests/fixtures/live_data_fixture.js`` decodes them into the contract's
typed arrays); the forward script is written from the op table (jsgen.forward_js) by tracing the
model once on Values, as the contract asks of the real one.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.nn import MLP
from autograd.nn.losses import hinge
from autograd.nn.optim import SGD
from autograd.ops import OPS
from autograd.pages import asset, document, json_script
from autograd.pages.jsgen import engine_js, forward_js
from autograd.viz.explorer import explorer_data
from autograd.viz.model import walk

HERE = Path(__file__).parent


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * (i // 2) / (n // 2)
        if i % 2 == 0:
            x = [math.cos(t), math.sin(t)]
            label = -1.0
        else:
            x = [1 - math.cos(t), 0.5 - math.sin(t)]
            label = 1.0
        X.append([x[0] + rng.gauss(0, noise), x[1] + rng.gauss(0, noise)])
        y.append(label)
    return X, y


def _network(model: MLP, dim: int) -> dict[str, Any]:
    names = {p: i for i, (_, p) in enumerate(model.named_parameters())}
    layers, previous = [], [f"x{j}" for j in range(dim)]
    for li, layer in enumerate(model.layers):
        row = []
        for ni, neuron in enumerate(layer.neurons):
            row.append(
                {
                    "name": f"layers.{li}.neurons.{ni}",
                    "activation": neuron.activation,
                    "weights": [{"param": names[w], "from": previous[k]} for k, w in enumerate(neuron.w)],
                    "bias": names[neuron.b],
                    "id": f"n{li}.{ni}",
                }
            )
        layers.append(row)
        previous = [n["id"] for n in row]
    return {"inputs": [f"x{j}" for j in range(dim)], "layers": layers}


def forward_script(model: MLP, dim: int) -> str:
    """window.AutogradLiveForward from one trace of the model on Values, each op spelled by jsgen."""
    params = [p for _, p in model.named_parameters()]
    xs = [Value(0.0, label=f"x{j}") for j in range(dim)]
    outs, h = [], xs
    for layer in model.layers:
        h = [n(h) for n in layer.neurons]
        outs.extend(h)
    where: dict[Value, str] = {p: f"p[{i}]" for i, p in enumerate(params)}
    where.update({x: f"x[{j}]" for j, x in enumerate(xs)})
    lines, count = [], 0
    for node in walk(outs):
        if node in where:
            continue
        if not node.children:
            where[node] = repr(float(node.data))
            continue
        text = forward_js(node.op, OPS[node.op])
        args = dict(zip("xy", (where[c] for c in node.children)))
        text = "".join(args.get(t, t) for t in _split(text))
        where[node] = f"t{count}"
        lines.append(f"  var t{count} = {text};")
        count += 1
    body = "\n".join(lines)
    result = "\n".join(f"  out[{k}] = {where[o]};" for k, o in enumerate(outs))
    return (
        "(function () {\n var H = autogradEngine.helpers, math = H.math, div = H.div, pow = H.pow, _relu = H._relu,"
        " _sigmoid = H._sigmoid, _sign = H._sign, _pow = H._pow, _max = H._max, _min = H._min;\n"
        f" window.AutogradLiveForward = function (x, p) {{\n  var out = new Float64Array({len(outs)});\n"
        f"{body}\n{result}\n  return out;\n }};\n}})();"
    )


def _split(text: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z_][\w.]*|.", text)


def _probe_graph(model: MLP, x: list[float], y: float) -> Value:
    return hinge([model(x)], [y])


def fixture(steps: int = 30, *, n: int = 100, seed: int = 1, lr: float = 0.1, dim: int = 2) -> tuple[dict, list]:
    """(spec, frames) of a short training run of MLP(dim, [16, 16, 1]) on moons (dim 2) or a random blob."""
    X, y = moons(n)
    if dim != 2:
        rng = random.Random(seed)
        X = [[rng.uniform(-1, 1) for _ in range(dim)] for _ in range(n)]
        y = [1.0 if sum(x) > 0 else -1.0 for x in X]
    model = MLP(dim, [16, 16, 1], seed=seed)
    named = model.named_parameters()
    params = [p for _, p in named]
    opt = SGD(params, lr=lr, momentum=0.9)
    probe = 3
    root = _probe_graph(model, X[probe], y[probe])
    explorer = explorer_data(root, module=model)
    order = walk([root])
    recorded = [f"v{i}" for i, node in enumerate(order) if node.requires_grad]
    frames = []
    grads = update = None

    def record(k: int, loss: float, events: list) -> None:
        root = _probe_graph(model, X[probe], y[probe])
        model.zero_grad()
        root.backward()
        order = walk([root])
        live = [node for node in order if node.requires_grad]
        scores = [model(x).data for x in X]
        accuracy = sum((s > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
        frames.append(
            {
                "step": k,
                "loss": loss,
                "accuracy": accuracy,
                "lr": opt.lr,
                "events": events,
                "params": [p.data for p in params],
                "grads": grads,
                "update": update,
                "state": {"momentum": [v or 0.0 for v in opt.velocity]},
                "probe": {"data": [v.data for v in live], "grad": [v.grad for v in live]},
            }
        )
        model.zero_grad()

    loss0 = hinge([model(x) for x in X], y).data
    record(0, loss0, [])
    for k in range(1, steps + 1):
        model.zero_grad()
        loss = hinge([model(x) for x in X], y)
        loss.backward()
        grads = [p.grad for p in params]
        before = [p.data for p in params]
        events = []
        if k == steps // 2:
            opt.lr = lr / 2
            events.append({"kind": "lr", "text": f"learning rate {lr} -> {lr / 2}"})
        opt.step()
        update = [p.data - b for p, b in zip(params, before)]
        record(k, loss.data, events)
    spec = {
        "kind": "live",
        "title": f"MLP({dim}, [16, 16, 1]) learning {'moons' if dim == 2 else 'a blob'}",
        "version": 1,
        "params": [name for name, _ in named],
        "data": {"X": X, "y": y, "dim": dim, "classes": [-1.0, 1.0]},
        "task": "binary",
        "loss": "hinge",
        "optimizer": {"kind": "SGD", "state": ["momentum"]},
        "network": _network(model, dim),
        "forward": {
            "neurons": [n["id"] for layer in _network(model, dim)["layers"] for n in layer],
            "outputs": [sum(len(layer.neurons) for layer in model.layers) - 1],
        },
        "probe": {"index": probe, "explorer": explorer, "recorded": recorded},
        "live": False,
    }
    return spec, frames


def page(spec: dict, frames: list) -> str:
    body = "\n".join(
        [
            '<main id="live" class="ag-page ag-live"></main>',
            json_script("live-spec", spec),
            json_script("live-frames", {"format": "fixture-json", "frames": frames}),
        ]
    )
    model_script = spec.pop("_forward", "")
    boot = (
        'AutogradLive.mount(document.getElementById("live"), AutogradPages.data("live-spec"), '
        'AutogradPages.data("live-frames"), {keys: true, hash: true});'
    )
    script = "\n".join([engine_js(strict=False), (HERE / "fixtures" / "live_data_fixture.js").read_text(), model_script, boot])
    return document(
        spec["title"],
        body,
        assets=("explorer.css", "live.css", "vendor/panzoom/panzoom.min.js", "explorer.js", "live.js"),
        script=script,
    )


def write(path: str | Path, steps: int = 30, dim: int = 2) -> Path:
    spec, frames = fixture(steps, dim=dim)
    model = None  # the forward script needs the model at its structure only: rebuild it as fixture() did
    model = MLP(dim, [16, 16, 1], seed=1)
    spec["_forward"] = forward_script(model, dim)
    Path(path).write_text(page(spec, frames), encoding="utf-8")
    return Path(path)


if __name__ == "__main__":
    import sys

    print(write(sys.argv[1] if len(sys.argv) > 1 else "/tmp/live_fixture.html", int(sys.argv[2]) if len(sys.argv) > 2 else 30))
    _ = json
    _ = asset
