"""scalar-autograd: reverse-mode automatic differentiation on scalars, small enough to read.

Write arithmetic on Values, call ``backward()``, read ``.grad``. See README.md.
"""

from .compiler import Compiled, compile
from .engine import Value, detect_anomaly, grad, no_grad
from .errors import OperationError, TraceError
from .gradcheck import GradcheckError, gradcheck

__all__ = [
    "Compiled",
    "GradcheckError",
    "OperationError",
    "TraceError",
    "Value",
    "compile",
    "detect_anomaly",
    "grad",
    "gradcheck",
    "no_grad",
]
__version__ = "0.1.0"
