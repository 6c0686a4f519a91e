"""The first pass: a trace written as statements, node by node (the forward pass, then the
backward pass in the engine's order), and the main function around them; ``_generate`` compiles
it into the Compiled object. How the two passes share the work: code.py's opening comment."""

from __future__ import annotations

import builtins
import linecache
import operator
from collections.abc import Callable, Iterable
from typing import Any

from ..ops import OPS
from ..symbolic import ATOM, SUM, UNARY
from .arguments import Tree
from .calls import Compiled, _namespace
from .code import _WIDE, _Code, _place, _targets
from .expressions import _PASSES, _SPENT, _ZERO, _Expr, _forward_one, _infix, _literal, _operand, _power, _share
from .tables import _FORWARD_NAMES, _G_TWICE, _HIDING, _INFIX, _READS
from .tracing import _fn_name, _Trace

_MAX_DEPTH = 40  # an expression nested deeper than this is cut (Python's compiler recurses per level)
_MAX_LENGTH = 1200  # and one longer than this many characters (a balanced tree is shallow but wide)


def _generate(trace: _Trace, wrt: tuple[int, ...], inline: bool) -> Compiled:
    """The Compiled object for ``trace``: its source written, compiled and bound."""
    namespace = _namespace()
    filename = f"<autograd.compile {_comment(_fn_name(trace.fn))}"
    code = _Code(namespace, filename, trace.node_count)
    source = _Source(trace, wrt, inline, code)
    source.write()
    compiled = source.finish()
    filename += ">"
    linecache.cache[filename] = (len(compiled.source), None, compiled.source.splitlines(True), filename)
    main = compiled.source.split("\n\n", 1)[0] + "\n"  # the steps, if any, are compiled already
    exec(builtins.compile(main, filename, "exec"), namespace)
    cls = type("Compiled", (Compiled,), {"__call__": namespace["__call__"], "__module__": Compiled.__module__})
    compiled.__class__ = cls
    return compiled


