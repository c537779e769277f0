"""The comparison policy, as a table of examples: it must be able to fail."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

from transpiler.reference.compare import ComparisonPolicy, render_mismatches

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
    ("duplicate keys, float noise", table(k=[1, 1, None], x=[1.0, 2.0, NAN]),
     table(k=[None, 1, 1], x=[NAN, 2.0 + 1e-12, 1.0]), False, True),
    ("float noise across keys", table(k=["a", "b"], x=[1.0, 2.0]),
     table(k=["a", "b"], x=[2.0, 1.0]), False, False),
    # DuckDB's timestamps go past Python's year 9999: compared as microseconds since 1970
    ("timestamp past year 9999 equal", table(t=pa.array([253402300800000000], pa.int64())
                                             .cast(pa.timestamp("us"))),
     table(t=pa.array([253402300800000000], pa.int64()).cast(pa.timestamp("us"))), False, True),
    ("timestamp past year 9999 differs", table(t=pa.array([253402300800000000], pa.int64())
                                               .cast(pa.timestamp("us"))),
     table(t=pa.array([253402300800000001], pa.int64()).cast(pa.timestamp("us"))), False, False),
    ("list of timestamps past year 9999", table(t=pa.array([[253402300800000000, None]],
                                                            pa.list_(pa.timestamp("us")))),
     table(t=pa.array([[253402300800000000, 0]], pa.list_(pa.timestamp("us")))), False, False),
]


@pytest.mark.parametrize("name,left,right,ordered,equal", CASES, ids=[c[0] for c in CASES])
def test_policy(name, left, right, ordered, equal):
    result = ComparisonPolicy().compare(left, right, ordered=ordered)
    assert result.equal is equal, result.message
    if not equal and result.mismatches:
        text = render_mismatches(result)
        assert "notebook (DuckDB)" in text or "JVM (Spark) only" in text, text



@pytest.mark.parametrize("name,left,right,ordered,equal", CASES, ids=[c[0] for c in CASES])
def test_fast_path_never_says_equal_when_rows_differ(name, left, right, ordered, equal):
    policy = ComparisonPolicy()
    if policy.fast_equal(left, right, ordered):
        assert equal
    if left.column_names == right.column_names:
        assert policy.compare_rows(left, right, ordered).equal is equal


def test_fast_path_agrees_with_row_by_row_on_generated_tables():
    """Random tables and perturbed copies: the Arrow fast path proves equality only where the
    row-by-row comparison agrees, and proves it for reorderings (so it is used)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    values = st.one_of(st.none(), st.floats(allow_nan=True, width=64), st.sampled_from(
        [0.0, -0.0, 1.0, 1.0 + 1e-12, 1.0 + 1e-6, math.inf]))
    rows = st.lists(st.tuples(st.sampled_from([None, 1, 2]), st.sampled_from(["a", "b", None]),
                              values), max_size=8)

    def as_table(rs):
        return pa.table({"k": pa.array([r[0] for r in rs], pa.int64()),
                         "s": pa.array([r[1] for r in rs], pa.string()),
                         "x": pa.array([r[2] for r in rs], pa.float64())})

    @settings(max_examples=400, deadline=None)
    @given(left=rows, right=rows, shuffle=st.randoms())
    def check(left, right, shuffle):
        policy = ComparisonPolicy()
        a, b = as_table(left), as_table(right)
        if policy.fast_equal(a, b, False):
            assert policy.compare_rows(a, b, False).equal
        shuffled = list(left)
        shuffle.shuffle(shuffled)
        assert policy.fast_equal(a, as_table(shuffled), False)
    check()


@pytest.mark.parametrize("name,left,right,equal", [
    ("elements in another order", [[3, 1, None, 1]], [[1, None, 1, 3]], True),
    ("a missing duplicate", [[1, 1, 2]], [[1, 2, 2]], False),
    ("NaN and NULL elements", [[math.nan, None, 0.5]], [[None, 0.5, math.nan]], True),
    ("NULL array is not empty", [None], [[]], False),
    ("structs in another order", [[{"a": 2}, {"a": 1}]], [[{"a": 1}, {"a": 2}]], True),
])
def test_unordered_array_columns_compare_as_multisets(name, left, right, equal):
    policy = ComparisonPolicy()
    lt, rt = pa.table({"g": [1] * len(left), "c": left}), pa.table({"g": [1] * len(right),
                                                                    "c": right})
    assert policy.compare(lt, rt, unordered=("c",)).equal is equal, name
    if equal and left != right:
        # and the order counts where the column is not declared unordered
        assert not policy.compare(lt, rt).equal, name
