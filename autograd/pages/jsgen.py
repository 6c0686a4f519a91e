"""The op table as JavaScript: each row's forward and gradient formulas, for the pages' engine.

``engine_js()`` is ``js/engine.js`` with the table of ``ops.OPS``, as it is when called, written
into it. A formula is run on ``JSSymbol``s, the compiler's symbolic type made to write JavaScript,
so the same line of ``ops.py`` that backward runs on floats becomes the page's code: no
derivative is written twice. Forwards are not formulas but Python functions, so each one is
spelled: by identity (``FORWARDS``: ``operator.add``, ``math.tanh``, ``ops._sigmoid``, ...), or,
for a function of the user's own (``autograd.defop``), by running it on JSSymbols, which works
when it is made of operators and ``autograd.ops`` helpers (``lambda x: x ** 3``). A row neither
way spelled has no JavaScript form: ``engine_js(strict=True)`` raises JSFormError naming it;
with ``strict=False`` the row is left out and the page's engine refuses the op by name.
"""

from __future__ import annotations

import builtins
import json
import keyword
import math
import operator
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .. import ops
from ..ops import OPS, Op
from ..symbolic import ATOM, PRODUCT, SUM, UNARY, Symbol

JS_DIR = Path(__file__).with_name("js")

# Names the generated code may call, each defined in js/engine.js with the Python semantics of
# the function of the same name (ops.py's helpers on floats, Python's float ops, math's).
JS_FUNCTIONS = frozenset(
    {"div", "pow", "sin", "cos", "log", "pow_grad", "xlogy", "larger"}
    | {"_relu", "_sigmoid", "_sign", "_pow", "_max", "_min"}
)
# math.<name> of js/engine.js: the functions of Python's math module that the page's engine has
_MATH_NAMES = "exp expm1 sinh cosh tanh sin cos tan asin acos atan asinh acosh atanh log log2 log10 log1p sqrt fabs"
MATH_FUNCTIONS = frozenset([*_MATH_NAMES.split(), "atan2", "hypot", "pow"])

# Forwards spelled by identity: the function, then its JavaScript on the names x (and y).
FORWARDS: dict[Callable[..., float], str] = {
    operator.add: "x + y",
    operator.sub: "x - y",
    operator.mul: "x * y",
    operator.truediv: "div(x, y)",
    operator.neg: "-x",
    builtins.max: "_max(x, y)",
    builtins.min: "_min(x, y)",
    ops._relu: "_relu(x)",
    ops._sigmoid: "_sigmoid(x)",
    ops._sign: "_sign(x)",
    ops._pow: "_pow(x, y)",
    **{
        getattr(math, name): f"math.{name}({'x, y' if name in ('atan2', 'hypot', 'pow') else 'x'})"
        for name in MATH_FUNCTIONS
    },
}


class JSFormError(ValueError):
    """A row of the op table that cannot be written in JavaScript; the message names the op and why."""


class JSSymbol(Symbol):
    """A JavaScript expression under construction: arithmetic on JSSymbols writes its source.

    As ``Symbol`` keeps Python's parentheses, this keeps the same tree of operations, so the
    page computes the same floats in the same order. Where Python's float operators raise and
    JavaScript's would give an infinity or NaN (``/``, ``**``), the source calls ``div`` or ``pow``
    of ``js/engine.js``, which raise as Python does. The helpers of ``ops.py`` see a Symbol and
    write calls (``pow_grad(x, y)``) or Python text that is JavaScript too (``sign``'s
    ``(x > 0.0) - (x < 0.0)``), which ``formula_js`` checks.
    """

    __slots__ = ()

    def __add__(self, other: Any) -> JSSymbol:
        return _infix(self, "+", other, SUM)

    def __radd__(self, other: Any) -> JSSymbol:
        return _infix(other, "+", self, SUM)

    def __sub__(self, other: Any) -> JSSymbol:
        return _infix(self, "-", other, SUM)

    def __rsub__(self, other: Any) -> JSSymbol:
        return _infix(other, "-", self, SUM)

    def __mul__(self, other: Any) -> JSSymbol:
        return _infix(self, "*", other, PRODUCT)

    def __rmul__(self, other: Any) -> JSSymbol:
        return _infix(other, "*", self, PRODUCT)

    def __truediv__(self, other: Any) -> JSSymbol:
        return _call("div", self, other)

    def __rtruediv__(self, other: Any) -> JSSymbol:
        return _call("div", other, self)

    def __pow__(self, other: Any) -> JSSymbol:
        return _call("pow", self, other)

    def __rpow__(self, other: Any) -> JSSymbol:
        return _call("pow", other, self)

    def __neg__(self) -> JSSymbol:
        operand = _parenthesized(self, UNARY)
        # -(-g), never --g, which JavaScript reads as a decrement
        return JSSymbol("-" + (f"({operand})" if operand.startswith("-") else operand), UNARY)

    def __getattr__(self, name: str) -> Callable[..., JSSymbol]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args: _call(name, self, *args)


