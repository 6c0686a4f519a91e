"""compile(fn): trace a function once on Values, then run it as straight-line Python on floats."""

from .source import Compiled, compile

__all__ = ["Compiled", "compile"]
