"""``Live.show()``: the live page in Jupyter (JupyterLab, Notebook, VS Code, Colab), updated while
the training cell runs.

An anywidget (imported here only) puts the page in an ``iframe srcdoc`` and hands each new chunk
of frames to it with ``postMessage`` (at most ``max_rate`` chunks a second; frames recorded in
between travel together). The widget's model keeps every chunk from the moment it exists, so a
view that renders late, or again, misses none. The output also carries the page as ``text/html``,
refreshed with every frame when a cell that recorded some ends: a notebook exported or opened
without a kernel still shows the whole replay.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .recorder import Live

ESM = """
const CHUNKS = new WeakMap();  // per widget model: every chunk since the model was made

function initialize({ model }) {
  const chunks = [];
  CHUNKS.set(model, chunks);
  model.on("msg:custom", (message) => {
    if (message && message.chunk) chunks.push(message);
  });
}

function render({ model, el }) {
  const iframe = document.createElement("iframe");
  iframe.title = model.get("title");
  iframe.style.cssText = "width: 100%; border: 1px solid #dee2e6; border-radius: 4px";
  iframe.style.height = model.get("height") + "px";
  let loaded = false;
  let sent = 0;  // chunks of CHUNKS handed to this view's page
  const forward = () => {
    const chunks = CHUNKS.get(model) || [];
    for (; loaded && sent < chunks.length; sent++) {
      if (chunks[sent].start >= model.get("count")) {  // frames the page does not hold yet
        iframe.contentWindow.postMessage({ autograd: "live-frame", frame: chunks[sent].chunk }, "*");
      }
    }
  };
  iframe.addEventListener("load", () => { loaded = true; sent = 0; forward(); });
  const load = () => { loaded = false; iframe.srcdoc = model.get("html"); };
  model.on("change:html", load);
  model.on("msg:custom", () => setTimeout(forward, 0));  // after initialize's listener has kept it
  load();
  el.appendChild(iframe);
  return () => { model.off("change:html", load); };
}

export default { initialize, render };
"""


def _widget_class() -> type:
    import anywidget
    import traitlets

    class LiveWidget(anywidget.AnyWidget):
        """The live page in an iframe; new frames arrive as custom messages."""

        _esm = ESM
        html = traitlets.Unicode("").tag(sync=True)
        count = traitlets.Int(0).tag(sync=True)  # frames inlined in html
        height = traitlets.Int(760).tag(sync=True)
        title = traitlets.Unicode("").tag(sync=True)

    return LiveWidget


class LiveDisplay:
    """The shown live view: ``.widget`` (the anywidget), ``.flush()`` sends frames waiting for the
    throttle now, ``.close()`` stops updating."""

    def __init__(self, live: Live, height: int, max_rate: float) -> None:
        if not (isinstance(max_rate, (int, float)) and 0 < max_rate < float("inf")):
            raise ValueError(f"Live.show: max_rate must be a number of updates a second > 0, got {max_rate!r}")
        self.live = live
        self.interval = 1.0 / max_rate
        self._pending: list[Any] = []
        self._start = 0
        self._last = 0.0
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._dirty = False
        self.widget = _widget_class()(height=int(height), title=live.title)
        self._snapshot()
        live._listeners.append(self._on_frame)
        from IPython import get_ipython

        shell = get_ipython()
        self._shell = shell
        if shell is not None:
            shell.events.register("post_run_cell", self._after_cell)
        from IPython.display import display

        self._handle = display(self._bundle(), raw=True, display_id=True)

    def _snapshot(self) -> None:
        """The page with every frame so far into the widget (and so into the output's HTML)."""
        with self.live._lock:
            page = self.live.page()
            count = len(self.live.frames)
        self._page = page
        self.widget.count = count
        self.widget.html = page.html
        self._start = count

    def _bundle(self) -> dict[str, Any]:
        data = self.widget._repr_mimebundle_()
        data = data[0] if isinstance(data, tuple) else dict(data)
        data["text/html"] = self._page._repr_html_()
        data["text/plain"] = repr(self.live)
        return data

    def _on_frame(self, kind: str, payload: Any) -> None:
        if kind != "frame":
            return
        with self._lock:
            self._pending.append(self.live.frames[-1])
            self._dirty = True
            wait = self._last + self.interval - time.monotonic()
            if wait > 0:
                if self._timer is None:
                    self._timer = threading.Timer(wait, self.flush)
                    self._timer.daemon = True
                    self._timer.start()
                return
        self.flush()

    def flush(self) -> None:
        """Send the frames waiting for the throttle, as one chunk."""
        with self._lock:
            frames, self._pending = self._pending, []
            self._timer = None
            self._last = time.monotonic()
            start = self._start
            self._start += len(frames)
        if frames:
            self.widget.send({"start": start, "chunk": self.live.encode(frames)})

    def _after_cell(self, *args: Any) -> None:
        if not self._dirty:
            return
        self.flush()
        self._dirty = False
        self._snapshot()
        self._handle.update(self._bundle(), raw=True)

    def close(self) -> None:
        """Stop updating this view (the page stays as it is)."""
        if self._on_frame in self.live._listeners:
            self.live._listeners.remove(self._on_frame)
        if self._shell is not None:
            with contextlib.suppress(ValueError):
                self._shell.events.unregister("post_run_cell", self._after_cell)

    def __repr__(self) -> str:
        return f"<live view of {self.live!r} in Jupyter>"

    def _ipython_display_(self) -> None:
        pass  # shown once, where show() was called: a cell ending in live.show() adds no second copy


def show(live: Live, *, height: int = 760, max_rate: float = 10.0) -> LiveDisplay:
    """Display ``live``'s page in Jupyter, updated as frames are recorded; returns the display."""
    try:
        import anywidget  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f'Live.show() needs anywidget (pip install anywidget, or pip install -e ".[jupyter]"): {error}'
        ) from None
    return LiveDisplay(live, height, max_rate)