def _literal(x: Any) -> JSSymbol:
    if isinstance(x, Symbol):
        return x if isinstance(x, JSSymbol) else JSSymbol(x.source, x.precedence)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"a formula met {x!r} ({type(x).__name__}), which is not a number")
    if isinstance(x, float) and not math.isfinite(x):
        return JSSymbol("NaN" if x != x else "Infinity" if x > 0 else "-Infinity", ATOM if x > 0 else UNARY)
    text = repr(x)  # Python's digits: JavaScript reads them as the same double
    return JSSymbol(text, UNARY if text.startswith("-") else ATOM)


def _parenthesized(x: Any, precedence: int) -> str:
    s = _literal(x)
    return f"({s.source})" if s.precedence < precedence else s.source


def _infix(left: Any, op: str, right: Any, precedence: int) -> JSSymbol:
    # + - * bind and associate in JavaScript as in Python: the same brackets give the same tree
    return JSSymbol(f"{_parenthesized(left, precedence)} {op} {_parenthesized(right, precedence + 1)}", precedence)


def _call(name: str, *args: Any) -> JSSymbol:
    return JSSymbol(f"{name}({', '.join(_literal(a).source for a in args)})", ATOM)


# ----------------------------------------------------------------------------- formulas, generic
#
# A formula's generic form is its own code run once on recorders: every operator and every call
# of a dispatching helper of ops.py is written as a call of an algebra ``T`` (``g * y`` becomes
# ``T.mul(g, y)``, ``cos(x)`` becomes ``T.cos(x)``, ``x.sin()`` becomes ``T.op("sin", x)``). The
# page runs it with the algebra it needs: on its Values, as ``grad(create_graph=True)`` runs the
# formulas on Values (js/engine.js ``ON_VALUES``), or on Python's Symbols, as ``compile()`` runs
# them to write its code (js/compile.js). Each algebra's helper does what the ops.py helper of the
# same name does for that type of input, so the page computes no derivative of its own.

# The helpers of ops.py that dispatch on type, recorded by name (a formula may reach them as
# globals of its module, as ``autograd.ops.<name>`` or through a closure).
GENERIC_HELPERS = ("sin", "cos", "log", "exp", "tanh", "sigmoid", "sqrt", "relu", "absolute", "maximum", "sign")
GENERIC_HELPERS += ("pow_grad", "xlogy", "larger")


class _Generic:
    """A value of a formula run for its generic form: what is done to it is written as ``T`` calls.

    Not a ``Symbol``: the helpers of ops.py are replaced by recorders, and anything else that
    looks at it (``x.data``, ``float(x)``, a comparison) fails, so the formula has no generic form.
    """

    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source

    def __add__(self, other: Any) -> _Generic:
        return _gcall("add", self, other)

    def __radd__(self, other: Any) -> _Generic:
        return _gcall("add", other, self)

    def __sub__(self, other: Any) -> _Generic:
        return _gcall("sub", self, other)

    def __rsub__(self, other: Any) -> _Generic:
        return _gcall("sub", other, self)

    def __mul__(self, other: Any) -> _Generic:
        return _gcall("mul", self, other)

    def __rmul__(self, other: Any) -> _Generic:
        return _gcall("mul", other, self)

    def __truediv__(self, other: Any) -> _Generic:
        return _gcall("div", self, other)

    def __rtruediv__(self, other: Any) -> _Generic:
        return _gcall("div", other, self)

    def __pow__(self, other: Any) -> _Generic:
        return _gcall("pow", self, other)

    def __rpow__(self, other: Any) -> _Generic:
        return _gcall("pow", other, self)

    def __neg__(self) -> _Generic:
        return _gcall("neg", self)

    def __getattr__(self, name: str) -> Callable[..., _Generic]:
        if name.startswith("_") or name == "data":
            raise AttributeError(name)
        # x.sin(): the op's method on a Value, the call sin(x) on a Symbol
        return lambda *args: _Generic(f"T.op({json.dumps(name)}, {', '.join(_gsource(a) for a in (self, *args))})")

    def __bool__(self) -> bool:
        raise TypeError("a formula tested the truth of a value")

    def __float__(self) -> float:
        raise TypeError("a formula asked for a value's number")


