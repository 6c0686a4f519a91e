"""Expressions typed by a user, such as ``"a*b + c.tanh()"``, turned into Values without ``eval``.

``parse`` reads the text with ``ast`` and accepts only an allow-list (numbers, names, ``+ - * / **``,
unary ``-`` and ``+``, and the engine's one-input ops called as ``tanh(x)`` or ``x.tanh()``);
anything else is refused, naming what and at which column, before a single op runs.
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from .engine import Value, apply
from .errors import OperationError
from .ops import OPS

MAX_LENGTH = 1000
"""The longest expression accepted, in characters."""

MAX_DEPTH = 100
"""The deepest nesting accepted: brackets, operators and calls inside one another."""

MAX_EXPONENT = 1000
"""The largest exponent, in absolute value, of a power whose exponent is made of numbers alone.

Numbers are floats, so no power can run long; but ``2**10**10`` is surely a mistake, and it is
refused before anything runs rather than reported as an overflow afterwards.
"""

# The engine's one-input ops that Value has as methods: each can be written tanh(x) or x.tanh().
# ('neg' is the op behind -x and has no method of its own.)
FUNCTIONS: tuple[str, ...] = tuple(
    sorted(name for name, op in OPS.items() if op.arity == 1 and name.isidentifier() and hasattr(Value, name))
)

BINARY: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}
"""Each allowed binary operator of the ``ast`` and the op of the table it runs."""

_REFUSED_OPERATORS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Not: "not",
    ast.Invert: "~",
}

# What each refused kind of syntax is called in messages; anything not listed is named by its class.
_REFUSED_SYNTAX = {
    ast.Subscript: "subscript [...]",
    ast.Slice: "slice",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string",
    ast.NamedExpr: "assignment expression ':='",
    ast.Starred: "starred expression *...",
    ast.Compare: "comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expression 'if ... else'",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
}

_OPERATORS_HINT = "the operators are + - * / ** and unary - +"
_DEPTH_HINT = f"expressions may nest at most {MAX_DEPTH} levels (brackets, operators, calls)"
_CALL_HINT = "call a function with one plain argument, as tanh(x), or as a method, x.tanh()"

ALLOWED = (
    "numbers, names, + - * / **, unary - and +, and the functions "
    + ", ".join(FUNCTIONS)
    + " called as tanh(x) or x.tanh()"
)
"""What ``parse`` accepts, in words, for messages and help texts."""


_POINTER_WIDTH = 72


class ExpressionError(ValueError):
    """An expression, or a value for it, that is refused; ``column`` (1-based) says where, if known.

    The message reads ``<what is wrong> at column <n>; <hint>``.
    """

    def __init__(self, message: str, text: str = "", column: int | None = None, hint: str = "") -> None:
        where = "" if column is None else f" at column {column}"
        super().__init__(f"{message}{where}" + (f"; {hint}" if hint else ""))
        self.text = text
        self.column = column

    def pointer(self) -> str:
        """Two lines: the expression, and a caret under the refused column ('' without a column)."""
        if self.column is None or not self.text:
            return ""
        shown = "".join(char if char.isprintable() else " " for char in self.text)
        caret = self.column - 1
        if len(shown) > _POINTER_WIDTH:  # a window around the column
            start = max(0, min(caret - _POINTER_WIDTH // 2, len(shown) - _POINTER_WIDTH))
            end = start + _POINTER_WIDTH
            window = shown[start:end]
            if start > 0:
                window, caret = "..." + window, caret - start + 3
            if end < len(shown):
                window += "..."
            shown = window
        return f"  {shown}\n  {' ' * caret}^"


class Expression:
    """A parsed, checked expression: ``names`` in order of first use; ``evaluate`` builds its graph."""

    def __init__(self, text: str, tree: ast.expr, columns: dict[str, int]) -> None:
        self.text = text
        self._tree = tree
        self._columns = columns  # each name's first column, for messages

    @property
    def names(self) -> tuple[str, ...]:
        """The variables of the expression, in order of first appearance."""
        return tuple(self._columns)

    def __repr__(self) -> str:
        return f"parse({self.text!r})"

    def check(self, values: Iterable[str]) -> None:
        """Raise ExpressionError unless ``values`` names every variable, and nothing else."""
        given = list(values)
        missing = [name for name in self._columns if name not in given]
        if missing:
            listed = " and ".join(repr(name) for name in missing)
            them = "them values" if missing[1:] else "it a value"
            plural = "s" if missing[1:] else ""
            raise ExpressionError(
                f"undefined name{plural} {listed}", self.text, self._columns[missing[0]], f"give {them}"
            )
        unused = [name for name in given if name not in self._columns]
        if unused:
            listed = " and ".join(repr(name) for name in unused)
            what = "names" if unused[1:] else "name"
            uses = ", ".join(self._columns) or "no names"
            raise ExpressionError(f"unused {what} {listed}: a value is given, but the expression uses {uses}")

    def evaluate(self, values: dict[str, float]) -> tuple[Value, dict[str, Value]]:
        """The result as a Value with its graph, and each variable's leaf Value (labelled by name).

        ``values`` must hold a number for every name and nothing else. A math error of the engine
        (``log`` of a negative number) raises ``autograd.OperationError``, as with hand-written code.
        """
        self.check(values)
        leaves = {name: Value(values[name], label=name) for name in self._columns}
        return self.function()(*leaves.values()), leaves

    def function(self) -> Callable[..., Value]:
        """The expression as a function of its variables, in the order of ``names``, on Values
        (what ``autograd.compile`` traces)."""

        def expression(*values: Value) -> Value:
            result = _evaluate(self._tree, dict(zip(self._columns, values)))
            if not isinstance(result, Value):  # numbers alone, such as "2 * 3"
                result = Value(result, requires_grad=False)
            return result

        return expression


def parse(text: str) -> Expression:
    """``text`` as an Expression, or an ExpressionError naming what is refused and at which column."""
    if not isinstance(text, str):
        raise TypeError(f"parse expects the expression as a str, got {type(text).__name__}")
    _check_characters(text)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as error:
        column = error.offset if error.offset and error.offset <= len(text) + 1 else None
        raise ExpressionError(f"syntax error ({error.msg})", text, column) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"too complex to parse (nested deeper than {MAX_DEPTH} levels)", text) from None
    columns = _check_tree(tree, text)
    _check_exponents(tree, text)
    return Expression(text, tree, columns)


def parse_assignments(items: Iterable[str]) -> dict[str, float]:
    """``["a=2", "b=-3"]`` as ``{"a": 2.0, "b": -3.0}``; ExpressionError for anything malformed.

    A name must be a Python identifier that is not a keyword or a function; a value must be a
    finite number; a name may be given once.
    """
    values: dict[str, float] = {}
    for item in items:
        name, equals, number = (part.strip() for part in item.partition("="))
        if not equals:
            raise ExpressionError(f"{item!r} is not NAME=NUMBER: there is no '='")
        if not name:
            raise ExpressionError(f"{item!r} has no name before the '='")
        name = unicodedata.normalize("NFKC", name)  # as Python reads identifiers in the expression
        _check_name(name, f"in {item!r}")
        if name in values:
            raise ExpressionError(f"{name!r} is given twice ({name}={values[name]!r} and {item!r})")
        if not number:
            raise ExpressionError(f"{item!r} has no number after the '='")
        try:
            value = float(number)
        except ValueError:
            raise ExpressionError(f"{item!r}: {number!r} is not a number") from None
        if not math.isfinite(value):
            raise ExpressionError(f"{item!r}: the value must be a finite number, not {value!r}")
        values[name] = value
    return values


# ----------------------------------------------------------------------------- checks


def _check_name(name: str, where: str) -> None:
    if not name.isidentifier():
        raise ExpressionError(
            f"{name!r} {where} is not a valid name (letters, digits and _, not starting with a digit)"
        )
    if keyword.iskeyword(name):
        raise ExpressionError(f"{name!r} {where} is a Python keyword, not a name")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name!r} {where} is a function, so it cannot be a variable")
    if name.startswith("__"):
        raise ExpressionError(f"the name {name!r} {where} is not allowed", hint="names starting with '__' are refused")


def _check_characters(text: str) -> None:
    """Length, control characters and bracket depth, checked before the parser sees the text."""
    if not text.strip():
        raise ExpressionError("the expression is empty", text)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"an expression of {len(text)} characters is not allowed",
            column=MAX_LENGTH + 1,
            hint=f"the limit is {MAX_LENGTH} characters",
        )
    depth = 0
    for index, char in enumerate(text):
        if not char.isprintable() and char not in " \t":
            raise ExpressionError(
                f"the control character {char!r} is not allowed", text, index + 1, "the expression must be one line"
            )
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"brackets nested deeper than {MAX_DEPTH} levels", text, index + 1, _DEPTH_HINT)
        elif char in ")]}":
            depth -= 1


def _column(text: str, node: ast.AST, offset: int | None = None) -> int:
    """The 1-based character column of ``node`` (ast counts UTF-8 bytes)."""
    byte_offset = node.col_offset if offset is None else offset  # type: ignore[attr-defined]
    return len(text.encode()[:byte_offset].decode(errors="replace")) + 1


def _check_tree(tree: ast.expr, text: str) -> dict[str, int]:
    """Refuse the first node, in reading order, that is not allowed; return each name's first column."""
    columns: dict[str, int] = {}
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]  # iterative: a refused input may be deep

    def refuse(what: str, node: ast.AST, offset: int | None = None, hint: str = "") -> ExpressionError:
        return ExpressionError(f"{what} is not allowed", text, _column(text, node, offset), hint)

    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"nesting deeper than {MAX_DEPTH} levels", text, _column(text, node), _DEPTH_HINT)
        children: list[ast.AST] = []
        match node:
            case ast.Constant(value=value):
                _check_constant(value, node, text)
            case ast.Name(id=name):
                if name in FUNCTIONS:
                    raise refuse(f"the function {name!r} without a call", node, hint=f"write {name}(x) or x.{name}()")
                if name.startswith("__"):
                    raise refuse(f"the name {name!r}", node, hint="names starting with '__' are refused")
                columns.setdefault(name, _column(text, node))
            case ast.BinOp(left=left, op=op, right=right):
                if type(op) not in BINARY:
                    symbol = _REFUSED_OPERATORS.get(type(op), type(op).__name__)
                    raise refuse(
                        f"the operator {symbol!r}", node, _operator_offset(node, text, symbol), _OPERATORS_HINT
                    )
                children = [left, right]
            case ast.UnaryOp(op=op, operand=operand):
                if not isinstance(op, (ast.USub, ast.UAdd)):
                    symbol = _REFUSED_OPERATORS.get(type(op), type(op).__name__)
                    raise refuse(f"the operator {symbol!r}", node, hint=_OPERATORS_HINT)
                children = [operand]
            case ast.Call():
                children = _check_call(node, text)
            case ast.Attribute(attr=attr):
                offset = node.end_col_offset - len(attr.encode())  # type: ignore[operator]
                raise refuse(
                    f"the attribute '.{attr}'", node, offset, "only a method call like x.tanh() may follow a dot"
                )
            case _:
                raise refuse(_REFUSED_SYNTAX.get(type(node), type(node).__name__), node)
        # a + b * c - d reads as one level: only brackets (counted before parsing), unary
        # operators and calls nest; so a long sum is not "deep"
        stack.extend(
            (child, depth if isinstance(node, ast.BinOp) and isinstance(child, ast.BinOp) else depth + 1)
            for child in reversed(children)
        )
    return columns


