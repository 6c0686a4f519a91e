"""The live view's recording (autograd.live): frames hold the engine's numbers, the encoding gives
them back bit for bit in Python and in JavaScript, the forward script computes the model's neurons,
bad input is refused by name."""

import json
import math
import shutil
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

import autograd
from autograd import Value, trace_backward
from autograd.live import Live, StructureError, encoding, make_moons
from autograd.live.forward import trace_model
from autograd.nn import MLP, SGD, Adam, Module, hinge, mse
from autograd.pages import jsgen
from autograd.viz.model import walk

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "autograd" / "pages"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="the JavaScript tests run in Node, which is not installed")


def f32(values):
    return array("f", values).tolist()


def small(seed=3, **options):
    X, y = make_moons(16, noise=0.1, seed=2)
    return MLP(2, [4, 4, 1], seed=seed, **options), X, y


def engine_probe(model, x, label, loss=hinge):
    """The probe example's graph by the engine's own pass: (data, grad) of every non-constant node in
    walk order, the grads from trace_backward (inner nodes' complete gradients, leaves' shares summed
    in step order, as backward sums them)."""
    root = loss([model(x)], [label])
    order = walk([root])
    steps = trace_backward(root)
    grad = {step.node: step.grad for step in steps}
    leaves = {}
    for step in steps:
        for share in step.shares:
            if not share.input.children:
                v = share.input
                leaves[v] = share.share if v not in leaves else leaves[v] + share.share
    nodes = [node for node in order if node.requires_grad]
    return [n.data for n in nodes], [grad[n] if n in grad else leaves[n] for n in nodes]


# ----------------------------------------------------------------------------- frames hold the engine's numbers


def test_each_frame_holds_the_engines_numbers_params_to_float32_and_the_probe_graph_exactly():
    steps = 6
    model, X, y = small()
    live = Live(model, X, y, loss=hinge, optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9), probe=3)
    for _ in range(steps):
        live.step()
    frames = encoding.decode(live.encode())
    assert len(frames) == steps + 1

    # the same training, by hand, on a twin of the model
    twin, _, _ = small()
    opt = SGD(twin.parameters(), lr=0.05, momentum=0.9)
    params = twin.parameters()
    before = [p.data for p in params]
    for k in range(steps + 1):
        frame = frames[k]
        data, grad = engine_probe(twin, X[3], y[3])
        assert frame["step"] == k
        assert frame["params"] == f32([p.data for p in params])
        assert frame["probe"]["data"] == data  # exact: float64 through the encoding
        assert frame["probe"]["grad"] == grad
        if k == 0:
            assert frame["grads"] is None and frame["loss"] is None and frame["update"] == [0.0] * len(params)
        else:
            assert frame["update"] == f32([p.data - b for p, b in zip(params, before)])
            assert frame["state"]["momentum"] == f32(opt.velocity)
        if k == steps:
            break
        scores = [twin(x) for x in X]
        loss = hinge(scores, y)
        twin.zero_grad()
        loss.backward()
        grads = [p.grad for p in params]
        before = [p.data for p in params]
        opt.step()
        following = frames[k + 1]
        assert following["loss"] == loss.data
        assert following["grads"] == f32(grads)
        assert following["accuracy"] == sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
        assert following["lr"] == 0.05


def test_adam_state_is_recorded_in_the_models_parameter_order():
    model, X, y = small()
    params = model.parameters()
    opt = Adam(list(reversed(params)), lr=0.01)  # another order than named_parameters()
    live = Live(model, X, y, optimizer=opt)
    live.step()
    live.step()
    frame = encoding.decode(live.encode())[-1]
    assert set(frame["state"]) == {"mean", "square"}
    by_param = {p: (m, s) for p, m, s in zip(opt.params, opt.mean, opt.square)}
    assert frame["state"]["mean"] == f32([by_param[p][0] for p in params])
    assert frame["state"]["square"] == f32([by_param[p][1] for p in params])
    assert live.spec()["optimizer"]["state"] == ["mean", "square"]


