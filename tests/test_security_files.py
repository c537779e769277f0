"""Hostile names, paths and files (docs/security.md): generated code, the file system, Maven.

Every generator gets the same corpus of hostile strings; what javac compiles from them must
evaluate to the very string (or the input is refused), and nothing a notebook names may write or
read outside the places nb2jvm owns.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile

import nbformat
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transpiler.common import escape
from transpiler.frontend.inputs import RECORDED_MIME
from transpiler.jvm.spark import find_jdk

from .conftest import QUICKSTART, ROOT, write_notebook

CANARY_JAVA = 'new java.io.File(System.getProperty("canary")).createNewFile();'
HOSTILE = [
    '"', "\\", "\\u0022", "\\u002a/", "*/", "/*", "\\\\u0022", "\r", "\n", "\r\n", "\x00",
    "\u2028", "\u2029", "\u202e", "\ufeff", "${env:HOME}", "${system:user.home}", "..", "../x",
    "é", "𝔘", "\ud800", "{@code x}", "@param", "<b>", "&amp;", "'", "`", "%s", "\\n",
    f"*/ static {{ {CANARY_JAVA} }} /*", f"\\u002a/ static {{ {CANARY_JAVA} }} /\\u002a",
    f'\\u0022; static {{ {CANARY_JAVA} }} String s = \\u0022', f"\n static {{ {CANARY_JAVA} }}",
    f"\\u000a static {{ {CANARY_JAVA} }}", f"\\u000d static {{ {CANARY_JAVA} }}",
]


def _javac_run(tmp_path, source: str, cls: str) -> str:
    jdk = find_jdk()
    src = tmp_path / f"{cls}.java"
    src.write_text(source, encoding="utf-8")
    out = subprocess.run([str(jdk.javac), "-encoding", "UTF-8", "-d", str(tmp_path), str(src)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    canary = tmp_path / "CANARY"
    run = subprocess.run([str(jdk.java), f"-Dcanary={canary}", "-cp", str(tmp_path), cls],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert not canary.exists(), "generated code ran a block from a hostile string"
    return run.stdout


def test_hostile_strings_through_every_java_text_generator(tmp_path):
    """Each string as a Java string expression, and inside //, /* */ and Javadoc comments:
    javac compiles it, no hostile block runs, and the value is the input, code point for code
    point."""
    values, comments = [], []
    for k, text in enumerate(HOSTILE):
        values.append(f"    out.add({escape.java_string(text)});")
        comments += [f"  // {escape.comment(text)}", f"  /* {escape.comment(text)} */",
                     f"  /** {escape.comment(text)} */", f"  static int f{k}() {{ return {k}; }}"]
    source = "\n".join([
        "public final class Hostile {", *comments,
        "  public static void main(String[] a) {",
        "    java.util.List<String> out = new java.util.ArrayList<>();", *values,
        "    for (String s : out) {",
        "      StringBuilder b = new StringBuilder();",
        "      s.chars().forEach(c -> b.append(c).append(','));",
        "      System.out.println(b);", "    }", "  }", "}", ""])
    assert "\\u" not in source.replace("\\\\u", "")  # no unicode escape javac would pre-decode
    got = _javac_run(tmp_path, source, "Hostile").splitlines()
    # Java strings are UTF-16: compare code units
    want = ["".join(f"{u}," for u in _utf16_units(text)) for text in HOSTILE]
    assert got == want


def _utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i:i + 2], "little") for i in range(0, len(data), 2)]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_are_refused_or_escaped_for_xml_and_manifests(text):
    from transpiler.ir.errors import InputError

    try:
        xml = escape.xml_text(text)
        assert not set("<>&\"'") & set(xml.replace("&amp;", "").replace("&lt;", "")
                                        .replace("&gt;", "").replace("&quot;", "")
                                        .replace("&apos;", ""))
    except InputError as exc:
        assert exc.diagnostics[0].code == "OUT010"
    try:
        assert "\r" not in escape.manifest_value(text, "x") and "\n" not in text
    except InputError as exc:
        assert exc.diagnostics[0].code == "OUT011"


@pytest.mark.parametrize("text", HOSTILE + ["", ".", "a/b", "con", "x" * 300])
def test_file_components_never_leave_their_folder(text):
    name = escape.file_component(text)
    assert name and "/" not in name and "\\" not in name and name not in (".", "..")
    assert ".." not in name and name.isascii() and name.isprintable() and len(name) < 100
    assert escape.file_component(text) == name  # deterministic


def _hostile_notebook(tmp_path, name: str):
    """A memtable notebook whose output column and recorded input table name are hostile."""
    column = "a */ \\u002a/ \"q\" ${env:HOME} \u202e é"
    path = write_notebook(tmp_path / name, [
        "import ibis\ncon = ibis.duckdb.connect()\nevents = con.read_parquet('ev.parquet')",
        f"%%export\nout = events.select(events.id, events.v.name({column!r}))"])
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={RECORDED_MIME: {
        "inputs": {"events": {"table": '../' * 12 + 'ev"\\u0022; ${env:HOME}',
                              "schema": {"id": "int64", "v": "int64"}}}}})]
    nbformat.write(nb, path)
    pq.write_table(pa.table({"id": [1, 2], "v": [3, 4]}), tmp_path / "ev.parquet")
    return path, column


@pytest.mark.parametrize("name", ["nb.ipynb", "x *\u2215 \\u002a\u2215 static {} ${env:HOME}.ipynb"])
def test_hostile_names_build_a_jar_that_is_safe(cli, tmp_path, name):
    path, column = _hostile_notebook(tmp_path, name)
    out = tmp_path / "out"
    before = _outside_writes()
    code, _, err = cli("build", path, "-o", out, "-q")
    assert code == 0, err
    (jar,) = out.glob("*-0.1.0.jar")
    with zipfile.ZipFile(jar) as z:
        names = z.namelist()
        man = json.loads(z.read(next(n for n in names if n.endswith("/manifest.json"))))
    assert not any(".." in n.split("/") or n.startswith("/") or "\\" in n for n in names)
    assert [c["name"] for c in man["feature_sets"][0]["columns"]] == ["id", column]
    assert _outside_writes() == before
    with zipfile.ZipFile(out / jar.name.replace(".jar", "-sources.jar")) as z:
        for n in z.namelist():
            # the generated sources (the runtime's own, beside them, are no user text)
            if n.endswith((".java", ".scala")) and not n.startswith("nb2jvm/runtime/"):
                text = z.read(n).decode()
                assert "\\u" not in text.replace("\\\\u", ""), n
                assert text.isascii(), n


@pytest.mark.jvm
def test_hostile_names_verify_conformant(tmp_path):
    from transpiler.pipeline import Options
    from transpiler.verify import verify

    path, column = _hostile_notebook(tmp_path, "nb.ipynb")
    report = verify(path, Options())
    assert [(v.name, v.status) for v in report.feature_sets] == [("out", "conformant")]


# ---- files: reads confined, outputs owned, coordinates validated -----------------------------


def test_setup_reads_outside_the_notebook_tree_are_refused(cli, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    pq.write_table(pa.table({"token": ["s3cr3t"]}), secret / "credentials.parquet")
    project = tmp_path / "project"
    project.mkdir()
    (project / "data.parquet").symlink_to(secret / "credentials.parquet")
    for read in ("../secret/credentials.parquet", str(secret / "credentials.parquet"),
                 "data.parquet"):
        nb = write_notebook(project / "nb.ipynb", [
            f"import ibis\ncon = ibis.duckdb.connect()\nt = con.read_parquet({read!r})",
            "%%export\nf = t.select(t.token)"])
        code, _, err = cli("build", nb, "-o", project / "out")
        assert code == 2 and "IN008" in err and "--allow-read" in err, (read, err)
        assert not (project / "out").exists()
    code, _, err = cli("build", nb, "-o", project / "out", "--allow-read", secret, "-q")
    assert code == 0, err


def _outside_writes() -> list:
    """Files the hostile table name `../../...ev"...` would make (it climbs out of any
    temporary directory to the file system's root); compared before and after, since an older
    build on the same machine may have left one."""
    import tempfile
    from pathlib import Path

    return [(p, p.stat().st_mtime_ns) for d in (Path("/"), Path(tempfile.gettempdir()))
            for p in d.glob('ev"*')]


def test_recorded_table_name_writes_nothing_outside(cli, tmp_path):
    path, _ = _hostile_notebook(tmp_path, "nb.ipynb")
    before = _outside_writes()
    assert cli("build", path, "-o", tmp_path / "out", "-q")[0] == 0
    assert _outside_writes() == before


@pytest.mark.parametrize("option,value", [
    ("--artifact-id", "sql/../../X"), ("--artifact-id", ".."), ("--group-id", "a/../../b"),
    ("--version", "1.0\r\nMain-Class: Evil"), ("--version", "1.0\nClass-Path: /tmp"),
    ("--version", "${env:HOME}"), ("--group-id", "com.example\u202e"), ("--version", ""),
])
def test_bad_coordinates_are_refused_and_nothing_is_written(cli, tmp_path, option, value):
    out = tmp_path / "out"
    code, _, err = cli("build", QUICKSTART, "-o", out, option, value)
    assert code == 2 and "OUT012" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_output_dir_with_a_foreign_manifest_is_not_replaced(cli, tmp_path):
    app = tmp_path / "webapp"
    app.mkdir()
    (app / "manifest.json").write_text('{"name": "my web app"}')
    (app / "index.html").write_text("<html>")
    code, _, err = cli("build", QUICKSTART, "-o", app)
    assert code == 2 and "OUT002" in err
    assert sorted(p.name for p in app.iterdir()) == ["index.html", "manifest.json"]
    out = tmp_path / "out"
    assert cli("build", QUICKSTART, "-o", out, "-q")[0] == 0
    assert cli("build", QUICKSTART, "-o", out, "-q", "--force")[0] == 0  # its own: replaced


def test_concurrent_publishes_of_one_release_never_both_succeed(cli, tmp_path):
    builds = []
    for k in range(2):
        nb = write_notebook(tmp_path / f"n{k}.ipynb", [
            "%%export\nimport ibis\nt = ibis.memtable({'a': [1]})\n"
            f"f = t.mutate(b=t.a + {k})"])
        out = tmp_path / f"b{k}"
        assert cli("build", nb, "-o", out, "--artifact-id", "same", "-q")[0] == 0
        builds.append(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_ in range(10):  # before the lock, 3 rounds in 12 let both win
        repo = tmp_path / f"repo{round_}"
        procs = [subprocess.Popen([sys.executable, "-m", "transpiler.interfaces.cli", "publish", str(b),
                                   "--repo", str(repo)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env) for b in builds]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        codes = sorted(c for c, _ in results)
        assert codes == [0, 2], results
        assert any("PUB002" in e for _, e in results)
        jar = repo / "nb2jvm/generated/same/0.1.0/same-0.1.0.jar"
        winner = builds[[c for c, _ in results].index(0)]
        assert jar.read_bytes() == (winner / "same-0.1.0.jar").read_bytes()


# ---- bad input: exit 2, never an internal error ---------------------------------------------


def _raw(path, cells):
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": cells}))
    return path


def _code(source, **extra):
    return {"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [],
            "execution_count": None, "source": source, **extra}


@pytest.mark.parametrize("cell", [
    _code(5), _code(["%%export\n", 5]), _code("%%export\nx = 1", metadata={"tags": 5}),
    _code("x = 1", metadata={"tags": [1, 2]}), _code("%%export\nx = 1", outputs=[5]),
])
def test_malformed_cells_are_diagnostics(cli, tmp_path, cell):
    nb = _raw(tmp_path / "nb.ipynb", [cell])
    code, _, err = cli("check", nb)
    assert code == 2 and "INTERNAL" not in err and "Traceback" not in err, err


@pytest.mark.parametrize("data", [
    "not json {", ["a", "list"], {"inputs": ["t"]}, {"inputs": {"t": {"table": 5,
                                                                      "schema": {"a": "int64"}}}},
    {"inputs": {"t": "x"}}, {"inputs": {"t": {"schema": "int64"}}}, 5,
])
def test_malformed_recorded_outputs_are_passed_over(cli, tmp_path, data):
    out = {"output_type": "display_data", "metadata": {}, "data": {RECORDED_MIME: data}}
    nb = _raw(tmp_path / "nb.ipynb", [_code(
        "%%export\nimport ibis\nt = ibis.memtable({'a': [1]})\nf = t.mutate(b=t.a)",
        outputs=[out])])
    code, _, err = cli("check", nb)
    # nbformat itself may refuse the output (NB002); otherwise it is passed over
    assert code == 0 or (code == 2 and "NB002" in err), err
    assert "INTERNAL" not in err


@pytest.mark.parametrize("manifest", [
    "not json", "[]", '{"artifact": 5}', '{"artifact": {"group_id": "../..", "artifact_id": "a",'
    ' "version": "1"}, "feature_sets": []}', '{"artifact": {"group_id": "g", "artifact_id": "a",'
    ' "version": "1"}, "feature_sets": [{"name": "f", "sql": "../../../etc/passwd"}]}',
])
@pytest.mark.parametrize("command", ["publish", "run", "diff"])
def test_foreign_or_corrupt_manifests_are_diagnostics(cli, tmp_path, manifest, command):
    build = tmp_path / "b"
    build.mkdir()
    (build / "manifest.json").write_text(manifest)
    args = {"publish": ["publish", build, "--repo", tmp_path / "repo"],
            "run": ["run", build, "--feature", "f", "--output", tmp_path / "o.parquet"],
            "diff": ["diff", build, build]}[command]
    code, _, err = cli(*args)
    assert code == 2 and "MAN001" in err and "INTERNAL" not in err, err
    assert not (tmp_path / "repo").exists()


def test_run_output_that_is_a_directory(cli, tmp_path):
    (tmp_path / "existing").mkdir()
    code, _, err = cli("run", QUICKSTART, "--feature", "enriched", "--output",
                       tmp_path / "existing")
    assert code == 2 and "CLI004" in err
    assert list((tmp_path / "existing").iterdir()) == [] and ".existing." not in err


def test_sigterm_during_build_leaves_no_temporary_files(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "NB2JVM_CACHE": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "transpiler.interfaces.cli", "build", str(QUICKSTART),
                             "-o", str(tmp_path / "out")], env=env, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(tmp.glob("nb2jvm-*")):
        time.sleep(0.05)
    assert any(tmp.glob("nb2jvm-*")), "the build never made a temporary directory"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143, proc.stderr.read()
    assert list(tmp.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_jar_bytes_do_not_depend_on_how_data_was_spelled(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    data = "notebooks/data/transactions.parquet"
    jars = []
    for k, spelling in enumerate([data, "./" + data, str(ROOT / data),
                                  "notebooks/../notebooks/data/transactions.parquet"]):
        out = tmp_path / f"o{k}"
        code, _, err = cli("build", QUICKSTART, "-o", out, "-q", "--data",
                           f"transactions={spelling}")
        assert code == 0, err
        jars.append((out / "quickstart-0.1.0.jar").read_bytes())
    assert all(j == jars[0] for j in jars)


def test_threads_do_not_share_the_publish_lock_wrongly(tmp_path):
    """The lock is per open file, so two threads of one process exclude each other too."""
    from transpiler.artifact import publish

    artifact_dir = tmp_path / "a"
    artifact_dir.mkdir()
    inside, overlap = [], []

    def hold():
        with publish._locked(artifact_dir):
            inside.append(1)
            if len(inside) > 1:
                overlap.append(1)
            time.sleep(0.2)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlap == []


@pytest.mark.jvm
def test_hostile_strings_through_scala_udfs_and_sql_literals(tmp_path):
    """The corpus as string constants of a compiled UDF (scalac) and as SQL literals: the JVM's
    rows equal the notebook's for every one."""
    from .conftest import verify_cells

    corpus = [t for t in HOSTILE if t != "\ud800"]  # a lone surrogate cannot be a UTF-8 value
    udf = "\n".join(["@ibis.udf.scalar.python", "def tag(x: str) -> str:",
                     *(f"    if x == {str(k)!r}:\n        return x + {t!r}"
                       for k, t in enumerate(corpus)), "    return x"])
    table = pa.table({"k": [str(k) for k in range(len(corpus))]})
    # NUL is left out of the SQL literals: the notebook itself fails on it (ibis's DuckDB SQL
    # has an unterminated string), which verify reports as the notebook engine's error.
    literals = ", ".join(f"l{k}=ibis.literal({t!r})" for k, t in enumerate(corpus) if t != "\x00")
    verdicts = verify_cells(tmp_path, {"t": table}, [
        f"{udf}\n\nf = t.select(t.k, v=tag(t.k))", f"g = t.select(t.k, {literals})"])
    assert {n: v.status for n, v in verdicts.items()} == {"f": "conformant", "g": "conformant"}, \
        {n: v.message for n, v in verdicts.items()}


# ---- found by attacking the first version of these walls -----------------------------------


def test_glob_characters_in_a_read_are_refused(cli, tmp_path):
    """DuckDB reads `*.csv` as a glob and follows symlinks among the matches: a literal file
    named `*.csv` beside a symlink to a secret made the confinement check see the wrong file."""
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.csv").write_text("token\nTOPSECRET\n")
    project = tmp_path / "p"
    project.mkdir()
    (project / "*.csv").write_text("token\nfine\n")
    (project / "s.csv").symlink_to(secret / "secret.csv")
    nb = write_notebook(project / "nb.ipynb", [
        "import ibis\ncon = ibis.duckdb.connect()\nt = con.read_csv('*.csv')",
        "%%export\nf = t.select(t.token)"])
    code, _, err = cli("build", nb, "-o", project / "out")
    assert code == 2 and "IN009" in err and not (project / "out").exists()
    code, _, err = cli("build", nb, "-o", project / "out", "--data", f"t={project / '*.csv'}")
    assert code == 2 and "IN009" in err


@pytest.mark.jvm
def test_a_udf_that_never_returns_ends_with_a_diagnostic(cli, tmp_path):
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "t.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [
        "import ibis\ncon = ibis.duckdb.connect()\nt = con.read_parquet('t.parquet')",
        "%%export\n@ibis.udf.scalar.python\ndef f(x: int) -> int:\n    n = 0\n"
        "    while True:\n        n += 1\n    return n\n\nfeatures = t.mutate(y=f(t.a))"])
    code, _, err = cli("build", nb, "-o", tmp_path / "out", "-q")
    assert code == 0, err  # the golden rows skip it, with the reason in the manifest
    man = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "features" in man["self_check"]["skipped"]
    code, out, _ = cli("verify", nb)
    assert code == 2 and "SandboxViolation" in out and "longer than" in out


