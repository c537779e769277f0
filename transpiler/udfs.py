"""Stage 6, translate UDFs: :class:`LoweredNotebook` -> :class:`LoweredNotebook` with Scala.

Every Python UDF a lowered feature set calls is translated (with the helper functions it
reaches) to one deterministic Scala source: an object ``Fns`` with one method per function and
one class per UDF implementing Spark's Java ``UDFn`` interface.  A UDF that is outside the UDF
subset refuses the feature sets that call it, with the position of the problem.

Call boundary, as measured on ibis 12 + DuckDB 1.4 (``tests/test_udfs.py`` shows each): the
notebook's engine never calls a Python UDF with a NULL argument (the row's result is NULL, even
for ``Optional`` parameters; a NaN argument is passed as NaN); a UDF returning None fails the
query; an exception fails the query; a returned NaN becomes NULL.  The generated classes do the same on Spark.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

import ibis.expr.operations as ops

from . import cellast as A
from . import escape, pyast, sandbox
from . import udf_ast as U
from .errors import Diagnostic
from .evaluate import Refused
from .extract import Cell
from .lower import LoweredNotebook
from .udf_scala import Constants, FunctionTranslator, Signature, UdfError, mangle, signature
from .udf_tables import BOX, BOXED, JVM_TYPE, SPARK_TYPE, UNBOX


@dataclass(frozen=True)
class UdfSource:
    """What the evaluator knows of a UDF: its definition, cell, visible helpers, SQL name."""

    fn: A.FunctionDef
    cell: Cell
    helpers: tuple[tuple[str, A.FunctionDef, Cell], ...]
    sql_name: str
    # what `datetime`, `date`, `timedelta` name in the cell: "module" or the class
    names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CompiledUdf:
    """A UDF in the artifact: how Spark calls it (manifest entry)."""

    name: str
    sql_name: str
    class_name: str
    params: tuple[tuple[str, str], ...]
    returns: str
    cell: int
    mode: str = "compiled"

    def to_json(self) -> dict:
        if self.mode == "compiled":
            entry = {"name": self.name, "sql_name": self.sql_name, "class": self.class_name,
                     "params": [{"name": n, "type": SPARK_TYPE[t]} for n, t in self.params],
                     "returns": SPARK_TYPE[self.returns], "cell": self.cell, "mode": self.mode}
            if JVM_TYPE[self.returns] != SPARK_TYPE[self.returns]:
                # dates and timestamps cross the boundary as days/microseconds (bigint)
                entry["jvm_returns"] = JVM_TYPE[self.returns]
            return entry
        return {
                "name": self.name, "sql_name": self.sql_name, "mode": self.mode,
                "params": [{"name": n, "type": SPARK_TYPE[t]} for n, t in self.params],
                "returns": SPARK_TYPE[self.returns], "cell": self.cell}


@dataclass(frozen=True)
class UdfBundle:
    """The Scala source of a notebook's UDFs and what each one is."""

    package: str
    scala: str
    udfs: tuple[CompiledUdf, ...]


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


class _Translation:
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
        tr = _Translation("notebook")
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

    Compiled from the checked AST, never from the cell's text (:mod:`transpiler.pyast`), only
    after the translator has accepted it, with the sandbox's names in scope and every call under
    its audit hook (:mod:`transpiler.sandbox`).
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


def _wrapper(udf: CompiledUdf, scala_method: str) -> list[str]:
    n = len(udf.params)
    boxed = [BOXED[t] for _, t in udf.params]
    args = [f"a{i}" for i in range(n)]
    params = ", ".join(f"{a}: {b}" for a, b in zip(args, boxed))
    unboxed = ", ".join(UNBOX[t].format(a) for a, (_, t) in zip(args, udf.params))
    call = BOX[udf.returns].format(f"Fns.{scala_method}({unboxed})")
    if udf.returns == "float":
        # The notebook's engine turns a NaN returned by a Python UDF into NULL (measured).
        call = (f"{{ val r = Fns.{scala_method}({unboxed}); "
                "if (java.lang.Double.isNaN(r)) null else java.lang.Double.valueOf(r) }")
    # The notebook's engine skips the call for a row with a NULL argument: the result is NULL.
    nulls = " || ".join(f"{a} == null" for a in args)
    body = f"if ({nulls}) null else {call}" if args else call
    cls = udf.class_name.rsplit(".", 1)[1]
    return [f"final class {cls} extends org.apache.spark.sql.api.java.UDF{n}"
            f"[{', '.join([*boxed, BOXED[udf.returns]])}] {{",
            f"  override def call({params}): {BOXED[udf.returns]} = {body}", "}"]


