"""nb2jvm installed from a wheel, away from any checkout: `pip wheel .`, a fresh venv, then
`nb2jvm check` and `nb2jvm verify` of a copy of the quickstart in a folder outside the clone, and
`%load_ext transpiler` in IPython."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest

from .conftest import NOTEBOOKS, ROOT


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """A fresh venv with only the wheel installed as nb2jvm; its dependencies come from this
    test run's environment through a .pth path entry (which does not load this environment's
    editable install of nb2jvm: a .pth inside a path entry is not processed)."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    # from a copy of the tracked tree: a build/ left in the checkout would otherwise be reused
    # by setuptools, and ship modules that no longer exist
    src = base / "src"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src),
                          "-w", str(dist)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    (wheel,) = dist.glob("nb2jvm-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    out = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", str(wheel)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    assert (venv / "bin" / "nb2jvm").is_file()  # pip wrote the console script
    deps = sysconfig.get_paths()["purelib"]
    with open(os.path.join(purelib, "zz-nb2jvm-test-deps.pth"), "w") as f:
        f.write(deps + "\n")
    return venv, names


def _run(venv, *args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run([str(venv / "bin" / a) if i == 0 else a for i, a in enumerate(args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=900)


def test_wheel_carries_grammars_and_java_sources(wheel_env):
    _, names = wheel_env
    for needed in ("transpiler/grammar/cell.lark", "transpiler/grammar/expr.lark",
                   "transpiler/grammar/udf.lark", "transpiler/jvm_src/pom.xml",
                   "transpiler/jvm_src/src/main/java/nb2jvm/runtime/FeaturePipeline.java",
                   "transpiler/jvm_src/compiler/nb2jvm/tools/CompileServer.java",
                   "transpiler/resources/log4j2-quiet.properties"):
        assert needed in names, needed


@pytest.mark.jvm
def test_installed_wheel_checks_and_verifies_outside_the_checkout(wheel_env, tmp_path):
    venv, _ = wheel_env
    work = tmp_path / "project"
    (work / "data").mkdir(parents=True)
    shutil.copy(NOTEBOOKS / "quickstart.ipynb", work / "quickstart.ipynb")
    shutil.copy(NOTEBOOKS / "data" / "transactions.parquet", work / "data")
    where = _run(venv, "python", "-c", "import transpiler; print(transpiler.__file__)",
                 cwd=work)
    assert where.returncode == 0 and str(venv) in where.stdout and str(ROOT) not in where.stdout
    check = _run(venv, "nb2jvm", "check", "quickstart.ipynb", cwd=work)
    assert check.returncode == 0, check.stderr
    verify = _run(venv, "nb2jvm", "verify", "quickstart.ipynb", "-o", "out", cwd=work)
    assert verify.returncode == 0, verify.stderr[-3000:]
    assert "CONFORMANT" in verify.stdout
    magic = _run(venv, "python", "-c", "from IPython.core.interactiveshell import "
                 "InteractiveShell; s = InteractiveShell.instance(); "
                 "s.run_line_magic('load_ext', 'transpiler'); "
                 "print('export' in s.magics_manager.magics['cell'])", cwd=work)
    assert magic.returncode == 0 and magic.stdout.strip().endswith("True"), magic.stderr
