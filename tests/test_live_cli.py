"""``python -m autograd live moons``: the replay written, the live server, the progress bar, refusals."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograd.cli import main
from autograd.live import encoding

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )


def frames_of(path):
    text = Path(path).read_text()
    return encoding.decode(json.loads(text.split('id="live-frames">', 1)[1].split("</script>", 1)[0]))


def test_live_moons_writes_the_replay_with_a_progress_bar(tmp_path):
    done = run("live", "moons", "--steps", "3", "--points", "20", "--hidden", "4", "-o", "moons.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote moons.html: 3 steps (loss ")
    assert "3/3" in done.stderr and "step" in done.stderr  # tqdm's bar
    frames = frames_of(tmp_path / "moons.html")
    assert [f["step"] for f in frames] == [0, 1, 2, 3]
    assert frames[3]["loss"] < frames[1]["loss"]


def test_live_writes_live_html_by_default_and_names_it_in_help(tmp_path):
    done = run("live", "moons", "--steps", "1", "--points", "10", "--hidden", "3", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert (tmp_path / "live.html").exists()
    help_text = " ".join(run("--help", cwd=tmp_path).stdout.split())  # argparse wraps lines by version
    assert "live train a network" in help_text and "live view" in help_text


def test_without_tqdm_the_progress_is_printed_as_lines(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    code = main(["live", "moons", "--steps", "2", "--points", "10", "--hidden", "3", "-o", str(tmp_path / "p.html")])
    assert code == 0
    err = capsys.readouterr().err
    assert "training: step 2/2 loss=" in err


def test_adam_and_its_learning_rate_are_used(tmp_path):
    out = str(tmp_path / "a.html")
    assert main(["live", "moons", "--steps", "1", "--points", "10", "--hidden", "3", "--optimizer", "adam",
                 "--lr", "0.02", "--no-progress", "-o", out]) == 0  # fmt: skip
    text = Path(out).read_text()
    spec = json.loads(text.split('id="live-spec">', 1)[1].split("</script>", 1)[0])
    assert spec["optimizer"]["kind"] == "Adam" and spec["optimizer"]["lr"] == 0.02
    assert spec["optimizer"]["state"] == ["mean", "square"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "0"], "--steps must be at least 1, got 0"),
        (["--points", "1"], "--points must be at least 2"),
        (["--hidden", "4,x"], "--hidden must be layer sizes such as 16,16, got '4,x'"),
        (["--hidden", "0"], "--hidden sizes must be at least 1"),
        (["--lr", "-1"], "--lr must be a finite number > 0"),
        (["--noise", "nan"], "--noise must be a finite number >= 0"),
        (["--port", "70000"], "--port must be from 0"),
    ],
)
def test_bad_options_are_usage_errors_before_anything_runs(tmp_path, capsys, args, message):
    assert main(["live", "moons", *args, "-o", str(tmp_path / "x.html")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_an_unknown_data_set_is_refused(tmp_path):
    done = run("live", "cats", cwd=tmp_path)
    assert done.returncode == 2 and "invalid choice: 'cats'" in done.stderr


def test_serve_trains_then_waits_paused_for_the_page(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "autograd", "live", "moons", "--serve", "--steps", "2", "--points", "10"]
    process = subprocess.Popen(
        [*command, "--hidden", "3", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        assert first.startswith("serving the live view at http://127.0.0.1:"), first + process.stderr.read()
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        assert "paused" in process.stdout.readline()  # trained its 2 steps
        events = urllib.request.urlopen(url + "events?from=0", timeout=30)
        request = urllib.request.Request(
            url + "control", json.dumps({"action": "step"}).encode(), {"Content-Type": "application/json"}
        )
        assert json.loads(urllib.request.urlopen(request, timeout=30).read()) == {"ok": True}
        ids = []
        while len(ids) < 4:
            line = events.readline().decode()
            if line.startswith("id: "):
                ids.append(int(line[4:]))
        assert ids == [0, 1, 2, 3]  # the initial model, the 2 steps, and the one the page asked for
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
    assert not (tmp_path / "live.html").exists()  # served only: -o was not given


def test_live_digits_trains_a_ten_class_network_on_pooled_digits(tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "d.html"
    assert main(["live", "digits", "--steps", "2", "--points", "20", "--no-progress", "-o", str(out)]) == 0
    text = out.read_text()
    spec = json.loads(text.split('id="live-spec">', 1)[1].split("</script>", 1)[0])
    assert spec["task"] == "multiclass" and spec["loss"] == "cross_entropy"
    assert spec["data"]["dim"] == 16 and spec["data"]["classes"] == list(range(10))
    assert [len(layer) for layer in spec["network"]["layers"]] == [12, 10]
    assert len(frames_of(out)) == 3


def test_live_digits_without_scikit_learn_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert main(["live", "digits", "--steps", "1", "-o", str(tmp_path / "d.html")]) == 2
    assert "the digits need scikit-learn (pip install scikit-learn" in capsys.readouterr().err
