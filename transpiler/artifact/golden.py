"""Golden rows for the artifact's self-check: a sample of each input and the notebook's own
outputs on it (ibis on DuckDB), stored in the jar and replayed by ``FeaturePipeline.selfCheck``.

Recorded when every input has data (``--data`` or a recognised read); feature sets whose rows
tie on an order-sensitive operation's keys in the sample (W300) or that fail on the sample are
left out, with the reason.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..common import escape
from ..ir.features import LoweredNotebook

SAMPLE_ROWS = 200


@dataclass(frozen=True)
class Golden:
    """Parquet bytes per jar resource name, and what was recorded or skipped."""

    files: dict[str, bytes] = field(default_factory=dict)
    feature_sets: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    # feature set -> input -> resource, when not golden/input-<input>.parquet (merged notebooks)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def manifest(self) -> dict:
        out = {"sample_rows": SAMPLE_ROWS, "feature_sets": list(self.feature_sets),
               "skipped": dict(self.skipped)}
        if self.inputs:
            out["inputs"] = self.inputs
        return out


def merge(goldens) -> Golden:
    """The golden rows of an artifact of several notebooks: each notebook's input samples under
    ``golden/<k>/`` (two notebooks may read different data under one input name)."""
    goldens = list(goldens)
    if len(goldens) == 1:
        return goldens[0]
    files, recorded, skipped, inputs = {}, [], {}, {}
    stored: dict[bytes, str] = {}  # the same sample (same file read twice) is stored once
    for k, g in enumerate(goldens, 1):
        mine = {}
        named = {resource: table for f in g.inputs.values() for table, resource in f.items()}
        for name, data in g.files.items():
            if name.startswith("golden/input-"):
                moved = stored.setdefault(data, f"golden/{k}/{name[len('golden/'):]}")
                mine[named.get(name, name[len("golden/input-"):-len(".parquet")])] = moved
                files[moved] = data
            else:
                files[name] = data
        for feature in g.feature_sets:
            inputs[feature] = dict(sorted(mine.items()))
        recorded += g.feature_sets
        skipped.update(g.skipped)
    return Golden(files, tuple(recorded), skipped, inputs)


def _bytes(table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _sorted(table):
    keys = [(c, "ascending") for c, t in zip(table.column_names, table.schema.types)
            if not (pa.types.is_nested(t))]
    return table.sort_by(keys) if keys else table


def record(lowered: LoweredNotebook) -> Golden:
    """Sample every input (its first rows) and compute each feature set on the sample."""
    import ibis

    from ..lowering.determinism import tied_groups
    from ..reference.engine import notebook_engine, notebook_results

    inputs = lowered.features.inputs
    missing = [t.name for t in inputs if t.path is None]
    if missing or not lowered.lowered:
        reason = f"no data for input(s) {', '.join(missing)}" if missing else "no feature set"
        return Golden(skipped={lf.name: reason for lf in lowered.lowered})
    files, recorded, skipped, renamed = {}, [], {}, {}
    with tempfile.TemporaryDirectory(prefix="nb2jvm-golden-") as tmp:
        con = ibis.duckdb.connect()
        paths = {}
        try:
            for t in inputs:
                if not Path(t.path).is_file():
                    return Golden(skipped={lf.name: f"input {t.name}: {t.path} is not readable"
                                           for lf in lowered.lowered})
                reader = con.read_parquet if t.format == "parquet" else con.read_csv
                sample = reader(str(t.path), table_name=f"src_{t.name}").limit(SAMPLE_ROWS)
                table = con.to_pyarrow(sample)
                # A table name is notebook text (`../x` included): entries and files are named
                # through escape.file_component, and the manifest maps names that changed.
                safe = escape.file_component(t.name)
                files[f"golden/input-{safe}.parquet"] = _bytes(table)
                if safe != t.name:
                    renamed[t.name] = f"golden/input-{safe}.parquet"
                paths[t.name] = Path(tmp) / f"{safe}.parquet"
                pq.write_table(table, paths[t.name])
        finally:
            con.disconnect()
        engine = notebook_engine(paths)
        # One thread and sorted rows: the same notebook must give the same jar bytes (float
        # sums and group order would otherwise vary with DuckDB's parallelism).
        engine.raw_sql("SET threads TO 1")
        try:
            results = notebook_results(lowered, engine)
            # Order-sensitive operations are fine when nothing ties on the sample.
            tied = {lf.name for lf in lowered.lowered
                    if any(tied_groups(engine, risk) for risk in lf.risks)}
        finally:
            engine.disconnect()
    for lf in lowered.lowered:
        result = results[lf.name]
        if lf.name in tied:
            skipped[lf.name] = "rows tie on the order keys in the sample (W300)"
        elif lf.unordered:
            skipped[lf.name] = (f"the arrays of {', '.join(lf.unordered)} (collect() without "
                                "order_by) have no element order to replay")
        elif isinstance(result, Exception):
            skipped[lf.name] = f"the notebook engine failed on the sample: {type(result).__name__}"
        else:
            files[f"golden/output-{lf.name}.parquet"] = _bytes(_sorted(result))
            recorded.append(lf.name)
    inputs = {f: dict(sorted(renamed.items())) for f in recorded} if renamed else {}
    return Golden(files, tuple(recorded), skipped, inputs)
