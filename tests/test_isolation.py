"""One verdict per feature set: a problem refuses the feature sets it concerns and only those, in
every command; inputs follow notebook order; diagnostics point at the expression.

The notebook of the issue: one cell outside the subset, one feature set built on it, a set-up read
placed after the first exported cell, and two good feature sets.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import ibis
import pyarrow.parquet as pq
import pytest

from transpiler.frontend.extract import extract
from transpiler.frontend.inputs import bind_inputs
from transpiler.frontend.parse import parse
from transpiler.pipeline import Options, transpile

from .conftest import write_notebook

DATA = Path(__file__).resolve().parent.parent / "notebooks" / "data"
SETUP = ("import ibis\nfrom ibis import _\n\ncon = ibis.duckdb.connect()\n"
         'tx = con.read_parquet("data/transactions.parquet")')
CELLS = [
    SETUP,
    '%%export\ngood1 = tx.filter(_.amount > 0).select("tx_id", "user_id", "amount")',
    "%%export\nbad = tx.mutate(shifted=_.user_id @ 2)",
    '%%export\non_bad = bad.group_by("user_id").aggregate(n=_.count())',
    'USERS = "data/users.parquet"\nusers = con.read_parquet(USERS, table_name="users")',
    '%%export\ngood2 = users.group_by("country").aggregate(n=_.count())',
]


@pytest.fixture
def mixed(tmp_path) -> Path:
    shutil.copytree(DATA, tmp_path / "data")
    return write_notebook(tmp_path / "mixed.ipynb", CELLS)


def _refused(lowered) -> dict[str, list[str]]:
    return {r.name: [d.code for d in r.diagnostics] for r in lowered.refused}


# ---- without a JVM: the stages ------------------------------------------------------------


def test_a_refused_cell_refuses_only_what_it_assigns_and_what_is_built_on_it(mixed):
    lowered = transpile(mixed, Options())
    assert [lf.name for lf in lowered.lowered] == ["good1", "good2"]
    assert _refused(lowered) == {"bad": ["E101"], "on_bad": ["E218"]}
    on_bad = lowered.refused[1].diagnostics[0]
    # names the upstream feature set and its cell, not a missing input
    assert "'bad' is refused (cell 3, line 2: E101" in on_bad.message
    assert (on_bad.span.cell, on_bad.span.line, on_bad.span.column) == (4, 2, 10)


def test_a_set_up_read_after_the_first_exported_cell_counts(mixed):
    bound = bind_inputs(parse(extract(mixed)))
    found = {t.name: t for t in bound.inputs}
    assert set(found) == {"tx", "users"} and bound.unbound == ()
    assert found["users"].origin == "cell 5" and found["users"].path.name == "users.parquet"


@pytest.mark.parametrize("read", [
    'users = con.read_parquet("data/users.parquet")',
    'users = con.read_parquet("data/users.parquet", table_name="users")',
    'users = ibis.read_parquet("data/users.parquet")',
    'P = "data/users.parquet"\nusers = con.read_parquet(P)',
    'users = con.read_parquet(path="data/users.parquet")',
])
def test_set_up_read_spellings(tmp_path, read):
    shutil.copytree(DATA, tmp_path / "data")
    nb = write_notebook(tmp_path / "n.ipynb", [
        SETUP, "%%export\na = tx.select('tx_id')", read,
        "%%export\nb = users.select('user_id')"])
    bound = bind_inputs(parse(extract(nb)))
    assert {t.name for t in bound.inputs} == {"tx", "users"}, bound.unbound


def test_a_read_after_the_use_says_so(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    nb = write_notebook(tmp_path / "n.ipynb", [
        SETUP, "%%export\nb = users.select('user_id')",
        'users = con.read_parquet("data/users.parquet")', "%%export\na = tx.select('tx_id')"])
    lowered = transpile(nb, Options())
    assert [lf.name for lf in lowered.lowered] == ["a"]
    cause, then = {r.name: r.diagnostics for r in lowered.refused}["b"]
    assert then.code == "E218" and cause.span.cell == 2
    assert cause.code == "IN001" and "read in cell 3, after its first use here (cell 2)" in \
        cause.message


def test_the_last_read_before_the_use_wins(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    nb = write_notebook(tmp_path / "n.ipynb", [
        SETUP + '\nusers = con.read_parquet("data/customers.parquet")',
        'users = con.read_parquet("data/users.parquet")', "%%export\nb = users.select('user_id')",
        'users = con.read_parquet("data/merchant_risk.parquet")'])
    bound = bind_inputs(parse(extract(nb)))
    assert {t.name: t.path.name for t in bound.inputs} == {"users": "users.parquet"}


def test_an_input_without_schema_refuses_only_its_readers(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    nb = write_notebook(tmp_path / "n.ipynb", [
        SETUP, "%%export\na = tx.select('tx_id')", "%%export\nb = nowhere.select('x')"])
    lowered = transpile(nb, Options())
    assert [lf.name for lf in lowered.lowered] == ["a"]
    assert _refused(lowered) == {"b": ["IN001", "E218"]}


def test_a_udf_defined_in_a_refused_cell_is_not_a_missing_input(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    nb = write_notebook(tmp_path / "n.ipynb", [
        SETUP,
        "%%export\n@ibis.udf.scalar.python\ndef bucket(x: float) -> int:\n"
        "    global g\n    return int(x)\n",
        "%%export\nb = tx.mutate(k=bucket(_.amount))", "%%export\na = tx.select('tx_id')"])
    lowered = transpile(nb, Options())
    assert [lf.name for lf in lowered.lowered] == ["a"]
    codes = _refused(lowered)
    assert codes["b"] == ["E218"] and "IN001" not in str(codes)
    assert "cell 2" in lowered.refused[-1].diagnostics[0].message


def test_check_lists_every_problem_of_every_cell_at_once(cli, tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    nb = write_notebook(tmp_path / "n.ipynb", [
        SETUP,
        "%%export\np = tx.mutate(x=_.tx_id @ 2)",                          # outside the subset
        "%%export\nq = tx.mutate(r=_.currency.reverse())",               # lowering
        "%%export\nr = missing_table.select('a')",                       # inputs
        "%%export\ns = tx.select('tx_id')",                              # fine
    ])
    code, out, err = cli("check", nb, "--format", "json")
    found = json.loads(out)
    assert code == 2
    assert sorted({(d["span"]["cell"], d["code"]) for d in found}) == \
        [(2, "E101"), (3, "L100"), (4, "E218"), (4, "IN001")]
    code, out, err = cli("check", nb)
    assert "1 of 4 feature set(s) ok: s; refused: p (cell 2), q (cell 3), r (cell 4)" in out


def test_a_lowering_refusal_points_at_the_expression_in_the_authors_words(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    nb = write_notebook(tmp_path / "n.ipynb", [SETUP, (
        "%%export\nf = (\n    tx\n    .mutate(\n        clock=_.currency.reverse(),\n"
        "        amt=_.amount.round(2),\n    )\n    .select('tx_id', 'clock', 'amt')\n)"),
        "%%export\ng = tx.group_by('user_id').aggregate(m=_.currency.approx_nunique())"])
    lowered = transpile(nb, Options())
    f, g = (r.diagnostics[0] for r in lowered.refused)
    assert (f.span.cell, f.span.line, f.span.column, f.span.end_column) == (2, 5, 15, 35)
    assert "`_.currency.reverse()`" in f.message and "grapheme" in f.message
    assert (g.span.line, g.span.column) == (2, 40) and "`_.currency.approx_nunique()`" in g.message


def test_build_is_strict_unless_told_to_skip(cli, mixed, tmp_path):
    out = tmp_path / "out"
    code, _, err = cli("build", mixed, "-o", out, "-q")
    assert code == 2 and "E101" in err and "E218" in err and not out.exists()
    code, stdout, err = cli("build", mixed, "-o", out, "--skip-refused")
    assert code == 0, err
    man = json.loads((out / "manifest.json").read_text())
    assert [fs["name"] for fs in man["feature_sets"]] == ["good1", "good2"]
    assert [(s["name"], s["cell"], s["code"]) for s in man["skipped"]] == \
        [("bad", 3, "E101"), ("on_bad", 4, "E218")]
    assert "skipped bad (cell 3): E101" in stdout


# ---- with a real JVM -------------------------------------------------------------------------


@pytest.mark.jvm
def test_verify_gives_every_feature_set_its_verdict_in_notebook_order(cli, jvm, mixed,
                                                                      tmp_path):
    code, out, err = cli("verify", mixed, "--report", tmp_path / "r.json")
    report = json.loads((tmp_path / "r.json").read_text())
    assert code == 2, out + err
    assert [(v["name"], v["status"]) for v in report["feature_sets"]] == [
        ("good1", "conformant"), ("bad", "refused"), ("on_bad", "refused"),
        ("good2", "conformant")]
    assert "result:   REFUSED: 2 of 4 feature sets conformant, 2 refused" in out


@pytest.mark.jvm
def test_run_of_a_good_feature_set_ignores_the_refused_ones(cli, jvm, mixed, tmp_path):
    code, out, err = cli("run", mixed, "--feature", "good2", "-o", tmp_path / "g2.parquet")
    assert code == 0, err
    con = ibis.duckdb.connect()
    users = con.read_parquet(str(DATA / "users.parquet"))
    expected = con.to_pyarrow(users.group_by("country").aggregate(n=users.count()))
    got = pq.read_table(tmp_path / "g2.parquet")
    key = lambda t: sorted(zip(*(t.column(c).to_pylist() for c in ("country", "n"))),
                           key=lambda row: (row[0] is None, row))
    assert key(got) == key(expected)
    code, _, err = cli("run", mixed, "--feature", "on_bad", "-o", tmp_path / "x.parquet")
    assert code == 2 and "E218" in err and not (tmp_path / "x.parquet").exists()


# ---- found by attacking the first version (each failed or crashed before its fix) ------------


def _notebook(tmp_path, cells):
    shutil.copytree(DATA, tmp_path / "data", dirs_exist_ok=True)
    return write_notebook(tmp_path / "n.ipynb", cells)


def test_a_re_declaration_after_the_use_is_not_silently_the_first_input(tmp_path):
    nb = _notebook(tmp_path, [SETUP, "%%export\na = tx.mutate(k=1)",
                              "%%export\ntx = ibis.table({'amount': 'double'}, name='other')\n"
                              "b = tx.mutate(z=_.amount + 1)"])
    lowered = transpile(nb, Options())
    assert [lf.name for lf in lowered.lowered] == ["a"]
    assert "b" in {r.name for r in lowered.refused}


@pytest.mark.parametrize("rebind", ["P, Q = 'data/transactions.parquet', 1",
                                    "P += ''", "for P in ['data/transactions.parquet']: pass"])
def test_a_rebound_path_constant_is_forgotten(tmp_path, rebind):
    nb = _notebook(tmp_path, [SETUP + "\nP = 'data/users.parquet'\n" + rebind +
                              "\nother = con.read_parquet(P)", "%%export\na = other.mutate(k=1)"])
    bound = bind_inputs(parse(extract(nb)))
    assert all(t.name != "other" or t.path.name != "users.parquet" for t in bound.inputs)


def test_the_later_of_a_declaration_and_a_read_wins(tmp_path):
    nb = _notebook(tmp_path, [
        SETUP + "\ntx2 = ibis.table({'amount': 'int64'}, name='tx2')",
        "tx2 = con.read_parquet('data/transactions.parquet')", "%%export\na = tx2.mutate(k=1)"])
    (t,) = [t for t in bind_inputs(parse(extract(nb))).inputs if t.var == "tx2"]
    assert len(t.schema) == 7 and str(t.schema["amount"]) == "float64"


def test_a_read_rebound_by_set_up_code_is_not_the_file(tmp_path):
    nb = _notebook(tmp_path, [SETUP + "\ntx = tx.filter(_.amount > 100)",
                              "%%export\na = tx.mutate(k=1)"])
    lowered = transpile(nb, Options())
    assert _refused(lowered) == {"a": ["E218", "IN010"]}


def test_a_cell_magic_is_not_read_as_python(tmp_path):
    nb = _notebook(tmp_path, ["%%writefile x.py\nimport ibis\ncon = ibis.duckdb.connect()\n"
                              "zz = con.read_parquet('data/users.parquet')",
                              "%%export\na = zz.mutate(k=1)"])
    lowered = transpile(nb, Options())
    assert _refused(lowered)["a"] == ["IN001", "E218"]


def test_a_lone_surrogate_refuses_its_feature_set_only(cli, tmp_path):
    nb = _notebook(tmp_path, [SETUP, "%%export\na = tx.mutate(k=1)",
                              "%%export\nb = tx.mutate(k=ibis.literal('\\ud800'))"])
    code, out, err = cli("build", nb, "-o", tmp_path / "out", "--skip-refused")
    assert code == 0, err
    man = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [s["code"] for s in man["skipped"]] == ["L103"]


def test_import_ibis_in_a_refused_cell_leaves_ibis_usable(tmp_path):
    nb = _notebook(tmp_path, [SETUP, "%%export\nimport ibis\nclass Foo: pass\na = tx.mutate(k=1)",
                              "%%export\nb = tx.mutate(k=ibis.literal(1))"])
    lowered = transpile(nb, Options())
    assert [lf.name for lf in lowered.lowered] == ["b"]


def test_a_bad_declaration_after_the_use_does_not_refuse_it(tmp_path):
    nb = _notebook(tmp_path, [SETUP, "%%export\na = tx.mutate(k=1)",
                              "schema = {'x': 'int64'}\ntx = ibis.table(schema, name='tx')"])
    assert [lf.name for lf in transpile(nb, Options()).lowered] == ["a"]


def test_one_table_name_for_two_schemas_is_refused(tmp_path):
    nb = _notebook(tmp_path, [SETUP, "%%export\nt1 = ibis.table({'x': 'int64'}, name='t')\n"
                              "t2 = ibis.table({'y': 'string'}, name='t')\n"
                              "a = t1.mutate(z=_.x + 1)\nb = t2.mutate(z=_.y.upper())\n"
                              "c = tx.mutate(k=1)"])
    lowered = transpile(nb, Options())
    codes = {d.code for r in lowered.refused for d in r.diagnostics}
    assert "IN011" in codes and "c" in [lf.name for lf in lowered.lowered]


def test_a_refused_feature_set_is_shown_at_its_own_cell(cli, tmp_path):
    nb = _notebook(tmp_path, [SETUP, "%%export\na = nowhere.mutate(k=1)",
                              "%%export\nb = tx.mutate(k=1)", "%%export\nc = a.mutate(j=2)"])
    code, out, _ = cli("check", nb)
    assert "refused: a (cell 2), c (cell 4)" in out


def test_a_deeply_nested_notebook_is_a_diagnostic(cli, tmp_path):
    path = tmp_path / "deep.ipynb"
    path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, err = cli("check", path)
    assert code == 2 and "NB002" in err and "INTERNAL" not in err
