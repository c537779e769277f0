"""Synthetic inputs for the artifact's golden rows: rows built from each input's schema, so that
no customer value ships inside a jar that gets published to a Maven repository.

What the data may lend (when an input has a file): whether a column is unique (an id, an event
time: it stays unique, so windows and as-of joins stay deterministic), the order of magnitude
of a numeric column, how many days a time column spans (never which: generated times lie in
a window of that length at a fixed date, or around the notebook's own date literals), and the
*shape* of a string column
(character classes and lengths: letters become random letters, digits random digits,
punctuation stays, so an e-mail still has its ``@`` and a card number its groups). Values come
from the edge-case generator, from the notebook's own literals (a filter on ``"USD"`` must meet
``"USD"``), from small shared key pools (so joins and group-bys meet) and from a seeded random
source. Any generated value that equals a value of any input file of the same kind is then
replaced by NULL (checked with DuckDB against the whole file), except the generator's fixed
constants: edge values, the notebook's literals, and integers within ``±SAMPLE_ROWS``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import string
import zlib
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as idt
import ibis.expr.operations as ops
import pyarrow as pa

from ..ir.features import LoweredNotebook
from ..ir.notebook import InputTable
from .edge_cases import edge_values

SAMPLE_ROWS = 200
KEY_POOL = 16  # distinct keys a non-unique column draws from: groups of ~12 rows at 200 rows
SHAPES = 64  # string values of a column whose shapes are borrowed (a bounded sample)
SEED = 20261203


@dataclass(frozen=True)
class Profile:
    """What one input's file lends the generator: unique columns, magnitudes, spans, shapes."""

    unique: frozenset[str] = frozenset()
    nonnull: frozenset[str] = frozenset()  # no NULL in the file: none in the generated rows
    magnitude: dict[str, float] | None = None  # numeric column -> a power of ten >= max |v|
    nonnegative: frozenset[str] = frozenset()
    span: dict[str, int] | None = None  # time column -> how many days its values span
    shapes: dict[str, tuple[str, ...]] | None = None  # string column -> masked sample values


def literals(lowered: LoweredNotebook) -> tuple[tuple, ...]:
    """Every scalar literal the exported cells compare or compute with, sorted, deduplicated."""
    seen = set()
    for lf in lowered.lowered:
        for lit in lf.feature.expr.op().find(ops.Literal):
            value = lit.value
            if isinstance(value, (frozenset, tuple)):
                values = value
            else:
                values = (value,)
            for v in values:
                if isinstance(v, (str, int, float, dt.date)) and not isinstance(v, bool):
                    seen.add((type(v).__name__, v))
    return tuple(sorted(seen, key=lambda kv: (kv[0], str(kv[1]))))


ANCHOR = dt.date(2024, 1, 1)  # where generated times start when the notebook names no date


