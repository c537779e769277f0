"""Casts of text to integers, floats and booleans as DuckDB reads them (DuckDbCast.java), on
generated texts at the edges of its reader (``tests/value_space.numeric_texts``): ``try_cast``
must give DuckDB's value or NULL on every text, ``cast`` DuckDB's value where DuckDB has one and
a failure where DuckDB raises; and a planted wrong rule (Spark's own cast) must be caught."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tests.conftest import fails_on_both, verify_cells
from tests.value_space import numeric_texts

TARGETS = ("int8", "int16", "int32", "int64", "float64", "boolean")


def _table() -> pa.Table:
    return pa.table({"s": pa.array([None, *numeric_texts()], pa.string())})


@pytest.mark.jvm
def test_try_cast_of_text_agrees_with_duckdb_on_every_text(tmp_path, jvm):
    verdicts = verify_cells(tmp_path, {"t": _table()}, [
        f"to_{to} = t.mutate(r=t.s.try_cast('{to}'))" for to in TARGETS])
    wrong = {n: f"{v.status}: {v.message}\n{v.details}" for n, v in verdicts.items()
             if v.status != "conformant"}
    assert wrong == {}
    assert all(v.rows_compared == len(_table()) for v in verdicts.values())


@pytest.mark.jvm
def test_cast_of_text_gives_duckdbs_values_where_duckdb_has_one(tmp_path, jvm):
    import duckdb

    texts = [t for t in numeric_texts() if None not in duckdb.execute(
        "select try_cast(? as bigint), try_cast(? as double)", [t, t]).fetchone()]
    table = pa.table({"s": pa.array([None, *texts], pa.string())})
    verdicts = verify_cells(tmp_path, {"t": table}, [
        "ints = t.mutate(r=t.s.cast('int64'), d=t.s.cast('float64'))"])
    assert {n: v.status for n, v in verdicts.items()} == {"ints": "conformant"}, \
        verdicts["ints"].details


@pytest.mark.jvm
@pytest.mark.parametrize("text,to", [("1.5x", "int64"), ("0x", "int32"), ("128", "int8"),
                                     ("1e", "float64"), ("maybe", "boolean"), (" true", "boolean")])
def test_cast_of_text_duckdb_refuses_fails_on_spark_too(tmp_path, jvm, text, to):
    table = pa.table({"s": [text, "1"]})
    assert "Conversion Error" in fails_on_both(jvm, tmp_path, table, f"t.s.cast('{to}')")


@pytest.mark.jvm
def test_a_planted_wrong_rule_is_caught(tmp_path, jvm, monkeypatch):
    from transpiler.lowering.spark_compiler import Nb2jvmSparkCompiler

    # Spark's own try_cast of text: no fraction rounding, no 0x, no underscores
    import sqlglot.expressions as sge

    monkeypatch.setattr(Nb2jvmSparkCompiler, "_text_value", lambda self, arg, to: sge.TryCast(
        this=arg, to=self.type_mapper.from_ibis(to), safe=True))
    verdicts = verify_cells(tmp_path, {"t": _table()}, ["f = t.mutate(r=t.s.try_cast('int64'))"])
    assert verdicts["f"].status == "mismatch"


def test_text_to_float32_is_refused_with_the_measured_difference():
    import ibis

    from transpiler.lowering.spark_rules import refusal

    t = ibis.table({"s": "string"})
    assert "1.4999999999999999999999e1_0" in refusal(t.s.cast("float32").op())