def test_terminal_escapes_from_data_are_shown_escaped(cli, tmp_path):
    (tmp_path / "h.csv").write_text('id,"\x1b[31mRED\x1b]0;PWNED\x07"\n1,2\n')
    nb = write_notebook(tmp_path / "nb.ipynb", [
        "import ibis\ncon = ibis.duckdb.connect()\nt = con.read_csv('h.csv')",
        "%%export\ng = t"])
    code, out, err = cli("build", nb, "-o", tmp_path / "out")
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err and "\\u001b[31mRED" in out


def test_every_plain_valued_attribute_is_declared():
    """Each name the subset allows on tables and values evaluates (on columns of every type) to
    an ibis object or a callable, unless it is declared PLAIN_VALUED (refused on `_`)."""
    import ibis

    from transpiler.frontend import subset
    from transpiler.frontend.interpreter import _is_ibis_object

    t = ibis.table({"i": "int64", "f": "float64", "s": "string", "b": "boolean", "d": "date",
                    "ts": "timestamp", "a": "array<string>", "m": "map<string, int64>",
                    "st": "struct<x: int64>", "j": "json", "dec": "decimal(10, 2)"}, name="t")
    plain = []
    for name in subset.TABLE_METHODS:
        value = getattr(t, name, None)
        if value is not None and not callable(value) and not _is_ibis_object(value):
            plain.append(name)
    for col in t.columns:
        for name in subset.VALUE_METHODS:
            value = getattr(t[col], name, None)
            if value is not None and not callable(value) and not _is_ibis_object(value):
                plain.append(name)
    assert set(plain) <= subset.PLAIN_VALUED, sorted(set(plain))


