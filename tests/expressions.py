"""Random expression trees over every op of the table, for the property tests.

A tree is ("input", i), ("const", c), or (op name, subtree...) with one subtree per input of
the op. Inputs are shared across the tree, so the graphs it builds have shared nodes.
"""

from hypothesis import strategies as st

from autograd.ops import OPS

UNARY = sorted(name for name, op in OPS.items() if op.arity == 1)
BINARY = sorted(name for name, op in OPS.items() if op.arity == 2)
INPUTS = 3

# Numbers on a grid of 1/32: exact zeros (the kinks of relu, abs, sign) and no tiny values, near
# which finite differences of 1e-6 would straddle a pole.
grid = st.integers(-96, 96).map(lambda k: k / 32)
inputs = st.integers(0, INPUTS - 1).map(lambda i: ("input", i))
leaves = st.one_of(inputs, inputs, grid.map(lambda c: ("const", c)))  # two inputs for every constant
trees = st.recursive(
    leaves,
    lambda sub: st.one_of(st.tuples(st.sampled_from(UNARY), sub), st.tuples(st.sampled_from(BINARY), sub, sub)),
    max_leaves=10,
)
points = st.lists(grid, min_size=INPUTS, max_size=INPUTS)


def evaluate(tree, inputs, op):
    """The tree's value, with ``op(name, *args)`` computing each node."""
    kind = tree[0]
    if kind == "input":
        return inputs[tree[1]]
    if kind == "const":
        return tree[1]
    return op(kind, *(evaluate(sub, inputs, op) for sub in tree[1:]))


def uses_inputs(tree):
    return tree[0] == "input" or (tree[0] != "const" and any(uses_inputs(sub) for sub in tree[1:]))
