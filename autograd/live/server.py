"""``Live.serve()``: the live page from a local server, new frames pushed by server-sent events.

Standard library only (``http.server``). ``GET /`` is the page with the frames so far,
``GET /events`` the stream (``event: frame``, one encoded frame per event, its index as the
event id, so a reconnecting page resumes where it was; ``event: data`` when points were added),
``POST /control`` takes ``{"action": "pause" | "play" | "step"}``, ``{"action": "lr", "value": x}``
or ``{"action": "point", "x": [...], "y": label}``, which reach the training loop's next ``step()``.

It listens on 127.0.0.1 unless the caller names another host. Whatever it listens on, it answers
only requests addressed to the name it serves (the Host header: a web page elsewhere that points
a name of its own at 127.0.0.1 gets nothing), and takes controls only from its own page.
"""

from __future__ import annotations

import ipaddress
import json
import queue
import socket
import threading
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from .recorder import Live

__all__ = ["LOOPBACK", "LiveServer"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
KEEPALIVE = 15.0  # seconds between comments on an idle stream, so that proxies and browsers keep it
MAX_BODY = 65536


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LiveServer:
    """A running live server: ``.url`` to open, ``.close()`` to stop it (also as a ``with`` block)."""

    def __init__(self, live: Live, port: int = 0, host: str = "127.0.0.1", *, open_browser: bool = False) -> None:
        if not isinstance(host, str) or not host:
            raise TypeError(f"Live.serve: host must be a host name or address such as '127.0.0.1', got {host!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"Live.serve: port must be an int from 0 (any free port) to 65535, got {port!r}")
        self.live = live
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type("_LiveServer", (_Server,), {"address_family": family})
        self._clients: list[queue.Queue[tuple[str, Any] | None]] = []
        self._clients_lock = threading.Lock()
        self._closed = threading.Event()
        self._httpd = server_class((host, port), _handler(self))
        self.port = self._httpd.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/"
        # the names a request may be addressed to: the loopback names when bound there, else the host given
        self._names = {f"{name}:{self.port}" for name in ("127.0.0.1", "localhost", "[::1]")}
        self._names.add(f"{shown}:{self.port}")
        # served beyond this machine because the caller said so: any name that reaches it is fine
        self.loopback = _is_loopback(host)
        live._listeners.append(self._publish)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="autograd-live-server", daemon=True)
        self._thread.start()
        if open_browser:
            webbrowser.open(self.url)

    @property
    def address(self) -> tuple[str, int]:
        """The address the socket listens on (host, port)."""
        return self._httpd.server_address[:2]

    def _publish(self, kind: str, payload: Any) -> None:
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            client.put((kind, payload))

    def page_html(self) -> str:
        """The page as served now: every frame so far, spec.live true, and where to resume the stream."""
        live = self.live
        with live._lock:
            count = len(live.frames)
            spec = live.spec(live=True)
            spec["events"] = f"events?from={count}"
            frames = live.encode()
        from .page import live_page

        return live_page(live, spec, frames).html

    def close(self) -> None:
        """Stop serving: streams end, a ``step()`` waiting on a paused page goes on."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._publish in self.live._listeners:
            self.live._listeners.remove(self._publish)
        self._publish("close", None)
        self.live.controls.release()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<live server at {self.url}{' (closed)' if self._closed.is_set() else ''}>"


def _handler(server: LiveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "autograd-live"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the training loop's output is the user's

        def _addressed_to_us(self) -> bool:
            host = self.headers.get("Host", "")
            if host in server._names or not server.loopback:
                return True
            self._send(HTTPStatus.FORBIDDEN, b"not addressed to this server\n", "text/plain; charset=utf-8")
            return False

        def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: HTTPStatus, data: dict[str, Any]) -> None:
            self._send(status, json.dumps(data).encode("utf-8"), "application/json")

        def do_GET(self) -> None:
            if not self._addressed_to_us():
                return
            url = urlsplit(self.path)
            if url.path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, server.page_html().encode("utf-8"), "text/html; charset=utf-8")
            elif url.path == "/events":
                self._events(parse_qs(url.query))
            else:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

        def _events(self, query: dict[str, list[str]]) -> None:
            live = server.live
            resume = self.headers.get("Last-Event-ID")
            try:
                start = int(resume) + 1 if resume is not None else int(query.get("from", ["-1"])[0])
            except ValueError:
                start = -1
            client: queue.Queue[tuple[str, Any] | None] = queue.Queue()
            with live._lock:  # no frame slips between the catch-up and the subscription
                count = len(live.frames)
                start = count if start < 0 else min(start, count)
                missed = [(k, live.encode([live.frames[k]])) for k in range(start, count)]
                with server._clients_lock:
                    server._clients.append(client)
            index = count
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                self.wfile.write(b"retry: 1000\n\n")
                for k, chunk in missed:
                    self._event("frame", chunk, k)
                self.wfile.flush()
                while not server._closed.is_set():
                    try:
                        item = client.get(timeout=KEEPALIVE)
                    except queue.Empty:
                        self.wfile.write(b": still here\n\n")
                        self.wfile.flush()
                        continue
                    if item is None or item[0] == "close":
                        break
                    kind, payload = item
                    if kind == "frame":
                        self._event("frame", payload, index)
                        index += 1
                    else:
                        self._event(kind, payload, None)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the page went away
            finally:
                with server._clients_lock:
                    if client in server._clients:
                        server._clients.remove(client)

        def _event(self, kind: str, payload: Any, index: int | None) -> None:
            text = f"event: {kind}\n" + (f"id: {index}\n" if index is not None else "")
            text += f"data: {json.dumps(payload, separators=(',', ':'))}\n\n"
            self.wfile.write(text.encode("utf-8"))

        def do_POST(self) -> None:
            if not self._addressed_to_us():
                return
            if urlsplit(self.path).path != "/control":
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
                return
            origin = self.headers.get("Origin")
            foreign = origin is not None and origin != "null" and urlsplit(origin).netloc not in server._names
            if foreign and (server.loopback or urlsplit(origin).netloc != self.headers.get("Host")):
                self._json(HTTPStatus.FORBIDDEN, {"ok": False, "error": f"controls come from the page, not {origin}"})
                return
            if self.headers.get_content_type() != "application/json":
                self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"ok": False, "error": "send JSON (application/json)"})
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if not 0 < length <= MAX_BODY:
                self._json(HTTPStatus.BAD_REQUEST, {"ok": False, "error": "a control is a small JSON object"})
                return
            try:
                action = json.loads(self.rfile.read(length))
                server.live.controls.act(action)
            except (ValueError, TypeError) as error:
                self._json(HTTPStatus.BAD_REQUEST, {"ok": False, "error": str(error)})
                return
            self._json(HTTPStatus.OK, {"ok": True})

    return Handler
