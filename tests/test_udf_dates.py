"""UDFs over ``datetime.date`` / ``datetime.datetime`` (and the ``timedelta`` values they make):
the notebook's engine (ibis on DuckDB, the real Python body) against the compiled Scala on Spark,
over dates at the edges of Python's range (year 1, 9999, the epoch, a leap day, before 1582 where
the JVM's legacy calendar differs), exact to the microsecond."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, jvm_failure, write_notebook
from transpiler.reference.compare import ComparisonPolicy
from transpiler.pipeline import Options, transpile
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

D, T = dt.date, dt.datetime
ROWS = {
    "id": list(range(1, 11)),
    "d": [D(2024, 2, 29), D(1500, 1, 1), D(1, 1, 1), D(9999, 12, 31), D(1970, 1, 1),
          D(1969, 12, 31), None, D(1582, 10, 10), D(2000, 3, 1), D(1900, 2, 28)],
    "ts": [T(2024, 2, 29, 23, 59, 59, 999999), T(1500, 1, 1, 0, 0, 0, 1), T(1, 1, 1),
           T(9999, 12, 31, 23, 59, 59, 999999), T(1970, 1, 1), T(1969, 12, 31, 12, 30),
           T(2021, 3, 28, 2, 30), None, T(1582, 10, 10, 10, 10, 10, 10), T(2000, 1, 1, 0, 0, 1)],
    "n": [0, 1, -1, 400, -400, 36524, None, 7, 100000, -3],
}
SCHEMA = pa.schema([("id", pa.int64()), ("d", pa.date32()), ("ts", pa.timestamp("us")),
                    ("n", pa.int64())])
UDF = "@ibis.udf.scalar.python\n"

# (name, UDF definition (named `u`), call arguments), with `import datetime` in the cell.
CASES = [
    ("date_fields", "def u(d: datetime.date) -> int:\n"
     "    return d.year * 10000 + d.month * 100 + d.day", "t.d"),
    ("date_weekday_ordinal", "def u(d: datetime.date) -> str:\n"
     "    return f'{d.weekday()} {d.isoweekday()} {d.toordinal()}'", "t.d"),
    ("date_text", "def u(d: datetime.date) -> str:\n"
     "    return str(d) + '|' + d.isoformat() + '|' + f'{d}!'", "t.d"),
    ("datetime_fields", "def u(ts: datetime.datetime) -> str:\n"
     "    return (f'{ts.year}-{ts.month}-{ts.day} {ts.hour}:{ts.minute}:{ts.second}.'\n"
     "            + str(ts.microsecond) + ' ' + str(ts.weekday() + ts.isoweekday()))", "t.ts"),
    ("datetime_text", "def u(ts: datetime.datetime) -> str:\n"
     "    return str(ts) + '|' + ts.isoformat() + '|' + str(ts.date()) + str(ts.toordinal())",
     "t.ts"),
    ("date_difference", "def u(d: datetime.date) -> int:\n"
     "    return (d - datetime.date(2000, 1, 1)).days", "t.d"),
    ("datetime_difference", "def u(ts: datetime.datetime) -> str:\n"
     "    delta = ts - datetime.datetime(2000, 1, 1, 12)\n"
     "    return (f'{delta.days} {delta.seconds} {delta.microseconds} {delta.total_seconds()} '\n"
     "            + str(delta) + ' ' + str(-delta) + ' ' + str(abs(delta)))", "t.ts"),
    ("timedelta_arithmetic", "def u(ts: datetime.datetime, n: int) -> str:\n"
     "    td = (ts - datetime.datetime(1970, 1, 1)) // 7 + datetime.timedelta(hours=n % 50)\n"
     "    day = datetime.timedelta(days=1)\n"
     "    return f'{td} {td % datetime.timedelta(hours=1)} {td / day} {td // day} {bool(td)}'",
     "t.ts, t.n"),
    ("returns_date", "def u(d: datetime.date, n: int) -> datetime.date:\n"
     "    if d.year >= 9000 or d.year < 10:\n        return d - datetime.timedelta(hours=1)\n"
     "    return d + datetime.timedelta(days=n, weeks=1)", "t.d, t.n"),
    ("returns_datetime", "def u(ts: datetime.datetime, n: int) -> datetime.datetime:\n"
     "    if ts.year >= 9000 or ts.year < 10:\n        return ts\n"
     "    return ts + datetime.timedelta(minutes=n, microseconds=-n, milliseconds=3)",
     "t.ts, t.n"),
    ("compare_min_max_in", "def u(d: datetime.date, ts: datetime.datetime) -> str:\n"
     "    lo = datetime.date(1970, 1, 1)\n"
     "    return (f'{d < lo} {d >= lo} {max(d, lo)} {min(ts, datetime.datetime(1999, 1, 1))} '\n"
     "            + str(d in (datetime.date(2024, 2, 29), lo)) + str(ts.date() == d))",
     "t.d, t.ts"),
    ("construct_from_parts", "def u(d: datetime.date) -> datetime.datetime:\n"
     "    return datetime.datetime(d.year, d.month, 1, d.day % 24, 59, d.month, 999999)",
     "t.d"),
]
# The same, with `from datetime import date, datetime, timedelta` in force.
FROM_IMPORT = [
    ("from_import_names", "def u(d: date, ts: datetime) -> str:\n"
     "    first = date(d.year, 1, 1)\n"
     "    return str((d - first).days + 1) + ' ' + str(ts - datetime(ts.year, 1, 1) + "
     "timedelta(seconds=30))", "t.d, t.ts"),
]


def _notebook(folder):
    pq.write_table(pa.Table.from_pydict(ROWS, schema=SCHEMA), folder / "t.parquet")
    cells = [SETUP + "import datetime\nt = con.read_parquet('t.parquet')"]
    for i, (name, source, args) in enumerate(CASES + FROM_IMPORT):
        body = source.replace("def u(", f"def {name}(", 1)
        prefix = "from datetime import date, datetime, timedelta\n" \
            if i == len(CASES) else ""
        cells.append(f"%%export\n{prefix}{UDF}{body}\n\ncase_{name} = t.select('id', "
                     f"r={name}({args}))")
    return write_notebook(folder / "dates.ipynb", cells)


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory, jvm):
    path = _notebook(tmp_path_factory.mktemp("udf_dates"))
    lowered = transpile(path, Options())
    assert not lowered.refused, lowered.diagnostics
    report = verify(path, Options(), policy=ComparisonPolicy(rel_tol=0.0, abs_tol=0.0))
    modes = {u.name: u.mode for u in lowered.udfs.udfs}
    return modes, {v.name: v for v in report.feature_sets}


@pytest.mark.parametrize("name,source,args", CASES + FROM_IMPORT,
                         ids=[c[0] for c in CASES + FROM_IMPORT])
def test_date_udf_is_exact(verdicts, name, source, args):
    modes, by_name = verdicts
    verdict = by_name[f"case_{name}"]
    assert verdict.status == "conformant", f"{modes.get(name)}: {source}\n{verdict.message}\n" \
        f"{verdict.details}"
    assert verdict.rows_compared == len(ROWS["id"])


def test_every_temporal_table_entry_is_exercised():
    """Every attribute, method, constructor and operator of the temporal tables appears in a
    case."""
    from transpiler.udf.udf_tables import (ATTRIBUTES, CONSTRUCTORS, TEMPORAL_BINOPS,
                                           TEMPORAL_METHODS)

    text = "\n".join(src for _, src, _ in CASES + FROM_IMPORT)
    missing = [f".{a}" for _, a in ATTRIBUTES if f".{a}" not in text]
    missing += [f".{m}(" for methods in TEMPORAL_METHODS.values() for m in methods
                if f".{m}(" not in text]
    missing += [f"{c}(" for c in CONSTRUCTORS if f"{c}(" not in text]
    missing += [op for _, op, _ in TEMPORAL_BINOPS if f" {op} " not in text]
    assert missing == []


# (name, UDF, argument, days of the input date (date32), Python exception).  A date outside
# Python's years 1..9999 is passed to the UDF by the notebook's engine as a *str* (measured: the
# body then fails, here with AttributeError); the JVM refuses it at the call with ValueError.
RAISING = [
    ("date_beyond_9999", "def u(d: datetime.date) -> int:\n    return d.year", "t.d",
     2_932_897, "AttributeError|ValueError"),
    ("date_before_year_1", "def u(d: datetime.date) -> int:\n    return d.year", "t.d",
     -719_163, "AttributeError|ValueError"),
    ("date_overflow", "def u(d: datetime.date) -> datetime.date:\n"
     "    return d + datetime.timedelta(days=10 ** 6 * 3)", "t.d", 0, "OverflowError"),
    ("invalid_date", "def u(d: datetime.date) -> datetime.date:\n"
     "    return datetime.date(d.year, 2, 30)", "t.d", 0, "ValueError"),
    ("timedelta_by_zero", "def u(d: datetime.date) -> int:\n"
     "    return (d - d) // (d - d)", "t.d", 0, "ZeroDivisionError"),
]


@pytest.mark.parametrize("name,source,args,days,exc", RAISING, ids=[r[0] for r in RAISING])
def test_python_exception_in_a_date_udf_is_a_jvm_failure(tmp_path, jvm, name, source, args,
                                                         days, exc):
    from transpiler.reference.engine import notebook_engine, notebook_results

    pq.write_table(pa.table({"d": pa.array([days], pa.date32())}), tmp_path / "t.parquet")
    body = source.replace("def u(", f"def {name}(", 1)
    path = write_notebook(tmp_path / "nb.ipynb", [
        SETUP + "import datetime\nt = con.read_parquet('t.parquet')",
        f"%%export\n{UDF}{body}\n\nout = t.select(r={name}({args}))"])
    lowered = transpile(path, Options())
    assert not lowered.refused, lowered.diagnostics
    notebook_error = notebook_results(lowered, notebook_engine({"t": tmp_path / "t.parquet"}))
    notebook_exc, _, exc = exc.rpartition("|")
    assert (notebook_exc or exc) in str(notebook_error["out"])
    message = jvm_failure(jvm, lowered, "out", {"t": tmp_path / "t.parquet"}, tmp_path)
    assert exc in message and f"in UDF '{name}', nb.ipynb, cell 2" in message


# Arguments ibis accepts but DuckDB cannot bind (the notebook's query fails): refused, where a
# Spark CAST would have computed something.
UNBINDABLE = [("timestamp('UTC')", "datetime.datetime"), ("timestamp", "datetime.date"),
              ("uint64", "int")]


@pytest.mark.parametrize("column,annotation", UNBINDABLE, ids=[u[0] for u in UNBINDABLE])
def test_argument_the_notebook_cannot_bind_is_refused(tmp_path, column, annotation):
    path = write_notebook(tmp_path / "nb.ipynb", [
        SETUP + f"import datetime\nt = ibis.table({{'c': {column!r}}}, name='t')",
        f"%%export\n{UDF}def u(x: {annotation}) -> str:\n    return str(x)\n\n"
        "out = t.select(r=u(t.c))"])
    lowered = transpile(path, Options())
    (refused,) = lowered.refused
    (diag,) = refused.diagnostics
    assert diag.code == "L100" and "cannot pass it as " + annotation in diag.message
