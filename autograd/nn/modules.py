"""Module, Neuron, Layer, MLP: micrograd's tiny network with its names and shapes, plus what a
training loop needs (named parameters, a JSON-ready state dict, seeded initialisation) and a copy
into PyTorch (``to_torch``) for a model that outgrows scalars."""

from __future__ import annotations

import math
import numbers
import operator
import random
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..engine import Value

if TYPE_CHECKING:
    import torch

Input = Value | float
Seed = int | random.Random | None

#: Activation name -> what it does to a neuron's weighted sum.
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}

#: Activation name -> the name of the ``torch.nn`` module that does the same (None: nothing to add).
TORCH_ACTIVATIONS: dict[str, str | None] = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": None}

INSTALL_TORCH = 'pip install torch (or, from a clone of scalar-autograd, pip install -e ".[torch]")'

#: Initialisation name -> the distribution of a neuron's first weights, given its fan-in.
INITS: dict[str, Callable[[random.Random, int], float]] = {
    "uniform": lambda rng, nin: rng.uniform(-1, 1),  # micrograd's choice
    "he": lambda rng, nin: rng.gauss(0.0, math.sqrt(2 / nin)),  # for ReLU layers
    "xavier": lambda rng, nin: rng.uniform(-1, 1) * math.sqrt(3 / nin),  # variance 1/nin: tanh, sigmoid
}


class Module:
    """Anything with parameters. Subclasses keep them in attributes: a Value, a Module, or lists of
    either; ``named_parameters`` finds them in the order the attributes were set."""

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(dotted name, parameter)`` pairs such as ``("layers.0.neurons.3.w.1", Value)``; a parameter
        shared by two attributes is listed once, under its first name (as in PyTorch)."""
        first: dict[Value, str] = {}
        for name, p in _named(self, ""):
            first.setdefault(p, name)
        return [(name, p) for p, name in first.items()]

    def parameters(self) -> list[Value]:
        """Every trainable Value of this module, each once, in a fixed order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's ``.grad`` to 0.0, or with ``set_to_none=True`` to None, as PyTorch
        does by default: the next backward pass writes it afresh, and an optimizer skips a
        parameter no pass reached."""
        value = None if set_to_none else 0.0
        for p in self.parameters():
            p.grad = value

    def num_parameters(self) -> int:
        """How many scalars this module trains."""
        return len(self.parameters())

    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` of every parameter: plain floats, so ``json.dumps`` takes it as it is. A
        shared parameter appears under each of its names (as in PyTorch)."""
        return {name: p.data for name, p in _named(self, "")}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Copy values from ``state`` (as made by ``state_dict``) into the parameters.

        Everything is checked before any parameter changes: every parameter must be present and
        nothing else (else ``KeyError`` naming the keys), every value a finite number (else
        ``TypeError`` or ``ValueError`` naming it), and the names of one shared parameter must agree.
        Then all parameters change at once: an interrupt leaves either the old values or the new.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict expects a dict {{name: number}} such as state_dict() returns, "
                f"got {_short(state)} ({type(state).__name__})"
            )
        named = list(_named(self, ""))
        names = {name for name, _ in named}
        missing, unexpected = sorted(names - state.keys()), sorted(state.keys() - names, key=str)
        if missing or unexpected:
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        new: dict[Value, float] = {}
        for name, p in named:
            number = state[name]
            if type(number) is not float or not math.isfinite(number):
                number = _finite(f"load_state_dict: {name!r}", number)
            if new.setdefault(p, number) != number:
                first = next(other for other, q in named if q is p)
                raise ValueError(
                    f"load_state_dict: {first!r} and {name!r} are one shared parameter but get different "
                    f"values, {new[p]!r} and {number!r}"
                )
        _assign(list(new), list(new.values()))


