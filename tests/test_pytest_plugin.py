"""`pytest --nb2jvm`: every exported feature set of every notebook becomes a test item."""

from __future__ import annotations

import shutil

import ibis

from transpiler.pipeline import Options, transpile
import pytest

from .conftest import NOTEBOOKS, SETUP, write_notebook

pytestmark = pytest.mark.jvm

# pytester restores sys.modules after an in-process run: import the backends up front so that
# the run does not unload them for the rest of the session.
ibis.duckdb  # noqa: B018
# The inner runs share this process's JVM: no faulthandler there either (see pyproject.toml).
INNER = ("-p", "no:cacheprovider", "-p", "no:faulthandler", "-o", "addopts=")


def test_notebooks_become_tests(pytester, jvm):
    shutil.copytree(NOTEBOOKS, pytester.path / "notebooks")
    result = pytester.runpytest_inprocess("--nb2jvm", "notebooks", *INNER, "-v")
    expected = sum(len(transpile(p, Options()).lowered) for p in NOTEBOOKS.glob("*.ipynb"))
    result.assert_outcomes(passed=expected)
    result.stdout.fnmatch_lines(["*customer_risk.ipynb::identity PASSED*",
                                 "*fraud_features.ipynb::tx_features PASSED*",
                                 "*quickstart.ipynb::user_features PASSED*"])


def test_failures_are_readable(pytester, jvm):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": [1, 2]}), pytester.path / "t.parquet")
    write_notebook(pytester.path / "mixed.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        "%%export\nok = t.mutate(b=_.a * 2)\nbad = t.mutate(u=_.a.cast('string').reverse())"])
    (pytester.path / "broken.ipynb").write_text("{not json")
    result = pytester.runpytest_inprocess("--nb2jvm", ".", *INNER)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*broken.ipynb:*NB002*",
                                 "*feature set 'bad' of mixed.ipynb: refused:*reverse()*"])
