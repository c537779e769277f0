"""Shared benchmark machinery: the interleaved timer, ratios, the PySpark session."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
JAVA_DIR = HERE / "java"
sys.path.insert(0, str(ROOT))


def jdk_tool(name: str) -> str:
    from transpiler.jvm import find_jdk

    return str(find_jdk().home / "bin" / name)


def spark_jars() -> Path:
    from transpiler.jvm import spark_jars_dir

    return spark_jars_dir()


def spark_session(jars: list[Path]):
    """One local[2] PySpark session with the nb2jvm settings and the given jars loaded."""
    from transpiler.jvm import find_jdk

    os.environ.setdefault("JAVA_HOME", str(find_jdk().home))
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    classpath = os.pathsep.join(str(j) for j in jars)
    builder = (SparkSession.builder.master("local[2]").appName("nb2jvm-bench")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.ansi.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "6g")
               .config("spark.driver.extraClassPath", classpath)
               .config("spark.jars", ",".join(str(j) for j in jars)))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def interleave(variants: dict, reps: int, baseline: tuple[str, ...],
               close_reps: int | None = None) -> dict:
    """Run every variant once per repetition (order rotated), after one warm-up each.

    A variant is ``plan() -> execute() -> checksum``: building the query (Spark's parse and
    analysis, nb2jvm's input checks and views) is timed apart from running it, because it is
    a fixed cost per query, not per row, and at a few hundred milliseconds per run it would
    otherwise be most of what a ratio measures.  Ratios are of execution times, per
    repetition, against the faster of the ``baseline`` variants in that same repetition, so
    machine noise that hits a repetition hits every variant in it.  Variants within 2x of the
    baselines over the first ``reps`` repetitions (the ones a 1.05 target is about) get
    ``close_reps`` repetitions in all; the slow ones only ``reps``.
    """
    names = list(variants)
    checksums = {n: variants[n]()() for n in names}  # warm-up (JIT, codegen), also the results
    close = names
    plans = {n: [] for n in names}
    times = {n: [] for n in names}
    expert = []
    for rep in range(max(reps, close_reps or 0)):
        if rep == reps:  # judged on the first repetitions, not the warm-up (code generation)
            close = [n for n in names if n in baseline
                     or statistics.median(r for _, r in times[n]) <= 2]
        group = names if rep < reps else close
        order = group[rep % len(group):] + group[:rep % len(group)]
        this = {}
        for name in order:
            started = time.perf_counter()
            execute = variants[name]()
            planned = time.perf_counter()
            execute()
            this[name] = time.perf_counter() - planned
            plans[name].append(planned - started)
        expert.append(min(this[b] for b in baseline))
        for name, t in this.items():
            times[name].append((t, t / expert[-1]))
    out = {"variants": {}}
    for name in names:
        ratios = [r for _, r in times[name]]
        out["variants"][name] = {
            "median_s": statistics.median(t for t, _ in times[name]),
            "plan_ms": 1000 * statistics.median(plans[name]),
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios), "ratio_max": max(ratios),
            "repetitions": len(ratios),
            "checksum": checksums[name],
        }
    agree = {v["checksum"] for v in out["variants"].values()}
    out["results_agree"] = len(agree) == 1
    return out


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
