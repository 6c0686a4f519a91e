"""Losses: plain functions from Values to one Value, built from the engine's primitives.

The stable forms shift by a constant that passes no gradient (the largest logit, computed under
``no_grad``), so they are exact and finite for logits like ``[1000, 0, -1000]`` while the gradients
are unchanged.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Iterable, Sequence

from ..engine import Value, no_grad
from .modules import Module, _index, _short

Number = Value | float


def mse(predictions: Sequence[Number] | Number, targets: Sequence[float] | float) -> Value:
    """Mean squared error: ``mean((prediction - target) ** 2)``."""
    predictions, targets = _paired("mse", predictions, targets)
    return _mean([(p - t) ** 2 for p, t in zip(predictions, targets)])


def hinge(scores: Sequence[Number] | Number, labels: Sequence[float] | float) -> Value:
    """Max-margin loss of micrograd's demo: ``mean(relu(1 - label * score))``, labels are -1 or +1."""
    scores, labels = _paired("hinge", scores, labels, "labels")
    for i, y in enumerate(labels):
        if not isinstance(y, Value) and y not in (-1.0, 1.0):  # a Value may stand for compile()'s argument
            raise ValueError(f"hinge: labels must be -1 or +1, got {y!r} at index {i}; for 0/1 labels write 2 * y - 1")
    return _mean([(1 - y * s).relu() for s, y in zip(scores, labels)])


def binary_cross_entropy_with_logits(logits: Sequence[Number] | Number, targets: Sequence[float] | float) -> Value:
    """``mean(softplus(z) - t * z)``: binary cross-entropy of ``sigmoid(z)`` against ``t`` in [0, 1],
    computed from the logit ``z`` so that it stays finite for any ``z``."""
    logits, targets = _paired("binary_cross_entropy_with_logits", logits, targets)
    for i, t in enumerate(targets):
        if not isinstance(t, Value) and not 0.0 <= t <= 1.0:  # a Value may stand for compile()'s argument
            raise ValueError(
                f"binary_cross_entropy_with_logits: targets are probabilities in [0, 1], got {t!r} at index {i}; "
                "for -1/+1 labels write (y + 1) / 2"
            )
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
    return [v.exp() for v in log_softmax(_logits("softmax", logits))]


def cross_entropy(logits: Sequence[Number] | Sequence[Sequence[Number]], target: int | Sequence[int]) -> Value:
    """``-log_softmax(logits)[target]`` for one example (a list of logits and a class index), or the
    mean over a batch (a list of such lists and a list of class indices). As in PyTorch, a class
    index is an int (not ``1.0``), and every example of a batch has the same number of logits."""
    if isinstance(logits, (list, tuple)) and logits and all(isinstance(row, (list, tuple)) for row in logits):
        batch = [_logits("cross_entropy", row) for row in logits]
        for i, row in enumerate(batch):
            if len(row) != len(batch[0]):
                raise ValueError(
                    f"cross_entropy: example {i} has {len(row)} logits but example 0 has {len(batch[0])}; "
                    "every example needs one logit per class"
                )
        if isinstance(target, (str, bytes)) or not isinstance(target, Iterable):
            raise TypeError(
                f"cross_entropy: a batch of {len(batch)} examples takes a list of {len(batch)} class indices, "
                f"got {_short(target)}"
            )
        targets = list(target)
        if len(targets) != len(batch):
            raise ValueError(f"cross_entropy: {len(batch)} examples but {len(targets)} targets")
        indices = [_class_index(t, len(batch[0]), f" of example {i}") for i, t in enumerate(targets)]
        return _mean([logsumexp(row) - row[t] for row, t in zip(batch, indices)])
    logits = _logits("cross_entropy", logits)
    if isinstance(target, (list, tuple)):
        raise TypeError(
            f"cross_entropy: one example (a list of {len(logits)} logits) takes one class index, got "
            f"{_short(target)}; a batch is a list of logit lists, with a list of class indices"
        )
    return logsumexp(logits) - logits[_class_index(target, len(logits), "")]


