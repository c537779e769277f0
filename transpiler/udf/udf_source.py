"""What the evaluator knows of a Python UDF, and the UDF subset's verdict on it.

:class:`UdfSource` travels with the typed stand-in that ibis builds expressions on
(:mod:`transpiler.udf.udfsig`); :func:`translatable` asks the Scala translator whether the UDF (and
the helpers it reaches) is inside the subset; :func:`python_callable` is the notebook side of
the UDF, compiled from the checked AST and run in the sandbox. A data and translation layer: of
the stages it imports only extract's Cell record, so the evaluator, the lowering and the UDF
stage can all use it.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import math
import re
from pathlib import Path

import ibis.expr.operations as ops

from ..ir import cellast as A
from ..ir import pyast
from . import sandbox
from ..ir import udf_ast as U
from ..ir.notebook import Cell
from .udf_scala import (WIDENING, Constants, FunctionTranslator, Signature, UdfError,
                        bound_names, mangle, signature)
from ..ir.udf import UdfSource
from .udf_tables import SCALA


def _source_text(fn: A.FunctionDef, cell: Cell) -> str:
    return "\n".join(cell.lines[fn.pos.line - 1: fn.pos.end_line])


def sql_name(fn: A.FunctionDef, cell: Cell,
             helpers: tuple[tuple[str, A.FunctionDef, Cell], ...] = (),
             names: tuple[tuple[str, str], ...] = (),
             constants: tuple[tuple[str, str], ...] = ()) -> str:
    """A stable Spark function name: the UDF's name and a hash of its source lines, of the
    helpers it can call and of what its datetime names are bound to (ibis's own names carry a
    memory address, so they change from run to run).  Same name, same code: the runtime
    registers a name once per session."""
    text = "\n".join([_source_text(fn, cell),
                      *(_source_text(h, c) for _, h, c in sorted(helpers, key=lambda x: x[0])),
                      *(f"{n}={k}" for n, k in names),
                      *(f"{n}:={v}" for n, v in constants)])
    readable = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in fn.name)
    return f"nb2jvm_{readable}_{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def source_of(op: ops.ScalarUDF) -> UdfSource | None:
    return getattr(op.__func__, "__nb2jvm__", None)


# A constant of the cell a UDF may read: flat literals, bounded (frozen into the generated code).
# (each constant is one array initialiser in the generated object: kept well under the JVM's
# 64 KB method limit)
MAX_CONSTANT_ITEMS = 1_000
_SCALARS = (bool, int, str, float)


def _scalar(v) -> bool:
    return type(v) in _SCALARS and not (type(v) is float and not math.isfinite(v)) and not (
        type(v) is int and v.bit_length() > 63) and not (type(v) is str and len(v) > 200)


# a compiled str pattern of the cell (`PAT = re.compile(r"...")`) as a constant's text
COMPILED = "re.compile"


def _literal(value) -> str | None:
    """The repr of a flat literal constant (checked to read back equal), or None."""
    if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
        return f"{COMPILED}({value.pattern!r}, {int(value.flags)})"
    if _scalar(value):
        items = [value]
    elif type(value) in (list, tuple, set, frozenset):
        items = list(value)
    elif type(value) is dict:
        items = [*value.keys(), *value.values()]
    else:
        return None
    if len(items) > 2 * MAX_CONSTANT_ITEMS or not all(_scalar(v) for v in items):
        return None
    text = repr(value)
    try:
        if ast.literal_eval(text) != value:
            return None
    except (ValueError, SyntaxError):
        return None
    return text


def names_of(functions) -> set[str]:
    """Every name the functions' bodies mention."""
    used: set[str] = set()
    for fn in functions:
        used |= _names(fn.body)
    return used


def free_names(functions) -> set[str]:
    """The names the functions' bodies read from the cell: not their parameters or locals."""
    return set().union(set(), *(_names(fn.body) - bound_names(fn.body) for fn in functions))


def constants_of(functions, env: dict) -> tuple[tuple[str, str], ...]:
    """The cell-level literal values (``CODES = {...}``, ``LIMIT = 3``) that the functions'
    bodies name, frozen as reprs: what the UDF reads when the notebook calls it."""
    used = names_of(functions)
    out = []
    for name in sorted(used):
        if name in env and (text := _literal(env[name])) is not None:
            out.append((name, text))
    return tuple(out)