def translate_udfs(lowered: LoweredNotebook) -> LoweredNotebook:
    """Translate every UDF the lowered feature sets call; refuse the feature sets whose UDFs
    are outside the UDF subset."""
    sources: dict[str, UdfSource] = {}
    users: dict[str, list[str]] = {}
    for lf in lowered.lowered:
        for op in (lf.spark_expr if lf.spark_expr is not None else lf.feature.expr).op().find(
                ops.ScalarUDF):
            src = source_of(op)
            if src is not None:
                sources[src.sql_name] = src
                users.setdefault(src.sql_name, []).append(lf.name)
    inlined = {s.sql_name: s for lf in lowered.lowered for s in lf.inlined}
    if not sources and not inlined:
        return lowered
    notebook = lowered.features.bound.parsed.notebook.path
    tr = _Translation(notebook)
    udfs, failed = [], {}
    for name in sorted(sources):
        src = sources[name]
        before = dict(tr.methods)
        try:
            fn = src.fn.body
            sig = signature(fn, f"f_{name}")
            visible = {h: (f.body, c) for h, f, c in src.helpers}
            tr.function(fn, sig, src.cell, visible, dict(src.names), entry=True)
        except UdfError as exc:
            tr.methods = before
            failed[name] = Diagnostic(exc.code, f"UDF '{src.fn.name}': {exc.message}",
                                      src.cell.span(notebook, exc.pos.line, exc.pos.column,
                                                    exc.pos.end_line, exc.pos.end_column),
                                      hint=exc.hint, source_line=src.cell.line_text(exc.pos.line))
            continue
        udfs.append(CompiledUdf(src.fn.name, name, f"U_{name}", sig.params, sig.returns,
                                src.cell.index))
    body = _source(tr, udfs)
    package = "nb2jvm.udf.u" + hashlib.sha256("\n".join(body).encode()).hexdigest()[:12]
    udfs = [dataclasses.replace(u, class_name=f"{package}.{u.class_name}") for u in udfs]
    header = [f"// Generated by nb2jvm from {escape.comment(tr.notebook)}: the notebook's Python UDFs with "
              "Python's semantics. Do not edit.", f"package {package}", "",
              "import nb2jvm.runtime.{Py, PyDate, PyError, PyFormat, PyStr}", ""]
    scala = "\n".join(header + body) + "\n"
    refused = list(lowered.refused)
    keep = []
    for lf in lowered.lowered:
        bad = [d for n, d in failed.items() if lf.name in users.get(n, ())]
        if bad:
            refused.append(Refused(lf.name, tuple(bad)))
        else:
            keep.append(lf)
    for name, src in sorted(inlined.items()):
        if name not in sources:
            sig = signature(src.fn.body, "")
            udfs.append(CompiledUdf(src.fn.name, name, "", sig.params, sig.returns,
                                    src.cell.index, "inlined"))
    bundle = UdfBundle(package, scala if sources else "", tuple(udfs))
    return dataclasses.replace(lowered, lowered=tuple(keep), refused=tuple(refused), udfs=bundle)


def _source(tr: _Translation, udfs: list[CompiledUdf]) -> list[str]:
    lines = ["object Fns {", *tr.consts.declarations()]
    for name in sorted(tr.methods):
        lines += ["", *tr.methods[name]]
    lines += ["}"]
    for u in udfs:
        lines += ["", *_wrapper(dataclasses.replace(u, class_name=f"x.{u.class_name}"),
                                f"f_{u.sql_name}")]
    return lines
