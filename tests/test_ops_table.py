"""`nb2jvm ops`: every ibis operation class has a row with a status, read from the installed ibis
and the rule tables, never from a hand list."""

from __future__ import annotations

import json

import ibis

import ibis.expr.operations as ops
import pytest
from ibis.expr.operations.core import Node

from transpiler.lowering import coverage, spark_rules


def _all_subclasses(cls):
    found, stack = set(), [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return found


def test_every_exported_ibis_operation_has_a_row():
    rows = {r.op for r in coverage.table()}
    import inspect

    # found by walking subclasses (not by the table's own enumeration); abstract bases such as
    # ops.Binary are not operations a notebook builds
    exported = {c for c in _all_subclasses(Node) if c.__module__.startswith(
        "ibis.expr.operations") and getattr(ops, c.__name__, None) is c
        and not inspect.isabstract(c)}
    assert {c.__name__ for c in exported} - rows == set()
    assert len(rows) > 300  # ibis 12 has ~360


def test_each_status_comes_from_its_table():
    rows = {r.op: r for r in coverage.table()}
    for cls in spark_rules.CONFORMANT_OPS:
        assert rows[cls.__name__].status in ("conformant", "emulated"), cls
    for cls, check in spark_rules.CHECKED_OPS.items():
        assert rows[cls.__name__].status == "checked" and rows[cls.__name__].reason, cls
    for cls in spark_rules.REFUSED_OPS:
        assert rows[cls.__name__].status == "refused"
    refused = [r for r in rows.values() if r.status == "refused"]
    assert refused and all(len(r.reason) > 20 for r in refused)  # a measured difference
    assert rows["LPad"].status == "emulated" and rows["Add"].status == "conformant"
    assert rows["LPad"].spelling == "StringValue.lpad"


def test_ops_cli_lists_every_operation_as_json(cli):
    code, out, _ = cli("ops", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == len(coverage.table())
    assert set(rows[0]) == {"op", "spelling", "family", "status", "reason"}
    code, out, _ = cli("ops", "--status", "refused")
    assert code == 0 and "Hash" in out and "Add " not in out


def test_ninety_percent_of_the_scalar_operations_are_lowered():
    done, total = coverage.scalar_share(coverage.table())
    assert done >= 0.9 * total, f"{done} of {total}"


def test_ninety_percent_of_the_relational_operations_are_lowered():
    done, total = coverage.relational_share(coverage.table())
    assert done >= 0.9 * total, f"{done} of {total}"


@pytest.mark.parametrize("name", sorted(c.__name__ for c in coverage.REWRITTEN_BY_IBIS))
def test_what_ibis_rewrites_runs_on_duckdb(name):
    t = ibis.memtable({"a": [1, None], "b": ["x", None]})
    expr = {"FillNull": t.fill_null({"a": 0}), "DropNull": t.drop_null()}[name]
    assert type(expr.op()).__name__ == name
    assert len(ibis.duckdb.connect().execute(expr)) in (1, 2)


@pytest.mark.parametrize("name", sorted(coverage.NOT_RUN_BY_DUCKDB))
def test_what_the_table_says_duckdb_cannot_run_fails_on_duckdb(name):
    import duckdb

    expr = {"TimeTruncate": t_time().truncate("h"), "TimeDiff": t_time() - t_time()}[name]
    assert type(expr.op()).__name__ == name
    with pytest.raises(duckdb.BinderException):
        ibis.duckdb.connect().execute(expr)


def t_time():
    return ibis.literal("12:34:56").cast("time")


@pytest.mark.parametrize("spelled,expr,duckdb_gives", [
    ("approx_nunique", lambda: ibis.memtable({"x": list(range(8))}).x.approx_nunique(), 9),
    ("approx_quantile", lambda: ibis.memtable({"x": [0.0, 1.0]}).x.approx_quantile(0.3),
     0.10000002384185791),
    ("approx_quantile", lambda: ibis.memtable({"x": [0, 1, 2, 3]}).x.approx_median(), 2),
    ("unique", lambda: ibis.array([3, 1, 1, 2, 3]).unique(), [2, 1, 3]),
    ("union", lambda: ibis.array([3, 1, 2]).union(ibis.array([2, 5])), [5, 2, 1, 3]),
    ("modes", lambda: ibis.array([3, 1, 1, 2, 3]).modes(), 3),
])
def test_the_measured_array_orders_of_the_refusals_hold(spelled, expr, duckdb_gives):
    value = ibis.duckdb.connect().execute(expr())
    assert (list(value) if isinstance(value, (list, tuple)) else value) == duckdb_gives
    assert any(f"{spelled}()" in r.reason and str(duckdb_gives) in r.reason
               for r in coverage.table() if r.status == "refused")
