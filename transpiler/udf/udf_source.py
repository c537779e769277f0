"""What the evaluator knows of a Python UDF, and the UDF subset's verdict on it.

:class:`UdfSource` travels with the typed stand-in that ibis builds expressions on
(:mod:`transpiler.udf.udfsig`); :func:`translatable` asks the Scala translator whether the UDF (and
the helpers it reaches) is inside the subset; :func:`python_callable` is the notebook side of
the UDF, compiled from the checked AST and run in the sandbox. A data and translation layer: of
the stages it imports only extract's Cell record, so the evaluator, the lowering and the UDF
stage can all use it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import ibis.expr.operations as ops

from ..ir import cellast as A
from ..ir import pyast
from . import sandbox
from ..ir import udf_ast as U
from ..ir.notebook import Cell
from .udf_scala import Constants, FunctionTranslator, Signature, UdfError, mangle, signature
from ..ir.udf import UdfSource


def _source_text(fn: A.FunctionDef, cell: Cell) -> str:
    return "\n".join(cell.lines[fn.pos.line - 1: fn.pos.end_line])


def sql_name(fn: A.FunctionDef, cell: Cell,
             helpers: tuple[tuple[str, A.FunctionDef, Cell], ...] = (),
             names: tuple[tuple[str, str], ...] = ()) -> str:
    """A stable Spark function name: the UDF's name and a hash of its source lines, of the
    helpers it can call and of what its datetime names are bound to (ibis's own names carry a
    memory address, so they change from run to run).  Same name, same code: the runtime
    registers a name once per session."""
    text = "\n".join([_source_text(fn, cell),
                      *(_source_text(h, c) for _, h, c in sorted(helpers, key=lambda x: x[0])),
                      *(f"{n}={k}" for n, k in names)])
    readable = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in fn.name)
    return f"nb2jvm_{readable}_{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def source_of(op: ops.ScalarUDF) -> UdfSource | None:
    return getattr(op.__func__, "__nb2jvm__", None)


def _called(fn: U.Function) -> set[str]:
    names = set()

    def walk(node):
        if isinstance(node, A.Call) and isinstance(node.func, A.Name):
            names.add(node.func.id)
        if isinstance(node, A.Node):
            for field in node.__dataclass_fields__:
                value = getattr(node, field)
                for item in value if isinstance(value, tuple) else (value,):
                    if isinstance(item, A.Node):
                        walk(item)
    for stmt in fn.body:
        walk(stmt)
    return names


class Translation:
    """Translate UDFs and reachable helpers into one Scala object."""

    def __init__(self, notebook: str):
        self.notebook = Path(notebook).name
        self.consts = Constants()
        self.methods: dict[str, list[str]] = {}

    def function(self, fn: U.Function, sig: Signature, cell: Cell,
                 visible: dict[str, tuple[U.Function, Cell]], names: dict[str, str],
                 entry: bool = False) -> None:
        if sig.scala in self.methods:
            return
        self.methods[sig.scala] = []  # placeholder: recursion ends here
        functions = {}
        for name in sorted(_called(fn) & set(visible)):
            helper, hcell = visible[name]
            hsig = signature(helper, f"g_{mangle(name)}_{hcell.index}")
            functions[name] = hsig
            self.function(helper, hsig, hcell, visible, names)
        tr = FunctionTranslator(fn, sig, functions, self.consts, (self.notebook, cell.index),
                                names, entry)
        self.methods[sig.scala] = tr.translate()
        for nested, nsig in tr.nested:
            self.function(nested, nsig, cell, {**visible, **{n.name: (n, cell)
                                                             for n, _ in tr.nested}}, names)


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
                        dict(src.names), entry=True)
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
    for name, helper, cell in src.helpers:
        exec(pyast.function_module([helper.body], f"<cell {cell.index}>"), namespace)
    exec(pyast.function_module([src.fn.body], f"<cell {src.cell.index}>"), namespace)
    _PYTHON[src.sql_name] = sandbox.guarded(namespace[src.fn.name],
                                            f"'{src.fn.name}' (cell {src.cell.index})")
    return _PYTHON[src.sql_name]


