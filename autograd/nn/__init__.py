"""Neural networks on the engine: Module, Neuron, Layer, MLP (losses and optimizers to come)."""

from .modules import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron"]
