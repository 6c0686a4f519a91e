"""The demos run as scripts and print what the book prints."""

import re
import subprocess
import sys
from pathlib import Path

DEMOS = Path(__file__).resolve().parent.parent / "demos"


def run_demo(name, *args):
    result = subprocess.run(
        [sys.executable, str(DEMOS / f"{name}.py"), *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def rows(output):
    """{label: (value, grad)} from each table the demo prints, tables in order."""
    tables = []
    for block in output.strip().split("\n\n"):
        table = {}
        for line in block.splitlines()[2:]:
            label, value, grad = re.match(r"\s+(.+?)\s+[*+]?\s+(\S+)\s+(\S+)$", line).groups()
            table[label] = (float(value), float(grad))
        tables.append(table)
    return tables


def test_apple_shopping_prints_the_books_prices_and_gradients():
    apples, fruit = rows(run_demo("apple_shopping"))
    assert apples["price"][0] == 220
    assert (apples["apple"][1], apples["count"][1], apples["tax"][1]) == (2.2, 110, 200)
    assert fruit["price"][0] == 715
    grads = [fruit[name][1] for name in ("apples", "apple", "orange", "oranges", "tax")]
    assert grads == [110, 2.2, 3.3, 165, 650]


def test_apple_shopping_has_help():
    assert "Deep Learning from Scratch" in run_demo("apple_shopping", "--help")
