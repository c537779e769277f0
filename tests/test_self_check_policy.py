"""The self-check's comparison (runtime GoldenCompare, in Java) is verify's (compare.py): the same
verdict on generated pairs of tables, each a copy of a generated table changed in one way that
the policy calls equal (rows shuffled, a float one ulp or 1e-11 relative away, -0.0 for 0.0, a
near-zero float within the absolute tolerance, a decimal of another scale, an int of another
width) or different (a float 1e-7 relative away, NaN for NULL, a row dropped or repeated, a
string or an int changed).  The self-check's former rule (doubles as text of 12 significant
digits, decimals by their scale) failed the near-zero, decimal-scale and some one-ulp pairs."""

from __future__ import annotations

import decimal
import math
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transpiler.jvm.relocate import runtime_package
from transpiler.reference.compare import ComparisonPolicy

pytestmark = pytest.mark.jvm

ROWS = 12
SPECIALS = [0.0, -1.13686837722e-14, 1e300, -2.5, math.inf, -math.inf, math.nan, 5e-324]


def _table(rng: random.Random) -> pa.Table:
    floats = [rng.choice(SPECIALS) if rng.random() < 0.3 else rng.uniform(-1e6, 1e6)
              for _ in range(ROWS)]
    floats[rng.randrange(ROWS)] = None
    return pa.table({
        "k": pa.array([rng.randint(0, 3) for _ in range(ROWS)], pa.int64()),
        "s": pa.array([rng.choice(["a", "b", "ß", ""]) for _ in range(ROWS)]),
        "x": pa.array(floats, pa.float64()),
        "d": pa.array([decimal.Decimal(rng.randint(-10**8, 10**8)) / 100 for _ in range(ROWS)],
                      pa.decimal128(12, 2)),
    })


def _replace(table: pa.Table, name: str, values, type_=None) -> pa.Table:
    i = table.column_names.index(name)
    field = table.field(i) if type_ is None else pa.field(name, type_)
    return table.set_column(i, field, pa.array(values, field.type))


def _finite_row(table: pa.Table, rng: random.Random) -> int | None:
    xs = table.column("x").to_pylist()
    rows = [i for i, v in enumerate(xs) if v is not None and math.isfinite(v) and abs(v) > 1e-3]
    return rng.choice(rows) if rows else None


def _variant(table: pa.Table, kind: str, rng: random.Random) -> pa.Table | None:
    xs = table.column("x").to_pylist()
    if kind == "shuffled":
        order = list(range(table.num_rows))
        rng.shuffle(order)
        return table.take(order)
    if kind in ("one_ulp", "rel_1e-11", "rel_1e-7"):
        i = _finite_row(table, rng)
        if i is None:
            return None
        xs[i] = math.nextafter(xs[i], math.inf) if kind == "one_ulp" else \
            xs[i] * (1 + (1e-11 if kind == "rel_1e-11" else 1e-7))
        return _replace(table, "x", xs)
    if kind == "near_zero":  # measured on a self-check that failed a conformant artifact
        left = _replace(table, "x", [-1.13686837722e-14, *xs[1:]])
        return left, _replace(table, "x", [-8.52651282912e-15, *xs[1:]])
    if kind == "negative_zero":
        return _replace(table, "x", [-0.0 if v == 0.0 else v for v in xs])
    if kind == "nan_for_null":
        return _replace(table, "x", [math.nan if v is None else v for v in xs])
    if kind == "decimal_scale":
        return _replace(table, "d", table.column("d").to_pylist(), pa.decimal128(20, 6))
    if kind == "int_width":
        return _replace(table, "k", table.column("k").to_pylist(), pa.int32())
    if kind == "row_dropped":
        return table.slice(1)
    if kind == "row_repeated":
        return pa.concat_tables([table.slice(1), table.slice(2, 1)])
    if kind == "string_changed":
        ss = table.column("s").to_pylist()
        ss[rng.randrange(len(ss))] = "changed"
        return _replace(table, "s", ss)
    if kind == "int_changed":
        ks = table.column("k").to_pylist()
        ks[rng.randrange(len(ks))] = 99
        return _replace(table, "k", ks)
    raise ValueError(kind)


KINDS = ["shuffled", "one_ulp", "rel_1e-11", "near_zero", "negative_zero", "decimal_scale",
         "int_width", "rel_1e-7", "nan_for_null", "row_dropped", "row_repeated",
         "string_changed", "int_changed"]


def _java_difference(jvm, tmp_path, left: pa.Table, right: pa.Table, n: int):
    paths = []
    for side, table in (("l", left), ("r", right)):
        path = tmp_path / f"{n}{side}.parquet"
        pq.write_table(table, path)
        paths.append(str(path))
    GoldenCompare = jvm.jpype.JClass(f"{runtime_package()}.GoldenCompare")
    rows = [jvm.spark.read().parquet(p).collectAsList() for p in paths]
    difference = GoldenCompare.difference(rows[0], rows[1])
    return None if difference is None else str(difference)


def test_the_policies_share_their_tolerances(jvm):
    GoldenCompare = jvm.jpype.JClass(f"{runtime_package()}.GoldenCompare")
    policy = ComparisonPolicy()
    assert (float(GoldenCompare.REL_TOL), float(GoldenCompare.ABS_TOL)) == \
        (policy.rel_tol, policy.abs_tol)


def test_the_self_check_agrees_with_verify_on_generated_pairs(jvm, tmp_path):
    rng = random.Random(23)
    policy = ComparisonPolicy()
    checked, disagreements, verdicts = 0, [], {True: 0, False: 0}
    for n in range(60):
        base = _table(rng)
        kind = KINDS[n % len(KINDS)]
        variant = _variant(base, kind, rng)
        if variant is None:
            continue
        left, right = variant if isinstance(variant, tuple) else (base, variant)
        python_equal = policy.compare(left, right).equal
        java = _java_difference(jvm, tmp_path, left, right, n)
        verdicts[python_equal] += 1
        checked += 1
        if python_equal != (java is None):
            disagreements.append(f"{kind}: verify {'equal' if python_equal else 'differs'}, "
                                 f"self-check {java or 'equal'}")
    assert not disagreements, "\n".join(disagreements)
    assert checked >= 50 and verdicts[True] >= 15 and verdicts[False] >= 15, verdicts


def test_a_difference_names_the_row_and_both_values(jvm, tmp_path):
    left = pa.table({"k": [1, 2], "x": [0.5, 101875.75]})
    right = pa.table({"k": [2, 1], "x": [101875.76, 0.5]})
    message = _java_difference(jvm, tmp_path, left, right, 0)
    assert message == "row 1 of 2 (sorted) differs: expected (2, 101875.75), got (2, 101875.76)"
    short = _java_difference(jvm, tmp_path, left, right.slice(1), 1)
    assert short == "expected 2 rows, got 1; first expected row not produced: (2, 101875.75)"
