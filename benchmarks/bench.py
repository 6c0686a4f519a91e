"""Benchmark scalar-autograd against micrograd 0.1.0 (and PyTorch scalars, when installed).

Every workload times the whole cycle: build the graph, run backward, read the gradients and
drop the graph, with the garbage collector on (micrograd's per-node reference cycles make the
collector a large part of its cost). Engines run interleaved, in the same process; the table
shows medians and how many times faster this engine is.

A second table times ``autograd.compile`` of two workloads against the same computation written
by hand on plain floats (``by_hand.py``), the fastest that Python can be without an engine.
Before timing anything, a self-check makes sure that the hand-written gradients are the
engine's, and that the compiled code returns the engine's numbers exactly.

    python benchmarks/bench.py            # full run, a few minutes
    python benchmarks/bench.py --quick    # fewer repeats, smaller graphs
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import by_hand  # beside this file

import autograd
import autograd.nn

# ----------------------------------------------------------------------------- engines


@dataclass
class Engine:
    """What a workload needs from an engine: a scalar type, an MLP class, and how to backward."""

    name: str
    Value: Callable[[float], Any]
    MLP: Callable[..., Any] | None = None
    deep_graphs: bool = True  # False: backward recurses, so a deep graph needs a raised limit

    def backward(self, root: Any) -> None:
        root.backward()

    def grad_of(self, x: Any) -> float:
        return float(x.grad)


class TorchEngine(Engine):
    """PyTorch with 0-d float64 tensors: the same scalar graph, on PyTorch's autograd."""

    def __init__(self, torch: ModuleType) -> None:
        self.torch = torch
        super().__init__("torch", self._value, None)

    def _value(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def grad_of(self, x: Any) -> float:
        return 0.0 if x.grad is None else float(x.grad)


def load_engines(with_torch: bool) -> list[Engine]:
    engines = [Engine("autograd", autograd.Value, autograd.nn.MLP)]
    try:
        import micrograd.engine
        import micrograd.nn
    except ImportError:
        sys.exit("micrograd is needed for the comparison: pip install micrograd==0.1.0")
    engines.append(Engine("micrograd", micrograd.engine.Value, micrograd.nn.MLP, deep_graphs=False))
    if with_torch:
        try:
            import torch
        except ImportError:
            print("(PyTorch is not installed: its column is skipped)")
        else:
            torch.set_num_threads(1)
            engines.append(TorchEngine(torch))
    return engines


# ----------------------------------------------------------------------------- workloads


def expression(a: Any, b: Any) -> Any:
    """The example from micrograd's README: 25 ops on two inputs, with constants."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def expression_workload(engine: Engine, times: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(times):
            a, b = engine.Value(-4.0), engine.Value(2.0)
            engine.backward(expression(a, b))
            engine.grad_of(a), engine.grad_of(b)

    return run


def mlp_workload(engine: Engine, points: int) -> Callable[[], None] | None:
    """One training step of MLP(2, [16, 16, 1]) as in micrograd's moons demo: hinge loss + L2."""
    if engine.MLP is None:
        return mlp_workload_torch(engine, points)
    random.seed(1)
    model = engine.MLP(2, [16, 16, 1])
    xs, ys = _points(points)
    params = model.parameters()

    def run() -> None:
        inputs = [[engine.Value(x0), engine.Value(x1)] for x0, x1 in xs]
        loss = mlp_loss(model, params, inputs, ys)
        model.zero_grad()
        loss.backward()
        for p in params:
            p.data -= 0.01 * p.grad

    return run


def mlp_loss(model: Any, params: list[Any], inputs: list[list[Any]], ys: list[Any]) -> Any:
    """The moons demo's loss: mean hinge loss of the model's scores, plus 1e-4 * L2 of the weights."""
    scores = [model(x) for x in inputs]
    losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)


