"""The engine's names in one place, for code written against ``micrograd.engine`` (``autograd.engine.Value``).

The engine itself lives in rooms, one idea each: ``value.py`` (``Value`` and its operators),
``nodes.py`` (where a node is born), ``backward.py`` (graph walks, ``backward()``, ``grad()``),
``steps.py`` (the chain rule at one node), ``modes.py`` (``no_grad``, ``detect_anomaly``, tracing,
per thread), ``ops.py`` (the calculus) and ``errors.py`` (every message).
"""

from .backward import grad, topological_order
from .modes import detect_anomaly, enable_grad, no_grad
from .nodes import apply
from .trace import trace_backward
from .value import Value

__all__ = ["Value", "apply", "detect_anomaly", "enable_grad", "grad", "no_grad", "topological_order", "trace_backward"]