def _window(prof: Profile, name: str, lits) -> tuple[dt.date, dt.date]:
    """The days generated values of a time column lie in: the column's span length (60 days
    without data), at a fixed date or centred on the notebook's earliest date literal."""
    days = (prof.span or {}).get(name, 60)
    dates = sorted(v if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else v.date()
                   for kind, v in lits if kind in ("date", "datetime"))
    start = ANCHOR
    if dates:
        start = max(dt.date(1901, 1, 1), min(dates[0], dt.date(9000, 1, 1))) - \
            dt.timedelta(days=days // 2)
    return start, start + dt.timedelta(days=days)


def _mask(text: str, rng: random.Random) -> str:
    """The string's shape with none of its characters: a letter a random letter of its case, a
    digit a random digit, anything else itself."""
    out = []
    for ch in text:
        if ch.isdigit():
            out.append(rng.choice(string.digits))
        elif ch.isalpha():
            out.append(rng.choice(string.ascii_uppercase if ch.isupper() else
                                  string.ascii_lowercase))
        else:
            out.append(ch)
    return "".join(out)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TS = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


def _shaped(text: str, rng: random.Random) -> str:
    """A masked value, except that a date or timestamp string becomes another valid one (a
    masked date would not parse where the notebook parses it)."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(80 * 365))
    if _ISO_DATE.fullmatch(text):
        return day.isoformat()
    if _ISO_TS.fullmatch(text):
        return (f"{day.isoformat()}{text[10]}{rng.randrange(24):02d}:{rng.randrange(60):02d}:"
                f"{rng.randrange(60):02d}")
    return _mask(text, rng)


def profile(con, table: InputTable) -> Profile:
    """Read what the generator may borrow from ``table``'s file (DuckDB, bounded queries)."""
    reader = con.read_parquet if table.format == "parquet" else con.read_csv
    expr = reader(str(table.path), table_name=f"profile_{zlib.crc32(table.name.encode()):x}")
    rng = random.Random(SEED)
    unique, nonnull, magnitude, nonneg, span, shapes = set(), set(), {}, set(), {}, {}
    rows = expr.count().execute()
    for name, dtype in expr.schema().items():
        col = expr[name]
        stats = expr.aggregate(n=col.count(), d=col.nunique()).execute().iloc[0]
        if rows and int(stats["n"]) == rows:
            nonnull.add(name)
        if rows > 1 and int(stats["d"]) == rows and (
                dtype.is_integer() or dtype.is_string() or dtype.is_temporal()):
            unique.add(name)
        if dtype.is_numeric() and not dtype.is_boolean():
            low, high = (expr.aggregate(lo=col.min(), hi=col.max()).execute().iloc[0])
            if low is not None and not _nan(low):
                top = max(abs(float(low)), abs(float(high)), 1.0)
                magnitude[name] = 10.0 ** math.ceil(math.log10(top)) if math.isfinite(top) \
                    else 1e6
                if float(low) >= 0:
                    nonneg.add(name)
        elif dtype.is_timestamp() or dtype.is_date():
            low, high = expr.aggregate(lo=col.min(), hi=col.max()).execute().iloc[0]
            if low is not None and not _nan(low):
                first = low.date() if hasattr(low, "date") else low
                last = high.date() if hasattr(high, "date") else high
                # only the length, bounded (9999-12-31 sentinels make it huge)
                span[name] = max(7, min((last - first).days + 1, 3650))
        elif dtype.is_string():
            sample = expr.select(v=col).filter(col.notnull()).distinct().order_by("v") \
                .limit(SHAPES).execute()["v"].tolist()
            shapes[name] = tuple(_shaped(str(v)[:200], rng) for v in sample)
    return Profile(frozenset(unique), frozenset(nonnull), magnitude, frozenset(nonneg), span,
                   shapes)


def _nan(value) -> bool:
    try:
        return value != value
    except (TypeError, ValueError):
        return False


def _rng(*parts: str) -> random.Random:
    # Python's hash() of a str changes per process: the seed must not (same notebook, same jar).
    return random.Random(SEED ^ zlib.crc32("\0".join(parts).encode()))


def synthesize(table: InputTable, prof: Profile, lits: tuple[tuple, ...], edges: bool,
               rows: int = SAMPLE_ROWS) -> pa.Table:
    """``rows`` generated rows of ``table``'s schema; with ``edges`` the first rows of each
    column are its edge values (NULL, NaN, ±inf, extremes, unicode, old dates)."""
    columns = {}
    for name, dtype in table.schema.items():
        rng = _rng(table.name, name)
        if name in prof.unique:
            values = _unique_column(dtype, prof, name, rows, rng, lits)
        else:
            nulls = name not in prof.nonnull
            values = [_value(dtype, prof, name, lits, rng, nulls) for _ in range(rows)]
            if edges:
                for k, v in enumerate(edge_values(dtype)[:rows]):
                    if v is not None or nulls:
                        values[k] = v
        columns[name] = values
    arrow = table.schema.to_pyarrow()
    nullable = pa.schema([f.with_nullable(True) for f in arrow])
    return pa.table({f.name: pa.array(columns[f.name], type=f.type) for f in nullable},
                    schema=nullable)


def _unique_column(dtype, prof: Profile, name: str, rows: int, rng: random.Random,
                   lits) -> list:
    """Distinct non-NULL values in a random order: 1..rows for ints (they meet the key pools of
    other inputs' columns), tokens for strings, distinct instants for times."""
    if dtype.is_integer():
        values = list(range(1, rows + 1))
    elif dtype.is_string():
        values = [_token(k) for k in range(1, rows + 1)]
    elif dtype.is_timestamp():
        first, last = _window(prof, name, lits)
        seconds = max(int((last - first).total_seconds()), rows * 2)
        start = dt.datetime.combine(first, dt.time())
        values = [start + dt.timedelta(seconds=s) for s in rng.sample(range(seconds), rows)]
    elif dtype.is_date():
        first, last = _window(prof, name, lits)
        days = max((last - first).days, rows * 2)
        values = [first + dt.timedelta(days=d) for d in rng.sample(range(days), rows)]
    else:
        return [_value(dtype, prof, name, lits, rng) for _ in range(rows)]
    rng.shuffle(values)
    return values


def _token(k: int) -> str:
    return f"k{k:03d}"


def _value(dtype, prof: Profile, name: str, lits, rng: random.Random, nulls: bool = True):
    """One cell: NULL now and then (``nulls``), else a pool key, a notebook literal (or a
    neighbour of a numeric one) or a random value of the column's kind."""
    if rng.random() < 0.06 and nulls:
        return None
    roll = rng.random()
    if dtype.is_boolean():
        return rng.random() < 0.5
    if dtype.is_integer():
        nums = [v for kind, v in lits if kind == "int"]
        if roll < 0.45:
            return rng.randint(1, KEY_POOL)
        if roll < 0.6 and nums:
            return _fit(dtype, rng.choice(nums) + rng.choice((-1, 0, 1)))
        top = int(min((prof.magnitude or {}).get(name, 1000.0), 1e15))
        low = 0 if name in prof.nonnegative else -top
        return _fit(dtype, rng.randint(low, top))
    if dtype.is_floating() or dtype.is_decimal():
        nums = [float(v) for kind, v in lits if kind in ("int", "float")]
        top = (prof.magnitude or {}).get(name, 1000.0)
        low = 0.0 if name in prof.nonnegative else -top
        if roll < 0.15 and nums:
            value = rng.choice(nums) + rng.choice((-0.5, 0.0, 0.5))
        elif roll < 0.3:
            value = float(rng.randint(1, KEY_POOL))
        else:
            value = round(rng.uniform(low, top), rng.choice((2, 2, 6)))
        if dtype.is_decimal():
            import decimal
            scale = dtype.scale if dtype.scale is not None else 2
            bound = 10 ** ((dtype.precision or 18) - scale) - 1
            return decimal.Decimal(str(round(max(-bound, min(bound, value)), scale)))
        return value
    if dtype.is_string():
        words = [v for kind, v in lits if kind == "str"]
        shapes = (prof.shapes or {}).get(name, ())
        if roll < 0.3 and words:
            return rng.choice(words)
        if roll < 0.7 and shapes:
            return _shaped(rng.choice(shapes), rng)
        return _token(rng.randint(1, KEY_POOL))
    if dtype.is_timestamp() or dtype.is_date():
        first, last = _window(prof, name, lits)
        if dtype.is_date():
            return first + dt.timedelta(days=rng.randrange(max((last - first).days, 1)))
        seconds = max(int((last - first).total_seconds()), 1)
        micros = rng.randrange(1_000_000) if rng.random() < 0.3 else 0
        return dt.datetime.combine(first, dt.time()) + dt.timedelta(
            seconds=rng.randrange(seconds), microseconds=micros)
    if dtype.is_array() or dtype.is_struct():
        return _constant_value(dtype, lits, rng)
    return None


def _constant_value(dtype, lits, rng: random.Random):
    """A nested value built only of the generator's constants (edge values, small integers,
    the notebook's literals): nested columns are not scrubbed, so nothing in them may come
    from a random or data-shaped draw."""
    if rng.random() < 0.1:
        return None
    if dtype.is_array():
        return [_constant_value(dtype.value_type, lits, rng) for _ in range(rng.randrange(4))]
    if dtype.is_struct():
        return {f: _constant_value(t, lits, rng) for f, t in dtype.items()}
    choices = [v for v in edge_values(dtype) if v is not None]
    if dtype.is_integer():
        choices += [_fit(dtype, k) for k in range(1, KEY_POOL + 1)]
    elif dtype.is_floating():
        choices += [float(k) for k in range(1, KEY_POOL + 1)]
    elif dtype.is_string():
        choices += [v for kind, v in lits if kind == "str"]
    return rng.choice(choices) if choices else None


def _fit(dtype, value: int):
    bits = dtype.nbytes * 8
    low, high = (0, 2 ** bits - 1) if dtype.is_unsigned_integer() else (-2 ** (bits - 1),
                                                                  2 ** (bits - 1) - 1)
    return max(low, min(high, value))


def exempt(value, lits: tuple[tuple, ...], dtype) -> bool:
    """A generator constant: an edge value, a notebook literal, an integer within ±SAMPLE_ROWS,
    a boolean or NULL (any data may hold these by chance; they are not taken from it)."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int) and abs(value) <= SAMPLE_ROWS:
        return True
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() \
            and abs(value) <= SAMPLE_ROWS:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if any(value == v and type(value) is type(v) for _, v in lits):
        return True
    return any(value == e and type(value) is type(e) for e in edge_values(dtype))


# The type both sides of a collision probe are cast to, per kind of column.
_KINDS = ((idt.String, idt.string), (idt.Integer, idt.int64), (idt.Floating, idt.float64),
          (idt.Decimal, idt.float64), (idt.Date, idt.date), (idt.Timestamp, idt.timestamp))


def scrub(tables: dict[str, pa.Table], inputs: tuple[InputTable, ...], con,
          lits: tuple[tuple, ...]) -> dict[str, pa.Table]:
    """``tables`` with every non-exempt value that any input file holds (in any column of the
    same kind) replaced by NULL: the guarantee, not left to chance."""
    files = []
    for t in inputs:
        if t.path is not None:
            reader = con.read_parquet if t.format == "parquet" else con.read_csv
            files.append(reader(str(t.path),
                                table_name=f"scrub_{zlib.crc32(t.name.encode()):x}"))
    out = {}
    for name, table in tables.items():
        schema = ibis.Schema.from_pyarrow(table.schema)
        columns = {}
        for col, dtype in schema.items():
            values = table.column(col).to_pylist()
            kind = next(((cls, common) for cls, common in _KINDS if isinstance(dtype, cls)),
                        None)
            if kind is not None and files:
                candidates = sorted({v for v in values if not exempt(v, lits, dtype)}, key=str)
                held = _held(con, candidates, kind, files) if candidates else set()
                values = [None if _probe_value(v, kind[1]) in held else v for v in values]
            columns[col] = pa.array(values, type=table.schema.field(col).type)
        out[name] = pa.table(columns, schema=table.schema)
    return out


def _probe_value(value, common):
    if value is None:
        return None
    if common.is_float64():
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # an instant: compared as its UTC wall clock (the connection's time zone is UTC)
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _held(con, candidates: list, kind, files) -> set:
    """The candidates that some column of the same kind of some input file holds."""
    cls, common = kind
    probe = ibis.memtable(pa.table({"v": pa.array(
        [_probe_value(v, common) for v in candidates], type=common.to_pyarrow())}))
    held = set()
    for expr in files:
        for col, ctype in expr.schema().items():
            if not isinstance(ctype, cls):
                continue
            hits = expr.select(v=expr[col].try_cast(common)).distinct() \
                .inner_join(probe, "v").select("v")
            held.update(con.to_pyarrow(hits).column("v").to_pylist())
    return held
