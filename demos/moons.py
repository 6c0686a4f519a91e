"""micrograd's classic demo: a small MLP learns to separate two interleaving half-moons.

One hundred 2-D points, each labelled -1 or +1, from scikit-learn's ``make_moons``. The network
``MLP(2, [16, 16, 1])`` (337 parameters, ReLU hidden layers) gives each point a score; the sign
of the score is the predicted class. Training is full-batch gradient descent on

    loss = mean(relu(1 - label * score))  +  1e-4 * sum(p * p for every parameter p)

the max-margin ("hinge") loss of a support vector machine plus L2 regularisation, exactly as in
micrograd's demo notebook: 100 steps, with a learning rate falling linearly from 1.0 to 0.1.
A step is a graph of about 65,000 scalar operations, one backward pass, and a move of every
parameter a little against its gradient. It reaches 100% training accuracy.

By default the step is compiled: ``autograd.compile`` traces it once on Values and writes its
forward and backward pass out as straight-line Python, which then runs on plain floats at every
step, giving the very same numbers as the engine. ``--no-compiled`` builds the graph and calls
``backward()`` at every step instead, the way micrograd does.

The decision-boundary plot scores a grid of points under ``no_grad()``: no graph is recorded,
since no gradient is needed, which makes that part several times faster.

    python demos/moons.py                 # writes out/moons_boundary.png and out/moons_loss.png
    python demos/moons.py --seed 7 --out /tmp/moons
    python demos/moons.py --no-compiled   # the engine's graph at every step: same numbers, slower
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from _extras import freeze_what_lives, need, need_all, pyplot, save

import autograd
from autograd import no_grad
from autograd.nn import MLP, SGD, LinearLR, hinge, l2


def make_data(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[float]]:
    """``n`` two-moons points as plain floats, with labels -1.0 and +1.0 (as the hinge loss wants)."""
    datasets = need("sklearn.datasets")
    X, y = datasets.make_moons(n_samples=n, noise=noise, random_state=seed)
    return X.tolist(), [2.0 * label - 1.0 for label in y.tolist()]


def accuracy(scores: Sequence[float], labels: Sequence[float]) -> float:
    """The fraction of points whose score has the sign of their label."""
    return sum((s > 0) == (y > 0) for s, y in zip(scores, labels)) / len(labels)


def train(
    model: MLP, X: list[list[float]], y: list[float], steps: int, alpha: float, progress: bool, compiled: bool
) -> tuple[list[float], list[float], float]:
    """Full-batch SGD with micrograd's schedule; returns the losses, the accuracies (one per step,
    measured before that step's update) and the seconds spent per step."""
    tqdm = need("tqdm").tqdm
    params = model.parameters()
    optimizer = SGD(params, lr=1.0)
    schedule = LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=steps)  # lr = 1 - 0.9 k / steps

    def loss_and_scores(X: list, y: list[float]) -> tuple[autograd.Value, list]:
        scores = [model(x) for x in X]
        return hinge(scores, y) + l2(params, alpha), scores

    if compiled:
        start = time.perf_counter()
        # traced once: the model's weights are read at every call, their gradients added to .grad
        step = autograd.compile(loss_and_scores, X, y, params=model, wrt=(), has_aux=True)
        print(f"compiled the step ({step.nodes:,} ops) in {time.perf_counter() - start:.2f} s")
    losses, accuracies = [], []
    bar = tqdm(range(steps), desc="training", unit="step", disable=not progress, file=sys.stderr)
    start = time.perf_counter()
    for _ in bar:
        optimizer.zero_grad()
        if compiled:
            (loss, scores), _ = step(X, y)  # floats: the loss, and the score of every point
        else:
            loss_value, score_values = loss_and_scores(X, y)  # a graph of Values
            loss_value.backward()
            loss, scores = loss_value.data, [s.data for s in score_values]
        optimizer.step()
        schedule.step()
        losses.append(loss)
        accuracies.append(accuracy(scores, y))
        bar.set_postfix(loss=f"{loss:.4f}", acc=f"{accuracies[-1]:.0%}")
    return losses, accuracies, (time.perf_counter() - start) / steps


