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
from typing import Callable

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops

from .spark_json import check_json_get, json_refusal
from .spark_numeric import shift_width
from .spark_time import time_refusal
from .unordered import outputs as unordered_outputs, users_of

CONFORMANT_OPS = frozenset({
    # relations
    ops.UnboundTable, ops.Field, ops.Filter, ops.Project, ops.Aggregate, ops.Sort,
    ops.SortKey, ops.Limit, ops.Distinct, ops.DropColumns, ops.JoinChain, ops.JoinLink,
    ops.JoinReference, ops.SelfReference, ops.Union, ops.InMemoryTable, ops.Intersection,
    ops.Difference, ops.TableUnnest,
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
    ops.ExtractSecond, ops.ExtractEpochSeconds,
    # aggregates
    ops.CountStar, ops.Count, ops.Sum, ops.Min, ops.Max, ops.CountDistinct,
    ops.LStrip, ops.RStrip, ops.RPad, ops.StrRight, ops.NullIf, ops.Greatest, ops.Least,
    ops.Clip, ops.Exp, ops.ExtractQuarter, ops.ExtractDayOfYear, ops.ExtractWeekOfYear,
    ops.Median, ops.Quantile, ops.Any, ops.All,
    ops.Sqrt, ops.Ln, ops.Log10, ops.Log2, ops.Log, ops.Floor, ops.Ceil, ops.StandardDev,
    ops.Variance,
    # windows
    ops.WindowFunction, ops.WindowBoundary, ops.RowNumber, ops.MinRank, ops.DenseRank,
    ops.PercentRank, ops.CumeDist, ops.NTile, ops.Lag, ops.Lead,
    # proven on the generated value space (tests/test_value_space.py)
    ops.Capitalize, ops.Repeat, ops.StringSlice, ops.Translate, ops.StringAscii, ops.HexDigest,
    ops.Levenshtein, ops.IdenticalTo, ops.SimpleCase, ops.Xor, ops.BitwiseAnd, ops.BitwiseOr,
    ops.BitwiseXor, ops.BitwiseNot, ops.Atan, ops.Atan2, ops.Acos, ops.Asin, ops.Sin, ops.Cos,
    ops.Tan, ops.Cot, ops.Radians, ops.Degrees, ops.Pi, ops.E, ops.DayOfWeekName,
    ops.ExtractMillisecond, ops.DateFromYMD, ops.TimestampFromUNIX,
    ops.ArrayLength, ops.ArrayIndex, ops.ArrayContains, ops.ArrayStringJoin, ops.DateTruncate,
    ops.ExtractIsoYear, ops.FindInSet, ops.ArraySlice, ops.ArraySort, ops.ArrayConcat,
    ops.ArrayPosition, ops.ArrayRemove, ops.ArrayMax, ops.ArrayMin, ops.StringJoin, ops.Array,
    ops.ArraySum, ops.ArrayMean, ops.ArrayFilter, ops.ArrayMap, ops.ArrayAny, ops.ArrayAll,
    ops.Argument, ops.ExtractMicrosecond, ops.TimestampFromYMDHMS,
    ops.Map, ops.MapGet, ops.MapContains, ops.MapKeys, ops.MapValues, ops.MapLength,
    ops.MapMerge, ops.StructColumn, ops.StructField, ops.ArrayFlatten, ops.ArrayRepeat,
    ops.ArrayZip, ops.IntegerRange, ops.TimestampBucket, ops.IntervalFromInteger,
    ops.IntervalAdd, ops.IntervalSubtract, ops.IntervalMultiply, ops.Time, ops.TimeAdd, ops.TimeSub, ops.TimeDelta, ops.TimeFromHMS,
    ops.UnwrapJSONString, ops.UnwrapJSONInt64, ops.UnwrapJSONFloat64,
    ops.UnwrapJSONBoolean, ops.ToJSONArray, ops.ToJSONMap, ops.TimestampRange,
    # relational surface (issue 21; tests/test_relational.py)
    ops.Alias, ops.FillNull, ops.DropNull, ops.ScalarSubquery, ops.InSubquery,
    ops.ExistsSubquery, ops.DummyTable, ops.NthValue, ops.BitAnd, ops.BitOr, ops.BitXor,
    ops.MultiQuantile, ops.CountDistinctStar, ops.Covariance,
    ops.Kurtosis, ops.Unnest, ops.AliasedRelation,
    # a table of the notebook's connection: bound to an input of the artifact (frontend.inputs)
    ops.DatabaseTable,
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
    """Integer or boolean to integer or float, float to float64 or to an integer, decimal of up
    to 15 digits to float64, integer, boolean, date or timestamp to string, integer to boolean,
    string to a signed integer, float64 or boolean,
    between dates and timestamps with or without a zone, and an integer literal to an interval
    (window bounds)."""
    # Integer <-> float widening and anything -> string of integers print identically; other
    # casts (float -> int rounding, timestamp formatting) differ between the engines.
    src, dst = op.arg.dtype, op.to
    if dst.is_unsigned_integer() or src.is_unsigned_integer():
        return f"cast from {src} to {dst}: Spark has no unsigned integer types"
    if (src.is_integer() or src.is_boolean()) and (dst.is_integer() or dst.is_floating()):
        return None
    if src.is_floating() and dst.is_float64():  # exact widening (or nothing)
        return None
    # window bounds: ibis writes `following=0` of a RANGE window over time as CAST(0 AS INTERVAL)
    if src.is_integer() and dst.is_interval() and isinstance(op.arg, ops.Literal):
        return None
    # a zone is only a label: both engines keep the instant and read wall clocks in UTC
    if (src.is_timestamp() or src.is_date()) and (dst.is_timestamp() or dst.is_date()):
        return None
    # both divide the unscaled integer (exact below 2^53) by 10^scale: one correctly rounded step
    if src.is_decimal() and dst.is_float64() and (src.precision or 38) <= 15:
        return None
    if src.is_integer() and dst.is_string():
        return None
    # float -> integer rounds half to even and raises outside the range in both (the rule
    # emulates DuckDB's rounding); booleans, dates and timestamps print the same text
    if src.is_floating() and dst.is_integer():
        return None
    if (src.is_boolean() or src.is_date() or (src.is_timestamp() and src.timezone is None)) \
            and dst.is_string():
        return None
    if src.is_integer() and dst.is_boolean():
        return None
    # DuckDB checks the text and keeps it (spark_json: a JSON value is carried as its text)
    if src.is_string() and dst.is_json():
        return None
    # text read by the runtime as DuckDB reads it (DuckDbCast.java: signs, spaces, underscores,
    # 0x/0b, a fraction rounded half away, exponents; inf/nan; true/t/yes/y/1)
    if src.is_string() and (dst.is_signed_integer() or dst.is_float64() or dst.is_boolean()):
        return None
    if src.is_string() and dst.is_float32():
        return ("cast of text to float32: DuckDB's float reader gives 15.0 for "
                "'1.4999999999999999999999e1_0' where its double reader gives 1.5e10; cast to "
                "float64")
    return f"cast from {src} to {dst}: the engines disagree on some values"


def _check_try_cast(op: ops.TryCast) -> str | None:
    """The pairs ``cast`` lowers, with NULL where the cast would fail (both engines'
    try_cast), not to JSON."""
    if op.to.is_json():
        return "try_cast() to JSON: not verified"
    return _check_cast(op)


def _check_shift(op) -> str | None:
    """Operands whose DuckDB integer type is known (int32 or int64 columns, casts to them,
    literals, and negations, absolute values, conditionals and shifts of those): DuckDB shifts
    in that type, not in ibis's."""
    try:
        shift_width(op)
    except ValueError as why:
        return str(why)
    return None


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


def _check_regex(op) -> str | None:
    """A literal pattern that ``transpiler.lowering.regex`` translates from RE2 to java.util.regex (not
    `\\p`, inline flags, lookaround, `\\Q`); a literal replacement with only `\\1`..`\\9` and
    `\\\\` escapes."""
    from .regex import RegexRefusal, check_rewrite, check_search, to_java

    pattern = _literal(op.pattern)
    if not isinstance(pattern, str):
        return "a regex pattern that is not a literal cannot be translated from RE2 to Java"
    try:
        java = to_java(pattern)
        if isinstance(op, ops.RegexSearch):
            check_search(pattern)
        replacement = getattr(op, "replacement", None)
        if replacement is not None:
            text = _literal(replacement)
            if not isinstance(text, str):
                return "a regex replacement that is not a literal cannot be translated"
            check_rewrite(text, java.groups)
    except RegexRefusal as e:
        return str(e)
    return None


def _check_split(op: ops.StringSplit) -> str | None:
    """A literal, non-empty delimiter (Spark splits on a regex: it is quoted)."""
    delimiter = _literal(op.delimiter)
    if isinstance(delimiter, str) and delimiter:
        return None
    return "split() on an empty or non-literal delimiter: Spark splits on a regex"


def _check_like(op) -> str | None:
    """A literal pattern without backslashes (Spark's LIKE escapes with \\, DuckDB's does not)."""
    pattern = _literal(op.pattern)
    if isinstance(pattern, str) and "\\" not in pattern:
        return None
    return "LIKE with a backslash: Spark treats it as an escape, DuckDB does not"


# DuckDB's strftime directives (measured; DuckDbStrftime.java formats them); `-` drops the
# zero padding of the numeric ones
_STRFTIME = re.compile(r"%(?:[aAwudbhBmyYGVHIpMSfgzZjUWcxXT%]|-[dmyHIMSj])")


def _check_strftime(op: ops.Strftime) -> str | None:
    """A literal format of DuckDB's directives (not %n; no %z or %Z of a timestamp with a time
    zone)."""
    fmt = _literal(op.format_str)
    if not isinstance(fmt, str):
        return "strftime() with a format that is not a literal"
    if op.arg.dtype.is_timestamp() and op.arg.dtype.timezone is not None and re.search(
            r"(?<!%)(?:%%)*%[zZ]", fmt):
        return "strftime() of %z or %Z of a timestamp with a time zone: not verified"
    if re.search(r"(?<!%)(?:%%)*%n", fmt):
        return (f"strftime({fmt!r}): DuckDB 1.4 writes %n of a timestamp as six digits and ends "
                "the text with NUL characters")
    rest = _STRFTIME.sub("", fmt)
    if "%" in rest:
        bad = rest[rest.index("%"):rest.index("%") + 2]
        return f"strftime({fmt!r}): {bad!r} is not a directive DuckDB formats (it fails on it)"
    return None


_INTERVAL_UNITS = ("Y", "Q", "M", "W", "D", "h", "m", "s")


def _has_months(node) -> bool:
    if node.dtype.unit.short in ("Y", "Q", "M"):
        return True
    return any(_has_months(a) for a in node.args if isinstance(a, ops.Value)
               and a.dtype.is_interval())


def _interval_unverified(node) -> str | None:
    """Why an interval expression is outside the verified forms, or None."""
    if node.dtype.unit.short not in _INTERVAL_UNITS:
        return f"an interval in {node.dtype.unit.plural}"
    if isinstance(node, ops.Literal):
        return None
    if isinstance(node, ops.IntervalFromInteger):
        return None
    if isinstance(node, (ops.IntervalAdd, ops.IntervalSubtract)):
        return _interval_unverified(node.left) or _interval_unverified(node.right)
    if isinstance(node, ops.IntervalMultiply):
        if not node.right.dtype.is_integer() and _has_months(node.left):
            # DuckDB carries a fraction of a month into days (1 month * 1.5 is 1 month 15
            # days); Spark drops it
            return "an interval of months multiplied by a fraction"
        return _interval_unverified(node.left)
    return f"an interval computed by {type(node).__name__}"


def _check_timestamp_add(op) -> str | None:
    """An interval of years, quarters, months, weeks, days, hours, minutes or seconds: a literal,
    ``n.as_interval(unit)``, or sums, differences and integer multiples of those (both engines
    add months, then days, then the time, and clamp a month end: Jan 31 + 1 month is Feb
    28/29)."""
    why = _interval_unverified(op.right)
    if why is None:
        return None
    return f"adding {why}: not verified; use ibis.interval(...) or n.as_interval(unit)"


def _check_round(op: ops.Round) -> str | None:
    """A float64 value and literal digits (or none): DuckDB's binary rounding is emulated."""
    if not op.arg.dtype.is_float64():
        return (f"round() of a {op.arg.dtype}: only float64 rounding is verified (DuckDB rounds "
                "float32 in single precision, decimals and integers by their own rules)")
    if op.digits is not None and not isinstance(op.digits, ops.Literal):
        return "round() with digits that are not a literal integer"
    return None


_DELTA_UNITS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second",
                "millisecond", "microsecond")


def _check_delta(op) -> str | None:
    """A unit spelled as one of year, quarter, month, week, day, hour, minute, second,
    millisecond, microsecond."""
    unit = _literal(op.part)
    if unit not in _DELTA_UNITS:
        return (f"delta() in unit {unit!r}: only {', '.join(_DELTA_UNITS)} are verified "
                "(DuckDB reads abbreviations its own way)")
    return None


def _check_mean(op: ops.Mean) -> str | None:
    """Not of a decimal (ibis types that mean as the decimal type itself)."""
    # DuckDB's mean of a decimal is a double, which ibis then rounds to the column's own scale
    # by its binary value; Spark's is a decimal with 4 more digits, rounded by its text.
    if op.arg.dtype.is_decimal():
        return (f"mean() of a {op.arg.dtype}: ibis rounds DuckDB's double mean back to the "
                "decimal's scale; cast the column to float64 first")
    return None


_STRPTIME = re.compile(r"^(?:%[YmdHMS%]|[^%])*$")


def _check_strptime(op) -> str | None:
    """A literal format made of %Y %m %d %H %M %S, %% and literal characters."""
    fmt = _literal(op.format_str)
    if isinstance(fmt, str) and _STRPTIME.match(fmt):
        return None
    return (f"parsing with format {fmt!r}: only %Y %m %d %H %M %S and literal characters follow "
            "DuckDB's strptime exactly on Spark")


def _check_ordered(op) -> str | None:
    """An order_by (collect() without one: as an output column only, compared as a multiset;
    with one, not distinct=True)."""
    name = {ops.First: "first", ops.Last: "last"}.get(type(op), "collect")
    if not op.order_by and name == "collect":
        return ("collect() without order_by gives its elements in each engine's scan order: "
                "accepted only as an output column (compared as a multiset); to index, join or "
                "compare the array, pass order_by=")
    if not op.order_by:
        return (f"{name}() without order_by picks arbitrary rows, differently on each engine: "
                "pass order_by= (distinct(on=..., keep='first'/'last') is this case too: keep "
                "the rows where ibis.row_number() over an ordered window is 0 instead)")
    if getattr(op, "distinct", False):
        return "collect(distinct=True, order_by=...) is not verified"
    return None


def _check_group_concat(op: ops.GroupConcat) -> str | None:
    """An order_by, a literal separator and a string argument."""
    if not op.order_by:
        return ("group_concat() without order_by joins the values in DuckDB's scan order, "
                "which differs on each engine: pass order_by=")
    if not isinstance(op.sep, ops.Literal):
        return "group_concat() with a separator column: DuckDB takes a constant separator only"
    if not op.arg.dtype.is_string():
        # DuckDB joins its own text of each value (1e+20, nan), Spark would join its own
        return (f"group_concat() of a {op.arg.dtype}: DuckDB joins its own text of each value; "
                "cast the column to a string first (where the cast is lowered)")
    return None


def _unorderable(dtype: dt.DataType) -> bool:
    if dtype.is_map() or dtype.is_json():
        return True
    if dtype.is_array():
        return _unorderable(dtype.value_type)
    if dtype.is_struct():
        return any(_unorderable(t) for t in dtype.types)
    return False


def _check_orderable(op) -> str | None:
    """A value Spark can sort and compare (no map or JSON in it)."""
    # the rules compare the group's values (min = max, sorted runs, tied keys); Spark orders no
    # map
    for value in (op.arg, getattr(op, "key", None)):
        if value is not None and _unorderable(value.dtype):
            return (f"{type(op).__name__.lower()}() of a {value.dtype}: Spark cannot compare "
                    "those values")
    return None


def _check_correlation(op: ops.Correlation) -> str | None:
    """how='pop' (ibis's DuckDB backend implements no other)."""
    if op.how != "pop":
        return ("corr() with how='sample': the notebook's engine refuses it (ibis's DuckDB "
                "backend implements only the population correlation); write how='pop'")
    return None


CHECKED_OPS = {
    ops.Divide: _check_divide, ops.Modulus: _check_modulus, ops.Cast: _check_cast,
    ops.FloorDivide: _check_floor_divide, ops.Power: _check_power,
    ops.RegexSearch: _check_regex, ops.RegexExtract: _check_regex,
    ops.RegexReplace: _check_regex, ops.RegexSplit: _check_regex, ops.StringSplit: _check_split,
    ops.StringSQLLike: _check_like, ops.StringSQLILike: _check_like,
    ops.Strftime: _check_strftime, ops.TimestampAdd: _check_timestamp_add,
    ops.JSONGetItem: check_json_get, ops.TryCast: _check_try_cast,
    ops.BitwiseLeftShift: _check_shift, ops.BitwiseRightShift: _check_shift,
    ops.TimestampSub: _check_timestamp_add, ops.DateAdd: _check_timestamp_add,
    ops.DateSub: _check_timestamp_add, ops.Round: _check_round,
    ops.TimestampDelta: _check_delta, ops.DateDelta: _check_delta, ops.Mean: _check_mean,
    ops.StringToTimestamp: _check_strptime, ops.StringToDate: _check_strptime,
    ops.StringToTime: _check_strptime,
    ops.First: _check_ordered, ops.Last: _check_ordered, ops.ArrayCollect: _check_ordered,
    ops.GroupConcat: _check_group_concat, ops.Mode: _check_orderable,
    ops.Arbitrary: _check_orderable, ops.Correlation: _check_correlation,
    ops.ArgMin: _check_orderable, ops.ArgMax: _check_orderable,
}

# Measured divergences with no exact lowering yet (tests/test_differential.py shows each).
REFUSED_OPS = {
    ops.ArrayDistinct: "unique(): DuckDB returns the elements in its hash table's order "
                       "([3, 1, 1, 2, 3] gives [2, 1, 3]), Spark's array_distinct in first-seen "
                       "order ([3, 1, 2]); sort the result or count it instead",
    ops.ArrayUnion: "union(): DuckDB returns the elements in its hash table's order ([3, 1, 2] "
                    "with [2, 5] gives [5, 2, 1, 3]), Spark's array_union in first-seen order",
    ops.ArrayIntersect: "intersect(): DuckDB returns the elements in its hash table's order, "
                        "Spark's array_intersect in the first array's order",
    ops.ArrayMode: "modes(): DuckDB breaks a tie by its hash table's order ([3, 1, 1, 2, 3] "
                   "gives 3), which no Spark function reproduces",
    ops.Reverse: "reverse(): DuckDB reverses grapheme clusters ('e' + combining accent stays "
                 "together), Spark reverses code points",
    ops.ApproxCountDistinct: "approx_nunique(): DuckDB's HyperLogLog sketch is not exact from 8 "
                             "distinct values on (0..7 counts 9), and Spark's HLL++ sketch "
                             "errs differently; use nunique()",
    **dict.fromkeys((ops.ApproxMedian, ops.ApproxQuantile, ops.ApproxMultiQuantile),
                    "approx_median()/approx_quantile(): DuckDB's T-digest interpolates in "
                    "float32 (the 0.3 quantile of 0.0 and 1.0 is 0.10000002384185791, of the "
                    "integers 0..3 the median is 2), Spark's approx_percentile returns an "
                    "element; use median()/quantile()"),
    ops.Sample: "sample() draws random rows: each engine draws its own (filter on a hash of a key "
                "column, or pass the sample as an input)",
    ops.RowID: "rowid() numbers rows in each engine's physical order, which differs",
    ops.TypeOf: "typeof() names types in each engine's own words (DuckDB 'VARCHAR', Spark "
                "'string')",
    ops.Hash: "hash() is each engine's own hash function (DuckDB's 64-bit hash, Spark's 32-bit "
              "Murmur3), so the values differ",
}




def _udf_argument_refusal(op: ops.ScalarUDF, source) -> str | None:
    """An argument ibis accepts for a UDF parameter but DuckDB cannot bind (measured: the
    notebook's query fails with a BinderException, where Spark's CAST would compute a value)."""
    from ..udf.udfsig import to_dtype

    for arg, (name, annotation) in zip(op.args, source.fn.params):
        have, want = arg.dtype, to_dtype(annotation)
        if (want.is_integer() and have.is_uint64()) or (want.is_date() and have.is_timestamp()) \
                or (want.is_timestamp() and have.is_timestamp() and have.timezone is not None):
            return (f"argument '{name}' of UDF '{source.fn.name}' is a {have}; the notebook's "
                    f"engine (DuckDB) cannot pass it as {annotation} (the notebook's query "
                    "fails): cast the column first")
    return None


def _float32_mix(op: ops.Node) -> str | None:
    """A float32 next to a decimal or a float literal: DuckDB computes in single precision
    (`CAST(0.1 AS FLOAT) + 1.5` is 1.600000023841858, and 0.1::FLOAT > 0.1 is false), Spark
    widens both to double (1.6000000014901161, true), so the operand must be cast first."""
    if not isinstance(op, ops.Value) or isinstance(op, (ops.Cast, ops.Alias)):
        return None
    args = [a for arg in op.args for a in (arg if isinstance(arg, tuple) else (arg,))
            if isinstance(a, ops.Value)]
    if not any(a.dtype.is_float32() for a in args):
        return None
    for a in args:
        if a.dtype.is_decimal() or (isinstance(a, ops.Literal) and a.dtype.is_float64()):
            other = "float literal" if isinstance(a, ops.Literal) else str(a.dtype)
            return (f"{type(op).__name__} of a float32 and a {other}: DuckDB computes in single "
                    "precision where Spark widens to double; cast the float32 column to float64 "
                    "first")
    return None


def refusal(op: ops.Node) -> str | None:
    """Why ``op`` cannot be lowered with the notebook's semantics, or None."""
    if isinstance(op, dt.DataType) or not isinstance(op, ops.Node):
        return None
    cls = type(op)
    if isinstance(op, ops.ScalarUDF):
        source = getattr(op.__func__, "__nb2jvm__", None)
        if source is not None:
            return _udf_argument_refusal(op, source)  # the body: transpiler.udf.udfs
        return f"UDF '{op.__func_name__}' is not a typed @ibis.udf.scalar.python definition"
    mixed = _float32_mix(op) or time_refusal(op) or json_refusal(op)
    if mixed:
        return mixed
    if cls in CONFORMANT_OPS:
        return None
    if cls in CHECKED_OPS:
        return CHECKED_OPS[cls](op)
    if cls in REFUSED_OPS:
        return REFUSED_OPS[cls]
    return f"no verified Spark lowering for the ibis operation '{cls.__name__}' yet"


def _single_row_groups(aggregate, users: dict) -> bool:
    """Whether every user of ``aggregate`` keeps only its groups of one row (a filter on its
    unfiltered ``count() == 1`` metric, as ibis writes distinct(on=..., keep=None))."""

    def keeps_single(pred) -> bool:
        if not isinstance(pred, ops.Equals):
            return False
        for field, one in ((pred.left, pred.right), (pred.right, pred.left)):
            if isinstance(field, ops.Field) and field.rel == aggregate \
                    and isinstance(one, ops.Literal) and one.value == 1:
                metric = aggregate.metrics.get(field.name)
                if isinstance(metric, ops.CountStar) and metric.where is None:
                    return True
        return False

    parents = [u for u in users.get(aggregate, ()) if not isinstance(u, ops.Field)]
    return bool(parents) and all(isinstance(u, ops.Filter) and any(map(keeps_single, u.predicates))
                                 for u in parents)


def _unnest_refusals(nodes: list, users: dict) -> dict:
    """unnest() nodes Spark cannot run as DuckDB does, with why: Spark allows one generator
    per select, as a whole column (DuckDB zips several, padding with NULLs, and computes on
    the unnested value)."""
    found = {}
    for node in nodes:
        if not isinstance(node, ops.Unnest):
            continue
        for user in users.get(node, ()):
            if not isinstance(user, ops.Project) or node not in user.values.values():
                found[node] = ("unnest() inside another expression: Spark runs an unnest only "
                               "as a whole column; unnest first, then compute on the column")
            elif sum(isinstance(v, ops.Unnest) for v in user.values.values()) > 1:
                found[node] = ("two unnest() in one select: DuckDB zips them (padding the "
                               "shorter with NULLs), Spark runs one per select")
    return found


def in_context(nodes: list, root: ops.Node | None = None) -> Callable[[ops.Node], str | None]:
    """``refusal`` for the nodes of one expression, where the context decides:

    * a first()/last() computed only over windows with an order_by takes its order from the
      window (ibis lowers it to FIRST_VALUE/LAST_VALUE over the window's frame on both engines);
    * an unordered first()/last() metric of a group-by whose result keeps only its groups of one
      row (distinct(on=..., keep=None)) has one row to pick from;
    * an unordered collect() that reaches an output column unchanged is an array whose element
      order is arbitrary on both engines: compared as a multiset (``unordered.py``).
    """
    users = users_of(nodes)
    ordered = {n for n in nodes if isinstance(n, (ops.First, ops.Last)) and not n.order_by
               and n.where is None and users.get(n) and all(
                   isinstance(u, ops.WindowFunction) and u.func is n and u.order_by
                   for u in users[n])}
    unnests = _unnest_refusals(nodes, users)
    for node in nodes:
        if isinstance(node, ops.Aggregate) and _single_row_groups(node, users):
            ordered.update(m for m in node.metrics.values()
                           if isinstance(m, (ops.First, ops.Last)) and not m.order_by)
    if root is not None:
        ordered.update(unordered_outputs(root, nodes))

    def check(node) -> str | None:
        if node in unnests:
            return unnests[node]
        return None if node in ordered else refusal(node)

    return check


def measured_divergence(op: ops.Node) -> str | None:
    """The measured difference if ``op`` is refused only because the engines are known to differ
    (Spark can still run it, e.g. to show the difference), else None."""
    if isinstance(op, ops.Node) and not isinstance(op, ops.ScalarUDF):
        return REFUSED_OPS.get(type(op))
    return None
