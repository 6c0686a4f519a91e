"""The second pass: statements with placeholders, named into one readable function or cut into
steps, small functions that identical code shares (compiled once)."""

from __future__ import annotations

import builtins
import itertools
import keyword
import linecache
import operator
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from ..value import Value

# The code is written in two passes. The first (_Source) walks the graph and writes one
# statement per value that gets a name (a node's value, a gradient, a partial sum): its
# expression, in which every named value is a placeholder such as {v1000000012} (the value in
# place 12, see below). The second (_Code) gives the placeholders their names. While the statements are
# few, they become one readable function, named after the arguments and labels. Beyond that,
# one function would cost Python's compiler about 3 KB per line, all at once, and several us per
# line, so the statements are cut into steps: small functions that read the values they need
# from one list and append the values they make to it. Steps whose code is the same (in a chain,
# a sum, each example of a batch) share one function, compiled once.
#
# Measured on CPython 3.11 (benchmarks/bench.py prints the figures): a function of n lines
# takes Python's compile() ~3 KB per line at its peak and 2 to 8 us per line, the more the
# longer the function; steps of a few hundred characters' worth of statements cost a few us of
# overhead per call each, which a step of ~100 statements makes negligible.
#
# Every different step is compiled once, and a regular graph has about ten different ones
# (where the chain starts, its body, where the backward pass turns, ...) whatever its length:
# so the steps are shorter in a small graph, where those ten are most of the code (with steps a
# quarter as long, a 1,000-op chain compiles in three quarters of the instructions), and grow
# to full length at _STEP_FULL ops, where the calls they save (an MLP step runs ~10% faster)
# matter more than the once-compiled code.

# A placeholder, {v1000000012}, stands for a named value: the number after the v is the value's
# place in the list of values that the steps fill (the leaves first, then each statement in
# turn), plus _WIDE, so that all placeholders have the same length and the length of a
# statement says something about its code and nothing about where it stands.
_WIDE = 1_000_000_000
_SMALL = 250  # statements: up to this many make one readable function; beyond, steps
_STEP_MIN, _STEP_MAX, _STEP_SPREAD = 800, 4000, 8  # characters per step, and how often to cut
_STEP_FULL, _STEP_SHORTEST = 10_000, 0.25  # ops from which steps are full length; the shortest, as a fraction