@no_grad()
def final_scores(model: MLP, X: list[list[float]]) -> list[float]:
    """The trained model's score for every point (no graph: nothing here needs a gradient)."""
    return [model(x).data for x in X]


def plot_boundary(model: MLP, X: list[list[float]], y: list[float], path: Path, resolution: int) -> float:
    """Colour the plane by the sign of the model's score, dots for the data; returns the seconds
    spent scoring the ``resolution`` x ``resolution`` grid."""
    plt = pyplot()
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    x_lo, x_hi, y_lo, y_hi = min(xs) - 1, max(xs) + 1, min(ys) - 1, max(ys) + 1
    gx = [x_lo + (x_hi - x_lo) * i / (resolution - 1) for i in range(resolution)]
    gy = [y_lo + (y_hi - y_lo) * j / (resolution - 1) for j in range(resolution)]
    start = time.perf_counter()
    with no_grad():  # ten thousand forward passes, and not one graph kept
        z = [[1.0 if model([a, b]).data > 0 else -1.0 for a in gx] for b in gy]
    seconds = time.perf_counter() - start
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(gx, gy, z, levels=[-2, 0, 2], cmap="Spectral", alpha=0.8)
    ax.scatter(xs, ys, c=y, s=40, cmap="Spectral", edgecolors="k")
    ax.set_title("decision boundary of MLP(2, [16, 16, 1])")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    save(fig, path)
    return seconds


def plot_curves(losses: list[float], accuracies: list[float], path: Path) -> None:
    """The loss (left axis, log scale) and the training accuracy (right axis) per step."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.semilogy(losses, color="C0", label="loss (hinge + L2)")
    ax.set_xlabel("step")
    ax.set_ylabel("loss", color="C0")
    twin = ax.twinx()
    twin.plot([100 * a for a in accuracies], color="C1", label="accuracy")
    twin.set_ylabel("training accuracy (%)", color="C1")
    twin.set_ylim(0, 105)
    ax.set_title("training MLP(2, [16, 16, 1]) on two moons")
    save(fig, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1337, help="seeds the data and the weights (default 1337)")
    parser.add_argument("--steps", type=int, default=100, help="training steps (default 100)")
    parser.add_argument("--points", type=int, default=100, help="number of data points (default 100)")
    parser.add_argument("--noise", type=float, default=0.1, help="make_moons noise (default 0.1)")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 strength (default 1e-4)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the plots (default out/)")
    parser.add_argument("--fast", action="store_true", help="a coarse decision-boundary grid, for the tests")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--compiled",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="train with the step compiled by autograd.compile (default), or build the graph every step",
    )
    args = parser.parse_args(argv)
    need_all("sklearn", "matplotlib", "tqdm")

    X, y = make_data(args.points, args.noise, args.seed)
    freeze_what_lives()
    model = MLP(2, [16, 16, 1], seed=args.seed)
    print(f"{len(X)} points, {model.num_parameters()} parameters, {args.steps} full-batch steps")
    losses, accuracies, per_step = train(
        model, X, y, args.steps, args.alpha, progress=not args.no_progress, compiled=args.compiled
    )
    final = accuracy(final_scores(model, X), y)
    print(f"loss: {losses[0]:.4f} at the first step, {losses[-1]:.4f} at the last")
    print(f"training accuracy: {final:.0%}")
    print(f"time per epoch: {1000 * per_step:.1f} ms (forward, backward and update over all {len(X)} points)")

    args.out.mkdir(parents=True, exist_ok=True)
    boundary, curves = args.out / "moons_boundary.png", args.out / "moons_loss.png"
    seconds = plot_boundary(model, X, y, boundary, resolution=40 if args.fast else 120)
    plot_curves(losses, accuracies, curves)
    print(f"decision boundary: {boundary} (grid scored under no_grad() in {seconds:.2f} s)")
    print(f"loss curve: {curves}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
