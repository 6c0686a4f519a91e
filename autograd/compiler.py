"""compile(fn): trace a function once on Values, then run it as straight-line Python on floats.

Tracing calls ``fn`` with Values standing for its arguments, which records its graph. From that
graph the compiler writes one Python function: the forward pass, node by node, then the backward
pass, each node's gradient written out from the formulas of the op table (evaluated on
``Symbol``, so they become source text). The result is ``value_and_grad`` style:

    >>> f = compile(lambda a, b: (a * b + b ** 3).tanh(), 0.5, 0.25)
    >>> value, (da, db) = f(0.5, 0.25)

``print(f.source)`` shows the code. It does the same float operations in the same order as the
engine's ``grad()``, so the numbers are identical, bit for bit.

The rule of tracing (as for ``jax.jit``): the function is run once, and only its Value operations
are recorded. Python that looks at a traced Value's number, such as ``if x.data > 0`` or ``if x:``,
would be frozen to the branch taken while tracing, so it raises ``TraceError``. Numbers and
constant Values the function reads from elsewhere are baked in: pass anything that changes as an
argument (or, for a model's weights, in ``params=``).
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import linecache
import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import backward, modes, ops
from .errors import OperationOverflowError, TraceError, name_of
from .modes import no_grad
from .ops import OPS
from .symbolic import ATOM, Symbol, call, symbol
from .value import Value, apply

Tree = Any  # a number, a Value, or a list or tuple of trees

# How each op's forward is written in the generated code: an operator, or a call to the very
# function the engine runs (bound under this name in the code's namespace).
_INFIX = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_FORWARD_NAMES = {
    "max": "max",
    "**": "power",
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "abs": "fabs",
    "sin": "sin",
    "cos": "cos",
    "sign": "signum",
}

# Ops whose result can be finite although an input is inf or NaN (relu(-inf) is 0, 1 / inf is 0):
# the inputs they are given (those slots) are checked, so that no overflow is hidden.
_HIDING = {
    "/": (1,),
    "**": (0, 1),
    "max": (0, 1),
    "relu": (0,),
    "tanh": (0,),
    "sigmoid": (0,),
    "exp": (0,),
    "sign": (0,),
}

_MAX_DEPTH = 40  # an expression nested deeper than this is cut into named steps


def compile(
    fn: Callable[..., Any],
    *example_args: Tree,
    params: Iterable[Value] | Any = (),
    wrt: int | Sequence[int] | None = None,
    has_aux: bool = False,
    inline: bool = True,
    backward: bool = True,
) -> Compiled:
    """Trace ``fn(*example_args)`` once and compile its forward and backward pass to Python.

    ``example_args`` are numbers or (nested) lists of numbers; a compiled call takes arguments of
    the same shapes and returns ``(value, grads)``: ``fn``'s result as a float and, for each
    argument in ``wrt`` (default: all), its gradient, shaped like the argument.

    ``params`` are Values that ``fn`` reads without taking them as arguments, such as a model's
    weights (a ``Module`` is taken as its parameters). Each call reads their current ``.data``
    and adds their gradients into ``.grad``, as ``backward()`` would, so an optimizer steps as
    usual. With ``has_aux=True``, ``fn`` returns ``(value, aux)``, where ``aux`` is Values or
    numbers in lists; a call then returns ``((value, aux), grads)`` with ``aux`` as floats.

    With ``backward=False`` the compiled code is the forward pass alone: ``fn`` may return Values
    in (nested) lists, and a call returns their numbers in the same lists, touching no ``.grad``
    (for predictions, like running the model under ``no_grad()``).

    With ``inline=False`` every node gets a line of its own, as in the engine's graph; by default
    a value used once is written into the expression that uses it, as one would by hand.

    Raises ``TraceError`` where tracing cannot capture ``fn`` (see the module docstring).
    """
    if not modes.plain and modes.current().tracing is not None:
        raise TraceError(
            "compile() was called inside a function that compile() is tracing; compile the outer one alone"
        )
    if not backward and (wrt is not None or has_aux):
        raise ValueError("compile(): wrt= and has_aux= are about gradients, which backward=False leaves out")
    wrt_args = _wrt(wrt, len(example_args)) if backward else ()
    trace = _trace(fn, example_args, *_params(params), has_aux, backward)
    return _generate(trace, wrt_args, inline)


class Compiled:
    """A traced function compiled to Python; call it with numbers shaped like the example arguments.

    ``source`` is the generated code; ``nodes`` the number of operations traced.
    """

    source: str
    nodes: int
    name: str

    def __init__(self, trace: _Trace, wrt: tuple[int, ...], source: str) -> None:
        self._trace = trace
        self._wrt = wrt
        self._params = trace.params
        self.source = source
        self.nodes = trace.node_count
        self.name = _fn_name(trace.fn)

    def __call__(self, *args: Tree) -> Any:  # replaced by the generated code in each subclass
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<compiled {self.name}: {self.nodes} ops, {self.source.count(chr(10))} lines>"

    def _slow(self, args: tuple[Tree, ...]) -> Any:
        """The engine's own answer, for a call the fast code could not finish cleanly.

        Reruns the recorded operations on Values, so that a bad argument or a value out of an op's
        domain raises the engine's error, naming the op; if nothing is wrong (a false alarm, such
        as a check sum that overflowed), returns the engine's result.
        """
        trace = self._trace
        flat = _flatten_args(args, trace.shapes, self.name)
        values = _replay(trace, flat)
        aux = _unflatten([values[i]._data for i in trace.aux_slots], trace.aux_shape)
        if trace.root is None:
            return aux  # the forward pass alone
        out = values[trace.root]
        targets = [values[i] for i in trace.inputs_of(self._wrt)] + [values[i] for i in trace.param_slots]
        grads = backward.grad(out, targets) if out.requires_grad else [0.0] * len(targets)
        n = len(grads) - len(self._params)
        _add_into_params(self._params, grads[n:])
        result: Any = out._data
        if trace.has_aux:
            result = (result, aux)
        per_arg, start = [], 0
        for i in self._wrt:
            size = _size(trace.shapes[i])
            per_arg.append(_unflatten(grads[start : start + size], trace.shapes[i]))
            start += size
        return result, tuple(per_arg)


# ----------------------------------------------------------------------------- tracing


class _Trace:
    """What one traced call recorded: every node, in an order where children come first."""

    def __init__(self, fn: Callable[..., Any], params: list[Value], has_aux: bool) -> None:
        self.fn = fn
        self.params = params
        self.has_aux = has_aux
        self.nodes: list[Value] = []  # all nodes, children before parents
        self.index: dict[Value, int] = {}
        self.arg_leaves: list[list[Value]] = []  # per argument, its leaves in order
        self.shapes: list[Tree] = []  # per argument: None for a number, else a list of shapes
        self.arg_names: list[str] = []
        self.root: int | None = None  # None: no gradients, every output is in aux
        self.aux_slots: list[int] = []
        self.aux_shape: Tree = None
        self.param_slots: list[int] = []
        self.param_names: list[str] = []
        self.node_count = 0

    def inputs_of(self, args: Iterable[int]) -> list[int]:
        return [self.index[leaf] for i in args for leaf in self.arg_leaves[i]]


def _trace(
    fn: Callable[..., Any],
    example_args: tuple[Tree, ...],
    params: list[Value],
    param_names: list[str],
    has_aux: bool,
    backward: bool,
) -> _Trace:
    trace = _Trace(fn, params, has_aux)
    trace.param_names = param_names
    trace.arg_names = _arg_names(fn, len(example_args))
    traced_args = []
    for name, example in zip(trace.arg_names, example_args):
        leaves: list[Value] = []
        traced_args.append(_leaves_for(example, leaves, "", name))
        trace.arg_leaves.append(leaves)
        trace.shapes.append(_shape(example))
    inputs = [leaf for leaves in trace.arg_leaves for leaf in leaves] + params
    if len({id(v) for v in inputs}) != len(inputs):
        raise ValueError("compile(): a Value appears twice among the arguments and params")
    with modes.tracing(set(inputs)) as tracing:
        result = fn(*traced_args)
    born = tracing.born
    if backward:
        root, aux = _split_result(result, has_aux, trace)
    else:
        root, aux = None, _checked_aux(result)
    # numbers in aux become constants, so that every output is a node
    given = _flatten_tree(aux) if has_aux or not backward else []
    auxes = [v if isinstance(v, Value) else Value(float(v), requires_grad=False) for v in given]
    _collect(trace, ([] if root is None else [root]) + auxes, set(inputs), born)
    trace.root = None if root is None else trace.index[root]
    trace.aux_slots = [trace.index[v] for v in auxes]
    trace.aux_shape = _shape(aux)
    trace.param_slots = [trace.index[p] for p in params]
    return trace


def _leaves_for(example: Tree, leaves: list[Value], path: str, arg: str) -> Tree:
    """The traced stand-in for one argument: a leaf Value per number, in the same lists."""
    if isinstance(example, (list, tuple)):
        return [_leaves_for(item, leaves, f"{path}[{i}]", arg) for i, item in enumerate(example)]
    if isinstance(example, Value) and example._x is None and example.requires_grad:
        leaf = example  # the very Value: code that holds it (a model, a closure) reads the input
    else:
        number = example._data if isinstance(example, Value) else _number(example, f"{arg}{path}", "compile()")
        leaf = Value(number, label=f"{arg}{path}")
    leaves.append(leaf)
    return leaf


def _split_result(result: Any, has_aux: bool, trace: _Trace) -> tuple[Value, Tree]:
    aux = None
    if has_aux:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(f"compile(has_aux=True): {_fn_name(trace.fn)} must return (value, aux), got {result!r}")
        result, aux = result[0], _checked_aux(result[1])
    if not isinstance(result, Value):
        hint = "; to return more, use has_aux=True and return (value, aux)" if isinstance(result, (list, tuple)) else ""
        raise TypeError(
            f"compile(): {_fn_name(trace.fn)} must return one Value (the one to differentiate), got {result!r}{hint}"
        )
    return result, aux


def _checked_aux(aux: Any) -> Tree:
    for v in _flatten_tree(aux):
        if not isinstance(v, (Value, int, float)):
            raise TypeError(
                f"compile(): the function returned {v!r} among its outputs; they may be Values and numbers in lists"
            )
    return aux


def _collect(trace: _Trace, outputs: list[Any], inputs: set[Value], born: set[Value]) -> None:
    """Every node the outputs depend on into ``trace.nodes``, children first; leaves checked."""
    for leaf in [leaf for leaves in trace.arg_leaves for leaf in leaves] + trace.params:
        _add(trace, leaf)
    stack: list[Any] = list(reversed(outputs))
    while stack:
        node = stack.pop()
        if node is None:
            _add(trace, stack.pop())
            continue
        if node in trace.index:
            continue
        if node._x is None:
            if node.requires_grad and node not in inputs and node not in born:
                raise TraceError(
                    f"compile(): {_fn_name(trace.fn)} uses {node!r}, which requires grad but is neither an "
                    "argument nor in params=, so its gradient would be lost; pass it in params= (a model's "
                    "weights), or make it a constant with .detach() or requires_grad=False"
                )
            _add(trace, node)
            continue
        stack += [node, None]
        if node._y is not None:
            stack.append(node._y)
        stack.append(node._x)
    trace.node_count = sum(1 for n in trace.nodes if n._x is not None)


def _add(trace: _Trace, node: Value) -> None:
    if node not in trace.index:
        trace.index[node] = len(trace.nodes)
        trace.nodes.append(node)


# ----------------------------------------------------------------------------- code generation


class _Writer:
    """Names and lines of the generated function."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.used = set(reserved) | set(keyword.kwlist) | set(dir(builtins)) | {"self", "args"}
        self.lines: list[str] = []
        self.counter = itertools.count()

    def fresh(self, wish: str, fallback: str) -> str:
        name = wish.replace(".", "_").replace("[", "_").replace("]", "").strip("_")
        if not name.isidentifier() or name in self.used:
            name = f"{fallback}{next(self.counter)}"
            while name in self.used:
                name = f"{fallback}{next(self.counter)}"
        self.used.add(name)
        return name

    def emit(self, line: str) -> None:
        self.lines.append("        " + line)


