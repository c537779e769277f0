"""The cell interpreter: evaluates cell AST nodes with only allowlisted callables reachable.

A validated cell is *interpreted*, never executed: :class:`Interpreter` walks the cell AST
(``visit_<Node>`` per node kind) and only ever calls (a) ibis functions and expression methods
listed in :mod:`transpiler.frontend.subset`, (b) a short list of pure builtins and allowlisted
``math``/``datetime`` names, and (c) lambdas defined in the cell, themselves interpreted the same
way.  No name or attribute starting with ``_`` is reachable (except the deferred ``_``), so Python
internals (``__class__``, ``__globals__`` ...) cannot be reached from a notebook.
"""

from __future__ import annotations

import datetime
import itertools
import math
import unicodedata
import operator
import re
import string
import time
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
from ibis.common.deferred import Deferred
from ibis.expr.types.groupby import GroupedTable

from ..ir import cellast as A
from ..ir import errors
from ..udf.udf_tables import STRING_CONSTANTS
from . import subset

MAX_EXPONENT = 1024
MAX_SEQUENCE = 100_000
# Static bounds on what a constant may grow to, checked *before* the operation that would build
# it (a one-line cell once asked for 1-8 GB): string length, integer size, and a budget of
# interpreter steps and seconds per statement, so `check` ends with a diagnostic on any cell.
MAX_STRING = 1_000_000
MAX_WEIGHT = 2_000_000
MAX_INT_BITS = 1 << 16
MAX_STEPS = 2_000_000
MAX_SECONDS = 10.0
_WIDTHS = re.compile(r"\d+")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z%]")


def _bounded(fn):
    """Wrap a builtin that consumes an iterable so that it consumes at most MAX_SEQUENCE items."""

    def call(*args, **kwargs):
        if args and not isinstance(args[0], (int, float, str, bytes)):
            items = list(itertools.islice(args[0], MAX_SEQUENCE + 1))
            if len(items) > MAX_SEQUENCE:
                raise ValueError(f"more than {MAX_SEQUENCE} items in a constant")
            args = (items, *args[1:])
        return fn(*args, **kwargs)

    return call


SAFE_BUILTINS = {
    "range": range, "len": len, "abs": abs, "round": round, "str": str, "int": int,
    "float": float, "bool": bool, "zip": zip, "enumerate": enumerate,
    **{f.__name__: _bounded(f) for f in (min, max, list, dict, tuple, sorted, sum, set)},
}

BINARY_OPS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "&": operator.and_,
    "|": operator.or_, "^": operator.xor,
    "<<": operator.lshift, ">>": operator.rshift,
}
UNARY_OPS = {"-": operator.neg, "+": operator.pos, "~": operator.invert}
COMPARE_OPS = {
    "<": operator.lt, ">": operator.gt, "==": operator.eq, ">=": operator.ge,
    "<=": operator.le, "!=": operator.ne,
}


class Refusal(errors.Refusal):
    """A refusal raised inside the interpreter, placed at the node that caused it."""

    def __init__(self, code: str, message: str, node: A.Node, hint: str | None = None,
                 pos: A.Pos | None = None):
        super().__init__(code, message, pos or node.pos, hint)
        self.node = node


@dataclass(frozen=True)
class Allowed:
    """A callable the subset tables allowed, remembered with the name it was reached by."""

    fn: object
    name: str


@dataclass(frozen=True)
class Failed:
    """The value of a name whose definition was refused (a statement, a whole cell, an input
    without a schema): ``why`` names the upstream cause for everything built on it, and
    ``causes`` are diagnostics each dependent reports too (an input's own problem)."""

    name: str
    why: str = "refused above"
    causes: tuple = ()


class IbisModule:
    """Stands for the ``ibis`` module inside a cell: only ``IBIS_FUNCTIONS`` are reachable."""


@dataclass(frozen=True)
class Module:
    """A pure standard-library module with an allowlist (``math``, ``datetime``)."""

    name: str
    module: object
    allowed: frozenset[str]


@dataclass(frozen=True)
class Helper:
    """A helper function defined in an exported cell: callable from UDFs only."""

    name: str
    fn: object = None  # the cellast.FunctionDef
    cell: object = None


