"""Small data sets for the live view and its command line, made with the standard library alone."""

from __future__ import annotations

import math
import random

__all__ = ["load_digits", "make_moons"]


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


def load_digits(n: int = 100, size: int = 4, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """``n`` of scikit-learn's 8x8 handwritten digits (needs scikit-learn), each pooled to ``size`` x
    ``size`` pixels (the mean of each block, scaled to [0, 1]) so that a scalar network trains on
    them quickly: ``(X, y)`` with class indices 0-9, the same ``seed`` giving the same examples."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"load_digits: n must be an int >= 1, got {n!r}")
    if size not in (1, 2, 4, 8):
        raise ValueError(f"load_digits: size must divide 8 (1, 2, 4 or 8), got {size!r}")
    try:
        from sklearn.datasets import load_digits as _sklearn_digits
    except ImportError as error:
        raise ImportError(
            f'the digits need scikit-learn (pip install scikit-learn, or pip install -e ".[demos]"): {error}'
        ) from None
    digits = _sklearn_digits()
    images, targets = digits.images.tolist(), digits.target.tolist()
    if n > len(images):
        raise ValueError(f"load_digits: there are {len(images)} digits, not {n}")
    chosen = sorted(random.Random(seed).sample(range(len(images)), n))
    block = 8 // size
    X = []
    for i in chosen:
        image = images[i]
        X.append(
            [
                sum(
                    image[r][c]
                    for r in range(br * block, (br + 1) * block)
                    for c in range(bc * block, (bc + 1) * block)
                )
                / (16.0 * block * block)
                for br in range(size)
                for bc in range(size)
            ]
        )
    return X, [int(targets[i]) for i in chosen]
