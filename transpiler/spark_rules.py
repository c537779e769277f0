"""Which ibis operations keep the notebook's meaning on Spark: the tables the lowering obeys.

* ``CONFORMANT_OPS``: ops whose Spark lowering computes what DuckDB computes; each is exercised by
  the differential table in ``tests/test_differential.py`` (DuckDB vs the JVM, adversarial data);
* ``CHECKED_OPS``: ops that are conformant only under a condition, checked per use (the
  condition is the checker's docstring, shown in docs/subset.md);
* ``REFUSED_OPS``: ops measured to differ, with the difference as the reason;
* everything else is refused at transpile time, naming the op: there is never a silent difference.
"""

from __future__ import annotations

import re

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops

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
    ops.Strip, ops.StringReplace, ops.StringConcat, ops.StringFind, ops.LPad,
    # numeric
    ops.Abs, ops.Sign, ops.IsNan, ops.IsInf, ops.Uppercase, ops.Lowercase,
    # temporal
    ops.ExtractYear, ops.ExtractMonth, ops.ExtractDay, ops.ExtractHour, ops.ExtractMinute,
    ops.DayOfWeekIndex, ops.Date, ops.TimestampTruncate,
    ops.ExtractSecond,
    # aggregates
    ops.CountStar, ops.Count, ops.Sum, ops.Mean, ops.Min, ops.Max, ops.CountDistinct,
    ops.LStrip, ops.RStrip, ops.RPad, ops.StrRight, ops.NullIf, ops.Greatest, ops.Least,
    ops.Clip, ops.Exp, ops.ExtractQuarter, ops.ExtractDayOfYear, ops.ExtractWeekOfYear,
    ops.Median, ops.Quantile, ops.Any, ops.All,
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


def _literal(op) -> object:
    return op.value if isinstance(op, ops.Literal) else None


def _check_floor_divide(op: ops.FloorDivide) -> str | None:
    """A non-zero literal divisor."""
    if _literal(op.right) not in (0, None):
        return None
    return "// by a column: DuckDB returns NULL for a zero divisor where Spark raises"


def _check_power(op: ops.Power) -> str | None:
    """A literal integer exponent from 0 to 16."""
    exponent = _literal(op.right)
    if isinstance(exponent, int) and 0 <= exponent <= 16:
        return None
    return "** with this exponent: overflow and negative bases behave differently"


# RE2 (DuckDB) and java.util.regex (Spark) agree on plain patterns; these constructs differ:
# `$` also matches before a final newline in Java, `\s` includes \x0B in Java, POSIX classes and
# inline flags are spelled differently, `\Z`/`\z`/`\A` and backreferences differ.
_REGEX_DIVERGENT = re.compile(r"(?<!\\)\$|\\[sSZzAbBpP]|\[:|\(\?|\\[1-9]")


def _check_regex(op) -> str | None:
    """A literal pattern without `$`, `\\s`, `\\b`, `\\p`, POSIX classes, inline flags,
    anchors `\\A`/`\\Z` or backreferences (they differ between RE2 and Java)."""
    pattern = _literal(op.pattern)
    if not isinstance(pattern, str):
        return "a regex pattern that is not a literal cannot be checked for dialect differences"
    if _REGEX_DIVERGENT.search(pattern):
        return (f"regex {pattern!r} uses a construct that RE2 (DuckDB) and java.util.regex "
                "(Spark) treat differently ($, \\s, \\b, \\p, POSIX classes, flags, \\A/\\Z, "
                "backreferences)")
    replacement = getattr(op, "replacement", None)
    if replacement is not None:
        text = _literal(replacement)
        if not isinstance(text, str) or "\\" in text or "$" in text:
            return "a regex replacement must be a literal without backreferences ($1, \\1)"
    return None


def _check_split(op: ops.StringSplit) -> str | None:
    """A literal delimiter without regex metacharacters (Spark splits on a regex)."""
    delimiter = _literal(op.delimiter)
    if isinstance(delimiter, str) and delimiter and not re.search(r"[.^$*+?()\[\]{}|\\]",
                                                                    delimiter):
        return None
    return "split() on a delimiter with regex metacharacters: Spark splits on a regex"


def _check_like(op) -> str | None:
    """A literal pattern without backslashes (Spark's LIKE escapes with \\, DuckDB's does not)."""
    pattern = _literal(op.pattern)
    if isinstance(pattern, str) and "\\" not in pattern:
        return None
    return "LIKE with a backslash: Spark treats it as an escape, DuckDB does not"


_STRFTIME_SAFE = re.compile(r"^(?:%[YmdHMS]|[-: /_.,])*$")


def _check_strftime(op: ops.Strftime) -> str | None:
    """A literal format made of %Y %m %d %H %M %S and the separators - : / _ . , and space."""
    fmt = _literal(op.format_str)
    if isinstance(fmt, str) and _STRFTIME_SAFE.match(fmt):
        return None
    return f"strftime({fmt!r}): only %Y %m %d %H %M %S and simple separators are verified"


