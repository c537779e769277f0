"""round() of doubles: DuckDB's binary rounding emulated on the JVM (DuckDbRound.java).

Spark rounds a double's decimal text half-up (2.675 -> 2.68), DuckDB in binary (2.67); both
engines run on several thousand doubles (random bit patterns, values with few decimals, binary
halves, NaN, ±inf, ±0.0, subnormals, 2^52..2^63 boundaries) for digits where the engines' paths
differ (negative digits, 0 as an integer, scales where the C library's pow(10, n) is not the
nearest double to 10^n, overflowing scales), and must agree exactly.
"""

from __future__ import annotations

import math
import random
import struct

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, fails_on_both, write_notebook
from transpiler.pipeline import Options, transpile
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

DIGITS = [-400, -23, -2, -1, 1, 2, 3, 15, 22, 23, 210, 300, 308, 309, 400]
SPECIAL = [0.0, -0.0, 2.675, -2.675, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994, 1.005,
           0.285, 1.45, 15.5, 1e308, -1e308, 5e-324, -5e-324, math.inf, -math.inf, math.nan,
           2.0 ** 52 + 0.5, 2.0 ** 52 - 0.5, 2.0 ** 53 + 2, 2.0 ** 63, -(2.0 ** 63), 1e22, 1e-22]


def doubles(seed: int = 20261128, n: int = 1500) -> list[float]:
    rnd = random.Random(seed)
    xs = list(SPECIAL)
    xs += [rnd.uniform(-1000, 1000) for _ in range(n)]
    xs += [round(rnd.uniform(-100, 100), rnd.randint(0, 4)) + rnd.choice([0, 0.005, 0.05])
           for _ in range(n)]
    xs += [struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0] for _ in range(n)]
    return xs


def test_round_with_digits_matches_duckdb(tmp_path, jvm):
    xs = doubles()
    pq.write_table(pa.table({"id": list(range(len(xs))), "x": pa.array(xs, pa.float64())}),
                   tmp_path / "t.parquet")
    columns = ", ".join(f"r{k}=t.x.round({n})" for k, n in enumerate(DIGITS))
    path = write_notebook(tmp_path / "round.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        f"%%export\nrounded = t.select('id', {columns})",
        # round() is an int64 in ibis: only values DuckDB can cast
        "%%export\nwhole = t.filter(t.x.notnull() & ~t.x.isnan() & (t.x.abs() < 9e18))"
        ".select('id', r=t.x.round(), z=t.x.round(0))",
    ])
    for verdict in verify(path, Options()).feature_sets:
        assert verdict.status == "conformant", verdict.message + verdict.details
        # `whole` keeps the values below 9e18: all but ~1/6 of the random bit patterns
        assert verdict.rows_compared > (len(xs) - 10 if verdict.name == "rounded" else 3500)


@pytest.mark.parametrize("value", [math.nan, math.inf, 2.0 ** 63, -(2.0 ** 63) * 1.5])
def test_round_to_int_fails_where_the_notebook_fails(tmp_path, jvm, value):
    message = fails_on_both(jvm, tmp_path, pa.table({"x": [1.5, value]}), "t.x.round()")
    assert "out of the range of int64" in message, message


def test_round_of_other_types_is_refused(notebook):
    path = notebook([SETUP + "t = ibis.table({'h': 'float32', 'd': 'decimal(10, 3)', 'f': "
                             "'float64'}, name='t')",
                     "%%export\na = t.select(r=t.h.round(1))",
                     "%%export\nb = t.select(r=t.d.round(1))",
                     "%%export\nc = t.select(r=t.f.round(t.f.cast('int8')))"])
    messages = [d.message for d in transpile(path, Options()).diagnostics]
    assert "round() of a float32" in str(messages) and "round() of a decimal" in str(messages)
    assert "not a literal integer" in str(messages)
