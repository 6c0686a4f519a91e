"""Losses: plain functions from Values to one Value, built from the engine's primitives.

The stable forms shift by a constant that passes no gradient (the largest logit, computed under
``no_grad``), so they are exact and finite for logits like ``[1000, 0, -1000]`` while the gradients
are unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from ..engine import Value, no_grad

Number = Value | float


def mse(predictions: Sequence[Number] | Number, targets: Sequence[float] | float) -> Value:
    """Mean squared error: ``mean((prediction - target) ** 2)``."""
    predictions, targets = _paired("mse", predictions, targets)
    return _mean([(p - t) ** 2 for p, t in zip(predictions, targets)])


def hinge(scores: Sequence[Number] | Number, labels: Sequence[float] | float) -> Value:
    """Max-margin loss of micrograd's demo: ``mean(relu(1 - label * score))``, labels are -1 or +1."""
    scores, labels = _paired("hinge", scores, labels)
    return _mean([(1 - y * s).relu() for s, y in zip(scores, labels)])


def binary_cross_entropy_with_logits(logits: Sequence[Number] | Number, targets: Sequence[float] | float) -> Value:
    """``mean(softplus(z) - t * z)``: binary cross-entropy of ``sigmoid(z)`` against ``t`` in [0, 1],
    computed from the logit ``z`` so that it stays finite for any ``z``."""
    logits, targets = _paired("binary_cross_entropy_with_logits", logits, targets)
    return _mean([logsumexp([0.0, z]) - t * z for z, t in zip(logits, targets)])


def logsumexp(values: Sequence[Number]) -> Value:
    """``log(sum(exp(v)))``, shifted by the largest value so that no ``exp`` overflows."""
    values = _logits("logsumexp", values)
    with no_grad():  # the shift cancels out, so no gradient flows through it; it is computed with
        shift = functools.reduce(Value.max, map(_as_value, values))  # ops so that compile() keeps it
    return shift + sum(_exp(v - shift) for v in values).log()


def log_softmax(logits: Sequence[Number]) -> list[Value]:
    """``logits - logsumexp(logits)``: log-probabilities, exact even for extreme logits."""
    logits = _logits("log_softmax", logits)
    total = logsumexp(logits)
    return [v - total for v in logits]


def softmax(logits: Sequence[Number]) -> list[Value]:
    """Probabilities ``exp(v) / sum(exp(logits))``, computed as ``exp(log_softmax)``."""
    return [v.exp() for v in log_softmax(logits)]


def cross_entropy(logits: Sequence[Number] | Sequence[Sequence[Number]], target: int | Sequence[int]) -> Value:
    """``-log_softmax(logits)[target]`` for one example (a list of logits and a class index), or the
    mean over a batch (a list of such lists and a list of class indices)."""
    if isinstance(target, int) and not isinstance(target, bool):
        logits = _logits("cross_entropy", logits)
        if not 0 <= target < len(logits):
            raise IndexError(f"cross_entropy: target {target} is not a class index for {len(logits)} logits")
        return logsumexp(logits) - logits[target]
    batch, targets = _paired("cross_entropy", logits, target)
    return _mean([cross_entropy(row, t) for row, t in zip(batch, targets)])


def l2(params: Iterable[Value], alpha: float) -> Value:
    """L2 regularisation ``alpha * sum(p * p)``, to add to a loss."""
    return alpha * sum(p * p for p in params)


def _mean(terms: list[Value]) -> Value:
    mean = sum(terms[1:], terms[0]) / len(terms)
    return mean if isinstance(mean, Value) else Value(mean, requires_grad=False)


def _paired(name: str, xs, ys) -> tuple[list, list]:
    xs = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    if len(xs) != len(ys):
        raise ValueError(f"{name}: {len(xs)} predictions but {len(ys)} targets")
    if not xs:
        raise ValueError(f"{name}: no examples (empty input)")
    return xs, ys


def _logits(name: str, values) -> list:
    values = list(values)
    if not values:
        raise ValueError(f"{name}: needs at least one logit, got an empty list")
    if not all(isinstance(v, (Value, int, float)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{name}: expects a list of Values or numbers, got {values!r}")
    return values


def _as_value(v: Number) -> Value:
    return v if isinstance(v, Value) else Value(v, requires_grad=False)


def _exp(v: Number) -> Value:
    return v.exp() if isinstance(v, Value) else Value(v, requires_grad=False).exp()
