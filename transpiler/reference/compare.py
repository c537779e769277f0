"""The comparison policy between the notebook's result and the JVM's, in one class.

* Columns must match by name and order.
* Rows are compared as a multiset unless the feature set orders its rows (then in order).
* Floats are equal within ``rel_tol``/``abs_tol`` (aggregates sum in a different order on the
  two engines); NaN equals NaN; NULL and NaN are different values; -0.0 equals 0.0.
* Integers of different widths compare by value (Spark widens some results to int/bigint).
* Timestamps compare as UTC instants when zoned, as wall-clock values when naive.
* The arrays of an unordered ``collect()`` (``unordered`` columns) compare as multisets: their
  element order is arbitrary on both engines.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NAN = ("nan",)


@dataclass(frozen=True)
class Mismatch:
    """One differing row: its position after canonical ordering and both sides' values."""

    index: int
    notebook: tuple | None
    jvm: tuple | None


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing two tables."""

    equal: bool
    rows_compared: int
    message: str
    mismatches: tuple[Mismatch, ...] = ()
    columns: tuple[str, ...] = ()


def _normalize(value):
    if isinstance(value, float):
        if math.isnan(value):
            return _NAN
        return 0.0 if value == 0 else value
    if isinstance(value, Decimal):
        return _normalize(float(value)) if not value.is_nan() else _NAN
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        return value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_normalize(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _normalize(v)) for k, v in value.items()))
    return value


def _element_key(value) -> tuple:
    if isinstance(value, float) and math.isnan(value):
        return ((1, "nan", 0),)
    if isinstance(value, dict):
        return _sort_key(tuple(value.items()))
    return _sort_key((value,))


def _as_multisets(table: pa.Table, names: tuple[str, ...]) -> pa.Table:
    """``table`` with the arrays of the named columns sorted (one canonical order each)."""
    for name in names:
        if name not in table.column_names:
            continue
        i = table.column_names.index(name)
        column = table.column(i)
        values = [None if v is None else sorted(v, key=_element_key)
                  for v in column.to_pylist()]
        table = table.set_column(i, table.field(i), pa.array(values, type=column.type))
    return table


def _sort_key(row: tuple) -> tuple:
    # A total order over mixed values: None first, then by type name, then by value; floats are
    # rounded so that values equal within tolerance sort together.
    key = []
    for v in row:
        if v is None:
            key.append((0, "", 0))
        elif v is _NAN or v == _NAN:
            key.append((1, "nan", 0))
        elif isinstance(v, float):
            key.append((2, "number", float(f"{v:.9g}")))
        elif isinstance(v, (int, bool)):
            key.append((2, "number", v))
        else:
            key.append((3, type(v).__name__, repr(v)))
    return tuple(key)


@dataclass(frozen=True)
class ComparisonPolicy:
    """How close the JVM's result must be to the notebook's to count as conformant."""

    rel_tol: float = 1e-9
    abs_tol: float = 1e-12
    max_mismatches: int = 5
    notes: tuple[str, ...] = field(default=())

    def values_equal(self, a, b) -> bool:
        if isinstance(a, float) and isinstance(b, (float, int)) and not isinstance(b, bool) \
                or isinstance(b, float) and isinstance(a, (float, int)) and not isinstance(a, bool):
            return math.isclose(a, b, rel_tol=self.rel_tol, abs_tol=self.abs_tol) or (
                math.isinf(a) and math.isinf(b) and (a > 0) == (b > 0))
        if isinstance(a, tuple) and isinstance(b, tuple) and a is not _NAN and b is not _NAN:
            return len(a) == len(b) and all(self.values_equal(x, y) for x, y in zip(a, b))
        return a == b

    def rows(self, table: pa.Table) -> list[tuple]:
        cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
        return [tuple(_normalize(c[i]) for c in cols) for i in range(table.num_rows)]

    def fast_equal(self, notebook: pa.Table, jvm: pa.Table, ordered: bool) -> bool:
        """Equal under this policy, proven column-wise with Arrow (sorted alike, exact columns
        equal, floats within tolerance).  False means "not proven": the row-by-row comparison
        decides (and explains) then."""
        left, right = _canonical(notebook), _canonical(jvm)
        if left is None or right is None or left.schema != right.schema or \
                left.num_rows != right.num_rows:
            return False
        floats = [f.name for f in left.schema if pa.types.is_floating(f.type)]
        if not ordered and left.num_rows:
            keys = [(c, "ascending") for c in left.column_names if c not in floats] + \
                [(c, "ascending") for c in floats]
            try:
                left = left.take(pc.sort_indices(left, keys))
                right = right.take(pc.sort_indices(right, keys))
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
                return False
        for name in left.column_names:
            a, b = left.column(name), right.column(name)
            if name not in floats:
                if not a.equals(b):
                    return False
                continue
            a_null, b_null = a.is_null().to_numpy(), b.is_null().to_numpy()
            if not np.array_equal(a_null, b_null):
                return False
            x = a.to_numpy(zero_copy_only=False)[~a_null].astype(float)
            y = b.to_numpy(zero_copy_only=False)[~b_null].astype(float)
            with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, as math.isclose
                close = (x == y) | (np.isnan(x) & np.isnan(y)) | (
                    np.isfinite(x) & np.isfinite(y) & (np.abs(x - y) <= np.maximum(
                        self.rel_tol * np.maximum(np.abs(x), np.abs(y)), self.abs_tol)))
            if not close.all():
                return False
        return True

    def compare(self, notebook: pa.Table, jvm: pa.Table, ordered: bool = False,
                unordered: tuple[str, ...] = ()) -> Comparison:
        """Compare the notebook's table with the JVM's under this policy."""
        left_cols, right_cols = tuple(notebook.column_names), tuple(jvm.column_names)
        if left_cols != right_cols:
            return Comparison(False, 0, f"columns differ: notebook {list(left_cols)}, "
                              f"JVM {list(right_cols)}", columns=left_cols)
        if unordered:
            notebook, jvm = _as_multisets(notebook, unordered), _as_multisets(jvm, unordered)
        if self.fast_equal(notebook, jvm, ordered):
            return Comparison(True, notebook.num_rows, f"conformant on {notebook.num_rows} rows",
                              columns=left_cols)
        return self.compare_rows(notebook, jvm, ordered)

    def compare_rows(self, notebook: pa.Table, jvm: pa.Table, ordered: bool) -> Comparison:
        """Row by row in Python: finds and explains the differing rows."""
        left_cols = tuple(notebook.column_names)
        # DuckDB's timestamps reach year 294247, Python's datetime only 9999: such a column is
        # compared (and shown) as microseconds or days since 1970 on both sides
        wide = [name for name in left_cols if _beyond_python(notebook.column(name))
                or _beyond_python(jvm.column(name))]
        notebook, jvm = _as_numbers(notebook, wide), _as_numbers(jvm, wide)
        left, right = self.rows(notebook), self.rows(jvm)
        if not ordered:
            left, right = sorted(left, key=_sort_key), sorted(right, key=_sort_key)
        mismatches = []
        for i in range(max(len(left), len(right))):
            a = left[i] if i < len(left) else None
            b = right[i] if i < len(right) else None
            if a is None or b is None or not all(self.values_equal(x, y) for x, y in zip(a, b)):
                mismatches.append(Mismatch(i, a, b))
                if len(mismatches) >= self.max_mismatches:
                    break
        if len(left) != len(right):
            message = f"row counts differ: notebook {len(left)}, JVM {len(right)}"
        elif mismatches:
            message = f"values differ in at least {len(mismatches)} row(s) of {len(left)}"
        else:
            return Comparison(True, len(left), f"conformant on {len(left)} rows",
                              columns=left_cols)
        return Comparison(False, min(len(left), len(right)), message, tuple(mismatches),
                          left_cols)


def _beyond_python(column: pa.ChunkedArray) -> bool:
    if not _has_time(column.type):
        return False
    try:
        column.to_pylist()
    except (OverflowError, ValueError):
        return True
    return False


def _has_time(t: pa.DataType) -> bool:
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return True
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _has_time(t.value_type)
    if pa.types.is_struct(t):
        return any(_has_time(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return _has_time(t.key_type) or _has_time(t.item_type)
    return False


def _numeric(t: pa.DataType) -> pa.DataType:
    if pa.types.is_timestamp(t):
        return pa.int64()
    if pa.types.is_date(t):
        return pa.int32() if pa.types.is_date32(t) else pa.int64()
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(_numeric(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([(t.field(i).name, _numeric(t.field(i).type))
                          for i in range(t.num_fields)])
    if pa.types.is_map(t):
        return pa.map_(_numeric(t.key_type), _numeric(t.item_type))
    return t


def _as_numbers(table: pa.Table, names: list[str]) -> pa.Table:
    for name in names:
        index = table.column_names.index(name)
        column = table.column(index)
        table = table.set_column(index, name, column.cast(_numeric(column.type)))
    return table


def _canonical(table: pa.Table) -> pa.Table | None:
    """The table with the types the policy treats alike made equal (ints of any width as int64,
    floats as float64, strings as string, zoned timestamps as UTC wall clock), or None when a
    column has a type the fast path does not handle."""
    columns = []
    for column, f in zip(table.columns, table.schema):
        t = f.type
        if pa.types.is_integer(t):
            target = pa.int64()
        elif pa.types.is_floating(t):
            target = pa.float64()
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            target = pa.string()
        elif pa.types.is_timestamp(t):
            target = pa.timestamp("us")
        elif pa.types.is_boolean(t) or pa.types.is_date32(t):
            target = t
        else:
            return None
        try:
            columns.append(column.cast(target) if target != t else column)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    return pa.table(columns, names=table.column_names)


def render_mismatches(result: Comparison, width: int = 100, jvm: str = "JVM (Spark)") -> str:
    """The first mismatching rows: for a row on both sides, the columns that differ first and in
    full (notebook, then JVM), then the equal ones (shortened); a row on one side only in full."""
    if not result.mismatches:
        return ""
    lines = []
    for m in result.mismatches:
        if m.notebook is None or m.jvm is None:
            side, row = (f"{jvm} only", m.jvm) if m.notebook is None else \
                ("notebook (DuckDB) only", m.notebook)
            lines.append(f"  row {m.index}, {side}: {_row_text(result.columns, row)}")
            continue
        differ = [i for i, (a, b) in enumerate(zip(m.notebook, m.jvm)) if not _same(a, b)]
        names = [result.columns[i] for i in differ]
        lines.append(f"  row {m.index}: differs in {', '.join(names) or '(order only)'}")
        lines.append("    notebook (DuckDB): " + _cells(result.columns, m.notebook, differ))
        lines.append(f"    {jvm + ':':<19}" + _cells(result.columns, m.jvm, differ))
        rest = [i for i in range(len(result.columns)) if i not in differ]
        if rest:
            same = _cells(result.columns, m.notebook, rest)
            lines.append("    same on both:      " +
                         (same if len(same) <= width else same[:width - 3] + "..."))
    return "\n".join(lines)


def _same(a, b) -> bool:
    return a == b or (a == _NAN and b == _NAN)


def _cells(columns, row, which) -> str:
    return ", ".join(f"{columns[i]}={'NaN' if row[i] == _NAN else row[i]!r}" for i in which)


def _row_text(columns, row) -> str:
    return ", ".join(f"{c}={'NaN' if v == _NAN else v!r}" for c, v in zip(columns, row))
