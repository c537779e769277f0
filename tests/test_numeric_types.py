"""Narrow and exact numeric types: float32, int8/int16 and decimals, DuckDB against the JVM.

DuckDB keeps float32 arithmetic in single precision and reads a float literal as a DECIMAL that
joins the float32 side; Spark widens to double.  Small integers overflow in both engines (both
raise).  Decimals keep their scale in both.  Each case is conformant, or refused with the reason.
"""

from __future__ import annotations

import decimal
import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, fails_on_both, write_notebook
from transpiler.pipeline import Options
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

D = decimal.Decimal
ROWS = {
    "id": list(range(10)),
    "h": [0.1, -0.0, 1.5, math.nan, math.inf, -math.inf, 3.4e38, 16777217.0, None, 1e-45],
    "k": [2.5, 0.1, -0.0, 0.0, 7.0, None, 3.4e38, 1.0, 2.0, math.nan],
    "i8": [1, -128, 127, 0, None, 100, -1, 5, 64, -64],
    "i16": [1, -32768, 32767, 0, None, 300, -1, 5, 64, -64],
    "d": [D("1.005"), D("-2.500"), D("0.000"), None, D("999999.999"), D("-0.001"), D("3.333"),
          D("10.000"), D("0.125"), D("-7.775")],
}
SCHEMA = pa.schema([("id", pa.int64()), ("h", pa.float32()), ("k", pa.float32()),
                    ("i8", pa.int8()), ("i16", pa.int16()), ("d", pa.decimal128(10, 3))])

CASES = [
    ("float32_add_mul", "t.h + t.k, q=t.h * t.k, s=t.h - 2", "conformant"),
    ("float32_div", "t.h / t.k", "conformant"),
    ("float32_compare", "(t.h > t.k) | (t.h == 0), m=ibis.greatest(t.h, t.k)", "conformant"),
    ("float32_widened", "t.h.cast('float64') + 1.5", "conformant"),
    ("float32_literal", "t.h + 1.5", "refused"),
    ("float32_compare_literal", "t.h > 0.1", "refused"),
    ("int8_arith", "ibis.ifelse(t.i8.between(-40, 40), t.i8, 0) * 3 + 1, s=t.i16 - t.i8",
     "conformant"),
    ("decimal_add_mul", "t.d + t.d, q=t.d * 2, s=t.d - 1", "conformant"),
    ("decimal_div", "t.d / 4", "conformant"),
    ("decimal_compare", "(t.d > 1) | (t.d == t.d)", "conformant"),
    ("decimal_to_float", "t.d.cast('float64') / 3", "conformant"),
    ("math_in_domain", "t.k.abs().sqrt(), l=ibis.ifelse(t.k > 0, t.k, 1).ln(), "
     "g=ibis.ifelse(t.k > 0, t.k, 1).log10() + ibis.ifelse(t.k > 0, t.k, 1).log2()",
     "conformant"),
    ("floor_ceil_in_range", "ibis.ifelse(t.k.cast('float64').abs() < 1e18, t.k, 0).floor(), "
     "c=ibis.ifelse(t.k.cast('float64').abs() < 1e18, t.k, 0).ceil()", "conformant"),
]
AGGREGATES = [
    ("float32_aggregates", "s=_.h.sum(), m=_.k.mean(), lo=_.h.min(), hi=_.k.max()", "conformant"),
    ("decimal_aggregates", "s=_.d.sum(), lo=_.d.min(), hi=_.d.max(), "
     "m=_.d.cast('float64').mean()", "conformant"),
    ("decimal_mean", "m=_.d.mean()", "refused"),
    ("std_var", "s=_.i16.std(), v=_.i8.var(how='pop'), d=_.d.cast('float64').std(how='pop'), "
     "w=_.i16.var(where=_.i8 > 0)", "conformant"),
    ("int8_aggregates", "s=_.i8.sum(), m=_.i16.mean(), n=_.i8.nunique()", "conformant"),
]