def _gsource(x: Any) -> str:
    if isinstance(x, _Generic):
        return x.source
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"a formula met {x!r} ({type(x).__name__}), which is not a number")
    if isinstance(x, int):
        return f"T.int({x})"  # Python's int: its repr has no ".0" (compile() writes 1 - out * out)
    return _literal(x).source


def _gcall(name: str, *args: Any) -> _Generic:
    return _Generic(f"T.{name}({', '.join(_gsource(a) for a in args)})")


def _recorder(name: str) -> Callable[..., _Generic]:
    return lambda *args: _gcall(name, *args)


def _with_recorders(formula: Callable[..., Any]) -> Callable[..., Any]:
    """``formula`` with the helpers of ops.py it can reach (globals, ``ops.<name>``, closures) replaced by recorders."""
    import types

    recorders = {id(getattr(ops, name)): _recorder(name) for name in GENERIC_HELPERS}
    module = types.SimpleNamespace(**{**vars(ops), **{name: _recorder(name) for name in GENERIC_HELPERS}})

    def swap(v: Any) -> Any:
        if v is ops:
            return module
        return recorders.get(id(v), v) if callable(v) else v

    code = getattr(formula, "__code__", None)
    if code is None:
        return formula  # a callable object: run as it is
    names = {k: swap(v) for k, v in formula.__globals__.items() if k in code.co_names}
    namespace = {**formula.__globals__, **names}
    cells = None
    if formula.__closure__:
        cells = []
        for cell in formula.__closure__:
            try:
                cells.append(types.CellType(swap(cell.cell_contents)))
            except ValueError:  # an empty cell
                cells.append(cell)
        cells = tuple(cells)
    return types.FunctionType(code, namespace, formula.__name__, formula.__defaults__, cells)


_GENERIC_TOKEN = re.compile(
    r'\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)|T\.(?P<call>\w+)\(|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<name>[A-Za-z_]\w*)|(?P<punctuation>[-(),]))"
)
GENERIC_CALLS = frozenset(["add", "sub", "mul", "div", "pow", "neg", "op", "int", *GENERIC_HELPERS])


def generic_js(name: str, op: Op, slot: int) -> str:
    """The generic form of op ``name``'s formula for input ``slot``: JavaScript on T, g, x, (y,) out."""
    args = _ARGS[op.arity]
    try:
        result = _with_recorders(op.grads[slot])(_Generic("g"), *map(_Generic, args), _Generic("out"))
        source = _gsource(result)
    except Exception as error:
        raise JSFormError(
            f"op {name!r}: the gradient formula of input {slot} has no generic form ({type(error).__name__}: "
            f"{error}); write it with operators and the helpers of autograd.ops"
        ) from None
    position = 0
    for match in _GENERIC_TOKEN.finditer(source):
        if match.start() != position:
            break
        position = match.end()
        if match["call"] is not None and match["call"] not in GENERIC_CALLS:
            raise JSFormError(f"op {name!r}: its generic formula of input {slot} calls T.{match['call']}()")
        if match["name"] is not None and match["name"] not in (*args, "g", "out", "Infinity", "NaN"):
            raise JSFormError(f"op {name!r}: its generic formula of input {slot} uses {match['name']!r}")
    if source[position:].strip():
        raise JSFormError(f"op {name!r}: its generic formula of input {slot} is not what the page can run: {source!r}")
    return source


# ----------------------------------------------------------------------------- rows to JavaScript