def _check_timestamp_add(op) -> str | None:
    """A literal interval in weeks, days, hours, minutes or seconds (months and years clamp
    month ends differently)."""
    interval = op.right
    if isinstance(interval, ops.Literal) and interval.dtype.unit.short in ("W", "D", "h", "m",
                                                                           "s"):
        return None
    return "adding a month/year or a non-literal interval: month-end handling is not verified"


CHECKED_OPS = {
    ops.Divide: _check_divide, ops.Modulus: _check_modulus, ops.Cast: _check_cast,
    ops.FloorDivide: _check_floor_divide, ops.Power: _check_power,
    ops.RegexSearch: _check_regex, ops.RegexExtract: _check_regex,
    ops.RegexReplace: _check_regex, ops.StringSplit: _check_split,
    ops.StringSQLLike: _check_like, ops.StringSQLILike: _check_like,
    ops.Strftime: _check_strftime, ops.TimestampAdd: _check_timestamp_add,
    ops.TimestampSub: _check_timestamp_add, ops.DateAdd: _check_timestamp_add,
    ops.DateSub: _check_timestamp_add,
}

# Measured divergences with no exact lowering yet (tests/test_differential.py shows each).
_DOMAIN = ("outside its domain DuckDB raises an error where Spark returns {spark}; "
           "the lowering does not emulate the error yet")
REFUSED_OPS = {
    ops.TryCast: "try_cast() of strings to integers: DuckDB accepts '1.5' (-> 2), '1e3' and "
                 "'0x10' where Spark returns NULL",
    ops.Reverse: "reverse(): DuckDB reverses grapheme clusters ('e' + combining accent stays "
                 "together), Spark reverses code points",
    ops.Round: "round(): ibis types round() as an integer and DuckDB raises on NaN/inf; with "
               "digits, the engines round binary halves (e.g. 2.675) differently",
    ops.TimestampDelta: "delta(): measured one day apart for timestamps before 1970 (DuckDB "
                        "-18263, Spark -18262 days)",
    ops.StandardDev: "std(): DuckDB raises 'out of range' on infinite values where Spark "
                     "returns NaN",
    ops.Variance: "var(): DuckDB raises 'out of range' on infinite values where Spark returns "
                  "NaN",
    ops.First: "first(): ibis cannot order it on Spark, and unordered it is non-deterministic",
    ops.Last: "last(): ibis cannot order it on Spark, and unordered it is non-deterministic",
    ops.ArrayCollect: "collect(): ibis cannot order it on Spark, and unordered it is "
                      "non-deterministic",
    ops.Arbitrary: "arbitrary() is non-deterministic, so the engines pick different rows",
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
}




def _udf_argument_refusal(op: ops.ScalarUDF, source) -> str | None:
    """An argument ibis accepts for a UDF parameter but DuckDB cannot bind (measured: the
    notebook's query fails with a BinderException, where Spark's CAST would compute a value)."""
    from .udfsig import to_dtype

    for arg, (name, annotation) in zip(op.args, source.fn.params):
        have, want = arg.dtype, to_dtype(annotation)
        if (want.is_integer() and have.is_uint64()) or (want.is_date() and have.is_timestamp()) \
                or (want.is_timestamp() and have.is_timestamp() and have.timezone is not None):
            return (f"argument '{name}' of UDF '{source.fn.name}' is a {have}; the notebook's "
                    f"engine (DuckDB) cannot pass it as {annotation} (the notebook's query "
                    "fails): cast the column first")
    return None


def refusal(op: ops.Node) -> str | None:
    """Why ``op`` cannot be lowered with the notebook's semantics, or None."""
    if isinstance(op, dt.DataType) or not isinstance(op, ops.Node):
        return None
    cls = type(op)
    if isinstance(op, ops.ScalarUDF):
        source = getattr(op.__func__, "__nb2jvm__", None)
        if source is not None:
            return _udf_argument_refusal(op, source)  # the body: transpiler.udfs
        return f"UDF '{op.__func_name__}' is not a typed @ibis.udf.scalar.python definition"
    if cls in CONFORMANT_OPS:
        return None
    if cls in CHECKED_OPS:
        return CHECKED_OPS[cls](op)
    if cls in REFUSED_OPS:
        return REFUSED_OPS[cls]
    return f"no verified Spark lowering for the ibis operation '{cls.__name__}' yet"


def measured_divergence(op: ops.Node) -> str | None:
    """The measured difference if ``op`` is refused only because the engines are known to differ
    (Spark can still run it, e.g. to show the difference), else None."""
    if isinstance(op, ops.Node) and not isinstance(op, ops.ScalarUDF):
        return REFUSED_OPS.get(type(op))
    return None
