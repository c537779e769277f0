"""Shared fixtures: notebooks written from cell lists, and one JVM with Spark per test session."""

from __future__ import annotations

from pathlib import Path

import os

import nbformat
import pytest

# Every `nb2jvm` process a test starts runs in-process unless the test asks for the warm
# server (tests/test_server.py, with a server folder of its own): a server outlives the test.
os.environ["NB2JVM_SERVER"] = "off"

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
QUICKSTART = NOTEBOOKS / "quickstart.ipynb"


def write_notebook(path: Path, cells: list, *, nbformat_minor: int = 5) -> Path:
    """Write a notebook; a cell is a source string (code) or a (kind, source[, tags]) tuple."""
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = nbformat_minor
    for i, cell in enumerate(cells, start=1):
        kind, source, tags = ("code", cell, []) if isinstance(cell, str) else (*cell, [])[:3]
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        c = make(source)
        c.id = f"cell-{i}"
        if tags:
            c.metadata["tags"] = list(tags)
        nb.cells.append(c)
    nbformat.write(nb, path)
    return path


def jvm_failure(jvm, lowered, feature: str, inputs: dict, folder: Path) -> str:
    """Package ``lowered`` into ``folder``, run ``feature`` on the session's JVM, require it to
    fail, and return the failure's message."""
    from transpiler.jvm import spark as jvm_mod
    from transpiler.artifact.package import package

    artifact = package(lowered, folder / "build")
    pipeline = jvm.pipeline(artifact.jar, artifact.coordinates.artifact_id)
    with pytest.raises(jvm_mod.JvmRunError) as caught:
        jvm.run_parquet(pipeline, feature, inputs, folder / f"out-{feature}")
    return str(caught.value)


SETUP = 'import ibis\nfrom ibis import _\ncon = ibis.duckdb.connect()\n'


def notebook_rows(notebook: Path, folder: Path):
    """The notebook transpiled, its inputs handed off as Parquet into ``folder`` (as verify
    does), and each feature set's rows on them from the notebook's engine."""
    from transpiler.pipeline import Options, transpile
    from transpiler.reference.engine import handoff_inputs, notebook_engine, notebook_results

    lowered = transpile(notebook, Options())
    folder.mkdir(parents=True, exist_ok=True)
    paths = handoff_inputs(lowered.features.inputs, folder)
    engine = notebook_engine(paths)
    try:
        return lowered, paths, notebook_results(lowered, engine)
    finally:
        engine.disconnect()


def verify_cells(folder: Path, tables: dict, cells: list[str], name: str = "nb.ipynb") -> dict:
    """Write ``tables`` (name -> pyarrow table) as Parquet next to a notebook that reads them and
    exports ``cells`` (one feature-set assignment each); verify it on the JVM against DuckDB and
    return the verdicts by feature-set name."""
    import pyarrow.parquet as pq

    from transpiler.pipeline import Options
    from transpiler.verify import verify

    for table_name, table in tables.items():
        pq.write_table(table, folder / f"{table_name}.parquet")
    setup = SETUP + "\n".join(f'{t} = con.read_parquet("{t}.parquet")' for t in tables)
    path = write_notebook(folder / name, [setup] + [f"%%export\n{c}" for c in cells])
    return {v.name: v for v in verify(path, Options()).feature_sets}


def fails_on_both(jvm, folder: Path, table, expr: str) -> str:
    """``f = t.select(r=<expr>)`` over ``table``: the notebook's engine must fail (verify says
    error), and the JVM must fail too, not return rows; returns the JVM's message."""
    from transpiler.pipeline import Options, transpile

    (verdict,) = verify_cells(folder, {"t": table}, [f"f = t.select(r={expr})"]).values()
    assert verdict.status == "error" and "notebook engine failed" in verdict.message, \
        verdict.message
    lowered = transpile(folder / "nb.ipynb", Options())
    return jvm_failure(jvm, lowered, "f", {"t": folder / "t.parquet"}, folder)


@pytest.fixture
def notebook(tmp_path):
    """Factory: ``notebook(cells, name=...)`` -> path of a notebook written in tmp_path."""

    def make(cells, name="nb.ipynb"):
        return write_notebook(tmp_path / name, cells)

    return make


@pytest.fixture(scope="session", autouse=True)
def compiler_jvm():
    """One compiler JVM for the session's in-process builds, as a Jupyter kernel keeps one."""
    from transpiler.jvm import compile_server

    compile_server.keep()


@pytest.fixture(scope="session")
def jvm():
    """The one JVM (with a local SparkSession) of this test session."""
    from transpiler.jvm import spark as jvm_mod

    return jvm_mod.session()


@pytest.fixture
def cli(capsys):
    """Run the nb2jvm CLI in-process; returns (exit code, stdout, stderr)."""
    from transpiler.interfaces.cli import main

    def run(*args):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse exits for --help and usage errors
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def pytest_collection_modifyitems(config, items):
    """``notimpl(raises=E, reason=...)`` is a strict xfail that must name its exception."""
    for item in items:
        for mark in item.iter_markers("notimpl"):
            if "raises" not in mark.kwargs or "reason" not in mark.kwargs:
                raise pytest.UsageError(f"{item.nodeid}: notimpl needs raises= and reason=")
            item.add_marker(pytest.mark.xfail(strict=True, raises=mark.kwargs["raises"],
                                              reason="notimpl: " + mark.kwargs["reason"]))