class _Writer:
    """Readable names for the generated function: unique as Python reads identifiers."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.used = set(reserved) | set(keyword.kwlist) | set(dir(builtins)) | {"self", "args"}
        self.counter = itertools.count()

    def fresh(self, wish: Any, fallback: str) -> str:
        """``wish`` made an identifier, or ``fallback`` numbered: never one that is taken.

        Python reads identifiers in NFKC form ("µ" is "μ", "ｔ0" is "t0"), so names are
        compared, and written, in that form; a label that is not a string is not used.
        """
        name = ""
        if isinstance(wish, str) and wish:
            name = unicodedata.normalize("NFKC", wish).replace(".", "_").replace("[", "_").replace("]", "").strip("_")
        if not name.isidentifier() or name in self.used or keyword.iskeyword(name):
            name = f"{fallback}{next(self.counter)}"
            while name in self.used:
                name = f"{fallback}{next(self.counter)}"
        self.used.add(name)
        return name


class _Steps:
    """Statements cut into steps; identical steps share one compiled function."""

    def __init__(self, namespace: dict[str, Any], filename: str, ops: int) -> None:
        self.namespace, self.filename = namespace, filename
        scale = min(1.0, max(_STEP_SHORTEST, ops / _STEP_FULL))
        self.shortest, self.longest = int(_STEP_MIN * scale), int(_STEP_MAX * scale)
        self.count = 0  # places taken in the list of values: the leaves', then those of the steps cut
        self.steps: list[tuple[Callable[..., None], Callable[..., Any] | None]] = []
        self.functions: dict[str, tuple[int, Callable[..., None]]] = {}  # body -> (number, function)
        self.sources: list[str] = []
        self.calls: list[int] = []
        self.made: list[str] = []
        self.texts: list[str] = []
        self.size = self.last = 0

    def leaves(self, count: int) -> None:
        """The arguments' and params' numbers: the first places in the list, before any step runs."""
        self.count += count

    def add(self, text: str, wish: Any = None, fallback: str = "", of: int | None = None) -> str:
        """A statement: ``text`` given a place in the list of values, whose placeholder (without its
        braces) is returned (the rest names it in the readable form, not needed here)."""
        # A step ends where its content says, so that code that repeats is cut the same way each
        # time: where the kind of statement changes (told by the length of its text, in which
        # every placeholder has the same length), at one change in _STEP_SPREAD, picked by a
        # checksum; within bounds on the step's length.
        length = len(text)
        if self.size >= self.shortest and (
            self.size >= self.longest
            or (length != self.last and zlib.crc32(b"%d %d" % (self.last, length)) % _STEP_SPREAD == 0)
        ):
            self.cut()
        self.last = length
        ref = f"v{self.count + len(self.made) + _WIDE}"
        self.made.append(ref)
        self.texts.append(text)
        self.size += length
        return ref

    def cut(self) -> None:
        """End the step: its code named, compiled unless the same code was, and noted to run."""
        made = self.made
        if not made:
            return
        # a0, a1, ... for the values the step makes, in order, then for those it reads that
        # earlier steps made, in the order it first reads them (format_map meets them in that
        # order, and _Locals names each the first time)
        n = len(made)
        names = _local_names(n)
        local = _Locals(zip(made, names))
        starts = _ASSIGNS if n <= len(_ASSIGNS) else _ASSIGNS + [f"\n    a{k} = " for k in range(len(_ASSIGNS), n)]
        body = "".join(itertools.chain.from_iterable(zip(starts, self.texts))).format_map(local)[1:] + "\n"
        live = local.live
        if live:
            reads = _local_names(n + len(live))[n:]
            body = f"    {reads[0] if len(reads) == 1 else _targets(reads)} = get(v)\n{body}"
        body += f"    v += {_targets(names)}\n"
        known = self.functions.get(body)
        if known is None:
            number = len(self.sources)
            source = f"def _step{number}(v, get):\n{body}"
            filename = f"{self.filename} step {number}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            exec(builtins.compile(source, filename, "exec"), self.namespace)
            known = self.functions[body] = (number, self.namespace.pop(f"_step{number}"))
            self.sources.append(source)
            self.calls.append(0)
        self.calls[known[0]] += 1
        self.steps.append((known[1], operator.itemgetter(*live) if live else None))
        self.count += n
        self.made, self.texts, self.size = [], [], 0


_LOCAL_NAMES = [f"a{k}" for k in range(2000)]
_ASSIGNS = [f"\n    a{k} = " for k in range(2000)]  # how a step's lines start


class _Locals(dict):  # type: ignore[type-arg]
    """A step's local names by placeholder; one it has not met is a value an earlier step made,
    read into the next free name (and its place in the list of values noted in ``live``)."""

    def __init__(self, made: Iterable[tuple[str, str]]) -> None:
        super().__init__(made)
        self.live: list[int] = []

    def __missing__(self, ref: str) -> str:
        name = self[ref] = _LOCAL_NAMES[len(self)] if len(self) < len(_LOCAL_NAMES) else f"a{len(self)}"
        self.live.append(_place(ref))
        return name


def _place(ref: str) -> int:
    """The place in the list of values of the value with placeholder ``ref`` (without its braces)."""
    return int(ref[1:]) - _WIDE


def _local_names(n: int) -> list[str]:
    """``a0`` to ``a{n-1}``."""
    return _LOCAL_NAMES[:n] if n <= len(_LOCAL_NAMES) else _LOCAL_NAMES + [f"a{k}" for k in range(len(_LOCAL_NAMES), n)]


class _Code:
    """The second pass: statements with placeholders, turned into one function or into steps."""

    def __init__(self, namespace: dict[str, Any], filename: str, ops: int) -> None:
        self.namespace, self.filename, self.ops = namespace, filename, ops
        self.names: dict[str, str] = {}
        self.wishes: list[Any] = []  # for the arguments' numbers and the params', named first
        self.fallbacks: list[str] = []
        self.made = 0  # values named so far, the leaves included: the next one's place
        self.statements: list[tuple[str | None, str, Any, str, int | None]] = []  # while few
        self.steps: _Steps | None = None

    def leaves(self, wishes: list[Any], fallbacks: list[str]) -> list[str]:
        """Placeholders for the arguments' numbers and the params' (the first values of all), each
        to be named after its wish (a leaf, whose label is read, or a name) or its fallback."""
        self.wishes, self.fallbacks = wishes, fallbacks
        self.made = len(wishes)
        return [f"v{k + _WIDE}" for k in range(self.made)]

    def comment(self, text: str) -> None:
        if self.steps is None:
            self.statements.append((None, text, None, "", None))

    def assign(self, text: str, wish: Any, fallback: str, of: int | None = None) -> str:
        """A statement naming ``text``; returns its placeholder (without its braces). ``wish`` names
        it in the readable form, or ``g_`` and the name of node ``of``'s value.

        A value's placeholder is its place in the list of values the steps fill (plus _WIDE), so
        that the steps need no table of places: the leaves take the first places, then each
        statement the next, in the order made, as here."""
        ref = f"v{self.made + _WIDE}"
        self.made += 1
        self.statements.append((ref, text, wish, fallback, of))
        if len(self.statements) > _SMALL:  # too many for one function: steps from now on
            steps = self.steps = _Steps(self.namespace, self.filename, self.ops)
            steps.leaves(len(self.wishes))
            for made, text, *_ in self.statements:
                if made is not None and steps.add(text) != made:
                    raise AssertionError(f"compile(): statement {made} got another place in the steps")
            self.statements = []
            self.assign = steps.add  # type: ignore[method-assign]
        return ref

    def readable(self, values: list[Any]) -> list[str]:
        """The statements of the readable form, each placeholder given its name (the arguments'
        and params' first, then each in turn, in the order the code reads); ``values`` are the
        nodes' expressions (for a gradient's name, that of its node's value)."""
        names, fresh = self.names, _Writer(self.namespace).fresh
        for k, (wish, fallback) in enumerate(zip(self.wishes, self.fallbacks)):
            names[f"v{k + _WIDE}"] = fresh(wish.label if isinstance(wish, Value) else wish, fallback)
        lines = []
        for ref, text, wish, fallback, of in self.statements:
            if ref is None:
                lines.append(f"        {text}")
                continue
            line = text.format_map(names)
            if of is not None:
                value = values[of].source[1:-1]  # its placeholder, if it is named
                wish = f"g_{names[value]}" if value in names else ""
            elif isinstance(wish, Value):
                wish = wish.label
            name = names[ref] = fresh(wish, fallback)
            lines.append(f"        {name} = {line}")
        return lines


def _targets(names: list[str]) -> str:
    """``a, b`` as the left side of an assignment or a tuple display (``a,`` for one)."""
    return ", ".join(names) + ("," if len(names) == 1 else "")
