"""Module, Neuron, Layer, MLP: micrograd's tiny network, with its names and shapes."""

from __future__ import annotations

import random
from collections.abc import Sequence

from ..engine import Value

Input = Value | float


class Module:
    """Anything with parameters: ``parameters()`` lists them, ``zero_grad()`` resets their grads."""

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        """Every trainable Value of this module, in a fixed order."""
        return []


class Neuron(Module):
    """``act(w · x + b)``: ReLU when ``nonlin``, else linear. Weights start uniform in [-1, 1]."""

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Input] | Input) -> Value:
        x = _as_list(x)
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} expects {len(self.w)} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; returns a Value when ``nout == 1``, else a list."""

    def __init__(self, nin: int, nout: int, **kwargs: bool) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Input] | Input) -> Value | list[Value]:
        x = _as_list(x)
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multilayer perceptron: ReLU hidden layers and a linear output layer.

    ``MLP(2, [16, 16, 1])`` maps 2 inputs to 1 output through two hidden layers of 16.
    """

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x: Sequence[Input] | Input) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def _as_list(x: Sequence[Input] | Input) -> Sequence[Input]:
    # a single Value or number is one input: so a one-neuron layer can feed the next layer
    return [x] if isinstance(x, (Value, int, float)) else x
