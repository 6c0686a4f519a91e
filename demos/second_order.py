"""Newton's method from second derivatives: what gradients of gradients make possible.

Gradient descent looks at the slope f'(x) only and takes a step of fixed size against it:
x <- x - lr * f'(x). Newton's method also looks at the curvature f''(x): near a minimum f is
almost a parabola, and x <- x - f'(x) / f''(x) jumps straight to that parabola's bottom. Close
to the answer the number of correct digits roughly doubles every step.

The engine gives both derivatives. ``grad(f(x), [x], create_graph=True)`` returns f'(x) as a
Value with a graph of its own, so differentiating it once more gives f''(x). Nobody writes down
f' or f'' by hand: the function below is ordinary Python arithmetic.

    python demos/second_order.py            # f(x) = x**4 - 3*x**2 + x from x = 2
    python demos/second_order.py --x0 -2    # the other valley
    python demos/second_order.py --lr 0.04  # a bolder gradient descent

Newton's step finds where f'(x) = 0, which may be a maximum as well as a minimum: it heads
downhill only where f''(x) > 0 (convex there). The demo says so when that fails.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

from _extras import need_all, pyplot, save

from autograd import Value, grad

FORMULA = "x**4 - 3*x**2 + x"


def f(x: Value) -> Value:
    """The function to minimise: two valleys, at x = -1.30 and x = 1.13, and a hill at x = 0.17."""
    return x**4 - 3 * x**2 + x


@dataclass
class Step:
    """One iterate: where we are, and what the engine says about f there."""

    x: float
    fx: float
    slope: float  # f'(x)
    curvature: float  # f''(x)


def derivatives(x: float) -> Step:
    """f(x), f'(x) and f''(x) at ``x``, the last two by differentiating twice through the graph."""
    xv = Value(x, label="x")
    y = f(xv)
    (slope,) = grad(y, [xv], create_graph=True)  # a Value: f'(x), with its own graph
    (curvature,) = grad(slope, [xv])  # d f'(x) / dx = f''(x), a float
    return Step(x, y.data, slope.data, curvature)


def newton(x0: float, tol: float, max_steps: int) -> list[Step]:
    """Newton's iterates from ``x0`` until |f'(x)| < tol (or ``max_steps`` steps)."""
    steps = [derivatives(x0)]
    while abs(steps[-1].slope) >= tol and len(steps) <= max_steps:
        last = steps[-1]
        if last.curvature == 0:
            break  # a flat parabola has no bottom to jump to
        steps.append(derivatives(last.x - last.slope / last.curvature))
    return steps


def gradient_descent(x0: float, lr: float, tol: float, max_steps: int) -> list[Step]:
    """Gradient descent's iterates from ``x0`` with step size ``lr`` until |f'(x)| < tol."""
    steps = [derivatives(x0)]
    while abs(steps[-1].slope) >= tol and len(steps) <= max_steps:
        last = steps[-1]
        x = last.x - lr * last.slope
        if not math.isfinite(x) or abs(x) > 1e6:
            break  # diverged: the step size is too large for this curvature
        steps.append(derivatives(x))
    return steps


def print_table(title: str, steps: list[Step], head: int = 8, tail: int = 3) -> None:
    """The iterates as a table; long runs show their first ``head`` and last ``tail`` rows."""
    print(title)
    slope, curvature = "f'(x)", "f''(x)"
    print(f"  {'step':>5}  {'x':>20}  {'f(x)':>20}  {slope:>11}  {curvature:>11}")
    shown: list[int] = list(range(len(steps)))
    if len(steps) > head + tail + 1:
        shown = [*range(head), -1, *range(len(steps) - tail, len(steps))]  # -1 marks the gap
    for k in shown:
        if k == -1:
            print(f"  {'...':>5}")
            continue
        s = steps[k]
        print(f"  {k:>5}  {s.x:>20.15f}  {s.fx:>20.15f}  {s.slope:>11.3e}  {s.curvature:>11.4f}")
    print()


def summary(name: str, steps: list[Step], tol: float) -> str:
    """One line: how many steps it took, or that it did not converge."""
    last = steps[-1]
    reached = "converged" if abs(last.slope) < tol else "NOT converged"
    return f"{name}: {reached} in {len(steps) - 1} steps, x = {last.x:.15f}, |f'(x)| = {abs(last.slope):.3e}"


def plot(newton_steps: list[Step], gd_steps: list[Step], lr: float, path: Path, points: int) -> None:
    """Left: f with both paths of iterates. Right: |f'(x)| per step, on a log scale."""
    plt = pyplot()

    xs_all = [s.x for s in newton_steps + gd_steps]
    lo, hi = min(-2.0, *xs_all) - 0.2, max(2.0, *xs_all) + 0.2
    grid = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    left.plot(grid, [f(Value(x)).data for x in grid], color="0.3", label=f"f(x) = {FORMULA}")
    left.plot([s.x for s in gd_steps], [s.fx for s in gd_steps], "o-", ms=3, alpha=0.6, label="gradient descent")
    left.plot([s.x for s in newton_steps], [s.fx for s in newton_steps], "s--", ms=6, label="Newton")
    left.set_xlabel("x")
    left.set_ylabel("f(x)")
    left.legend()
    left.set_title("the iterates")
    floor = 1e-17  # an exact zero has no logarithm
    right.semilogy([max(abs(s.slope), floor) for s in gd_steps], "o-", ms=3, label=f"gradient descent (lr {lr:g})")
    right.semilogy([max(abs(s.slope), floor) for s in newton_steps], "s--", ms=6, label="Newton")
    right.set_xlabel("step")
    right.set_ylabel("|f'(x)|")
    right.legend()
    right.set_title("how fast the slope vanishes")
    save(fig, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--x0", type=float, default=2.0, help="starting point (default 2.0)")
    parser.add_argument("--lr", type=float, default=0.02, help="gradient descent's step size (default 0.02)")
    parser.add_argument("--tol", type=float, default=1e-10, help="stop when |f'(x)| < tol (default 1e-10)")
    parser.add_argument("--max-steps", type=int, default=10_000, help="give up after this many steps")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the plot (default out/)")
    parser.add_argument("--seed", type=int, default=0, help="unused: nothing here is random (kept for uniformity)")
    parser.add_argument("--fast", action="store_true", help="a coarser plot (the demo is quick either way)")
    parser.add_argument("--no-plot", action="store_true", help="print the tables only")
    args = parser.parse_args(argv)
    if not args.no_plot:
        need_all("matplotlib")  # say so now rather than after the tables

    print(f"minimising f(x) = {FORMULA} from x = {args.x0:g}; f' and f'' come from grad(..., create_graph=True)\n")
    newton_steps = newton(args.x0, args.tol, args.max_steps)
    gd_steps = gradient_descent(args.x0, args.lr, args.tol, args.max_steps)
    print_table("Newton's method: x <- x - f'(x) / f''(x)", newton_steps)
    print_table(f"Gradient descent: x <- x - {args.lr:g} * f'(x)", gd_steps)
    print(summary("Newton", newton_steps, args.tol))
    print(summary("Gradient descent", gd_steps, args.tol))
    if newton_steps[-1].curvature <= 0:
        print("note: f''(x) <= 0 where Newton stopped: it found a hill top, not a valley (try another --x0)")
    if not args.no_plot:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "second_order.png"
        plot(newton_steps, gd_steps, args.lr, path, points=101 if args.fast else 401)
        print(f"plot: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
