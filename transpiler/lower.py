"""Stage 5, lower: :class:`FeatureSets` -> :class:`LoweredNotebook` (Spark SQL per feature set).

ibis's PySpark compiler turns the ibis IR into sqlglot, and sqlglot prints Spark SQL.  That alone
does not keep the notebook's meaning (DuckDB and Spark 4 in ANSI mode disagree on many edge
cases), so every op of every feature set must first pass the tables below:

* ``CONFORMANT_OPS``: ops whose Spark lowering computes what DuckDB computes; each is exercised by
  the differential table in ``tests/test_differential.py`` (DuckDB vs the JVM);
* ``CHECKED_OPS``: ops that are conformant only under a condition, checked per use;
* ``REFUSED_OPS``: ops measured to differ, with the difference as the reason;
* everything else is refused at transpile time, naming the op, so there is never a silent
  difference.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from functools import lru_cache

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import sqlglot.expressions as sge

from . import determinism
from .spark_compiler import compiler as spark_compiler
from .errors import Diagnostic
from .evaluate import FeatureSet, FeatureSets, Refused

CONFORMANT_OPS = frozenset({
    # relations
    ops.UnboundTable, ops.Field, ops.Filter, ops.Project, ops.Aggregate, ops.Sort,
    ops.SortKey, ops.Limit, ops.Distinct, ops.DropColumns, ops.JoinChain, ops.JoinLink,
    ops.JoinReference, ops.SelfReference, ops.Union,
    # scalars
    ops.Literal, ops.Add, ops.Subtract, ops.Multiply, ops.Negate,
    ops.Greater, ops.GreaterEqual, ops.Less, ops.LessEqual, ops.Equals, ops.NotEquals,
    ops.And, ops.Or, ops.Not, ops.IfElse, ops.SearchedCase, ops.IsNull, ops.NotNull, ops.Coalesce,
    ops.Between, ops.InValues,
    # strings
    ops.StringLength, ops.Substring, ops.StringContains, ops.StartsWith, ops.EndsWith,
    ops.StringSQLLike, ops.Strip, ops.StringReplace, ops.StringConcat, ops.StringFind, ops.LPad,
    ops.RegexSearch,
    # numeric
    ops.Abs, ops.Sign, ops.IsNan, ops.IsInf,
    # temporal
    ops.ExtractYear, ops.ExtractMonth, ops.ExtractDay, ops.ExtractHour, ops.ExtractMinute,
    ops.DayOfWeekIndex, ops.Date, ops.TimestampTruncate,
    ops.ExtractSecond,
    # aggregates
    ops.CountStar, ops.Count, ops.Sum, ops.Mean, ops.Min, ops.Max, ops.CountDistinct,
    # windows
    ops.WindowFunction, ops.WindowBoundary, ops.RowNumber, ops.MinRank, ops.DenseRank,
    ops.PercentRank, ops.CumeDist, ops.NTile, ops.Lag, ops.Lead,
})


def _check_divide(op: ops.Divide) -> str | None:
    """A float result (IEEE rules, emulated on Spark), or a non-zero literal divisor."""
    if op.dtype.is_floating():
        return None
    right = op.right
    if isinstance(right, ops.Literal) and right.value not in (0, None):
        return None
    return (f"division with a {op.dtype} result by a column: the engines round and fail "
            "differently; cast to float64 first")


def _check_modulus(op: ops.Modulus) -> str | None:
    """A non-zero literal divisor."""
    # DuckDB returns NULL for x % 0 where Spark in ANSI mode raises DIVIDE_BY_ZERO.
    right = op.right
    if isinstance(right, ops.Literal) and right.value not in (0, None):
        return None
    return "% by a column: DuckDB returns NULL for a zero divisor where Spark raises"


def _check_cast(op: ops.Cast) -> str | None:
    """Integer or boolean to integer or float, or integer to string."""
    # Integer <-> float widening and anything -> string of integers print identically; other
    # casts (float -> int rounding, timestamp formatting) differ between the engines.
    src, dst = op.arg.dtype, op.to
    if (src.is_integer() or src.is_boolean()) and (dst.is_integer() or dst.is_floating()):
        return None
    if src.is_integer() and dst.is_string():
        return None
    return f"cast from {src} to {dst}: the engines disagree on some values"


CHECKED_OPS = {ops.Divide: _check_divide, ops.Modulus: _check_modulus, ops.Cast: _check_cast}

# Measured divergences with no exact lowering yet (tests/test_differential.py shows each).
_DOMAIN = ("outside its domain DuckDB raises an error where Spark returns {spark}; "
           "the lowering does not emulate the error yet")
REFUSED_OPS = {
    ops.Sqrt: "sqrt(): " + _DOMAIN.format(spark="NaN"),
    ops.Ln: "ln(): " + _DOMAIN.format(spark="NULL"),
    ops.Log10: "log10(): " + _DOMAIN.format(spark="NULL"),
    ops.Log2: "log2(): " + _DOMAIN.format(spark="NULL"),
    ops.Floor: "floor() of a float returns an integer: DuckDB raises on NaN, ±inf and values "
               "beyond int64 where Spark does not",
    ops.Ceil: "ceil() of a float returns an integer: DuckDB raises on NaN, ±inf and values "
              "beyond int64 where Spark does not",
    ops.ExtractEpochSeconds: "epoch_seconds(): ibis types it int32, so the notebook fails for "
                             "timestamps before 1901 or after 2038 where Spark returns a bigint",
    ops.Uppercase: "upper(): Spark uses Java's full case mapping ('ß' -> 'SS') where DuckDB maps "
                   "'ß' -> 'ẞ'",
    ops.Lowercase: "lower(): Spark uses Java's context-sensitive mapping ('İ' -> 'i̇', final "
                   "'Σ' -> 'ς') where DuckDB maps 'İ' -> 'i' and 'Σ' -> 'σ'",
}


@dataclass(frozen=True)
class LoweredFeature:
    """One feature set as Spark SQL, with its output schema."""

    name: str
    sql: str
    schema: ibis.Schema
    ordered: bool
    feature: FeatureSet
    risks: tuple[determinism.Risk, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class LoweredNotebook:
    """Every feature set of a notebook lowered to Spark SQL, and those refused (with why)."""

    features: FeatureSets
    lowered: tuple[LoweredFeature, ...]
    refused: tuple[Refused, ...] = ()

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.refused for d in r.diagnostics]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [w for lf in self.lowered for w in lf.warnings]


def refusal(op: ops.Node) -> str | None:
    """Why ``op`` cannot be lowered with the notebook's semantics, or None."""
    if isinstance(op, dt.DataType) or not isinstance(op, ops.Node):
        return None
    cls = type(op)
    if isinstance(op, ops.ScalarUDF):
        return (f"Python UDF '{op.__func_name__}' is not compiled to the JVM yet (the UDF "
                "translator is not built)")
    if cls in CONFORMANT_OPS:
        return None
    if cls in CHECKED_OPS:
        return CHECKED_OPS[cls](op)
    if cls in REFUSED_OPS:
        return REFUSED_OPS[cls]
    return f"no verified Spark lowering for the ibis operation '{cls.__name__}' yet"


