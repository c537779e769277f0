"""Verify: run every feature set on the JVM (Spark) and on the notebook's engine, and compare.

The notebook's engine is ibis on DuckDB, reading the same input files the notebook reads.  The
inputs reach Spark through one hand-off: DuckDB writes each input to Parquet exactly as it typed
it, and Spark reads those files, so both engines start from identical typed data.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from .jvm import spark as jvm_mod
from .reference.compare import ComparisonPolicy, render_mismatches
from .lowering.determinism import tied_groups
from .ir.features import LoweredNotebook
from .artifact.package import package
from .ir.artifact import Artifact
from .pipeline import Options, Timings, transpile
from .reference.engine import handoff_inputs, notebook_engine, notebook_results

STATUS_EXIT = {"conformant": 0, "mismatch": 1, "nondeterministic": 1, "refused": 2, "error": 2}
# the order the summary names them in: what most needs a look first
STATUS_ORDER = ("mismatch", "error", "nondeterministic", "refused", "conformant")
ONLINE_EXIT = {"mismatch": 1, "error": 1}
ONLINE_ORDER = ("mismatch", "error", "conformant", "refused")


@dataclass
class FeatureVerdict:
    """The verdict on one feature set, as it appears in the JSON report."""

    name: str
    status: str
    rows_compared: int = 0
    message: str = ""
    details: str = ""
    cell: int | None = None
    # the transpile-time order and NULL risks (W300/W301) that hold on this data; one that
    # does not (a unique order key here, no NULL) is not listed
    risks: list[str] = field(default_factory=list)
    # with --online: the online path's verdict (conformant, mismatch, error, refused) and why
    online: str = ""
    online_message: str = ""


@dataclass
class VerifyReport:
    """Every feature set's verdict, plus where the time went."""

    notebook: str
    feature_sets: list[FeatureVerdict] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    artifact: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        # an online path that differs from the batch one is a bug like a batch mismatch; a
        # feature set without an online path does not fail the run (the manifest says why)
        online = [ONLINE_EXIT.get(v.online, 0) for v in self.feature_sets]
        return max([STATUS_EXIT[v.status] for v in self.feature_sets] + online, default=2)

    def summary(self) -> str:
        """One line naming the verdicts that are there, e.g. ``REFUSED: 2 of 4 feature sets
        conformant, 2 refused, 238 rows compared``."""
        counts = {s: sum(v.status == s for v in self.feature_sets) for s in STATUS_ORDER}
        bad = [s for s in STATUS_ORDER if s != "conformant" and counts[s]]
        head = ", ".join(s.upper() for s in bad) if bad else \
            "CONFORMANT" if self.feature_sets else "NOT VERIFIED"
        rest = "".join(f", {counts[s]} {s}" for s in bad)
        rows = sum(v.rows_compared for v in self.feature_sets)
        online = [v.online for v in self.feature_sets if v.online]
        tail = ("; online path: " + ", ".join(f"{online.count(s)} {s}" for s in ONLINE_ORDER
                                             if online.count(s))) if online else ""
        return (f"{head}: {counts['conformant']} of {len(self.feature_sets)} feature sets "
                f"conformant{rest}, {rows} rows compared{tail}")

    def to_json(self) -> str:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def verify(path: Path, opts: Options, *, keep_dir: Path | None = None, verbose: bool = False,
           policy: ComparisonPolicy | None = None, tamper=None,
           edge_cases: bool = False, online: bool = False) -> VerifyReport:
    """Build the notebook's artifact, run it on Spark, compare with DuckDB; never raises for a
    single feature set: each gets its own verdict.  ``tamper`` (tests only) may rewrite the
    lowered notebook before packaging to prove that a wrong result is caught."""
    from .jvm.compile_server import warm

    timings = Timings()
    with warm():  # the compiler JVM warms up while the notebook is transpiled
        lowered = transpile(path, opts, timings)
        return verify_lowered(lowered, opts, str(path), keep_dir=keep_dir, verbose=verbose,
                              policy=policy, tamper=tamper, edge_cases=edge_cases,
                              timings=timings, online=online)


