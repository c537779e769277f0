"""Golden rows for the artifact's self-check: inputs and the notebook's own outputs on them
(ibis on DuckDB), stored in the jar and replayed by ``FeaturePipeline.selfCheck``.

By default the inputs are generated from each input's schema (:mod:`transpiler.reference.
synthetic`): no customer value goes into a jar that gets published. Each feature set is
recorded on the generated rows without edge values if the notebook computes it there, else on
generated rows with them; feature sets whose rows tie on an order-sensitive operation's keys
(W300), whose arrays have no element order, or that fail on both are left out, with the reason.
``--golden-from-data`` stores the first rows of each real input instead (a warning in the build
summary and in the manifest).
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..common import escape
from ..ir.features import LoweredNotebook
from ..reference.synthetic import SAMPLE_ROWS

DATA_WARNING = ("the golden rows are the first rows of the real inputs (--golden-from-data): "
                "the jar holds customer data")


@dataclass(frozen=True)
class Golden:
    """Parquet bytes per jar resource name, and what was recorded or skipped."""

    files: dict[str, bytes] = field(default_factory=dict)
    feature_sets: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    # feature set -> input -> the resource its rows are in (every input the feature set reads)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    from_data: bool = False  # the first rows of the real inputs (--golden-from-data)

    def manifest(self) -> dict:
        out = {"source": "data" if self.from_data else "generated",
               "rows_per_input": SAMPLE_ROWS, "feature_sets": list(self.feature_sets),
               "skipped": dict(self.skipped), "inputs": self.inputs}
        if self.from_data:
            out["warning"] = DATA_WARNING
        return out


def merge(goldens) -> Golden:
    """The golden rows of an artifact of several notebooks: each notebook's inputs under
    ``golden/<k>/`` (two notebooks may read different data under one input name)."""
    goldens = list(goldens)
    if len(goldens) == 1:
        return goldens[0]
    files, recorded, skipped, inputs = {}, [], {}, {}
    stored: dict[bytes, str] = {}  # the same rows (the same input twice) are stored once
    for k, g in enumerate(goldens, 1):
        moved = {}
        for name, data in g.files.items():
            if name.startswith("golden/input-"):
                moved[name] = stored.setdefault(data, f"golden/{k}/{name[len('golden/'):]}")
                files[moved[name]] = data
            else:
                files[name] = data
        for feature in g.feature_sets:
            inputs[feature] = {i: moved[r] for i, r in g.inputs[feature].items()}
        recorded += g.feature_sets
        skipped.update(g.skipped)
    return Golden(files, tuple(recorded), skipped, inputs, any(g.from_data for g in goldens))


def _bytes(table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _sorted(table):
    keys = [(c, "ascending") for c, t in zip(table.column_names, table.schema.types)
            if not (pa.types.is_nested(t))]
    return table.sort_by(keys) if keys else table


def _read(lowered: LoweredNotebook, from_data: bool) -> tuple[dict[str, dict[str, pa.Table]], str | None]:
    """The inputs to record on, per variant, or why there are none."""
    import ibis

    from ..reference import synthetic

    inputs = lowered.features.inputs
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")  # instants are compared as UTC wall clocks (scrub)
    try:
        unreadable = [t for t in inputs if t.path is not None and not Path(t.path).is_file()]
        if unreadable:
            return {}, f"input {unreadable[0].name}: {unreadable[0].path} is not readable"
        if from_data:
            missing = [t.name for t in inputs if t.path is None]
            if missing:
                return {}, f"no data for input(s) {', '.join(missing)}"
            sample = {}
            for t in inputs:
                reader = con.read_parquet if t.format == "parquet" else con.read_csv
                sample[t.name] = con.to_pyarrow(reader(str(t.path)).limit(SAMPLE_ROWS))
            return {"": sample}, None
        lits = synthetic.literals(lowered)
        profiles = {t.name: synthetic.profile(con, t) if t.path is not None
                    else synthetic.Profile() for t in inputs}
        variants = {}
        # Rows without edge values first: the self-check proves the artifact intact at a
        # service's start-up, and an edge row DuckDB never evaluates (127 + 1 under a LIMIT)
        # may still fail Spark's plan; edge values are verify --edge-cases' job.
        for suffix, edges in (("", False), (".edges", True)):
            made = {t.name: synthetic.synthesize(t, profiles[t.name], lits, edges)
                    for t in inputs}
            variants[suffix] = synthetic.scrub(made, inputs, con, lits)
        return variants, None
    finally:
        con.disconnect()


def _used(lf) -> tuple[str, ...]:
    import ibis.expr.operations as ops

    return tuple(sorted({op.name for op in lf.feature.expr.op().find(ops.UnboundTable)}))


def record(lowered: LoweredNotebook, from_data: bool = False) -> Golden:
    """Compute each feature set on its golden inputs (generated, or sampled with
    ``from_data``) with the notebook's engine."""
    from ..lowering.determinism import tied_groups
    from ..reference.engine import notebook_engine, notebook_results

    if not lowered.lowered:
        return Golden(from_data=from_data)
    variants, reason = _read(lowered, from_data)
    if reason is not None:
        return Golden(skipped={lf.name: reason for lf in lowered.lowered},
                      from_data=from_data)
    files, recorded, inputs = {}, [], {}
    pending = {lf.name: lf for lf in lowered.lowered}
    why: dict[str, str] = {}
    for suffix, tables in variants.items():
        with tempfile.TemporaryDirectory(prefix="nb2jvm-golden-") as tmp:
            paths, resources = {}, {}
            for name, table in tables.items():
                # A table name is notebook text (`../x` included): entries and files are named
                # through escape.file_component; the manifest maps each input to its entry.
                safe = escape.file_component(name)
                resources[name] = f"golden/input-{safe}{suffix}.parquet"
                paths[name] = Path(tmp) / f"{safe}.parquet"
                pq.write_table(table, paths[name])
            engine = notebook_engine(paths)
            # One thread and sorted rows: the same notebook must give the same jar bytes (float
            # sums and group order would otherwise vary with DuckDB's parallelism).
            engine.raw_sql("SET threads TO 1")
            try:
                part = dataclasses.replace(lowered, lowered=tuple(pending.values()))
                results = notebook_results(part, engine)
                tied = {lf.name for lf in part.lowered
                        if any(tied_groups(engine, risk) for risk in lf.risks)}
            finally:
                engine.disconnect()
        for name, lf in list(pending.items()):
            result = results[name]
            if lf.unordered:
                why[name] = (f"the arrays of {', '.join(lf.unordered)} (collect() without "
                             "order_by) have no element order to replay")
                del pending[name]
            elif name in tied:
                why[name] = "rows tie on the order keys in the golden inputs (W300)"
            elif isinstance(result, Exception):
                why[name] = ("the notebook engine failed on the golden inputs: "
                             f"{type(result).__name__}")
            else:
                files[f"golden/output-{name}.parquet"] = _bytes(_sorted(result))
                inputs[name] = {i: resources[i] for i in _used(lf)}
                for i in _used(lf):
                    files[resources[i]] = _bytes(tables[i])
                recorded.append(name)
                del pending[name]
    skipped = {lf.name: why[lf.name] for lf in lowered.lowered if lf.name not in recorded}
    order = [lf.name for lf in lowered.lowered if lf.name in recorded]
    return Golden(files, tuple(order), skipped, inputs, from_data)
