"""The notebook's engine, the reference every JVM result is compared with: ibis on DuckDB.

The inputs reach both engines through one hand-off: DuckDB writes each input to Parquet exactly
as it typed it (:func:`handoff_inputs`), Spark reads those files, and the notebook's feature sets
run on them here (:func:`notebook_engine`, :func:`notebook_results`). Used by ``verify`` and by
the golden rows of ``build``.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from ..common import escape
from .edge_cases import edge_rows
from ..ir.notebook import InputTable
from ..ir.features import LoweredNotebook


def handoff_inputs(inputs: tuple[InputTable, ...], folder: Path,
                   edge_cases: bool = False) -> dict[str, Path]:
    """Write each input as DuckDB reads it to Parquet: both engines then read these same typed
    files.  With ``edge_cases``, adversarial rows derived from the schema are appended."""
    con = ibis.duckdb.connect()
    paths = {}
    try:
        for table in inputs:
            reader = con.read_parquet if table.format == "parquet" else con.read_csv
            expr = reader(str(table.path), table_name=table.name)
            paths[table.name] = folder / f"{escape.file_component(table.name)}.parquet"
            con.to_parquet(expr, str(paths[table.name]))
            if edge_cases:
                pq.write_table(edge_rows(pq.read_table(paths[table.name])), paths[table.name])
    finally:
        con.disconnect()
    return paths


def notebook_engine(inputs: dict[str, Path]):
    """A DuckDB connection (through ibis) with every handed-off input under its table name."""
    con = ibis.duckdb.connect()
    for name, path in inputs.items():
        con.read_parquet(str(path), table_name=name)
    return con


def notebook_results(lowered: LoweredNotebook, con) -> dict[str, pa.Table | Exception]:
    """Each feature set computed by ibis on DuckDB, the notebook's own engine."""
    results: dict[str, pa.Table | Exception] = {}
    for lf in lowered.lowered:
        try:
            results[lf.name] = con.to_pyarrow(lf.feature.expr)
        except Exception as exc:  # DuckDB errors are the notebook's own failures
            results[lf.name] = exc
    return results
