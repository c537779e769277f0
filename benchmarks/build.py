"""Build benchmark: `nb2jvm build` of a generated notebook (N feature sets, 10 UDFs), cold (fresh
process and empty caches), warm (same process, a changed UDF so scalac runs again) and an
unchanged rebuild; per stage, so the slow stage shows.  Each build runs in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from common import ROOT, fresh_dir

CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, ROOT)
from pathlib import Path
from transpiler.pipeline import Options, Timings, transpile
from transpiler.package import package
from transpiler.scalac import compile_scala
imported = time.perf_counter() - t0

def one(nb, out):
    timings = Timings()
    started = time.perf_counter()
    lowered = transpile(Path(nb), Options(inline_udfs=False), timings)
    t = time.perf_counter()
    if lowered.udfs and lowered.udfs.scala:
        compile_scala(lowered.udfs.scala)
    timings.record("compile (scalac)", time.perf_counter() - t)
    t = time.perf_counter()
    package(lowered, Path(out))
    timings.record("package (jar)", time.perf_counter() - t)
    return {"total_s": time.perf_counter() - started, "stages": timings.stages}

first = one(NB, OUT + "/a")
first["total_s"] += imported
first["stages"] = {"import": imported, **first["stages"]}
print(json.dumps({"cold": first, "warm": one(NB2, OUT + "/b"), "rebuild": one(NB2, OUT + "/c")}))
'''


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
        nb = notebook(folder / "nb.ipynb", n, udfs)
        nb2 = notebook(folder / "nb2.ipynb", n, udfs, variant=1)
        env = {"NB2JVM_CACHE": str(fresh_dir(folder / "cache")), "PATH": os.environ["PATH"]}
        code = CHILD.replace("ROOT", repr(str(ROOT))).replace("NB2", repr(str(nb2))) \
            .replace("NB", repr(str(nb))).replace("OUT", repr(str(folder)))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True)
        data = json.loads(out.stdout.strip().splitlines()[-1])
        data["features"], data["udfs"] = n, udfs
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
    exe = [sys.executable, "-m", "transpiler.cli"]
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
