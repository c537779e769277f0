"""The interactive build loop: the up-to-date check, the compiler JVM (warm-up, class archive,
one per long-lived process) and compiles started ahead.  Speed itself is measured in
benchmarks/build.py, not asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import ROOT, SETUP, write_notebook

UDF = '''%%export
@ibis.udf.scalar.python
def tag(s: str, n: int) -> str:
    return s.strip().lower() + "-" + str(n * N)
'''


def _project(tmp_path, n: int = 3):
    pq.write_table(pa.table({"s": [" A", "b "], "n": [1, 2]}), tmp_path / "t.parquet")
    return write_notebook(tmp_path / "nb.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        UDF.replace("N", str(n)),
        "%%export\nf = t.select(_.n, r=tag(_.s, _.n))",
        # an ordered aggregate without a tie-breaker gives a warning (W300) to replay
        "%%export\ng = t.group_by('n').agg(first=t.s.first(order_by=t.n))"])


def _outputs(out):
    return {p.relative_to(out): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def _edit_outputs(nb):
    data = json.loads(nb.read_text())
    data["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    nb.write_text(json.dumps(data))


def _edit_udf(nb):
    nb.write_text(nb.read_text().replace("n * 3", "n * 4"))


def _touch_data(nb):
    data = nb.parent / "t.parquet"
    os.utime(data, ns=(time.time_ns(), data.stat().st_mtime_ns + 1_000_000))


def _delete_sql(nb):
    (nb.parent / "out" / "sql" / "f.sql").unlink()


def _edit_jar(nb):
    jar = next((nb.parent / "out").glob("nb-0.1.0.jar"))
    jar.write_bytes(jar.read_bytes() + b"\0")


# what changed -> extra arguments of the second build; every one of these must rebuild
REBUILDS = {
    "notebook cell edited": (_edit_udf, ()),
    "notebook outputs changed": (_edit_outputs, ()),
    "data file modified": (_touch_data, ()),
    "output file deleted": (_delete_sql, ()),
    "jar modified": (_edit_jar, ()),
    "another version": (None, ("--version", "0.2.0")),
    "another inline mode": (None, ("--inline", "never")),
    "--force": (None, ("--force",)),
}


def test_unchanged_rebuild_leaves_the_build_alone_and_says_so(cli, tmp_path):
    nb = _project(tmp_path)
    out = tmp_path / "out"
    code, first, err1 = cli("build", nb, "-o", out)
    assert code == 0 and first.startswith("built ") and "W300" in err1
    before = _outputs(out)
    code, second, err2 = cli("build", nb, "-o", out)
    assert code == 0 and second.startswith("up to date: ")
    assert second.splitlines()[1:] == first.splitlines()[1:]  # the same summary
    assert "W300" in err2  # warnings are replayed, not lost
    assert _outputs(out) == before  # not a byte written


@pytest.mark.parametrize("change", list(REBUILDS))
def test_any_change_rebuilds(cli, tmp_path, change):
    nb = _project(tmp_path)
    out = tmp_path / "out"
    assert cli("build", nb, "-o", out)[0] == 0
    scala = (out / "scala" / "Udfs.scala").read_text()
    edit, extra = REBUILDS[change]
    if edit is not None:
        edit(nb)
    code, text, err = cli("build", nb, "-o", out, *extra)
    assert code == 0 and text.startswith("built "), (text, err)
    if change == "notebook cell edited":
        assert (out / "scala" / "Udfs.scala").read_text() != scala


def test_a_failed_build_does_not_make_the_old_one_current(cli, tmp_path):
    nb = _project(tmp_path)
    out = tmp_path / "out"
    assert cli("build", nb, "-o", out)[0] == 0
    good = nb.read_text()
    nb.write_text(good.replace("return s.strip()", "return s.nope()"))
    assert cli("build", nb, "-o", out)[0] == 2
    nb.write_text(good)  # back to what the directory holds: up to date again, rightly
    code, text, _ = cli("build", nb, "-o", out)
    assert code == 0 and text.startswith("up to date")


def test_each_skips_up_to_date_notebooks(cli, tmp_path):
    nb = _project(tmp_path)
    out = tmp_path / "all"
    assert cli("build", tmp_path, "-o", out, "--each")[0] == 0
    code, text, _ = cli("build", tmp_path, "-o", out, "--each")
    assert code == 0 and "up to date" in text
    _edit_udf(nb)
    code, text, _ = cli("build", tmp_path, "-o", out, "--each")
    assert code == 0 and "up to date" not in text


def test_warm_up_samples_compile_against_the_runtime():
    """The samples the compiler JVM warms up on must compile, or the warm-up silently does
    nothing (e.g. after a change to the runtime's API)."""
    from transpiler.jvm import compile_server

    server = compile_server._Server(long_lived=False, warmup=True)
    try:
        replies = server.warmed_up()
    finally:
        server.close()
    assert replies == [(True, ""), (True, "")]


def test_a_damaged_class_archive_is_replaced(tmp_path, monkeypatch):
    """The JVM crashes mapping a truncated class archive: the compile must still succeed, on a
    JVM without it, and a good archive must take its place."""
    from transpiler.jvm import compile_server

    monkeypatch.setattr(compile_server, "cache_dir", lambda: tmp_path)
    first = compile_server._Server(long_lived=False, warmup=True)
    first.warmed_up()
    first.close()  # writes the archive
    (archive,) = tmp_path.glob("compiler-*.jsa")
    good = archive.stat().st_size
    archive.write_bytes(archive.read_bytes()[:10_000])
    src = tmp_path / "A.java"
    src.write_text("class A { int f() { return 1; } }")
    server = compile_server._Server(long_lived=False, warmup=False)
    try:
        assert server.mapped
        assert server.compile("java", ["-d", str(tmp_path / "classes"), str(src)]) == (True, "")
    finally:
        server.close()
    assert (tmp_path / "classes" / "A.class").is_file()
    assert archive.stat().st_size > 10_000 and good > 10_000


def test_a_long_lived_process_keeps_one_compiler(cli, tmp_path):
    """conftest keeps the compiler JVM for the session, as the Jupyter magic does for a kernel:
    two builds with different UDFs compile on the same process."""
    from transpiler.jvm import compile_server

    unique = time.time_ns() % 10**12  # UDFs that no earlier run has in the class cache
    nb = _project(tmp_path, n=unique)
    assert cli("build", nb, "-o", tmp_path / "a")[0] == 0
    server = compile_server._server
    assert server is not None
    pid, compiles = server.process.pid, server.compiles
    _project(tmp_path, n=unique + 1)
    assert cli("build", nb, "-o", tmp_path / "b")[0] == 0
    assert compile_server._server.process.pid == pid
    assert compile_server._server.compiles > compiles


def _compile_servers() -> set[str]:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in ps.splitlines() if "nb2jvm.tools.CompileServer" in line}


