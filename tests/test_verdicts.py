"""What a user reads about each feature set: one-line Spark failures, a summary naming the verdicts
that are there, a diff that shows the columns that differ, edge rows that keep unique columns
unique, and order/NULL risks said as possibilities and checked on the data."""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pyarrow as pa
import pytest

from transpiler.jvm.spark import java_message
from transpiler.lowering import determinism
from transpiler.reference.compare import Comparison, Mismatch, render_mismatches
from transpiler.reference.edge_cases import edge_rows
from transpiler.verify import FeatureVerdict, VerifyReport

TASK_FAILURE = """\
Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 times, most recent failure: Lost \
task 0.0 in stage 3.0 (TID 3) (host executor driver): org.apache.spark.SparkException: [FAILED_\
EXECUTE_UDF] User defined function (`f`) failed due to: nb2jvm.runtime.PyError: \
ZeroDivisionError: division by zero in UDF 'ratio', nb.ipynb, cell 4, line 3. SQLSTATE: 39000
\tat org.apache.spark.sql.errors.QueryExecutionErrors$.failedExecuteUserDefinedFunctionError(Qu\
eryExecutionErrors.scala:198)
\tat org.apache.spark.scheduler.Task.run(Task.scala:147)
Driver stacktrace:
\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2935)
Caused by: nb2jvm.runtime.PyError: ZeroDivisionError: division by zero in UDF 'ratio', \
nb.ipynb, cell 4, line 3
\tat nb2jvm.runtime.Py.div(Py.java:12)
\t... 20 more"""


@pytest.mark.parametrize("text,expected", [
    (TASK_FAILURE, "PyError: ZeroDivisionError: division by zero in UDF 'ratio', nb.ipynb, "
                   "cell 4, line 3"),
    ("org.apache.spark.SparkArithmeticException: [DIVIDE_BY_ZERO] Division by zero. "
     "SQLSTATE: 22012\n\tat org.apache.spark.sql.errors.X.y(X.scala:1)",
     "SparkArithmeticException: [DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012"),
    ("[CAST_INVALID_INPUT] The value 'x' cannot be cast", "[CAST_INVALID_INPUT] The value 'x' "
                                                         "cannot be cast"),
    ("java.lang.OutOfMemoryError: Java heap space", "OutOfMemoryError: Java heap space"),
])
def test_a_spark_failure_is_one_line_without_the_stack(text, expected):
    line = java_message(text)
    assert line == expected
    assert "\n" not in line and "\tat " not in line and "at org.apache" not in line


def test_a_spark_failure_line_is_bounded():
    assert len(java_message("java.lang.RuntimeException: " + "x" * 10_000)) <= 400


@pytest.mark.parametrize("statuses,summary", [
    (["conformant", "conformant"], "CONFORMANT: 2 of 2 feature sets conformant, 20 rows"),
    (["conformant", "refused", "refused", "conformant"],
     "REFUSED: 2 of 4 feature sets conformant, 2 refused, 20 rows"),
    (["nondeterministic", "conformant"],
     "NONDETERMINISTIC: 1 of 2 feature sets conformant, 1 nondeterministic, 10 rows"),
    (["mismatch", "refused", "conformant"],
     "MISMATCH, REFUSED: 1 of 3 feature sets conformant, 1 mismatch, 1 refused, 10 rows"),
    (["error"], "ERROR: 0 of 1 feature sets conformant, 1 error, 0 rows"),
    ([], "NOT VERIFIED: 0 of 0 feature sets conformant, 0 rows"),
])
def test_the_summary_names_the_verdicts_that_are_there(statuses, summary):
    report = VerifyReport("nb.ipynb", [FeatureVerdict(f"f{i}", s, 10 if s == "conformant" else 0)
                                       for i, s in enumerate(statuses)])
    assert report.summary() == summary + " compared"


