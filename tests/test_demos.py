"""The demos run as scripts and print what the book prints; the training demos reach their targets."""

import itertools
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

DEMOS = Path(__file__).resolve().parent.parent / "demos"


def run_demo(name, *args, timeout=120):
    result = subprocess.run(
        [sys.executable, str(DEMOS / f"{name}.py"), *args], capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def needs(*modules):
    """Skip the test unless the demos' extra libraries are installed."""
    for module in modules:
        pytest.importorskip(module, reason=f'the demos need {module}: pip install -e ".[demos]"')


def number(pattern, output):
    """The number captured by ``pattern`` in ``output``; fails the test when it is absent."""
    found = re.search(pattern, output, re.MULTILINE)
    assert found, f"no match for {pattern!r} in:\n{output}"
    return float(found.group(1))


def assert_png(path):
    assert path.is_file(), f"{path} was not written"
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000, f"{path} is not a plausible PNG"


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
    apples, fruit = rows(run_demo("apple_shopping", "--no-draw"))
    assert apples["price"][0] == 220
    assert (apples["apple"][1], apples["count"][1], apples["tax"][1]) == (2.2, 110, 200)
    assert fruit["price"][0] == 715
    grads = [fruit[name][1] for name in ("apples", "apple", "orange", "oranges", "tax")]
    assert grads == [110, 2.2, 3.3, 165, 650]


def test_apple_shopping_draws_both_graphs_with_their_numbers(tmp_path):
    output = run_demo("apple_shopping", "--out", str(tmp_path))
    for name, texts in [
        ("apples", {"apple", "count", "tax", "220", "2.2", "110"}),
        ("apples_and_oranges", {"715", "650", "3.3"}),
    ]:
        path = tmp_path / f"{name}.svg"
        assert f"wrote {path}" in output
        svg = ElementTree.parse(path).getroot()
        shown = {t.text.strip() for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.text}
        assert texts <= {word for text in shown for word in text.split()}, (name, shown)


def test_apple_shopping_has_help():
    assert "Deep Learning from Scratch" in run_demo("apple_shopping", "--help")


# ----------------------------------------------------------------------------- moons


def test_moons_separates_the_two_moons_completely(tmp_path):
    needs("sklearn", "matplotlib", "tqdm")
    out = run_demo("moons", "--fast", "--no-progress", "--out", str(tmp_path))
    assert number(r"^training accuracy: (\d+)%", out) == 100
    first, last = (number(rf"^loss: .*?(\d+\.\d+) at the {when}", out) for when in ("first", "last"))
    assert last < first / 10
    assert number(r"^time per epoch: ([\d.]+) ms", out) > 0
    assert_png(tmp_path / "moons_boundary.png")
    assert_png(tmp_path / "moons_loss.png")


def test_moons_can_fail_to_separate_them_with_too_few_steps(tmp_path):
    # the 100% above is earned by training: three steps from the same start are not enough
    needs("sklearn", "matplotlib", "tqdm")
    out = run_demo("moons", "--fast", "--no-progress", "--steps", "3", "--out", str(tmp_path))
    assert number(r"^training accuracy: (\d+)%", out) < 100


def test_moons_compiled_and_on_the_engines_graph_train_alike(tmp_path):
    # the compiled step gives the engine's numbers: the same losses and accuracy, step by step
    needs("sklearn", "matplotlib", "tqdm")
    outputs = [
        run_demo("moons", "--fast", "--no-progress", "--steps", "12", "--out", str(tmp_path), flag)
        for flag in ("--compiled", "--no-compiled")
    ]
    assert "compiled the step" in outputs[0] and "compiled the step" not in outputs[1]
    for pattern in (r"^(loss: .*)$", r"^(training accuracy: .*)$"):
        assert [re.search(pattern, out, re.MULTILINE).group(1) for out in outputs] == [
            re.search(pattern, outputs[0], re.MULTILINE).group(1)
        ] * 2


# ----------------------------------------------------------------------------- digits


def test_digits_gradient_check_agrees_and_training_lowers_the_loss(tmp_path):
    needs("sklearn", "matplotlib", "tqdm")
    out = run_demo("digits", "--fast", "--no-progress", "--out", str(tmp_path))
    table = dict(re.findall(r"^\s+(W1|b1|W2|b2): (\S+)\s+\(all \d+ entries\)$", out, re.MULTILINE))
    assert sorted(table) == ["W1", "W2", "b1", "b2"], out
    for name, diff in table.items():
        assert 0 <= float(diff) < 1e-7, f"{name}: backprop and numerical gradients differ by {diff}"
    before = number(r"^training loss: ([\d.]+) before training", out)
    after = number(r"^training loss: .*?, ([\d.]+) after$", out)
    assert after < before - 0.1
    assert 0 <= number(r"^test accuracy: ([\d.]+)%", out) <= 100
    assert number(r"^wall time: ([\d.]+) s", out) > 0
    assert_png(tmp_path / "digits.png")


def test_digits_compiled_and_on_the_engines_graph_train_alike(tmp_path):
    needs("sklearn", "matplotlib", "tqdm")
    outputs = [
        run_demo("digits", "--fast", "--no-progress", "--out", str(tmp_path), flag)
        for flag in ("--compiled", "--no-compiled")
    ]
    assert "compiled the step for 10 pictures" in outputs[0]
    epochs = [re.findall(r"^epoch \d+: .*$", out, re.MULTILINE) for out in outputs]
    assert len(epochs[0]) == 3 and epochs[0] == epochs[1]  # --fast trains 3 epochs


def test_digits_loss_starts_near_log_10_for_small_weights(tmp_path):
    # ten classes scored alike give cross-entropy log(10) = 2.3026: the loss is the book's
    needs("sklearn", "matplotlib", "tqdm")
    out = run_demo("digits", "--fast", "--no-progress", "--init-std", "1e-6", "--epochs", "1", "--out", str(tmp_path))
    assert abs(number(r"^training loss: ([\d.]+) before training", out) - 2.3026) < 1e-3


# ----------------------------------------------------------------------------- second order


def newton_and_gd(output):
    """{method: (steps, x, |f'(x)|)} from the demo's summary lines."""
    found = re.findall(
        r"^(Newton|Gradient descent): converged in (\d+) steps, x = (\S+), \|f'\(x\)\| = (\S+)$", output, re.MULTILINE
    )
    assert len(found) == 2, output
    return {name: (int(steps), float(x), float(slope)) for name, steps, x, slope in found}


def test_newton_reaches_a_flat_point_in_far_fewer_steps_than_gradient_descent(tmp_path):
    runs = newton_and_gd(run_demo("second_order", "--fast", "--no-plot"))
    newton_steps, x, slope = runs["Newton"]
    assert slope < 1e-10
    assert abs(4 * x**3 - 6 * x + 1) < 1e-9  # f'(x) of x**4 - 3x**2 + x, written out by hand
    assert 12 * x**2 - 6 > 0  # a valley, not a hill top
    assert newton_steps <= 10
    assert runs["Gradient descent"][0] > 5 * newton_steps


def test_newton_table_shows_quadratic_convergence():
    out = run_demo("second_order", "--fast", "--no-plot")
    newton_table = out.split("\n\n")[1]
    slopes = [abs(float(line.split()[3])) for line in newton_table.splitlines()[2:]]
    # once close, each |f'| is at most a constant times the square of the one before
    close = [s for s in slopes if s < 1]
    assert len(close) >= 3
    assert all(b <= 1.0 * a * a for a, b in itertools.pairwise(close)), slopes


def test_second_order_from_the_left_finds_the_other_valley(tmp_path):
    needs("matplotlib")
    runs = newton_and_gd(run_demo("second_order", "--x0", "-2", "--fast", "--out", str(tmp_path)))
    assert abs(runs["Newton"][1] - runs["Gradient descent"][1]) < 1e-9
    assert -1.31 < runs["Newton"][1] < -1.29
    assert_png(tmp_path / "second_order.png")


# ----------------------------------------------------------------------------- every demo


@pytest.mark.parametrize("name", ["moons", "digits", "second_order"])
def test_each_demo_explains_itself_with_help(name):
    out = run_demo(name, "--help")
    for option in ("--fast", "--out", "--seed"):
        assert option in out


@pytest.mark.parametrize(
    ("name", "blocked"), [("moons", "sklearn"), ("digits", "tqdm"), ("second_order", "matplotlib")]
)
def test_a_missing_library_is_named_with_the_install_command(name, blocked, tmp_path):
    runner = (
        f"import runpy, sys; sys.modules[{blocked!r}] = None; "  # None in sys.modules: import fails
        f"sys.path.insert(0, {str(DEMOS)!r}); "  # as `python demos/x.py` does
        f"sys.argv = ['x', '--fast', '--out', {str(tmp_path)!r}]; "
        f"runpy.run_path({str(DEMOS / (name + '.py'))!r}, run_name='__main__')"
    )
    result = subprocess.run([sys.executable, "-c", runner], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert 'pip install -e ".[demos]"' in result.stderr


def test_the_readme_lists_every_demo():
    readme = (DEMOS.parent / "README.md").read_text()
    section = readme.split("\n## Demos\n")[1].split("\n## ")[0]
    for script in sorted(p for p in DEMOS.glob("*.py") if not p.name.startswith("_")):  # _extras.py: shared code
        assert f"`demos/{script.name}`" in section, f"README's Demos section does not list {script.name}"


def test_your_own_layer_plugs_in_the_books_mullayer_and_catches_a_wrong_rule(tmp_path):
    output = run_demo("your_own_layer", "--out", str(tmp_path))
    assert "price 220.00000000000003: d price/d apple 2.2, d count 110.00000000000001, d tax 200.0" in output
    assert "the same numbers as the layer's: True" in output
    assert "wrong_times: gradcheck failed for input 0 at 0.5" in output
    assert "defop refuses it when checking" in output
    assert ">times<" in (tmp_path / "your_own_layer.svg").read_text()
