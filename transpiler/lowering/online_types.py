"""The online path's types: a Spark SQL type, the Java type the generated row function holds it
in, and the conversions between Spark types that are exact (Spark's implicit casts under ANSI).
A table, so the expression compiler (online.py) never spells a Java type itself."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Spark type -> the Java type inside the row function.  Dates are days and timestamps
# microseconds, as Spark holds them; the session time zone is UTC (manifest spark_conf), so a
# TIMESTAMP and a TIMESTAMP_NTZ hold the same microseconds for the same wall-clock time.
JAVA = {
    "int": "Integer", "bigint": "Long", "double": "Double", "string": "String",
    "boolean": "Boolean", "date": "Integer", "timestamp": "Long", "timestamp_ntz": "Long",
    "array<string>": "java.util.List<String>",
}
# Spark type -> the Java type of the API (records, maps): dates and timestamps as java.time.
API = {**JAVA, "date": "java.time.LocalDate", "timestamp": "java.time.LocalDateTime",
       "timestamp_ntz": "java.time.LocalDateTime"}
# inside -> API, and API -> inside, per type where they differ ({} is the value)
TO_API = {"date": "({0} == null ? null : {ops}.date({0}))",
          "timestamp": "({0} == null ? null : {ops}.dateTime({0}))",
          "timestamp_ntz": "({0} == null ? null : {ops}.dateTime({0}))"}
FROM_API = {"date": "{ops}.days({0})", "timestamp": "{ops}.micros({0})",
            "timestamp_ntz": "{ops}.micros({0})"}

NUMERIC = ("int", "bigint", "double")
# Spark's implicit widening (TypeCoercion, ANSI): each pair to the exact conversion
WIDEN = {("int", "bigint"): "{ops}.toLong({0})", ("int", "double"): "{ops}.toDouble({0})",
         ("bigint", "double"): "{ops}.toDouble({0})",
         ("timestamp_ntz", "timestamp"): "{0}", ("timestamp", "timestamp_ntz"): "{0}",
         ("date", "timestamp"): "{ops}.toTimestamp({0})"}
# CAST(x AS t) beyond widening, under ANSI (each raises where Spark raises)
CASTS = {
    ("bigint", "int"): "{ops}.toInt({0})", ("double", "bigint"): "{ops}.toLong({0})",
    ("double", "int"): "{ops}.toInt({0})", ("boolean", "bigint"): "{ops}.toLong({0})",
    ("boolean", "int"): "{ops}.toInt({0})", ("boolean", "double"): "{ops}.toDouble({0})",
    ("bigint", "string"): "{ops}.toStr({0})", ("int", "string"): "{ops}.toStr({0})",
    ("boolean", "string"): "{ops}.toStr({0})", ("double", "string"): "{ops}.toStr({0})",
    ("timestamp", "date"): "{ops}.toDate({0})",
    ("timestamp_ntz", "date"): "{ops}.toDate({0})",
    ("date", "timestamp_ntz"): "{ops}.toTimestamp({0})",
}
# sqlglot's DataType names -> Spark type names
SQL_TYPES = {"INT": "int", "BIGINT": "bigint", "DOUBLE": "double", "TEXT": "string",
             "VARCHAR": "string", "BOOLEAN": "boolean", "DATE": "date",
             "TIMESTAMP": "timestamp", "TIMESTAMPNTZ": "timestamp_ntz",
             "TIMESTAMPLTZ": "timestamp", "TIMESTAMPTZ": "timestamp"}


@dataclass(frozen=True)
class Val:
    """A value of the row function: a Java expression (a local or a constant) and its type.

    ``literal`` keeps a literal's SQL text, so that constant casts fold at compile time and a
    DECIMAL literal (Spark reads ``0.92`` as one) can meet a DOUBLE as the exact double."""

    code: str
    type: str
    literal: str | None = None


class Scope:
    """The columns one FROM source offers a SELECT: the input's, an inner SELECT's, or a join's
    (``join``: the lookup into a constant table, online_lookup.py)."""

    def __init__(self, alias: str | None, columns: dict, select=None,
                 inner: "Scope | None" = None, join=None):
        self.alias, self.columns, self.select, self.inner = alias, columns, select, inner
        self.join = join


def input_type(spark_type: str) -> str | None:
    """The Spark type the online path reads an input column as (None: not on the path)."""
    if spark_type == "timestamp_ntz|timestamp":  # the batch accepts either: same microseconds
        return "timestamp_ntz"
    return spark_type if spark_type in JAVA else None


def wider(a: str, b: str) -> str | None:
    """The common type of two Spark types under implicit coercion, if the path has it."""
    if a == b:
        return a
    if a == "null":
        return b
    if b == "null":
        return a
    if a == "decimal" and b == "double" or a == "double" and b == "decimal":
        return "double"
    if a in NUMERIC and b in NUMERIC:
        return max(a, b, key=NUMERIC.index)
    if {a, b} == {"timestamp", "timestamp_ntz"}:
        return "timestamp"
    return None


class Refusal(Exception):
    """Why a feature set has no online path (one sentence, shown in the manifest)."""


def double(x: float) -> str:
    """A Java expression of the double ``x`` (exact: Python's repr is the shortest)."""
    if math.isnan(x):
        return "Double.NaN"
    if math.isinf(x):
        return "Double.POSITIVE_INFINITY" if x > 0 else "Double.NEGATIVE_INFINITY"
    return repr(x) + "d" if "e" not in repr(x) else repr(x)