# std/var per group and over windows: one-row groups, and a group whose only value is NaN
# (DuckDB: population 0.0, sample NULL); the finite float column k is grouped by i8's sign.
WINDOWED = [
    ("std_var_grouped", "t.mutate(sg=(t.i8 > 0), x=ibis.ifelse(t.k.isinf() | (t.k.cast('float64')"
     " > 1e30), 1.0, t.k.cast('float64'))).group_by('sg').aggregate(s=_.x.std(), "
     "p=_.x.var(how='pop'), n=_.x.count())", "conformant"),
    ("std_var_windows", "t.mutate(x=t.i16.cast('float64')).select('id', r=_.x.std().over("
     "ibis.window(order_by='id', preceding=2, following=0)), p=_.x.var(how='pop').over("
     "group_by=_.i8 > 0), q=_.x.std(how='pop').over(ibis.window(order_by='id', preceding=0, "
     "following=0)))", "conformant"),
]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory, jvm):
    folder = tmp_path_factory.mktemp("numeric")
    pq.write_table(pa.Table.from_pydict(ROWS, schema=SCHEMA), folder / "t.parquet")
    cells = [SETUP + 't = con.read_parquet("t.parquet")']
    cells += [f"%%export\n{n} = t.select('id', r={e})" for n, e, _ in CASES]
    cells += [f"%%export\n{n} = t.aggregate({e})" for n, e, _ in AGGREGATES]
    cells += [f"%%export\n{n} = {e}" for n, e, _ in WINDOWED]
    path = write_notebook(folder / "numeric.ipynb", cells)
    return {v.name: v for v in verify(path, Options()).feature_sets}


@pytest.mark.parametrize("name,source,expected", [pytest.param(*c, id=c[0])
                                                  for c in CASES + AGGREGATES + WINDOWED])
def test_case(verdicts, name, source, expected):
    v = verdicts[name]
    assert v.status == expected, f"{source}: {v.status} {v.message}\n{v.details}"


@pytest.mark.parametrize("expr", ["t.i8 + 1", "t.i8 * 3", "t.i8 * 3 * 3 - 1", "t.i16 * 200"])
def test_narrow_integer_overflow_fails_on_both_engines(tmp_path, jvm, expr):
    """DuckDB types `i8 * 3` as TINYINT and raises on overflow; Spark must not return a value."""
    message = fails_on_both(jvm, tmp_path, pa.Table.from_pydict(ROWS, schema=SCHEMA), expr)
    assert "overflow" in message.lower(), message


@pytest.mark.parametrize("expr,value", [("t.x.sqrt()", -1.0), ("t.x.sqrt()", -math.inf),
                                        ("t.x.ln()", 0.0), ("t.x.log10()", -0.0),
                                        ("t.x.log2()", -2.0), ("t.x.floor()", math.nan),
                                        ("t.x.ceil()", math.inf), ("t.x.floor()", 2.0 ** 63),
                                        ("t.x.std()", math.inf), ("t.x.var(how='pop')", math.nan),
                                        ("t.x.std().over(order_by='x')", 1e200)])
def test_outside_the_domain_fails_on_both_engines(tmp_path, jvm, expr, value):
    """DuckDB raises where Spark would return NaN, NULL or a clamped integer."""
    message = fails_on_both(jvm, tmp_path, pa.table({"x": [4.0, value]}), expr)
    assert "the notebook's DuckDB raises" in message, message


def test_std_of_one_nan_is_what_duckdb_says(tmp_path, jvm):
    pq.write_table(pa.table({"g": [1, 2, 2], "x": [math.nan, 1.0, 3.0]}), tmp_path / "t.parquet")
    path = write_notebook(tmp_path / "nb.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        "%%export\nf = t.group_by('g').aggregate(p=_.x.std(how='pop'), s=_.x.var())"])
    (verdict,) = verify(path, Options()).feature_sets
    assert verdict.status == "conformant", verdict.message + verdict.details
