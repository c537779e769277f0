"""nb2jvm's Spark SQL compiler: ibis's PySpark compiler with the notebook's semantics.

Each override is one measured divergence between ibis-on-DuckDB (the notebook) and ibis's own
PySpark lowering; the differential table in tests/test_differential.py shows each one.
"""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

NULL = sge.Null()


def _double(text: str) -> sge.Expression:
    return sge.Cast(this=sge.Literal.string(text), to=sge.DataType.build("double"))


class Nb2jvmSparkCompiler(PySparkCompiler):
    """Spark SQL that computes what the notebook computes."""

    def visit_IsNull(self, op, *, arg):
        # ibis's PySpark compiler counts NaN as NULL in isnull(); DuckDB does not.
        return arg.is_(NULL)

    def visit_NotNull(self, op, *, arg):
        return sg.not_(arg.is_(NULL))

    def visit_IsNan(self, op, *, arg):
        # Spark's isnan(NULL) is false; DuckDB propagates NULL.
        return self.if_(arg.is_(NULL), NULL, self.f.isnan(arg))

    def visit_IsInf(self, op, *, arg):
        # NULL stays NULL (as in DuckDB); NaN is not infinite.
        if not op.arg.dtype.is_floating():
            return self.if_(arg.is_(NULL), NULL, sge.false())
        return self.if_(arg.is_(NULL), NULL, self.f.abs(arg).eq(_double("Infinity")))


compiler = Nb2jvmSparkCompiler()