class Neuron(Module):
    """``activation(w · x + b)``. ``nonlin=False`` is micrograd's linear neuron; ``activation``
    picks any of ``ACTIVATIONS`` (default: relu). Weights start as ``init`` says (default: uniform
    in [-1, 1]); b is 0."""

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        init: str = "uniform",
        seed: Seed = None,
    ) -> None:
        nin = _size("Neuron", "nin", nin, "a number of inputs")
        self.activation = _activation("Neuron", nonlin, activation)
        draw = _choice(INITS, init, "init")
        rng = _rng(seed)
        self.w = [Value(draw(rng, nin)) for _ in range(nin)]
        self.b = Value(0.0)

    @property
    def activation(self) -> str:
        """The name of the activation, one of ``ACTIVATIONS``; setting it changes what the neuron computes."""
        return self._activation

    @activation.setter
    def activation(self, name: str) -> None:
        self._act = _choice(ACTIVATIONS, name, "activation")
        self._activation = name

    @property
    def nonlin(self) -> bool:
        """True unless the neuron is linear (micrograd's attribute); setting True makes it relu."""
        return self.activation != "linear"

    @nonlin.setter
    def nonlin(self, value: bool) -> None:
        self.activation = _activation("Neuron", value, None)

    def __call__(self, x: Sequence[Input] | Input) -> Value:
        x = _as_list(x)
        try:
            n = len(x)
        except TypeError:
            raise TypeError(
                f"{self!r} expects a list of {len(self.w)} inputs (Values or numbers), got {_short(x)} "
                f"({type(x).__name__})"
            ) from None
        if n != len(self.w):
            # a list of lists is a batch: the commonest way to get here
            batch = "; a model takes one example at a time: [model(x) for x in xs]" if _has_lists(x) else ""
            raise ValueError(f"{self!r} expects {len(self.w)} inputs, got {n}{batch}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return self._act(act)

    def to_torch(self, *, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
        """This neuron as ``Sequential(Linear(nin, 1), activation)``: see ``MLP.to_torch``."""
        return _sequential([_linear(self, [self], dtype)])

    def __repr__(self) -> str:
        return f"{'ReLU' if self.activation == 'relu' else self.activation.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; returns a Value when ``nout == 1``, else a list.
    ``nonlin``, ``activation`` and ``init`` are each neuron's (see ``Neuron``)."""

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        init: str = "uniform",
        seed: Seed = None,
    ) -> None:
        nin = _size("Layer", "nin", nin, "a number of inputs")
        nout = _size("Layer", "nout", nout, "a number of neurons")
        _activation("Layer", nonlin, activation)  # checked here, so that the message names Layer
        rng = _rng(seed)
        self.neurons = [Neuron(nin, nonlin, activation=activation, init=init, seed=rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Input] | Input) -> Value | list[Value]:
        x = _as_list(x)
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def to_torch(self, *, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
        """This layer as ``Sequential(Linear(nin, nout), activation)``: see ``MLP.to_torch``."""
        return _sequential([_linear(self, self.neurons, dtype)])

    def __repr__(self) -> str:
        if not self.neurons:  # emptied after construction: nothing left to tell its inputs from
            return "Layer(no neurons)"
        first = self.neurons[0]
        return f"Layer({len(first.w)} -> {len(self.neurons)}, {first.activation})"


class MLP(Module):
    """A multilayer perceptron: ``activation`` (ReLU) hidden layers and a ``output_activation``
    (linear) output layer. ``MLP(2, [16, 16, 1])`` maps 2 inputs to 1 output through two hidden
    layers of 16; ``seed`` (an int or a ``random.Random``) makes the weights reproducible."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        init: str = "uniform",
        seed: Seed = None,
    ) -> None:
        nin = _size("MLP", "nin", nin, "a number of inputs")
        nouts = _sizes(nin, nouts)
        for name in (activation, output_activation):
            _choice(ACTIVATIONS, name, "activation")  # unused names too: a typo should not pass silently
        rng = _rng(seed)
        sizes = [nin, *nouts]
        acts = [activation] * (len(nouts) - 1) + [output_activation]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=acts[i], init=init, seed=rng) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Input] | Input) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def to_torch(self, *, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
        """A ``torch.nn.Sequential`` with a copy of these weights: ``Linear(nin, nout)`` per layer, each
        followed by its activation's module (none for linear). ``dtype`` defaults to ``torch.float64``,
        where outputs match ours to rounding. The copy is a snapshot: training one leaves the other alone.

        Inputs and outputs are tensors of shape ``(..., nin)`` and ``(..., nout)``, so a model whose last
        layer has one neuron returns shape ``(..., 1)`` where ours returns a Value. Every neuron of a
        layer must share one activation, else ``ValueError``; needs PyTorch (``pip install
        ".[torch]"`` from the clone), else ``ImportError``.
        """
        return _sequential([_linear(layer, layer.neurons, dtype, f"layers.{i}") for i, layer in enumerate(self.layers)])

    def __repr__(self) -> str:
        # layers and neurons are plain lists that users may edit: an empty one must not break the repr
        first = next((layer.neurons[0] for layer in self.layers[:1] if layer.neurons), None)
        sizes = ["?" if first is None else str(len(first.w)), *(str(len(layer.neurons)) for layer in self.layers)]
        lines = [f"MLP({' -> '.join(sizes)}, {self.num_parameters()} parameters)"]
        lines += [f"  (layers.{i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return "\n".join(lines)


def _import_torch() -> Any:
    # torch is an optional extra: imported only when a model is converted
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"to_torch needs PyTorch, which is not installed: {INSTALL_TORCH} ({error})") from None
    return torch


def _linear(
    module: Module, neurons: Sequence[Neuron], dtype: torch.dtype | None, name: str | None = None
) -> tuple[Any, ...]:
    """``(Linear,)`` or ``(Linear, activation module)`` holding a copy of ``neurons``' weights."""
    torch = _import_torch()
    if not neurons:
        raise ValueError(f"to_torch: {name or type(module).__name__} has no neurons")
    where = f"{name} ({module!r})" if name else repr(module)
    activations = sorted({n.activation for n in neurons})
    if len(activations) > 1:
        found = "; ".join(
            f"{act} in neurons {[i for i, n in enumerate(neurons) if n.activation == act]}" for act in activations
        )
        raise ValueError(f"to_torch: {where} mixes activations ({found}); a torch layer applies one to all")
    if activations[0] not in TORCH_ACTIVATIONS:
        raise ValueError(f"to_torch: {where} has activation {activations[0]!r}, which has no torch.nn module")
    dtype = torch.float64 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"to_torch: dtype must be a floating-point torch.dtype such as torch.float32, got {dtype!r}")
    # skip_init: torch's own random initialisation would be overwritten, and would advance its global RNG
    linear = torch.nn.utils.skip_init(torch.nn.Linear, len(neurons[0].w), len(neurons), dtype=dtype)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons], dtype=dtype))
        linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=dtype))
    act = TORCH_ACTIVATIONS[activations[0]]
    return (linear,) if act is None else (linear, getattr(torch.nn, act)())


