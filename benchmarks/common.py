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


def interleave(variants: dict, reps: int, baseline: tuple[str, ...]) -> dict:
    """Run every variant once per repetition (order rotated), after one warm-up each.

    Ratios are per repetition, against the faster of the ``baseline`` variants in that same
    repetition, so machine noise that hits a repetition hits every variant in it.
    """
    names = list(variants)
    checksums = {n: variants[n]() for n in names}  # warm-up (JIT, caches), also the results
    times = {n: [] for n in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            started = time.perf_counter()
            variants[name]()
            times[name].append(time.perf_counter() - started)
    expert = [min(times[b][r] for b in baseline) for r in range(reps)]
    out = {"variants": {}}
    for name in names:
        ratios = [t / e for t, e in zip(times[name], expert)]
        out["variants"][name] = {
            "median_s": statistics.median(times[name]),
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios), "ratio_max": max(ratios),
            "checksum": checksums[name],
        }
    agree = {v["checksum"] for v in out["variants"].values()}
    out["results_agree"] = len(agree) == 1
    return out


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
