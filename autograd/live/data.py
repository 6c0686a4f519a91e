"""Small data sets for the live view and its command line, made with the standard library alone."""

from __future__ import annotations

import math
import random

__all__ = ["make_moons"]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, as scikit-learn's ``make_moons`` draws them: ``(X, y)``, with ``n``
    points (the upper moon first, then the lower, which gets the odd one), labels -1 and +1 (for
    ``hinge``), Gaussian ``noise`` added to each coordinate. The same ``seed`` gives the same points."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"make_moons: n must be an int (a number of points), got {n!r}")
    if n < 2:
        raise ValueError(f"make_moons: n must be at least 2 (one point per moon), got {n}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < math.inf:
        raise ValueError(f"make_moons: noise must be a finite number >= 0, got {noise!r}")
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2  # an odd point goes to the lower moon, as in scikit-learn
    X: list[list[float]] = []
    y: list[float] = []
    for i in range(upper):
        t = math.pi * i / max(upper - 1, 1)
        X.append([math.cos(t), math.sin(t)])
        y.append(-1.0)
    for i in range(lower):
        t = math.pi * i / max(lower - 1, 1)
        X.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1.0)
    if noise:
        X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in X]
    return X, y