def l2(params: Iterable[Value], alpha: float) -> Value:
    """L2 regularisation ``alpha * sum(p * p)``, to add to a loss (a constant 0 for no parameters)."""
    if isinstance(params, Module):
        raise TypeError("l2 takes the model's parameters, not the model: write l2(model.parameters(), alpha)")
    if isinstance(params, Value):
        raise TypeError("l2 takes a list of parameters, got one Value: write l2([p], alpha)")
    if isinstance(params, (str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(f"l2 takes a list of Values such as model.parameters(), got {_short(params)}")
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"l2 takes a list of Values such as model.parameters(), got {_short(p)} at index {i}")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        hint = "; use its .data" if isinstance(alpha, Value) else ""
        raise TypeError(f"l2: alpha must be a number, got {_short(alpha)} ({type(alpha).__name__}){hint}")
    if not 0 <= alpha < math.inf:
        raise ValueError(f"l2: alpha must be a finite number >= 0, got {alpha!r}")
    if not params:
        return Value(0.0, requires_grad=False)
    return alpha * sum(p * p for p in params)


def _mean(terms: list[Value]) -> Value:
    mean = sum(terms[1:], terms[0]) / len(terms)
    return mean if isinstance(mean, Value) else Value(mean, requires_grad=False)


def _paired(name: str, xs, ys, what: str = "targets") -> tuple[list, list]:
    """Predictions and targets as two lists of the same length, each item a Value or a number."""
    xs, ys = _items(name, xs, "predictions"), _items(name, ys, what)
    if len(xs) != len(ys):
        raise ValueError(f"{name}: {len(xs)} predictions but {len(ys)} {what}")
    if not xs:
        raise ValueError(f"{name}: no examples (empty input)")
    return xs, ys


def _items(name: str, xs, what: str) -> list:
    # one Value or number is one example; any other iterable (a generator too) is a list of them
    if isinstance(xs, (Value, int, float)) and not isinstance(xs, bool):
        return [xs]
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"{name}: expects {what} as a list of Values or numbers, got {_short(xs)}")
    items = list(xs)
    for i, x in enumerate(items):
        if isinstance(x, bool) or not isinstance(x, (Value, numbers.Real)):
            raise TypeError(f"{name}: {what} must be Values or numbers, got {_short(x)} at index {i}")
    return items


def _logits(name: str, values) -> list:
    if isinstance(values, (Value, numbers.Real)):
        raise TypeError(f"{name}: expects a list of logits, got one {type(values).__name__}; write [x]")
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name}: expects a list of Values or numbers, got {_short(values)}")
    values = list(values)
    if not values:
        raise ValueError(f"{name}: needs at least one logit, got an empty list")
    if not all(isinstance(v, (Value, numbers.Real)) and not isinstance(v, bool) for v in values):
        hint = (
            f"; for a batch write [{name}(row) for row in batch]"
            if any(isinstance(v, (list, tuple)) for v in values)
            else ""
        )
        raise TypeError(f"{name}: expects a list of Values or numbers, got {_short(values)}{hint}")
    return values


def _class_index(target: object, classes: int, where: str) -> int:
    """``target`` as an index in ``range(classes)``, or an error that says what to write instead."""
    index = _index(target)
    if index is None:
        if isinstance(target, Value):
            hint = "; a class index is not a Value: write int(target.data)"
        elif isinstance(target, float) and target.is_integer():
            hint = f"; write {int(target)}"
        else:
            hint = ""
        raise TypeError(f"cross_entropy: the target{where} must be a class index (an int), got {_short(target)}{hint}")
    if not 0 <= index < classes:
        raise IndexError(f"cross_entropy: target {index}{where} is not a class index for {classes} logits")
    return index


def _as_value(v: Number) -> Value:
    return v if isinstance(v, Value) else Value(v, requires_grad=False)


def _exp(v: Number) -> Value:
    return v.exp() if isinstance(v, Value) else Value(v, requires_grad=False).exp()
