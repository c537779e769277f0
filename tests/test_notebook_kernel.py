"""The example notebooks run top to bottom in a real Jupyter kernel, %%export magic included."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import NOTEBOOKS


EXAMPLES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_notebook_runs_top_to_bottom(tmp_path, name):
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    path = tmp_path / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    exported = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%export")]
    assert exported and all(c.get("execution_count") for c in exported)
    # The last cell displays a feature set computed in the notebook itself.
    last = nb.cells[-1].outputs[0]
    assert "user_id" in last["data"]["text/plain"]


def test_saved_notebook_builds_without_data_files(tmp_path, cli):
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    path = tmp_path / "notebooks" / "quickstart.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    recorded = [o for c in nb.cells for o in c.get("outputs", [])
                if "application/vnd.nb2jvm.inputs+json" in o.get("data", {})]
    assert len(recorded) == 1  # the first exported cell reads `transactions`; the second does not
    assert "transactions(7 columns)" in recorded[0]["data"]["text/plain"]
    shutil.rmtree(tmp_path / "notebooks" / "data")
    code, out, err = cli("build", path, "-o", tmp_path / "build")
    assert code == 0, err
    assert "user_features" in out


def test_a_saved_notebook_keeps_the_notebooks_column_order(tmp_path, cli):
    """nbformat saves JSON with sorted keys: the recorded schemas must not come back sorted."""
    import json

    import ibis
    import pyarrow.parquet as pq

    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    path = tmp_path / "notebooks" / "quickstart.ipynb"
    data = tmp_path / "notebooks" / "data" / "transactions.parquet"
    file_order = pq.read_schema(data).names
    assert file_order != sorted(file_order)  # or the test proves nothing
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    con = ibis.duckdb.connect()
    con.read_parquet(str(data), table_name="transactions")
    from transpiler.pipeline import Options, transpile

    shutil.rmtree(tmp_path / "notebooks" / "data")  # the recorded schemas alone
    code, out, err = cli("build", path, "-o", tmp_path / "build")
    assert code == 0, err
    man = json.loads((tmp_path / "build" / "manifest.json").read_text())
    assert [c["name"] for c in man["inputs"][0]["columns"]] == file_order
    enriched = next(fs for fs in man["feature_sets"] if fs["name"] == "enriched")
    lowered = transpile(NOTEBOOKS / "quickstart.ipynb", Options())  # the unsaved original
    expected = {lf.name: lf for lf in lowered.lowered}["enriched"].schema.names
    assert [c["name"] for c in enriched["columns"]] == list(expected)


def test_a_legacy_recorded_schema_gets_the_data_files_order(tmp_path):
    """Schemas recorded as a JSON object by older versions: the data file gives the order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from transpiler.frontend.extract import extract
    from transpiler.frontend.inputs import RECORDED_MIME, bind_inputs
    from transpiler.frontend.parse import parse

    from .conftest import SETUP, write_notebook

    pq.write_table(pa.table({"zeta": [1], "alpha": ["a"], "mid": [1.5]}), tmp_path / "t.parquet")
    path = write_notebook(tmp_path / "n.ipynb", [SETUP + 't = con.read_parquet("t.parquet")',
                                                 "%%export\nf = t.mutate(x=_.zeta + 1)"])
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={RECORDED_MIME: {
        "inputs": {"t": {"table": "t", "schema": {"alpha": "string", "mid": "float64",
                                                  "zeta": "int64"}}}}})]
    nbformat.write(nb, path)
    bound = bind_inputs(parse(extract(path)))
    assert bound.inputs[0].schema.names == ("zeta", "alpha", "mid")


def _run(tmp_path, cells, monkeypatch=None):
    """Run ``cells`` after loading the extension and reading t.parquet as ``t``.  Without
    ``monkeypatch`` (the kernel will not verify) the background JVM start is switched off."""
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    from .conftest import SETUP, write_notebook

    if monkeypatch is None:
        os.environ["NB2JVM_PRESTART"] = "0"
    pq.write_table(pa.table({"a": [1, 2, 3], "s": ["x", "straße", "e\u0301z"]}),
                   tmp_path / "t.parquet")
    path = write_notebook(tmp_path / "magic.ipynb", ["%load_ext transpiler",
                                                     SETUP + 't = con.read_parquet("t.parquet")',
                                                     *cells])
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.pop("NB2JVM_PRESTART", None)
    return nb


def _text(cell) -> str:
    return "\n".join(o.get("data", {}).get("text/plain", "") + o.get("text", "")
                     for o in cell.outputs)