_ARGS = {1: ("x",), 2: ("x", "y")}
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)|math\.(?P<math>\w+)\s*\(|(?P<call>[A-Za-z_]\w*)\s*\("
    r"|(?P<name>[A-Za-z_]\w*)|(?P<punctuation>[-+*(),<>]))"
)


def _check_js(name: str, what: str, source: str, names: tuple[str, ...]) -> str:
    """``source`` if it uses only numbers, ``names``, the functions of js/engine.js and + - * ( ) < >."""
    position = 0
    for match in _TOKEN.finditer(source):
        if match.start() != position:
            break
        position = match.end()
        if match["math"] is not None and match["math"] not in MATH_FUNCTIONS:
            raise JSFormError(f"op {name!r}: its {what} calls math.{match['math']}(), which the page's engine lacks")
        if match["call"] is not None and match["call"] not in JS_FUNCTIONS:
            raise JSFormError(
                f"op {name!r}: its {what} calls {match['call']}(), which has no JavaScript form "
                f"(the page's engine has {', '.join(sorted(JS_FUNCTIONS))} and math.*)"
            )
        if match["name"] is not None and match["name"] not in (*names, "Infinity", "NaN"):
            raise JSFormError(f"op {name!r}: its {what} uses {match['name']!r}, which the page's engine does not know")
    if source[position:].strip():
        raise JSFormError(
            f"op {name!r}: its {what} {source!r} has {source[position:].strip()[:20]!r}, which is not written "
            "for JavaScript (only + - * and calls of the page's functions are; a Symbol that is not a JSSymbol "
            "did arithmetic?)"
        )
    return source


def formula_js(name: str, op: Op, slot: int) -> str:
    """The JavaScript of the gradient formula of input ``slot`` of op ``name``, on g, x, (y,) out."""
    args = _ARGS[op.arity]
    try:
        share = op.grads[slot](JSSymbol("g"), *map(JSSymbol, args), JSSymbol("out"))
    except Exception as error:  # a formula on math.* or anything else that refuses symbols
        raise JSFormError(
            f"op {name!r}: the gradient formula of input {slot} cannot run on symbols ({type(error).__name__}: "
            f"{error}); write it with operators and the helpers of autograd.ops"
        ) from None
    return _check_js(name, f"formula of input {slot}", _literal(share).source, ("g", *args, "out"))


def forward_js(name: str, op: Op) -> str:
    """The JavaScript of op ``name``'s forward on x (and y): spelled by identity, or run on JSSymbols."""
    args = _ARGS[op.arity]
    if op.forward in FORWARDS:
        return FORWARDS[op.forward]
    try:
        result = op.forward(*map(JSSymbol, args))
    except Exception as error:
        raise JSFormError(
            f"op {name!r}: its forward {getattr(op.forward, '__qualname__', op.forward)!r} has no JavaScript form: "
            f"it is not one the page's engine knows, and it cannot run on symbols ({type(error).__name__}: {error})"
        ) from None
    if not isinstance(result, Symbol):
        raise JSFormError(f"op {name!r}: its forward gave {result!r} on symbols, not an expression of its inputs")
    return _check_js(name, "forward", _literal(result).source, args)


def formula_source(op: Op, slot: int) -> str:
    """The Python source of the gradient formula of input ``slot``, as ``trace_backward`` gives it."""
    args = _ARGS[op.arity]
    return str(op.grads[slot](Symbol("g"), *map(Symbol, args), Symbol("out")))


def row_js(name: str, op: Op) -> str:
    """One entry of the page's op table: arity, domain, forward, formulas and their Python source,
    and the formulas in generic form (``generic``: null where a formula has none)."""
    args = ", ".join(_ARGS[op.arity])
    grads = ", ".join(f"(g, {args}, out) => {formula_js(name, op, slot)}" for slot in range(op.arity))
    sources = [formula_source(op, slot) for slot in range(op.arity)]
    try:
        forms = [f"(T, g, {args}, out) => {generic_js(name, op, slot)}" for slot in range(op.arity)]
        generic = "[" + ", ".join(forms) + "]"
        why = ""
    except JSFormError as error:
        generic, why = "null", f", genericMissing: {json.dumps(str(error))}"
    return (
        f"{json.dumps(name)}: {{ arity: {op.arity}, domain: {json.dumps(op.domain)}, "
        f"forward: ({args}) => {forward_js(name, op)}, grads: [{grads}], formulas: {json.dumps(sources)}, "
        f"generic: {generic}{why} }}"
    )


def table_js(table: Mapping[str, Op] | None = None, *, strict: bool = True) -> str:
    """The ``OPS`` and ``MISSING`` constants of the page's engine, from ``table`` (ops.OPS as it is now).

    ``strict``: raise JSFormError for a row with no JavaScript form; otherwise list it in MISSING
    with the reason (the page then refuses that op by name).
    """
    table = OPS if table is None else table
    rows, missing = [], {}
    for name, op in table.items():
        try:
            rows.append("    " + row_js(name, op))
        except JSFormError as error:
            if strict:
                raise
            missing[name] = str(error)
            head = f"arity: {op.arity}, domain: {json.dumps(op.domain)}"
            rows.append(f"    {json.dumps(name)}: {{ {head}, missing: {json.dumps(str(error))} }}")
    return (
        "// generated by autograd.pages.jsgen from autograd.ops.OPS: do not edit\n"
        "  const OPS = {\n" + ",\n".join(rows) + "\n  };\n"
        f"  const MISSING = {json.dumps(missing)};"
    )


def engine_js(table: Mapping[str, Op] | None = None, *, strict: bool = True) -> str:
    """``js/engine.js`` with the op table written in: the script of the pages' engine (``autogradEngine``)."""
    template = (JS_DIR / "engine.js").read_text(encoding="utf-8")
    if template.count("/*@OPS@*/") != 1:
        raise AssertionError("js/engine.js must hold the marker /*@OPS@*/ once")
    return template.replace("/*@OPS@*/", table_js(table, strict=strict))


def dot_js() -> str:
    """``js/dot.js``: ``autogradEngine.drawDot(root, options)``, the DOT text ``draw_dot`` writes (needs the engine)."""
    return (JS_DIR / "dot.js").read_text(encoding="utf-8")


def expr_functions(table: Mapping[str, Op] | None = None) -> list[str]:
    """The functions an expression may call: the table's one-input ops with a name (``expr.FUNCTIONS``
    for the built-in table; a user's op of one input from ``defop`` too)."""
    table = OPS if table is None else table
    return sorted(
        name
        for name, op in table.items()
        if op.arity == 1 and name.isidentifier() and not keyword.iskeyword(name) and name != "neg"
    )


def expr_js(table: Mapping[str, Op] | None = None) -> str:
    """``js/expr.js`` with expr.py's limits and the functions of ``table`` written in:
    ``autogradEngine.expr.parse(text)``, the command line's grammar (needs the engine)."""
    from .. import expr  # the parser's limits; expr imports the engine, which pages need anyway

    config = {
        "maxLength": expr.MAX_LENGTH,
        "maxDepth": expr.MAX_DEPTH,
        "maxExponent": expr.MAX_EXPONENT,
        "functions": expr_functions(table),
    }
    template = (JS_DIR / "expr.js").read_text(encoding="utf-8")
    if template.count("/*@EXPR@*/") != 1:
        raise AssertionError("js/expr.js must hold the marker /*@EXPR@*/ once")
    return template.replace("/*@EXPR@*/", f"const CONFIG = {json.dumps(config)};")


def compile_config(table: Mapping[str, Op] | None = None) -> dict[str, Any]:
    """What ``js/compile.js`` needs of ``autograd.compiler`` to write its code: for each op of ``table``
    the compiler's own tables (how its forward is spelled, the inputs it could hide an infinity
    in, what its formulas read, each formula's template) and the names its code reserves."""
    from ..compiler import calls, code, expressions, source, tables
    from ..errors import TraceError

    table = OPS if table is None else table
    config: dict[str, Any] = {"forwardNames": {}, "hiding": {}, "reads": {}, "gTwice": [], "templates": {}}
    config["missing"] = {}
    for name, op in table.items():
        try:
            if name not in tables._READS:
                tables._user_op(name)  # as compile() does on first meeting a user's op
        except TraceError as error:
            config["missing"][name] = str(error)
            continue
        if name in tables._FORWARD_NAMES:
            config["forwardNames"][name] = tables._FORWARD_NAMES[name]
        config["hiding"][name] = list(tables._HIDING.get(name, ()))
        config["reads"][name] = [list(slots) for slot in tables._READS[name] for slots in [slot]]
        if name in tables._G_TWICE:
            config["gTwice"].append(name)
        templates = []
        for formula in op.grads:
            t = expressions._Template(formula, op.arity)
            templates.append({"source": t.source, "precedence": t.precedence, "depth": t.depth, "fills": t.fills})
        config["templates"][name] = templates
    config.update(
        reserved=sorted(code._Writer(calls._namespace()).used),
        maxDepth=source._MAX_DEPTH,
        maxLength=source._MAX_LENGTH,
        small=code._SMALL,
    )
    return config


def compile_js(table: Mapping[str, Op] | None = None) -> str:
    """``js/compile.js`` with the compiler's tables written in: ``autogradEngine.compile.compileSource``,
    the text ``autograd.compile`` writes for a graph of the page (needs the engine)."""
    template = (JS_DIR / "compile.js").read_text(encoding="utf-8")
    if template.count("/*@COMPILE@*/") != 1:
        raise AssertionError("js/compile.js must hold the marker /*@COMPILE@*/ once")
    return template.replace("/*@COMPILE@*/", f"const CONFIG = {json.dumps(compile_config(table))};")


def pages_js(table: Mapping[str, Op] | None = None, *, strict: bool = True) -> str:
    """The pages' engine, its expression parser, its DOT writer and its view of compile(), as one
    script (``autogradEngine``)."""
    return "\n".join([engine_js(table, strict=strict), expr_js(table), dot_js(), compile_js(table)])
