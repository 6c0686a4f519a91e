"""Instructions per cycle of the engine's hot path, counted by valgrind's callgrind.

Wall-clock times drift with the machine's load; instruction counts do not. This script runs a
workload twice under ``valgrind --tool=callgrind``, ``--cycles`` times and once, and prints the
difference divided by the extra cycles: the instructions one cycle costs, start-up excluded.

    python benchmarks/callgrind.py                       # the expression cycle (micrograd's README)
    python benchmarks/callgrind.py --workload mlp        # one MLP(2, [16, 16, 1]) step on 10 points
    python benchmarks/callgrind.py --workload compile-sum --cycles 3   # compile() of a wide sum

Needs valgrind on PATH. Run it before and after a change to the hot path, on the same Python.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def expression_cycle(times: int) -> None:
    """Build micrograd's README expression, backward, read both grads: ``times`` times."""
    from bench import expression

    from autograd import Value

    for _ in range(times):
        a, b = Value(-4.0), Value(2.0)
        expression(a, b).backward()
        a.grad, b.grad  # noqa: B018


def mlp_cycle(times: int) -> None:
    """One hinge-loss step of MLP(2, [16, 16, 1]) on 10 fixed points: ``times`` times."""
    from autograd.nn import MLP, hinge

    model = MLP(2, [16, 16, 1], seed=0)
    xs = [[0.1 * i, -0.05 * i] for i in range(10)]
    ys = [1.0 if i % 2 else -1.0 for i in range(10)]
    for _ in range(times):
        loss = hinge([model(x) for x in xs], ys)
        model.zero_grad()
        loss.backward()


def compile_sum_cycle(times: int) -> None:
    """compile() of bench.py's wide sum of 20,000 ops (10,000 products added up): ``times`` times."""
    from bench import scale_wide_sum

    import autograd

    fn, args, _ = scale_wide_sum(20_000)
    for _ in range(times):
        autograd.compile(fn, *args)


def compile_chain_cycle(times: int) -> None:
    """compile() of bench.py's chain ``y = y * c + x`` of 20,000 ops: ``times`` times."""
    from bench import scale_chain

    import autograd

    fn, args, _ = scale_chain(20_000)
    for _ in range(times):
        autograd.compile(fn, *args)


WORKLOADS = {
    "expression": expression_cycle,
    "mlp": mlp_cycle,
    "compile-sum": compile_sum_cycle,
    "compile-chain": compile_chain_cycle,
}


def count(workload: str, times: int) -> int:
    """Instructions callgrind counts for a whole run of ``times`` cycles (start-up included)."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "callgrind.out")
        code = f"import sys; sys.path.insert(0, {HERE!r}); import callgrind; callgrind.WORKLOADS[{workload!r}]({times})"
        # without address-space randomisation (setarch -R), the counts repeat to within a few hundred
        fixed = ["setarch", platform.machine(), "-R"] if shutil.which("setarch") else []
        subprocess.run(
            [*fixed, "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", code],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        with open(out) as f:
            summary = re.search(r"^summary:\s+(\d+)", f.read(), re.MULTILINE)
    assert summary is not None, "callgrind wrote no summary"
    return int(summary.group(1))


def per_cycle(workload: str, cycles: int) -> float:
    """Instructions of one cycle: (a run of cycles + 1) minus (a run of 1), over cycles."""
    return (count(workload, cycles + 1) - count(workload, 1)) / cycles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="expression")
    parser.add_argument("--cycles", type=int, default=300, help="extra cycles in the longer run (default 300)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("callgrind.py needs valgrind on PATH (apt-get install valgrind)", file=sys.stderr)
        return 1
    n = per_cycle(args.workload, args.cycles)
    print(f"{args.workload} cycle: {n:,.0f} instructions (callgrind, {sys.implementation.cache_tag})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