def test_magic_shows_feature_sets_sql_and_diagnostics(tmp_path):
    nb = _run(tmp_path, [
        "%%export\nbig = t.filter(_.a > 1)\nbig.count().execute()",
        "%%export\nclass Helper:\n    pass\nalso = t",
        "%%export --strict\nclass Helper2:\n    pass",
        "print(Helper, big.count().execute(), 'Helper2' in globals())",
        "%%export\n@ibis.udf.scalar.python\ndef twice(x: int) -> int:\n    return x // 2 + len(str(x))\n\n"
        "d = t.select(r=twice(t.a))",
    ])
    good, outside, strict, after, udf = nb.cells[2:7]
    shown = next(o["data"] for o in udf.outputs if "text/html" in o.get("data", {}))
    assert "Scala (UDFs <code>twice</code>" in shown["text/html"]
    assert "extends org.apache.spark.sql.api.java.UDF1" in shown["text/html"]
    assert "nb2jvm: UDF 'twice' compiled to Scala" in shown["text/plain"]
    # The cell ran as usual: its last expression still displays.
    assert any(o.get("data", {}).get("text/plain") == "2" for o in good.outputs)
    shown = next(o["data"] for o in good.outputs if "text/html" in o.get("data", {}))
    assert "feature set <code>big</code>" in shown["text/html"]
    assert "IDENTIFIER(:t)" in shown["text/html"] and "a: <i>int64</i>" in shown["text/html"]
    assert "recorded input schemas: t(2 columns)" in shown["text/plain"]
    # Outside the subset: the cell still runs, diagnostics shown, no traceback.
    text = next(o["data"]["text/plain"] for o in outside.outputs if "data" in o)
    assert "E101" in text and "line 2, col 1" in text
    assert not [o for o in outside.outputs if o["output_type"] == "error"]
    # --strict makes it an error.
    errors = [o for o in strict.outputs if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "ExportRefused" and "E101" in errors[0]["evalue"]
    assert "did not run" in errors[0]["traceback"][0]
    assert not any("Traceback" in line for line in errors[0]["traceback"])
    # Cells after a refused --strict cell run; the refused cell itself did not.
    assert "<class '__main__.Helper'> 2 False" in after.outputs[0]["text"]


def test_build_from_inside_the_notebook(tmp_path):
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    path = tmp_path / "notebooks" / "quickstart.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("%nb2jvm build quickstart.ipynb -o built"))
    # the kernel keeps its compiler JVM: a second build finds the same one running
    nb.cells.append(nbformat.v4.new_code_cell(
        "from transpiler.jvm import compile_server as cs\npid = cs._server.process.pid"))
    nb.cells.append(nbformat.v4.new_code_cell("%nb2jvm build quickstart.ipynb -o built2 -q"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "print('same compiler', cs._server.process.pid == pid, cs._server.process.poll())"))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert "built built/quickstart-0.1.0.jar" in nb.cells[-4].outputs[0]["text"]
    assert (path.parent / "built" / "quickstart-0.1.0.jar").exists()
    assert (path.parent / "built2" / "quickstart-0.1.0.jar").exists()
    assert "same compiler True None" in nb.cells[-1].outputs[0]["text"]


def test_export_verify_runs_the_jvm_in_the_kernel(tmp_path, monkeypatch):
    nb = _run(tmp_path, [
        "%%export\nsmall = t.filter(_.a < 3).select('a')",
        "%%export --verify\nbig = t.filter(_.a > 1).mutate(r=_.a / (_.a - 2))",
        # reverse() is refused (DuckDB keeps 'e' + combining accent together, Spark reverses
        # code points): show the difference on the live data.
        "%%export --show-divergence\nshout = t.select('a', u=_.s.reverse())",
        "%verify_exports",
        # A Python UDF has Python's semantics on the JVM: 'straße'.upper() is 'STRASSE' there.
        "%%export --verify\n@ibis.udf.scalar.python\ndef shout_py(s: str) -> str:\n"
        "    return s.upper() + '!'\n\npy = t.select('a', u=shout_py(t.s))",
    ], monkeypatch)
    first, verified, divergent, every, udf = nb.cells[2:7]
    assert "nb2jvm verify: py: conformant: conformant on 3 rows" in _text(udf)
    # The first %%export started the JVM in the background; --verify waited for it.
    assert "waiting for the JVM and Spark" in _text(verified)
    assert "nb2jvm verify: big: conformant: conformant on 2 rows" in _text(verified)
    assert "small" not in _text(verified)
    text = _text(divergent)
    assert "L100" in text and "reverse()" in text  # still refused, with the reason
    assert "nb2jvm verify: shout: mismatch" in text and "refused for builds" in text
    assert "'z\u0301e'" in text and "'ze\u0301'" in text  # the differing rows, side by side
    # The line magic verifies every exported feature set the lowering accepts.
    assert "nb2jvm verify: small: conformant: conformant on 2 rows" in _text(every)
    assert "nb2jvm verify: big: conformant" in _text(every)
    assert "shout" not in _text(every)
    for cell in nb.cells[2:7]:
        assert not [o for o in cell.outputs if o["output_type"] == "error"], cell.source


def test_readme_notebook_example_runs_in_a_kernel(tmp_path, monkeypatch):
    """The README's copy-pasteable JupyterLab example, cell by cell, in a real kernel."""
    import re

    from .conftest import ROOT, write_notebook

    readme = (ROOT / "README.md").read_text()
    section = readme.split("### From an empty notebook to a verified artifact")[1].split("\n##")[0]
    cells = [c.strip() for c in re.findall(r"```python\n(.*?)```", section, re.S)]
    assert len(cells) >= 5
    shutil.copytree(NOTEBOOKS / "data", tmp_path / "data")
    path = write_notebook(tmp_path / "features.ipynb", cells)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(_text(c) for c in nb.cells)
    assert "nb2jvm verify: big: conformant" in text
    assert "nb2jvm verify: per_user: conformant" in text
    assert (tmp_path / "build" / "features-0.1.0.jar").exists()