def _operator_offset(node: ast.BinOp, text: str, symbol: str) -> int:
    """Byte offset of a binary operator's symbol: the first occurrence after the left operand."""
    source = text.encode()
    found = source.find(symbol.encode(), node.left.end_col_offset)  # type: ignore[arg-type]
    return found if found >= 0 else node.col_offset


def _check_constant(value: Any, node: ast.AST, text: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = {str: "string ", bytes: "bytes literal ", complex: "complex number "}.get(type(value), "constant ")
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ExpressionError(f"the {kind}{shown} is not allowed", text, _column(text, node), "only real numbers are")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ExpressionError("a number too large for a float", text, _column(text, node))


def _check_call(node: ast.Call, text: str) -> list[ast.AST]:
    """A call must be f(x) or x.f() for one of FUNCTIONS, with no keywords or stars: its inputs."""
    func = node.func
    if isinstance(func, ast.Name):
        name, receiver, form = func.id, None, f"{func.id}(...)"
    elif isinstance(func, ast.Attribute):
        name, receiver, form = func.attr, func.value, f".{func.attr}()"
    else:
        raise ExpressionError(
            "calling the result of an expression is not allowed", text, _column(text, node), _CALL_HINT
        )
    if name not in FUNCTIONS:
        known = " ".join(FUNCTIONS)
        kind = "function" if receiver is None else "method"
        where = (
            _column(text, func) if receiver is None else _column(text, func, func.end_col_offset - len(name.encode()))
        )  # type: ignore[operator]
        raise ExpressionError(f"the {kind} {form} is not allowed", text, where, f"the functions are {known}")
    for named in node.keywords:
        shown = f"{named.arg}=" if named.arg else "**"
        raise ExpressionError(
            f"the keyword argument {shown!r} in {form} is not allowed", text, _column(text, named), _CALL_HINT
        )
    for argument in node.args:
        if isinstance(argument, ast.Starred):
            raise ExpressionError(
                f"the starred argument in {form} is not allowed", text, _column(text, argument), _CALL_HINT
            )
    wanted = 1 if receiver is None else 0
    if len(node.args) != wanted:
        usage = f"{name}(x)" if receiver is None else f"x.{name}()"
        count = "one argument" if wanted else "no arguments"
        raise ExpressionError(
            f"{form} takes {count}, got {len(node.args)},", text, _column(text, node), f"write {usage}"
        )
    return [*node.args] if receiver is None else [receiver]


def _check_exponents(tree: ast.expr, text: str) -> None:
    """Refuse a power whose exponent is made of numbers alone and exceeds MAX_EXPONENT in size."""
    # Numbers are folded with the engine's own ops, innermost first; a part with a name, or whose
    # op fails, folds to None (such a failure is reported when the expression is evaluated).
    folded: dict[ast.AST, float | None] = {}
    for node in _inputs_first(tree):
        inputs = [folded[child] for child in _inputs(node)]
        match node:
            case ast.Constant(value=value):
                folded[node] = float(value)
            case ast.BinOp(op=ast.Pow(), right=right) if inputs[1] is not None and abs(inputs[1]) > MAX_EXPONENT:
                raise ExpressionError(
                    f"the exponent {inputs[1]:.6g} is too large",
                    text,
                    _column(text, right),
                    f"an exponent made of numbers alone must lie within ±{MAX_EXPONENT}",
                )
            case ast.Name():
                folded[node] = None
            case _ if None in inputs:
                folded[node] = None
            case _:
                folded[node] = _fold(_op_name(node), *inputs)


def _fold(name: str | None, x: float, y: float | None = None) -> float | None:
    if name is None:  # unary +
        return x
    try:
        return apply(name, x, y).data
    except OperationError:
        return None


def _inputs(node: ast.AST) -> list[ast.AST]:
    """The operands of a node that _check_tree accepted."""
    match node:
        case ast.BinOp(left=left, right=right):
            return [left, right]
        case ast.UnaryOp(operand=operand):
            return [operand]
        case ast.Call(func=ast.Attribute(value=receiver)):
            return [receiver]
        case ast.Call(args=args):
            return list(args)
    return []


def _op_name(node: ast.AST) -> str | None:
    """The op of the table that an accepted node runs (None for unary +, which runs nothing)."""
    match node:
        case ast.BinOp(op=op):
            return BINARY[type(op)]
        case ast.UnaryOp(op=ast.USub()):
            return "neg"
        case ast.UnaryOp(op=ast.UAdd()):
            return None
        case ast.Call(func=ast.Attribute(attr=name)) | ast.Call(func=ast.Name(id=name)):
            return name
    raise AssertionError(f"not an operation: {ast.dump(node)}")  # _check_tree let nothing else through


def _inputs_first(tree: ast.AST) -> list[ast.AST]:
    """Every node of an accepted tree, each after its operands, left to right."""
    # Iterative: a sum of 300 terms is a tree 300 deep.
    order: list[ast.AST] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_inputs(node)))
    return order


def _evaluate(tree: ast.AST, leaves: dict[str, Value]) -> Value | float:
    """Build the graph of an accepted tree; numbers stay floats, so the engine makes them constants."""
    results: dict[ast.AST, Value | float] = {}
    for node in _inputs_first(tree):
        match node:
            case ast.Constant(value=value):
                results[node] = float(value)
            case ast.Name(id=name):
                results[node] = leaves[name]
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                results[node] = results[operand]
            case _:
                results[node] = apply(_op_name(node), *(results[child] for child in _inputs(node)))  # type: ignore[arg-type]
    return results[tree]