class _Source:
    """Writes the code of one traced function: its arguments, forward pass, backward pass and
    result, each section by a method of its own, in that order. Nodes are known by their index
    in ``trace.nodes``; ``trace.xs`` and ``trace.ys`` give their inputs'."""

    def __init__(self, trace: _Trace, wrt: tuple[int, ...], inline: bool, code: _Code) -> None:
        self.trace, self.wrt, self.inline, self.code = trace, wrt, inline, code
        self.nodes = trace.nodes
        n = len(self.nodes)
        self.root = None if trace.root is None else self.nodes[trace.root]
        root = self.root
        self.targets = set() if root is None else set(trace.inputs_of(wrt)) | set(trace.param_slots)
        # the nodes a gradient reaches, in the engine's order; wanted[i] tells whether i is one
        self.wanted = wanted = bytearray(n)
        if self.targets and root.requires_grad:  # type: ignore[union-attr]
            self.order = _backward_order(trace, self.targets)
            for i in self.order:
                wanted[i] = 1
        else:
            self.order = []
        self.expr: list[Any] = [None] * n  # each node's value: a placeholder or an expression
        self.named = bytearray(n)
        self.gradients: dict[int, str] = {}  # the placeholder of each target's gradient, without its braces
        self.checked: list[int] = []  # values an op could hide an inf in, for the final check

    def write(self) -> None:
        self.needs_name = self.plan()
        self.arguments()
        self.forward()
        if self.root is not None:
            self.backward()

    def plan(self) -> bytearray:
        """Which nodes get a line of their own: those used twice, read by a gradient formula, or
        checked, and the outputs; with ``inline=False``, all."""
        nodes, xs, ys, checked = self.nodes, self.trace.xs, self.trace.ys, self.checked
        # bound once: CPython 3.11 compiles a method call on an imported name (_HIDING.get(...))
        # as an attribute read and a call, which makes a bound method object at every node
        hiding_of = _HIDING.get
        needs_name = bytearray([not self.inline]) * len(nodes)
        self.uses = uses = [0] * len(nodes)
        for i, node in enumerate(nodes):
            x = xs[i]
            if x < 0:
                continue
            uses[x] += 1
            y = ys[i]
            if y >= 0:
                uses[y] += 1
            hiding = hiding_of(node.op)
            if hiding is not None:
                if 0 in hiding and xs[x] >= 0:
                    needs_name[x] = 1
                    checked.append(x)
                if y >= 0 and 1 in hiding and xs[y] >= 0:
                    needs_name[y] = 1
                    checked.append(y)
        wanted = self.wanted
        for i in self.order:
            x = xs[i]
            if x < 0:
                continue
            reads = _READS[nodes[i].op]
            places = (x, ys[i], i)
            if wanted[x]:
                for used in reads[0]:
                    needs_name[places[used]] = 1
            if ys[i] >= 0 and wanted[ys[i]]:
                for used in reads[1]:
                    needs_name[places[used]] = 1
        for i in self.trace.aux_slots if self.root is None else [self.trace.root, *self.trace.aux_slots]:
            needs_name[i] = 1
        return needs_name

    def arguments(self) -> None:
        """Name the arguments' numbers and the params' (they are read by the code's preamble)."""
        trace, expr, named = self.trace, self.expr, self.named
        wishes = [leaf for leaves in trace.arg_leaves for leaf in leaves] + trace.param_names
        fallbacks = ["x"] * (len(wishes) - len(trace.params)) + ["p"] * len(trace.params)
        refs = self.code.leaves(wishes, fallbacks)  # the arguments' leaves, then the params: nodes 0, 1, ...
        expr[: len(refs)] = [_Expr("{" + ref + "}") for ref in refs]
        named[: len(refs)] = b"\x01" * len(refs)

    def forward(self) -> None:
        """Each named node gets a line; any other is written into its one user's expression."""
        self.code.comment("# forward")
        nodes, xs, ys = self.nodes, self.trace.xs, self.trace.ys
        expr, named, needs_name, uses = self.expr, self.named, self.needs_name, self.uses
        code, infix = self.code, _INFIX
        for i, node in enumerate(nodes):
            x = xs[i]
            if x < 0:
                if expr[i] is None:
                    expr[i] = _literal(node._data)  # a constant
                continue
            op, y = node.op, ys[i]
            a = expr[x]
            if not named[x] and xs[x] >= 0:
                expr[x] = _SPENT  # written into this expression: not needed on its own any more
            if y < 0:
                e = _Expr(f"-{_operand(a, UNARY)}", UNARY, a.depth + 1) if op == "neg" else _forward_one(op, a)
            else:
                b = expr[y]
                if not named[y] and xs[y] >= 0:
                    expr[y] = _SPENT
                if op in infix:
                    e = _infix(a, op, b, infix[op])
                elif op == "**" and xs[y] < 0 and not named[y] and nodes[y]._data.is_integer():
                    e = _power(a, _literal(nodes[y]._data))  # float ** n is math.pow's number
                else:
                    e = _Expr(f"{_FORWARD_NAMES[op]}({a.source}, {b.source})", ATOM, max(a.depth, b.depth) + 1)
            if needs_name[i] or uses[i] != 1 or e.depth > _MAX_DEPTH or len(e.source) > _MAX_LENGTH:
                ref = code.assign(e.source, node, "t")
                e = _Expr("{" + ref + "}")
                named[i] = 1
            expr[i] = e

    def backward(self) -> None:
        """In the engine's order, each node's gradient: the sum of its shares, in the order the
        engine adds them (so the floats come out the same), passed on by its op's formulas."""
        self.code.comment("# backward: g_v is d(result)/dv")
        shares: list[Any] = [None] * len(self.nodes)  # for each node, its share so far, or a list of them
        nodes, xs, ys, expr, named = self.nodes, self.trace.xs, self.trace.ys, self.expr, self.named
        wanted, code, inline = self.wanted, self.code, self.inline
        root, gradients, passes = self.trace.root, self.gradients, _PASSES
        for i in reversed(self.order):
            if i == root:
                g = _Expr("1.0")
            else:
                g = shares[i]
                shares[i] = None
                if type(g) is list:
                    g = self._sum(g)
            x = xs[i]
            if x < 0:  # a leaf in the order is a target: its gradient gets a name, and goes no further
                ref = code.assign(g.source, "", "g_t", i)
                gradients[i] = ref
                continue
            # an inner node: never a target (those are arguments and params, leaves all)
            y = ys[i]
            to_x = wanted[x]
            to_y = y >= 0 and wanted[y]
            if not (to_x or to_y):
                continue
            op = nodes[i].op
            source = g.source
            if inline and source[0] == "{" and g.precedence == ATOM:
                pass  # already a name: no line needed to pass it on
            elif not inline or to_x + to_y != 1 or g.depth > _MAX_DEPTH or len(source) > _MAX_LENGTH or op in _G_TWICE:
                ref = code.assign(source, "", "g_t", i)
                g = _Expr("{" + ref + "}")
            # a constant input reaches the formulas as its number, so that what depends on it alone
            # is worked out here, once (sign(2.0) is 1), and helpers know it (pow_grad of a known power)
            grads, out = OPS[op].grads, expr[i]
            a = nodes[x]._data if xs[x] < 0 and not named[x] else expr[x]
            if y < 0:
                inputs: tuple[Any, ...] = (a,)
            else:
                inputs = (a, nodes[y]._data if xs[y] < 0 and not named[y] else expr[y])
            if to_x:
                formula = grads[0]
                share = g if formula in passes else _share(formula, g, inputs, out)
                had = shares[x]
                if had is None:
                    shares[x] = share
                elif type(had) is list:
                    had.append(share)
                else:
                    shares[x] = [had, share]
            if to_y:
                formula = grads[1]
                share = g if formula in passes else _share(formula, g, inputs, out)
                had = shares[y]
                if had is None:
                    shares[y] = share
                elif type(had) is list:
                    had.append(share)
                else:
                    shares[y] = [had, share]

    def _sum(self, terms: list[_Expr]) -> _Expr:
        """``terms[0] + terms[1] + ...``, left to right as the engine adds them; cut when deep or long."""
        total = terms[0]
        for term in terms[1:]:
            if total.depth >= _MAX_DEPTH or len(total.source) >= _MAX_LENGTH:
                ref = self.code.assign(total.source, "", "g_t")
                total = _Expr("{" + ref + "}")
            total = _infix(total, "+", term, SUM)
        return total

    def finish(self) -> Compiled:
        """The main function around the statements, and the Compiled object that runs it."""
        trace = self.trace
        gradient = self.gradients.get  # None (a gradient of 0) for a target no path leads to
        returned = [gradient(i) for i in trace.inputs_of(self.wrt)]
        params = [gradient(i) for i in trace.param_slots] if self.targets else []
        aux = [self.expr[i] for i in trace.aux_slots]
        compiled = Compiled.__new__(Compiled)
        compiled._setup(trace, self.wrt)
        header = f"def __call__(self, *args):  # {_comment(_fn_name(trace.fn))}: {trace.node_count} ops traced"
        if self.code.steps is None:
            exprs = [_ZERO if ref is None else _Expr("{" + ref + "}") for ref in returned + params]
            body = self._one_function(exprs[: len(returned)], exprs[len(returned) :], aux)
            compiled._steps = []
        else:
            steps = self.code.steps
            steps.cut()
            constants = []
            slots = []
            for e in ([] if self.root is None else [self.expr[trace.root]]) + aux:  # type: ignore[index]
                if e.source[0] == "{":
                    slots.append(_place(e.source[1:-1]))
                else:
                    slots.append(steps.count + len(constants))
                    constants.append(float(e.source))
            if None in returned or None in params:
                zero = steps.count + len(constants)  # the one 0.0 of every gradient that is 0
                constants.append(0.0)
                slots += [zero if ref is None else _place(ref) for ref in returned + params]
            else:
                slots += map(_place, returned + params)
            compiled._steps, compiled._constants = steps.steps, constants
            compiled._gather = _getter(slots)
            compiled._aux_count = len(aux)
            header += f", run as {len(steps.steps):,} calls of the {len(steps.sources):,} functions below"
            body = [
                "        v = _floats(args, self._kinds)",
                *(["        v += map(_data, self._params)"] if trace.params else []),
                "        for step, get in self._steps:",
                "            step(v, get)",
                "        v += self._constants",
                "        if isfinite(sum(v)):",
                "            return self._finish(v)",
            ]
        lines = [
            header,
            "    try:",
            *body,
            "    except (ArithmeticError, ValueError, TypeError):",
            "        pass",
            "    return self._slow(args)  # an error or a non-finite value: the engine says which",
        ]
        source = "\n".join(lines) + "\n"
        if self.code.steps is not None:
            steps = self.code.steps
            source += "".join(
                f"\n\n# called {calls:,} time{'s' if calls != 1 else ''}\n{text}"
                for calls, text in zip(steps.calls, steps.sources)
            )
        compiled.source = source
        return compiled

    def _one_function(self, returned: list[_Expr], params: list[_Expr], aux: list[_Expr]) -> list[str]:
        """The body of the readable form: arguments, statements, the check and the result."""
        trace, code = self.trace, self.code
        statements = code.readable(self.expr)
        names = code.names
        per_arg = [[names[f"v{i + _WIDE}"] for i in trace.inputs_of([a])] for a in range(len(trace.arg_leaves))]
        arg_names = [name for names_of_arg in per_arg for name in names_of_arg]
        param_names = [names[f"v{i + _WIDE}"] for i in trace.param_slots]
        lines = ["        # the arguments, as floats" if arg_names else "        # no arguments"]
        if any(shape is not None for shape in trace.shapes):
            # one call checks the lists and numbers, refusing what the engine refuses
            lines[0] += ": " + _targets([_pattern(s, n) for s, n in zip(trace.shapes, per_arg)])
            lines.append(f"        {_targets(arg_names) or '()'} = _floats(args, self._kinds)")
        else:
            lines.append(f"        {_targets(arg_names) or '()'} = args")
            # a float as it is; anything else as Value() takes it ("3" is refused, not read as 3.0)
            lines += [f"        {n} = {n} if type({n}) is float else _float({n})" for n in arg_names]
        if param_names:
            lines.append(f"        {_targets(param_names)} = map(_data, self._params)")
        lines += statements

        def text(e: _Expr) -> str:
            return e.source.format_map(names)

        check = arg_names + [text(self.expr[c]) for c in dict.fromkeys(self.checked)]
        check += [text(self.expr[i]) for i in trace.aux_slots] + [text(g) for g in returned + params]
        aux_source = _pattern(trace.aux_shape, iter(text(e) for e in aux))
        if self.root is None:
            lines.append(f"        if isfinite(sum(({', '.join(check)},))):")
            lines.append(f"            return {aux_source}")
            return lines
        root = text(self.expr[trace.root])  # type: ignore[index]
        check.append(root)
        value = f"({root}, {aux_source})" if trace.has_aux else root
        returned_names = iter(text(g) for g in returned)
        grads = [_pattern(trace.shapes[a], returned_names) for a in self.wrt]
        lines.append(f"        if isfinite(sum(({', '.join(check)},))):")
        if params:
            lines.append(f"            if _add_into_params(self._params, ({', '.join(text(g) for g in params)},)):")
            lines.append(f"                return {value}, ({_targets(grads)})")
        else:
            lines.append(f"            return {value}, ({_targets(grads)})")
        return lines


