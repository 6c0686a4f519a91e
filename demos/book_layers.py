"""The layers of "Deep Learning from Scratch", chapter 5, written by hand, next to the engine.

The book teaches backpropagation with layers that each carry their own forward and backward:
MulLayer, AddLayer, Relu, Sigmoid, Affine and SoftmaxWithLoss. Below they are written the same
way, on plain floats and lists of lists (no numpy), so that they read next to the scalar engine.
Beside each one the engine does the same computation from ordinary arithmetic on Values, and
backward() finds every gradient by itself. The script prints both gradients and their difference:
they agree to rounding, and it exits with status 1 if any difference exceeds the tolerance.

    python demos/book_layers.py [--seed N] [--tol 1e-12]

The layers import from here: with demos/ on sys.path, ``from book_layers import Affine, Relu``.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from autograd import Value

Matrix = list[list[float]]  # one row per sample of a batch
Nested = Any  # a float or a Value, or lists of them nested to any depth


# -- The book's layers, written by hand -------------------------------------------------------------
# Each forward keeps what its backward will need; each backward takes the gradient of the loss
# with respect to the layer's output ("dout") and returns the gradient with respect to its input.


class MulLayer:
    """x * y. Backward swaps the inputs: d(xy)/dx is y and d(xy)/dy is x."""

    def __init__(self) -> None:
        self.x = self.y = 0.0

    def forward(self, x: float, y: float) -> float:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: float) -> tuple[float, float]:
        return dout * self.y, dout * self.x


class AddLayer:
    """x + y. Backward hands the upstream gradient to both inputs unchanged."""

    def forward(self, x: float, y: float) -> float:
        return x + y

    def backward(self, dout: float) -> tuple[float, float]:
        return dout, dout


class Relu:
    """max(0, x) on every entry. Backward lets the gradient through only where x > 0."""

    def __init__(self) -> None:
        self.mask: list[list[bool]] = []  # True where x <= 0: there the gradient stops, x == 0 included

    def forward(self, x: Matrix) -> Matrix:
        self.mask = [[v <= 0.0 for v in row] for row in x]
        return [[0.0 if off else v for v, off in zip(row, offs)] for row, offs in zip(x, self.mask)]

    def backward(self, dout: Matrix) -> Matrix:
        return [[0.0 if off else d for d, off in zip(row, offs)] for row, offs in zip(dout, self.mask)]


class Sigmoid:
    """1 / (1 + e^-x) on every entry. Backward needs only the output y: dout * y * (1 - y)."""

    def __init__(self) -> None:
        self.out: Matrix = []

    def forward(self, x: Matrix) -> Matrix:
        self.out = [[sigmoid(v) for v in row] for row in x]
        return self.out

    def backward(self, dout: Matrix) -> Matrix:
        return [[d * y * (1.0 - y) for d, y in zip(row, ys)] for row, ys in zip(dout, self.out)]


class Affine:
    """x·W + b for a batch x. Backward returns dx = dout·Wᵀ and keeps dW = xᵀ·dout and db."""

    def __init__(self, W: Matrix, b: list[float]) -> None:
        self.W, self.b = W, b
        self.x: Matrix = []
        self.dW: Matrix = []
        self.db: list[float] = []

    def forward(self, x: Matrix) -> Matrix:
        self.x = x
        return [[s + bj for s, bj in zip(row, self.b)] for row in matmul(x, self.W)]

    def backward(self, dout: Matrix) -> Matrix:
        self.dW = matmul(transpose(self.x), dout)
        self.db = [sum(column) for column in zip(*dout)]  # b was added to every row, so its rows add up
        return matmul(dout, transpose(self.W))


class SoftmaxWithLoss:
    """Softmax, then cross-entropy against one-hot targets t, averaged over the batch.

    Backward is the book's famous simple result: (y - t) / batch size, y being the softmax.
    """

    def __init__(self) -> None:
        self.y: Matrix = []
        self.t: Matrix = []

    def forward(self, x: Matrix, t: Matrix) -> float:
        self.t = t
        self.y = [softmax(row) for row in x]
        # -log(softmax) straight from the logits, so a probability of 0.0 never meets log
        # (the book adds 1e-7 to y instead, which changes the loss a little)
        return sum(-tj * lj for row, ts in zip(x, t) for tj, lj in zip(ts, log_softmax(row))) / len(x)

    def backward(self, dout: float = 1.0) -> Matrix:
        n = len(self.t)
        return [[dout * (yj - tj) / n for yj, tj in zip(ys, ts)] for ys, ts in zip(self.y, self.t)]


class TwoLayerNet:
    """Affine -> Relu -> Affine -> SoftmaxWithLoss, backpropagated the book's way: layer by layer, in reverse."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.layers = [Affine(params["W1"], params["b1"]), Relu(), Affine(params["W2"], params["b2"])]
        self.last = SoftmaxWithLoss()

    def loss(self, x: Matrix, t: Matrix) -> float:
        for layer in self.layers:
            x = layer.forward(x)
        return self.last.forward(x, t)

    def gradient(self, x: Matrix, t: Matrix) -> tuple[float, dict[str, Any]]:
        """The loss, and its gradient for each parameter group (W1, b1, W2, b2)."""
        loss = self.loss(x, t)
        dout = self.last.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        first, _, second = self.layers
        return loss, {"W1": first.dW, "b1": first.db, "W2": second.dW, "b2": second.db}


