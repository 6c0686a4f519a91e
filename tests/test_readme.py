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
