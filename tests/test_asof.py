"""As-of (point-in-time) joins: DuckDB's ASOF LEFT JOIN in the notebook against nb2jvm's lowering
to a plain Spark LEFT JOIN on each right row's winning interval (spark_compiler._asof_link).

Generated data (seeded): several keys, timestamps that repeat across the two tables (so `>=`
and `>` differ), NULL keys and NULL times on both sides, left rows before any right row and keys
the right table lacks.  Right rows never tie on (keys, time) except in the case that checks that
such ties are reported as non-deterministic.
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, write_notebook
from transpiler.reference.compare import ComparisonPolicy
from transpiler.pipeline import Options, transpile
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

T0 = dt.datetime(2026, 3, 1, 9, 0)


def _data(seed: int, ties: bool = False):
    rnd = random.Random(seed)
    quotes, seen = [], set()
    for k in range(60):
        sym = rnd.choice(["A", "B", "C", None])
        venue = rnd.choice(["x", "y"])
        step = rnd.randrange(0, 40)
        missing = rnd.random() < 0.05
        if (sym, step) in seen or (missing and (sym, None) in seen):
            continue  # no two quotes of a symbol at one time (or both without a time)
        seen |= {(sym, step), (sym, None if missing else step)}
        quotes.append({"sym": sym, "venue": venue,
                       "ts": None if missing else T0 + dt.timedelta(seconds=5 * step),
                       "seq": None if missing else step * 10,
                       "bid": round(rnd.uniform(90, 110), 2)})
    if ties:  # two quotes of one symbol at one time: DuckDB keeps either
        quotes += [dict(quotes[0], bid=1.0), dict(quotes[0], bid=2.0)]
    trades = []
    for k in range(80):
        step = rnd.randrange(-5, 45)
        trades.append({"id": k, "sym": rnd.choice(["A", "B", "C", "D", None]),
                       "venue": rnd.choice(["x", "y"]),
                       "ts": None if rnd.random() < 0.05 else
                       T0 + dt.timedelta(seconds=5 * step + rnd.choice([0, 0, 1, -1])),
                       "seq": step * 10 + rnd.choice([0, 5]),
                       "px": round(rnd.uniform(90, 110), 2)})
    schema_q = pa.schema([("sym", pa.string()), ("venue", pa.string()),
                          ("ts", pa.timestamp("us")), ("seq", pa.int64()), ("bid", pa.float64())])
    schema_t = pa.schema([("id", pa.int64()), ("sym", pa.string()), ("venue", pa.string()),
                          ("ts", pa.timestamp("us")), ("seq", pa.int64()), ("px", pa.float64())])
    return pa.Table.from_pylist(trades, schema_t), pa.Table.from_pylist(quotes, schema_q)


# (name, expression over `trades` and `quotes`)
CASES = [
    ("on_name_with_key", "trades.asof_join(quotes, on='ts', predicates='sym')"),
    ("strictly_before", "trades.asof_join(quotes, on=trades.ts > quotes.ts, predicates='sym')"),
    ("at_or_after", "trades.asof_join(quotes, on=trades.ts <= quotes.ts, predicates='sym')"),
    ("strictly_after", "trades.asof_join(quotes, on=trades.ts < quotes.ts, predicates='sym')"),
    ("reversed_operands", "trades.asof_join(quotes, on=quotes.ts <= trades.ts, "
     "predicates=[quotes.sym == trades.sym])"),
    ("two_keys", "trades.asof_join(quotes, on='ts', predicates=['sym', 'venue'])"),
    ("int_on_column", "trades.asof_join(quotes, on=trades.seq >= quotes.seq, predicates='sym')"),
    ("tolerance", "trades.asof_join(quotes, on='ts', predicates='sym', "
     "tolerance=ibis.interval(seconds=30))"),
    ("then_aggregate", "trades.asof_join(quotes, on='ts', predicates='sym')"
     ".mutate(spread=_.px - _.bid).group_by('sym').aggregate(n=_.count(), "
     "matched=_.bid.count(), worst=_.spread.max())"),
    ("two_asof_joins", "trades.asof_join(quotes, on='ts', predicates='sym')"
     ".asof_join(quotes.select('sym', 'ts', seq2='seq'), on='ts', predicates='sym', "
     "rname='{name}_2')"),
]


def _notebook(folder, seed, cases, ties=False):
    trades, quotes = _data(seed, ties)
    pq.write_table(trades, folder / "trades.parquet")
    pq.write_table(quotes, folder / "quotes.parquet")
    cells = [SETUP + "trades = con.read_parquet('trades.parquet')\n"
             "quotes = con.read_parquet('quotes.parquet')"]
    cells += [f"%%export\ncase_{name} = {source}" for name, source in cases]
    return write_notebook(folder / "asof.ipynb", cells)


@pytest.fixture(scope="module", params=[1, 2, 3], ids=lambda s: f"seed{s}")
def verdicts(request, tmp_path_factory, jvm):
    path = _notebook(tmp_path_factory.mktemp(f"asof{request.param}"), request.param, CASES)
    report = verify(path, Options(), policy=ComparisonPolicy(rel_tol=0.0, abs_tol=0.0))
    return {v.name: v for v in report.feature_sets}


@pytest.mark.parametrize("name,source", CASES, ids=[c[0] for c in CASES])
def test_asof_join_is_conformant(verdicts, name, source):
    verdict = verdicts[f"case_{name}"]
    assert verdict.status == "conformant", f"{source}: {verdict.message}\n{verdict.details}"
    assert verdict.rows_compared > 0


def test_asof_ties_are_reported_as_nondeterministic(tmp_path, jvm):
    path = _notebook(tmp_path, 7, CASES[:1], ties=True)
    lowered = transpile(path, Options())
    assert any("as-of join" in w.message and "tie on (ts, sym)" in w.message
               for w in lowered.warnings), [w.message for w in lowered.warnings]
    (verdict,) = verify(path, Options()).feature_sets
    # never a mismatch: either DuckDB kept the row Spark kept, or the ties explain the difference
    assert verdict.status in ("nondeterministic", "conformant"), verdict.message


def test_null_on_values_in_a_small_left_table_are_reported(tmp_path, jvm):
    """Up to 64 left rows DuckDB plans a loop join, where a NULL `on` value matches nothing;
    nb2jvm follows the sort-based operator of larger tables (a NULL matches the last right row).
    On such data verify must say why the engines differ, not report a mismatch."""
    trades = pa.table({"id": [1, 2, 3], "sym": ["A", "A", "B"],
                       "ts": pa.array([None, T0, None], pa.timestamp("us"))})
    quotes = pa.table({"sym": ["A", "B"], "ts": pa.array([T0, T0], pa.timestamp("us")),
                       "bid": [1.0, 2.0]})
    pq.write_table(trades, tmp_path / "trades.parquet")
    pq.write_table(quotes, tmp_path / "quotes.parquet")
    path = write_notebook(tmp_path / "asof.ipynb", [
        SETUP + "trades = con.read_parquet('trades.parquet')\n"
        "quotes = con.read_parquet('quotes.parquet')",
        "%%export\nout = trades.asof_join(quotes, on='ts', predicates='sym')"])
    lowered = transpile(path, Options())
    assert any(w.code == "W301" for w in lowered.warnings)
    (verdict,) = verify(path, Options()).feature_sets
    assert verdict.status == "nondeterministic", verdict.message
    assert "2 row(s) have NULL there" in verdict.message