# Helpers on lists of lists. They use only * + and sum, so they work on floats and Values alike.


def matmul(a: list[list[Any]], b: list[list[Any]]) -> list[list[Any]]:
    """The matrix product a·b of two lists of lists."""
    return [[sum(x * y for x, y in zip(row, column)) for column in zip(*b)] for row in a]


def transpose(a: list[list[Any]]) -> list[list[Any]]:
    """Rows become columns."""
    return [list(column) for column in zip(*a)]


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x), with e raised only to a non-positive power, so it never overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def log_softmax(row: list[float]) -> list[float]:
    """log(softmax(row)), shifted by the largest entry first so that exp never overflows."""
    m = max(row)
    shifted = [v - m for v in row]
    log_total = math.log(sum(math.exp(s) for s in shifted))
    return [s - log_total for s in shifted]


def softmax(row: list[float]) -> list[float]:
    """e^x / sum(e^x) for one row of logits, shifted by the largest so that exp never overflows."""
    m = max(row)
    exps = [math.exp(v - m) for v in row]
    total = sum(exps)
    return [e / total for e in exps]


# -- The same computations on the engine ------------------------------------------------------------
# Only forwards: backward() derives every gradient from the op table.


def to_values(nested: Nested) -> Nested:
    """The same nesting of lists with every float turned into a Value (a leaf of the graph)."""
    return [to_values(item) for item in nested] if isinstance(nested, list) else Value(nested)


def grads_of(nested: Nested) -> Nested:
    """The same nesting of lists with every Value replaced by its ``.grad``."""
    return [grads_of(item) for item in nested] if isinstance(nested, list) else nested.grad


def data_of(nested: Nested) -> Nested:
    """The same nesting of lists with every Value replaced by its ``.data``."""
    return [data_of(item) for item in nested] if isinstance(nested, list) else nested.data


def weighted_sum(out: list[list[Value]], dout: Matrix) -> Value:
    """sum(out * dout): a single number whose gradient is what a layer's backward(dout) returns.

    backward() differentiates one number, while a layer's backward takes the upstream gradient
    dout of a whole matrix output; this sum turns the second into the first.
    """
    return sum(o * d for row, ds in zip(out, dout) for o, d in zip(row, ds))


def engine_affine(x: list[list[Any]], W: list[list[Value]], b: list[Value]) -> list[list[Value]]:
    """x·W + b with Values."""
    return [[s + bj for s, bj in zip(row, b)] for row in matmul(x, W)]


def engine_cross_entropy(logits: list[list[Value]], t: Matrix) -> Value:
    """Softmax cross-entropy from primitives, averaged over the batch.

    For a row, -log softmax(x)_j = log(sum(exp(x - m))) - (x_j - m), where m, the largest logit,
    is a float that stays out of the graph: it keeps exp from overflowing and, since shifting
    every logit by the same amount leaves softmax unchanged, does not change any gradient.
    """
    total: Value | float = 0.0
    for row, ts in zip(logits, t):
        m = max(v.data for v in row)
        shifted = [v - m for v in row]
        log_total = sum(s.exp() for s in shifted).log()
        # a class with target 0 adds nothing to the loss, so it needs no node of its own
        total = total + sum(tj * (log_total - s) for tj, s in zip(ts, shifted) if tj != 0.0)
    return total / len(logits)


# -- Comparing the two ------------------------------------------------------------------------------


def flatten(nested: Nested) -> list[float]:
    """Every number of a nesting of lists, in order."""
    return [x for item in nested for x in flatten(item)] if isinstance(nested, list) else [float(nested)]


def shape(nested: Nested) -> tuple[int, ...]:
    """The lengths of the nested lists, outermost first: (2, 3) for two rows of three; () for a number."""
    return (len(nested), *shape(nested[0])) if isinstance(nested, list) and nested else ()


def max_abs_diff(hand: Nested, engine: Nested) -> float:
    """The largest |hand - engine| over all entries; a ValueError if the two differ in shape."""
    if shape(hand) != shape(engine) or len(flatten(hand)) != len(flatten(engine)):
        raise ValueError(f"shapes differ: hand-written {shape(hand)}, engine {shape(engine)}")
    return max((abs(h - e) for h, e in zip(flatten(hand), flatten(engine))), default=0.0)


