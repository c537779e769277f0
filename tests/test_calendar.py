"""Calendar arithmetic: `delta()` between timestamps and dates in every unit, DuckDB against
the JVM on random pairs over years 1..9999 (before and after 1970, end and start of months and
days, leap days), exactly.

DuckDB counts unit boundaries crossed and Spark's datediff counts elapsed units, so these are the
cases where a plain lowering is off by one (the reason delta() was refused before).
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, fails_on_both, verify_cells, write_notebook
from transpiler.pipeline import Options, transpile
from transpiler.lowering.spark_rules import _DELTA_UNITS
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

EDGES = [dt.datetime(1969, 12, 31, 23, 59, 59, 999999), dt.datetime(1970, 1, 1),
         dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
         dt.datetime(2024, 2, 29, 12), dt.datetime(1900, 3, 1), dt.datetime(2000, 2, 29),
         dt.datetime(1582, 10, 15), dt.datetime(1582, 10, 4, 23)]


def pairs(seed: int = 20261128, n: int = 600) -> list[tuple[dt.datetime, dt.datetime]]:
    rnd = random.Random(seed)
    span = (dt.datetime(9999, 12, 31) - dt.datetime(1, 1, 1)) // dt.timedelta(microseconds=1)

    def anytime():
        return dt.datetime(1, 1, 1) + dt.timedelta(microseconds=rnd.randrange(span))

    def near(t):  # within a few units of t: where boundaries and elapsed time part ways
        step = rnd.choice([dt.timedelta(microseconds=1), dt.timedelta(seconds=1),
                           dt.timedelta(hours=1), dt.timedelta(days=1), dt.timedelta(days=31)])
        try:
            return t + rnd.randint(-40, 40) * step
        except OverflowError:
            return t

    out = [(a, b) for a in EDGES for b in EDGES]
    for _ in range(n):
        a = anytime()
        out.append((a, near(a) if rnd.random() < 0.6 else anytime()))
    return out


def test_delta_in_every_unit_matches_duckdb(tmp_path, jvm):
    ps = pairs()
    pq.write_table(pa.table({"id": list(range(len(ps))),
                             "a": pa.array([a for a, _ in ps], pa.timestamp("us")),
                             "b": pa.array([b for _, b in ps], pa.timestamp("us"))}),
                   tmp_path / "t.parquet")
    ts = ", ".join(f"{u}=t.a.delta(t.b, unit={u!r})" for u in _DELTA_UNITS)
    dates = ", ".join(f"{u}=t.a.date().delta(t.b.date(), unit={u!r})" for u in _DELTA_UNITS
                      if u in ("year", "quarter", "month", "week", "day"))
    path = write_notebook(tmp_path / "delta.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        f"%%export\ntimestamps = t.select('id', {ts})",
        f"%%export\ndates = t.select('id', {dates})",
        "%%export\nliteral = t.select('id', d=t.a.delta(ibis.timestamp('1970-01-01 00:00:00'), "
        "unit='day'), h=ibis.date('2020-03-01').delta(t.b.date(), unit='hour'))",
    ])
    for verdict in verify(path, Options()).feature_sets:
        assert verdict.status == "conformant", verdict.message + verdict.details
        assert verdict.rows_compared == len(ps)


def test_delta_refusals_name_the_reason(notebook):
    path = notebook([SETUP + "t = ibis.table({'a': 'timestamp'}, name='t')",
                     "%%export\nabbrev = t.select(r=t.a.delta(t.a, unit='D'))"])
    (diagnostic,) = transpile(path, Options()).diagnostics
    assert "delta() in unit 'D'" in diagnostic.message, diagnostic.message


def test_month_quarter_and_year_intervals_match_duckdb(tmp_path, jvm):
    rnd = random.Random(7)
    stamps = [a for a, _ in pairs(n=300) if 10 <= a.year <= 9980]
    stamps += [dt.datetime(2024, 1, 31, 10), dt.datetime(2023, 1, 31), dt.datetime(2024, 2, 29),
               dt.datetime(2023, 3, 31, 23, 59, 59, 999999), dt.datetime(1969, 12, 31, 12)]
    pq.write_table(pa.table({"id": list(range(len(stamps))),
                             "a": pa.array(stamps, pa.timestamp("us"))}), tmp_path / "t.parquet")
    steps = [("months", 1), ("months", -1), ("months", 13), ("quarters", 1), ("years", 1),
             ("years", -4), ("months", rnd.randint(-200, 200))]
    cols = ", ".join(f"p{k}=t.a + ibis.interval({u}={n}), m{k}=t.a - ibis.interval({u}={n}), "
                     f"d{k}=t.a.date() + ibis.interval({u}={n})" for k, (u, n) in enumerate(steps))
    path = write_notebook(tmp_path / "months.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")', f"%%export\nshifted = t.select('id', {cols})"])
    (verdict,) = verify(path, Options()).feature_sets
    assert verdict.status == "conformant", verdict.message + verdict.details
    assert verdict.rows_compared == len(stamps)


ZONED = [
    ("fields", "t.z.year() * 10000 + t.z.month() * 100 + t.z.day(), h=t.z.hour() * 100 + "
     "t.z.minute(), s=t.z.second(), w=t.z.day_of_week.index()"),
    ("date_truncate", "t.z.date(), d=t.z.truncate('D'), m=t.z.truncate('M')"),
    ("strftime", "t.z.strftime('%Y-%m-%d %H:%M:%S')"),
    ("interval", "t.z + ibis.interval(days=1), m=t.z - ibis.interval(months=1), "
     "h=t.z + ibis.interval(hours=25)"),
    ("delta", "t.z.delta(t.y, unit='day'), h=t.z.delta(t.y, unit='hour')"),
    ("compare", "(t.z > t.y) | (t.z == t.y), n=t.z.isnull()"),
    ("cast_naive", "t.z.cast('timestamp').hour(), d=t.z.cast('date'), "
     "b=t.z.cast('timestamp').cast('timestamp(\"UTC\")') == t.z, "
     "m=t.z.date().cast('timestamp')"),
]


def test_time_zone_aware_timestamps(tmp_path, jvm):
    """Timestamps with a zone are instants: ibis runs DuckDB in UTC and the runtime Spark in UTC,
    so fields, truncation and calendar arithmetic are of the UTC wall clock on both (around the
    New York DST changes here)."""
    instants = [dt.datetime(2026, 3, 8, 6, 30, tzinfo=dt.timezone.utc),
                dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.timezone.utc),
                dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.timezone.utc),
                dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.timezone.utc),
                dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
                dt.datetime(2024, 2, 29, 23, 0, tzinfo=dt.timezone.utc), None,
                dt.datetime(1900, 1, 31, 12, tzinfo=dt.timezone.utc)]
    others = instants[1:] + instants[:1]
    zone = pa.timestamp("us", tz="America/New_York")
    table = pa.table({"id": list(range(len(instants))), "z": pa.array(instants, zone),
                      "y": pa.array(others, zone)})
    verdicts = verify_cells(tmp_path, {"t": table},
                            [f"{name} = t.select('id', r={expr})" for name, expr in ZONED])
    for name, expr in ZONED:
        v = verdicts[name]
        assert v.status == "conformant", f"{expr}: {v.status} {v.message}\n{v.details}"


@pytest.mark.parametrize("value", [dt.datetime(2020, 1, 1, 0, 0, 1, 500000),
                                   dt.datetime(2040, 1, 1), dt.datetime(1901, 1, 1)])
def test_epoch_seconds_fails_where_the_notebook_fails(tmp_path, jvm, value):
    table = pa.table({"ts": pa.array([dt.datetime(2020, 1, 1), value], pa.timestamp("us"))})
    message = fails_on_both(jvm, tmp_path, table, "t.ts.epoch_seconds()")
    assert "epoch_seconds()" in message, message