def test_plain_valued_names_cover_every_ibis_expression_type():
    """Derived from the installed ibis: every property, and every method annotated to return
    something other than an expression, of every expression class, is PLAIN_VALUED (or a
    builder whose methods return expressions, like `day_of_week` and `case`)."""
    import inspect

    import ibis.expr.types as ir

    from transpiler.frontend import subset

    exprs = ("Expr", "Value", "Column", "Scalar", "Table", "ir.", "Deferred", "Self",
             "GroupedTable", "Window")
    builders = {"day_of_week", "case"}
    plain = set()
    for cls in {c for c in vars(ir).values() if isinstance(c, type) and issubclass(c, ir.Expr)}:
        for name in dir(cls):
            if name.startswith("_"):
                continue
            raw = inspect.getattr_static(cls, name, None)
            fn = getattr(raw.fget if isinstance(raw, property) else raw, "__func__",
                         raw.fget if isinstance(raw, property) else raw)
            if not callable(fn):
                continue
            try:
                shown = str(inspect.signature(fn).return_annotation)
            except (TypeError, ValueError):
                continue
            annotated = shown != str(inspect.Signature.empty)
            if (isinstance(raw, property) or annotated) and not any(e in shown for e in exprs):
                plain.add(name)
    assert plain - builders <= subset.PLAIN_VALUED, sorted(plain - builders - subset.PLAIN_VALUED)