def constant_values(src: UdfSource) -> dict[str, object]:
    return {n: _value(v) for n, v in src.constants}


def _value(text: str):
    if text.startswith(COMPILED + "("):
        pattern, flags = ast.literal_eval(text[len(COMPILED):])
        return re.compile(pattern, flags)
    return ast.literal_eval(text)


def _collect(fn: U.Function, pick) -> set[str]:
    """The names ``pick`` finds in the nodes of ``fn``'s body (None: nothing here)."""
    return {name for node in A.walk(fn.body) if (name := pick(node)) is not None}


def _names(fn: U.Function) -> set[str]:
    return _collect(fn, lambda node: node.id if isinstance(node, A.Name) else None)


def _called(fn: U.Function) -> set[str]:
    return _collect(fn, lambda node: node.func.id if isinstance(node, A.Call) and isinstance(
        node.func, A.Name) else None)


class Translation:
    """Translate UDFs and reachable helpers into one Scala object.

    Each function has a fast method (ints are longs); :meth:`widen` adds, for the functions
    that can leave 64 bits, an exact variant (ints are BigIntegers) and makes the entry a
    dispatcher that runs the exact variant when the fast one throws ``PyWiden``.
    """

    def __init__(self, notebook: str):
        self.notebook = Path(notebook).name
        self.consts = Constants()
        self.methods: dict[str, list[str]] = {}
        self._jobs: dict[str, tuple] = {}  # what translated a method, to translate it again
        self._calls: dict[str, set[str]] = {}
        self._direct: dict[str, bool] = {}

    def function(self, fn: U.Function, sig: Signature, cell: Cell,
                 visible: dict[str, tuple[U.Function, Cell]], names: dict[str, str],
                 entry: bool = False, constants: dict | None = None) -> None:
        if sig.scala in self.methods:
            return
        self.methods[sig.scala] = []  # placeholder: recursion ends here
        functions = {}
        for name in sorted(_called(fn) & set(visible)):
            helper, hcell = visible[name]
            hsig = signature(helper, f"g_{mangle(name)}_{hcell.index}")
            functions[name] = hsig
            self.function(helper, hsig, hcell, visible, names, constants=constants)
        where = (self.notebook, cell.index)
        tr = self._translate(fn, sig, functions, where, names, entry, constants, False)
        # a name the enclosing function binds is a closure variable in a nested function, never
        # the cell's constant of that name (closures are refused: not defined there)
        inner = {k: v for k, v in (constants or {}).items() if k not in bound_names(fn)}
        for nested, nsig in tr.nested:
            self.function(nested, nsig, cell, {**visible, **{n.name: (n, cell)
                                                             for n, _ in tr.nested}}, names,
                          constants=inner)
        self._mixed_variants(tr)

    def _translate(self, fn, sig, functions, where, names, entry, constants, mixed):
        tr = FunctionTranslator(fn, sig, functions, self.consts, where, names, entry,
                                constants=constants, mixed_params=mixed)
        self.methods[sig.scala] = tr.translate()
        self._jobs[sig.scala] = (fn, sig, dict(tr.functions), where, names, entry, constants,
                                 mixed)
        self._calls[sig.scala] = {h.scala + ("_m" if n in tr.mixed_calls else "")
                                  for n, h in tr.functions.items()}
        self._direct[sig.scala] = bool(WIDENING.search("\n".join(self.methods[sig.scala])))
        return tr

    def _mixed_variants(self, tr: FunctionTranslator) -> None:
        """The ``_m`` variants of the helpers ``tr`` called with an int for a float parameter
        (translated once all plain methods exist: a variant's calls need their signatures)."""
        todo = [tr]
        while todo:
            caller = todo.pop()
            for name in sorted(caller.mixed_calls):
                hsig = caller.functions[name]
                msig = dataclasses.replace(hsig, scala=f"{hsig.scala}_m")
                if msig.scala in self.methods:
                    continue
                if hsig.scala not in self._jobs:  # still being translated (recursion)
                    raise UdfError("U120", f"'{name}' calls itself through other helpers with "
                                   "an int for a float parameter: not supported in a UDF",
                                   caller.fn.pos)
                fn, _, functions, where, names, _, constants, _ = self._jobs[hsig.scala]
                self.methods[msig.scala] = []  # placeholder: recursion ends here
                todo.append(self._translate(fn, msig, functions, where, names, False,
                                            constants, True))


    def widen(self, entry: str) -> None:
        """Give ``entry`` and what it reaches an exact variant if an int can leave 64 bits."""
        reach, todo = set(), [entry]
        while todo:
            name = todo.pop()
            if name not in reach:
                reach.add(name)
                todo += sorted(self._calls.get(name, ()))
        widening = {n for n in reach if self._direct.get(n)}
        changed = True
        while changed:  # a function widens if it calls one that widens
            changed = False
            for n in sorted(reach - widening):
                if self._calls.get(n, set()) & widening:
                    widening.add(n)
                    changed = True
        if entry not in widening:
            return
        # every function it reaches gets an exact variant: a helper may see a big argument
        for name in sorted(reach):
            if f"{name}_w" in self.methods:
                continue
            fn, sig, functions, where, names, is_entry, constants, mixed = self._jobs[name]
            self.methods[f"{name}_w"] = FunctionTranslator(
                fn, sig, functions, self.consts, where, names, is_entry, wide=True,
                constants=constants, mixed_params=mixed).translate()
        fn, sig, functions, where, names, _, constants, _ = self._jobs[entry]
        fast = dataclasses.replace(sig, scala=f"{entry}_n")
        self.methods[f"{entry}_n"] = FunctionTranslator(fn, fast, functions, self.consts, where,
                                                        names, True,
                                                        constants=constants).translate()
        params = ", ".join(f"p_{mangle(n)}: {SCALA[t]}" for n, t in sig.params)
        args = ", ".join(f"p_{mangle(n)}" for n, _ in sig.params)
        self.methods[entry] = [
            f"  def {entry}({params}): {SCALA[sig.returns]} =",
            f"    try {entry}_n({args}) catch {{ case _: PyWiden => {entry}_w({args}) }}"]


