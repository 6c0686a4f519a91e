"""The benchmark's workloads written by hand on plain floats: the baseline for ``autograd.compile``.

This is the code one would write without an autodiff engine: forward with loops and ``sum``,
backward by working out the chain rule on paper. ``bench.py`` checks its gradients against the
engine's before timing anything.
"""

from __future__ import annotations

import itertools
import random

Layer = tuple[list[list[float]], list[float]]  # a weight row per neuron, and the biases


def expression(a: float, b: float) -> tuple[float, float, float]:
    """micrograd's README expression and its gradient: ``(g, dg/da, dg/db)``."""
    # forward, as bench.expression writes it
    c = a + b
    d = a * b + b**3
    c2 = c + (c + 1)
    c3 = c2 + (1 + c2 - a)
    relu1 = max(b + a, 0.0)
    d2 = d + (d * 2 + relu1)
    relu2 = max(b - a, 0.0)
    d3 = d2 + (3 * d2 + relu2)
    e = c3 - d3
    f = e**2
    g = f / 2.0 + 10.0 / f
    # backward
    de = (0.5 - 10.0 / f**2) * 2 * e
    dc2 = 2 * de
    dc = 2 * dc2
    dd2 = -4 * de
    dd = 3 * dd2
    drelu1 = dd2 if relu1 > 0 else 0.0
    drelu2 = -de if relu2 > 0 else 0.0
    da = dc - de + dd * b + drelu1 - drelu2
    db = dc + dd * (a + 3 * b**2) + drelu1 + drelu2
    return g, da, db


def init_mlp(sizes: list[int]) -> list[Layer]:
    """micrograd's initialisation from the ``random`` module: weights uniform in [-1, 1], biases 0.

    The weights are drawn neuron by neuron, as ``MLP`` draws them, so after the same
    ``random.seed`` both start from the same numbers.
    """
    return [
        ([[random.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
        for nin, nout in itertools.pairwise(sizes)
    ]


def mlp_loss_and_grads(
    layers: list[Layer], xs: list[tuple[float, float]], ys: list[float], alpha: float = 1e-4
) -> tuple[float, list[Layer]]:
    """The moons demo's loss, mean hinge loss + ``alpha`` * L2, and its gradient, shaped like ``layers``.

    Hidden layers are ReLU, the last one linear; as ``MLP``.
    """
    n = len(xs)
    last = len(layers) - 1
    grads = [([[0.0] * len(w) for w in weights], [0.0] * len(biases)) for weights, biases in layers]
    loss = 0.0
    for x, y in zip(xs, ys):
        # forward, keeping each layer's input and weighted sums for the backward pass
        inputs, sums = [], []
        h = x
        for i, (weights, biases) in enumerate(layers):
            z = [sum((wk * hk for wk, hk in zip(w, h)), b) for w, b in zip(weights, biases)]
            inputs.append(h)
            sums.append(z)
            h = z if i == last else [max(zj, 0.0) for zj in z]
        margin = 1 - y * h[0]
        if margin <= 0:
            continue  # relu(margin) is 0 here: no loss, no gradient
        loss += margin
        # backward, layer by layer: dh is d(loss)/d(this layer's output)
        dh = [-y / n]
        for i in range(last, -1, -1):
            weights, _ = layers[i]
            dweights, dbiases = grads[i]
            dz = dh if i == last else [d if zj > 0 else 0.0 for d, zj in zip(dh, sums[i])]
            for j, dzj in enumerate(dz):
                dbiases[j] += dzj
                row = dweights[j]
                for k, hk in enumerate(inputs[i]):
                    row[k] += dzj * hk
            if i > 0:
                dh = [sum(dzj * w[k] for dzj, w in zip(dz, weights)) for k in range(len(inputs[i]))]
    # L2 on every weight and bias
    squares = 0.0
    for (weights, biases), (dweights, dbiases) in zip(layers, grads):
        for w, dw in zip(weights, dweights):
            for k, wk in enumerate(w):
                squares += wk * wk
                dw[k] += 2 * alpha * wk
        for j, b in enumerate(biases):
            squares += b * b
            dbiases[j] += 2 * alpha * b
    return loss / n + alpha * squares, grads


def mlp_step(layers: list[Layer], xs: list[tuple[float, float]], ys: list[float], lr: float = 0.01) -> float:
    """One step of SGD on ``mlp_loss_and_grads``, updating ``layers`` in place; returns the loss."""
    loss, grads = mlp_loss_and_grads(layers, xs, ys)
    for (weights, biases), (dweights, dbiases) in zip(layers, grads):
        for w, dw in zip(weights, dweights):
            for k, d in enumerate(dw):
                w[k] -= lr * d
        for j, d in enumerate(dbiases):
            biases[j] -= lr * d
    return loss


def flat(layers: list[Layer]) -> list[float]:
    """Every number of ``layers`` in ``MLP.parameters()`` order: each neuron's weights, then its bias."""
    return [v for weights, biases in layers for w, b in zip(weights, biases) for v in (*w, b)]