def spark_type(dtype: dt.DataType) -> str:
    """The Spark SQL type name (``simpleString``) of an ibis type, as the runtime checks it."""
    return spark_compiler.type_mapper.from_ibis(dtype).sql("spark").lower()


@lru_cache(maxsize=None)
def _register_pyspark_options() -> None:
    # ibis's PySpark compiler reads ibis.options.pyspark, which only the PySpark backend
    # registers; importing it pulls in pyspark, which warns about pandas versions.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import ibis.backends.pyspark

        ibis.backends.pyspark.Backend.register_options()


def _bind_inputs(node: sge.Expression, inputs: frozenset[str]) -> sge.Expression:
    # Input tables become IDENTIFIER(:name) markers: the runtime binds each to a fresh temporary
    # view, so a run never reads or replaces a view the caller happens to have with that name.
    if isinstance(node, sge.Table) and node.name in inputs and not node.args.get("db"):
        marker = sge.Anonymous(this="IDENTIFIER", expressions=[sge.Placeholder(this=node.name)])
        return sge.Table(this=marker, alias=node.args.get("alias"))
    return node


def to_spark_sql(expr: ibis.Table) -> str:
    """Spark SQL for a table expression, with its input tables as IDENTIFIER(:name) markers."""
    _register_pyspark_options()
    inputs = frozenset(op.name for op in expr.op().find(ops.UnboundTable))
    tree = spark_compiler.to_sqlglot(expr.unbind())
    tree = tree.transform(_bind_inputs, inputs)
    return tree.sql(dialect=spark_compiler.dialect, pretty=True)


def lower_feature(feature: FeatureSet, notebook: str) -> tuple[LoweredFeature | None,
                                                                 list[Diagnostic]]:
    op = feature.expr.op()
    reasons = sorted({r for node in op.find(ops.Node) if (r := refusal(node))})
    if reasons:
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        return None, [Diagnostic("L100", f"feature set '{feature.name}' cannot be lowered "
                                 f"with the notebook's semantics: {r}", span,
                                 source_line=feature.cell.line_text(feature.pos.line))
                      for r in reasons]
    ordered = isinstance(op, ops.Sort) or (isinstance(op, ops.Limit)
                                           and isinstance(op.parent, ops.Sort))
    try:
        sql = to_spark_sql(feature.expr)
    except Exception as exc:  # ibis raises OperationNotDefinedError and friends
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        return None, [Diagnostic("L101", f"feature set '{feature.name}' cannot be compiled "
                                 f"to Spark SQL: {type(exc).__name__}: {exc}", span,
                                 source_line=feature.cell.line_text(feature.pos.line))]
    return LoweredFeature(feature.name, sql, feature.expr.schema(), ordered, feature,
                          determinism.risks(feature.expr)), []


def lower(features: FeatureSets) -> LoweredNotebook:
    """Lower every feature set the evaluator accepted; refused ones keep their diagnostics."""
    lowered, refused, seen = [], list(features.refused), set()
    notebook = features.bound.parsed.notebook.path
    for feature in features.features:
        result, problems = lower_feature(feature, notebook)
        if not result:
            refused.append(Refused(feature.name, tuple(problems)))
            continue
        # Warn once per order-sensitive operation: where it is first defined, not again in
        # every feature set built on top of it.
        new = tuple(r for r in result.risks if r not in seen)
        seen.update(result.risks)
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        warned = determinism.warnings(feature.name, new, span,
                                      feature.cell.line_text(feature.pos.line))
        lowered.append(dataclasses.replace(result, warnings=tuple(warned)))
    return LoweredNotebook(features, tuple(lowered), tuple(refused))
