"""Evaluation of exported cells: the subset table, messages in the author's terms, the cell DAG,
and input binding."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest


from transpiler.frontend.evaluate import evaluate
from transpiler.frontend.extract import extract
from transpiler.frontend.inputs import bind_inputs
from transpiler.ir.notebook import DataBinding
from transpiler.frontend.parse import parse

from .conftest import SETUP, write_notebook


@pytest.fixture
def folder(tmp_path):
    pq.write_table(pa.table({"a": [1, 2], "s": ["x", "y"]}), tmp_path / "t.parquet")
    return tmp_path


def run(folder, *cells, data=()):
    path = write_notebook(folder / "n.ipynb", [SETUP + 't = con.read_parquet("t.parquet")',
                                               *cells])
    return evaluate(bind_inputs(parse(extract(path)), data))


def test_dag_across_cells_and_redefinition(folder):
    result = run(folder,
                 "%%export\nbase = t.filter(_.a > 0)\nk = 2",
                 "x = 'exploration cell, not exported'",
                 "%%export\nbase = base.mutate(b=_.a * k)",
                 "%%export final\nstep = base.mutate(c=_.b + 1)\nfinal = step.select('c')")
    assert [f.name for f in result.features] == ["base", "final"]
    base = dict(f for f in ((f.name, f) for f in result.features))["base"]
    assert base.cell.index == 4 and "b" in base.expr.columns  # the later definition wins
    assert not result.refused


def test_refused_statement_does_not_stop_others(folder):
    result = run(folder, "%%export\nbad = t.execute()\ngood = t.select('a')\nuses_bad = bad")
    assert [f.name for f in result.features] == ["good"]
    codes = {r.name: r.diagnostics[0].code for r in result.refused}
    assert codes == {"bad": "E205", "uses_bad": "E218"}


def test_export_names_must_be_assigned_tables(folder):
    result = run(folder, "%%export missing k\nk = 3\nf = t")
    codes = {r.name: r.diagnostics[0].code for r in result.refused}
    assert codes == {"missing": "E215", "k": "E216"}


def test_missing_input_names_variable_and_cell(folder):
    path = write_notebook(folder / "n.ipynb", ["import ibis", "%%export\nf = users.select('a')"])
    bound = bind_inputs(parse(extract(path)))  # only what reads `users` is refused
    assert bound.inputs == () and [u.variable for u in bound.unbound] == ["users"]
    d = bound.unbound[0].diagnostics[0]
    assert (d.code, d.span.cell, d.span.line, d.span.column) == ("IN001", 2, 2, 5)
    assert "users" in d.message and "--data users=" in d.hint


def test_data_option_overrides_setup_cell(folder):
    pq.write_table(pa.table({"a": [1.5], "s": ["z"]}), folder / "other.parquet")
    result = run(folder, "%%export\nf = t.select('a')",
                 data=(DataBinding("t", folder / "other.parquet", "--data"),))
    assert str(result.inputs[0].schema["a"]) == "float64"


@pytest.mark.parametrize("filename,content,code", [
    ("absent.parquet", None, "IN002"),
    ("t.txt", b"a,b", "IN003"),
    ("broken.parquet", b"not parquet at all", "IN004"),
])
def test_bad_data_files(folder, filename, content, code):
    if content is not None:
        (folder / filename).write_bytes(content)
    path = write_notebook(folder / "n.ipynb", ["%%export\nf = t.select('a')"])
    bound = bind_inputs(parse(extract(path)), (DataBinding("t", folder / filename, "--data"),))
    assert bound.unbound[0].variable == "t" and bound.unbound[0].diagnostics[0].code == code


def test_csv_input(folder):
    (folder / "t.csv").write_text("a,s\n1,x\n2,y\n")
    path = write_notebook(folder / "n.ipynb",
                          [SETUP + 't = con.read_csv("t.csv")', "%%export\nf = t.select('a')"])
    bound = bind_inputs(parse(extract(path)))
    assert bound.inputs[0].format == "csv" and str(bound.inputs[0].schema["a"]) == "int64"


UDF = """@ibis.udf.scalar.python
def risk(amount: float, tag: str | None) -> int:
    if amount > 100:
        return 2
    return 1
