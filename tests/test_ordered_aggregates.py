"""Ordered aggregates (`first`/`last`/`collect` with `order_by`), which ibis refuses for Spark:
DuckDB against the JVM, with NULL and NaN order keys, descending and multi-key orders, NULL
values (skipped unless include_null), `where=` filters, groups left empty, and ties (reported as
non-deterministic, not as a mismatch).
"""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from tests.conftest import SETUP, verify_cells
from transpiler.pipeline import Options

pytestmark = pytest.mark.jvm

NAN = math.nan
# Order keys are unique within each group (one NULL at most), so the answers are determined.
ROWS = {
    "id": list(range(12)),
    "g": [1, 1, 1, 1, 2, 2, 2, None, None, 3, 3, 4],
    "k": [3, None, 1, 2, 5, -1, None, 7, 8, 9, 10, None],
    "f": [0.5, NAN, -1.0, 2.0, NAN, 0.0, 1.0, 3.0, None, -0.5, 4.0, 1.0],
    "s": ["b", "a", "é", "B", "", "z", None, "x", "y", "😀", "e\u0301", "q"],
    "x": [10, 11, None, 13, 14, 15, 16, None, 18, None, None, 21],
}

CASES = [
    ("first_last", "a=_.x.first(order_by='k'), b=_.x.last(order_by='k')"),
    ("desc_and_nan", "a=_.x.first(order_by=ibis.desc('f')), b=_.x.last(order_by='f')"),
    ("multi_key_strings", "a=_.x.first(order_by=['s', 'k']), b=_.s.last(order_by=[ibis.desc('s')])"),
    ("include_null", "a=_.x.first(order_by='k', include_null=True), "
     "b=_.x.last(order_by='id', include_null=True)"),
    ("collect", "c=_.x.collect(order_by='k'), d=_.s.collect(order_by=ibis.desc('id'), "
     "where=_.id > 2)"),
    ("filtered_empty", "a=_.x.first(order_by='k', where=_.id > 100), "
     "c=_.x.collect(order_by='k', where=_.id > 100)"),
]


def test_ordered_aggregates_match_duckdb(tmp_path, jvm):
    cells = [f"{n} = t.group_by('g').aggregate({e})" for n, e in CASES]
    cells += ["ties = t.mutate(one=1).group_by('g').aggregate(a=_.x.first(order_by='one'))"]
    verdicts = verify_cells(tmp_path, {"t": pa.table(ROWS)}, cells)
    for name, expr in CASES:
        v = verdicts[name]
        assert v.status == "conformant", f"{expr}: {v.status} {v.message}\n{v.details}"
        assert v.rows_compared == 5
    assert verdicts["ties"].status in ("nondeterministic", "conformant"), verdicts["ties"]
    assert "tie" in verdicts["ties"].message or verdicts["ties"].status == "conformant"


def test_unordered_first_is_refused(notebook):
    from transpiler.pipeline import transpile

    path = notebook([SETUP + "t = ibis.table({'g': 'int64', 'x': 'int64'}, name='t')",
                     "%%export\nf = t.group_by('g').aggregate(a=_.x.first())"])
    (diagnostic,) = transpile(path, Options()).diagnostics
    assert "without order_by" in diagnostic.message, diagnostic.message
