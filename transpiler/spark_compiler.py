"""nb2jvm's Spark SQL compiler: ibis's PySpark compiler with the notebook's semantics.

Each override is one measured divergence between ibis-on-DuckDB (the notebook) and ibis's own
PySpark lowering; the differential table in tests/test_differential.py shows each one.
"""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge
import ibis.expr.operations as ops
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

NULL = sge.Null()


def _cast(expr: sge.Expression, to: str) -> sge.Expression:
    return sge.Cast(this=expr, to=sge.DataType.build(to))


def _atom(expr: sge.Expression) -> sge.Expression:
    """Parenthesise a compound operand so that it stays one operand when embedded."""
    simple = (sge.Column, sge.Literal, sge.Cast, sge.Func, sge.Paren, sge.Null)
    return expr if isinstance(expr, simple) else sge.paren(expr)


def _double(text: str) -> sge.Expression:
    return _cast(sge.Literal.string(text), "double")


class Nb2jvmSparkCompiler(PySparkCompiler):
    """Spark SQL that computes what the notebook computes."""

    def visit_ScalarUDF(self, op, **kw):
        # ibis names Python UDFs after a memory address; nb2jvm's compiled UDFs are registered
        # under a stable name.  Java UDFs get no input coercion from Spark, so each argument
        # is cast to the declared type (an int32 column passed to an int parameter, say).
        from .udfsig import to_dtype

        source = op.__func__.__nb2jvm__
        args = []
        for arg, (_, t) in zip(kw.values(), source.fn.params):
            dtype = to_dtype(t)
            arg = _cast(arg, self.type_mapper.from_ibis(dtype).sql("spark"))
            # Dates and timestamps cross into the JVM as days / microseconds since the epoch
            # (exact under the UTC session time zone the runtime enforces), not as
            # java.sql.Date/Timestamp, which depend on the JVM's default zone and calendar.
            if dtype.is_date():
                arg = _cast(self.f.unix_date(arg), "bigint")
            elif dtype.is_timestamp():
                arg = self.f.unix_micros(_cast(arg, "timestamp"))
            args.append(arg)
        call = self.f[source.sql_name](*args)
        returns = to_dtype(source.fn.returns)
        if returns.is_date():
            return self.f.date_from_unix_date(_cast(call, "int"))
        if returns.is_timestamp():
            return _cast(self.f.timestamp_micros(call),
                         self.type_mapper.from_ibis(returns).sql("spark"))
        return call

    def visit_Divide(self, op, *, left, right):
        # DuckDB divides floats by IEEE rules: x / ±0 is ±inf, or NaN for 0/0 and NaN/0.  Spark
        # in ANSI mode raises DIVIDE_BY_ZERO instead, so the zero divisor is handled here; the
        # sign of a zero divisor is only visible in its text form ('-0.0').
        left, right = _atom(left), _atom(right)
        divisor = op.right
        if isinstance(divisor, ops.Literal) and divisor.value not in (0, None):
            return sge.Div(this=left, expression=right)
        positive_zero = sge.paren(sg.not_(_cast(right, "string").like(sge.Literal.string("-%"))))
        by_zero = self.if_(
            left.is_(NULL), NULL,
            self.if_(self.f.isnan(_cast(left, "double")) | left.eq(sge.Literal.number(0)), _double("NaN"),
                     self.if_(sge.EQ(this=sge.paren(sge.GT(this=left,
                                                          expression=sge.Literal.number(0))),
                                     expression=positive_zero), _double("Infinity"),
                              _double("-Infinity"))))
        return self.if_(right.eq(sge.Literal.number(0)), by_zero,
                        sge.Div(this=left, expression=right))

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
