"""Online-path benchmark (issue #25): per-row latency (p50, p99) and throughput on one thread of
the example notebooks' row-local feature sets (customer_risk.identity with its three UDFs,
quickstart.enriched), side by side in one run with

- a hand-written Java function of the same features (benchmarks/java/OnlineBench.java.tmpl: the
  expert's limit), in the same JVM, rounds interleaved;
- the same feature set through Spark on a one-row DataFrame in a warm local session
  (FeaturePipeline.run + collect: what a team would do otherwise);
- MLeap's published figure as a reference line (not measured here).

The online side runs in a plain JVM: the two artifact jars and the benchmark's classes only.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import JAVA_DIR, ROOT, fresh_dir

MLEAP_US = (6.0, 7.0)  # MLeap's row transformer for a whole pipeline, per row (issue #25)
FEATURES = {"identity": ("customer_risk", "customers"), "enriched": ("quickstart",
                                                                      "transactions")}


def _build(folder: Path) -> dict[str, Path]:
    jars = {}
    for name in ("customer_risk", "quickstart"):
        out = folder / name
        subprocess.run([sys.executable, "-m", "transpiler.interfaces.entry", "build",
                        str(ROOT / "notebooks" / f"{name}.ipynb"), "-o", str(out), "-q"],
                       check=True, cwd=ROOT, env=_env())
        (jar,) = [p for p in out.glob("*.jar") if not p.name.endswith("-sources.jar")]
        jars[name] = jar
    return jars


def _env():
    import os

    return {**os.environ, "NB2JVM_SERVER": "off", "PYTHONPATH": str(ROOT)}


def _rows(folder: Path) -> dict[str, Path]:
    """Each input as JSON lines, as DuckDB reads it (the online path's own encoding)."""
    sys.path.insert(0, str(ROOT))
    import pyarrow.parquet as pq

    from transpiler.jvm.online_run import write_jsonl

    out = {}
    for feature, (_, table) in FEATURES.items():
        path = folder / f"{table}.jsonl"
        data = pq.read_table(ROOT / "notebooks" / "data" / f"{table}.parquet")
        write_jsonl(data, data.column_names, path)
        out[feature] = path
    return out


def _harness(folder: Path, jars: dict[str, Path]) -> Path:
    from transpiler.jvm.relocate import runtime_package
    from transpiler.jvm.spark import find_jdk

    src = folder / "src" / "OnlineBench.java"
    src.parent.mkdir(parents=True, exist_ok=True)
    text = (JAVA_DIR / "OnlineBench.java.tmpl").read_text(encoding="utf-8")
    src.write_text(text.replace("RT.", runtime_package() + "."), encoding="utf-8")
    classes = folder / "classes"
    subprocess.run([str(find_jdk().javac), "-encoding", "UTF-8", "-nowarn", "-cp",
                    ":".join(map(str, jars.values())), "-d", str(classes), str(src)], check=True)
    return classes


def _online(jars, classes: Path, rows: dict[str, Path], calls: int, rounds: int) -> dict:
    from transpiler.jvm.spark import find_jdk

    out = {}
    cp = ":".join([*map(str, jars.values()), str(classes)])
    for feature in FEATURES:
        done = subprocess.run([str(find_jdk().java), "-Xms256m", "-cp", cp, "OnlineBench",
                               feature, str(rows[feature]), str(calls), str(rounds)],
                              capture_output=True, text=True, check=True, timeout=1800)
        runs = json.loads(done.stdout)
        out[feature] = {name: {"p50_us": statistics.median(r[0] for r in v) / 1000,
                               "p99_us": statistics.median(r[1] for r in v) / 1000,
                               "rows_per_s": statistics.median(r[2] for r in v),
                               "rounds": len(v)} for name, v in runs.items()}
    return out


def spark_single_row(jars: dict[str, Path], rows_per_feature: int, requests: int) -> dict:
    """In a child process (one JPype JVM): each feature set on a one-row DataFrame, warm."""
    sys.path.insert(0, str(ROOT))
    import jpype

    from transpiler.jvm import spark as jvm_mod

    jvm = jvm_mod.session()
    out = {}
    for feature, (notebook, table) in FEATURES.items():
        pipeline = jvm.pipeline(jars[notebook], notebook.replace("_", "-"))
        base = jvm.spark.read().parquet(str(ROOT / "notebooks" / "data" / f"{table}.parquet"))
        one = base.limit(1).collectAsList()
        schema = base.schema()
        HashMap = jpype.JClass("java.util.HashMap")

        def request():
            inputs = HashMap()
            inputs.put(table, jvm.spark.createDataFrame(one, schema))
            return pipeline.run(jvm.spark, feature, inputs).collectAsList()

        for _ in range(rows_per_feature):  # warm: planning, codegen and the JIT
            request()
        times = []
        for _ in range(requests):
            started = time.perf_counter_ns()
            request()
            times.append((time.perf_counter_ns() - started) / 1000)
        times.sort()
        out[feature] = {"p50_us": times[len(times) // 2],
                        "p99_us": times[min(len(times) - 1, int(len(times) * 0.99))],
                        "rows_per_s": 1e6 / statistics.mean(times), "requests": requests}
    return out


def run(work: Path, calls: int = 200_000, rounds: int = 5, spark_requests: int = 50) -> dict:
    folder = fresh_dir(work / "online")
    jars = _build(folder)
    rows = _rows(folder)
    classes = _harness(folder, jars)
    online = _online(jars, classes, rows, calls, rounds)
    child = subprocess.run([sys.executable, __file__, "--spark", json.dumps(
        {k: str(v) for k, v in jars.items()}), str(spark_requests)], capture_output=True,
        text=True, cwd=ROOT, env=_env(), timeout=1800)
    if child.returncode != 0:
        raise RuntimeError(child.stderr[-2000:])
    spark = json.loads(child.stdout.strip().splitlines()[-1])
    return {"calls": calls, "rounds": rounds, "mleap_us": list(MLEAP_US),
            "features": {f: {**online[f], "Spark, one-row DataFrame (warm)": spark[f]}
                         for f in FEATURES}}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--spark"]:
        jars = {k: Path(v) for k, v in json.loads(sys.argv[2]).items()}
        print(json.dumps(spark_single_row(jars, 20, int(sys.argv[3]))))
    else:
        import tempfile

        print(json.dumps(run(Path(tempfile.mkdtemp(prefix="nb2jvm-bench-"))), indent=2))