class Lambda:
    """A cell lambda; calling it interprets its body with the arguments bound."""

    def __init__(self, node: A.Lambda, interp: "Interpreter", env: dict):
        import inspect

        self.node, self.interp, self.env = node, interp, env
        # ibis reads a function's parameters (ArrayValue.map/filter call it by keyword)
        self.__signature__ = inspect.Signature([
            inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for name in node.params])

    def __call__(self, *args, **kwargs):
        unknown = set(kwargs) - set(self.node.params)
        if unknown:
            raise Refusal("E207", f"lambda has no parameter {sorted(unknown)[0]!r}", self.node)
        args = (*args, *(kwargs[p] for p in self.node.params[len(args):] if p in kwargs))
        if len(args) != len(self.node.params):
            raise Refusal("E207", f"lambda takes {len(self.node.params)} argument(s) but "
                           f"ibis passed {len(args)}", self.node)
        return self.interp.eval(self.node.body, {**self.env, **dict(zip(self.node.params, args))})


def _is_ibis_object(value) -> bool:
    return type(value).__module__.startswith("ibis.")


def _widest(spec: str) -> int:
    """The largest width or precision written in a format spec (0 if none)."""
    widths = _WIDTHS.findall(spec)
    return MAX_STRING + 1 if any(len(w) >= 12 for w in widths) else \
        max((int(w) for w in widths), default=0)


def _widest_percent(template: str) -> int:
    """The largest width or precision of the %-conversions of a template (the digits of its
    literal text are not widths: "batch 20240101 of %s" has none)."""
    return max((_widest(m.group(0)) for m in _PERCENT.finditer(template)), default=0)


def _weight_over(value, limit: int) -> bool:
    """Whether ``value`` weighs more than ``limit`` (see :func:`_weight`)."""
    return _weight(value, limit) > limit