def _generate(trace: _Trace, wrt: tuple[int, ...], inline: bool) -> Compiled:
    """The Compiled object for ``trace``: its source written, compiled and bound."""
    namespace = _namespace()
    source = _Source(trace, wrt, inline, reserved=namespace).write()
    filename = f"<autograd.compile {_fn_name(trace.fn)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for tracebacks
    exec(builtins.compile(source, filename, "exec"), namespace)
    cls = type("Compiled", (Compiled,), {"__call__": namespace["__call__"], "__module__": __name__})
    return cls(trace, wrt, source)


class _Source:
    """Writes the code of one traced function: its arguments, forward pass, backward pass and
    result, each section by a method of its own, in that order."""

    def __init__(self, trace: _Trace, wrt: tuple[int, ...], inline: bool, reserved: Iterable[str]) -> None:
        self.trace, self.wrt, self.inline = trace, wrt, inline
        self.nodes, self.index = trace.nodes, trace.index
        self.out = _Writer(reserved)
        self.root = None if trace.root is None else self.nodes[trace.root]
        root = self.root
        self.targets = set() if root is None else set(trace.inputs_of(wrt)) | set(trace.param_slots)
        targets = [self.nodes[i] for i in self.targets]
        self.order = _backward_order(root, targets) if targets and root.requires_grad else []  # type: ignore[union-attr]
        self.wanted = set(self.order)  # the nodes a gradient reaches
        self.names: list[str | None] = [None] * len(self.nodes)  # set for the nodes given a line
        self.expr: list[Any] = [None] * len(self.nodes)  # each node's value: a name or an expression
        self.gexpr: dict[int, Symbol] = {}  # the gradient of each node of the backward pass
        self.checked: list[int] = []  # values an op could hide an inf in, for the final check

    def write(self) -> str:
        self.needs_name = self.plan()
        self.arguments()
        self.forward()
        if self.root is not None:
            self.backward()
        self.result()
        lines = [
            f"def __call__(self, *args):  # {_fn_name(self.trace.fn)}: {self.trace.node_count} ops traced",
            "    try:",
            *self.out.lines,
            "    except (ArithmeticError, ValueError, TypeError):",
            "        pass",
            "    return self._slow(args)  # an error or a non-finite value: the engine says which",
        ]
        return "\n".join(lines) + "\n"

    def plan(self) -> list[bool]:
        """Which nodes get a line of their own: those used twice, read by a gradient formula, or
        checked, and the outputs; with ``inline=False``, all."""
        nodes, index = self.nodes, self.index
        needs_name = [not self.inline] * len(nodes)
        self.uses = [0] * len(nodes)
        for node in nodes:
            for slot, child in enumerate(node.children):
                self.uses[index[child]] += 1
                if slot in _HIDING.get(node.op, ()) and child._x is not None:
                    needs_name[index[child]] = True
                    self.checked.append(index[child])
        for node in self.order:
            for slot, child in enumerate(node.children):
                if child in self.wanted:
                    for used in _FORMULA_USES[node.op][slot]:
                        needs_name[index[node] if used == "out" else index[node.children["xy".index(used)]]] = True
        for i in self.trace.aux_slots if self.root is None else [self.trace.root, *self.trace.aux_slots]:
            needs_name[i] = True
        return needs_name

    def arguments(self) -> None:
        """Unpack the arguments into one name per number, converted with float(); read the params."""
        trace, index, out = self.trace, self.index, self.out
        signature = []
        for a, leaves in enumerate(trace.arg_leaves):
            for leaf in leaves:
                self.names[index[leaf]] = out.fresh(leaf.label, "x")
            signature.append(_pattern(trace.shapes[a], iter(self.names[index[leaf]] for leaf in leaves)))
        self.arg_names = [self.names[index[leaf]] for leaves in trace.arg_leaves for leaf in leaves]
        param_names = []
        for p, wish in zip(trace.params, trace.param_names):
            self.names[index[p]] = name = out.fresh(wish, "p")
            param_names.append(name)
        out.emit("# the arguments, as floats" if self.arg_names else "# no arguments")
        if trace.arg_leaves:
            out.emit(f"{_targets(signature)} = args")
        if self.arg_names:
            out.emit(f"{_targets(self.arg_names)} = {_targets([f'float({n})' for n in self.arg_names])}")
        if param_names:
            out.emit(f"{_targets(param_names)} = map(_data, self._params)")

    def known(self, node: Value) -> float | None:
        """A constant's number (the same at every call), or None for a value computed at the call."""
        return node._data if node._x is None and self.names[self.index[node]] is None else None

    def forward(self) -> None:
        """Each named node gets a line; any other is written into its one user's expression."""
        self.out.emit("# forward")
        names, expr, index = self.names, self.expr, self.index
        depth = [0] * len(self.nodes)
        for i, node in enumerate(self.nodes):
            if names[i] is not None:
                expr[i] = Symbol(names[i])
            elif node._x is None:  # a constant
                expr[i] = symbol(node._data)
            else:
                children = [index[c] for c in node.children]
                expr[i] = _forward_symbol(node.op, [expr[c] for c in children], [self.known(c) for c in node.children])
                depth[i] = 1 + max(depth[c] for c in children)
                if self.needs_name[i] or self.uses[i] != 1 or depth[i] > _MAX_DEPTH:
                    names[i] = self.out.fresh(node.label, "t")
                    self.out.emit(f"{names[i]} = {expr[i]}")
                    expr[i], depth[i] = Symbol(names[i]), 0

    def backward(self) -> None:
        """In the engine's order, each node's gradient: the sum of its shares, in the order the
        engine adds them (so the floats come out the same), passed on by its op's formulas."""
        self.out.emit("# backward: g_v is d(result)/dv")
        shares: dict[int, list[Symbol]] = {}
        for node in reversed(self.order):
            i = self.index[node]
            g, depth = (Symbol("1.0"), 0) if node is self.root else _sum(shares.pop(i), self.out)
            receivers = [c for c in node.children if c in self.wanted]
            is_target = i in self.targets
            if self.inline and not is_target and g.precedence == ATOM and g.source.isidentifier():
                pass  # already a name: no line needed to pass it on
            elif is_target or not self.inline or len(receivers) != 1 or depth > _MAX_DEPTH:
                name = self.out.fresh(f"g_{self.names[i]}" if self.names[i] else "", "g_t")
                self.out.emit(f"{name} = {g}")
                g = Symbol(name)
            self.gexpr[i] = g
            # a constant input reaches the formulas as its number, so that what depends on it alone
            # is worked out here, once (sign(2.0) is 1), and helpers know it (pow_grad of a known power)
            inputs = [self.expr[self.index[c]] if self.known(c) is None else c._data for c in node.children]
            for slot, child in enumerate(node.children):
                if child in self.wanted:
                    share = OPS[node.op].grads[slot](g, *inputs, self.expr[i])
                    shares.setdefault(self.index[child], []).append(share)

    def result(self) -> None:
        """Return the results, after one check that no value on the way was inf or NaN."""
        trace, expr, out = self.trace, self.expr, self.out
        grad_of = {i: self.gexpr.get(i, Symbol("0.0")) for i in self.targets}  # 0: no path leads there
        returned = [grad_of[i] for i in trace.inputs_of(self.wrt)]
        params = [grad_of[i] for i in trace.param_slots if i in self.targets]
        check = [Symbol(n) for n in self.arg_names] + [expr[c] for c in dict.fromkeys(self.checked)]
        check += [expr[i] for i in trace.aux_slots] + returned + params
        aux = _pattern(trace.aux_shape, iter(str(expr[i]) for i in trace.aux_slots))
        if self.root is None:
            out.emit(f"if isfinite(sum(({', '.join(map(str, check))},))):")
            out.emit(f"    return {aux}")
            return
        check.append(expr[trace.root])
        value = f"({expr[trace.root]}, {aux})" if trace.has_aux else str(expr[trace.root])
        names = iter(str(g) for g in returned)
        grads = [_pattern(trace.shapes[a], names) for a in self.wrt]
        out.emit(f"if isfinite(sum(({', '.join(map(str, check))},))):")
        if params:
            out.emit(f"    if _add_into_params(self._params, ({', '.join(map(str, params))},)):")
            out.emit(f"        return {value}, ({_targets(grads)})")
        else:
            out.emit(f"    return {value}, ({_targets(grads)})")


