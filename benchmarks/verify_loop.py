"""Verify-loop benchmark: `nb2jvm verify` as a data scientist runs it after every change, cold (a
fresh process, no server: NB2JVM_SERVER=off) and warm (the user's server already running), on
the quickstart and on a generated notebook of 7 feature sets over 30,000 transactions; each next
to the same cells on DuckDB in a fresh Python process (what running the notebook costs).

Every figure is the median of several runs, the variants interleaved; the stages come from the
verify report's `timings`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, fresh_dir

SEVEN = [
    # a projection with conditionals, a string cleanup and a UDF
    '''@ibis.udf.scalar.python
def band(amount: float, currency: str) -> str:
    if amount is None:
        return "none"
    label = currency.strip().lower()
    if amount > 250:
        return label + "-high"
    return label + "-" + str(int(amount // 50))
''',
    '''enriched = transactions.filter(_.amount > 0).mutate(
    amount_eur=ibis.cases((_.currency == "USD", _.amount * 0.92),
                          (_.currency == "GBP", _.amount * 1.17), else_=_.amount),
    tx_hour=_.ts.hour(), band=band(_.amount, _.currency),
    category=_.merchant_category.fill_null("unknown").upper())''',
    '''user_stats = enriched.group_by("user_id").aggregate(
    tx_count=_.count(), total_eur=_.amount_eur.sum(), avg_eur=_.amount_eur.mean(),
    max_eur=_.amount_eur.max(), night_tx=(_.tx_hour < 6).sum(),
    categories=_.category.nunique())''',
    '''category_mix = enriched.group_by(["user_id", "category"]).aggregate(
    n=_.count(), spend=_.amount_eur.sum())''',
    '''user_profile = user_stats.join(users, "user_id").select(
    "user_id", "tx_count", "total_eur", "country",
    spend_per_day=_.total_eur / (_.tenure_days + 1))''',
    '''running = enriched.select("tx_id", "user_id", "ts", "amount_eur").mutate(
    running_total=_.amount_eur.sum().over(ibis.window(group_by="user_id", order_by=["ts", "tx_id"])),
    rank_in_user=ibis.row_number().over(ibis.window(group_by="user_id", order_by=["ts", "tx_id"])))''',
    '''hourly = enriched.group_by("tx_hour").aggregate(n=_.count(), spend=_.amount_eur.sum(),
    online=_.is_online.sum())''',
    '''country_stats = user_profile.group_by("country").aggregate(users=_.count(),
    spend=_.total_eur.sum(), best=_.spend_per_day.max())''',
]


def seven_notebook(folder: Path, rows: int) -> Path:
    """The generated notebook of 7 feature sets (and its two inputs) in ``folder``."""
    import duckdb

    sys.path.insert(0, str(ROOT))
    from tests.conftest import write_notebook

    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"""COPY (SELECT range AS tx_id, range % 2000 AS user_id,
        ((range * 37) % 100000) / 100.0 - 50 AS amount,
        ['EUR', 'USD', 'GBP'][range % 3 + 1] AS currency,
        CASE WHEN range % 11 = 0 THEN NULL ELSE
          ['food', 'travel', 'electronics', 'fuel', 'fashion'][range % 5 + 1] END
          AS merchant_category,
        make_timestamp(1700000000000000 + range * 7919000000) AS ts,
        range % 4 = 0 AS is_online
        FROM range({rows})) TO '{data / "transactions.parquet"}' (FORMAT parquet)""")
    duckdb.sql(f"""COPY (SELECT range AS user_id, ['DE', 'FR', 'GB', 'US'][range % 4 + 1]
        AS country, (range * 13) % 900 AS tenure_days FROM range(2000))
        TO '{data / "users.parquet"}' (FORMAT parquet)""")
    cells = ["%load_ext transpiler",
             "import ibis\nfrom ibis import _\ncon = ibis.duckdb.connect()\n"
             "transactions = con.read_parquet('data/transactions.parquet')\n"
             "users = con.read_parquet('data/users.parquet')"]
    cells += ["%%export\n" + c for c in SEVEN]
    return write_notebook(folder / "seven.ipynb", cells)


# The same cells on DuckDB in a fresh process: the notebook's code with every exported feature
# set computed (to_pyarrow), as running the notebook does.  Our own generated notebooks only.
DUCKDB_CHILD = r'''
import json, os, sys
import nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
os.chdir(os.path.dirname(sys.argv[1]))
env = {}
names = []
for cell in nb.cells:
    src = cell.source
    if cell.cell_type != "code" or src.startswith("%load_ext"):
        continue
    if src.startswith("%%export"):
        src = src.split("\n", 1)[1]
        before = set(env)
        exec(src, env)
        names += [k for k in env if k not in before and hasattr(env[k], "to_pyarrow")]
    elif "to_pandas" not in src:
        exec(src, env)
for n in names:
    env[n].to_pyarrow()
'''


def _verify(nb: Path, env: dict, report: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "transpiler.interfaces.entry", "verify",
                           str(nb), "-q", "--report", str(report)], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    total = time.perf_counter() - started
    rep = json.loads(report.read_text())
    return {"total_s": total, "rc": done.returncode, "timings": rep["timings"],
            "verdicts": {v["name"]: v["status"] for v in rep["feature_sets"]}}


def _duckdb(nb: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", DUCKDB_CHILD, str(nb)], check=True, cwd=ROOT,
                   capture_output=True, text=True)
    return time.perf_counter() - started


def _median_stages(runs: list[dict]) -> dict:
    keys = sorted({k for r in runs for k in r["timings"]})
    return {k: round(statistics.median(r["timings"].get(k, 0.0) for r in runs), 3) for k in keys}


def run(work: Path, rows: int = 30_000, repeats: int = 5) -> dict:
    folder = fresh_dir(work / "verify-loop")
    notebooks = {"quickstart": ROOT / "notebooks" / "quickstart.ipynb",
                 "seven": seven_notebook(folder / "seven", rows)}
    server_dir = Path(tempfile.mkdtemp(prefix="nb2jvm-bench-server-"))
    os.chmod(server_dir, 0o700)
    cold_env = {**os.environ, "NB2JVM_SERVER": "off"}
    warm_env = {**os.environ, "NB2JVM_SERVER": "on", "NB2JVM_SERVER_DIR": str(server_dir)}
    results = {}
    try:
        for name, nb in notebooks.items():
            report = folder / f"{name}-report.json"
            _verify(nb, warm_env, report)  # starts the server, warms it on this notebook
            runs = {"cold": [], "warm": [], "duckdb": []}
            for i in range(repeats):
                order = ["cold", "warm", "duckdb"]
                for variant in order[i % 3:] + order[:i % 3]:
                    if variant == "duckdb":
                        runs["duckdb"].append(_duckdb(nb))
                    else:
                        env = cold_env if variant == "cold" else warm_env
                        runs[variant].append(_verify(nb, env, report))
            results[name] = {
                "rows": rows if name == "seven" else None,
                "feature_sets": len(runs["warm"][-1]["verdicts"]),
                "verdicts": runs["warm"][-1]["verdicts"],
                "rc": sorted({r["rc"] for v in ("cold", "warm") for r in runs[v]}),
                "cold_s": statistics.median(r["total_s"] for r in runs["cold"]),
                "warm_s": statistics.median(r["total_s"] for r in runs["warm"]),
                "duckdb_s": statistics.median(runs["duckdb"]),
                "cold_runs": [round(r["total_s"], 2) for r in runs["cold"]],
                "warm_runs": [round(r["total_s"], 2) for r in runs["warm"]],
                "cold_stages": _median_stages(runs["cold"]),
                "warm_stages": _median_stages(runs["warm"]),
            }
    finally:
        subprocess.run([sys.executable, "-m", "transpiler.interfaces.entry", "server", "stop"],
                       env=warm_env, cwd=ROOT, capture_output=True)
    return results


if __name__ == "__main__":
    print(json.dumps(run(Path(tempfile.mkdtemp()), repeats=int(sys.argv[1]) if len(sys.argv) > 1
                         else 3), indent=2))
