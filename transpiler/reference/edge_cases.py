"""Adversarial rows derived from an input's schema, for ``nb2jvm verify --edge-cases``.

Each column gets the values where engines disagree most often: NULL, NaN, ±inf, -0.0, integer
extremes, empty and non-ASCII strings (ß, İ, final Σ, combining marks, emoji, NBSP), dates before
1970, leap days and DST boundaries.  Rows are built column by column (row ``k`` takes each
column's ``k``-th edge value, cycling), so every value appears at least once.
"""

from __future__ import annotations

import datetime as dt
import math

import ibis.expr.datatypes as idt
import pyarrow as pa

_INTS = {
    idt.Int8: (0, -1, 1, -128, 127, None), idt.Int16: (0, -1, 1, -32768, 32767, None),
    idt.Int32: (0, -1, 1, -2**31, 2**31 - 1, None),
    idt.Int64: (0, -1, 1, -2**63, 2**63 - 1, None),
}
_FLOATS = (0.0, -0.0, 1.5, -2.5, math.nan, math.inf, -math.inf, None, 1e308, 5e-324, 0.1)
_STRINGS = ("", "a", "ß", "İstanbul", "ΣΑΣ", "e\u0301", "emoji 😀", "\u00a0x\u00a0", None,
            " padded ", "MiXeD", "line\nbreak")
_TIMESTAMPS = (dt.datetime(1969, 12, 31, 23, 59, 59), dt.datetime(2024, 2, 29, 12, 0),
               dt.datetime(2026, 3, 29, 2, 30), dt.datetime(2026, 10, 25, 2, 30), None,
               dt.datetime(1900, 1, 1), dt.datetime(2038, 1, 19, 3, 14, 8))
_DATES = (dt.date(1969, 12, 31), dt.date(2024, 2, 29), dt.date(1900, 1, 1), None,
          dt.date(2038, 1, 19))


def edge_values(dtype: idt.DataType) -> tuple:
    """The adversarial values for one column type (only NULL for types without a list)."""
    if type(dtype) in _INTS:
        return _INTS[type(dtype)]
    if dtype.is_floating():
        return _FLOATS
    if dtype.is_string():
        return _STRINGS
    if dtype.is_boolean():
        return (True, False, None)
    if dtype.is_timestamp():
        return _TIMESTAMPS
    if dtype.is_date():
        return _DATES
    return (None,)


def edge_rows(table: pa.Table) -> pa.Table:
    """``table`` followed by adversarial rows of the same schema."""
    import ibis

    schema = ibis.Schema.from_pyarrow(table.schema)
    columns = {name: edge_values(dtype) for name, dtype in schema.items()}
    count = max((len(v) for v in columns.values()), default=0)
    extra = {name: [values[k % len(values)] for k in range(count)]
             for name, values in columns.items()}
    nullable = pa.schema([f.with_nullable(True) for f in table.schema])
    edges = pa.table({name: pa.array(extra[name], type=nullable.field(name).type)
                      for name in table.column_names}, schema=nullable)
    return pa.concat_tables([table.cast(nullable), edges])