def _targets(names: list[str]) -> str:
    """``a, b`` as the left side of an assignment or a tuple display (``a,`` for one)."""
    return ", ".join(names) + ("," if len(names) == 1 else "")


def _backward_order(root: Value, targets: list[Value]) -> list[Value]:
    """The nodes a gradient passes through on its way to ``targets``, in the engine's order."""
    return backward.toward(backward.topological_order(root), targets)


def _sum(terms: list[Symbol], out: _Writer) -> tuple[Symbol, int]:
    """``terms[0] + terms[1] + ...``, left to right as the engine adds them; cut when deep."""
    total, depth = terms[0], 1
    for term in terms[1:]:
        if depth >= _MAX_DEPTH:
            name = out.fresh("", "g_t")
            out.emit(f"{name} = {total}")
            total, depth = Symbol(name), 0
        total, depth = total + term, depth + 1
    return total, depth


def _forward_symbol(op: str, inputs: list[Symbol | None], constants: list[float | None]) -> Symbol:
    """The source of op ``op`` on ``inputs``: an operator where Python's does exactly what the
    engine's forward does, else a call of that very forward function."""
    if op in _INFIX:
        return _INFIX[op](*inputs)
    if op == "neg":
        return -inputs[0]  # type: ignore[operator]
    if op == "**" and constants[1] is not None and constants[1].is_integer():
        return inputs[0] ** constants[1]  # type: ignore[operator]  # float ** n is math.pow's number
    if op == "relu" and inputs[0].precedence == ATOM:  # type: ignore[union-attr]
        return Symbol(f"({inputs[0]} if {inputs[0]} > 0.0 else 0.0)")  # the body of ops._relu
    return call(_FORWARD_NAMES[op], *inputs)  # type: ignore[arg-type]


