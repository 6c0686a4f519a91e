"""Optimizers and learning-rate schedules, with PyTorch's update rules and defaults.

An optimizer keeps its own list of parameters and per-parameter state; ``step()`` reads each
``.grad`` and moves ``.data``. ``SGD`` and ``Adam`` follow ``torch.optim`` line by line, so one step
matches PyTorch's (float64) to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from ..engine import Value


class Optimizer:
    """The shared part: ``params`` (a list of Values), ``lr``, ``zero_grad()`` and ``step()``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__} optimizes Values, got {p!r}")
        self.lr = _nonnegative(type(self).__name__, "lr", lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Move every parameter one step against its ``.grad``."""
        raise NotImplementedError

    def _checked(self, p: Value, value: float) -> float:
        # an update that overflows would poison every later step: stop at the first one
        if not math.isfinite(value):
            raise ValueError(f"{type(self).__name__}.step: the update of {p!r} is not finite ({value})")
        return value


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``: optional weight decay (added to the
    gradient), momentum with dampening, and Nesterov momentum."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _nonnegative("SGD", "momentum", momentum)
        self.dampening = dampening
        self.weight_decay = _nonnegative("SGD", "weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.nesterov = nesterov
        self.velocity: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        """``p -= lr * g``, where g is the gradient with weight decay and momentum applied."""
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                buf = self.velocity[i]
                buf = g if buf is None else buf * self.momentum + (1 - self.dampening) * g
                self.velocity[i] = buf
                g = g + self.momentum * buf if self.nesterov else buf
            p.data = self._checked(p, p.data - self.lr * g)


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``: bias-corrected running means of the gradient and of its
    square; ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2, not AdamW)."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        for beta in betas:
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        self.betas = betas
        self.eps = _nonnegative("Adam", "eps", eps)
        self.weight_decay = _nonnegative("Adam", "weight_decay", weight_decay)
        self.steps = 0
        self.mean = [0.0] * len(self.params)  # first moment of the gradient
        self.square = [0.0] * len(self.params)  # second moment

    def step(self) -> None:
        """One bias-corrected Adam update of every parameter."""
        beta1, beta2 = self.betas
        self.steps += 1
        step_size = self.lr / (1 - beta1**self.steps)
        correction2 = math.sqrt(1 - beta2**self.steps)
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            m = self.mean[i] = _lerp(self.mean[i], g, 1 - beta1)
            v = self.square[i] = self.square[i] * beta2 + (1 - beta2) * g * g
            p.data = self._checked(p, p.data - step_size * (m / (math.sqrt(v) / correction2 + self.eps)))


class LambdaLR:
    """Sets ``optimizer.lr = base_lr * lr_lambda(epoch)``; ``step()`` advances the epoch (from 0)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.lr_lambda = lr_lambda
        self.epoch = 0
        self._apply()

    def step(self) -> None:
        """Move to the next epoch and set its learning rate."""
        self.epoch += 1
        self._apply()

    def _apply(self) -> None:
        self.optimizer.lr = _nonnegative(type(self).__name__, "lr", self.base_lr * self.factor(self.epoch))

    def factor(self, epoch: int) -> float:
        """The multiple of the base learning rate used at ``epoch``."""
        return self.lr_lambda(epoch)


class LinearLR(LambdaLR):
    """Scales the learning rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    steps, then keeps ``end_factor`` (PyTorch's ``LinearLR``, in closed form)."""

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0, total_iters: int = 5
    ) -> None:
        if total_iters < 1:
            raise ValueError(f"LinearLR: total_iters must be at least 1, got {total_iters}")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, self.factor)

    def factor(self, epoch: int) -> float:
        """``start + (end - start) * min(epoch, total_iters) / total_iters``."""
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.start_factor + (self.end_factor - self.start_factor) * progress


def _lerp(start: float, end: float, weight: float) -> float:
    # start + weight * (end - start), rounded the way torch.lerp rounds it
    return start + weight * (end - start) if weight < 0.5 else end - (end - start) * (1 - weight)


def _nonnegative(owner: str, name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or math.isinf(value):
        raise ValueError(f"{owner}: {name} must be a finite number >= 0, got {value!r}")
    return float(value)
