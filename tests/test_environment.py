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
    env.pop("NB2JVM_JAVA_HOME", None)
    out = subprocess.run([sys.executable, "-m", "transpiler.interfaces.cli", "build", str(QUICKSTART), "-o",
                          str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert out.returncode == 2
    assert "JDK001" in out.stderr and "install a JDK 17" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "out").exists()


def test_make_without_jdk(tmp_path):
    make = shutil.which("make")
    env = {**os.environ, "PATH": str(_bin_without_java(tmp_path))}
    env.pop("JAVA_HOME", None)
    env.pop("NB2JVM_JAVA_HOME", None)
    out = subprocess.run([make, "-s", "-C", str(ROOT), "check-jdk"], capture_output=True,
                         text=True, env=env)
    assert out.returncode != 0
    assert "needs a JDK 17 or newer" in out.stdout and "apt-get install" in out.stdout


def _fake_jdk(root, version: str):
    """A folder that looks like a JDK of ``version`` (its `release` file and two tools)."""
    (root / "bin").mkdir(parents=True)
    for tool in ("java", "javac"):
        (root / "bin" / tool).write_text("#!/bin/sh\nexit 1\n")
        (root / "bin" / tool).chmod(0o755)
    (root / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return root


def test_a_jdk_spark_does_not_run_on_is_refused_up_front(tmp_path):
    """JAVA_HOME at a JDK outside Spark's list: exit 2 with JDK002 naming it, before any work."""
    fake = _fake_jdk(tmp_path / "jdk-26", "26.0.1")
    env = {**os.environ, "JAVA_HOME": str(fake), "NB2JVM_CACHE": str(tmp_path / "cache")}
    env.pop("NB2JVM_JAVA_HOME", None)
    out = subprocess.run([sys.executable, "-m", "transpiler.interfaces.cli", "build", str(QUICKSTART), "-o",
                          str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert out.returncode == 2, out.stderr
    assert "JDK002" in out.stderr and "26.0.1" in out.stderr and "JAVA_HOME" in out.stderr
    assert "17/21/25" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists()


def test_nb2jvm_java_home_is_chosen_before_java_home(tmp_path, monkeypatch):
    from transpiler.jvm import spark as jvm

    chosen = _fake_jdk(tmp_path / "jdk-21", "21.0.4")
    monkeypatch.setenv("NB2JVM_JAVA_HOME", str(chosen))
    monkeypatch.setenv("JAVA_HOME", str(_fake_jdk(tmp_path / "jdk-26", "26")))
    jvm.find_jdk.cache_clear()
    try:
        jdk = jvm.find_jdk()
        assert (jdk.home, jdk.version) == (chosen, "21.0.4")
    finally:
        monkeypatch.undo()
        jvm.find_jdk.cache_clear()
