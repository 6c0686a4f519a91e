"""The command line: ``python -m autograd graph "a*b + c.tanh()" --set a=2 b=-3 c=10 -o graph.svg``.

argparse wiring only: expressions are read by ``autograd.expr``, diagrams drawn by ``autograd.viz``
(imported when a diagram is asked for, so that help and parse errors stay fast). Exit codes: 0 done,
1 a math, drawing or writing error, 2 a usage error or a refused expression (nothing ran).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .engine import Value
from .errors import OperationError
from .examples import apple_shopping
from .expr import ALLOWED, MAX_EXPONENT, MAX_LENGTH, Expression, ExpressionError, parse, parse_assignments

USAGE_ERROR = 2
RUN_ERROR = 1

FORMATS = ("svg", "png", "pdf", "dot", "json")
_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".json": "json"}
RANKDIRS = ("LR", "RL", "TB", "BT")

_RULES = (
    f"EXPR may use {ALLOWED}. Nothing else is accepted (no other attributes or calls, no subscripts or "
    f"strings); an expression has at most {MAX_LENGTH} characters, and an exponent made of numbers alone "
    f"lies within ±{MAX_EXPONENT}. The expression is never passed to eval."
)
_GRAPH_EPILOG = f"""\
{textwrap.fill(_RULES, 80)}

An expression that starts with '-' goes last, after '--':  graph --set a=1 b=2 -- "-a*b"

examples:
  %(prog)s "a*b + c.tanh()" --set a=2 b=-3 c=10
  %(prog)s "a*b + c.tanh()" --set a=2 b=-3 c=10 -o graph.svg
  %(prog)s "a*b + c.tanh()" --set a=2 b=-3 c=10 --source
  %(prog)s "log(x) * sin(y)" --set x=2 y=0.5 -o graph.json --steps frames/
