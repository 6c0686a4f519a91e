"""``Live``: train a model step by step and record what the live page shows of each step.

A frame is one moment of training: the step, the loss and accuracy of the batch, the learning
rate, events (a learning-rate change, a non-finite value caught, a note), every parameter
(float32), the gradient the step used, the last update, the optimizer's state, and the probe
example's whole graph, data and gradients exact. The probe graph is rebuilt each frame by running
the model on the probe example; its nodes are keyed by their place in the deterministic walk
(``v0, v1, ...``, as the explorer names them), so the page lays it out once.
"""

from __future__ import annotations

import math
import numbers
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import backward as _backward
from ..errors import OperationError
from ..modes import detect_anomaly
from ..value import Value
from ..viz import model as _model
from . import encoding
from .encoding import Frame, floats32, floats64

__all__ = ["Live", "StructureError"]

Loss = Callable[[Any, Any], Value]


class StructureError(ValueError):
    """The probe example's graph changed shape between frames, so its nodes cannot keep their keys."""


def _short(x: object, limit: int = 60) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _finite(where: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = "; use its .data" if isinstance(x, Value) else ""
        raise TypeError(f"Live: {where} must be a number, got {_short(x)} ({type(x).__name__}){hint}")
    number = float(x)
    if not math.isfinite(number):
        raise ValueError(f"Live: {where} must be a finite number, got {number!r}")
    return number


def _rows(X: Any) -> list[list[float]]:
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise TypeError(f"Live: X must be a list of examples (lists of numbers), got {_short(X)}")
    rows = []
    for i, row in enumerate(X):
        if isinstance(row, (numbers.Real, Value, str, bytes)) or not hasattr(row, "__iter__"):
            raise TypeError(f"Live: X[{i}] must be a list of numbers (one example), got {_short(row)}")
        rows.append([_finite(f"X[{i}][{j}]", v) for j, v in enumerate(row)])
    if not rows:
        raise ValueError("Live: X holds no examples")
    dim = len(rows[0])
    if dim == 0:
        raise ValueError("Live: X[0] has no numbers; an example needs at least one input")
    for i, row in enumerate(rows):
        if len(row) != dim:
            raise ValueError(f"Live: X[{i}] has {len(row)} numbers but X[0] has {dim}; every example needs the same")
    return rows


def _labels(y: Any, count: int) -> list[float | int]:
    if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
        raise TypeError(f"Live: y must be a list of targets, one per example, got {_short(y)}")
    labels: list[float | int] = []
    for i, t in enumerate(y):
        if isinstance(t, numbers.Integral) and not isinstance(t, bool):
            labels.append(int(t))
        else:
            labels.append(_finite(f"y[{i}]", t))
    if len(labels) != count:
        raise ValueError(f"Live: {count} examples in X but {len(labels)} targets in y")
    return labels


class Live:
    """Training with a live view: ``step()`` trains one step and records a frame; ``record()`` records
    a step run by your own loop; ``save(path)`` writes the replay page; ``serve()`` and ``show()``
    show it while it trains.

    ``loss(scores, y)`` gets the model's outputs for ``X`` (one per example) and the targets and
    returns a Value (default: ``hinge`` for labels -1/+1 and one output, ``cross_entropy`` for
    class indices, else ``mse``); ``optimizer`` defaults to ``SGD(model.parameters(), lr=0.05,
    momentum=0.9)``. ``probe`` is the index of the example whose whole graph each frame keeps.
    """

    def __init__(
        self,
        model: Any,
        X: Any,
        y: Any,
        loss: Loss | None = None,
        optimizer: Any = None,
        *,
        probe: int = 0,
        title: str | None = None,
    ) -> None:
        from ..nn import SGD, Optimizer, cross_entropy, hinge, mse

        if not callable(model) or not hasattr(model, "named_parameters"):
            raise TypeError(
                f"Live: model must be an autograd.nn Module (a callable with named_parameters()), got {_short(model)}"
            )
        self.model = model
        named = model.named_parameters()
        if not named:
            raise ValueError(f"Live: {_short(model)} has no parameters to train")
        self.names = [name for name, _ in named]
        self.params = [p for _, p in named]
        self._index = {p: i for i, p in enumerate(self.params)}
        self.X = _rows(X)
        self.y = _labels(y, len(self.X))
        self.dim = len(self.X[0])
        if isinstance(probe, bool) or not isinstance(probe, numbers.Integral):
            raise TypeError(f"Live: probe must be the index of an example in X (an int), got {_short(probe)}")
        if not 0 <= probe < len(self.X):
            raise IndexError(f"Live: probe {probe} is not an example of X, which has {len(self.X)}")
        self.probe = int(probe)

        first = model(self.X[self.probe])
        self.outputs = len(first) if isinstance(first, (list, tuple)) else 1
        self.task = self._task()
        if loss is None:
            loss = {"binary": hinge, "multiclass": cross_entropy}.get(self.task, mse)
            if self.task == "binary" and not set(self.y) <= {-1, 1}:
                from ..nn import binary_cross_entropy_with_logits

                loss = binary_cross_entropy_with_logits
        if not callable(loss):
            raise TypeError(f"Live: loss must be a function loss(scores, y) -> Value, got {_short(loss)}")
        self.loss = loss
        if optimizer is None:
            optimizer = SGD(self.params, lr=0.05, momentum=0.9)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"Live: optimizer must be an autograd.nn optimizer such as SGD(model.parameters(), lr=0.1), "
                f"got {_short(optimizer)}"
            )
        strangers = [i for i, p in enumerate(optimizer.params) if p not in self._index]
        if strangers:
            raise ValueError(
                f"Live: the optimizer's parameter {strangers[0]} is not a parameter of the model; "
                "build it from model.parameters()"
            )
        self.optimizer = optimizer
        self.state_names = self._state_names()
        self.title = title or f"Live: {type(model).__name__} on {len(self.X)} examples"

        self.frames: list[Frame] = []
        self.steps = 0
        self._lock = threading.RLock()
        self._listeners: list[Callable[[str, Any], None]] = []
        self._pending_events: list[dict[str, Any]] = []
        self._last_lr = optimizer.lr
        self._structure: tuple[Any, ...] | None = None
        self._recorded: list[int] = []
        self._walk_ids: list[str] = []
        self._explorer: dict[str, Any] | None = None
        self._traced: Any = None
        self.controls = _Controls(self)
        self._previous = [p.data for p in self.params]
        self._initial = list(self._previous)  # frame 0's parameters, exact: the explorer's graph is drawn at them
        self._append(self._frame(loss=None, accuracy=None, grads=None, before=self._previous))

    # ------------------------------------------------------------------ what the run is

    def _task(self) -> str:
        labels = set(self.y)
        if self.outputs == 1 and len(labels) <= 2 and (labels <= {-1, 1} or labels <= {0, 1}):
            return "binary"
        if self.outputs > 1 and all(isinstance(t, int) and 0 <= t < self.outputs for t in self.y):
            return "multiclass"
        return "regression"

    def _state_names(self) -> list[str]:
        from ..nn import SGD, Adam

        opt = self.optimizer
        if isinstance(opt, Adam):
            return ["mean", "square"]
        if isinstance(opt, SGD) and opt.momentum:
            return ["momentum"]
        return []

    def _state(self) -> dict[str, bytes]:
        opt = self.optimizer
        sources = {"momentum": "velocity", "mean": "mean", "square": "square"}
        state = {}
        for name in self.state_names:
            values = getattr(opt, sources[name], None) or []
            row = [0.0] * len(self.params)
            for p, v in zip(opt.params, values):
                row[self._index[p]] = 0.0 if v is None else v
            state[name] = floats32(row)
        return state

    # ------------------------------------------------------------------ training and recording

    def _scores(self) -> list[Any]:
        return [self.model(x) for x in self.X]

    def _accuracy(self, scores: Sequence[Any]) -> float | None:
        if self.task == "binary":
            negative = -1 if -1 in set(self.y) else 0
            right = sum(((s.data > 0) == (t != negative)) for s, t in zip(scores, self.y))
        elif self.task == "multiclass":
            right = sum(max(range(len(s)), key=lambda k: s[k].data) == t for s, t in zip(scores, self.y))
        else:
            return None
        return right / len(self.y)

    def step(self) -> float:
        """Train one step on all of ``X`` (forward, backward, the optimizer's step) and record a frame;
        returns the loss. While a served page has paused the run, waits for play or step. A value
        that is not finite is recorded as an event (its op and line) and raised."""
        self.controls.wait()
        with self._lock:
            self.controls.apply()
            try:
                scores = self._scores()
                loss = self.loss(scores, self.y)
                self.model.zero_grad()
                self.optimizer.zero_grad()
                loss.backward()
            except OperationError as error:
                self._anomaly(error)
                raise
            before = [p.data for p in self.params]
            grads = [0.0 if p.grad is None else float(p.grad) for p in self.params]
            self.optimizer.step()
            self.steps += 1
            frame = self._frame(float(loss.data), self._accuracy(scores), grads, before)
            self._append(frame)
            return float(loss.data)

    def record(self, loss: Value | float | None = None, *, scores: Sequence[Any] | None = None) -> None:
        """Record a frame after a step your own loop ran: the parameters as they are now, the ``.grad``
        they hold (the gradient the step used), ``loss`` (a Value or a number) and, from ``scores``
        (the model's outputs for X), the accuracy."""
        with self._lock:
            self.controls.apply()
            if isinstance(loss, Value):
                loss = loss.data
            loss_number = None if loss is None else _finite("record(loss=...)", loss)
            grads = [p.grad for p in self.params]
            if all(g is None for g in grads):
                grads_or_none = None
            else:
                grads_or_none = [0.0 if g is None else _finite("a parameter's .grad", g) for g in grads]
            accuracy = None if scores is None else self._accuracy(list(scores))
            self.steps += 1
            self._append(self._frame(loss_number, accuracy, grads_or_none, self._previous))

    def note(self, text: str) -> None:
        """Add a note to the next frame (shown as a marker on the loss curve)."""
        self._pending_events.append({"kind": "note", "text": str(text)})

    def _anomaly(self, error: OperationError) -> None:
        """Record the failed step as a frame with an anomaly event naming the op and the line."""
        found = error
        if "detect_anomaly" in str(error):
            try:  # once more, in anomaly mode, which knows the line that made the failing node
                with detect_anomaly():
                    self.model.zero_grad()
                    self.loss(self._scores(), self.y).backward()
            except OperationError as again:
                found = again
            self.model.zero_grad()
        message = str(found)
        site = re.search(r"\n  at (.+):(\d+)", message)
        event = {"kind": "anomaly", "text": message.split("\n")[0], "op": found.op}
        if site:
            event["line"] = f"{Path(site.group(1)).name}:{site.group(2)}"
            event["file"] = site.group(1)
        self._pending_events.append(event)
        self.steps += 1
        # the parameters did not move, and the probe's graph may fail as the batch did: frame before's probe
        self._append(self._frame(None, None, None, [p.data for p in self.params], probe=False))

    def _probe_root(self) -> Value:
        out = self.model(self.X[self.probe])
        root = self.loss([out], [self.y[self.probe]])
        if not isinstance(root, Value) or not root.requires_grad:
            raise TypeError(f"Live: the loss must return a Value that depends on the model, got {_short(root)}")
        return root

    def _probe(self) -> tuple[bytes, bytes]:
        root = self._probe_root()
        order = _model.walk([root])
        index = {node: i for i, node in enumerate(order)}
        structure = tuple((node.op, node.requires_grad, *(index[c] for c in node.children)) for node in order)
        if self._structure is None:
            self._structure = structure
            self._recorded = [i for i, node in enumerate(order) if node.requires_grad]
        elif structure != self._structure:
            raise StructureError(
                f"Live: the probe example's graph changed shape: frame 0 had {len(self._structure)} nodes, "
                f"this one has {len(structure)}"
                + _first_difference(self._structure, structure)
                + "; the live view keys nodes by their place in the graph, so the model must compute the same "
                "operations every step (no branching on numbers, no layers added)"
            )
        nodes = [order[i] for i in self._recorded]
        grads = _backward.grad(root, nodes)
        return floats64([node.data for node in nodes]), floats64(grads)

    def _frame(
        self,
        loss: float | None,
        accuracy: float | None,
        grads: list[float] | None,
        before: Sequence[float],
        probe: bool = True,
    ) -> Frame:
        after = [p.data for p in self.params]
        events = self._pending_events
        self._pending_events = []
        lr = self.optimizer.lr
        if lr != self._last_lr:
            text = f"learning rate {self._last_lr:g} -> {lr:g}"
            events.insert(0, {"kind": "lr", "text": text, "from": self._last_lr})
            self._last_lr = lr
        if probe:
            probe_data, probe_grad = self._probe()
        else:
            probe_data, probe_grad = self.frames[-1].probe_data, self.frames[-1].probe_grad
        frame = Frame(
            step=self.steps,
            loss=loss,
            accuracy=accuracy,
            lr=lr,
            events=events,
            params=floats32(after),
            grads=None if grads is None else floats32(grads),
            update=floats32([a - b for a, b in zip(after, before)]),
            state=self._state(),
            probe_data=probe_data,
            probe_grad=probe_grad,
        )
        self._previous = after
        return frame

    def _append(self, frame: Frame) -> None:
        self.frames.append(frame)
        if self._listeners:
            chunk = self.encode([frame], compress=True)
            for listener in list(self._listeners):
                listener("frame", chunk)

    # ------------------------------------------------------------------ encoding and the page

    def encode(self, frames: Sequence[Frame] | None = None, *, compress: bool = True) -> dict[str, Any]:
        """``frames`` (default: all recorded) in the compact encoding that ``live_data.js`` decodes."""
        chosen = self.frames if frames is None else frames
        return encoding.encode(
            chosen,
            params=len(self.params),
            state=self.state_names,
            probe=len(self._recorded),
            compress=compress,
        )

    def spec(self, *, live: bool = False) -> dict[str, Any]:
        """Everything fixed for the run, as the page reads it (LIVE_CONTRACT.md's ``spec``)."""
        from . import page

        with self._lock:
            return page.spec(self, live=live)

    def page(self, *, live: bool = False) -> Any:
        """The live page with every frame so far (a ``pages.Page``: ``.html``, ``.save``)."""
        from . import page

        with self._lock:
            spec = page.spec(self, live=live)
            frames = self.encode()
        return page.live_page(self, spec, frames)

    def save(self, path: str | Path) -> Path:
        """Write the replay page to ``path``: one HTML file that opens from ``file://`` with no network."""
        return self.page().save(path)

    def serve(self, port: int = 0, host: str = "127.0.0.1", *, open_browser: bool = False) -> Any:
        """Serve the page live on ``host`` (127.0.0.1 only unless you name another) and push each new
        frame to it; returns the server (``.url``, ``.close()``). The page's controls reach ``step()``."""
        from .server import LiveServer

        return LiveServer(self, port=port, host=host, open_browser=open_browser)

    def show(self, *, height: int = 760, max_rate: float = 10.0) -> Any:
        """Display the live page in Jupyter (an anywidget), updated as frames are recorded (at most
        ``max_rate`` times a second); the output also carries the replay for exported notebooks."""
        from .notebook import show

        return show(self, height=height, max_rate=max_rate)

    def __repr__(self) -> str:
        return f"<Live {self.title!r}: {len(self.frames)} frames, {len(self.params)} parameters>"


