"""Live.serve(): the page from 127.0.0.1, frames by server-sent events, controls reaching step()."""

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from autograd.live import Live, encoding, make_moons
from autograd.nn import MLP, SGD


@pytest.fixture
def live():
    X, y = make_moons(12, noise=0.1, seed=1)
    model = MLP(2, [4, 1], seed=0)
    return Live(model, X, y, optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9))


@pytest.fixture
def served(live):
    server = live.serve()
    yield live, server
    server.close()


def post(server, action, headers=None):
    body = json.dumps(action).encode()
    request = urllib.request.Request(
        server.url + "control", body, {"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class Stream:
    """An SSE client reading events (kind, id, data) in a thread of its own."""

    def __init__(self, server, path="events", headers=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        self.connection.request("GET", "/" + path, headers=headers or {})
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"
        self.events = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        event = {}
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if not line:
                    if "data" in event:
                        self.events.append(event)
                    event = {}
                elif line.startswith(("event: ", "id: ", "data: ")):
                    key, _, value = line.partition(": ")
                    event[key] = value
        except (OSError, ValueError):
            pass

    def wait(self, count, kind="frame", timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events if e.get("event") == kind]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"only {self.events!r} after {timeout} s")

    def close(self):
        self.connection.close()


def test_the_server_listens_on_loopback_only(served):
    _, server = served
    assert server.address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}/"
    others = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP: no packet is sent, it only picks the outgoing interface
            others.add(probe.getsockname()[0])
        except OSError:
            pass
    others.discard("127.0.0.1")
    others = {a for a in others if not a.startswith("127.")}
    if not others:
        pytest.skip("this machine has no address other than loopback to try")
    for address in others:
        with pytest.raises(OSError), socket.create_connection((address, server.port), timeout=2):
            pass


def test_a_request_addressed_to_another_name_is_refused(served):
    # a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) must get nothing
    live, server = served
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/", headers={"Host": f"attacker.example:{server.port}"})
    assert connection.getresponse().status == 403
    connection.close()
    status, answer = post(server, {"action": "pause"}, {"Origin": "http://attacker.example"})
    assert status == 403 and answer["ok"] is False
    assert live.controls.paused is False


def test_bad_hosts_and_ports_are_refused(live):
    with pytest.raises(TypeError, match="host must be"):
        live.serve(host=None)
    with pytest.raises(ValueError, match="port must be an int"):
        live.serve(port=70000)


def test_the_served_page_holds_the_frames_so_far_and_where_to_resume(served):
    live, server = served
    live.step()
    with urllib.request.urlopen(server.url, timeout=30) as answer:
        html = answer.read().decode()
    spec = json.loads(html.split('id="live-spec">', 1)[1].split("</script>", 1)[0])
    frames = json.loads(html.split('id="live-frames">', 1)[1].split("</script>", 1)[0])
    assert spec["live"] is True and spec["events"] == "events?from=2"
    assert frames["count"] == 2


def test_server_sent_events_deliver_each_new_frame_exactly(served):
    live, server = served
    stream = Stream(server, f"events?from={len(live.frames)}")
    time.sleep(0.2)
    for _ in range(3):
        live.step()
    events = stream.wait(3)
    assert [e["id"] for e in events] == ["1", "2", "3"]
    for event, frame in zip(events, live.frames[1:]):
        (decoded,) = encoding.decode(json.loads(event["data"]))
        assert decoded["step"] == frame.step and decoded["loss"] == frame.loss
        assert encoding.floats64(decoded["probe"]["data"]) == frame.probe_data
        assert encoding.floats32(decoded["params"]) == frame.params
    stream.close()


def test_a_stream_resumes_after_the_last_event_it_saw(served):
    live, server = served
    for _ in range(3):
        live.step()
    stream = Stream(server, headers={"Last-Event-ID": "1"})
    events = stream.wait(2)
    assert [e["id"] for e in events[:2]] == ["2", "3"]
    stream.close()


def test_pause_holds_step_until_step_or_play_arrives(served):
    live, server = served
    assert post(server, {"action": "pause"}) == (200, {"ok": True})
    done = []

    def train():
        for _ in range(3):
            live.step()
            done.append(len(live.frames))

    trainer = threading.Thread(target=train)
    trainer.start()
    time.sleep(0.5)
    assert done == []  # paused: the first step waits
    assert post(server, {"action": "step"}) == (200, {"ok": True})
    deadline = time.monotonic() + 20
    while not done and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert done == [2]  # one step, then it waits again
    assert post(server, {"action": "play"}) == (200, {"ok": True})
    trainer.join(timeout=30)
    assert done == [2, 3, 4]


def test_closing_the_server_lets_a_paused_step_go_on(live):
    server = live.serve()
    post(server, {"action": "pause"})
    trainer = threading.Thread(target=live.step)
    trainer.start()
    time.sleep(0.3)
    assert trainer.is_alive()
    server.close()
    trainer.join(timeout=20)
    assert not trainer.is_alive() and len(live.frames) == 2


def test_a_learning_rate_from_the_page_reaches_the_optimizer_at_the_next_step(served):
    live, server = served
    assert post(server, {"action": "lr", "value": 0.01}) == (200, {"ok": True})
    assert live.optimizer.lr == 0.05  # not while a step may be running: at the next one
    live.step()
    assert live.optimizer.lr == 0.01
    (frame,) = encoding.decode(live.encode(live.frames[-1:]))
    assert frame["lr"] == 0.01 and frame["events"][0]["kind"] == "lr"


def test_a_point_from_the_page_joins_the_data_and_is_streamed(served):
    live, server = served
    stream = Stream(server)
    time.sleep(0.2)
    count = len(live.X)
    assert post(server, {"action": "point", "x": [0.25, -0.5], "y": 1}) == (200, {"ok": True})
    live.step()
    assert len(live.X) == count + 1 and live.X[-1] == [0.25, -0.5] and live.y[-1] == 1.0
    (data,) = stream.wait(1, "data")
    assert json.loads(data["data"])["X"][-1] == [0.25, -0.5]
    frame = stream.wait(1)[0]
    (decoded,) = encoding.decode(json.loads(frame["data"]))
    assert "point added" in decoded["events"][0]["text"]
    stream.close()


@pytest.mark.parametrize(
    ("action", "match"),
    [
        ({"action": "jump"}, "unknown control 'jump'"),
        ({"action": "lr", "value": -1}, "learning rate must be >= 0"),
        ({"action": "lr", "value": "fast"}, "the learning rate must be a number"),
        ({"action": "point", "x": [1.0], "y": 1}, "a point needs x, a list of 2 numbers"),
        ({"action": "point", "x": [1.0, 2.0], "y": 7}, r"a point's y must be one of the labels \[-1.0, 1.0\]"),
        ([1, 2], "unknown control None"),
    ],
)
def test_a_bad_control_is_refused_with_its_reason(served, action, match):
    import re

    live, server = served
    status, answer = post(server, action)
    assert status == 400 and answer["ok"] is False and re.search(match, answer["error"]), answer
    assert live.controls._actions == []


def test_a_control_that_is_not_json_is_refused(served):
    live, server = served
    request = urllib.request.Request(server.url + "control", b"action=pause", {"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 415
    assert live.controls.paused is False
