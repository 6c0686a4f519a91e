"""Optimizers and learning-rate schedules, with PyTorch's update rules and defaults.

An optimizer keeps its own list of parameters and per-parameter state; ``step()`` reads each
``.grad`` and moves ``.data``. ``SGD`` and ``Adam`` follow ``torch.optim`` line by line, so one step
matches PyTorch's (float64) to rounding. A step checks everything before it changes anything: a
step that raises (a bad gradient, an update that overflows, an interrupt) leaves every parameter
and every momentum, moment and step count as it was.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from math import isfinite

from ..engine import Value
from .modules import Module, _assign, _set_all, _short


class Optimizer:
    """The shared part: ``params`` (a list of Values), ``lr``, ``zero_grad()`` and ``step()``.

    As in PyTorch, a parameter whose ``.grad`` is None, or whose ``requires_grad`` is False (frozen),
    is skipped by ``step()``: it keeps its value and its state.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self._params = tuple(_parameters(type(self).__name__, params))
        self.lr = lr

    @property
    def params(self) -> tuple[Value, ...]:
        """The parameters, in order: fixed when the optimizer is made, since its state (momentum,
        moments, step counts) is kept per parameter, by position. For other parameters, make a
        new optimizer (PyTorch's ``add_param_group`` has no counterpart here)."""
        return self._params

    @params.setter
    def params(self, value: object) -> None:
        name = type(self).__name__
        raise AttributeError(
            f"{name}.params is fixed when the optimizer is made (its state is kept per parameter, by position); "
            f"make a new optimizer for other parameters: {name}(params, ...)"
        )

    @property
    def lr(self) -> float:
        """The learning rate: settable (schedules set it), always a finite float >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _nonnegative(type(self).__name__, "lr", value)

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's ``.grad`` to 0.0, or with ``set_to_none=True`` to None, as PyTorch
        does by default: the next backward pass writes it afresh, and an optimizer skips a
        parameter no pass reached."""
        value = None if set_to_none else 0.0
        for p in self.params:
            p.grad = value

    def step(self) -> None:
        """Move every parameter one step against its ``.grad``: every update is computed and checked
        first, then all are applied at once (see ``_updates``)."""
        data, state = self._updates()
        _assign(self.params, data, self, state)

    def _updates(self) -> tuple[list[float], dict[str, object]]:
        """The new ``.data`` of every parameter and the new values of the optimizer's state
        attributes, computed without changing anything."""
        raise NotImplementedError

    def _gradient(self, i: int) -> float | None:
        """Parameter i's gradient as a finite float, or None if this step skips it."""
        p = self.params[i]
        g = p.grad
        if g is None or not p.requires_grad:
            return None
        owner = f"{type(self).__name__}.step"
        if isinstance(g, bool) or not isinstance(g, numbers.Real):
            hint = (
                "; a gradient from grad(create_graph=True) is a Value: assign its .data" if isinstance(g, Value) else ""
            )
            raise TypeError(f"{owner}: parameter {i} ({p!r}) has a .grad that is not a number: {_short(g)}{hint}")
        number = float(g)
        if not math.isfinite(number):
            raise ValueError(f"{owner}: parameter {i} ({p!r}) has a gradient that is not finite ({number})")
        return number

    def _not_finite(self, i: int, value: float, what: str = "update") -> ValueError:
        # an update that overflows would poison every later step: the whole step is refused
        p = self.params[i]
        return ValueError(f"{type(self).__name__}.step: the {what} of parameter {i} ({p!r}) is not finite ({value})")


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
        self.dampening = _real("SGD", "dampening", dampening)
        self.weight_decay = _nonnegative("SGD", "weight_decay", weight_decay)
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be True or False, got {_short(nesterov)}")
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.nesterov = nesterov
        self.velocity: list[float | None] = [None] * len(self.params)

    def _updates(self) -> tuple[list[float], dict[str, object]]:
        """``p - lr * g``, where g is the gradient with weight decay and momentum applied."""
        lr, momentum, dampening, weight_decay = self.lr, self.momentum, self.dampening, self.weight_decay
        data, velocity = [], list(self.velocity)
        for i, p in enumerate(self.params):
            g = p.grad
            # the common case first: a float gradient; anything else is checked, or skipped if None
            if type(g) is not float or not isfinite(g) or not p.requires_grad:
                g = self._gradient(i)
                if g is None:
                    data.append(p.data)
                    continue
            x = p.data
            if weight_decay:
                g = g + weight_decay * x
            if momentum:
                buf = velocity[i]
                buf = velocity[i] = g if buf is None else buf * momentum + (1 - dampening) * g
                if not isfinite(buf):
                    raise self._not_finite(i, buf, "momentum")
                g = g + momentum * buf if self.nesterov else buf
            x = x - lr * g
            if not isfinite(x):
                raise self._not_finite(i, x)
            data.append(x)
        return data, {"velocity": velocity}


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``: bias-corrected running means of the gradient and of its
    square; ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2, not AdamW). ``steps``
    counts the calls of ``step()``; the bias correction of each parameter counts its own updates,
    as PyTorch's per-parameter ``step`` does, so a skipped parameter does not age."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas = _betas(betas)
        self.eps = _nonnegative("Adam", "eps", eps)
        self.weight_decay = _nonnegative("Adam", "weight_decay", weight_decay)
        self.steps = 0
        self.counts = [0] * len(self.params)  # per parameter: the steps that moved it (torch: state["step"])
        self.mean = [0.0] * len(self.params)  # first moment of the gradient
        self.square = [0.0] * len(self.params)  # second moment

    def _updates(self) -> tuple[list[float], dict[str, object]]:
        """One bias-corrected Adam update of every parameter."""
        beta1, beta2 = self.betas
        lr, eps, weight_decay = self.lr, self.eps, self.weight_decay
        data, counts, mean, square = [], list(self.counts), list(self.mean), list(self.square)
        counted = None  # the bias corrections depend on t alone, which is usually the same for all
        for i, p in enumerate(self.params):
            g = p.grad
            if type(g) is not float or not isfinite(g) or not p.requires_grad:
                g = self._gradient(i)
                if g is None:
                    data.append(p.data)
                    continue
            x = p.data
            if weight_decay:
                g = g + weight_decay * x
            t = counts[i] = counts[i] + 1
            if t != counted:
                counted, step_size, correction2 = t, lr / (1 - beta1**t), math.sqrt(1 - beta2**t)
            m = mean[i] = _lerp(mean[i], g, 1 - beta1)
            v = square[i] = square[i] * beta2 + (1 - beta2) * g * g
            if not isfinite(v):
                raise self._not_finite(i, v, "running square of the gradient")
            denominator = math.sqrt(v) / correction2 + eps
            if denominator == 0.0:  # eps=0 and a gradient that has been 0 (or underflowed) so far
                raise ValueError(
                    f"Adam.step: the update of parameter {i} ({p!r}) divides by zero: its gradient's running "
                    "square is 0 and eps is 0; use eps > 0, such as the default 1e-8"
                )
            x = x - step_size * (m / denominator)
            if not isfinite(x):
                raise self._not_finite(i, x)
            data.append(x)
        return data, {"steps": self.steps + 1, "counts": counts, "mean": mean, "square": square}