def test_record_keeps_a_step_run_by_your_own_loop():
    model, X, y = small()
    opt = SGD(model.parameters(), lr=0.1)
    live = Live(model, X, y, optimizer=opt)
    before = [p.data for p in model.parameters()]
    scores = [model(x) for x in X]
    loss = hinge(scores, y)
    model.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    opt.step()
    live.record(loss, scores=scores)
    frame = encoding.decode(live.encode())[-1]
    assert frame["step"] == 1 and frame["loss"] == loss.data
    assert frame["grads"] == f32(grads)
    assert frame["update"] == f32([p.data - b for p, b in zip(model.parameters(), before)])
    assert frame["accuracy"] == sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
    assert frame["state"] == {}  # plain SGD keeps no state


def test_a_learning_rate_change_and_a_note_are_events_of_the_next_frame():
    model, X, y = small()
    opt = SGD(model.parameters(), lr=0.1)
    live = Live(model, X, y, optimizer=opt)
    live.step()
    opt.lr = 0.02
    live.note("halved, then some")
    live.step()
    frames = encoding.decode(live.encode())
    assert frames[1]["events"] == []
    kinds = [(e["kind"], e["text"]) for e in frames[2]["events"]]
    assert kinds == [("lr", "learning rate 0.1 -> 0.02"), ("note", "halved, then some")]
    assert frames[2]["lr"] == 0.02


def test_a_non_finite_value_is_caught_as_an_event_with_its_op_and_line_then_raised():
    model, X, y = small()

    def bad_loss(scores, labels):
        if len(scores) == 1:
            return hinge(scores, labels)  # the probe example's loss is fine: the batch's fails
        return (hinge(scores, labels) - 1e9).log()  # log of a negative number

    live = Live(model, X, y, loss=bad_loss)
    with pytest.raises(autograd.OperationError, match="'log' failed"):
        live.step()
    frame = encoding.decode(live.encode())[-1]
    (event,) = frame["events"]
    assert event["kind"] == "anomaly" and event["op"] == "log"
    assert "'log' failed on" in event["text"]
    assert event["line"] == f"test_live.py:{bad_loss.__code__.co_firstlineno + 3}"
    assert frame["loss"] is None and frame["grads"] is None
    assert frame["params"] == f32([p.data for p in model.parameters()])


def test_a_probe_graph_that_changes_shape_raises_naming_the_node():
    class Fickle(Module):
        def __init__(self):
            self.w = Value(0.5)
            self.calls = 0

        def __call__(self, x):
            self.calls += 1
            out = self.w * x[0]
            return out.tanh() if self.calls > 3 else out.relu()

    with pytest.raises(StructureError, match=r"changed shape.*node v\d+ was 'relu' and is now 'tanh'"):
        live = Live(Fickle(), [[1.0], [2.0]], [0.5, 1.5], loss=mse)
        live.step()
        live.step()


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "options", "error", "match"),
    [
        (("model", [[1.0, 2.0]], [1.0]), {}, TypeError, "model must be an autograd.nn Module"),
        ((None, "xy", [1.0]), {}, TypeError, "X must be a list of examples"),
        ((None, [1.0, 2.0], [1.0, 1.0]), {}, TypeError, r"X\[0\] must be a list of numbers"),
        ((None, [[1.0, 2.0], [1.0]], [1.0, 1.0]), {}, ValueError, r"X\[1\] has 1 numbers but X\[0\] has 2"),
        ((None, [[1.0, float("nan")]], [1.0]), {}, ValueError, r"X\[0\]\[1\] must be a finite number, got nan"),
        ((None, [[1.0, 2.0]], [1.0, -1.0]), {}, ValueError, "1 examples in X but 2 targets in y"),
        ((None, [[1.0, 2.0]], ["a"]), {}, TypeError, r"y\[0\] must be a number, got 'a'"),
        ((None, [], []), {}, ValueError, "X holds no examples"),
        ((None, [[1.0, 2.0]], [1.0]), {"probe": 3}, IndexError, "probe 3 is not an example of X, which has 1"),
        ((None, [[1.0, 2.0]], [1.0]), {"probe": 1.0}, TypeError, "probe must be the index"),
        ((None, [[1.0, 2.0]], [1.0]), {"loss": "hinge"}, TypeError, "loss must be a function"),
        ((None, [[1.0, 2.0]], [1.0]), {"optimizer": 0.1}, TypeError, "optimizer must be an autograd.nn optimizer"),
    ],
)
def test_bad_arguments_are_refused_by_name(args, options, error, match):
    model = MLP(2, [3, 1], seed=0) if args[0] is None else args[0]
    with pytest.raises(error, match=match):
        Live(model, *args[1:], **options)


