"""RANGE windows over time (rolling "last 7 days" features), DuckDB against the JVM.

Frames by an interval of the ordering timestamp or date, with NULL times, times that tie (peers
share a frame), partitions, preceding and following bounds, and numeric RANGE frames.
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from tests.conftest import verify_cells

pytestmark = pytest.mark.jvm


def rows(seed: int = 11, n: int = 400) -> dict:
    rnd = random.Random(seed)
    base = dt.datetime(2026, 3, 1)
    ts = [base + dt.timedelta(minutes=rnd.randrange(0, 60 * 24 * 20)) for _ in range(n)]
    ts[5] = ts[6] = ts[7]  # ties: peers share their frame
    ts[10] = ts[11] = None
    return {"id": list(range(n)), "user": [rnd.randint(1, 6) for _ in range(n)],
            "amount": [round(rnd.uniform(1, 500), 2) if rnd.random() > 0.05 else None
                       for _ in range(n)],
            "ts": ts, "k": [rnd.randint(-20, 20) if rnd.random() > 0.05 else None
                            for _ in range(n)]}


WINDOWS = [
    ("sum_last_day", "t.amount.sum().over(ibis.range_window(order_by='ts', "
     "preceding=ibis.interval(days=1), following=0))"),
    ("count_last_7_days_per_user", "t.amount.count().over(ibis.range_window(group_by='user', "
     "order_by='ts', preceding=ibis.interval(days=7), following=0))"),
    ("mean_around_hours", "t.amount.mean().over(ibis.range_window(group_by='user', "
     "order_by='ts', preceding=ibis.interval(hours=6), following=ibis.interval(hours=2)))"),
    ("max_by_date", "t.amount.max().over(ibis.range_window(group_by='user', "
     "order_by=t.ts.date(), preceding=ibis.interval(days=2), following=0))"),
    ("numeric_range", "t.amount.sum().over(ibis.range_window(order_by='k', preceding=3, "
     "following=1))"),
    ("min_numeric_range_partition", "t.amount.min().over(ibis.range_window(group_by='user', "
     "order_by='k', preceding=0, following=5))"),
]


def test_range_windows_match_duckdb(tmp_path, jvm):
    data = rows()
    verdicts = verify_cells(tmp_path, {"t": pa.table(data)},
                            [f"{name} = t.select('id', r={expr})" for name, expr in WINDOWS])
    for name, expr in WINDOWS:
        v = verdicts[name]
        assert v.status == "conformant", f"{expr}: {v.status} {v.message}\n{v.details}"
        assert v.rows_compared == len(data["id"])
