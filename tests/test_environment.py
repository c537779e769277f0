"""Without a JDK, nb2jvm and `make` stop at once and say what to install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from .conftest import QUICKSTART, ROOT


def _bin_without_java(tmp_path):
    """A PATH with the shell tools make needs, and no java/javac."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("sh", "cat", "cksum", "cut", "awk", "env", "rm", "touch"):
        found = shutil.which(tool)
        if found:
            (bindir / tool).symlink_to(found)
    return bindir


def test_cli_without_jdk(tmp_path):
    env = {**os.environ, "PATH": str(_bin_without_java(tmp_path)),
           "NB2JVM_CACHE": str(tmp_path / "cache")}
    env.pop("JAVA_HOME", None)
    out = subprocess.run([sys.executable, "-m", "transpiler.cli", "build", str(QUICKSTART), "-o",
                          str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert out.returncode == 2
    assert "JDK001" in out.stderr and "install a JDK 17" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "out").exists()


def test_make_without_jdk(tmp_path):
    make = shutil.which("make")
    env = {**os.environ, "PATH": str(_bin_without_java(tmp_path))}
    env.pop("JAVA_HOME", None)
    out = subprocess.run([make, "-s", "-C", str(ROOT), "check-jdk"], capture_output=True,
                         text=True, env=env)
    assert out.returncode != 0
    assert "needs a JDK 17 or newer" in out.stdout and "apt-get install" in out.stdout
