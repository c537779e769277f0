"""The comparison policy, as a table of examples: it must be able to fail."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

from transpiler.compare import ComparisonPolicy, render_mismatches

NAN = math.nan


def table(**cols):
    return pa.table(cols)


CASES = [
    # (notebook table, jvm table, ordered, equal?)
    ("same rows other order", table(a=[1, 2]), table(a=[2, 1]), False, True),
    ("order matters when ordered", table(a=[1, 2]), table(a=[2, 1]), True, False),
    ("float within tolerance", table(x=[0.1 + 0.2]), table(x=[0.3]), False, True),
    ("float outside tolerance", table(x=[1.0]), table(x=[1.0001]), False, False),
    ("nan equals nan", table(x=[NAN]), table(x=[NAN]), False, True),
    ("null is not nan", table(x=[None], y=[1.0]), table(x=[NAN], y=[1.0]), False, False),
    ("null equals null", table(x=pa.array([None], pa.float64())),
     table(x=pa.array([None], pa.float64())), False, True),
    ("negative zero equals zero", table(x=[-0.0]), table(x=[0.0]), False, True),
    ("inf equals inf", table(x=[math.inf]), table(x=[math.inf]), False, True),
    ("inf is not -inf", table(x=[math.inf]), table(x=[-math.inf]), False, False),
    ("int widths compare by value", table(a=pa.array([1], pa.int8())),
     table(a=pa.array([1], pa.int32())), False, True),
    ("extra row", table(a=[1]), table(a=[1, 1]), False, False),
    ("duplicates count", table(a=[1, 1, 2]), table(a=[1, 2, 2]), False, False),
    ("column names", table(a=[1]), table(b=[1]), False, False),
    ("column order", table(a=[1], b=[2]), table(b=[2], a=[1]), False, False),
    ("strings exact", table(s=["ß"]), table(s=["SS"]), False, False),
    ("zoned timestamps compare as instants",
     table(t=pa.array([dt.datetime(2026, 1, 1, 12)], pa.timestamp("us", "UTC"))),
     table(t=pa.array([dt.datetime(2026, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=1)))],
                      pa.timestamp("us", "+01:00"))),
     False, True),
]


@pytest.mark.parametrize("name,left,right,ordered,equal", CASES, ids=[c[0] for c in CASES])
def test_policy(name, left, right, ordered, equal):
    result = ComparisonPolicy().compare(left, right, ordered=ordered)
    assert result.equal is equal, result.message
    if not equal and result.mismatches:
        assert "notebook (DuckDB)" in render_mismatches(result)
