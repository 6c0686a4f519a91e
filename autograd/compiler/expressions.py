"""``_Expr``: the source of an expression as the compiler writes it, by the rules of symbolic.py;
and a gradient formula's share of g written out, from a template made once per formula (and, for
a known number among its inputs, once per number)."""

from __future__ import annotations

from typing import Any

from ..ops import Formula
from ..symbolic import ATOM, POWER, UNARY, Symbol, symbol
from .tables import _FORWARD_NAMES


class _Expr:
    """The source of an expression the compiler writes, as a ``Symbol`` holds it (``precedence``
    and ``depth`` alike), and written by the same rules (``_infix``, ``_power``, ``_operand``:
    those of symbolic.py). Not a Symbol: a Symbol's ``__getattr__`` (which turns ``x.cos()`` in
    a formula into source) makes every read of its attributes several times slower, and the
    compiler reads them a dozen times per op. Formulas still run on Symbols (``_symbol``)."""

    __slots__ = ("source", "precedence", "depth")

    def __init__(self, source: str, precedence: int = ATOM, depth: int = 0) -> None:
        self.source = source
        self.precedence = precedence
        self.depth = depth

    def __repr__(self) -> str:
        return f"_Expr({self.source!r})"


def _symbol(e: _Expr) -> Symbol:
    return Symbol(e.source, e.precedence, e.depth)


def _literal(x: float) -> _Expr:
    """A number's literal, as ``symbolic.symbol`` writes it."""
    text = repr(x)
    return _Expr(text, UNARY if text.startswith("-") else ATOM)


def _operand(e: _Expr, precedence: int) -> str:
    """``e`` as the operand of an operator of ``precedence`` (``symbolic.parenthesized``)."""
    return e.source if e.precedence >= precedence else f"({e.source})"


def _infix(a: _Expr, op: str, b: _Expr, precedence: int) -> _Expr:
    """``a op b`` for a left-associative operator, as ``symbolic.infix`` writes it."""
    x = a.source if a.precedence >= precedence else f"({a.source})"
    y = b.source if b.precedence > precedence else f"({b.source})"  # a - (b - c) is not a - b - c
    return _Expr(f"{x} {op} {y}", precedence, (a.depth if a.depth > b.depth else b.depth) + 1)


def _power(a: _Expr, b: _Expr) -> _Expr:
    """``a ** b``, as ``symbolic.power`` writes it."""
    return _Expr(f"{_operand(a, POWER + 1)} ** {_operand(b, UNARY)}", POWER, 1 + max(a.depth, b.depth))


_SPENT = _Expr("0.0")  # in place of an expression written into its user's (no formula reads it)
_ZERO = _Expr("0.0")


def _forward_one(op: str, x: _Expr) -> _Expr:
    """The source of op ``op`` (of one input) on ``x``: a call of the very forward function the
    engine runs, or for relu of a name its body, written out."""
    if op == "relu" and x.precedence == ATOM and x.depth == 0:
        return _Expr(f"({x.source} if {x.source} > 0.0 else 0.0)", ATOM, 2)  # the body of ops._relu
    return _Expr(f"{_FORWARD_NAMES[op]}({x.source})", ATOM, x.depth + 1)


_G, _X, _Y, _OUT = "\x00g", "\x00x", "\x00y", "\x00o"  # stand-ins, in a formula's source, for its inputs


class _Template:
    """A gradient formula's source with stand-ins for g, x, y and out; ``fills`` pairs each of
    x, y, out that it reads with its place in ``(*inputs, out)``."""

    __slots__ = ("source", "precedence", "depth", "fills")

    def __init__(self, formula: Formula, arity: int) -> None:
        stand_ins = (*(_X, _Y)[:arity], _OUT)
        e = symbol(formula(Symbol(_G), *map(Symbol, stand_ins)))
        self.source, self.precedence, self.depth = e.source, e.precedence, e.depth
        self.fills = tuple((s, k) for k, s in enumerate(stand_ins) if s in e.source)