def test_the_diff_shows_the_differing_columns_first_and_in_full():
    long = "a fairly long value that would not fit in forty characters at all"
    columns = ("id", "name", "note", "total")
    result = Comparison(False, 3, "1 row differs", (
        Mismatch(2, (7, "x", long, 1.5), (7, "x", long, 1.25)),
        Mismatch(3, None, (8, "y", "z", 0.0))), columns)
    text = render_mismatches(result)
    lines = text.splitlines()
    assert lines[0] == "  row 2: differs in total"
    assert lines[1] == "    notebook (DuckDB): total=1.5"
    assert lines[2] == "    JVM (Spark):       total=1.25"
    assert lines[3].startswith("    same on both:      id=7, name='x', note=")
    assert lines[4] == "  row 3, JVM (Spark) only: id=8, name='y', note='z', total=0.0"


def test_edge_rows_keep_a_unique_column_unique():
    table = pa.table({
        "id": pa.array([3, 1, 2], pa.int64()), "group": pa.array([1, 1, 2], pa.int64()),
        "ts": [dt.datetime(2024, 1, d) for d in (1, 2, 3)], "name": ["a", "b", "c"],
        "x": [0.5, 1.5, 2.5], "day": [dt.date(2024, 1, d) for d in (1, 2, 3)]})
    out = edge_rows(table)
    assert out.num_rows > table.num_rows
    for unique in ("id", "ts", "name", "x", "day"):
        values = out.column(unique).to_pylist()
        keys = ["nan" if isinstance(v, float) and math.isnan(v) else v for v in values]
        assert None not in values and len(set(keys)) == len(keys), unique
    group = out.column("group").to_pylist()  # not unique: every edge value, NULL included
    assert None in group and {-2**63, 2**63 - 1} <= set(group)
    assert min(v for v in out.column("id").to_pylist()) == -2**63  # edge values still come


def test_edge_rows_of_a_narrow_unique_column_do_not_overflow():
    table = pa.table({"k": pa.array([127, 126, -128], pa.int8()), "v": [1, 2, 3]})
    out = edge_rows(table)
    values = out.column("k").to_pylist()
    assert len(set(values)) == len(values) and all(-128 <= v <= 127 for v in values)


def _risk_warnings(source: str, unique=()):
    t = ibis.table({"user_id": "int64", "ts": "timestamp", "amount": "float64"}, name="t")
    r = ibis.table({"user_id": "int64", "ts": "timestamp", "rate": "float64"}, name="r")
    expr = eval(source, {"t": t, "r": r, "ibis": ibis, "_": ibis._})
    risks = determinism.without_declared_unique(determinism.risks(expr), unique)
    return determinism.warnings("f", risks, None, None), risks


def test_w301_says_may_and_names_no_nulls_it_has_not_seen():
    warnings, _ = _risk_warnings("t.asof_join(r, on='ts', predicates='user_id')")
    w301 = [w for w in warnings if w.code == "W301"]
    assert w301 and "may" in w301[0].message and "with NULL values in" not in w301[0].message


def test_a_declared_unique_column_removes_the_order_risk():
    source = "t.mutate(prev=_.amount.lag().over(ibis.window(order_by='ts')))"
    warnings, risks = _risk_warnings(source)
    assert [w.code for w in warnings] == ["W300"] and "may depend" in warnings[0].message
    assert "--unique=" in warnings[0].hint
    assert _risk_warnings(source, unique=("ts",)) == ([], [])
    assert _risk_warnings(source, unique=("amount",))[1] == risks  # not an order key


def test_verify_lists_a_risk_only_where_the_data_has_it(tmp_path):
    from transpiler.verify import _risks_on_data  # noqa: PLC2701 - the unit under test

    class Lowered:  # what the check reads of a lowered feature set
        def __init__(self, risks):
            self.risks = risks

    t = ibis.memtable({"ts": [1, 2, 3], "v": [1.0, 2.0, 3.0]})
    tied = ibis.memtable({"ts": [1, 1, 3], "v": [1.0, 2.0, 3.0]})
    con = ibis.duckdb.connect()
    for table, expected in ((t, []), (tied, ["1 group(s) of rows tie on its keys in this data"])):
        expr = table.mutate(prev=table.v.lag().over(ibis.window(order_by="ts")))
        found = _risks_on_data(Lowered(determinism.risks(expr)), con)
        assert [f.split(": ", 1)[1] for f in found] == expected
