"""The apple-shopping graph of "Deep Learning from Scratch", chapter 5, run by the engine.

The book builds it from hand-written MulLayer and AddLayer objects, each with its own forward
and backward. Here ordinary arithmetic on Values records the same graph, and one call to
backward() fills in every gradient. The graphs live in ``autograd/examples.py``, so that
``python -m autograd demo`` prints the same from an installed package. Each graph is also
drawn, with every value and gradient, as an SVG (no system Graphviz needed).

    python demos/apple_shopping.py            # tables, and out/apples.svg, out/apples_and_oranges.svg
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograd.examples import apple_shopping


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apple", type=float, default=100, help="price of one apple (default 100)")
    parser.add_argument("--tax", type=float, default=1.1, help="tax factor (default 1.1)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the diagrams (default out/)")
    parser.add_argument("--format", choices=["svg", "png", "pdf"], default="svg", help="diagram format (default svg)")
    parser.add_argument("--no-draw", action="store_true", help="print the tables only")
    args = parser.parse_args(argv)
    prices = apple_shopping(apple=args.apple, tax=args.tax)
    if not args.no_draw:
        from autograd.viz import draw_dot, render

        args.out.mkdir(parents=True, exist_ok=True)
        for name, price in prices.items():
            path = args.out / f"{name}.{args.format}"
            path.write_bytes(render(draw_dot(price, highlight=True), args.format))
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
