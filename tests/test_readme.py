"""The README's first example runs and prints what its comments say."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_first_example_prints_what_its_comments_say():
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    claimed = [re.findall(r"-?\d+\.\d+", line.split("#")[1]) for line in code.splitlines() if "print(" in line]
    for numbers, line in zip(claimed, printed.getvalue().splitlines()):
        actual = line.split()
        assert len(numbers) == len(actual)
        for claim, value in zip(numbers, actual):
            assert value.startswith(claim), (claim, value)


def test_the_training_example_runs_and_separates_its_points():
    block = next(b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S) if "optimizer.step()" in b)
    scope = {}
    exec(block, scope)
    model, xs, ys = scope["model"], scope["xs"], scope["ys"]
    assert [1.0 if model(x).data > 0 else -1.0 for x in xs] == ys


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_the_compile_example_shows_the_source_it_generates():
    blocks = python_blocks()
    example = next(i for i, b in enumerate(blocks) if "autograd.compile(neuron" in b)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(blocks[example], {})
    assert printed.getvalue().strip() == blocks[example + 1].strip()  # the next block is what it prints


def test_the_compiled_training_example_trains_like_the_engine():
    training = next(b for b in python_blocks() if "optimizer.step()" in b and "loss.backward()" in b)
    compiled = next(b for b in python_blocks() if "step = autograd.compile(loss_fn" in b)
    scope = {}
    exec(training, scope)  # for xs, ys and the imports
    exec("import autograd\n" + compiled, scope)
    model, xs, ys = scope["model"], scope["xs"], scope["ys"]
    assert [1.0 if model(x).data > 0 else -1.0 for x in xs] == ys
    # the same steps on the engine's graph end at the very same weights
    eager = compiled.replace("loss, _ = step(xs, ys)", "scope_loss = loss_fn(xs, ys); scope_loss.backward()")
    exec("import autograd\n" + eager, scope)
    assert scope["model"].state_dict() == model.state_dict()


def test_the_live_view_example_records_and_saves_a_replay(tmp_path, monkeypatch):
    block = next(b for b in python_blocks() if "Live(model, X, y" in b)
    assert "range(200)" in block
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(block.replace("range(200)", "range(3)"), namespace)  # three steps say as much as 200
    live = namespace["live"]
    text = (tmp_path / "live.html").read_text()
    assert "AutogradLive" in text and "<script src" not in text
    assert live.spec()["params"] == [name for name, _ in namespace["model"].named_parameters()]