# ---- found by reviewing the change ----------------------------------------------------------


def test_windows_line_ends_are_read_as_newlines(cli, tmp_path):
    nb = _raw(tmp_path / "nb.ipynb", [_code("%%export\r\nimport ibis\r\n"
                                            "t = ibis.memtable({'a': [1]})\r\nf = t.mutate(b=t.a)")])
    code, _, err = cli("check", nb)
    assert code == 0, err


def test_a_build_dir_of_an_older_nb2jvm_is_still_replaced(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("build", QUICKSTART, "-o", out, "-q")[0] == 0
    (out / ".nb2jvm-build").unlink()  # as an nb2jvm without the marker left it
    assert cli("build", QUICKSTART, "-o", out, "-q", "--force")[0] == 0
    assert (out / ".nb2jvm-build").is_file()


def test_struct_fields_with_substitution_syntax_are_refused(cli, tmp_path):
    pq.write_table(pa.table({"s": pa.array([{"${env:HOME}": 1}])}), tmp_path / "t.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [
        "import ibis\ncon = ibis.duckdb.connect()\nt = con.read_parquet('t.parquet')",
        "%%export\nf = t.select(t.s)"])
    code, _, err = cli("check", nb)
    assert code == 2 and "L102" in err, err


def test_a_udf_cannot_build_a_huge_value_in_one_operation(tmp_path):
    from transpiler.udf import sandbox

    for body in ("return x ** 100000000", "return len('a' * 1000000000)",
                 "return len('a'.zfill(1000000000))", "y = x\n    y = y ** 100000000\n    return 1"):
        nb = write_notebook(tmp_path / "nb.ipynb", [
            f"%%export\nimport ibis\n@ibis.udf.scalar.python\ndef f(x: int) -> int:\n    {body}"
            "\n\nt = ibis.memtable({'a': [7]})\nout = t.mutate(b=f(t.a))"])
        from transpiler.frontend.parse import parse
        from transpiler.frontend.extract import extract
        from transpiler.udf.udf_source import python_callable

        parsed = parse(extract(nb))
        fn = next(s for s in parsed.cells[0].body if getattr(s, "name", "") == "f")
        from transpiler.ir.udf import UdfSource

        call = python_callable(UdfSource(fn, parsed.cells[0].cell, (), f"t{abs(hash(body))}"))
        with pytest.raises(sandbox.SandboxViolation, match="would build"):
            call(7)