def verify_lowered(lowered: LoweredNotebook, opts: Options, shown: str, *,
                   keep_dir: Path | None = None, verbose: bool = False,
                   policy: ComparisonPolicy | None = None, tamper=None,
                   edge_cases: bool = False, timings: Timings | None = None,
                   data: dict[str, Path] | None = None, online: bool = False) -> VerifyReport:
    """:func:`verify` from an already lowered notebook; ``data`` (input name -> Parquet file)
    replaces the inputs' own files, e.g. a sample of the live tables in a kernel."""
    policy = policy or ComparisonPolicy()
    timings = timings or Timings()
    if data:
        tables = tuple(dataclasses.replace(t, path=data[t.name], format="parquet")
                       if t.name in data else t for t in lowered.features.inputs)
        bound = dataclasses.replace(lowered.features.bound, inputs=tables)
        lowered = dataclasses.replace(
            lowered, features=dataclasses.replace(lowered.features, bound=bound))
    report = VerifyReport(shown)
    report.inputs = [{"name": t.name, "path": str(t.path) if t.path else None,
                      "origin": t.origin}
                     for t in lowered.features.inputs]
    for refused in lowered.refused:
        report.feature_sets.append(FeatureVerdict(
            refused.name, "refused", 0, refused.diagnostics[0].message,
            "\n".join(d.render() for d in refused.diagnostics),
            refused.diagnostics[0].span.cell))
    if not lowered.lowered:
        report.timings = timings.stages
        report.feature_sets.sort(key=lambda v: (v.cell is None, v.cell or 0))
        return report
    if tamper is not None:
        lowered = tamper(lowered)
    lowered = _without_data_gaps(lowered, report, shown)
    if not lowered.lowered:
        report.timings = timings.stages
        report.feature_sets.sort(key=lambda v: (v.cell is None, v.cell or 0))
        return report
    work = Path(tempfile.mkdtemp(prefix="nb2jvm-verify-"))
    con = None
    try:
        say = opts.progress or (lambda _msg: None)
        say("package")
        started = time.perf_counter()
        artifact: Artifact = package(lowered, keep_dir or work / "build", opts.coordinates)
        timings.record("package", time.perf_counter() - started)
        report.artifact = str(artifact.jar) if keep_dir else None
        say("hand-off of the inputs to Parquet")
        started = time.perf_counter()
        inputs = handoff_inputs(lowered.features.inputs, work, edge_cases)
        timings.record("hand-off", time.perf_counter() - started)
        started = time.perf_counter()
        jvm = jvm_mod.session(verbose=verbose, progress=say)
        timings.record("jvm start", time.perf_counter() - started)
        pipeline = jvm.pipeline(artifact.jar, artifact.coordinates.artifact_id)
        say("notebook engine (ibis on DuckDB)")
        started = time.perf_counter()
        con = notebook_engine(inputs)
        expected = notebook_results(lowered, con)
        timings.record("notebook run", time.perf_counter() - started)
        ran = _run_together(jvm, pipeline, [lf.name for lf in lowered.lowered
                                            if not isinstance(expected[lf.name], Exception)],
                            inputs, work, timings, say)
        for lf in lowered.lowered:
            if not ran:
                say(f"feature set '{lf.name}' on Spark")
            verdict = _verify_one(jvm, pipeline, lf, inputs, expected[lf.name], work, policy,
                                  timings, con, verbose, ran)
            verdict.cell = lf.feature.cell.index
            verdict.risks = _risks_on_data(lf, con)
            report.feature_sets.append(verdict)
            if online:
                started = time.perf_counter()
                _verify_online(verdict, lf, artifact, inputs, expected[lf.name], work, policy,
                               say)
                timings.record("online run", time.perf_counter() - started)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if con is not None:
            con.disconnect()
    report.timings = {k: round(v, 3) for k, v in timings.stages.items()}
    report.feature_sets.sort(key=lambda v: (v.cell is None, v.cell or 0))  # notebook order
    return report


def _without_data_gaps(lowered: LoweredNotebook, report: VerifyReport,
                       shown: str) -> LoweredNotebook:
    """Verify needs rows: a feature set that reads an input with a schema but no data gets an
    error verdict naming it; the others are verified, on the inputs that have data."""
    import ibis.expr.operations as ops

    missing = {t.name: t for t in lowered.features.inputs if t.path is None}
    if not missing:
        return lowered
    keep = []
    for lf in lowered.lowered:
        used = sorted({op.name for op in lf.feature.expr.op().find(ops.UnboundTable)} &
                      set(missing))
        if not used:
            keep.append(lf)
            continue
        report.feature_sets.append(FeatureVerdict(
            lf.name, "error", 0, "no data to run on: " + ", ".join(
                f"input '{n}' has a schema ({missing[n].origin}) but no data file" for n in used),
            f"pass --data {used[0]}=PATH.parquet", lf.feature.cell.index))
    features = lowered.features
    bound = dataclasses.replace(features.bound, inputs=tuple(
        t for t in features.inputs if t.path is not None))
    return dataclasses.replace(lowered, lowered=tuple(keep),
                               features=dataclasses.replace(features, bound=bound))


def _risks_on_data(lf, con) -> list[str]:
    found = []
    for risk in lf.risks:
        tied = tied_groups(con, risk)
        if tied is None:
            found.append(f"{risk.what}: cannot tell from the data whether rows tie")
        elif tied:
            found.append(f"{risk.what}: " + ("it has no order at all" if risk.always else
                         f"{tied} row(s) have NULL there" if risk.nulls else
                         f"{tied} group(s) of rows tie on its keys") + " in this data")
    return found