def _formula_uses() -> dict[str, list[tuple[str, ...]]]:
    """For each op and input slot, which of x, y, out its gradient formula reads."""
    uses = {}
    for name, op in OPS.items():
        args = ["x", "y"][: op.arity]
        per_slot = []
        for formula in op.grads:
            text = str(formula(Symbol("g"), *map(Symbol, args), Symbol("out")))
            per_slot.append(tuple(a for a in (*args, "out") if _mentions(text, a)))
        uses[name] = per_slot
    return uses


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{name}\b", text) is not None


_FORMULA_USES = _formula_uses()


def _namespace() -> dict[str, Any]:
    """What the generated code may call: the helpers of ops.py and each op's forward function."""
    namespace = {k: v for k, v in vars(ops).items() if not k.startswith("__")}
    for op, name in _FORWARD_NAMES.items():
        namespace[name] = OPS[op].forward
    namespace.update(isfinite=math.isfinite, sum=sum, map=map, float=float, _data=operator.attrgetter("_data"))
    namespace["_add_into_params"] = _add_into_params
    return namespace


def _pattern(shape: Tree, names: Iterable[str]) -> str:
    """Source of a value of ``shape``, its numbers taken from ``names``: ``[[a, b], [c, d]]``."""
    names = iter(names)
    if shape is None:
        return next(names, "None")
    return "[" + ", ".join(_pattern(s, names) for s in shape) + "]"