@pytest.mark.parametrize("body,words", [
    ("return sum(1 for _ in range(10 ** 12))", "ran longer"),
    ("return len([c for c in range(10 ** 12) if c < 0])", "ran longer"),
    ("return sum(1 for a in range(10 ** 6) for b in range(10 ** 6))", "ran longer"),
    # one C call over an iterator or a range: the sandbox's builtins step through it
    ("return sum(range(10 ** 12))", "ran longer"),
    ("return max(range(10 ** 12))", "ran longer"),
    ("return min(range(x, 10 ** 12))", "ran longer"),
])
def test_a_udf_comprehension_or_collection_is_bounded(tmp_path, monkeypatch, body, words):
    """A comprehension's loop runs in C: it ticks like a loop body, so the call's budget ends
    it (the translator refuses `sorted(range(...))`; the sandbox's list/tuple/set/sorted also
    refuse a sized argument beyond the sequence bound)."""
    from transpiler.frontend.extract import extract
    from transpiler.frontend.parse import parse
    from transpiler.ir.udf import UdfSource
    from transpiler.udf import sandbox
    from transpiler.udf.udf_source import python_callable

    monkeypatch.setattr(sandbox, "CALL_SECONDS", 0.5)
    nb = write_notebook(tmp_path / "nb.ipynb", [
        f"%%export\nimport ibis\n@ibis.udf.scalar.python\ndef f(x: int) -> int:\n    {body}"
        "\n\nt = ibis.memtable({'a': [7]})\nout = t.mutate(b=f(t.a))"])
    parsed = parse(extract(nb))
    fn = next(s for s in parsed.cells[0].body if getattr(s, "name", "") == "f")
    call = python_callable(UdfSource(fn, parsed.cells[0].cell, (), f"b{abs(hash(body))}"))
    with pytest.raises(sandbox.SandboxViolation, match=words):
        call(7)