def test_an_optimizer_of_other_parameters_is_refused():
    model = MLP(2, [3, 1], seed=0)
    other = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="optimizer's parameter 0 is not a parameter of the model"):
        Live(model, [[1.0, 2.0]], [1.0], optimizer=SGD(other.parameters(), lr=0.1))


def test_the_default_loss_and_task_follow_the_labels():
    assert Live(MLP(2, [3, 1], seed=0), [[1.0, 2.0], [0, 1]], [1, -1]).loss is hinge
    assert Live(MLP(2, [3, 1], seed=0), [[1.0, 2.0], [0, 1]], [1, 0]).task == "binary"
    assert Live(MLP(2, [3, 1], seed=0), [[1.0, 2.0], [0, 1]], [0.3, 2.5]).loss is mse
    three = Live(MLP(2, [3, 3], seed=0), [[1.0, 2.0], [0, 1]], [2, 0])
    assert three.task == "multiclass" and three.loss.__name__ == "cross_entropy"
    three.step()
    assert encoding.decode(three.encode())[-1]["accuracy"] in (0.0, 0.5, 1.0)


# ----------------------------------------------------------------------------- the encoding


def test_the_encoding_gives_back_every_bit_in_python():
    model, X, y = small()
    live = Live(model, X, y, optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9))
    for _ in range(3):
        live.step()
    for compress in (True, False):
        decoded = encoding.decode(live.encode(compress=compress))
        for frame, got in zip(live.frames, decoded):
            assert array("f", got["params"]).tobytes() == frame.params
            assert array("d", got["probe"]["data"]).tobytes() == frame.probe_data
            assert array("d", got["probe"]["grad"]).tobytes() == frame.probe_grad
            assert array("f", got["update"]).tobytes() == frame.update
    chunk = live.encode()
    chunk["data"] = chunk["data"][:-40] + "A" * 40
    with pytest.raises(Exception):  # noqa: B017  (zlib's error or ours: a cut chunk never decodes quietly)
        encoding.decode(chunk)


DECODE_JS = r"""
globalThis.window = globalThis;
const fs = require("fs");
eval(fs.readFileSync(process.argv[2], "utf8"));
const chunks = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const hex = (a) => (a === null ? null : Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex"));
(async () => {
  const frames = new AutogradLive.Frames(chunks[0]);
  await frames.ready;
  const seen = [];
  frames.listen((start, count) => seen.push([start, count]));
  for (const chunk of chunks.slice(1)) await frames.add(JSON.stringify(chunk));
  const out = [];
  for (let k = 0; k < frames.count; k++) {
    const f = frames.frame(k);
    const state = {};
    for (const name of Object.keys(f.state)) state[name] = hex(f.state[name]);
    out.push({ step: f.step, loss: f.loss, accuracy: f.accuracy, lr: f.lr, events: f.events, params: hex(f.params),
      grads: hex(f.grads), update: hex(f.update), state, data: hex(f.probe.data), grad: hex(f.probe.grad) });
  }
  let outside = null;
  try { frames.frame(frames.count); } catch (e) { outside = e.name; }
  console.log(JSON.stringify({ frames: out, seen, outside }));
})().catch((e) => { console.log(JSON.stringify({ crashed: String(e.stack) })); });
"""