def _backward_order(trace: _Trace, targets: set[int]) -> list[int]:
    """The nodes a gradient passes through on its way to ``targets``, in the engine's order
    (that of ``grad()``: ``backward.topological_order``, less the nodes that lead to no target),
    by their indices.

    The walk is topological_order's, step for step (the same stack, the second input popped
    first), on the trace's index arrays rather than on the Values.
    """
    nodes, xs, ys = trace.nodes, trace.xs, trace.ys
    live = bytearray(map(operator.attrgetter("requires_grad"), nodes))  # not yet seen, and requires grad
    reaching = bytearray(len(nodes))  # a target, or a node with a target below it
    for i in targets:
        reaching[i] = 1
    order: list[int] = []
    append = order.append
    stack = [trace.root]
    pop, push = stack.pop, stack.append
    while stack:
        i = pop()
        if i < 0:
            i = ~i  # its inputs are all in the order: now it goes in, if a target lies below
            if reaching[xs[i]] or (ys[i] >= 0 and reaching[ys[i]]):
                reaching[i] = 1
                append(i)
        elif live[i]:
            live[i] = 0
            x = xs[i]
            if x < 0:
                if reaching[i]:
                    append(i)  # a target
            else:
                push(~i)
                push(x)
                y = ys[i]
                if y >= 0:
                    push(y)
    return order


def _comment(text: str) -> str:
    """``text`` as it may stand in a comment: on one line."""
    return text if text.isprintable() else repr(text)


def _getter(slots: list[int]) -> Callable[[list[float]], tuple[float, ...]]:
    """A function of the list of values: the values at ``slots``, as a tuple."""
    if len(slots) == 1:
        slot = slots[0]
        return lambda values: (values[slot],)
    return operator.itemgetter(*slots) if slots else lambda values: ()


def _pattern(shape: Tree, names: Iterable[str]) -> str:
    """Source of a value of ``shape``, its numbers taken from ``names``: ``[[a, b], [c, d]]``."""
    names = iter(names)
    if shape is None:
        return next(names, "None")
    return "[" + ", ".join(_pattern(s, names) for s in shape) + "]"