def test_a_udf_filling_a_dict_is_bounded_by_memory(tmp_path, monkeypatch):
    """A loop that fills a dict (or a list or a set) with big values: the call's budget also
    counts what it adds to the process, checked every 16,384 steps."""
    from transpiler.frontend.extract import extract
    from transpiler.frontend.parse import parse
    from transpiler.ir.udf import UdfSource
    from transpiler.udf import sandbox
    from transpiler.udf.udf_source import python_callable

    monkeypatch.setattr(sandbox, "CALL_BYTES", 256 << 20)
    monkeypatch.setattr(sandbox, "CALL_SECONDS", 60.0)
    nb = write_notebook(tmp_path / "nb.ipynb", [
        "%%export\nimport ibis\n@ibis.udf.scalar.python\ndef f(x: int) -> int:\n    d = {}\n"
        "    i = 0\n    while True:\n        d[i] = str(i) * 400\n        i += 1\n    return 0"
        "\n\nt = ibis.memtable({'a': [7]})\nout = t.mutate(b=f(t.a))"])
    parsed = parse(extract(nb))
    fn = next(s for s in parsed.cells[0].body if getattr(s, "name", "") == "f")
    call = python_callable(UdfSource(fn, parsed.cells[0].cell, (), "memory_bomb"))
    with pytest.raises(sandbox.SandboxViolation, match="grew the process by more than 256 MiB"):
        call(7)


