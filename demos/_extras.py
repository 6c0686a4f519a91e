"""What the training demos share: their optional libraries, named with the install command when
one is missing, files-only plotting, and a garbage collector that skips what the imports left."""

from __future__ import annotations

import gc
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

MISSING = 'this demo needs {}: pip install -e ".[demos]"'
PACKAGES = {"sklearn": "scikit-learn", "matplotlib": "matplotlib", "tqdm": "tqdm"}  # module -> what pip installs


def need(module: str) -> ModuleType:
    """Import ``module`` (such as ``"sklearn.datasets"``) or exit naming the ``demos`` extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        sys.exit(MISSING.format(PACKAGES.get(module.split(".")[0], module)))


def need_all(*modules: str) -> None:
    """Exit now, naming what to install, if any of ``modules`` is missing: not after minutes of work."""
    for module in modules:
        need(module)


def pyplot() -> ModuleType:
    """matplotlib.pyplot, drawing into files (the Agg backend: no window, no display needed)."""
    need("matplotlib").use("Agg")
    return need("matplotlib.pyplot")


def save(fig: Any, path: Path) -> None:
    """Write a matplotlib figure to ``path`` (its suffix gives the format) and free it."""
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    pyplot().close(fig)


def freeze_what_lives() -> None:
    """Hide every object alive now from Python's cyclic garbage collector (``gc.freeze``).

    Training makes and drops millions of Values, and every so often the collector walks all live
    objects: among them the tens of thousands left by importing numpy, scikit-learn and
    matplotlib, which live to the end anyway. Frozen, they are skipped; no number changes. The
    Values need no collector to be freed: their graphs have no reference cycles.
    """
    gc.collect()
    gc.freeze()
