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
