"""Worked examples shared by several test files."""


def micrograd_expression(a, b):
    """The expression of micrograd's README, on two Values (or anything with their operators)."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def micrograd_readme_expression(Value):
    """The example of micrograd's README, on any Value class: (g, d g/d a, d g/d b)."""
    a = Value(-4.0)
    b = Value(2.0)
    g = micrograd_expression(a, b)
    g.backward()
    return g.data, a.grad, b.grad
