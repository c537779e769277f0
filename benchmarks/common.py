"""Shared benchmark machinery: the interleaved timer, ratios, the PySpark session."""

from __future__ import annotations

import os
import random
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
    from transpiler.jvm.spark import find_jdk

    return str(find_jdk().home / "bin" / name)


def spark_jars() -> Path:
    from transpiler.jvm.spark import spark_jars_dir

    return spark_jars_dir()


def spark_session(jars: list[Path]):
    """One local[2] PySpark session with the nb2jvm settings and the given jars loaded."""
    from transpiler.jvm.spark import find_jdk

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


def prepared(frame):
    """``frame``'s one-value collect, with Spark's analysis, optimisation and physical planning
    done now: they are a cost per query (larger for a larger expression), not per row."""
    frame._jdf.queryExecution().executedPlan()
    return lambda: frame.collect()[0][0]


def interleave(variants: dict, reps: int, baseline: tuple[str, ...],
               close_reps: int | None = None, close_warmup: int = 2) -> dict:
    """Time every variant in rounds (order rotated), after one warm-up run each.

    A variant is ``plan() -> execute() -> checksum``: building the query (Spark's parse,
    analysis, optimisation and planning, nb2jvm's input checks and views) is timed apart from
    running it, because it is a fixed cost per query, not per row, and at 20-100 ms it would
    otherwise be much of what a ratio of 0.2 s jobs measures.  Ratios are of execution times,
    per round, against the faster of the ``baseline`` variants in that same round, so machine
    noise that hits a round hits every variant in it.

    ``reps`` rounds screen all variants.  Those within 2x of the baselines (the ones a 1.05
    target is about) are then run ``close_warmup`` more times untimed, since Spark's generated
    code keeps getting faster over its first runs (measured: the first rounds after one
    warm-up run of a 0.25 s job were up to 40% slower than later ones), and timed again in
    ``close_reps`` rounds of their own, which replace their screening rounds: a 5% difference
    needs more rounds than a 5x one (one run varies by ~13% here).
    """
    names = list(variants)
    checksums = {n: variants[n]()() for n in names}  # warm-up (JIT, codegen), also the results
    timed = _rounds(variants, names, reps, baseline)
    if close_reps:
        close = [n for n in names if n in baseline
                 or statistics.median(r for _, _, r in timed[n]) <= 2]
        for _ in range(close_warmup):
            for name in close:
                variants[name]()()
        timed.update(_rounds(variants, close, close_reps, baseline))
    out = {"variants": {}}
    for name in names:
        ratios = [r for _, _, r in timed[name]]
        out["variants"][name] = {
            "median_s": statistics.median(t for _, t, _ in timed[name]),
            "plan_ms": 1000 * statistics.median(p for p, _, _ in timed[name]),
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios), "ratio_max": max(ratios),
            "ratio_ci90": median_interval(ratios),
            "repetitions": len(ratios),
            "checksum": checksums[name],
        }
    agree = {v["checksum"] for v in out["variants"].values()}
    out["results_agree"] = len(agree) == 1
    return out


def median_interval(values: list[float], level: float = 0.9,
                    resamples: int = 2000) -> tuple[float, float]:
    """A bootstrap interval for the median: how far the reported median could move if the
    rounds were run again.  One run of a 0.2 s job varies by ~13% here, so whether a median of
    1.07 is above a 1.05 target needs this, not just the median.  Seeded: same rounds, same
    interval."""
    rng = random.Random(0)
    medians = sorted(statistics.median(rng.choices(values, k=len(values)))
                     for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return medians[cut], medians[resamples - 1 - cut]


def _rounds(variants: dict, names: list[str], reps: int, baseline: tuple[str, ...]) -> dict:
    """name -> [(setup s, run s, ratio to the faster baseline of the same round)]."""
    timed = {n: [] for n in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[:rep % len(names)]
        this = {}
        for name in order:
            started = time.perf_counter()
            execute = variants[name]()
            planned = time.perf_counter()
            execute()
            this[name] = (planned - started, time.perf_counter() - planned)
        expert = min(this[b][1] for b in baseline)
        for name, (plan, run) in this.items():
            timed[name].append((plan, run, run / expert))
    return timed


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def runtime_class(jvm, name: str):
    """A runtime class through py4j: the runtime lives in a package per content hash."""
    import functools

    from transpiler.jvm.relocate import runtime_package

    return getattr(functools.reduce(getattr, runtime_package().split("."), jvm), name)