def _output(work: Path, name: str) -> Path:
    # a feature set's name is a Python identifier (the subset checks it): safe as a file name
    return work / f"out-{name}.parquet"


def _run_together(jvm, pipeline, names: list[str], inputs, work, timings, say) -> bool:
    """These feature sets (those the notebook's engine computed) in one call on Spark, each
    input read once; False when that failed, and then each runs on its own so that the
    failure is the verdict of the feature set it belongs to.

    Each is computed from the inputs alone: that is the form ``FeaturePipeline.run`` with
    inputs, the facade's ``of`` and ``nb2jvm run`` compute, and the one verify proves (the
    forms built on a pre-computed upstream are replayed by the self-check).  Sharing the
    upstreams instead was measured no faster here (warm, 7 feature sets on 30,000 rows:
    1.9-2.5 s either way): the time goes to Spark's fixed cost per query, not to
    recomputing an upstream."""
    if not names:
        return True
    say(f"{len(names)} feature set(s) on Spark")
    started = time.perf_counter()
    try:
        jvm.run_all_parquet(pipeline, names, inputs, {n: _output(work, n) for n in names})
        return True
    except jvm_mod.JvmRunError:
        return False
    finally:
        timings.record("jvm run", time.perf_counter() - started)


def _verify_one(jvm, pipeline, lf, inputs, expected, work, policy, timings,
                con, verbose: bool = False, ran: bool = False) -> FeatureVerdict:
    if isinstance(expected, Exception):
        first = str(expected).strip().splitlines()[0] if str(expected).strip() else ""
        return FeatureVerdict(lf.name, "error", 0, f"the notebook engine failed: "
                              f"{type(expected).__name__}: {first}")
    out = _output(work, lf.name)
    if not ran:
        started = time.perf_counter()
        try:
            jvm.run_parquet(pipeline, lf.name, inputs, out)
        except jvm_mod.JvmRunError as exc:  # one line; the Java trace only with --verbose
            return FeatureVerdict(lf.name, "error", 0, f"Spark failed: {exc}",
                                  exc.trace if verbose else "")
        finally:
            timings.record("jvm run", time.perf_counter() - started)
    started = time.perf_counter()
    result = policy.compare(expected, pq.read_table(out), ordered=lf.ordered,
                            unordered=lf.unordered)
    timings.record("compare", time.perf_counter() - started)
    if result.equal:
        return FeatureVerdict(lf.name, "conformant", result.rows_compared, result.message)
    for risk in lf.risks:
        tied = tied_groups(con, risk)
        if tied:
            why = ("it has no order at all" if risk.always else
                   f"{tied} row(s) have NULL there in this data" if risk.nulls else
                   f"{tied} group(s) of rows tie on its keys in this data")
            fix = ("filter out or fill the NULL values before the join" if risk.nulls else
                   "add a unique tie-breaker to the order")
            return FeatureVerdict(
                lf.name, "nondeterministic", result.rows_compared,
                f"{risk.what}: {why}, so both engines are right and differ ({result.message}); "
                f"{fix}", render_mismatches(result))
    return FeatureVerdict(lf.name, "mismatch", result.rows_compared, result.message,
                          render_mismatches(result))


def _verify_online(verdict: FeatureVerdict, lf, artifact: Artifact, inputs, expected, work: Path,
                   policy: ComparisonPolicy, say) -> None:
    """The online path on the same input rows, in a plain JVM (the artifact jar alone on the
    class path), compared with the notebook's rows like the batch path's."""
    from .jvm.online_run import OnlineRunError, read_jsonl, run_online, write_jsonl

    entry = next(f for f in artifact.manifest["feature_sets"] if f["name"] == lf.name)
    if not entry.get("online"):
        verdict.online, verdict.online_message = "refused", entry.get("online_refused", "")
        return
    if isinstance(expected, Exception):
        verdict.online, verdict.online_message = "error", "the notebook engine failed"
        return
    say(f"feature set '{lf.name}' on the online path (plain JVM)")
    source = entry["online_input"]
    rows, out = work / f"online-in-{lf.name}.jsonl", work / f"online-out-{lf.name}.jsonl"
    write_jsonl(pq.read_table(inputs[source["name"]]), [c["name"] for c in source["columns"]],
                rows)
    try:
        run_online(jvm_mod.find_jdk().java, artifact.jar, lf.name, source["name"], rows, out)
    except OnlineRunError as exc:
        verdict.online, verdict.online_message = "error", f"the online path failed: {exc}"
        return
    got = read_jsonl(out, [(c["name"], c["spark_type"]) for c in entry["online_columns"]])
    result = policy.compare(expected, got, ordered=lf.ordered, unordered=lf.unordered)
    verdict.online = "conformant" if result.equal else "mismatch"
    verdict.online_message = result.message if result.equal else \
        result.message + "\n" + render_mismatches(result, jvm="JVM (online)")