def test_cli_build_in_a_fresh_process_leaves_no_compiler_behind(tmp_path):
    """The command-line build starts its own short-lived compiler JVM and stops it."""
    nb = _project(tmp_path, n=time.time_ns() % 10**12)
    before = _compile_servers()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "transpiler.interfaces.cli", "build", str(nb), "-o",
                          str(tmp_path / "out"), "--timings", str(tmp_path / "t.json")],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    stages = json.loads((tmp_path / "t.json").read_text())["stages"]
    assert {"parse", "lower", "compile UDFs (scalac)", "write jars"} <= set(stages)
    assert _compile_servers() <= before


def _wait_for(path, text: str, count: int = 1, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = path.read_text() if path.exists() else ""
        if seen.count(text) >= count:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"no {count}x {text!r} within {timeout} s:\n{seen}")


def _ctrl_c_as_in_a_terminal():
    # A job started with `&` from a script inherits SIGINT ignored, and Python then leaves it
    # ignored: under such a CI runner the watcher never saw the test's Ctrl-C (it hung).
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_watch_rebuilds_on_save_and_reports_errors(tmp_path):
    import signal

    nb = _project(tmp_path, n=time.time_ns() % 10**12)
    log = tmp_path / "watch.log"
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "transpiler.interfaces.cli", "build", str(nb), "-o",
                                 str(out), "--watch", "-q"], stdout=sink, stderr=sink, env=env,
                                cwd=tmp_path, preexec_fn=_ctrl_c_as_in_a_terminal)
    try:
        _wait_for(log, "done in")
        scala = (out / "scala" / "Udfs.scala").read_text()
        _project(tmp_path, n=time.time_ns() % 10**12)  # a changed UDF, saved
        _wait_for(log, "done in", 2)
        assert (out / "scala" / "Udfs.scala").read_text() != scala
        good = nb.read_text()
        nb.write_text(good.replace("return s.strip()", "return s.nope()"))
        text = _wait_for(log, "failed")
        assert "U102" in text and "cell 2" in text
        assert (out / "scala" / "Udfs.scala").is_file()  # the last good build stays
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "stopped watching" in text and "Traceback" not in text
