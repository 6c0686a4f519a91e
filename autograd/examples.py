"""Worked examples that ship with the package: the apple-shopping graphs of "Deep Learning from Scratch".

``demos/apple_shopping.py`` and ``python -m autograd demo`` both print them with ``apple_shopping()``.
"""

from __future__ import annotations

from .engine import Value


def _named(value: Value, label: str) -> Value:
    value.label = label
    return value


def apples(apple: float = 100, count: float = 2, tax: float = 1.1) -> list[Value]:
    """Every node of the price of ``count`` apples with tax, in the order built; the price last."""
    a, n, t = Value(apple, label="apple"), Value(count, label="count"), Value(tax, label="tax")
    subtotal = _named(a * n, "apple * count")
    return [a, n, subtotal, t, _named(subtotal * t, "price")]


def apples_and_oranges(
    apple: float = 100, apples: float = 2, orange: float = 150, oranges: float = 3, tax: float = 1.1
) -> list[Value]:
    """Every node of the price of apples and oranges with tax, in the order built; the price last."""
    a, n = Value(apple, label="apple"), Value(apples, label="apples")
    o, m = Value(orange, label="orange"), Value(oranges, label="oranges")
    t = Value(tax, label="tax")
    apple_cost = _named(a * n, "apple * apples")
    orange_cost = _named(o * m, "orange * oranges")
    subtotal = _named(apple_cost + orange_cost, "subtotal")
    return [a, n, apple_cost, o, m, orange_cost, subtotal, t, _named(subtotal * t, "price")]


def show(title: str, nodes: list[Value]) -> None:
    """Run backward from the last node and print every node with its value and gradient."""
    nodes[-1].backward()
    print(title)
    print(f"  {'node':<18}{'op':>4}{'value':>10}{'d price / d node':>20}")
    for node in nodes:
        print(f"  {node.label:<18}{node.op:>4}{node.data:>10.4g}{node.grad:>20.4g}")
    print()


def apple_shopping(apple: float = 100, tax: float = 1.1) -> dict[str, Value]:
    """Print both graphs of the book's chapter 5, apples alone then apples and oranges, with every
    gradient; return their prices by name (``"apples"``, ``"apples_and_oranges"``) for drawing."""
    prices = {"apples": apples(apple=apple, tax=tax), "apples_and_oranges": apples_and_oranges(apple=apple, tax=tax)}
    show("Two apples, with tax:", prices["apples"])
    show("Two apples and three oranges, with tax:", prices["apples_and_oranges"])
    return {name: nodes[-1] for name, nodes in prices.items()}