@dataclass
class Row:
    """One quantity computed both ways: a number, or nested lists of them."""

    name: str
    hand: Nested
    engine: Nested

    @property
    def diff(self) -> float:
        """The largest |hand-written - engine| over the row's entries."""
        return max_abs_diff(self.hand, self.engine)


@dataclass
class Section:
    """A titled list of rows; ``by_entry`` prints every entry, otherwise one summary line per row."""

    title: str
    rows: list[Row]
    by_entry: bool = True

    @property
    def diff(self) -> float:
        """The largest |hand-written - engine| anywhere in the section."""
        return max(row.diff for row in self.rows)


def entries(name: str, nested: Nested) -> Iterator[tuple[str, float]]:
    """(name with indices, number) for every entry: ``dW[0][1]`` and so on."""
    if isinstance(nested, list):
        for i, item in enumerate(nested):
            yield from entries(f"{name}[{i}]", item)
    else:
        yield name, float(nested)


def show(section: Section, tol: float) -> None:
    """Print a section as a table: hand-written, engine, and |difference|."""
    print(section.title)
    if section.by_entry:
        print(f"  {'quantity':<20}{'hand-written':>24}{'engine':>24}{'|diff|':>10}")
        for row in section.rows:
            for (name, h), (_, e) in zip(entries(row.name, row.hand), entries(row.name, row.engine)):
                print(f"  {name:<20}{h:>24.17g}{e:>24.17g}{abs(h - e):>10.1e}")
    else:
        print(f"  {'group':<10}{'shape':>8}{'max |hand-written|':>22}{'max |engine|':>16}{'max |diff|':>12}")
        for row in section.rows:
            size = "x".join(map(str, shape(row.hand))) or "1"
            biggest = max(abs(x) for x in flatten(row.hand))
            biggest_engine = max(abs(x) for x in flatten(row.engine))
            print(f"  {row.name:<10}{size:>8}{biggest:>22.6g}{biggest_engine:>16.6g}{row.diff:>12.1e}")
    verdict = "agree" if section.diff <= tol else f"DISAGREE (tolerance {tol:g})"
    print(f"  largest difference {section.diff:.1e}: {verdict}\n")


# -- The five sections ------------------------------------------------------------------------------


def apple_section() -> Section:
    """(1) The book's shopping example: MulLayer and AddLayer against Values."""
    # two apples at 100 each, with tax 1.1
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(100.0, 2.0), 1.1)
    d_subtotal, d_tax = mul_tax.backward(1.0)
    d_apple, d_count = mul_apple.backward(d_subtotal)

    apple, count, tax = Value(100.0), Value(2.0), Value(1.1)
    engine_price = apple * count * tax
    engine_price.backward()

    # plus three oranges at 150 each: two products, a sum, then the tax
    mul_a, mul_o, add, mul_t = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    total = mul_t.forward(add.forward(mul_a.forward(100.0, 2.0), mul_o.forward(150.0, 3.0)), 1.1)
    d_sum, d_tax2 = mul_t.backward(1.0)
    d_apple_cost, d_orange_cost = add.backward(d_sum)
    d_apple2, d_apples = mul_a.backward(d_apple_cost)
    d_orange, d_oranges = mul_o.backward(d_orange_cost)

    a, n, o, k, t = Value(100.0), Value(2.0), Value(150.0), Value(3.0), Value(1.1)
    engine_total = (a * n + o * k) * t
    engine_total.backward()

    return Section(
        "(1) Apple shopping: MulLayer and AddLayer vs Values",
        [
            Row("price", price, engine_price.data),
            Row("d apple", d_apple, apple.grad),
            Row("d count", d_count, count.grad),
            Row("d tax", d_tax, tax.grad),
            Row("price + orange", total, engine_total.data),
            Row("d apples", d_apples, n.grad),
            Row("d apple", d_apple2, a.grad),
            Row("d orange", d_orange, o.grad),
            Row("d oranges", d_oranges, k.grad),
            Row("d tax", d_tax2, t.grad),
        ],
    )


def elementwise_rows(
    name: str, layer: Relu | Sigmoid, method: Callable[[Value], Value], x: Matrix, dout: Matrix
) -> list[Row]:
    """An elementwise layer's output and backward(dout) against ``method`` applied to Values."""
    out = layer.forward(x)
    dx = layer.backward(dout)
    xs = to_values(x)
    engine_out = [[method(v) for v in row] for row in xs]
    weighted_sum(engine_out, dout).backward()
    return [Row(f"{name}(x)", out, data_of(engine_out)), Row(f"d {name}/dx", dx, grads_of(xs))]


