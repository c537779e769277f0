"""Verify benchmark: `nb2jvm verify` of the quickstart on generated transactions (a fresh
process, as CI runs it), split into its stages from the JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, fresh_dir


def transactions(path: Path, rows: int) -> None:
    import duckdb

    duckdb.sql(f"""COPY (SELECT range AS tx_id, range % 50000 AS user_id,
        ((range * 37) % 100000) / 100.0 - 50 AS amount,
        ['EUR', 'USD', 'GBP'][range % 3 + 1] AS currency,
        ['food', 'travel', 'electronics', 'fuel', 'fashion'][range % 5 + 1] AS merchant_category,
        make_timestamp(1700000000000000 + range * 1000000) AS ts,
        range % 4 = 0 AS is_online
        FROM range({rows})) TO '{path}' (FORMAT parquet)""")


def run(work: Path, rows: int) -> dict:
    folder = fresh_dir(work / "verify")
    data = folder / "transactions.parquet"
    transactions(data, rows)
    report = folder / "report.json"
    cmd = [sys.executable, "-m", "transpiler.interfaces.cli", "verify",
           str(ROOT / "notebooks" / "quickstart.ipynb"), "--data", f"transactions={data}",
           "--report", str(report), "-q"]
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env={**os.environ}, capture_output=True, text=True)
    total = time.perf_counter() - started
    rep = json.loads(report.read_text())
    return {"rows": rows, "total_s": total, "timings": rep["timings"],
            "verdicts": {v["name"]: v["status"] for v in rep["feature_sets"]}}
