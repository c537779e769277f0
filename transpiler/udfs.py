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

import ibis.expr.operations as ops

from . import escape
from .errors import Diagnostic
from .evaluate import Refused
from .lower import LoweredNotebook
from .udf_scala import UdfError, signature
from .udf_source import Translation, UdfSource, source_of
from .udf_tables import BOX, BOXED, JVM_TYPE, SPARK_TYPE, UNBOX


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
    tr = Translation(notebook)
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


def _source(tr: Translation, udfs: list[CompiledUdf]) -> list[str]:
    lines = ["object Fns {", *tr.consts.declarations()]
    for name in sorted(tr.methods):
        lines += ["", *tr.methods[name]]
    lines += ["}"]
    for u in udfs:
        lines += ["", *_wrapper(dataclasses.replace(u, class_name=f"x.{u.class_name}"),
                                f"f_{u.sql_name}")]
    return lines