"""


class RunError(Exception):
    """A command that failed while running (drawing, writing): one message, exit code 1."""


class UsageError(Exception):
    """A command line that cannot run: printed as one message, exit code 2, before anything runs."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argparse parser of the whole command line, with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="scalar-autograd: reverse-mode automatic differentiation on scalars, from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    commands.required = True

    graph = commands.add_parser(
        "graph",
        help="evaluate an expression, print every gradient, draw its graph",
        description="Evaluate EXPR at the values given with --set, run backward, print each variable's "
        "value and gradient, and write the diagram of the graph if -o or --steps is given.",
        epilog=_GRAPH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    graph.add_argument("expression", metavar="EXPR", help='the expression, such as "a*b + c.tanh()"')
    graph.add_argument(
        "--set",
        dest="assignments",
        metavar="NAME=NUMBER",
        nargs="+",
        action="extend",
        default=[],
        help="the value of each variable of EXPR, such as --set a=2 b=-3",
    )
    graph.add_argument("-o", "--output", metavar="FILE", type=Path, help="write the diagram to FILE")
    graph.add_argument(
        "--format", choices=FORMATS, help="format of FILE (default: from its suffix: .svg .png .pdf .dot/.gv .json)"
    )
    graph.add_argument(
        "--steps", metavar="DIR", type=Path, help="write the explorer page, backward step by step, as DIR/steps.html"
    )
    graph.add_argument("--rankdir", choices=RANKDIRS, help="direction of the diagram (default LR: left to right)")
    graph.add_argument(
        "--no-grad", action="store_true", help="forward only: skip backward, print and draw values without gradients"
    )
    graph.add_argument(
        "--source",
        action="store_true",
        help="also print the Python that autograd.compile writes for EXPR: its forward and backward pass, "
        "one line per node",
    )
    graph.set_defaults(run=_graph)

    demo = commands.add_parser(
        "demo",
        help='the apple-shopping graphs of "Deep Learning from Scratch" and their gradients',
        description='Print the apple-shopping graphs of "Deep Learning from Scratch", chapter 5: every node '
        "with its value and its gradient.",
    )
    demo.add_argument("--apple", type=float, default=100, help="price of one apple (default 100)")
    demo.add_argument("--tax", type=float, default=1.1, help="tax factor (default 1.1)")
    demo.set_defaults(run=_demo)

    playground = commands.add_parser(
        "playground",
        help="write the playground page: type an expression, see its graph, step through backward",
        description="Write one self-contained page (it opens from file://, with no network) where an expression "
        "is typed and its graph, gradients and backward pass are shown as you type.",
    )
    playground.add_argument(
        "-o", "--output", metavar="FILE", type=Path, default=Path("playground.html"), help="default playground.html"
    )
    playground.set_defaults(run=_playground)

    live = commands.add_parser(
        "live",
        help="train a network on a data set and write (or serve) the live view of its training",
        description="Train an MLP on DATASET step by step, recording each step, and write the live view: one "
        "page (it opens from file://, with no network) with the network, the probe example's graph, the data "
        "and the decision boundary, the loss curve and every parameter, at every step. With --serve, watch it "
        "train in the browser instead: pause, step, change the learning rate, click to add points.",
        epilog="examples:\n  %(prog)s moons --steps 200 -o live.html\n  %(prog)s moons --serve",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    live.add_argument("dataset", choices=LIVE_DATASETS, help="the data: two interleaving half circles (moons)")
    live.add_argument("--steps", type=int, default=100, metavar="N", help="training steps (default 100)")
    live.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write the replay page to FILE (default live.html)"
    )
    live.add_argument("--serve", action="store_true", help="serve the live view while it trains (Ctrl-C stops)")
    live.add_argument("--port", type=int, default=0, help="port to serve on (default: any free one)")
    live.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1, this machine only; anything else is reachable by others)",
    )
    live.add_argument("--open", action="store_true", help="open the served page in the browser")
    live.add_argument("--points", type=int, default=100, help="examples in the data set (default 100)")
    live.add_argument("--noise", type=float, default=0.1, help="noise of the moons (default 0.1)")
    live.add_argument("--seed", type=int, default=0, help="seed of the data and the weights (default 0)")
    live.add_argument(
        "--hidden", default="16,16", metavar="SIZES", help="hidden layer sizes, comma-separated (default 16,16)"
    )
    live.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd", help="default sgd (momentum 0.9)")
    live.add_argument("--lr", type=float, help="learning rate (default 0.05 for sgd, 0.01 for adam)")
    live.add_argument("--no-progress", action="store_true", help="no progress bar")
    live.set_defaults(run=_live)
    return parser


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser(prog)
    if sys.stdout is None:  # started with `>&-`: every result would be lost, and fd 1 reused by a file
        _fail(parser.prog, "standard output is closed, so nothing could be shown")
        return RUN_ERROR
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error argparse has printed
        return stop.code if isinstance(stop.code, int) else USAGE_ERROR
    command = f"{parser.prog} {args.command}"
    try:
        code = args.run(args)
        sys.stdout.flush()  # here, so that a reader who has gone, or a full disk, is caught below
        return code
    except UsageError as error:
        _fail(command, str(error), error.pointer)
        return USAGE_ERROR
    except (OperationError, RunError) as error:
        # the engine's messages add the line of code that failed; here that line is ours, not the user's
        _fail(command, str(error).splitlines()[0])
        return RUN_ERROR
    except BrokenPipeError:  # `autograd demo | head -3`: the reader has gone, which is not an error
        _silence_stdout()
        return 0
    except OSError as error:  # writing the results: files the commands write raise RunError instead
        _fail(command, f"cannot write to standard output: {error.strerror or error}")
        _silence_stdout()
        return RUN_ERROR
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null, so that the flush at exit neither fails again nor prints a traceback."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _fail(command: str, message: str, pointer: str = "") -> None:
    print(f"{command}: error: {message}", file=sys.stderr)
    if pointer:
        print(pointer, file=sys.stderr)


# ----------------------------------------------------------------------------- graph


def _graph(args: argparse.Namespace) -> int:
    """The graph command: every check first, then evaluate, backward, print, draw."""
    expression, values = _read_expression(args)
    output_format, target = _check_output(args)
    viz = _import_viz() if args.output or args.steps else None
    result, leaves = expression.evaluate(values)
    if not args.no_grad:
        result.backward()
    print(_table(expression.text, result, leaves, grads=not args.no_grad))
    if args.source:
        print(f"\n{_source(expression, leaves, backward=not args.no_grad)}", end="")
    if viz is None:
        return 0
    options: dict[str, Any] = {"show_grad": not args.no_grad}
    if args.rankdir:
        options["rankdir"] = args.rankdir
    # only the drawing and the files are in the try: an OSError from print is about stdout (see main)
    if args.output:
        try:
            if output_format == "json":
                content = (json.dumps(viz.graph_data(result, show_grad=not args.no_grad), indent=2) + "\n").encode()
            else:
                content = viz.render(viz.draw_dot(result, **options), format=output_format)
            assert target is not None  # checked with -o, before anything ran
            _write_output(target, content)
        except viz.RenderError as error:
            raise RunError(str(error)) from None
        except OSError as error:
            raise RunError(f"cannot write {error.filename or args.output}: {error.strerror or error}") from None
        print(f"wrote {args.output}")
    if args.steps:
        try:
            page = viz.write_steps(result, args.steps, **options)
        except viz.RenderError as error:
            raise RunError(str(error)) from None
        except OSError as error:
            raise RunError(f"cannot write {error.filename or args.steps}: {error.strerror or error}") from None
        except ValueError as error:  # a graph with too many steps to draw
            raise RunError(f"--steps: {error}") from None
        print(f"wrote the explorer of forward and backward, step by step: open {page}")
    return 0