def mlp_workload_torch(engine: Engine, points: int) -> Callable[[], None] | None:
    """The same step on 0-d tensors, written out neuron by neuron as the scalar engines run it."""
    if not isinstance(engine, TorchEngine):
        return None
    torch = engine.torch
    random.seed(1)
    sizes = [2, 16, 16, 1]
    layers = [
        [([engine.Value(random.uniform(-1, 1)) for _ in range(nin)], engine.Value(0.0)) for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    xs, ys = _points(points)

    def run() -> None:
        losses = []
        for (x0, x1), y in zip(xs, ys):
            x = [torch.tensor(x0, dtype=torch.float64), torch.tensor(x1, dtype=torch.float64)]
            for i, layer in enumerate(layers):
                out = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
                x = [o.relu() for o in out] if i < len(layers) - 1 else out
            losses.append((1 + -y * x[0]).relu())
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.01 * p.grad

    return run


def _points(n: int) -> tuple[list[tuple[float, float]], list[float]]:
    rng = random.Random(0)
    xs = [(rng.uniform(-2, 2), rng.uniform(-1, 1)) for _ in range(n)]
    ys = [1.0 if x0 * x1 > 0 else -1.0 for x0, x1 in xs]
    return xs, ys


def chain_workload(engine: Engine, length: int) -> Callable[[], None]:
    """A chain ``length`` ops deep: y = y * 0.99999 + x, repeated."""

    def run() -> None:
        x = engine.Value(0.5)
        y = x
        for _ in range(length):
            y = y * 0.99999 + x
        engine.backward(y)
        engine.grad_of(x)

    return run


def sum_of_products_workload(engine: Engine, n: int) -> Callable[[], None]:
    """sum(w_i * x_i) over n pairs of leaves, then backward and every gradient read."""
    rng = random.Random(0)
    data = [(rng.random(), rng.random()) for _ in range(n)]

    def run() -> None:
        ws = [engine.Value(w) for w, _ in data]
        xs = [engine.Value(x) for _, x in data]
        total = ws[0] * xs[0]
        for w, x in zip(ws[1:], xs[1:]):
            total = total + w * x
        engine.backward(total)
        for w in ws:
            engine.grad_of(w)

    return run


# ----------------------------------------------------------------------------- compiled and by hand


def compile_mlp_step(model: autograd.nn.MLP, xs: list[tuple[float, float]], ys: list[float]) -> autograd.Compiled:
    """``autograd.compile`` of the MLP workload's loss, the weights passed in ``params=``."""
    params = model.parameters()

    def loss_fn(inputs: list[list[Any]], labels: list[Any]) -> Any:
        return mlp_loss(model, params, inputs, labels)

    return autograd.compile(loss_fn, xs, ys, params=params, wrt=())


def mlp_compiled_workload(points: int) -> Callable[[], None]:
    """``mlp_workload``'s step, compiled: the same model, points and update, and no graph to build."""
    random.seed(1)
    model = autograd.nn.MLP(2, [16, 16, 1])
    xs, ys = _points(points)
    params = model.parameters()
    step = compile_mlp_step(model, xs, ys)

    def run() -> None:
        model.zero_grad()
        step(xs, ys)
        for p in params:
            p.data -= 0.01 * p.grad

    return run


def mlp_by_hand_workload(points: int) -> Callable[[], None]:
    """``mlp_workload``'s step written by hand on lists of floats, from the same first weights."""
    random.seed(1)
    layers = by_hand.init_mlp([2, 16, 16, 1])
    xs, ys = _points(points)

    def run() -> None:
        by_hand.mlp_step(layers, xs, ys)

    return run


def expression_compiled_workload(times: int) -> Callable[[], None]:
    """``expression_workload``, compiled: value and both gradients, ``times`` calls."""
    f = autograd.compile(expression, -4.0, 2.0)

    def run() -> None:
        for _ in range(times):
            f(-4.0, 2.0)

    return run


def expression_by_hand_workload(times: int) -> Callable[[], None]:
    """``expression_workload`` written by hand on floats, ``times`` calls."""

    def run() -> None:
        for _ in range(times):
            by_hand.expression(-4.0, 2.0)

    return run


def compile_seconds(points: int, repeat: int) -> float:
    """Median time of ``compile_mlp_step``, the garbage collector on, as for the workloads."""
    random.seed(1)
    model = autograd.nn.MLP(2, [16, 16, 1])
    xs, ys = _points(points)
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        step = compile_mlp_step(model, xs, ys)
        times.append(time.perf_counter() - start)
        del step  # freeing the traced graph is not part of compiling
    gc.collect()
    return statistics.median(times)


# ----------------------------------------------------------------------------- self-check


def self_check(points: int = 20) -> None:
    """Exit unless the hand-written code gives the engine's gradients (to 1e-12, relative) and the
    compiled code gives the engine's numbers exactly: otherwise the comparisons would mean nothing."""
    a, b = autograd.Value(-4.0), autograd.Value(2.0)
    out = expression(a, b)
    engine_result = [out.data, *autograd.grad(out, [a, b])]
    _check_close("by_hand.expression", list(by_hand.expression(-4.0, 2.0)), engine_result)
    value, (da, db) = autograd.compile(expression, -4.0, 2.0)(-4.0, 2.0)
    _check_equal("compiled expression", [value, da, db], engine_result)

    random.seed(1)
    model = autograd.nn.MLP(2, [16, 16, 1])
    random.seed(1)
    layers = by_hand.init_mlp([2, 16, 16, 1])
    params = model.parameters()
    _check_equal("by_hand.init_mlp's weights", by_hand.flat(layers), [p.data for p in params])
    xs, ys = _points(points)
    loss = mlp_loss(model, params, [[autograd.Value(x0), autograd.Value(x1)] for x0, x1 in xs], ys)
    engine_result = [loss.data, *autograd.grad(loss, params)]
    hand_loss, hand_grads = by_hand.mlp_loss_and_grads(layers, xs, ys)
    _check_close("by_hand.mlp_loss_and_grads", [hand_loss, *by_hand.flat(hand_grads)], engine_result)
    model.zero_grad()
    compiled_loss, _ = compile_mlp_step(model, xs, ys)(xs, ys)
    _check_equal("compiled MLP step", [compiled_loss, *(p.grad for p in params)], engine_result)
    gc.collect()


def _check_close(what: str, got: list[float], engine: list[float]) -> None:
    for i, (x, y) in enumerate(zip(got, engine, strict=True)):
        if not math.isclose(x, y, rel_tol=1e-12):
            sys.exit(f"self-check failed: {what} gives {x!r} at [{i}], the engine {y!r}")


def _check_equal(what: str, got: list[float], engine: list[float]) -> None:
    for i, (x, y) in enumerate(zip(got, engine, strict=True)):
        if x != y:
            sys.exit(f"self-check failed: {what} gives {x!r} at [{i}], the engine {y!r} (they must be equal)")


# ----------------------------------------------------------------------------- measuring


def median_seconds(runs: dict[str, Callable[[], None]], repeat: int) -> dict[str, float]:
    """Median wall time of each run, the engines taking turns so that drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def bytes_per_node(engine: Engine, n: int) -> float:
    """Memory held per node of an n-node chain after backward (tracemalloc, graph alive)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    x = engine.Value(0.5)
    y = x
    for _ in range(n):
        y = y + x  # one new node per step, no constants
    engine.backward(y)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del x, y
    gc.collect()
    return held / n


def deep_chain(engine: Engine, length: int) -> str:
    """Seconds for backward through a ``length``-deep chain, or the error it raised."""
    try:
        start = time.perf_counter()
        chain_workload(engine, length)()
        return f"{time.perf_counter() - start:.2f} s"
    except RecursionError:
        return "RecursionError"
    finally:
        gc.collect()


@dataclass
class Target:
    """A bound on a ratio: at least (``>=``), more than (``>``) or at most (``<=``) ``bound``."""

    sign: str
    bound: float

    def met(self, ratio: float) -> bool:
        return {">=": ratio >= self.bound, ">": ratio > self.bound, "<=": ratio <= self.bound}[self.sign]

    def __str__(self) -> str:
        return f"{self.sign} {self.bound:g}x"


@dataclass
class Row:
    workload: str
    seconds: dict[str, float]
    target: float | None  # how many times faster than micrograd this engine must be, if set
    beat_torch: bool = False  # whether this engine must be faster than PyTorch here

    def cells(self, names: list[str]) -> list[str]:
        ours = self.seconds["autograd"]
        cells = [self.workload] + [_ms(self.seconds.get(name)) for name in names]
        cells += _versus(self.seconds["micrograd"] / ours, None if self.target is None else Target(">=", self.target))
        if "torch" in self.seconds:
            cells += _versus(self.seconds["torch"] / ours, Target(">", 1) if self.beat_torch else None)
        return cells


@dataclass
class CompiledRow:
    """A compiled workload against the same computation written by hand, and against the engines."""

    workload: str
    compiled: float
    by_hand: float
    eager: Row  # the same workload on the engines (micrograd's and torch's times)
    target: float | None  # how many times faster than micrograd the compiled code must be, if set
    beat_torch: bool = False

    def cells(self) -> list[str]:
        cells = [self.workload, _ms(self.compiled), _ms(self.by_hand)]
        cells += _versus(self.compiled / self.by_hand, Target("<=", 1.5))
        micrograd = self.eager.seconds["micrograd"] / self.compiled
        cells += _versus(micrograd, None if self.target is None else Target(">=", self.target))
        if "torch" in self.eager.seconds:
            cells += _versus(self.eager.seconds["torch"] / self.compiled, Target(">", 1) if self.beat_torch else None)
        return cells


def _versus(ratio: float, target: Target | None) -> list[str]:
    """Three cells: the ratio, its target (if any) and whether it is met."""
    if target is None:
        return [_times(ratio), "-", ""]
    return [_times(ratio), str(target), "met" if target.met(ratio) else "NOT MET"]


def _times(ratio: float) -> str:
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x" if ratio < 100 else f"{ratio:.0f}x"


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.1f} ms"


def measure_compiled(expression_row: Row, mlp_row: Row, repeat: int) -> list[CompiledRow]:
    """Time the compiled workloads and the hand-written ones, taking turns; compare with the engines.

    The compiled code is let go before returning, so that the collector does not walk its
    traced graph while later measurements run.
    """
    mlp = median_seconds({"compiled": mlp_compiled_workload(100), "by hand": mlp_by_hand_workload(100)}, repeat)
    print("  done: MLP step, compiled and by hand", file=sys.stderr)
    expr = median_seconds(
        {"compiled": expression_compiled_workload(1000), "by hand": expression_by_hand_workload(1000)}, repeat
    )
    print("  done: expression x1000, compiled and by hand", file=sys.stderr)
    gc.collect()
    return [
        CompiledRow("MLP step, compiled", mlp["compiled"], mlp["by hand"], mlp_row, target=50, beat_torch=True),
        CompiledRow("expression x1000, compiled", expr["compiled"], expr["by hand"], expression_row, target=None),
    ]


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller graphs")
    parser.add_argument("--repeat", type=int, help="timed runs per engine and workload (median shown)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 11)
    big = 20_000 if args.quick else 100_000
    engines = load_engines(with_torch=not args.no_torch)
    # Importing PyTorch leaves ~150k objects that the garbage collector would walk again on
    # every full collection of every engine's graphs; freeze them, so that each engine pays
    # only for the objects it makes itself.
    gc.collect()
    gc.freeze()
    # micrograd's backward recurses once per node: give it room, or it cannot run deep graphs
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * big + 1000))

    self_check()
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.platform()}")
    print("self-check passed: hand-written gradients are the engine's to 1e-12, compiled results equal them exactly")
    print(f"medians of {repeat} runs; 'speedup' is micrograd's time divided by autograd's, 'vs torch' torch's\n")
    Make = Callable[[Engine], Callable[[], None] | None]
    workloads: list[tuple[str, Make, float | None, bool]] = [
        ("expression x1000 (micrograd README, 25 ops)", lambda e: expression_workload(e, 1000), 3, False),
        ("MLP(2,[16,16,1]) training step, 100 points", lambda e: mlp_workload(e, 100), 5, True),
        (f"chain of {big:,} ops, backward", lambda e: chain_workload(e, big // 2), None, False),
        (f"sum of {big:,} products, backward", lambda e: sum_of_products_workload(e, big), 5, False),
    ]
    names = [e.name for e in engines]
    rows = []
    for title, make, target, beat_torch in workloads:
        runs = {e.name: run for e in engines if (run := make(e)) is not None}
        rows.append(Row(title, median_seconds(runs, repeat), target, beat_torch))
        print(f"  done: {title}", file=sys.stderr)
    versus_torch = ["vs torch", "target", ""] if "torch" in names else []
    print_table(["workload", *names, "speedup", "target", "", *versus_torch], [row.cells(names) for row in rows])

    expression_row, mlp_row = rows[0], rows[1]
    compiled_rows = measure_compiled(expression_row, mlp_row, 5 * repeat)
    compile_time = compile_seconds(100, min(repeat, 5))
    print(f"\nautograd.compile against the same work written by hand on floats (by_hand.py), {5 * repeat} runs;")
    print("median time per call, compiling excluded; 'compiled / by hand' divides the times, the lower the better;")
    print("'vs micrograd' and 'vs torch' divide their times in the table above by the compiled code's\n")
    header = ["workload", "compiled", "by hand", "compiled / by hand", "target", "", "vs micrograd", "target", ""]
    print_table(header + versus_torch, [row.cells() for row in compiled_rows])
    steps = 100
    amortised = compile_time / steps
    verdict = "met" if compile_time < 2 else "NOT MET"
    print(f"\ncompile time of the MLP step {compile_time:.2f} s (target < 2 s): {verdict}")
    print(
        f"amortised over {steps} steps = {_ms(amortised)}/step, {_ms(amortised + compiled_rows[0].compiled)}/step "
        f"with the step itself (eager autograd: {_ms(mlp_row.seconds['autograd'])}/step)"
    )

    print("\nMemory held per node (an n-node chain after backward, tracemalloc):")
    n = 20_000 if args.quick else 100_000
    memory = {e.name: bytes_per_node(e, n) for e in engines[:2]}
    ratio = memory["autograd"] / memory["micrograd"]
    mem_rows = [[name, f"{b:.0f} B"] for name, b in memory.items()]
    print_table(["engine", "bytes/node"], mem_rows)
    print(
        f"autograd uses {ratio:.2f} of micrograd's memory per node (target <= 0.33): "
        f"{'met' if ratio <= 1 / 3 else 'NOT MET'}"
    )

    print(
        f"(a node was {BYTES_BEFORE_DICT} B before a Value kept the attributes user code sets on it: its __dict__ "
        f"costs {memory['autograd'] - BYTES_BEFORE_DICT:+.0f} B on every node, set or not)"
    )

    print("\nA chain of 1,000,000 ops at Python's default recursion limit:")
    sys.setrecursionlimit(1000)
    for engine in engines[:2]:
        print(f"  {engine.name:10s} {deep_chain(engine, 500_000)}")

    compile_at_scale(args.quick)
    print_callgrind()
    print_diagram_times()
    print_live(args.quick)
    return 0


BYTES_BEFORE_DICT = 120  # autograd's bytes per node before Values took user attributes (Python 3.11.7)
CALLGRIND_BEFORE = 223_411  # the expression cycle before per-thread modes, hooks and defop (Python 3.11.7)


def print_callgrind() -> None:
    """The hot path's instruction count (benchmarks/callgrind.py), against the figure before this work."""
    import shutil

    import callgrind  # beside this file

    if shutil.which("valgrind") is None:
        print("\ncallgrind: valgrind is not installed, so the instruction count is not measured")
        return
    per_cycle = callgrind.per_cycle("expression", 600)  # fewer cycles bias the figure (the collector's rhythm)
    change = per_cycle / CALLGRIND_BEFORE - 1
    print(
        f"\nexpression cycle under callgrind: {per_cycle:,.0f} instructions, {CALLGRIND_BEFORE:,} before "
        f"per-thread modes ({change:+.1%}; target within +2%: {'met' if change <= 0.02 else 'NOT MET'})"
    )


# ----------------------------------------------------------------------------- compile at scale

COMPILE_SECONDS_PER_OP = 10e-6  # the targets: compile time per op, and peak memory per op
COMPILE_BYTES_PER_OP = 2048


def scale_chain(ops: int) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    """The chain workload as a function to compile: ``y = y * 0.99999 + x``, ``ops`` ops."""

    def chain(x: Any) -> Any:
        y = x
        for _ in range(ops // 2):
            y = y * 0.99999 + x
        return y

    return chain, (0.5,), {}


def scale_tanh_chain(ops: int) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    """``y = y.tanh()``, ``ops`` times: each step's value is read by its gradient."""

    def chain(x: Any) -> Any:
        y = x
        for _ in range(ops):
            y = y.tanh()
        return y

    return chain, (0.5,), {}


def scale_wide_sum(ops: int) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    """The sum-of-products workload: ``sum(w_i * x_i)`` over ``ops // 2`` pairs of arguments."""
    rng = random.Random(0)
    ws, xs = [rng.random() for _ in range(ops // 2)], [rng.random() for _ in range(ops // 2)]

    def wide_sum(ws: list[Any], xs: list[Any]) -> Any:
        total = ws[0] * xs[0]
        for w, x in zip(ws[1:], xs[1:]):
            total = total + w * x
        return total

    return wide_sum, (ws, xs), {}


def scale_mlp(points: int) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    """The MLP workload's training step (the weights in ``params=``), on ``points`` points."""
    random.seed(1)
    model = autograd.nn.MLP(2, [16, 16, 1])
    xs, ys = _points(points)
    params = model.parameters()

    def loss_fn(inputs: list[list[Any]], labels: list[Any]) -> Any:
        return mlp_loss(model, params, inputs, labels)

    return loss_fn, (xs, ys), {"params": params, "wrt": ()}


def _engine_leaves(tree: Any) -> Any:
    return [_engine_leaves(item) for item in tree] if isinstance(tree, (list, tuple)) else autograd.Value(tree)


def _flat(tree: Any) -> list[Any]:
    return [x for item in tree for x in _flat(item)] if isinstance(tree, (list, tuple)) else [tree]


def compiled_matches_engine(fn: Callable[..., Any], args: tuple[Any, ...], options: dict[str, Any]) -> bool:
    """Whether the compiled function returns the engine's value and gradients, bit for bit
    (and adds into the params' ``.grad`` what backward() adds)."""
    params = options.get("params", [])
    compiled = autograd.compile(fn, *args, **options)
    for p in params:
        p.grad = 0.0
    value, grads = compiled(*args)
    got = [value, *_flat(grads), *(p.grad for p in params)]
    del compiled
    leaves = [_engine_leaves(arg) for arg in args]
    out = fn(*leaves)
    expected = [out.data, *autograd.grad(out, _flat(leaves) if options.get("wrt") is None else [])]
    for p in params:
        p.grad = 0.0
    if params:
        out.backward()
    expected += [p.grad for p in params]
    del out, leaves
    gc.collect()
    return [x.hex() for x in got] == [x.hex() for x in expected]


def compile_at_scale(quick: bool) -> None:
    """Compile time and peak memory per op of compile() on graphs from a thousand ops to a million."""
    largest = 100_000 if quick else 1_000_000
    cases: list[tuple[str, Callable[[int], Any], int]] = [
        *(("chain y*c+x", scale_chain, n) for n in (1_000, 10_000, 100_000, 1_000_000) if n <= largest),
        *(("wide sum", scale_wide_sum, n) for n in (1_000, 20_000, 200_000) if n <= largest // 5),
        ("tanh chain", scale_tanh_chain, largest // 10),
        ("MLP step, 100 points", lambda n: scale_mlp(100), 0),
    ]
    print("\nautograd.compile at scale: compile time per op (wall clock: the fastest of the runs that fit in")
    print("a second, 5 to 25 of them below 100,000 ops, 3 below 500,000, one above; their median beside it)")
    print("and peak memory per op (tracemalloc, a separate run); the numbers of each compiled function")
    targets = f"{COMPILE_SECONDS_PER_OP * 1e6:g} us and {COMPILE_BYTES_PER_OP} B per op"
    print(f"checked against the engine's grad() bit for bit; targets {targets}. On a shared machine a run")
    print("takes up to twice as long as another of the same graph, so one run of a small graph says little;")
    print("the fastest is the one the other load slowed least (each run compiles the graph afresh)\n")
    rows = []
    for title, make, size in cases:
        fn, args, options = make(size)
        times: list[float] = []
        fewest = 1 if size >= 500_000 else 3 if size >= 100_000 else 5
        while len(times) < fewest or (size < 100_000 and len(times) < 25 and sum(times) < 1.0):
            gc.collect()
            start = time.perf_counter()
            compiled = autograd.compile(fn, *args, **options)
            times.append(time.perf_counter() - start)
            ops = compiled.nodes
            del compiled
        seconds, median = min(times), statistics.median(times)
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        compiled = autograd.compile(fn, *args, **options)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        del compiled
        gc.collect()
        same = compiled_matches_engine(fn, args, options)
        per_op, bytes_per_op = seconds / ops, peak / ops
        rows.append(
            [
                title,
                f"{ops:,}",
                f"{seconds:.3f} s",
                f"{per_op * 1e6:.1f} us",
                f"{median / ops * 1e6:.1f} us",
                "met" if per_op <= COMPILE_SECONDS_PER_OP else "NOT MET",
                f"{peak / 2**20:.1f} MB",
                f"{bytes_per_op:.0f} B",
                "met" if bytes_per_op <= COMPILE_BYTES_PER_OP else "NOT MET",
                "yes" if same else "NO",
            ]
        )
        print(f"  done: compile {title}, {ops:,} ops", file=sys.stderr)
    header = ["workload", "ops", "compile", "per op", "median", "", "peak memory", "per op", "", "engine's numbers"]
    print_table(header, rows)


def print_diagram_times(target: float = 5.0) -> None:
    """Time the command line drawing the largest expressions it accepts, as a user runs it.

    ``a+a+...+a`` and ``a*a*...*a`` of MAX_LENGTH characters: one variable feeding hundreds of
    ops, which made Graphviz's layout take minutes. Each row is one ``python -m autograd graph``
    process, start-up included: ``-o graph.svg``, then ``--steps`` (a frame per step of backward),
    with the system ``dot`` and with the WebAssembly Graphviz (``dot`` hidden from PATH).
    """
    import os
    import resource
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from autograd.expr import MAX_LENGTH, ExpressionError, parse

    terms = (MAX_LENGTH + 1) // 2
    expressions = {op: op.join(["a"] * terms) for op in "+*"}
    for text in expressions.values():  # the largest accepted: one more term is refused
        parse(text)
        try:
            parse(text + "+a")
        except ExpressionError:
            continue
        raise AssertionError("a longer expression is accepted: the benchmark would not show the largest")
    root = Path(__file__).resolve().parent.parent
    backends = ([("system dot", os.environ.get("PATH", ""))] if shutil.which("dot") else []) + [("WebAssembly", "")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for op, text in expressions.items():
            for output in (["-o", "graph.svg"], ["--steps", "steps"]):
                for backend, path in backends:
                    env = {**os.environ, "PYTHONPATH": str(root), "PATH": path or folder}
                    command = [sys.executable, "-m", "autograd", "graph", text, "--set", "a=1.001", *output]
                    used = resource.getrusage(resource.RUSAGE_CHILDREN)
                    start = time.perf_counter()
                    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=env, timeout=600)
                    seconds = time.perf_counter() - start
                    now = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process and its `dot`
                    cpu = now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime
                    if done.returncode != 0:
                        raise RuntimeError(f"{' '.join(command[3:5])[:40]}...: {done.stderr.strip()}")
                    what = f"a{op}a{op}...{op}a, {terms} terms"
                    verdict = "met" if seconds <= target else "NOT MET"
                    cells = [f"{seconds:.2f} s", f"{cpu:.2f} s", f"<= {target:g} s", verdict]
                    rows.append([what, " ".join(output), backend, *cells])
                    shutil.rmtree(Path(folder) / "steps", ignore_errors=True)
    print(f"\nThe largest expressions the command line accepts ({MAX_LENGTH} characters), drawn; one process each;")
    print(
        "'time' is wall-clock (the target), 'cpu' the CPU time of the process and its `dot` (what load cannot inflate)"
    )
    print_table(["expression", "output", "Graphviz", "time", "cpu", "target", ""], rows)


# ----------------------------------------------------------------------------- the live view


def print_live(quick: bool, overhead_target: float = 0.10, size_target: int = 5_000_000) -> None:
    """The live view's two targets: recording a frame costs at most 10% of an eager training step
    of MLP(2,[16,16,1]) on 100 moons points, and the replay of 200 steps is at most 5 MB.

    Each ``Live.step()`` is timed whole and its recording (``_frame``: the probe example's graph
    rebuilt and differentiated, the arrays packed) on its own; the eager step is the rest. The
    page is written by ``Live.save`` (with whatever live.js the branch has).
    """
    import tempfile
    from pathlib import Path

    from autograd.live import Live, make_moons

    X, y = make_moons(100, noise=0.1, seed=0)
    live = Live(autograd.nn.MLP(2, [16, 16, 1], seed=1), X, y)
    record = live._frame
    spent: list[float] = []

    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        frame = record(*args)
        spent.append(time.perf_counter() - start)
        return frame

    live._frame = timed  # type: ignore[method-assign]
    steps = 20 if quick else 200
    totals = []
    for _ in range(steps):
        start = time.perf_counter()
        live.step()
        totals.append(time.perf_counter() - start)
    recording = statistics.median(spent)
    eager = statistics.median(t - r for t, r in zip(totals, spent))
    ratio = recording / eager
    print(f"\nThe live view: MLP(2,[16,16,1]) on 100 moons points, medians of {steps} steps")
    rows = [
        ["eager training step (forward, backward, SGD)", _ms(eager), "", ""],
        [
            "recording its frame",
            _ms(recording),
            f"{ratio:.1%} of the step (target <= {overhead_target:.0%})",
            "met" if ratio <= overhead_target else "NOT MET",
        ],
    ]
    with tempfile.TemporaryDirectory() as folder:
        size = live.save(Path(folder) / "live.html").stat().st_size
    frames = len(json.dumps(live.encode(), separators=(",", ":")))
    verdict = ("met" if size <= size_target else "NOT MET") if steps == 200 else "(200 steps in a full run)"
    rows.append(
        [
            f"replay page of {steps} steps",
            f"{size / 1e6:.2f} MB",
            f"frames {frames / 1e6:.2f} MB (target <= {size_target / 1e6:g} MB at 200 steps)",
            verdict,
        ]
    )
    print_table(["live view", "time / size", "", ""], rows)


if __name__ == "__main__":
    raise SystemExit(main())
