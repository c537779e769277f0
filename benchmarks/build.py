"""Build benchmark: `nb2jvm build` of a generated notebook (N feature sets, 10 UDFs), as a user
meets it.  Every build but "warm" is a fresh `nb2jvm build` process, timed from outside; stages
come from its `--timings` file.

- first: empty cache (the runtime, grammar tables, compile server and its class archive are
  built once per installation), for information;
- cold: fresh process, no compiler JVM running, the notebook's UDFs never compiled (the target);
- warm: the compiler JVM already running in a long-lived host (a Jupyter kernel, `build
  --watch`): the median of three builds, each with changed UDFs, in one process;
- rebuild: the same command again, nothing changed (the up-to-date check);
- forced: `--force`, every stage again with the classes cached, for information.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, fresh_dir

WARM_CHILD = r'''
import json, sys, time
sys.path.insert(0, ROOT)
from pathlib import Path
from transpiler.jvm import compile_server
from transpiler.pipeline import Options, Timings, build
compile_server.keep()
runs = []
for variant in NBS:  # the user edits the UDFs of one notebook and builds again
    Path(WARM).write_bytes(Path(variant).read_bytes())
    timings = Timings()
    started = time.perf_counter()
    build(Path(WARM), Path(OUT) / "warm", Options(), timings)
    runs.append({"total_s": time.perf_counter() - started, "stages": timings.stages})
print(json.dumps(runs[1:]))  # the first build starts the compiler JVM
'''


def _cli(nb: Path, out: Path, env: dict, *extra: str) -> dict:
    timings = out.parent / f"{out.name}-timings.json"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "transpiler.interfaces.cli", "build", str(nb), "-o", str(out),
                    "-q", "--timings", str(timings), *extra], env=env, cwd=ROOT, check=True,
                   capture_output=True, text=True)
    total = time.perf_counter() - started
    return {"total_s": total, "stages": json.loads(timings.read_text())["stages"]}


def notebook(path: Path, features: int, udfs: int, variant: int = 0) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.conftest import write_notebook

    cells = ["import ibis\nfrom ibis import _\n"
             "t = ibis.table({'a': 'float64', 'n': 'int64', 's': 'string'}, name='t')"]
    defs = []
    for k in range(udfs):
        defs.append(f'''@ibis.udf.scalar.python
def u{k}(x: float, n: int, s: str) -> str:
    label = s.strip().casefold()[:{k + 3}]
    score = round(x * {k + 1}.5, 2) + n % {k + 2}
    if score > {10 * k + variant}:
        return f"{{label}}-hi-{{score:.2f}}"
    return label + "-" + str(n // {k + 1})
''')
    cells.append("%%export\n" + "\n".join(defs))
    for f in range(features):
        k = f % udfs
        cells.append(f"%%export\nf{f} = t.filter(_.a > {f}).select(_.n, r=u{k}(_.a, _.n, _.s), "
                     f"z=_.a * {f + 1} + _.n)")
    return write_notebook(path, cells)


def run(work: Path, feature_counts: list[int], udfs: int = 10) -> list[dict]:
    results = []
    for n in feature_counts:
        folder = fresh_dir(work / f"build-{n}")
        nbs = [notebook(folder / f"nb{v}.ipynb", n, udfs, variant=v) for v in range(6)]
        env = {**os.environ, "PYTHONPATH": str(ROOT),
               "NB2JVM_CACHE": str(fresh_dir(folder / "cache"))}
        data = {"features": n, "udfs": udfs,
                "first": _cli(nbs[0], folder / "first", env),
                "cold": _cli(nbs[1], folder / "cold", env),
                "rebuild": _cli(nbs[1], folder / "cold", env),
                "forced": _cli(nbs[1], folder / "cold", env, "--force")}
        code = WARM_CHILD.replace("ROOT", repr(str(ROOT))).replace("OUT", repr(str(folder))) \
            .replace("NBS", repr([str(nb) for nb in nbs[2:]])) \
            .replace("WARM", repr(str(folder / "warm.ipynb")))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True)
        warm = json.loads(out.stdout.strip().splitlines()[-1])
        data["warm"] = sorted(warm, key=lambda r: r["total_s"])[len(warm) // 2]
        data["warm"]["runs_s"] = [r["total_s"] for r in warm]
        results.append(data)
    return results


def batch(work: Path, count: int = 4, features: int = 3, udfs: int = 3) -> dict:
    """`count` notebooks with different UDFs, empty caches: one `nb2jvm build` process per
    notebook (a cold scalac and javac each) against one `nb2jvm build --each` (one warm
    compiler JVM for the batch)."""
    folder = fresh_dir(work / "batch")
    nbs = fresh_dir(folder / "notebooks")
    for k in range(count):
        notebook(nbs / f"nb{k}.ipynb", features, udfs, variant=k)
    exe = [sys.executable, "-m", "transpiler.interfaces.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def timed(cmds, cache):
        import time

        env["NB2JVM_CACHE"] = str(fresh_dir(folder / cache))
        started = time.perf_counter()
        for cmd in cmds:
            subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd=ROOT)
        return time.perf_counter() - started

    separate = timed([[*exe, "build", str(nb), "-o", str(folder / "sep" / nb.stem), "-q"]
                      for nb in sorted(nbs.glob("*.ipynb"))], "cache-sep")
    each = timed([[*exe, "build", str(nbs), "-o", str(folder / "each"), "--each"]],
                 "cache-each")
    return {"notebooks": count, "separate_s": separate, "each_s": each,
            "ratio": separate / each}
