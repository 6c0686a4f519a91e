"""The live view: watch a network learn, with its graph, activations, gradients and weights updating.

``Live(model, X, y, loss=..., optimizer=...)`` trains step by step and records frames; one page shows
them, saved as a replay (``save``), served live (``serve``) or displayed in Jupyter (``show``).
"""

from .data import make_moons
from .recorder import Live, StructureError

__all__ = ["Live", "StructureError", "make_moons"]
