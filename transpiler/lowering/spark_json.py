"""JSON values on Spark as DuckDB reads them (tests/test_value_space.py).

Spark has no JSON type, and its ``get_json_object`` (ibis's Spark rule) reads with Jackson's
rules, not DuckDB's (yyjson: trailing commas, ``nan``/``inf``, typed numbers).  nb2jvm carries a
JSON value as its text (a STRING) and parses it with the runtime's DuckDB reader
(``DuckDbJson.java``) in every op below.  A JSON value may only be taken apart: an op not listed
here that receives one is refused (``json_refusal``), and so is a JSON output column
(``lower._unwritable``), because DuckDB re-prints JSON text (``1e3`` as ``1000.0``) where nb2jvm
keeps the source's.
"""

from __future__ import annotations

import re

import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.backends.sql.datatypes import PySparkType

from .spark_sql import cast

# ibis writes a key as the JSON path '$.<key>', which DuckDB reads as a path: only plain names
# mean the member of that name
PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_TAKES_JSON = (ops.JSONGetItem, ops.UnwrapJSONString, ops.UnwrapJSONInt64,
               ops.UnwrapJSONFloat64, ops.UnwrapJSONBoolean, ops.ToJSONArray, ops.ToJSONMap,
               ops.IsNull, ops.NotNull, ops.Alias, ops.Field, ops.IfElse, ops.SearchedCase,
               ops.Coalesce, ops.ArrayIndex, ops.ArrayLength, ops.MapGet, ops.MapKeys,
               ops.MapValues, ops.MapLength, ops.MapContains, ops.Literal)


def _has_json(dtype) -> bool:
    if dtype.is_json():
        return True
    if dtype.is_array():
        return _has_json(dtype.value_type)
    if dtype.is_map():
        return _has_json(dtype.key_type) or _has_json(dtype.value_type)
    if dtype.is_struct():
        return any(_has_json(t) for t in dtype.types)
    return False


def json_refusal(op) -> str | None:
    """Why ``op`` cannot take a JSON value as nb2jvm carries it, or None."""
    if not isinstance(op, ops.Value) or isinstance(op, _TAKES_JSON):
        return None
    if isinstance(op, ops.Cast):
        if op.to.is_json() and not op.arg.dtype.is_string():
            return f"cast from {op.arg.dtype} to JSON: not verified"
        return "cast of a JSON value: not verified; use .str, .int, .float or .bool" \
            if _has_json(op.arg.dtype) else None
    values = [a for a in op.args if isinstance(a, ops.Value)] + [
        v for a in op.args if isinstance(a, tuple) for v in a if isinstance(v, ops.Value)]
    if any(_has_json(v.dtype) for v in values):
        return (f"{type(op).__name__} of a JSON value: not verified; take it apart first "
                "(j['key'], .str, .int, .float, .bool, .array, .map)")
    return None


def check_json_get(op: ops.JSONGetItem) -> str | None:
    """A literal key made of letters, digits and underscores, or a literal integer index."""
    index = op.index
    if isinstance(index, ops.Literal) and (
            index.dtype.is_integer() or isinstance(index.value, str)
            and PLAIN_KEY.match(index.value)):
        return None
    return ("a JSON key that is not a literal name of letters, digits and underscores (ibis "
            "makes it a JSON path, which DuckDB reads with its own rules)")


class SparkType(PySparkType):
    """ibis's Spark types, with a JSON value carried as its text."""

    @classmethod
    def from_ibis(cls, dtype):
        if dtype.is_json():
            return sge.DataType.build("string")
        return super().from_ibis(dtype)


class JsonRules:
    """JSON values as their text, read by the runtime's DuckDB-compatible parser."""

    type_mapper = SparkType

    def visit_NonNullLiteral(self, op, *, value, dtype):
        # Spark has no JSON literal: the text, checked by the runtime's reader as DuckDB checks
        # a JSON literal
        if dtype.is_json():
            return self.f.nb2jvm_duckdb_json(sge.Literal.string(str(value)))
        return super().visit_NonNullLiteral(op, value=value, dtype=dtype)

    def visit_Cast(self, op, *, arg, to):
        if to.is_json() and op.arg.dtype.is_string():
            # DuckDB checks the text and fails on malformed JSON; the text itself is the value
            return self.f.nb2jvm_duckdb_json(arg)
        return super().visit_Cast(op, arg=arg, to=to)

    def visit_JSONGetItem(self, op, *, arg, index):
        # ibis's Spark rule is get_json_object(), which reads with Jackson (no trailing commas
        # or NaN) and returns a string's text unquoted: the runtime reads as DuckDB does
        if op.index.dtype.is_integer():
            return self.f.nb2jvm_duckdb_json_index(arg, cast(index, "bigint"))
        return self.f.nb2jvm_duckdb_json_key(arg, index)

    def visit_UnwrapJSONString(self, op, *, arg):
        # the string of a JSON string, NULL for any other JSON value
        return self.f.nb2jvm_duckdb_json_string(arg)

    def visit_UnwrapJSONInt64(self, op, *, arg):
        # a JSON integer (fails beyond int64, as DuckDB's cast), NULL for any other value
        return self.f.nb2jvm_duckdb_json_int(arg)

    def visit_UnwrapJSONFloat64(self, op, *, arg):
        # a JSON number, NaN and infinities included, NULL for any other value
        return self.f.nb2jvm_duckdb_json_float(arg)

    def visit_UnwrapJSONBoolean(self, op, *, arg):
        # a JSON true or false, NULL for any other value
        return self.f.nb2jvm_duckdb_json_bool(arg)

    def visit_ToJSONArray(self, op, *, arg):
        # no Spark rule in ibis: a JSON array's elements as JSON values (a JSON null as NULL)
        return self.f.nb2jvm_duckdb_json_array(arg)

    def visit_ToJSONMap(self, op, *, arg):
        # no Spark rule in ibis: a JSON object's members as JSON values
        return self.f.nb2jvm_duckdb_json_map(arg)