_PYTHON: dict[str, object] = {}


_TRANSLATABLE: dict[str, bool] = {}


def translatable(src: UdfSource) -> bool:
    """Whether the UDF (and the helpers it reaches) is inside the UDF subset (checked once per
    source hash: every feature set that calls the UDF asks)."""
    if src.sql_name not in _TRANSLATABLE:
        tr = Translation("notebook")
        visible = {h: (f.body, c) for h, f, c in src.helpers}
        try:
            tr.function(src.fn.body, signature(src.fn.body, "f"), src.cell, visible,
                        dict(src.names), entry=True, constants=constant_values(src))
            tr.widen("f")
            _TRANSLATABLE[src.sql_name] = True
        except UdfError:
            _TRANSLATABLE[src.sql_name] = False
    return _TRANSLATABLE[src.sql_name]


def python_callable(src: UdfSource):
    """The UDF as a Python function, for the notebook's engine (``verify``, golden rows).

    Compiled from the checked AST, never from the cell's text (:mod:`transpiler.ir.pyast`), only
    after the translator has accepted it, with the sandbox's names in scope and every call under
    its audit hook (:mod:`transpiler.udf.sandbox`).
    """
    if src.sql_name in _PYTHON:
        return _PYTHON[src.sql_name]
    if not translatable(src):
        raise RuntimeError(f"UDF '{src.fn.name}' is outside the UDF subset")
    namespace = sandbox.namespace(src.names)
    # fresh copies: the notebook's own are untouched
    namespace.update({k: sandbox.constant(v) for k, v in constant_values(src).items()})
    for name, helper, cell in src.helpers:
        exec(pyast.function_module([helper.body], f"<cell {cell.index}>"), namespace)
    exec(pyast.function_module([src.fn.body], f"<cell {src.cell.index}>"), namespace)
    _PYTHON[src.sql_name] = sandbox.guarded(namespace[src.fn.name],
                                            f"'{src.fn.name}' (cell {src.cell.index})")
    return _PYTHON[src.sql_name]