def _source(expression: Expression, leaves: dict[str, Value], backward: bool) -> str:
    """The code ``autograd.compile`` writes for the expression, one line per node."""
    from .compiler import compile

    traced = compile(expression.function(), *leaves.values(), inline=False, backward=backward)  # named as leaves
    return traced.source


def _read_expression(args: argparse.Namespace) -> tuple[Expression, dict[str, float]]:
    """The parsed expression and its values, or a UsageError naming what is wrong."""
    try:
        expression = parse(args.expression)
    except ExpressionError as error:
        raise UsageError(f"refused expression: {error}", error.pointer()) from None
    try:
        values = parse_assignments(args.assignments)
    except ExpressionError as error:
        raise UsageError(f"--set: {error}") from None
    try:
        expression.check(values)
    except ExpressionError as error:
        missing = [name for name in expression.names if name not in values]
        hint = f" with --set {' '.join(f'{name}=NUMBER' for name in missing)}" if missing else ""
        raise UsageError(f"{error}{hint}", error.pointer()) from None
    if not expression.names:
        raise UsageError(
            f"{args.expression!r} has no variables, so there is nothing to differentiate; "
            "use a name and give its value with --set, such as: graph 'x * 2' --set x=3"
        )
    return expression, values


@dataclass(frozen=True)
class _Target:
    """Where -o writes: a regular file, replaced whole, or a FIFO or character device, written into."""

    path: Path  # for a regular file, the real path: a symlink stays a link to the new file
    special: bool = False


def _check_output(args: argparse.Namespace) -> tuple[str, _Target | None]:
    """The diagram's format and where -o writes, once -o and --steps are known to be writable; else a UsageError."""
    if not (args.output or args.steps):
        given = [option for option, value in (("--format", args.format), ("--rankdir", args.rankdir)) if value]
        if given:
            verb = "apply" if given[1:] else "applies"
            raise UsageError(f"{' and '.join(given)} only {verb} to a diagram: add -o FILE or --steps DIR")
        return "", None
    if args.steps:
        if args.no_grad:
            raise UsageError("--steps draws the steps of backward, so it cannot go with --no-grad")
        _check_directory(args.steps)
    if not args.output:
        return "", None
    output_format = args.format or _SUFFIXES.get(args.output.suffix.lower())
    if output_format is None:
        known = " ".join(_SUFFIXES)
        raise UsageError(f"cannot tell the format of {str(args.output)!r} from its suffix ({known}); add --format")
    return output_format, _check_writable(args.output)


