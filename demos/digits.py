"""The book's TwoLayerNet ("Deep Learning from Scratch", chapters 4 and 5) on handwritten digits.

The network is Affine -> ReLU -> Affine -> softmax cross-entropy, with the book's parameter
names: W1 (64 x hidden), b1, W2 (hidden x 10), b2. Its data are the 1,797 8x8 pictures of
digits that scikit-learn ships (no download), each pixel scaled to [0, 1].

The demo does what the book does, in the book's order:

1. **Gradient check.** Backpropagation is fast but easy to get wrong; numerical
   differentiation is slow but simple. On a small batch, a parameter is nudged by h = 1e-4
   both ways and ``(loss(p + h) - loss(p - h)) / 2h`` is compared with the gradient from
   ``backward()``: for every entry of b1 and b2, and for 200 entries drawn at random from
   W1 and W2 (``--check-entries 0`` checks all 2,410, in about a minute). The mean absolute
   difference per parameter group should be tiny (around 1e-9 or smaller): then backprop
   is right.
2. **Training.** Mini-batches, Adam, a few epochs; the accuracy on held-out test pictures
   should pass 95%.

Every multiply and add is a scalar operation, so one picture costs a few thousand of them. By
default the training step is compiled: ``autograd.compile`` traces the loss of a mini-batch once
on Values and writes its forward and backward pass out as straight-line Python, which then runs
on plain floats for every batch (and the predictions likewise, forward only). ``--no-compiled``
builds the engine's graph for every batch instead and calls ``backward()``; that takes a minute
or two. It uses one exact shortcut: a pixel that is 0 adds w * 0 = 0 to the sum and gives its
weight the gradient 0 * g = 0, so the Affine layer skips such pixels (about half of them). The
compiled code cannot skip them, since which pixels are 0 changes from batch to batch.

    python demos/digits.py                      # gradient check, then training; plots in out/
    python demos/digits.py --hidden 64 --epochs 10
    python demos/digits.py --fast               # a tiny version, for the tests
    python demos/digits.py --no-compiled        # build the graph for every batch, as micrograd does
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _extras import freeze_what_lives, need, need_all, pyplot, save

import autograd
from autograd import Value, no_grad
from autograd.nn import Adam, LinearLR, cross_entropy, logsumexp

Matrix = list[list[Value]]


class TwoLayerNet:
    """Affine-ReLU-Affine, with parameters in ``self.params``: W1, b1, W2, b2 (as in the book).

    ``W1[i][j]`` connects input i to hidden unit j. Weights start as ``weight_init_std`` times a
    standard normal draw, biases at 0.
    """

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, weight_init_std: float = 0.01, seed: int = 0
    ) -> None:
        rng = random.Random(seed)
        self.params: dict[str, list[Value] | Matrix] = {
            "W1": [[Value(weight_init_std * rng.gauss(0, 1)) for _ in range(hidden_size)] for _ in range(input_size)],
            "b1": [Value(0.0) for _ in range(hidden_size)],
            "W2": [[Value(weight_init_std * rng.gauss(0, 1)) for _ in range(output_size)] for _ in range(hidden_size)],
            "b2": [Value(0.0) for _ in range(output_size)],
        }

    def groups(self) -> dict[str, list[Value]]:
        """Each parameter group as a flat list of Values, in the order W1, b1, W2, b2."""
        return {name: _flat(p) for name, p in self.params.items()}

    def parameters(self) -> list[Value]:
        """Every parameter as one flat list (what an optimizer takes)."""
        return [p for group in self.groups().values() for p in group]

    def predict(self, x: Sequence[float]) -> list[Value]:
        """The 10 scores (logits) for one picture, before the softmax."""
        hidden = [h.relu() for h in affine(x, self.params["W1"], self.params["b1"])]  # type: ignore[arg-type]
        return affine(hidden, self.params["W2"], self.params["b2"])  # type: ignore[arg-type]

    def loss(self, xs: Sequence[Sequence[float]], ts: Sequence[int]) -> Value:
        """Mean softmax cross-entropy of a batch of pictures ``xs`` with labels ``ts``."""
        return cross_entropy([self.predict(x) for x in xs], list(ts))

    def loss_one_hot(self, xs: Sequence[Sequence[Value]], hots: Sequence[Sequence[Value]]) -> Value:
        """``loss`` with each label given as a one-hot row: ``-log_softmax(scores) . hot``.

        The same numbers, but in a form ``autograd.compile`` can trace: the label is data, so
        picking ``scores[label]`` by index would freeze the labels seen while tracing.
        """
        losses = []
        for x, hot in zip(xs, hots):
            scores = self.predict(x)
            losses.append(logsumexp(scores) - sum(h * s for h, s in zip(hot, scores)))
        return sum(losses[1:], losses[0]) / len(losses)

    @no_grad()
    def evaluate(
        self,
        xs: Sequence[Sequence[float]],
        ts: Sequence[int],
        scores_of: Callable[[Sequence[float]], list] | None = None,
    ) -> tuple[float, float]:
        """Mean loss and accuracy (the fraction whose highest score is the label), as floats,
        in one pass that records no graph. ``scores_of`` (a picture -> its 10 scores as floats)
        replaces ``predict``: the compiled forward pass."""
        total, hits = 0.0, 0
        for x, t in zip(xs, ts):
            values = scores_of(x) if scores_of else [s.data for s in self.predict(x)]
            total += cross_entropy(values, t).data
            hits += values.index(max(values)) == t
        return total / len(ts), hits / len(ts)


def one_hot(label: int, classes: int = 10) -> list[float]:
    """``label`` as a row of floats: 1.0 at its index, 0.0 elsewhere."""
    return [1.0 if k == label else 0.0 for k in range(classes)]


def affine(x: Sequence[Value | float], W: Matrix, b: list[Value]) -> list[Value]:
    """``x @ W + b`` on scalars: output j is ``b[j] + sum_i x[i] * W[i][j]``."""
    # an input that is exactly 0 adds nothing and passes no gradient on, so it is left out
    # (half of the pixels): every result and every gradient is the same, at half the cost
    active = [(xi, W[i]) for i, xi in enumerate(x) if not (type(xi) is float and xi == 0.0)]
    return [sum((xi * row[j] for xi, row in active), b[j]) for j in range(len(b))]


def numerical_gradient(f: Callable[[], float], params: list[Value], h: float = 1e-4) -> list[float]:
    """d f / d each parameter by central differences, as the book's ``numerical_gradient``:
    each parameter in turn is moved to ``p + h`` and ``p - h``, and then put back."""
    grads = []
    for p in params:
        saved = p.data
        p.data = saved + h
        above = f()
        p.data = saved - h
        below = f()
        p.data = saved
        grads.append((above - below) / (2 * h))
    return grads


def gradient_check(
    net: TwoLayerNet, xs: Sequence[Sequence[float]], ts: Sequence[int], entries: int, seed: int
) -> dict[str, tuple[float, int]]:
    """Mean |backprop - numerical| per parameter group on the batch ``xs``, ``ts``, with how many
    entries were compared: all of them, or ``entries`` drawn at random from a larger group."""
    for p in net.parameters():
        p.grad = 0.0
    net.loss(xs, ts).backward()

    @no_grad()  # the numerical side needs only the loss's value: no graph
    def loss() -> float:
        return net.loss(xs, ts).data

    rng = random.Random(seed)
    diffs = {}
    for name, group in net.groups().items():
        if entries and len(group) > entries:
            group = [group[i] for i in sorted(rng.sample(range(len(group)), entries))]
        numerical = numerical_gradient(loss, group)
        diffs[name] = (sum(abs(p.grad - n) for p, n in zip(group, numerical)) / len(group), len(group))
    return diffs


def load(test_size: float, seed: int, limit: int | None) -> tuple[list, list, list, list]:
    """Train and test pictures (lists of 64 floats in [0, 1]) and labels, split with ``seed``."""
    datasets = need("sklearn.datasets")
    model_selection = need("sklearn.model_selection")
    digits = datasets.load_digits()
    X, y = (digits.data / 16.0).tolist(), digits.target.tolist()
    x_train, x_test, t_train, t_test = model_selection.train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    if limit:
        x_train, t_train = x_train[:limit], t_train[:limit]
        x_test, t_test = x_test[: limit // 2], t_test[: limit // 2]
    return x_train, t_train, x_test, t_test


def train(
    net: TwoLayerNet,
    data: tuple[list, list, list, list],
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    progress: bool,
    compiled: bool,
) -> dict[str, list[float]]:
    """Mini-batch Adam, its rate falling linearly to a tenth by the last epoch. Returns the loss of
    every mini-batch (``loss``), the loss on the whole training set before training and after each
    epoch (``train_loss``), and the accuracies after each epoch."""
    tqdm = need("tqdm").tqdm
    x_train, t_train, x_test, t_test = data
    params = net.parameters()
    steps: dict[int, autograd.Compiled] = {}  # one per batch size: a short last batch needs its own
    scores_of = None
    if compiled:
        start = time.perf_counter()
        scores_of = autograd.compile(net.predict, x_train[0], params=params, backward=False)
        print(f"compiled the prediction ({scores_of.nodes:,} ops) in {time.perf_counter() - start:.1f} s")
    optimizer = Adam(params, lr=lr)
    schedule = LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=max(epochs - 1, 1))
    rng = random.Random(seed)
    order = list(range(len(x_train)))
    batches = (len(order) + batch_size - 1) // batch_size
    history: dict[str, list[float]] = {"loss": [], "train_loss": [], "train_acc": [], "test_acc": []}
    history["train_loss"].append(net.evaluate(x_train, t_train, scores_of)[0])
    bar = tqdm(total=epochs * batches, desc="training", unit="batch", disable=not progress, file=sys.stderr)
    for epoch in range(epochs):
        rng.shuffle(order)
        for k in range(batches):
            picked = order[k * batch_size : (k + 1) * batch_size]
            xs, ts = [x_train[i] for i in picked], [t_train[i] for i in picked]
            optimizer.zero_grad()
            if compiled:
                hots = [one_hot(t) for t in ts]
                if len(xs) not in steps:
                    start = time.perf_counter()
                    steps[len(xs)] = autograd.compile(net.loss_one_hot, xs, hots, params=params, wrt=())
                    bar.write(
                        f"compiled the step for {len(xs)} pictures ({steps[len(xs)].nodes:,} ops) "
                        f"in {time.perf_counter() - start:.1f} s",
                        file=sys.stdout,
                    )
                loss, _ = steps[len(xs)](xs, hots)  # adds the gradients into each parameter's .grad
            else:
                graph = net.loss(xs, ts)
                graph.backward()
                loss = graph.data
            optimizer.step()
            history["loss"].append(loss)
            bar.update()
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss:.3f}")
        schedule.step()
        train_loss, train_acc = net.evaluate(x_train, t_train, scores_of)
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_acc"].append(net.evaluate(x_test, t_test, scores_of)[1])
        bar.write(
            f"epoch {epoch + 1}: loss {history['train_loss'][-1]:.4f}, train accuracy {history['train_acc'][-1]:.2%}, "
            f"test accuracy {history['test_acc'][-1]:.2%}",
            file=sys.stdout,
        )
    bar.close()
    return history


def plot(history: dict[str, list[float]], path: Path) -> None:
    """Left: the loss of every mini-batch. Right: train and test accuracy after each epoch."""
    plt = pyplot()

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(history["loss"], lw=0.8)
    left.set_yscale("log")
    left.set_xlabel("mini-batch")
    left.set_ylabel("cross-entropy loss")
    left.set_title("loss")
    epochs = range(1, len(history["test_acc"]) + 1)
    right.plot(epochs, [100 * a for a in history["train_acc"]], "o-", label="train")
    right.plot(epochs, [100 * a for a in history["test_acc"]], "s-", label="test")
    right.axhline(95, color="0.6", ls="--", lw=0.8, label="95%")
    right.set_xticks(list(epochs))
    right.set_xlabel("epoch")
    right.set_ylabel("accuracy (%)")
    right.set_title("accuracy")
    right.legend()
    save(fig, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hidden", type=int, default=32, help="hidden units (default 32)")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training set (default 5)")
    parser.add_argument("--batch-size", type=int, default=32, help="pictures per mini-batch (default 32)")
    parser.add_argument("--lr", type=float, default=0.02, help="Adam's first learning rate (default 0.02)")
    parser.add_argument("--init-std", type=float, default=0.1, help="std of the initial weights (default 0.1)")
    parser.add_argument("--check-batch", type=int, default=3, help="pictures in the gradient check (default 3)")
    parser.add_argument(
        "--check-entries",
        type=int,
        default=200,
        help="entries per parameter group in the gradient check, drawn at random (default 200; 0: all)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds the split, the weights and the batches")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the plot (default out/)")
    parser.add_argument("--fast", action="store_true", help="a tiny net, 200 pictures, for the tests")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--compiled",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="train with the step compiled by autograd.compile (default), or build the graph every batch",
    )
    args = parser.parse_args(argv)
    need_all("sklearn", "matplotlib", "tqdm")
    if args.fast:
        args.hidden, args.epochs, args.batch_size, args.check_batch, args.check_entries = 8, 3, 10, 2, 0
    start = time.perf_counter()

    data = load(test_size=0.2, seed=args.seed, limit=200 if args.fast else None)
    x_train, t_train, x_test, _ = data
    freeze_what_lives()
    net = TwoLayerNet(64, args.hidden, 10, weight_init_std=args.init_std, seed=args.seed)
    sizes = {name: len(group) for name, group in net.groups().items()}
    print(f"TwoLayerNet 64 -> {args.hidden} -> 10 ({sum(sizes.values())} parameters)")
    print(f"{len(x_train)} training pictures, {len(x_test)} test pictures\n")

    print(f"gradient check on {args.check_batch} pictures: mean |backprop - numerical| per parameter group")
    check_start = time.perf_counter()
    diffs = gradient_check(net, x_train[: args.check_batch], t_train[: args.check_batch], args.check_entries, args.seed)
    for name, (diff, compared) in diffs.items():
        print(f"  {name}: {diff:.1e}   ({_entries(compared, sizes[name])})")
    print(f"  ({time.perf_counter() - check_start:.1f} s)\n")

    train_start = time.perf_counter()
    history = train(net, data, args.epochs, args.batch_size, args.lr, args.seed, not args.no_progress, args.compiled)
    train_seconds = time.perf_counter() - train_start
    before, after = history["train_loss"][0], history["train_loss"][-1]
    print(f"\ntraining loss: {before:.4f} before training, {after:.4f} after")
    print(f"test accuracy: {history['test_acc'][-1]:.2%}")
    print(f"training time: {train_seconds:.1f} s ({train_seconds / args.epochs:.1f} s per epoch)")

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "digits.png"
    plot(history, path)
    print(f"plot: {path}")
    print(f"wall time: {time.perf_counter() - start:.1f} s")
    return 0


def _entries(compared: int, size: int) -> str:
    return f"all {size} entries" if compared == size else f"{compared} of {size} entries, drawn at random"


def _flat(p: list[Value] | Matrix) -> list[Value]:
    return [v for row in p for v in row] if p and isinstance(p[0], list) else p  # type: ignore[return-value]


if __name__ == "__main__":
    raise SystemExit(main())
