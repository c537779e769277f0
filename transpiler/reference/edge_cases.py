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
    """``table`` followed by adversarial rows of the same schema.  A column that is unique in
    ``table`` (no NULL, no repeated value: an id, an event time) stays unique: it gets only the
    edge values it does not hold yet, each once, then fresh values, so a window or an as-of
    join that is deterministic on the data stays deterministic on the edge rows."""
    import ibis

    schema = ibis.Schema.from_pyarrow(table.schema)
    columns = {name: edge_values(dtype) for name, dtype in schema.items()}
    count = max((len(v) for v in columns.values()), default=0)
    extra = {}
    for name, values in columns.items():
        column = table.column(name)
        if table.num_rows > 1 and _is_unique(column):
            extra[name] = _unique_values(values, column.to_pylist(), count, schema[name])
        else:
            extra[name] = [values[k % len(values)] for k in range(count)]
    count = min(len(v) for v in extra.values()) if extra else 0
    nullable = pa.schema([f.with_nullable(True) for f in table.schema])
    edges = pa.table({name: pa.array(extra[name][:count], type=nullable.field(name).type)
                      for name in table.column_names}, schema=nullable)
    return pa.concat_tables([table.cast(nullable), edges])


def _is_unique(column: pa.ChunkedArray) -> bool:
    import pyarrow.compute as pc

    return column.null_count == 0 and pc.count_distinct(column).as_py() == len(column)


def _key(value):
    return "nan" if isinstance(value, float) and math.isnan(value) else value


def _unique_values(edges: tuple, present: list, count: int, dtype) -> list:
    """``count`` values for a unique column: the edge values not in ``present``, then fresh
    ones past the largest present value (none repeats, none is NULL)."""
    seen = {_key(v) for v in present}
    out = []
    for value in edges:
        if value is not None and _key(value) not in seen:
            seen.add(_key(value))
            out.append(value)
    step = 0
    while len(out) < count:
        step += 1
        value = _fresh(dtype, present, step)
        if value is None:
            break  # a type with too few values (boolean): fewer edge rows
        if _key(value) not in seen:
            seen.add(_key(value))
            out.append(value)
    return out[:count]


def _fresh(dtype, present: list, step: int):
    if type(dtype) in _INTS:
        low, high = _INTS[type(dtype)][3], _INTS[type(dtype)][4]
        top = max(present)
        return top + step if top + step <= high else \
            min(present) - step if min(present) - step >= low else None
    if dtype.is_floating():
        finite = [v for v in present if math.isfinite(v)]
        return (max(finite) if finite else 0.0) + step
    if dtype.is_string():
        return f"edge-{step}"
    if dtype.is_timestamp():
        return max(present) + dt.timedelta(seconds=step)
    if dtype.is_date():
        return max(present) + dt.timedelta(days=step)
    return None
