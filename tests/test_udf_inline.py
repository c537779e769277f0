"""What the inliner's SQL leaves out, as a table: the NULL guards a NULL argument makes
redundant, and the NaN terms Spark's ordering of NaN makes redundant.  That the SQL computes what
Python computes is judged by running it (``tests/test_udfs.py``, inlined cases on the JVM)."""

from __future__ import annotations

import re

import pytest

from transpiler.pipeline import Options, transpile

from .conftest import write_notebook

# (UDF, argument columns, arguments guarded by `IS NULL`, isnan terms in the SQL)
CASES = [
    # every branch is NULL when x is; n decides the branch, so it is guarded
    ("def u(x: float, n: int) -> float:\n    if n > 3:\n        return x * 0.9\n    return x",
     "t.f, t.i", {"i"}, 0),
    # integer arithmetic can overflow (ANSI raises) on a row Python never computes: all guarded
    ("def u(x: float, n: int) -> float:\n    return x + n * 2.0", "t.f, t.i", set(), 0),
    # int arithmetic feeding more arithmetic is compiled, not inlined: Python's intermediate is
    # exact where BIGINT raises (n * 2 beyond 64 bits, then + x fits a float again)
    # a branch that is not NULL when x is NULL: guarded
    ("def u(x: float) -> float:\n    if x > 1.0:\n        return x\n    return 0.0", "t.f",
     {"f"}, 1),
    ("def u(s: str, b: bool) -> str:\n    return s + '!' if b else '<' + s", "t.s, t.b",
     {"b"}, 0),
    ("def u(s: str) -> int:\n    return len(s)", "t.s", {"s"}, 0),
    # NaN is greater than every number in Spark: only the NaN side being the greater one differs
    ("def u(x: float) -> bool:\n    return x < 1.0", "t.f", {"f"}, 0),
    ("def u(x: float) -> bool:\n    return x <= 1.0", "t.f", {"f"}, 0),
    ("def u(x: float) -> bool:\n    return x == 1.0", "t.f", {"f"}, 0),
    ("def u(x: float) -> bool:\n    return x != 1.0", "t.f", {"f"}, 0),
    ("def u(x: float) -> bool:\n    return x > 1.0", "t.f", {"f"}, 1),
    ("def u(x: float) -> bool:\n    return x >= 1.0", "t.f", {"f"}, 1),
    ("def u(x: float) -> bool:\n    return 1.0 < x", "t.f", {"f"}, 1),
    ("def u(x: float) -> bool:\n    return 1.0 > x", "t.f", {"f"}, 0),
    # two columns: either may be NaN
    ("def u(x: float, y: float) -> bool:\n    return x < y", "t.f, t.g", {"f", "g"}, 2),
    ("def u(x: float, y: float) -> bool:\n    return x == y", "t.f, t.g", {"f", "g"}, 2),
]


@pytest.mark.parametrize("source,args,guarded,isnan", CASES, ids=[str(i) for i in range(len(CASES))])
def test_inlined_sql_keeps_only_the_guards_python_needs(tmp_path, source, args, guarded, isnan):
    setup = ("import ibis\nt = ibis.table({'f': 'float64', 'g': 'float64', 'i': 'int64', "
             "'s': 'string', 'b': 'boolean'}, name='t')")
    path = write_notebook(tmp_path / "nb.ipynb", [setup, "%%export\n@ibis.udf.scalar.python\n"
                                                  f"{source}\n\nout = t.select(r=u({args}))"])
    lowered = transpile(path, Options(inline_udfs="always"))
    assert [u.mode for u in lowered.udfs.udfs] == ["inlined"]
    sql = lowered.lowered[0].sql
    assert set(re.findall(r"`t0`\.`(\w)` IS NULL\s*\)?\s*(?:OR|THEN)", sql)) == guarded, sql
    assert sql.count("ISNAN(") == isnan, sql


# Integer arithmetic whose value feeds more computation: Python computes it exactly (an
# unbounded int), Spark's BIGINT raises, so the body is compiled (with its exact variant).
NOT_INLINED = [
    "def u(x: float, n: int) -> float:\n    return x + n * 2",
    "def u(x: float, n: int) -> int:\n    return -n - 7",
    "def u(x: float, n: int) -> bool:\n    return n * 3 > 10",
    "def u(x: float, n: int) -> int:\n    y = n * 3 - 7\n    return y // 4",
    # the `n * 3` of the condition is the node of the result too (ibis compares by structure)
    "def u(x: float, n: int) -> int:\n    return n * 3 if n * 3 > 10 else 0",
]


@pytest.mark.parametrize("source", NOT_INLINED, ids=range(len(NOT_INLINED)))
def test_int_intermediates_are_compiled_not_inlined(tmp_path, source):
    path = write_notebook(tmp_path / "nb.ipynb", [
        "import ibis\nt = ibis.table({'f': 'float64', 'i': 'int64'}, name='t')",
        f"%%export\n@ibis.udf.scalar.python\n{source}\n\nout = t.select(r=u(t.f, t.i))"])
    assert [u.mode for u in transpile(path, Options(inline_udfs="always")).udfs.udfs] == \
        ["compiled"]
