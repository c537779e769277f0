"""Parsing strings to timestamps and dates (`as_timestamp`/`as_date`): DuckDB's lenient strptime
against the runtime's parser with its rules, on generated strings around each format.

The strings vary what DuckDB tolerates and Spark's own patterns would not (surrounding and
repeated whitespace, one-digit fields, short years, `epoch`); the ones DuckDB parses must give
the same value on the JVM, and ones it rejects must fail there too.
"""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, fails_on_both, write_notebook
from transpiler.pipeline import Options, transpile
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

FORMATS = ["%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%Y%m%d", "%H:%M %d.%m.%Y", "%Y-%m-%dT%H:%M:%S",
           "100%% %Y-%m"]
SPACES = [" ", "  ", "\t", "\n ", ""]


def candidates(fmt: str, rnd: random.Random, n: int = 80) -> list[str]:
    out = []
    for _ in range(n):
        fields = {"Y": rnd.choice([rnd.randint(1, 9999), rnd.randint(1900, 2100)]),
                  "m": rnd.randint(1, 12), "d": rnd.randint(1, 31), "H": rnd.randint(0, 23),
                  "M": rnd.randint(0, 59), "S": rnd.randint(0, 59)}
        text, i = "", 0
        while i < len(fmt):
            if fmt[i] == "%" and fmt[i + 1] != "%":
                value = fields[fmt[i + 1]]
                width = 4 if fmt[i + 1] == "Y" else 2
                text += str(value).zfill(rnd.choice([1, width]))
                i += 2
            elif fmt[i] == "%":
                text += "%"
                i += 2
            elif fmt[i] == " ":
                text += rnd.choice(SPACES[:4])
                i += 1
            else:
                text += fmt[i]
                i += 1
        out.append(rnd.choice(SPACES) + text + rnd.choice(SPACES))
    return out + [" epoch ", "EPOCH", "2024-02-29 00:00:00"]


def _parses(text: str, fmt: str) -> bool:
    try:
        duckdb.execute("select strptime($1, $2)", [text, fmt]).fetchall()
        return True
    except duckdb.Error:
        return False


def test_strings_duckdb_parses_give_the_same_timestamps(tmp_path, jvm):
    rnd = random.Random(20261128)
    rows, kept = {"id": [], "f": [], "s": []}, 0
    for k, fmt in enumerate(FORMATS):
        good = [s for s in candidates(fmt, rnd) if _parses(s, fmt)]
        assert len(good) > 30, (fmt, len(good))
        for s in good:
            rows["id"].append(len(rows["id"]))
            rows["f"].append(k)
            rows["s"].append(s)
        kept += len(good)
    pq.write_table(pa.table(rows), tmp_path / "t.parquet")
    cells = [SETUP + 't = con.read_parquet("t.parquet")']
    for k, fmt in enumerate(FORMATS):
        cells.append(f"%%export\nparsed_{k} = t.filter(t.f == {k}).select('id', "
                     f"ts=_.s.as_timestamp({fmt!r}), d=_.s.as_date({fmt!r}))")
    path = write_notebook(tmp_path / "parse.ipynb", cells)
    verdicts = verify(path, Options()).feature_sets
    for v in verdicts:
        assert v.status == "conformant", f"{v.name}: {v.message}\n{v.details}"
    assert sum(v.rows_compared for v in verdicts) == kept


@pytest.mark.parametrize("text", ["2024-02-30 00:00:00", "2024-01-05T10:20:30", "02024-01-05 1:2:3",
                                  "\u00a02024-01-05 10:20:30", "2024-01-05 10:20:60",
                                  "2024-01-05 10:20:30 x"])
def test_strings_duckdb_rejects_fail_on_the_jvm(tmp_path, jvm, text):
    fmt = "%Y-%m-%d %H:%M:%S"
    assert not _parses(text, fmt)
    message = fails_on_both(jvm, tmp_path, pa.table({"s": ["2024-01-05 10:20:30", text]}),
                            f"t.s.as_timestamp({fmt!r})")
    assert "the notebook's DuckDB raises" in message, message


def test_unsupported_format_is_refused(notebook):
    path = notebook([SETUP + "t = ibis.table({'s': 'string'}, name='t')",
                     "%%export\nf = t.select(r=t.s.as_timestamp('%b %d %Y'))"])
    (diagnostic,) = transpile(path, Options()).diagnostics
    assert "only %Y %m %d %H %M %S" in diagnostic.message, diagnostic.message