"""


def test_udf_signature_is_typed_and_called_by_a_stable_name(folder):
    from transpiler.lowering.lower import lower
    from transpiler.udf.udfs import translate_udfs

    result = run(folder, f"%%export\n{UDF}scored = t.mutate(r=risk(_.a, _.s))")
    assert [f.name for f in result.features] == ["scored"]
    assert str(result.features[0].expr.schema()["r"]) == "int64"
    lowered = translate_udfs(lower(result, inline=False))
    assert not lowered.diagnostics
    (udf,) = lowered.udfs.udfs
    assert udf.sql_name.startswith("nb2jvm_risk_") and udf.sql_name.upper() in \
        lowered.lowered[0].sql
    again = translate_udfs(lower(run(folder, f"%%export\n{UDF}scored = t.mutate(r=risk(_.a, _.s))"),
                                 inline=False))
    assert again.udfs.scala == lowered.udfs.scala  # deterministic: no address-based names
    inlined = translate_udfs(lower(result))  # an if/return over a comparison: exact in SQL
    assert [u.mode for u in inlined.udfs.udfs] == ["inlined"]
    assert "CASE" in inlined.lowered[0].sql and "NB2JVM_RISK" not in inlined.lowered[0].sql


@pytest.mark.parametrize("signature,code", [
    ("def f(x: list) -> int:", "E111"),
    ("def f(x: int) -> dict:", "E111"),
])
def test_udf_types_outside_the_subset(folder, signature, code):
    result = run(folder, f"%%export\n@ibis.udf.scalar.python\n{signature}\n    return 1\n"
                 "g = t.select('a')")
    d = {r.name: r.diagnostics[0] for r in result.refused}["f"]
    assert d.code == code and (d.span.line, d.span.column) == (3, 1)


def test_helper_functions_are_for_udfs_only(folder):
    result = run(folder, "%%export\ndef double(x: int) -> int:\n    return 2 * x\n"
                 "g = t.mutate(b=double(_.a))")
    assert {r.name: r.diagnostics[0].code for r in result.refused} == {"g": "E219"}


def test_comprehensions_fstrings_and_constants(folder):
    result = run(folder, "%%export\n"
                 "cols = [c for c in t.columns if c != 's']\n"
                 "scaled = t.mutate([(t[c] * k).name(f'{c}_x{k}') for c in cols "
                 "for k in (2, 3)])\n"
                 "renamed = t.select({f'{c.upper()}': t[c] for c in t.columns})\n"
                 "tau = math.floor(math.tau * 100)\n"
                 "wide = t.mutate(limit=tau)")
    cols = {f.name: list(f.expr.columns) for f in result.features}
    assert cols == {"scaled": ["a", "s", "a_x2", "a_x3"], "renamed": ["A", "S"],
                    "wide": ["a", "s", "limit"]}
    assert not result.refused


def test_udf_sql_name_changes_with_the_helpers_it_can_call(folder):
    """A registered name is reused within a Spark session, so a helper's change must rename it."""
    from transpiler.lowering.lower import lower
    from transpiler.udf.udfs import translate_udfs

    def names(helper_body):
        cell = (f"%%export\ndef helper(x: int) -> int:\n    return {helper_body}\n\n"
                "@ibis.udf.scalar.python\ndef uses(x: int) -> int:\n    return helper(x) // 3\n\n"
                "out = t.select(r=uses(_.a))")
        return [u.sql_name for u in translate_udfs(lower(run(folder, cell))).udfs.udfs]

    assert names("x + 1") == names("x + 1")
    assert names("x + 1") != names("x + 2")
