"""Measure candidate ibis operations on the generated value space before adding them to the tables.

    .venv/bin/python tests/probe_ops.py SPECS.txt [OpName,OpName,...]

``SPECS.txt`` holds one ``name = expression over t`` per line (``#`` starts a comment); the
columns are those of ``tests/value_space.py`` (s, s2: text; i, j: widths; n: positions; f, f2:
floats; d: dates; ts: timestamps; k: integers; js: JSON texts).  The named ops are allowed for this run only (added to
``spark_rules.CONFORMANT_OPS`` in this process); every spec is verified, DuckDB against Spark in
this process's JVM, and its verdict printed.  A conformant op then goes into the table together
with its spec in ``tests/test_value_space.py``, which is what proves it.  Not a test.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ibis.expr.operations as ops  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from tests.conftest import SETUP, write_notebook  # noqa: E402
from tests.value_space import rows  # noqa: E402
from transpiler.lowering import spark_rules  # noqa: E402
from transpiler.pipeline import Options  # noqa: E402
from transpiler.verify import verify  # noqa: E402

COLUMNS = {"s": "text", "s2": "text", "i": "width", "j": "width", "f": "float", "f2": "float",
           "d": "date", "ts": "timestamp", "n": "position", "k": "integer", "js": "json"}
TYPES = {"text": pa.string(), "width": pa.int64(), "position": pa.int64(),
         "float": pa.float64(), "date": pa.date32(), "timestamp": pa.timestamp("us"),
         "integer": pa.int64(), "json": pa.string()}


def main(argv: list[str]) -> int:
    specs = [line.split(" = ", 1) for line in Path(argv[0]).read_text().splitlines()
             if " = " in line and not line.lstrip().startswith("#")]
    allowed = {getattr(ops, n) for n in (argv[1].split(",") if len(argv) > 1 else ())
               if hasattr(ops, n)}
    spark_rules.CONFORMANT_OPS = spark_rules.CONFORMANT_OPS | allowed
    folder = Path(tempfile.mkdtemp(prefix="nb2jvm-probe-"))
    data = rows(COLUMNS, seed=7, extra=40)
    pq.write_table(pa.table({n: pa.array(v, TYPES[COLUMNS[n]]) for n, v in data.items()}),
                   folder / "t.parquet")
    cells = [SETUP + 't = con.read_parquet("t.parquet")'] + [
        f"%%export\n{name} = t.mutate(r={source})" for name, source in specs]
    for verdict in verify(write_notebook(folder / "nb.ipynb", cells), Options()).feature_sets:
        print(f"== {verdict.name} {verdict.status} {verdict.message[:250]}")
        if verdict.status == "mismatch":
            print("\n".join(verdict.details.splitlines()[:4]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