def _sequential(parts: Sequence[tuple[Any, ...]]) -> Any:
    return _import_torch().nn.Sequential(*(m for part in parts for m in part))


def _named(obj: object, prefix: str) -> Iterator[tuple[str, Value]]:
    # parameters are found where users put them: attributes holding Values, Modules or lists of them
    if isinstance(obj, Value):
        if obj.requires_grad:
            yield prefix, obj
    elif isinstance(obj, Module):
        for key, attr in vars(obj).items():
            if not key.startswith("_"):
                yield from _named(attr, f"{prefix}.{key}" if prefix else key)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _named(item, f"{prefix}.{i}" if prefix else str(i))


def _rng(seed: Seed) -> random.Random:
    # None: the random module's functions, so random.seed() reproduces micrograd's weights
    if seed is None or seed is random:
        return random  # type: ignore[return-value]
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"seed must be an int, a random.Random or None, got {seed!r}")


def _choice(table: dict, name: str, what: str):
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(sorted(table))}") from None


def _as_list(x: Sequence[Input] | Input) -> Sequence[Input]:
    # a single Value or number is one input: so a one-neuron layer can feed the next layer
    return [x] if isinstance(x, (Value, int, float)) else x


def _size(owner: str, name: str, value: object, what: str) -> int:
    """``value`` as a layer size (an int >= 1), or an error that says what to write instead."""
    size = _index(value)
    if size is None:
        hint = f"; write {int(value)}" if isinstance(value, float) and value.is_integer() else ""
        raise TypeError(f"{owner}: {name} must be an int ({what}), got {_short(value)} ({type(value).__name__}){hint}")
    if size < 1:
        raise ValueError(f"{owner}: {name} must be at least 1 ({what}), got {size}")
    return size