def _first_difference(a: tuple[Any, ...], b: tuple[Any, ...]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"; node v{i} was {x[0] or 'a leaf'!r} and is now {y[0] or 'a leaf'!r}"
    return ""


class _Controls:
    """What a served page asks of the training loop: pause, play, one step, a learning rate, a point."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.paused = False
        self._steps_allowed = 0
        self._changed = threading.Condition()
        self._actions: list[dict[str, Any]] = []

    def act(self, action: dict[str, Any]) -> None:
        """Check one action (raising ValueError or TypeError for a bad one) and queue it for the loop."""
        kind = action.get("action") if isinstance(action, dict) else None
        if kind == "lr":
            value = _finite("the learning rate", action.get("value"))
            if value < 0:
                raise ValueError(f"Live: the learning rate must be >= 0, got {value!r}")
            action = {"action": "lr", "value": value}
        elif kind == "point":
            x = action.get("x")
            if not isinstance(x, list) or len(x) != self.live.dim:
                raise ValueError(f"Live: a point needs x, a list of {self.live.dim} numbers, got {_short(x)}")
            x = [_finite("the point's x", v) for v in x]
            label = action.get("y")
            if self.live.task == "multiclass":
                if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < self.live.outputs:
                    raise ValueError(f"Live: a point's y must be a class index, got {_short(label)}")
            else:
                label = _finite("the point's y", label)
                if self.live.task == "binary" and label not in set(self.live.y):
                    raise ValueError(f"Live: a point's y must be one of the labels {sorted(set(self.live.y))}")
            action = {"action": "point", "x": x, "y": label}
        elif kind not in ("pause", "play", "step"):
            raise ValueError(f"Live: unknown control {kind!r}; send pause, play, step, lr or point")
        with self._changed:
            if kind == "pause":
                self.paused = True
            elif kind == "play":
                self.paused = False
            elif kind == "step":
                self._steps_allowed += 1
            else:
                self._actions.append(action)
            self._changed.notify_all()

    def wait(self, timeout: float | None = None) -> None:
        """Block while paused, until play, or one step, is sent."""
        with self._changed:
            while self.paused and not self._steps_allowed:
                if not self._changed.wait(timeout):
                    return
            if self.paused:
                self._steps_allowed -= 1

    def release(self) -> None:
        """Let a waiting step run (the server is closing)."""
        with self._changed:
            self.paused = False
            self._changed.notify_all()

    def apply(self) -> None:
        """Carry out the queued learning rates and points, in the training thread."""
        with self._changed:
            actions, self._actions = self._actions, []
        live = self.live
        for action in actions:
            if action["action"] == "lr":
                live.optimizer.lr = action["value"]
            else:
                live.X.append(action["x"])
                live.y.append(action["y"])
                live._pending_events.append(
                    {"kind": "note", "text": f"point added at {action['x']} with label {action['y']}"}
                )
                for listener in list(live._listeners):
                    listener("data", {"X": live.X, "y": live.y})