def activation_section() -> Section:
    """(2) Relu and Sigmoid layers against Value.relu() and Value.sigmoid(), with upstream gradient 1."""
    x = [[-2.0, -0.5, 0.0, 0.5, 2.0]]  # relu'(0): the book's mask (x <= 0) and the engine both say 0
    ones = [[1.0] * len(x[0])]
    return Section(
        "(2) Relu and Sigmoid vs Value.relu() and Value.sigmoid(), dout = 1",
        elementwise_rows("relu", Relu(), Value.relu, x, ones)
        + elementwise_rows("sigmoid", Sigmoid(), Value.sigmoid, [[-4.0, -1.0, 0.0, 1.0, 4.0]], ones),
    )


def affine_section(rng: random.Random, batch: int = 2, nin: int = 3, nout: int = 2) -> Section:
    """(3) Affine on a random batch against the same x·W + b with Values, for a random dout."""
    x, W, dout = random_matrix(rng, batch, nin), random_matrix(rng, nin, nout), random_matrix(rng, batch, nout)
    b = random_matrix(rng, 1, nout)[0]
    layer = Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)

    xs, Ws, bs = to_values(x), to_values(W), to_values(b)
    weighted_sum(engine_affine(xs, Ws, bs), dout).backward()
    return Section(
        f"(3) Affine: x·W + b for a batch of {batch}, {nin} inputs -> {nout} outputs, random dout",
        [Row("dx", dx, grads_of(xs)), Row("dW", layer.dW, grads_of(Ws)), Row("db", layer.db, grads_of(bs))],
    )


def softmax_section(rng: random.Random) -> Section:
    """(4) SoftmaxWithLoss against cross-entropy built from exp, sum and log; one row has huge logits."""
    x = [[round(rng.gauss(0, 2), 2) for _ in range(3)], [1000.0, 0.0, -1000.0]]
    t = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward(1.0)

    xs = to_values(x)
    engine_loss = engine_cross_entropy(xs, t)
    engine_loss.backward()
    logits = ", ".join(f"[{', '.join(f'{v:g}' for v in row)}]" for row in x)
    return Section(
        f"(4) SoftmaxWithLoss vs exp/sum/log on Values: logits {logits}, targets 2 and 1",
        [Row("loss", loss, engine_loss.data), Row("dx", dx, grads_of(xs))],
    )


def net_section(rng: random.Random, batch: int = 4, nin: int = 3, hidden: int = 5, classes: int = 3) -> Section:
    """(5) A two-layer net on a random batch: the book's layer-by-layer backward against loss.backward()."""
    params = {
        "W1": random_matrix(rng, nin, hidden),
        "b1": random_matrix(rng, 1, hidden)[0],
        "W2": random_matrix(rng, hidden, classes),
        "b2": random_matrix(rng, 1, classes)[0],
    }
    x = random_matrix(rng, batch, nin)
    t = [[float(j == i % classes) for j in range(classes)] for i in range(batch)]
    loss, grads = TwoLayerNet(params).gradient(x, t)

    values = {name: to_values(p) for name, p in params.items()}
    hidden_out = [[v.relu() for v in row] for row in engine_affine(x, values["W1"], values["b1"])]
    engine_loss = engine_cross_entropy(engine_affine(hidden_out, values["W2"], values["b2"]), t)
    engine_loss.backward()
    return Section(
        f"(5) Two-layer net Affine-Relu-Affine-SoftmaxWithLoss: batch {batch}, {nin} -> {hidden} -> {classes}",
        [Row("loss", loss, engine_loss.data)] + [Row(name, grads[name], grads_of(values[name])) for name in grads],
        by_entry=False,
    )


def random_matrix(rng: random.Random, rows: int, columns: int) -> Matrix:
    """rows x columns numbers drawn from a standard normal distribution."""
    return [[rng.gauss(0.0, 1.0) for _ in range(columns)] for _ in range(rows)]


def sections(seed: int = 0) -> list[Section]:
    """All five comparisons; the random inputs of (3)-(5) are drawn from ``seed``."""
    rng = random.Random(seed)
    builders: list[Callable[[], Section]] = [
        apple_section,
        activation_section,
        lambda: affine_section(rng),
        lambda: softmax_section(rng),
        lambda: net_section(rng),
    ]
    return [build() for build in builders]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs and weights (default 0)")
    parser.add_argument(
        "--tol", type=float, default=1e-12, help="largest allowed |hand-written - engine| (default 1e-12)"
    )
    args = parser.parse_args(argv)
    results = sections(args.seed)
    for section in results:
        show(section, args.tol)
    worst = max(section.diff for section in results)
    if worst > args.tol:
        print(f"FAILED: a hand-written gradient differs from the engine's by {worst:.1e} > {args.tol:g}")
        return 1
    print(f"All hand-written gradients match the engine's: largest difference {worst:.1e} <= {args.tol:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
