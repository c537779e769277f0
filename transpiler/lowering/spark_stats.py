"""Statistical aggregates of nb2jvm's Spark compiler: correlation, covariance, kurtosis, mode,
bit aggregates and distinct-row counts as DuckDB computes them (tests/test_aggregates.py).

Each rule is a composite of Spark aggregates (marked for ``visit_WindowFunction``, which windows
them one by one) with DuckDB's answers for the edge cases: empty groups, one row, a constant
column, non-finite moments.
"""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge

from .spark_sql import NULL, aggregate_part, cast, composite, double, finite, formula


class StatisticsRules:
    """Moments, modes and bit aggregates as DuckDB answers them."""

    def _agg(self, name, *args, where):
        return aggregate_part(self.agg[name](*args, where=where))

    def _raise(self, message: str) -> sge.Expression:
        return self.f.raise_error(sge.Literal.string(message))

    def _as_number(self, node, arg):
        # DuckDB's ibis rules cast a boolean to INT first (base visit_Kurtosis, visit_Correlation)
        return cast(arg, "int") if node.dtype.is_boolean() else arg

    def _pairs(self, left, right, where):
        # DuckDB's binary aggregates skip a row where either side is NULL
        both = sg.and_(sg.not_(left.copy().is_(NULL)), sg.not_(right.copy().is_(NULL)))
        return sg.and_(both, where.copy()) if where is not None else both

    def visit_Covariance(self, op, *, left, right, how, where):
        # Spark's covar_pop/covar_samp give DuckDB's NULL for no rows (and one row, sample) and
        # the same co-moment update (Schubert and Gertz), NaN and infinities included
        left, right = self._as_number(op.left, left), self._as_number(op.right, right)
        return self.agg["covar_pop" if how == "pop" else "covar_samp"](left, right, where=where)

    def visit_Correlation(self, op, *, left, right, how, where):
        # DuckDB: NULL for no pairs; its population deviations of X and Y over the pairs must be
        # finite (else "out of range"); NaN when their product is 0 (one pair, a constant side);
        # otherwise covar_pop / (std_x * std_y).  Spark's corr() gives NULL where DuckDB gives
        # NaN, so the quotient is spelled out (extension/core_functions/.../corr.hpp)
        left, right = self._as_number(op.left, left), self._as_number(op.right, right)
        pairs = self._pairs(left, right, where)
        count = self._agg("count_if", pairs, where=None)
        sx = self._agg("stddev_pop", self.if_(pairs.copy(), left.copy(), NULL), where=None)
        sy = self._agg("stddev_pop", self.if_(pairs.copy(), right.copy(), NULL), where=None)
        cov = self._agg("covar_pop", left.copy(), right.copy(), where=where)
        one = count.copy().eq(sge.Literal.number(1))
        dev_x = self.if_(one, double("0.0"), sx)
        dev_y = self.if_(one.copy(), double("0.0"), sy)
        product = sge.Mul(this=sge.paren(dev_x.copy()), expression=sge.paren(dev_y.copy()))
        return composite(sge.Case(ifs=[
            sge.If(this=count.eq(sge.Literal.number(0)), true=cast(NULL, "double")),
            sge.If(this=sg.not_(finite(dev_x)),
                   true=self._raise("STDDEV_POP for X is out of range (the notebook's DuckDB "
                                    "raises)")),
            sge.If(this=sg.not_(finite(dev_y)),
                   true=self._raise("STDDEV_POP for Y is out of range (the notebook's DuckDB "
                                    "raises)")),
            sge.If(this=product.copy().eq(double("0.0")), true=double("NaN"))],
            default=sge.Div(this=cov, expression=sge.paren(product))))

    def visit_Kurtosis(self, op, *, arg, where, how):
        # DuckDB's kurtosis is a formula of the power sums (extension/core_functions/aggregate/
        # distributive/kurtosis.cpp): NULL for n <= 1 (n <= 3 for the sample one) and for a zero
        # second moment, "out of range" for a non-finite result; Spark's kurtosis() is the
        # population one with NULL/NaN where DuckDB differs, so the formula is spelled out
        x = cast(self._as_number(op.arg, arg), "double")
        n = cast(self._agg("count", x.copy(), where=where), "double")
        s1, s2, s3, s4 = (self._agg("sum", formula(f"POWER(x, {p})", x=x) if p > 1 else x.copy(),
                                    where=where) for p in (1, 2, 3, 4))
        terms = dict(n=n, s1=s1, s2=s2, s3=s3, s4=s4, t=formula("1 / n", n=n))
        centred = formula("s2 - s1 * s1 * t", **terms)
        m4 = formula("t * (s4 - 4 * s3 * s1 * t + 6 * s2 * s1 * s1 * t * t"
                     " - 3 * POWER(s1, 4) * POWER(t, 3))", **terms)
        m2 = formula("t * c", c=centred, **terms)
        value = formula("m4 / (m2 * m2) - 3" if how == "pop" else
                        "(n - 1) * ((n + 1) * m4 / (m2 * m2) - 3 * (n - 1)) / ((n - 2) * (n - 3))",
                        m4=m4, m2=m2, n=n)
        least = 1 if how == "pop" else 3
        return composite(sge.Case(ifs=[
            sge.If(this=n.copy() <= sge.Literal.number(least), true=cast(NULL, "double")),
            sge.If(this=centred.eq(double("0.0")), true=cast(NULL, "double")),
            sge.If(this=m2.copy() <= double("0.0"), true=cast(NULL, "double")),
            sge.If(this=sg.not_(finite(value)),
                   true=self._raise("Kurtosis is out of range (the notebook's DuckDB raises)"))],
            default=value.copy()))

    def visit_Mode(self, op, *, arg, where):
        # DuckDB's mode breaks a tie by the row it read first, which depends on the scan: the
        # values are sorted and counted run by run (an O(n log n) fold), and a tie between two
        # different values fails the query rather than pick one the notebook might not have
        values = self.f.array_sort(self._agg("collect_list", arg, where=where))
        acc, e = sg.to_identifier("a"), sg.to_identifier("e")

        def field(name):
            return sge.Dot(this=sge.column(acc.copy()), expression=sg.to_identifier(name))

        def state(c, cn, b, bn, tie):
            return self.f.named_struct(
                sge.Literal.string("c"), c, sge.Literal.string("cn"), cn,
                sge.Literal.string("b"), b, sge.Literal.string("bn"), bn,
                sge.Literal.string("tie"), tie)

        same = sg.and_(field("cn") > sge.Literal.number(0),
                       sge.EQ(this=field("c"), expression=sge.column(e.copy())))
        if op.arg.dtype.is_floating():
            # DuckDB's mode counts each NaN on its own (NaN is not equal to NaN in its hash
            # table); Spark's = says NaN = NaN
            same = sg.and_(same, sg.not_(self.f.isnan(sge.column(e.copy()))))
        run = self.if_(same, sge.Add(this=field("cn"), expression=cast(sge.Literal.number(1),
                                                                       "bigint")),
                       cast(sge.Literal.number(1), "bigint"))
        step = sge.Lambda(this=self.f.named_struct(
            sge.Literal.string("c"), sge.column(e.copy()), sge.Literal.string("cn"), run,
            sge.Literal.string("b"), self.if_(run.copy() > field("bn"), sge.column(e.copy()),
                                              field("b")),
            sge.Literal.string("bn"), self.f.greatest(run.copy(), field("bn")),
            sge.Literal.string("tie"), sge.Case(ifs=[
                sge.If(this=run.copy() > field("bn"), true=sge.false()),
                sge.If(this=run.copy().eq(field("bn")), true=sge.true())],
                default=field("tie"))), expressions=[acc, e])
        zero = cast(sge.Literal.number(0), "bigint")
        # the start takes the element type Spark gives the values (timestamp_ntz, a decimal's
        # own precision), which a type written from ibis's could miss; its count 0 ignores it
        first = self.f.try_element_at(values.copy(), sge.Literal.number(1))
        start = state(first, zero, first.copy(), zero.copy(), sge.false())
        folded = self.f.aggregate(values, start, step)
        best = sge.Dot(this=folded, expression=sg.to_identifier("b"))
        tie = sge.Dot(this=folded.copy(), expression=sg.to_identifier("tie"))
        return composite(self.if_(tie, self._raise(
            "mode() is tied between different values: the notebook's DuckDB returns the one it "
            "reads first, which depends on its scan order"), best))

    def visit_BitAnd(self, op, *, arg, where):
        # ibis has no Spark rule for the bit aggregates; Spark's skip NULLs and give NULL for
        # no rows, as DuckDB's
        return self.agg.bit_and(arg, where=where)

    def visit_BitOr(self, op, *, arg, where):
        # as visit_BitAnd
        return self.agg.bit_or(arg, where=where)

    def visit_BitXor(self, op, *, arg, where):
        # as visit_BitAnd
        return self.agg.bit_xor(arg, where=where)

    def visit_CountDistinctStar(self, op, *, arg, where):
        # DuckDB counts distinct row structs, which are never NULL (a row of NULLs counts);
        # Spark's COUNT(DISTINCT a, b) skips a row with any NULL, and COUNT(DISTINCT *) cannot
        # follow a GROUP BY by position: the row is a struct of the named columns here too
        fields = []
        for name in op.arg.schema.names:
            fields += [sge.Literal.string(name),
                       sg.column(name, table=arg.alias_or_name, quoted=self.quoted)]
        row = self.f.named_struct(*fields)
        if where is not None:
            row = self.if_(where, row, NULL)
        return self.f.count(sge.Distinct(expressions=[row]))
