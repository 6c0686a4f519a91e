"""scalar-autograd: reverse-mode automatic differentiation on scalars, small enough to read.

Write arithmetic on Values, call ``backward()``, read ``.grad``. See README.md.
"""

from . import _folder  # noqa: F401  (first: refuses a folder shared with HIPS autograd)
from .backward import grad
from .compiler import Compiled, compile
from .errors import OpDefinitionError, OperationError, TraceError
from .gradcheck import GradcheckError, gradcheck
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .trace import BackwardStep, Share, trace_backward
from .userops import defop, from_layer
from .value import Value

__all__ = [
    "BackwardStep",
    "Compiled",
    "GradcheckError",
    "OpDefinitionError",
    "OperationError",
    "Share",
    "TraceError",
    "Value",
    "compile",
    "defop",
    "detect_anomaly",
    "enable_grad",
    "from_layer",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "trace_backward",
]
__version__ = "0.1.0"