# ----------------------------------------------------------------------------- calling


def _add_into_params(params: list[Value], grads: Sequence[float]) -> bool:
    """Add this call's gradients into the params' ``.grad`` (as backward() adds into leaves).

    Returns False, changing nothing, if any sum is not finite (the caller then asks the engine).
    """
    totals = [g + p.grad for p, g in zip(params, grads)]
    if not math.isfinite(sum(totals)):
        for p, g, total in zip(params, grads, totals):
            if not math.isfinite(total):
                raise OperationOverflowError(
                    f"adding this call's gradient {g!r} to the {p.grad!r} that {name_of(p)} held "
                    "overflows a float; set .grad = 0.0 (or call zero_grad()) between steps"
                )
    for p, total in zip(params, totals):
        p.grad = total
    return True


def _replay(trace: _Trace, flat: list[float]) -> list[Value]:
    """The traced operations run again on the engine's Values, with these argument numbers."""
    values: list[Any] = [None] * len(trace.nodes)
    numbers = iter(flat)
    for leaves in trace.arg_leaves:
        for leaf in leaves:
            values[trace.index[leaf]] = Value(next(numbers), label=leaf.label)
    for p in trace.params:
        values[trace.index[p]] = p
    for i, node in enumerate(trace.nodes):
        if values[i] is not None:
            continue
        if node._x is None:
            values[i] = node  # a constant
            continue
        args = [values[trace.index[c]] for c in node.children]
        if node.requires_grad:
            values[i] = apply(node.op, *args)
        else:
            with no_grad():
                values[i] = apply(node.op, *args)
    return values