class LambdaLR:
    """Sets ``optimizer.lr = base_lr * lr_lambda(epoch)``; ``step()`` advances the epoch (from 0)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name} schedules an optimizer such as SGD(params, lr=0.1), got {_short(optimizer)}")
        if not callable(lr_lambda):
            raise TypeError(
                f"{name}: lr_lambda must be a function of the epoch such as lambda epoch: 0.95 ** epoch, "
                f"got {_short(lr_lambda)}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.lr_lambda = lr_lambda
        self.epoch = 0
        self.optimizer.lr = self._lr(0)

    def step(self) -> None:
        """Move to the next epoch and set its learning rate (if that raises, neither changes)."""
        lr = self._lr(self.epoch + 1)  # checked already: so set the slot, in one call with the epoch
        _set_all([self.optimizer, self], ["_lr", "epoch"], [lr, self.epoch + 1])

    def _lr(self, epoch: int) -> float:
        """The checked learning rate of ``epoch``, changing nothing."""
        name = type(self).__name__
        factor = self.factor(epoch)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 <= factor < math.inf:
            kind = TypeError if isinstance(factor, bool) or not isinstance(factor, numbers.Real) else ValueError
            raise kind(
                f"{name}: lr_lambda({epoch}) returned {_short(factor)}; it must return a finite number >= 0, "
                "the multiple of the base learning rate"
            )
        return _nonnegative(name, "lr", self.base_lr * float(factor))

    def factor(self, epoch: int) -> float:
        """The multiple of the base learning rate used at ``epoch``."""
        return self.lr_lambda(epoch)


class LinearLR(LambdaLR):
    """Scales the learning rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    steps, then keeps ``end_factor`` (PyTorch's ``LinearLR``, in closed form, with its checks:
    ``0 < start_factor <= 1`` and ``0 <= end_factor <= 1``)."""

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0, total_iters: int = 5
    ) -> None:
        start_factor = _real("LinearLR", "start_factor", start_factor)
        end_factor = _real("LinearLR", "end_factor", end_factor)
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        if isinstance(total_iters, bool) or not isinstance(total_iters, numbers.Integral):
            hint = f"; write {int(total_iters)}" if isinstance(total_iters, float) and total_iters.is_integer() else ""
            raise TypeError(
                f"LinearLR: total_iters must be an int (a number of steps), got {_short(total_iters)}{hint}"
            )
        if total_iters < 1:
            raise ValueError(f"LinearLR: total_iters must be at least 1, got {total_iters}")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, int(total_iters)
        super().__init__(optimizer, self.factor)

    def factor(self, epoch: int) -> float:
        """``start + (end - start) * min(epoch, total_iters) / total_iters``."""
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.start_factor + (self.end_factor - self.start_factor) * progress


def _parameters(owner: str, params: Iterable[Value]) -> list[Value]:
    """``params`` as a list of distinct leaf Values, or an error that says what to pass instead."""
    if isinstance(params, Module):
        raise TypeError(f"{owner} takes the model's parameters, not the model: write {owner}(model.parameters(), ...)")
    if isinstance(params, Value):
        raise TypeError(f"{owner} takes a list of parameters, got one Value: write {owner}([p], ...)")
    if isinstance(params, (str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(f"{owner} takes a list of Values such as model.parameters(), got {_short(params)}")
    params = list(params)
    if not params:
        raise ValueError(f"{owner} got an empty parameter list")
    position: dict[Value, int] = {}
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{owner} optimizes Values, got {_short(p)} at position {i}")
        if p.children:  # PyTorch: "can't optimize a non-leaf Tensor"
            raise ValueError(
                f"{owner} can't optimize parameter {i}, {p!r}: it was computed by {p.op!r}, so the next "
                "forward pass recomputes it; optimize the leaves it came from, such as model.parameters()"
            )
        if p in position:
            # PyTorch warns, then steps such a parameter twice; it means to refuse it in future
            raise ValueError(
                f"{owner}: parameter {i} is parameter {position[p]} again ({p!r}); list each parameter once"
            )
        position[p] = i
    return params


def _lerp(start: float, end: float, weight: float) -> float:
    # start + weight * (end - start), rounded the way torch.lerp rounds it
    return start + weight * (end - start) if weight < 0.5 else end - (end - start) * (1 - weight)


def _real(owner: str, name: str, value: object) -> float:
    """``value`` as a finite float: a TypeError for what is not a number, a ValueError for inf, nan."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = "; use its .data" if isinstance(value, Value) else ""
        raise TypeError(f"{owner}: {name} must be a number, got {_short(value)} ({type(value).__name__}){hint}")
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be a finite number, got {value!r}")
    return float(value)


def _nonnegative(owner: str, name: str, value: object) -> float:
    number = _real(owner, name, value)
    if number < 0:
        raise ValueError(f"{owner}: {name} must be a finite number >= 0, got {value!r}")
    return number


def _betas(betas: object) -> tuple[float, float]:
    if isinstance(betas, (str, bytes)) or not isinstance(betas, Iterable) or len(betas := tuple(betas)) != 2:
        raise TypeError(f"Adam: betas must be a pair (beta1, beta2) such as (0.9, 0.999), got {_short(betas)}")
    beta1, beta2 = (_real("Adam", f"betas[{i}]", beta) for i, beta in enumerate(betas))
    if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
        raise ValueError(f"Adam: betas must be in [0, 1), got {_short(betas)}")
    return beta1, beta2