_SPECIAL = ((stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _check_writable(path: Path) -> _Target:
    """Where a diagram for ``path`` goes, once it is known to be writable there; else a UsageError.

    A FIFO or a character device (``/dev/stdout``, a terminal, ``/dev/null``) is written into as
    the shell's ``>`` does: replacing it with a file would remove it (as root, the system's
    ``/dev/null``). Anything else that is not a regular file is refused.
    """
    try:
        mode = path.stat().st_mode  # through symlinks: what a write would reach
    except (FileNotFoundError, NotADirectoryError):
        mode = None  # a new file; a missing or non-directory parent is named below
    except OSError as error:  # a name that is too long, a loop of symlinks, a folder we may not enter
        raise UsageError(f"cannot write {str(path)!r}: {error.strerror or error}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"cannot write {str(path)!r}: it is a directory")
    if mode is not None and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        if not os.access(path, os.W_OK):
            raise UsageError(f"cannot write {str(path)!r}: permission denied")
        return _Target(path, special=True)
    if mode is not None and not stat.S_ISREG(mode):
        what = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
        raise UsageError(f"cannot write {str(path)!r}: it is {what}, and -o writes files, FIFOs and terminals only")
    _check_directory(path.parent, create=False)
    real = Path(os.path.realpath(path))  # a symlink's target is replaced, and the link kept
    if path.is_symlink():
        _check_directory(real.parent, create=False)
    name_max = _name_max(real.parent)
    if len(os.fsencode(real.name)) > name_max:
        raise UsageError(f"cannot write {str(path)!r}: its name is longer than {name_max} bytes")
    return _Target(real)


def _name_max(folder: Path) -> int:
    """The longest file name ``folder``'s file system takes, in bytes."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows) or no answer
        return 255


def _check_directory(folder: Path, create: bool = True) -> None:
    """Raise UsageError unless ``folder`` is a writable directory, or (``create``) could be made as one."""
    if folder.is_dir():
        # probed with a nameless file rather than read from its mode, which says nothing to root
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            raise UsageError(f"cannot write in {str(folder)!r}: {error.strerror or error}") from None
        return
    if folder.exists():
        raise UsageError(f"{str(folder)!r} is not a directory")
    parent = next((p for p in folder.parents if p.exists()), Path("."))
    if not create or not parent.is_dir():
        what = "does not exist" if parent.is_dir() else f"is under {str(parent)!r}, which is not a directory"
        raise UsageError(f"the directory {str(folder)!r} {what}")
    _check_directory(parent, create=False)


def _write_output(target: _Target, content: bytes) -> None:
    """Write ``content`` where -o points: into a FIFO or device, else through a temporary file."""
    if not target.special:
        _write_atomically(target.path, content)
        return
    # no O_CREAT, no O_TRUNC: the node is used as it is, never replaced (a FIFO waits for a reader)
    with open(os.open(target.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0)), "wb", closefd=True) as file:
        file.write(content)


def _write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file, so that no half-written file is ever left.

    An existing file keeps its mode (and, where we may set them, its owner and group); a new one
    gets a new file's usual mode. The temporary name is short, so any valid ``path`` works.
    """
    try:
        old: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        old = None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".autograd-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        if old is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; give it a new file's usual mode
        else:
            with contextlib.suppress(OSError):  # only root may give a file to someone else
                os.chown(temporary, old.st_uid, old.st_gid)
            os.chmod(temporary, stat.S_IMODE(old.st_mode))  # after chown, which clears set-id bits
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _import_viz() -> Any:
    try:
        from . import viz
        from .viz import RenderError, draw_dot, graph_data, render, write_steps  # noqa: F401  (all are used)
    except ImportError as error:
        raise RunError(f"drawing a diagram needs autograd.viz and its dependencies ({error})") from None
    return viz


def _table(text: str, result: Value, leaves: dict[str, Value], grads: bool = True) -> str:
    """The result, then one row per variable: its value and (``grads``) d result / d variable."""
    width = max(len("variable"), *(len(name) for name in leaves))
    lines = [f"{text} = {result.data:.6g}", ""]
    if grads:
        lines.append(f"{'variable':<{width}}  {'value':>12}  {'gradient':>12}   (d result / d variable)")
        lines += [f"{name:<{width}}  {leaf.data:>12.6g}  {leaf.grad:>12.6g}" for name, leaf in leaves.items()]
    else:
        lines.append(f"{'variable':<{width}}  {'value':>12}")
        lines += [f"{name:<{width}}  {leaf.data:>12.6g}" for name, leaf in leaves.items()]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- demo


def _playground(args: argparse.Namespace) -> int:
    from .pages.playground import write_playground

    try:
        write_playground(args.output)
    except OSError as error:  # a folder given, a directory that does not exist, no permission
        raise RunError(f"cannot write {str(args.output)!r}: {error.strerror or error}") from None
    print(f"wrote {args.output}: open it in a browser")
    return 0


LIVE_DATASETS = ("moons",)


def _live_setup(args: argparse.Namespace) -> tuple[Any, Any]:
    """The model, data and optimizer of ``live`` from its arguments, checked before anything runs."""
    if args.steps < 0 or (args.steps == 0 and not args.serve):
        raise UsageError(f"--steps must be at least 1, got {args.steps}")
    if args.points < 2:
        raise UsageError(f"--points must be at least 2 (a point per moon), got {args.points}")
    if not 0 <= args.noise < float("inf"):
        raise UsageError(f"--noise must be a finite number >= 0, got {args.noise}")
    if args.lr is not None and not 0 < args.lr < float("inf"):
        raise UsageError(f"--lr must be a finite number > 0, got {args.lr}")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be from 0 (any free port) to 65535, got {args.port}")
    try:
        hidden = [int(size) for size in args.hidden.split(",") if size.strip()]
    except ValueError:
        raise UsageError(f"--hidden must be layer sizes such as 16,16, got {args.hidden!r}") from None
    if any(size < 1 for size in hidden):
        raise UsageError(f"--hidden sizes must be at least 1, got {args.hidden!r}")
    from .live import Live, make_moons
    from .nn import MLP, SGD, Adam

    X, y = make_moons(args.points, noise=args.noise, seed=args.seed)
    model = MLP(2, [*hidden, 1], seed=args.seed)
    if args.optimizer == "adam":
        optimizer: Any = Adam(model.parameters(), lr=args.lr or 0.01)
    else:
        optimizer = SGD(model.parameters(), lr=args.lr or 0.05, momentum=0.9)
    sizes = " -> ".join(str(n) for n in [2, *hidden, 1])
    title = f"MLP({sizes}) learning {args.points} moons"
    return Live(model, X, y, optimizer=optimizer, title=title), model


def _progress(steps: int, quiet: bool) -> Any:
    """A tqdm progress bar on stderr, or, without tqdm, one that prints a line now and then."""
    if quiet or steps == 0:
        return _Progress(steps, quiet=True)
    try:
        from tqdm import tqdm
    except ImportError:
        return _Progress(steps, quiet=False)
    return tqdm(total=steps, unit="step", desc="training", file=sys.stderr)


class _Progress:
    """What the command needs of tqdm: ``update``, ``set_postfix``, ``close`` (tqdm is an optional extra)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.done, self.quiet, self.postfix = total, 0, quiet, ""

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.quiet and (self.done == self.total or self.done % max(1, self.total // 10) == 0):
            print(f"training: step {self.done}/{self.total} {self.postfix}", file=sys.stderr)

    def set_postfix(self, **values: Any) -> None:
        self.postfix = " ".join(f"{k}={v}" for k, v in values.items())

    def close(self) -> None:
        pass


def _live(args: argparse.Namespace) -> int:
    output = args.output if args.output is not None else (None if args.serve else Path("live.html"))
    target = _check_writable(output) if output is not None else None
    live, _ = _live_setup(args)
    server = None
    if args.serve:
        try:
            server = live.serve(port=args.port, host=args.host, open_browser=args.open)
        except OSError as error:
            raise RunError(f"cannot serve on {args.host}:{args.port}: {error.strerror or error}") from None
        print(f"serving the live view at {server.url} (Ctrl-C stops)", flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"warning: {args.host} lets other machines reach the page and its controls", file=sys.stderr)
    bar = _progress(args.steps, args.no_progress)
    try:
        for _ in range(args.steps):
            loss = live.step()
            accuracy = live.frames[-1].accuracy
            bar.set_postfix(loss=f"{loss:.4f}", accuracy=f"{accuracy:.0%}" if accuracy is not None else "-")
            bar.update(1)
    except KeyboardInterrupt:
        bar.close()
        if server is not None:
            server.close()
        if target is not None:
            _write_output(target, live.page().html.encode("utf-8"))
            print(f"stopped after {len(live.frames) - 1} steps; wrote {output}")
        raise
    finally:
        bar.close()
    if target is not None:
        _write_output(target, live.page().html.encode("utf-8"))
        last = live.frames[-1]
        summary = f"loss {last.loss:.4f}" + (f", accuracy {last.accuracy:.0%}" if last.accuracy is not None else "")
        print(f"wrote {output}: {len(live.frames) - 1} steps ({summary}); open it in a browser")
    if server is not None:
        live.controls.act({"action": "pause"})  # the page's play and step buttons train on from here
        live.note(f"paused after {args.steps} steps: press play or step to train on")
        print(f"trained {args.steps} steps; serving at {server.url}, paused: play or step there (Ctrl-C stops)")
        try:
            while True:
                live.step()  # waits for the page's play or step
        except KeyboardInterrupt:
            server.close()
            return 0
    return 0


def _demo(args: argparse.Namespace) -> int:
    apple_shopping(apple=args.apple, tax=args.tax)
    return 0