def test_the_sandbox_re_sub_is_bounded():
    """A template that repeats a long match (`\\1` ten times over a 2,000,000-character match)
    would build 20,000,000 characters in one C call: the sandbox's re.sub counts each
    replacement as it is made; a small one equals Python's."""
    from transpiler.udf import sandbox

    env = sandbox.namespace(())
    assert env["re"].sub(r"(b+)", r"<\1\g<0>>", "abba", 1) == re.sub(r"(b+)", r"<\1\g<0>>", "abba", 1)
    assert env["re"].compile("a").sub("x", "banana") == "bxnxnx"
    with pytest.raises(sandbox.SandboxViolation, match="more than 10,000,000 characters"):
        env["re"].sub("(a+)", "\\1" * 10, "a" * 2_000_000)


@pytest.mark.parametrize("value,spec", [(7, ">2000000000"), (1.5, ".999999999f"),
                                        ("a", "x^1000001")])
def test_the_sandbox_format_builtin_is_bounded(value, spec):
    """The translator refuses such specs (U125), so no accepted UDF reaches them; the
    sandbox's format() refuses them too, as a second wall."""
    from transpiler.udf import sandbox

    fmt = sandbox.namespace(())["__builtins__"]["format"]
    assert fmt(7, ">6") == "     7"
    with pytest.raises(sandbox.SandboxViolation, match="wider than 1,000,000"):
        fmt(value, spec)


def test_nb2jvm_java_home_without_a_jdk_is_an_error(tmp_path, monkeypatch):
    from transpiler.jvm import spark as jvm
    from transpiler.ir.errors import EnvironmentProblem

    monkeypatch.setenv("NB2JVM_JAVA_HOME", str(tmp_path))
    jvm.find_jdk.cache_clear()
    try:
        with pytest.raises(EnvironmentProblem, match="JDK001|no bin/java"):
            jvm.find_jdk()
    finally:
        monkeypatch.undo()
        jvm.find_jdk.cache_clear()


def test_metadata_orders_mixed_versions(tmp_path):
    from transpiler.artifact.publish import _metadata

    meta = _metadata("g", "a", ["1.0-beta", "1.0.1", "1.0", "1.0.1-SNAPSHOT"])
    assert "<release>1.0.1</release>" in meta


def test_json_output_stays_json_with_control_characters(cli, tmp_path):
    nb = _raw(tmp_path / "nb.ipynb", [_code("%%export\nimport ibis\nx = '\x7f\x85\u202e' + 1")])
    code, out, _ = cli("check", nb, "--format", "json")
    assert code == 2
    json.loads(out)
