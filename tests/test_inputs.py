"""Input binding precedence: --data > recorded schema > ibis.table declaration > set-up read."""

from __future__ import annotations

import nbformat
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transpiler.ir.errors import InputError
from transpiler.frontend.extract import extract
from transpiler.frontend.inputs import RECORDED_MIME, bind_inputs, require_data
from transpiler.ir.notebook import DataBinding
from transpiler.lowering.lower import lower
from transpiler.frontend.evaluate import evaluate
from transpiler.frontend.parse import parse

from .conftest import SETUP, write_notebook

DECL = 'u = ibis.table({"id": "int64", "name": "string"}, name="users")'


def bound(path, data=()):
    return bind_inputs(parse(extract(path)), data)


def schema_of(b, name):
    return {t.name: {c: str(d) for c, d in t.schema.items()} for t in b.inputs}[name]


def test_declaration_in_exported_cell_needs_no_data(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb",
                          [f"%%export\n{DECL}\nactive = u.filter(_.id > 0)"])
    b = bound(path)
    assert [(t.name, t.var, t.path, t.origin) for t in b.inputs] == [
        ("users", "u", None, "cell 1")]
    lowered = lower(evaluate(b))
    assert [lf.name for lf in lowered.lowered] == ["active"]
    assert "IDENTIFIER(:users)" in lowered.lowered[0].sql
    with pytest.raises(InputError) as info:
        require_data(b.inputs, str(path))
    assert info.value.diagnostics[0].code == "IN006"


def test_declaration_in_setup_cell_and_data_option(tmp_path):
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "b"], "extra": [1.0, 2.0]}),
                   tmp_path / "users.parquet")
    path = write_notebook(tmp_path / "n.ipynb", [SETUP + DECL, "%%export\nf = u.select('id')"])
    assert schema_of(bound(path), "users") == {"id": "int64", "name": "string"}
    b = bound(path, (DataBinding("users", tmp_path / "users.parquet", "--data"),))
    assert "extra" in schema_of(b, "users") and b.inputs[0].path == tmp_path / "users.parquet"


def test_recorded_schema_beats_declaration_and_keeps_setup_data(tmp_path):
    pq.write_table(pa.table({"id": [1], "name": ["a"]}), tmp_path / "t.parquet")
    path = write_notebook(tmp_path / "n.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        "%%export\nf = t.select('id')"])
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output(
        "display_data", data={RECORDED_MIME: {"inputs": {"t": {
            "table": "t", "schema": {"id": "int32", "name": "string"}}}}})]
    nbformat.write(nb, path)
    b = bound(path)
    assert schema_of(b, "t") == {"id": "int32", "name": "string"}
    assert b.inputs[0].path == tmp_path / "t.parquet"  # data still comes from the set-up cell
    (tmp_path / "t.parquet").unlink()
    assert bound(path).inputs[0].path is None  # and the build needs no data file


def test_bad_declaration(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb",
                          ["%%export\nu = ibis.table(make_schema(), name='u')\nf = u"])
    found = {u.variable: u for u in bound(path).unbound}
    d = found["u"].diagnostics[0]
    assert (d.code, d.span.cell, d.span.line) == ("IN007", 1, 2)
    # and what is built on it is refused with that reason, not with another one
    refused = {r.name: r.diagnostics for r in evaluate(bound(path)).refused}
    assert [x.code for x in refused["f"]] == ["IN007", "E218"]


def test_table_call_elsewhere_is_refused(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb", [
        f"%%export\n{DECL}\nf = u.join(ibis.table({{'id': 'int64'}}, name='v'), 'id')"])
    result = evaluate(bound(path))
    d = {r.name: r.diagnostics[0] for r in result.refused}["f"]
    assert d.code == "E205" and "own line" in d.message


def test_database_table_and_use_before_definition_are_explained(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb", [
        SETUP + 'tx = con.table("transactions")',
        "%%export\nf = tx.select('a')\ng = later.select('b')",
        "%%export\nlater = f"])
    found = [d for u in bound(path).unbound for d in u.diagnostics]
    messages = {d.message.split("'")[1]: d.message for d in found}
    assert "notebook's database (cell 1: con.table('transactions'))" in messages["tx"]
    assert "defined only in a later exported cell (cell 3)" in messages["later"]
    assert all(d.code == "IN001" for d in found)
