"""`verify --edge-cases`: adversarial rows derived from the input schema."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from transpiler.reference.edge_cases import edge_rows, edge_values
from transpiler.pipeline import Options
from transpiler.verify import verify

from .conftest import QUICKSTART


def test_every_edge_value_appears_once_per_column():
    table = pa.table({"i": pa.array([5], pa.int64()), "f": [1.0], "s": ["x"], "b": [True]})
    out = edge_rows(table)
    assert out.num_rows == 1 + max(len(edge_values(t)) for t in
                                   __import__("ibis").Schema.from_pyarrow(table.schema).values())
    f = out.column("f").to_pylist()
    assert any(v is not None and math.isnan(v) for v in f) and math.inf in f and None in f
    assert any(v == 0 and math.copysign(1, v) < 0 for v in f if v is not None)
    assert {-2**63, 2**63 - 1} <= set(out.column("i").to_pylist())
    assert {"ß", "e\u0301", ""} <= set(out.column("s").to_pylist())
    assert out.column_names == table.column_names


@pytest.mark.jvm
def test_verify_with_edge_cases(jvm, cli, tmp_path):
    plain = verify(QUICKSTART, Options())
    edged = verify(QUICKSTART, Options(), edge_cases=True)
    rows = {v.name: v.rows_compared for v in plain.feature_sets}
    assert edged.exit_code == 0
    assert all(v.rows_compared > rows[v.name] for v in edged.feature_sets)
