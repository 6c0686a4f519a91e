"""The apple-shopping graph of "Deep Learning from Scratch", chapter 5, run by the engine.

The book builds it from hand-written MulLayer and AddLayer objects, each with its own forward
and backward. Here ordinary arithmetic on Values records the same graph, and one call to
backward() fills in every gradient.

    python demos/apple_shopping.py
"""

from __future__ import annotations

import argparse

from autograd import Value


def named(value: Value, label: str) -> Value:
    value.label = label
    return value


def apples(apple: float = 100, count: float = 2, tax: float = 1.1) -> list[Value]:
    """Every node of the price of ``count`` apples with tax, in the order built; the price last."""
    a, n, t = Value(apple, label="apple"), Value(count, label="count"), Value(tax, label="tax")
    subtotal = named(a * n, "apple * count")
    return [a, n, subtotal, t, named(subtotal * t, "price")]


def apples_and_oranges(
    apple: float = 100, apples: float = 2, orange: float = 150, oranges: float = 3, tax: float = 1.1
) -> list[Value]:
    """Every node of the price of apples and oranges with tax, in the order built; the price last."""
    a, n = Value(apple, label="apple"), Value(apples, label="apples")
    o, m = Value(orange, label="orange"), Value(oranges, label="oranges")
    t = Value(tax, label="tax")
    apple_cost = named(a * n, "apple * apples")
    orange_cost = named(o * m, "orange * oranges")
    subtotal = named(apple_cost + orange_cost, "subtotal")
    return [a, n, apple_cost, o, m, orange_cost, subtotal, t, named(subtotal * t, "price")]


def show(title: str, nodes: list[Value]) -> None:
    """Run backward from the last node and print every node with its value and gradient."""
    nodes[-1].backward()
    print(title)
    print(f"  {'node':<18}{'op':>4}{'value':>10}{'d price / d node':>20}")
    for node in nodes:
        print(f"  {node.label:<18}{node.op:>4}{node.data:>10.4g}{node.grad:>20.4g}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apple", type=float, default=100, help="price of one apple (default 100)")
    parser.add_argument("--tax", type=float, default=1.1, help="tax factor (default 1.1)")
    args = parser.parse_args(argv)
    show("Two apples, with tax:", apples(apple=args.apple, tax=args.tax))
    show("Two apples and three oranges, with tax:", apples_and_oranges(apple=args.apple, tax=args.tax))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