def _flatten_args(args: tuple[Tree, ...], shapes: list[Tree], name: str) -> list[float]:
    if len(args) != len(shapes):
        raise TypeError(f"compiled {name} takes {len(shapes)} argument(s), as traced; got {len(args)}")
    flat: list[float] = []
    for i, (arg, shape) in enumerate(zip(args, shapes)):
        _flatten_arg(arg, shape, f"argument {i}", name, flat)
    return flat


def _flatten_arg(arg: Tree, shape: Tree, where: str, name: str, flat: list[float]) -> None:
    if shape is None:
        flat.append(_number(arg, where, f"compiled {name}"))
        return
    if not isinstance(arg, Sequence) or isinstance(arg, (str, bytes)):
        raise TypeError(f"compiled {name}: {where} must be a list of {len(shape)} items, as traced; got {arg!r}")
    if len(arg) != len(shape):
        raise ValueError(f"compiled {name}: {where} has {len(arg)} items, but the traced one had {len(shape)}")
    for j, (item, s) in enumerate(zip(arg, shape)):
        _flatten_arg(item, s, f"{where}[{j}]", name, flat)


def _number(x: Any, where: str, who: str) -> float:
    if isinstance(x, Value):
        raise TypeError(f"{who}: {where} is a Value; pass its number (.data), or a plain float")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{who}: {where} must be a number, got {x!r} ({type(x).__name__})")
    try:
        number = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {where} must be a number, got {x!r} ({type(x).__name__})") from None
    if not math.isfinite(number):
        raise ValueError(f"{who}: {where} must be a finite number, got {number!r}")
    return number


