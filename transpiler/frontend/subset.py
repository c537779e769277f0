"""The ibis API an exported cell may use: the single source of truth for the subset.

Three tables decide every attribute an exported cell reaches:

* ``IBIS_FUNCTIONS``: ``ibis.<name>`` functions that only build expressions;
* ``TABLE_METHODS`` / ``VALUE_METHODS``: methods of table and column/scalar expressions;
* ``REFUSED``: names that exist in ibis but are outside the subset, each with the reason shown
  to the author.

Anything else that exists on an ibis object is refused as "not in the subset"; anything that does
not exist gets a "did you mean".  Whether an op also *lowers* to Spark with the notebook's exact
semantics is decided later, op by op, in :mod:`transpiler.lowering.lower`.
"""

from __future__ import annotations

import difflib

IBIS_FUNCTIONS = frozenset({
    "literal", "null", "ifelse", "cases", "coalesce", "greatest", "least",
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
    "window", "rows_window", "range_window", "cumulative_window",
    "desc", "asc", "interval", "date", "timestamp", "time", "and_", "or_",
    "array", "map", "struct", "range", "dtype", "schema", "memtable", "_", "pi", "e",
    "union", "intersect", "difference",
})

TABLE_METHODS = frozenset({
    "filter", "select", "mutate", "drop", "rename", "relocate", "group_by", "aggregate", "agg",
    "having", "order_by", "limit", "head", "distinct", "join", "inner_join", "left_join",
    "right_join", "outer_join", "semi_join", "anti_join", "cross_join", "asof_join", "union",
    "intersect", "difference", "count", "cast", "fill_null", "drop_null", "view", "unnest",
    "value_counts", "nunique", "columns", "pivot_longer", "pivot_wider", "as_scalar",
    "alias",
})

# Attributes of ibis expressions (of any type: tables, structs, ...) whose value is a plain
# Python object, not an expression. On a real table or column the interpreter evaluates them
# and its allowlists apply to the result; on the deferred `_` they are refused: ibis resolves
# the whole chain later, outside the interpreter, so `_.columns[1].format(_)` or
# `_.s.names[0].format(_)` would call `str.format` on the table. A test derives this set from
# the installed ibis (properties and methods annotated to return non-expressions) and fails
# when ibis grows a new one.
PLAIN_VALUED = frozenset({
    "columns", "names", "fields", "types", "schema", "get_name", "type", "op", "equals",
    "compile", "execute", "get_backend", "release", "visualize", "to_csv", "to_delta",
    "to_json", "to_list", "to_pandas", "to_pandas_batches", "to_parquet", "to_parquet_dir",
    "to_polars", "to_pyarrow", "to_pyarrow_batches", "to_sql", "to_torch",
})

GROUPED_METHODS = frozenset({
    "aggregate", "agg", "having", "mutate", "select", "order_by", "count",
})