def _weight(value, limit: int) -> int:
    """The weight of ``value`` up to just past ``limit``: one unit per container slot, one per
    64 characters of a string, counting a shared element once per reference (`[a] * 100000`
    holds a hundred thousand copies of `a` as far as `str`, `sorted` or `==` are concerned).
    Stops as soon as the limit is passed, so it costs at most ``limit`` steps."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += 1 + len(item) // 64
        elif isinstance(item, dict):
            total += 1 + len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1 + len(item)
            stack.extend(item)
        else:
            total += 1
        if total > limit:
            return total
    return total


def _range_length(r: range) -> int:
    # len() of a range beyond sys.maxsize raises OverflowError: its length by arithmetic
    return max(0, (r.stop - r.start + r.step - (1 if r.step > 0 else -1)) // r.step)


def _too_big(value) -> str | None:
    """Why ``value`` is larger than a constant may be, or None."""
    if isinstance(value, (list, tuple, dict, set, frozenset)) and \
            _weight_over(value, MAX_WEIGHT):
        return f"a constant heavier than {MAX_WEIGHT:,} units (items and 64-character pieces)"
    if isinstance(value, (str, bytes)) and len(value) > MAX_STRING:
        return f"a string of more than {MAX_STRING:,} characters"
    if isinstance(value, range) and _range_length(value) > MAX_SEQUENCE:
        return f"more than {MAX_SEQUENCE:,} items"
    if isinstance(value, (list, tuple, dict, set)) and len(value) > MAX_SEQUENCE:
        return f"more than {MAX_SEQUENCE:,} items"
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        return f"an integer of more than {MAX_INT_BITS:,} bits"
    return None


def _str_result_size(method: str, base: str, args: list) -> int:
    """An upper bound of the length of ``base.method(*args)`` for the methods whose result can
    be much longer than their inputs (computed before the call)."""
    if method == "zfill" and args and isinstance(args[0], int):
        return max(len(base), args[0])
    if method == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        count = base.count(args[0]) if args[0] else len(base) + 1
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            count = min(count, args[2])
        return len(base) + count * max(0, len(args[1]) - len(args[0]))
    if method == "join" and args and isinstance(args[0], (list, tuple)):
        return sum(len(x) if isinstance(x, str) else 0 for x in args[0]) + \
            len(base) * len(args[0])
    if method in ("center", "ljust", "rjust") and args and isinstance(args[0], int):
        return max(len(base), args[0])
    if method == "expandtabs":
        return len(base) * max(8, args[0] if args and isinstance(args[0], int) else 8)
    return len(base)


# How many `_`-expressions of one statement are remembered for pointing diagnostics at them.
MAX_ORIGINS = 4096


class Interpreter:
    """Evaluates cell AST nodes: one ``visit_<Node>`` per node kind."""

    def __init__(self):
        # ibis op -> (cell, node) where the author wrote it, so that a later stage's refusal
        # points at the expression (not at the assignment) and quotes the author's words
        self.origins: dict = {}
        self.cell = None
        self._deferreds: list = []
        self.start_budget()

    def start_budget(self) -> None:
        """A fresh step and time budget (one per statement of a cell)."""
        self._steps, self._deadline = 0, time.monotonic() + MAX_SECONDS
        self._deferreds = []

    def _note(self, node: A.Node, value) -> None:
        if isinstance(value, ir.Expr):
            self.origins.setdefault(value.op(), (self.cell, node))
        elif isinstance(value, Deferred) and len(self._deferreds) < MAX_ORIGINS:
            self._deferreds.append((value, node))

    def _note_resolved(self, receiver) -> None:
        """The ops the pending ``_``-expressions become on ``receiver``'s table, each noted at
        the innermost expression that makes it (inner ones were evaluated first)."""
        table = receiver if isinstance(receiver, ir.Table) else \
            getattr(receiver, "table", None) if isinstance(receiver, GroupedTable) else None
        if table is not None and not isinstance(table, ir.Table):
            table = table.to_expr()  # a GroupedTable holds its table's op
        pending, self._deferreds = self._deferreds, []
        if not isinstance(table, ir.Table):
            return
        for deferred, node in pending:
            try:
                value = deferred.resolve(table)
            except Exception:  # noqa: BLE001 - not resolvable here: nothing to note
                continue
            if isinstance(value, ir.Value):
                self.origins.setdefault(value.op(), (self.cell, node))

    def _spend(self, node: A.Node) -> None:
        self._steps += 1
        if self._steps & 0x3FF == 0 and (self._steps > MAX_STEPS
                                          or time.monotonic() > self._deadline):
            raise Refusal("E210", f"evaluating this statement takes too long (more than "
                           f"{MAX_STEPS:,} steps or {MAX_SECONDS:.0f} s); constants in an "
                           "exported cell must be small", node)

    def eval(self, node: A.Node, env: dict):
        self._spend(node)
        if not isinstance(node, A.Node):
            raise TypeError(f"internal: not a cell AST node: {node!r}")
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise Refusal("E200", f"{type(node).__name__} is not supported in an exported "
                           "cell", node)
        value = method(node, env)
        self._note(node, value)
        return value

    def visit_Const(self, node: A.Const, env):
        return node.value

    def visit_Name(self, node: A.Name, env):
        if node.id.startswith("_") and node.id != "_":
            raise Refusal("E201", f"names starting with '_' are not allowed ('{node.id}')",
                           node)
        if node.id in env:
            failed = env[node.id]
            if isinstance(failed, Failed):
                exc = Refusal("E218", f"'{node.id}' is refused ({failed.why}), so nothing can "
                              "be built on it", node,
                              hint=f"fix '{node.id}' first; its own diagnostic says why")
                exc.causes = failed.causes
                raise exc
            return env[node.id]
        if node.id in SAFE_BUILTINS:
            return Allowed(SAFE_BUILTINS[node.id], node.id)
        reason = subset.refusal(node.id)
        if reason or node.id in ("eval", "exec", "open", "getattr", "setattr", "globals",
                                 "locals", "vars", "compile", "__import__", "input", "print"):
            raise Refusal("E202", f"'{node.id}' is not available in an exported cell", node,
                           hint=reason)
        raise Refusal("E203", f"name '{node.id}' is not defined", node,
                       hint=subset.suggestion(node.id, list(env) + list(SAFE_BUILTINS)))

    def visit_Attribute(self, node: A.Attribute, env):
        name = node.attr
        if name.startswith("_"):
            raise Refusal("E201", f"attributes starting with '_' are not allowed ('{name}')",
                           node, pos=node.attr_pos)
        base = self.eval(node.value, env)
        reason = subset.refusal(name)
        if isinstance(base, IbisModule):
            if name in subset.IBIS_FUNCTIONS:
                value = getattr(ibis, name)
                # the constants (ibis.pi, ibis.e) are expressions themselves, not functions
                return value if isinstance(value, ir.Expr) else Allowed(value, f"ibis.{name}")
            return self._refuse_attr(node, f"ibis.{name}", reason, subset.IBIS_FUNCTIONS,
                                     exists=hasattr(ibis, name))
        if isinstance(base, Deferred):
            # A deferred attribute is a column name or a method resolved later by ibis;
            # refuse the ones that exist on ibis expressions but are outside the subset.
            known = hasattr(ir.Table, name) or hasattr(ir.Value, name)
            if name in subset.PLAIN_VALUED and not reason:
                raise Refusal("E206", f"'_.{name}' is not in the exported-cell subset: it is a "
                               "plain Python value that ibis would use outside nb2jvm's checks",
                               node, pos=node.attr_pos, hint=f"use t.{name} on the table itself")
            if reason or (known and name not in subset.VALUE_METHODS | subset.TABLE_METHODS):
                return self._refuse_attr(node, name, reason, (), exists=True)
            return getattr(base, name)
        if isinstance(base, ir.Table):
            if name in base.columns and not callable(getattr(type(base), name, None)):
                return base[name]
            if name in subset.TABLE_METHODS:
                value = getattr(base, name)
                return Allowed(value, name) if callable(value) else value
            return self._refuse_attr(node, name, reason,
                                     set(subset.TABLE_METHODS) | set(base.columns),
                                     exists=hasattr(base, name), what="table")
        if isinstance(base, GroupedTable):
            if name in subset.GROUPED_METHODS:
                return Allowed(getattr(base, name), name)
            return self._refuse_attr(node, name, reason, subset.GROUPED_METHODS,
                                     exists=hasattr(base, name), what="grouped table")
        if isinstance(base, ir.StructValue) and name in base.names and \
                not callable(getattr(type(base), name, None)):
            # a struct's field, as ibis reads `s.name` (`s["name"]` is the same field)
            return base[name]
        if _is_ibis_object(base):
            if name in subset.VALUE_METHODS and hasattr(base, name):
                value = getattr(base, name)
                return Allowed(value, name) if callable(value) else value
            return self._refuse_attr(node, name, reason, subset.VALUE_METHODS,
                                     exists=hasattr(base, name), what=type(base).__name__)
        if isinstance(base, Module):
            if name in base.allowed:
                value = getattr(base.module, name)
                return Allowed(value, f"{base.name}.{name}") if callable(value) else value
            return self._refuse_attr(node, f"{base.name}.{name}", reason, base.allowed,
                                     exists=hasattr(base.module, name), what=base.name)
        methods = subset.python_methods(base)
        if methods is not None:
            if name in methods:
                return Allowed(getattr(base, name), name)
            return self._refuse_attr(node, name, reason, methods, exists=hasattr(base, name),
                                     what=type(base).__name__)
        kind = "function" if isinstance(base, (Allowed, Lambda, Helper)) \
            else type(base).__name__
        raise Refusal("E204", f"attribute access on a {kind} value is not supported in an "
                       "exported cell", node, pos=node.attr_pos)

    def _refuse_attr(self, node, shown, reason, candidates, *, exists, what="ibis"):
        if reason:
            raise Refusal("E205", f"'{shown}' {reason}" if not reason.startswith(shown)
                           else reason, node, pos=node.attr_pos)
        if exists:
            raise Refusal("E206", f"'{shown}' is not in the exported-cell subset", node,
                           pos=node.attr_pos, hint="see docs/subset.md for what is supported")
        raise Refusal("E203", f"'{shown}' does not exist on {what}", node, pos=node.attr_pos,
                       hint=subset.suggestion(node.attr, candidates))

    def visit_Call(self, node: A.Call, env):
        func = self.eval(node.func, env)
        args = [self.eval(a, env) for a in node.args]
        kwargs = {}
        for kw in node.keywords:
            if kw.name.startswith("_"):
                raise Refusal("E201", f"keyword arguments starting with '_' are not allowed "
                               f"('{kw.name}')", kw)
            kwargs[kw.name] = self.eval(kw.value, env)
        if isinstance(func, Helper):
            raise Refusal("E219", f"'{func.name}' is a helper function: it can only be called "
                           "from a UDF", node)
        if isinstance(func, Allowed):
            try:
                self._precheck_call(node, func, args, kwargs)
            except Refusal:
                raise
            except Exception:  # noqa: BLE001 - an odd argument: the call itself reports it
                pass
            target = func.fn
        elif isinstance(func, (Lambda, Deferred)):
            target = func
        else:
            raise Refusal("E208", f"a {type(func).__name__} value cannot be called in an "
                           "exported cell", node)
        value = self._guard(node, lambda: target(*args, **kwargs))
        if self._deferreds and isinstance(func, Allowed):
            self._note_resolved(getattr(func.fn, "__self__", None))
        return value

    def _guard(self, node, thunk):
        try:
            value = thunk()
        except Refusal:
            raise
        except RecursionError:
            raise Refusal("E209", "expression is nested too deeply", node) from None
        except Exception as exc:  # ibis reports type and column errors with many classes
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            who = "Python's re" if isinstance(exc, re.error) else "ibis"
            raise Refusal("E300", f"{who} rejected this expression: {type(exc).__name__}"
                           + (f": {message}" if message else ""), node) from None
        big = _too_big(value)
        if big:
            raise Refusal("E210", f"this builds {big}: too large for a constant", node)
        return value

    def _precheck_call(self, node, func: "Allowed", args: list, kwargs: dict) -> None:
        """Refuse, before running it, a call whose result or work would exceed the bounds (or
        that would have to read data)."""
        owner = getattr(func.fn, "__self__", None)
        if isinstance(owner, ir.Table) and func.name == "pivot_wider" and \
                kwargs.get("names") is None:
            # ibis reads the distinct values of names_from from the data to name the columns:
            # a query, and columns that would change with the data the artifact meets
            raise Refusal("E205", "pivot_wider() without names= reads its column names from "
                          "the data; an artifact needs them fixed", node,
                          hint="pass names=[...] with the values of names_from to pivot")
        if isinstance(owner, str) and func.name == "join" and args and \
                not isinstance(args[0], (list, tuple)):
            # materialise (bounded) what join would consume, so its size is known first
            try:
                items = list(itertools.islice(iter(args[0]), MAX_SEQUENCE + 1))
            except TypeError:
                return  # not iterable: the call itself says so (E300)
            if len(items) > MAX_SEQUENCE:
                raise Refusal("E210", f"more than {MAX_SEQUENCE:,} items in a constant", node)
            args[0] = items
        if isinstance(owner, str) and \
                _str_result_size(func.name, owner, args) > MAX_STRING:
            raise Refusal("E210", f"'{func.name}' would build a string of more than "
                           f"{MAX_STRING:,} characters: too large for a constant", node)
        for value in [*args, *kwargs.values()]:
            items = value.values() if isinstance(value, dict) else \
                value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                big = _too_big(item) if isinstance(item, range) else None
                if big:
                    raise Refusal("E210", f"an argument has {big}: too large for a constant",
                                   node)
        if _weight_over([*args, *kwargs.values()], MAX_WEIGHT):
            raise Refusal("E210", "the arguments together are too large for constants", node)

    def visit_Lambda(self, node: A.Lambda, env):
        for p in node.params:
            if p.startswith("_"):
                raise Refusal("E201", f"parameter names starting with '_' are not allowed "
                               f"('{p}')", node)
        return Lambda(node, self, env)

    def visit_Subscript(self, node: A.Subscript, env):
        base = self.eval(node.value, env)
        index = self.eval(node.index, env)
        if isinstance(index, str) and index.startswith("_") and not _is_ibis_object(base):
            raise Refusal("E201", "keys starting with '_' are not allowed", node)
        return self._guard(node, lambda: base[index])

    def visit_Slice(self, node: A.Slice, env):
        parts = [None if p is None else self.eval(p, env) for p in (node.start, node.stop,
                                                                     node.step)]
        return slice(*parts)

    def visit_BinOp(self, node: A.BinOp, env):
        left, right = self.eval(node.left, env), self.eval(node.right, env)
        if node.op == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT \
                and isinstance(left, (int, float)):
            raise Refusal("E210", "exponent too large for a constant", node)
        if node.op in ("**", "*") and isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() * abs(right) if node.op == "**" else \
                left.bit_length() + right.bit_length()
            if bits > MAX_INT_BITS:
                raise Refusal("E210", f"the result would have more than {MAX_INT_BITS:,} "
                               "bits: too large for a constant", node)
        if node.op == "<<" and isinstance(left, int) and isinstance(right, int) and \
                right > MAX_INT_BITS:
            raise Refusal("E210", f"the result would have more than {MAX_INT_BITS:,} "
                           "bits: too large for a constant", node)
        if node.op == "%" and isinstance(left, str) and (
                _widest_percent(left) > MAX_STRING or ("*" in left and any(
                    isinstance(v, int) and abs(v) > MAX_STRING
                    for v in (right if isinstance(right, tuple) else (right,))))):
            raise Refusal("E210", "a %-format width too large for a constant", node)
        if node.op == "+" and isinstance(left, (str, bytes, list, tuple)) and \
                isinstance(right, type(left)) and len(left) + len(right) > MAX_STRING:
            raise Refusal("E210", "concatenation too large for a constant", node)
        if node.op == "*" and isinstance(left, (str, bytes, list, tuple)) \
                and isinstance(right, int) and len(left) * right > MAX_SEQUENCE:
            raise Refusal("E210", "repeated sequence too large for a constant", node)
        if node.op == "*" and isinstance(right, (str, bytes, list, tuple)) \
                and isinstance(left, int) and len(right) * left > MAX_SEQUENCE:
            raise Refusal("E210", "repeated sequence too large for a constant", node)
        return self._guard(node, lambda: BINARY_OPS[node.op](left, right))

    def visit_UnaryOp(self, node: A.UnaryOp, env):
        operand = self.eval(node.operand, env)
        if node.op == "not":
            if _is_ibis_object(operand) or isinstance(operand, Deferred):
                raise Refusal("E211", "`not` cannot negate a column expression", node,
                               hint="use ~ to negate a boolean column")
            return not operand
        return self._guard(node, lambda: UNARY_OPS[node.op](operand))

    def _truth(self, value, node, hint):
        if _is_ibis_object(value) or isinstance(value, Deferred):
            raise Refusal("E211", "a column expression has no Python truth value", node,
                           hint=hint)
        return bool(value)

    def visit_BoolOp(self, node: A.BoolOp, env):
        hint = "use & and | to combine column conditions"
        left = self.eval(node.left, env)
        truth = self._truth(left, node, hint)
        if (node.op == "and") != truth:
            return left
        right = self.eval(node.right, env)
        self._truth(right, node, hint)
        return right

    def visit_Compare(self, node: A.Compare, env):
        left = self.eval(node.left, env)
        result = None
        for i, (op, right_node) in enumerate(zip(node.ops, node.comparators)):
            right = self.eval(right_node, env)
            if op in ("in", "not in", "is", "is not"):
                if any(_is_ibis_object(v) or isinstance(v, Deferred) for v in (left, right)):
                    hint = ("use .isin([...]) / .notin([...])" if "in" in op
                            else "use .isnull() / .notnull()")
                    raise Refusal("E212", f"`{op}` does not work on column expressions", node,
                                   hint=hint)
                value = {"in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
                         "is": operator.is_, "is not": operator.is_not}[op](left, right)
            else:
                value = self._guard(node, lambda: COMPARE_OPS[op](left, right))
            if i and (_is_ibis_object(value) or _is_ibis_object(result)):
                raise Refusal("E212", "chained comparisons do not work on column expressions",
                               node, hint="use .between(lo, hi) or combine with &")
            if i and not value:
                return value
            result, left = value, right
        return result

    def visit_IfExp(self, node: A.IfExp, env):
        test = self.eval(node.test, env)
        truth = self._truth(test, node, "use ibis.ifelse(condition, then, else)")
        return self.eval(node.body if truth else node.orelse, env)

    def visit_FString(self, node: A.FString, env):
        out = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.eval(part.value, env)
            if not isinstance(value, (str, int, float, bool, type(None))):
                raise Refusal("E220", "f-strings can only format plain values (numbers, "
                               f"strings), not a {type(value).__name__}", part,
                               hint="to build a string column use + or .concat()")
            if part.conversion:
                if part.conversion not in ("s", "r", "a"):
                    raise Refusal("E220", f"unknown f-string conversion "
                                   f"'!{part.conversion}'", part)
                value = {"s": str, "r": repr, "a": ascii}[part.conversion](value)
            if _widest(part.spec) > MAX_STRING:
                raise Refusal("E210", "a format width too large for a constant", part)
            out.append(self._guard(part, lambda: format(value, part.spec)))
        return "".join(out)

    def visit_Comprehension(self, node: A.Comprehension, env):
        results = []
        weight = [0]

        def run(clauses, scope):
            if not clauses:
                if node.kind == "dict":
                    item = (self.eval(node.element, scope), self.eval(node.value, scope))
                else:
                    item = self.eval(node.element, scope)
                results.append(item)
                # the running weight, so that building big elements stops early, not after
                weight[0] += _weight(item, MAX_WEIGHT)
                if len(results) > MAX_SEQUENCE or weight[0] > MAX_WEIGHT:
                    raise Refusal("E210", f"more than {MAX_SEQUENCE:,} items or "
                                   f"{MAX_WEIGHT:,} units in a constant", node)
                return
            clause = clauses[0]
            iterable = self.eval(clause.iter, scope)
            if _is_ibis_object(iterable) or isinstance(iterable, Deferred):
                raise Refusal("E221", "a comprehension cannot iterate over a column or a "
                               "table; iterate over names (e.g. t.columns)", clause.iter)
            for item in self._guard(clause.iter, lambda: iter(iterable)):
                if len(clause.targets) == 1:
                    bound = {clause.targets[0]: item}
                else:
                    items = self._guard(clause.iter, lambda: tuple(item))
                    if len(items) != len(clause.targets):
                        raise Refusal("E222", f"cannot unpack {len(items)} values into "
                                       f"{len(clause.targets)} names", clause)
                    bound = dict(zip(clause.targets, items))
                inner = {**scope, **bound}
                if all(self._truth(self.eval(c, inner), c, "conditions must be plain values")
                       for c in clause.conditions):
                    run(clauses[1:], inner)

        for clause in node.clauses:
            for target in clause.targets:
                if target.startswith("_"):
                    raise Refusal("E201", f"names starting with '_' are not allowed "
                                   f"('{target}')", clause)
        run(node.clauses, env)
        if node.kind == "dict":
            return self._guard(node, lambda: dict(results))
        if node.kind == "set":
            return self._guard(node, lambda: set(results))
        return self._guard(node, lambda: results)

    def visit_Collection(self, node: A.Collection, env):
        items = [self.eval(i, env) for i in node.items]
        if node.kind == "set":
            return self._guard(node, lambda: set(items))
        return self._guard(node, lambda: {"list": list, "tuple": tuple}[node.kind](items))

    def visit_DictDisplay(self, node: A.DictDisplay, env):
        keys = [self.eval(k, env) for k in node.keys]
        values = [self.eval(v, env) for v in node.values]
        return self._guard(node, lambda: dict(zip(keys, values)))


MODULES = {
    "math": Module("math", math, frozenset({
        "pi", "e", "tau", "inf", "nan", "sqrt", "exp", "log", "log10", "log2", "log1p", "floor",
        "ceil", "fabs", "isnan", "isinf", "isfinite", "pow", "fmod", "trunc"})),
    "datetime": Module("datetime", datetime, frozenset({"date", "datetime", "timedelta",
                                                          "time"})),
    # for UDF bodies (their translator has the functions); nothing at the cell level
    "unicodedata": Module("unicodedata", unicodedata, frozenset()),
    # the str constants of `string` (`string.punctuation`), at cell level and in UDFs
    "string": Module("string", string, frozenset(STRING_CONSTANTS)),
    # `PAT = re.compile(r"...")`: a constant UDFs read (compiling runs no notebook code)
    "re": Module("re", re, frozenset({"compile", "I", "IGNORECASE", "A", "ASCII", "S", "DOTALL",
                                      "M", "MULTILINE", "X", "VERBOSE", "U", "UNICODE",
                                      "NOFLAG"})),
}
# `from X import Y` forms an exported cell may use.
FROM_IMPORTS = {
    "ibis": frozenset({"_"}),
    "datetime": frozenset({"date", "datetime", "timedelta", "time"}),
    "typing": frozenset({"Optional"}),
}


def imported(module: str, name: str):
    if module == "ibis":
        return ibis._
    if module == "datetime":
        return Allowed(getattr(datetime, name), name)
    return None  # typing names only appear in UDF annotations, which are not evaluated
