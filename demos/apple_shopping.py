"""The apple-shopping graph of "Deep Learning from Scratch", chapter 5, run by the engine.

The book builds it from hand-written MulLayer and AddLayer objects, each with its own forward
and backward. Here ordinary arithmetic on Values records the same graph, and one call to
backward() fills in every gradient. The graphs live in ``autograd/examples.py``, so that
``python -m autograd demo`` prints the same from an installed package.

    python demos/apple_shopping.py
"""

from __future__ import annotations

import argparse

from autograd.examples import apple_shopping


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apple", type=float, default=100, help="price of one apple (default 100)")
    parser.add_argument("--tax", type=float, default=1.1, help="tax factor (default 1.1)")
    args = parser.parse_args(argv)
    apple_shopping(apple=args.apple, tax=args.tax)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
