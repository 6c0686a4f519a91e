"""Value as a learner meets it: reading its number, comparing, formatting; and the folder shared with HIPS autograd."""

import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd import TraceError, Value


def test_float_and_math_functions_read_the_number_as_pytorch_does_for_one_number():
    v = Value(2.0)
    assert float(v) == 2.0 and int(Value(2.7)) == 2
    assert math.exp(v) == math.exp(2.0)  # a number: no graph, as math.exp(tensor) in PyTorch


def test_comparisons_give_a_bool_and_equality_stays_identity():
    a, b = Value(1.0), Value(3.0)
    assert (a < 2, a <= 1.0, b > a, b >= 3, a > b) == (True, True, True, True, False)
    assert a != Value(1.0) and a == a  # sets and dicts of Values depend on identity
    assert len({a, Value(1.0)}) == 2
    with pytest.raises(TypeError, match=r"'<' expects a Value or a real number, got '2'"):
        a < "2"  # noqa: B015


def test_truth_is_the_number_being_nonzero_and_max_of_two_values_picks_the_larger():
    assert bool(Value(0.0)) is False and bool(Value(-0.5)) is True
    a, b = Value(1.0), Value(3.0)
    assert max(a, b) is b  # Python's max, through the comparisons
    (max(a, b) * 2).backward()
    assert (a.grad, b.grad) == (0.0, 2.0)


def test_format_specs_format_the_number():
    v = Value(2.0 / 3.0, label="r")
    assert f"{v:.3f}" == "0.667" and f"{v}" == repr(v)


def test_while_compiling_every_way_of_reading_the_number_is_refused_with_what_to_write():
    for reading, words in [
        (lambda x: x * (1.0 if x < 2 else 2.0), "compared it"),
        (lambda x: x * float(x), "called float()"),
        (lambda x: x * math.exp(x), "called float()"),
        (lambda x: x if x else -x, "tested its truth"),
        (lambda x: max(x, x * 2), "compared it"),
    ]:
        with pytest.raises(TraceError, match=words):
            autograd.compile(reading, 1.0)


def test_a_value_given_where_a_number_is_expected_says_to_use_data():
    with pytest.raises(TypeError, match=r"use \.data for its number"):
        Value(Value(1.0))


def test_a_label_that_is_not_a_string_is_kept_as_its_text():
    v = Value(1.0, label=5)
    assert v.label == "5"
    from autograd.viz import graph_data

    assert graph_data(v * 2)["nodes"][0]["label"] == "5"


def test_import_refuses_a_folder_shared_with_hips_autograd(tmp_path):
    package = Path(autograd.__file__).parent
    copy = tmp_path / "autograd"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    (copy / "core.py").write_text("# HIPS autograd's core\n")
    (copy / "differential_operators.py").write_text("")
    result = subprocess.run(
        [sys.executable, "-c", "import autograd"], cwd=tmp_path, capture_output=True, text=True, env={"PATH": ""}
    )
    assert result.returncode == 1
    assert "scalar-autograd (this one) and HIPS autograd" in result.stderr
    assert "pip uninstall -y autograd scalar-autograd" in result.stderr
    (copy / "core.py").unlink()
    (copy / "differential_operators.py").unlink()
    ok = subprocess.run(
        [sys.executable, "-c", "import autograd; print(autograd.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": ""},
    )
    assert ok.stdout.strip() == str(copy / "__init__.py")
