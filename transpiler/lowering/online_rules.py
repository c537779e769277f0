"""The online path's rule tables: which Spark functions are plain calls of the runtime's
SparkOps (and with which types), the nb2jvm runtime's own functions, EXTRACT's units, interval
units, UDF types, and the clauses a row-local SELECT may have.  Records only."""

from __future__ import annotations

# Spark functions that are plain null-propagating calls: name -> (argument types, result type,
# SparkOps method).  Typed overloads pick by the (coerced) argument types.
CALLS = {
    "Ln": (("double",), "double", "ln"), "Sqrt": (("double",), "double", "sqrt"),
    "Exp": (("double",), "double", "exp"), "Pow": (("double", "double"), "double", "pow"),
    "Sign": (("double",), "double", "signum"), "IsNan": (("double",), "boolean", "isnan"),
    "Length": (("string",), "int", "length"),
    "Replace": (("string", "string", "string"), "string", "replace"),
    "StartsWith": (("string", "string"), "boolean", "startswith"),
    "EndsWith": (("string", "string"), "boolean", "endswith"),
    "Contains": (("string", "string"), "boolean", "contains"),
    "Repeat": (("string", "int"), "string", "repeat"),
    "UnixMicros": (("timestamp",), "bigint", "unixMicros"),
    "UnixSeconds": (("timestamp",), "bigint", "unixSeconds"),
    "Year": (("date",), "int", "year"), "Month": (("date",), "int", "month"),
    "Day": (("date",), "int", "day"), "DayOfYear": (("date",), "int", "dayOfYear"),
    "DayOfWeek": (("date",), "int", "dayOfWeek"), "Quarter": (("date",), "int", "quarter"),
    "WeekOfYear": (("date",), "int", "weekOfYear"),
}
# Anonymous functions: Spark's own the dialect does not model, and the nb2jvm runtime's
# DuckDB-semantics functions (the lowering's NB2JVM_* calls).  A "pattern" argument must be a
# literal: it is compiled once, in the class's static initialiser.
ANONYMOUS = {
    "MAKE_DATE": (("int", "int", "int"), "date", "makeDate"),
    "NB2JVM_DUCKDB_UPPER": (("string",), "string", "duckdbUpper"),
    "NB2JVM_DUCKDB_LOWER": (("string",), "string", "duckdbLower"),
    "NB2JVM_DUCKDB_SUBSTRING": (("string", "bigint", "bigint"), "string", "duckdbSubstring"),
    "NB2JVM_RE2_REPLACE": (("string", "pattern", "string"), "string", "re2Replace"),
    "NB2JVM_RE2_SPLIT": (("string", "pattern"), "array<string>", "re2Split"),
    "NB2JVM_DUCKDB_STRFTIME": (("bigint", "string"), "string", "duckdbStrftime"),
    "NB2JVM_DUCKDB_ROUND": (("double", "double", "boolean"), "double", "duckdbRound"),
    "NB2JVM_DUCKDB_ROUND_INT": (("double",), "bigint", "duckdbRoundInt"),
    "NB2JVM_DUCKDB_TRY_INT": (("string", "int"), "bigint", "duckdbTryInt"),
    "NB2JVM_DUCKDB_TRY_DOUBLE": (("string",), "double", "duckdbTryDouble"),
}
# EXTRACT(unit FROM x): the unit -> (what it reads, SparkOps method)
EXTRACT = {"YEAR": ("date", "year"), "MONTH": ("date", "month"), "DAY": ("date", "day"),
           "QUARTER": ("date", "quarter"), "WEEK": ("date", "weekOfYear"),
           "DOY": ("date", "dayOfYear"), "DAYOFWEEK": ("date", "dayOfWeek"),
           "DOW": ("date", "dayOfWeek"), "HOUR": ("timestamp", "hour"),
           "MINUTE": ("timestamp", "minute")}
# INTERVAL 'n' unit added to a timestamp: microseconds per unit, or months
INTERVAL_MICROS = {"WEEK": 7 * 86_400_000_000, "DAY": 86_400_000_000, "HOUR": 3_600_000_000,
                   "MINUTE": 60_000_000, "SECOND": 1_000_000}
INTERVAL_MONTHS = {"MONTH": 1, "YEAR": 12, "QUARTER": 3}
UDF_TYPES = {"str": "string", "int": "bigint", "float": "double", "bool": "boolean",
             "date": "bigint", "datetime": "bigint"}
UNBOX = {"string": "{}", "bigint": "{}.longValue()", "double": "{}.doubleValue()",
         "boolean": "{}.booleanValue()"}
# Spark's own scope: the clauses a row-local SELECT may have
ROW_LOCAL_ARGS = {"expressions", "from_", "from", "where"}
CLAUSES = {"joins": "a join", "group": "a group-by", "having": "HAVING", "order": "an order",
           "limit": "a limit", "offset": "an offset", "distinct": "DISTINCT",
           "laterals": "a generator (unnest)", "windows": "a window", "qualify": "a window",
           "with": "a WITH clause", "sort": "an order", "cluster": "an order",
           "distribute": "an order"}