@needs_node
def test_live_data_js_decodes_exactly_what_was_recorded(tmp_path):
    model, X, y = small()
    live = Live(model, X, y, optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9))
    for _ in range(4):
        live.step()
    live.optimizer.lr = 0.01
    live.step()
    first = live.encode(live.frames[:3])
    later = [live.encode([frame], compress=k % 2 == 0) for k, frame in enumerate(live.frames[3:])]
    (tmp_path / "chunks.json").write_text(json.dumps([first, *later]))
    (tmp_path / "decode.js").write_text(DECODE_JS)
    done = subprocess.run(
        [NODE, str(tmp_path / "decode.js"), str(PAGES / "live_data.js"), str(tmp_path / "chunks.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout)
    assert "crashed" not in answer, answer
    assert answer["seen"] == [[3, 4], [4, 5], [5, 6]]
    assert answer["outside"] == "RangeError"
    got = answer["frames"]
    assert len(got) == len(live.frames)
    for frame, decoded in zip(live.frames, got):
        assert decoded["step"] == frame.step and decoded["loss"] == frame.loss and decoded["lr"] == frame.lr
        assert decoded["accuracy"] == frame.accuracy and decoded["events"] == frame.events
        assert decoded["params"] == frame.params.hex()
        assert decoded["grads"] == (None if frame.grads is None else frame.grads.hex())
        assert decoded["update"] == frame.update.hex()
        assert decoded["state"] == {name: raw.hex() for name, raw in frame.state.items()}
        assert decoded["data"] == frame.probe_data.hex()
        assert decoded["grad"] == frame.probe_grad.hex()
    assert got[-1]["events"][0]["kind"] == "lr"


# ----------------------------------------------------------------------------- the forward script and the network


def neuron_outputs(model, x):
    values, h = [], x
    for layer in model.layers:
        h = [n(h) for n in layer.neurons]
        values += [v.data for v in h]
    return values


FORWARD_JS = r"""
globalThis.window = globalThis;
const fs = require("fs");
eval(fs.readFileSync(process.argv[2], "utf8"));
const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const hex = (a) => Buffer.from(a.buffer).toString("hex");
console.log(JSON.stringify(cases.map((c) => hex(window.AutogradLiveForward(c.x, new Float64Array(c.p))))));
"""


@needs_node
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_the_generated_forward_script_computes_every_neuron_as_the_engine(tmp_path, activation):
    model = MLP(2, [5, 3, 1], seed=4, activation=activation)
    names = [name for name, _ in model.named_parameters()]
    index = {p: i for i, p in enumerate(model.parameters())}
    traced = trace_model(model, 2, index, names)
    assert traced.forward["neurons"] == [f"n{i}.{j}" for i, n in enumerate([5, 3, 1]) for j in range(n)]
    assert traced.forward["outputs"] == [8]
    points = [[0.3, -1.2], [2.0, 0.5], [-0.7, 0.0]]
    cases, expected = [], []
    for k, x in enumerate(points):
        for p in model.parameters():  # other weights each time: the script reads p, bakes in nothing
            p.data += 0.1 * (k + 1)
        cases.append({"x": x, "p": [p.data for p in model.parameters()]})
        expected.append(neuron_outputs(model, x))
    (tmp_path / "script.js").write_text(jsgen.engine_js(strict=False) + "\n" + traced.script)
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    (tmp_path / "forward.js").write_text(FORWARD_JS)
    done = subprocess.run(
        [NODE, str(tmp_path / "forward.js"), str(tmp_path / "script.js"), str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for got, want in zip(json.loads(done.stdout), expected):
        values = array("d", bytes.fromhex(got)).tolist()
        if activation == "relu":
            assert values == want  # + * relu: IEEE in both languages, bit for bit
        else:  # Math.tanh may round differently from glibc's by an ulp or two
            assert all(math.isclose(a, b, rel_tol=1e-13, abs_tol=1e-15) for a, b in zip(values, want))


def test_the_network_names_each_neurons_weights_their_inputs_and_bias():
    model = MLP(2, [3, 2], seed=0)
    network = Live(model, [[0.0, 1.0]], [1]).spec()["network"]  # two outputs, a class index: cross_entropy
    names = [name for name, _ in model.named_parameters()]
    assert network["inputs"] == ["x0", "x1"]
    first, second = network["layers"]
    assert [n["id"] for n in first] == ["n0.0", "n0.1", "n0.2"]
    assert first[1]["name"] == "layers.0.neurons.1" and first[1]["activation"] == "relu"
    assert [w["from"] for w in first[1]["weights"]] == ["x0", "x1"]
    assert [names[w["param"]] for w in first[1]["weights"]] == ["layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1"]
    assert names[first[1]["bias"]] == "layers.0.neurons.1.b"
    assert [w["from"] for w in second[0]["weights"]] == ["n0.0", "n0.1", "n0.2"]
    assert second[0]["activation"] == "linear"


# ----------------------------------------------------------------------------- data and the page


def test_make_moons_is_seeded_and_matches_scikit_learns_shape():
    X, y = make_moons(10, noise=0.2, seed=5)
    assert (X, y) == make_moons(10, noise=0.2, seed=5)
    assert make_moons(10, noise=0.2, seed=6)[0] != X
    assert y == [-1.0] * 5 + [1.0] * 5
    sklearn = pytest.importorskip("sklearn.datasets")
    ours, _ = make_moons(11, noise=0.0)
    theirs, labels = sklearn.make_moons(11, noise=0.0, shuffle=False)
    assert all(
        math.isclose(a, b, abs_tol=1e-12) for row, other in zip(ours, theirs.tolist()) for a, b in zip(row, other)
    )
    assert [2 * t - 1 for t in labels.tolist()] == make_moons(11)[1]


@pytest.mark.parametrize(("args", "match"), [((1,), "at least 2"), ((10.0,), "must be an int"), ((10, -1), "noise")])
def test_make_moons_refuses_bad_arguments(args, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make_moons(*args)


def test_the_saved_page_holds_the_spec_and_frames_of_the_contract(tmp_path):
    model, X, y = small()
    live = Live(model, X, y)
    live.step()
    path = live.save(tmp_path / "live.html")
    text = path.read_text()
    for name in ("explorer.js", "live_data.js", "live.js"):
        assert (PAGES / name).read_text().strip()[:200].replace("</script", "<\\/script") in text
    assert "window.AutogradLiveForward = function (x, p)" in text
    assert 'AutogradLive.mount(document.getElementById("live"), spec, frames' in text
    spec = live.spec()
    assert spec["kind"] == "live" and spec["version"] == 1 and spec["live"] is False
    assert spec["params"] == [name for name, _ in model.named_parameters()]
    assert spec["data"] == {"X": X, "y": y, "dim": 2, "classes": [-1.0, 1.0]}
    assert spec["task"] == "binary" and spec["loss"] == "hinge" and spec["optimizer"]["kind"] == "SGD"
    explorer = spec["probe"]["explorer"]
    constants = {n["id"] for n in explorer["nodes"] if n["kind"] == "constant"}
    assert spec["probe"]["recorded"] == [n["id"] for n in explorer["nodes"] if n["id"] not in constants]
    assert [n["data"] for n in explorer["nodes"] if n["id"] not in constants] == encoding.decode(live.encode())[0][
        "probe"
    ]["data"]  # the explorer's graph is frame 0's, though the model has trained since


def test_import_autograd_does_not_load_the_live_view():
    code = "import sys, autograd, autograd.nn; print([m for m in sys.modules if m.startswith('autograd.live')])"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        check=True,
    )
    assert done.stdout.strip() == "[]"