def _index(value: object) -> int | None:
    """``value`` as an int if it is one (numpy ints too), else None. True is an int to Python, but
    never a size or an index anyone meant, so a bool is not one."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _sizes(nin: int, nouts: object) -> list[int]:
    """MLP's ``nouts``: a non-empty list of layer sizes."""
    if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Iterable):
        hint = f"; write MLP({nin}, [{nouts}]) for one layer of {nouts} neurons" if isinstance(nouts, int) else ""
        raise TypeError(
            f"MLP: nouts must be a list of layer sizes such as [16, 16, 1], got {_short(nouts)} "
            f"({type(nouts).__name__}){hint}"
        )
    sizes = list(nouts)
    if not sizes:
        raise ValueError("MLP needs at least one layer size in nouts")
    return [_size("MLP", f"nouts[{i}]", n, "a number of neurons") for i, n in enumerate(sizes)]


def _activation(owner: str, nonlin: object, activation: str | None) -> str:
    """The activation that ``nonlin`` and ``activation`` ask for together."""
    if not isinstance(nonlin, bool):
        # Neuron(2, "tanh") reads as an activation, but the second argument is micrograd's nonlin
        hint = f"; to pick an activation write activation={nonlin!r}" if isinstance(nonlin, str) else ""
        raise TypeError(f"{owner}: nonlin must be True or False, got {_short(nonlin)}{hint}")
    if activation is None:
        return "relu" if nonlin else "linear"
    _choice(ACTIVATIONS, activation, "activation")
    if not nonlin and activation != "linear":
        raise ValueError(
            f"{owner}: nonlin=False asks for a linear neuron, activation={activation!r} for another; "
            "give only one of them"
        )
    return activation


def _finite(where: str, x: object) -> float:
    """``x`` as a finite float, or an error naming ``where``."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = "; use its .data" if isinstance(x, Value) else ""
        raise TypeError(f"{where} must be a number, got {_short(x)}{hint}")
    try:
        number = float(x)
    except OverflowError:
        raise ValueError(f"{where} must be a finite number, got {_short(x)}: too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(f"{where} must be a finite number, got {number!r}")
    return number


def _short(x: object, limit: int = 80) -> str:
    text = repr(x)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _has_lists(x: Iterable[object]) -> bool:
    return any(isinstance(item, (list, tuple)) for item in x)


#: The slot behind ``Value.data``. ``_assign`` sets it with ``setattr`` called from C, so that a whole
#: update runs without a bytecode boundary where an interrupt could land; the numbers are checked
#: finite floats already, so going around the property skips nothing. (Should the slot ever go, the
#: property is used: still correct, only interruptible between two parameters.)
_DATA = "_data" if isinstance(getattr(Value, "_data", None), types.MemberDescriptorType) else "data"


def _assign(
    params: Sequence[Value], data: Sequence[float], owner: object = None, state: Mapping[str, object] | None = None
) -> None:
    """Set ``params[i].data = data[i]`` and ``owner.<name> = value`` for each item of ``state``, all
    in one C-level call: a KeyboardInterrupt arrives before all of it or after all of it (on CPython
    with a GIL, no other thread sees half of it either). ``data`` must be finite floats."""
    state = state or {}
    _set_all([*params, *[owner] * len(state)], [*[_DATA] * len(params), *state], [*data, *state.values()])


def _set_all(targets: Sequence[object], names: Sequence[str], values: Sequence[object]) -> None:
    """``setattr(targets[i], names[i], values[i])`` for every i, in one C-level call (see ``_assign``);
    the attributes must be plain ones or slots, whose setting runs no Python code."""
    any(map(setattr, targets, names, values))  # setattr returns None: any() runs it on every item
