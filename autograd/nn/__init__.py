"""Neural networks on the engine: modules (Neuron, Layer, MLP), losses and optimizers."""

from .losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    l2,
    log_softmax,
    logsumexp,
    mse,
    softmax,
)
from .modules import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, LambdaLR, LinearLR, Optimizer

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "LambdaLR",
    "Layer",
    "LinearLR",
    "Module",
    "Neuron",
    "Optimizer",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "l2",
    "log_softmax",
    "logsumexp",
    "mse",
    "softmax",
]