VALUE_METHODS = frozenset({
    # naming, nulls, comparison helpers
    "name", "cast", "try_cast", "isnull", "notnull", "fill_null", "nullif", "coalesce",
    "isin", "notin", "between", "ifelse", "cases", "typeof", "asc", "desc", "over",
    # numeric
    "abs", "ceil", "floor", "round", "exp", "ln", "log", "log2", "log10", "sqrt", "sign",
    "clip", "negate", "isnan", "isinf", "pow", "acos", "asin", "atan", "atan2", "cos", "sin",
    "tan", "cot", "radians", "degrees", "bucket",
    # aggregates and analytics
    "sum", "mean", "min", "max", "count", "nunique", "std", "var", "median", "quantile",
    "first", "last", "any", "all", "arbitrary", "collect", "mode", "argmax", "argmin",
    "cumsum", "cummean", "cummin", "cummax", "lag", "lead", "rank", "dense_rank",
    "percent_rank", "cume_dist", "ntile", "value_counts", "topk", "corr", "cov",
    "group_concat", "bit_and", "bit_or", "bit_xor", "kurtosis", "nth", "as_scalar", "as_table",
    "approx_nunique", "approx_median", "approx_quantile", "unnest",
    # strings
    "length", "lower", "upper", "capitalize", "strip", "lstrip", "rstrip", "substr", "left",
    "right", "find", "contains", "startswith", "endswith", "like", "ilike", "replace",
    "re_search", "re_extract", "re_replace", "re_split", "split", "lpad", "rpad", "concat",
    "repeat", "reverse", "join", "translate", "levenshtein", "ascii_str", "find_in_set",
    "hexdigest", "identical_to",
    # temporal
    "date", "time", "year", "month", "day", "hour", "minute", "second", "millisecond",
    "microsecond", "day_of_week", "day_of_year", "week_of_year", "quarter", "epoch_seconds",
    "truncate", "delta", "strftime", "index", "full_name", "as_timestamp", "as_date", "as_time",
    "iso_year", "epoch_days", "as_interval",
    # arrays, maps, structs
    "unique", "sort", "flatten", "union", "intersect", "remove", "maxs", "mins", "sums",
    "means", "modes", "alls", "anys", "zip", "keys", "values", "get", "map", "filter",
    "contains", "length", "array", "str", "int", "float", "bool",
})

# Methods of plain Python values (constants, column-name lists) a cell may call: pure ones only
# (no str.format, which reaches attributes of its arguments).
PYTHON_METHODS = {
    str: frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "replace", "startswith",
                    "endswith", "split", "join", "title", "capitalize", "zfill", "isdigit",
                    "isalpha", "isalnum", "isspace", "find", "count", "removeprefix",
                    "removesuffix"}),
    dict: frozenset({"items", "keys", "values", "get"}),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
}


def python_methods(value) -> frozenset[str] | None:
    """The callable methods of a plain Python value, or None when it is not one."""
    return PYTHON_METHODS.get(type(value))


_RUNS_A_QUERY = "runs a query; exported cells only define features"
_IO = "reads or writes data; exported cells only define features (inputs are bound by nb2jvm)"
_NONDETERMINISTIC = "is non-deterministic, so the JVM and the notebook could never agree"

REFUSED = {
    **{name: _RUNS_A_QUERY for name in (
        "execute", "to_pandas", "to_pyarrow", "to_pyarrow_batches", "to_polars", "to_torch",
        "to_list", "preview", "describe", "info", "to_pandas_batches", "visualize")},
    **{name: _IO for name in (
        "to_parquet", "to_csv", "to_delta", "to_json", "to_xlsx", "to_parquet_dir",
        "read_parquet", "read_csv", "read_json", "read_delta", "read_sql", "connect",
        "raw_sql", "sql", "cache", "create_table", "insert")},
    "table": "declares an input; write it on its own line: NAME = ibis.table({...}, name=...)",
    "compile": "produces SQL text; nb2jvm does the compiling",
    "to_sql": "produces SQL text; nb2jvm does the compiling",
    "set_backend": "changes global state; exported cells only define features",
    "get_backend": "reaches the notebook's connection; exported cells only define features",
    "options": "changes global state; exported cells only define features",
    "param": "query parameters are not supported in exported cells",
    "random": "random() " + _NONDETERMINISTIC,
    "uuid": "uuid() " + _NONDETERMINISTIC,
    "now": "now() " + _NONDETERMINISTIC + "; pass the reference time as an input column",
    "today": "today() " + _NONDETERMINISTIC + "; pass the reference date as an input column",
    "sample": "sample() " + _NONDETERMINISTIC,
    "udf": "Python UDFs are not supported yet (they come with the UDF translator)",
}


def refusal(name: str) -> str | None:
    """Why ``name`` is refused, or None when it is not a known refusal."""
    return REFUSED.get(name)


def suggestion(name: str, candidates) -> str | None:
    """A 'did you mean' hint for a misspelt name."""
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.75)
    return f"did you mean '{close[0]}'?" if close else None