_TEMPLATES: dict[Formula, _Template] = {}
_PASSES: set[Formula] = set()  # the formulas that pass g on as it is: no call of _share needed


def _share(formula: Formula, g: _Expr, inputs: tuple[Any, ...], out: _Expr) -> _Expr:
    """``formula(g, *inputs, out)`` as an expression: the formula run on Symbols once per op, then
    its source filled in (each input in brackets unless it is a name, a number or a call, which
    keeps the order of operations). An input that is a known number makes the formula run on it."""
    template = _TEMPLATES.get(formula)
    if template is None:
        template = _TEMPLATES[formula] = _Template(formula, len(inputs))
        if template.source == _G:
            _PASSES.add(formula)
    source = template.source
    if source == _G:
        return g  # the formula passes g on as it is (the shares of +)
    depth = g.depth
    source = source.replace(_G, g.source if g.precedence == ATOM else f"({g.source})")
    values = (*inputs, out)
    for stand_in, k in template.fills:
        value = values[k]
        if type(value) is not _Expr:  # a known number: the formula worked out here, on Symbols
            return _share_known(formula, g, inputs, out)
        source = source.replace(stand_in, value.source if value.precedence == ATOM else f"({value.source})")
        depth = value.depth if value.depth > depth else depth
    return _Expr(source, template.precedence, template.depth + depth)


class _Known:
    """A gradient formula run on Symbols once for the known numbers among its inputs and the
    precedences of the others (all that Symbol's arithmetic looks at): its source with stand-ins,
    and how deep each stand-in sits in it (the result's depth is the deepest of those plus the
    stand-in's own depth, or the formula's own depth at depth 0, as Symbol counts it)."""

    __slots__ = ("source", "precedence", "depth", "fills")

    def __init__(self, formula: Formula, g: _Expr, inputs: tuple[Any, ...], out: _Expr) -> None:
        stand_ins = [(_G, g), *((s, v) for s, v in zip((_X, _Y), inputs) if type(v) is _Expr), (_OUT, out)]

        def run(deep: str) -> Symbol:
            made = {s: Symbol(s, v.precedence, _DEEP if s == deep else 0) for s, v in stand_ins}
            args = [made[s] if type(v) is _Expr else v for s, v in zip((_X, _Y), inputs)]
            return symbol(formula(made[_G], *args, made[_OUT]))

        e = run("")
        self.source, self.precedence, self.depth = e.source, e.precedence, e.depth
        fills = []
        for k, (s, _) in enumerate(stand_ins):
            if s in e.source:
                fills.append((s, k, run(s).depth - _DEEP))
        self.fills = tuple(fills)


_DEEP = 1_000_000
_KNOWN: dict[Any, _Known] = {}


def _share_known(formula: Formula, g: _Expr, inputs: tuple[Any, ...], out: _Expr) -> _Expr:
    """``formula(g, *inputs, out)`` where some input is a known number: the same source and
    depth as the formula run on ``_symbol``s of the others, from a template made once per formula,
    numbers and precedences."""
    if not all(type(v) is float or type(v) is _Expr for v in inputs):
        e = symbol(formula(_symbol(g), *(v if type(v) is not _Expr else _symbol(v) for v in inputs), _symbol(out)))
        return _Expr(e.source, e.precedence, e.depth)
    key = (formula, g.precedence, out.precedence, *(v.precedence if type(v) is _Expr else v.hex() for v in inputs))
    known = _KNOWN.get(key)
    if known is None:
        known = _KNOWN[key] = _Known(formula, g, inputs, out)
    source, depth = known.source, known.depth
    values = (g, *(v for v in inputs if type(v) is _Expr), out)
    for stand_in, k, level in known.fills:
        value = values[k]
        source = source.replace(stand_in, value.source)
        if level + value.depth > depth:
            depth = level + value.depth
    return _Expr(source, known.precedence, depth)
