"""Run a feature set's online path the way a Java service would: ``java -cp ARTIFACT.jar
nb2jvm.online.Main`` with nothing else on the class path, rows as JSON lines (the encoding of
OnlineJson.java, written and read here for verify and the tests)."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
from pathlib import Path

import pyarrow as pa

TIMEOUT = 600  # seconds for one feature set's rows

# Spark type -> the Arrow type the rows are read back as
ARROW = {"bigint": pa.int64(), "int": pa.int32(), "double": pa.float64(),
         "string": pa.string(), "boolean": pa.bool_(), "date": pa.date32(),
         "timestamp": pa.timestamp("us"), "timestamp_ntz": pa.timestamp("us"),
         "array<string>": pa.list_(pa.string())}


class OnlineRunError(Exception):
    """The online path failed on these rows (its message is Main's)."""


def _json_value(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="microseconds")  # strftime writes year 1 as "1"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return [_json_value(x) for x in v]
    return v


def write_jsonl(table: pa.Table, columns: list[str], path: Path) -> None:
    """The table's rows (those columns) as JSON lines."""
    with open(path, "w", encoding="utf-8") as out:
        for row in table.select(columns).to_pylist():
            out.write(json.dumps({k: _json_value(v) for k, v in row.items()},
                                 ensure_ascii=False, allow_nan=False) + "\n")


def _from_json(v, spark: str):
    if v is None:
        return None
    if spark == "double":
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) \
            if isinstance(v, str) else float(v)
    if spark == "date":
        return dt.date.fromisoformat(v)
    if spark in ("timestamp", "timestamp_ntz"):
        return dt.datetime.fromisoformat(v)
    return v


def read_jsonl(path: Path, outputs: list[tuple[str, str]]) -> pa.Table:
    """JSON lines of the online path as a table of the output columns' types."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return pa.table({name: pa.array([_from_json(r.get(name), t) for r in rows], ARROW[t])
                     for name, t in outputs})


def run_online(java: Path, jar: Path, feature: str, input_name: str, rows: Path,
               out: Path) -> None:
    """``java -cp jar nb2jvm.online.Main`` on one feature set; OnlineRunError when it fails."""
    done = subprocess.run([str(java), "-Dfile.encoding=UTF-8", "-cp", str(jar),
                           "nb2jvm.online.Main", "--feature", feature, "--input",
                           f"{input_name}={rows}", "--output", str(out)],
                          capture_output=True, text=True, timeout=TIMEOUT)
    if done.returncode != 0:
        raise OnlineRunError((done.stderr.strip() or f"exit code {done.returncode}")
                             .splitlines()[-1])
