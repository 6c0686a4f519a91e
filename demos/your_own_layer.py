"""Write your own layer: the book's MulLayer as an op, the same op as a row of the table, and the checks.

"Deep Learning from Scratch" writes each layer as a class with its own forward and backward. Such a
class, pasted unchanged, becomes an op of the engine with ``autograd.from_layer``. The same op written
as gradient formulas becomes a row of the op table with ``autograd.defop``, which checks the rule
when it is defined; ``gradcheck`` approves it and catches a deliberately wrong one; the diagram shows
the user's op by name.

    python demos/your_own_layer.py             # prints each step, draws out/your_own_layer.svg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import autograd
from autograd import GradcheckError, OpDefinitionError, Value, gradcheck


class MulLayer:  # the book's, chapter 5.4.1
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y

        return out

    def backward(self, dout):
        dx = dout * self.y  # x와 y를 바꾼다.
        dy = dout * self.x

        return dx, dy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the diagram (default out/)")
    parser.add_argument("--no-draw", action="store_true", help="print only")
    args = parser.parse_args(argv)

    print("1. The book's MulLayer, plugged in with from_layer")
    mul = autograd.from_layer(MulLayer)
    apple, count, tax = Value(100.0, label="apple"), Value(2.0, label="count"), Value(1.1, label="tax")
    price = mul(mul(apple, count), tax)
    price.backward()
    print(f"   price {price.data!r}: d price/d apple {apple.grad!r}, d count {count.grad!r}, d tax {tax.grad!r}")

    print("2. The same op as a row of the table, with defop")
    times = autograd.defop("times", lambda x, y: x * y, lambda g, x, y, out: g * y, lambda g, x, y, out: g * x)
    apple2, count2, tax2 = Value(100.0, label="apple"), Value(2.0, label="count"), Value(1.1, label="tax")
    price2 = times(times(apple2, count2), tax2)
    price2.backward()
    same = (price2.data, apple2.grad, count2.grad, tax2.grad) == (price.data, apple.grad, count.grad, tax.grad)
    print(f"   price {price2.data!r}: the same numbers as the layer's: {same}")
    second = autograd.grad(autograd.grad(times(apple2, apple2), apple2, create_graph=True)[0], apple2)[0]
    print(f"   a row has every order: d²(apple·apple)/d apple² = {second!r}")

    print("3. gradcheck approves it and catches a wrong rule")
    print(f"   times: {gradcheck(lambda a, b: times(a, b), [Value(0.5), Value(-2.0)])}")
    wrong = autograd.defop(
        "wrong_times", lambda x, y: x * y, lambda g, x, y, out: g * x, lambda g, x, y, out: g * y, check=False
    )  # the book's warning: x and y swapped
    try:
        gradcheck(lambda a, b: wrong(a, b), [Value(0.5), Value(-2.0)])
    except GradcheckError as error:
        print(f"   wrong_times: {error}")
    try:
        autograd.defop("wrong_times_2", lambda x, y: x * y, lambda g, x, y, out: g * x, lambda g, x, y, out: g * y)
    except OpDefinitionError as error:
        print(f"   defop refuses it when checking: {str(error)[:110]}...")

    if not args.no_draw:
        from autograd.viz import draw_dot, render

        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "your_own_layer.svg"
        path.write_bytes(render(draw_dot(price2), "svg"))
        print(f"4. the diagram, with the op 'times' by name: wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