# ----------------------------------------------------------------------------- small helpers


def _shape(tree: Tree) -> Tree:
    """None for a number (or Value), else the list of its items' shapes."""
    if isinstance(tree, (list, tuple)):
        return [_shape(item) for item in tree]
    return None


def _size(shape: Tree) -> int:
    return 1 if shape is None else sum(_size(s) for s in shape)


def _flatten_tree(tree: Tree) -> list[Any]:
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _flatten_tree(item)]
    return [tree]


def _unflatten(flat: Sequence[Any], shape: Tree) -> Tree:
    if not flat and shape is None:
        return None  # nothing was there
    items = iter(flat)

    def build(s: Tree) -> Tree:
        return next(items) if s is None else [build(x) for x in s]

    return build(shape)


def _wrt(wrt: int | Sequence[int] | None, count: int) -> tuple[int, ...]:
    if wrt is None:
        return tuple(range(count))
    chosen = (wrt,) if isinstance(wrt, int) else tuple(wrt)
    for i in chosen:
        if not isinstance(i, int) or not 0 <= i < count:
            raise ValueError(f"compile(): wrt={wrt!r} must name arguments by position, 0 to {count - 1}")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"compile(): wrt={wrt!r} names an argument twice")
    return chosen


def _params(params: Any) -> tuple[list[Value], list[str]]:
    """The params as a list, and the names the generated code gives them (a Module's own names)."""
    if hasattr(params, "named_parameters"):
        named = params.named_parameters()
        values, names = [p for _, p in named], [p.label or name for name, p in named]
    else:
        values = list(params)
        names = [p.label if isinstance(p, Value) else "" for p in values]
    for p in values:
        if not isinstance(p, Value) or p._x is not None or not p.requires_grad:
            raise TypeError(f"compile(): params must be leaf Values that require grad, got {p!r}")
    return values, names


def _arg_names(fn: Callable[..., Any], count: int) -> list[str]:
    import inspect

    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:count]
    return names + [f"x{i}" for i in range(len(names), count)]


def _fn_name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", type(fn).__name__)
