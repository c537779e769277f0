"""Aggregate rules of nb2jvm's Spark compiler: std/var as DuckDB raises and answers them, and
ordered first/last/collect, which ibis refuses for Spark (tests/test_numeric_types.py,
tests/test_ordered_aggregates.py).  A rule that combines several aggregates is windowed
aggregate by aggregate (visit_WindowFunction)."""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge
import ibis.expr.operations as ops
from ibis.backends.sql.compilers.base import SQLGlotCompiler

from .spark_sql import NULL, aggregate_part, cast, composite, double


class AggregateRules:
    """Aggregates as DuckDB computes them."""

    def visit_Sum(self, op, *, arg, where):
        # DuckDB sums BIGINTs in 128 bits (HUGEINT), so a running total may leave int64 when
        # the result fits; Spark's ANSI sum of a bigint overflows on the running total.  A
        # DECIMAL(38, 0) sum is exact there, and the cast back fails where the result does
        # not fit int64 (where the notebook's int64 column cannot hold it either)
        if op.arg.dtype.is_integer() and op.arg.dtype.nbytes == 8:
            total = self.agg.sum(cast(arg, "decimal(38, 0)"), where=where)
            aggregate_part(total)  # windowed inside the cast (see below)
            result = cast(total, "bigint")
            composite(result)
            return result
        return super().visit_Sum(op, arg=arg, where=where)

    def _moment(self, op, *, arg, how, where):
        # DuckDB raises "out of range" when a std/var result is not finite (an infinite or NaN
        # input, or an overflowing sum of squares) and returns 0.0 (population) or NULL (sample)
        # for one value whatever it is, NaN included; Spark returns NaN or inf.  So: count 1 gives
        # DuckDB's answer, a non-finite result raises, anything else is Spark's (the same to
        # rounding: Welford's update in DuckDB, merged central moments in Spark).
        kind = "pop" if how == "pop" else "samp"
        name = ("stddev" if isinstance(op, ops.StandardDev) else "var") + "_" + kind
        if op.arg.dtype.is_boolean():
            arg = cast(arg, "int")
        value = self.agg[name](arg, where=where)
        count = self.agg.count(arg.copy(), where=where.copy() if where is not None else None)
        for aggregate in (value, count):
            aggregate_part(aggregate)
        label = name.upper().replace("VAR_", "VAR")
        return composite(sge.Case(ifs=[
            sge.If(this=count.eq(sge.Literal.number(1)),
                   true=double("0.0") if kind == "pop" else cast(NULL, "double")),
            sge.If(this=self.f.isnan(value) | self.f.abs(value.copy()).eq(double("Infinity")),
                   true=self.f.raise_error(sge.Literal.string(
                       f"{label} is out of range (the notebook's DuckDB raises)")))],
            default=value.copy()))

    visit_StandardDev = visit_Variance = _moment

    def _ordered_values(self, op, arg, where, order_by, include_null):
        # DuckDB aggregates in the ORDER BY of first/last/array_agg; Spark has no ordered
        # aggregate (ibis refuses them): collect (keys, value) structs, sort them with a
        # comparator that has DuckDB's order (NULL keys last unless nulls_first, NaN greatest,
        # strings by code point), and read the first, the last or all values
        keys = [(sort.this, key.ascending, key.nulls_first)
                for sort, key in zip(order_by, op.order_by)]
        return self._sorted_pairs(arg, where, keys, include_null)

    def _sorted_pairs(self, arg, where, keys, include_null):
        # see _ordered_values; keys are (sql, ascending, nulls_first)
        fields = []
        for i, (key, _, _) in enumerate(keys):
            fields += [sge.Literal.string(f"k{i}"), key]
        item = self.f.named_struct(*fields, sge.Literal.string("v"), arg)
        keep = [] if include_null else [sg.not_(arg.copy().is_(NULL))]
        if where is not None:
            keep.append(where)
        collected = self.f.collect_list(self.if_(sg.and_(*keep), item, NULL) if keep else item)
        aggregate_part(collected)
        left, right = sg.to_identifier("l"), sg.to_identifier("r")
        order = sge.Literal.number(0)
        for i, (_, ascending, nulls_first) in reversed(list(enumerate(keys))):
            lk, rk = (sge.Dot(this=sge.column(side.copy()), expression=sg.to_identifier(f"k{i}"))
                      for side in (left, right))
            first, after = (-1, 1) if nulls_first else (1, -1)
            less, more = (-1, 1) if ascending else (1, -1)
            order = sge.Case(ifs=[
                sge.If(this=sg.and_(lk.is_(NULL), rk.copy().is_(NULL)), true=order),
                sge.If(this=lk.copy().is_(NULL), true=sge.Literal.number(first)),
                sge.If(this=rk.copy().is_(NULL), true=sge.Literal.number(after)),
                sge.If(this=sge.LT(this=lk.copy(), expression=rk.copy()),
                       true=sge.Literal.number(less)),
                sge.If(this=sge.GT(this=lk.copy(), expression=rk.copy()),
                       true=sge.Literal.number(more))], default=order.copy())
        comparator = sge.Lambda(this=order, expressions=[left, right])
        return self.f.array_sort(collected, comparator)

    def visit_First(self, op, *, arg, where, order_by, include_null):
        # see _ordered_values
        if not order_by:
            return super().visit_First(op, arg=arg, where=where, order_by=order_by,
                                       include_null=include_null)
        picked = self.f.try_element_at(self._ordered_values(op, arg, where, order_by,
                                                            include_null),
                                       sge.Literal.number(-1 if isinstance(op, ops.Last) else 1))
        value = sge.Dot(this=picked, expression=sg.to_identifier("v"))
        composite(value)
        return value

    visit_Last = visit_First

    def visit_ArrayCollect(self, op, *, arg, where, order_by, include_null, distinct):
        # see _ordered_values; DuckDB's array_agg of no rows is NULL, not an empty array
        if not order_by:
            return self._unordered_collect(op, arg, where, include_null, distinct)
        ordered = self._ordered_values(op, arg, where, order_by, include_null)
        element = sg.to_identifier("e")
        values = self.f.transform(ordered, sge.Lambda(
            this=sge.Dot(this=sge.column(element.copy()), expression=sg.to_identifier("v")),
            expressions=[element]))
        result = self.if_(self.f.size(ordered.copy()).eq(0), NULL, values)
        composite(result)
        return result

    def _arg_extreme(self, op, arg, key, where, ascending):
        # ibis's DuckDB rule is FIRST(arg ORDER BY key [DESC]): a NULL key sorts last, the
        # arg of the chosen row may be NULL.  Rows tied on the key leave the choice to DuckDB's
        # scan order, so a tie between different args fails the query instead
        ordered = self._sorted_pairs(arg, where, [(key, ascending, False)], include_null=True)
        top = self.f.try_element_at(ordered, sge.Literal.number(1))
        e = sg.to_identifier("e")

        def of(row, name):
            return sge.Dot(this=row, expression=sg.to_identifier(name))

        tied = sge.Anonymous(this="exists", expressions=[ordered.copy(), sge.Lambda(this=sg.and_(
            sge.NullSafeEQ(this=of(sge.column(e.copy()), "k0"), expression=of(top.copy(), "k0")),
            sg.not_(sge.NullSafeEQ(this=of(sge.column(e.copy()), "v"),
                                   expression=of(top.copy(), "v")))), expressions=[e])])
        name = "argmin" if ascending else "argmax"
        value = self.if_(tied, self.f.raise_error(sge.Literal.string(
            f"{name}() is tied between rows with different values: the notebook's DuckDB "
            "returns the one it reads first, which depends on its scan order")),
            of(top.copy(), "v"))
        composite(value)
        return value

    def visit_ArgMin(self, op, *, arg, key, where):
        # the arg of the row with the least key, NULL keys last, a tie between different args
        # failing: see _arg_extreme (ibis refuses an ordered first() for Spark)
        return self._arg_extreme(op, arg, key, where, ascending=True)

    def visit_ArgMax(self, op, *, arg, key, where):
        # the arg of the row with the greatest key, as visit_ArgMin
        return self._arg_extreme(op, arg, key, where, ascending=False)

    def visit_Arbitrary(self, op, *, arg, where):
        # DuckDB's any_value returns the first non-NULL value it reads: the answer is the
        # notebook's only when the group's non-NULL values are all equal (one row, or the value
        # a pivot_wider cell holds), and otherwise the query fails
        low, high = (self.agg[name](arg.copy(), where=where.copy() if where else None)
                     for name in ("min", "max"))
        for node in (low, high):
            aggregate_part(node)
        value = self.if_(sge.NullSafeEQ(this=low, expression=high), low.copy(),
                         self.f.raise_error(sge.Literal.string(
                             "arbitrary() over different values: the notebook's DuckDB returns "
                             "the first one it reads, which depends on its scan order")))
        composite(value)
        return value

    def visit_GroupConcat(self, op, *, arg, sep, where, order_by):
        # see _ordered_values: LISTAGG in the given order skips NULLs; no value gives NULL
        ordered = self._ordered_values(op, arg, where, order_by, include_null=False)
        element = sg.to_identifier("e")
        values = self.f.transform(ordered, sge.Lambda(
            this=sge.Dot(this=sge.column(element.copy()), expression=sg.to_identifier("v")),
            expressions=[element]))
        result = self.if_(self.f.size(ordered.copy()).eq(0), NULL,
                          self.f.array_join(values, sep))
        composite(result)
        return result

    def _unordered_collect(self, op, arg, where, include_null, distinct):
        # DuckDB's array_agg: the values (NULLs too with include_null) in scan order, distinct
        # ones once, NULL for no value; Spark's collect_list/collect_set skip NULLs and give []
        # for none, so a value is wrapped in a struct when NULLs count
        value = self.f.named_struct(sge.Literal.string("v"), arg) if include_null else arg
        if where is not None:
            value = self.if_(where, value, NULL)
        collected = self.f["collect_set" if distinct else "collect_list"](value)
        aggregate_part(collected)
        values = collected
        if include_null:
            element = sg.to_identifier("e")
            values = self.f.transform(collected.copy(), sge.Lambda(
                this=sge.Dot(this=sge.column(element.copy()), expression=sg.to_identifier("v")),
                expressions=[element]))
        result = self.if_(self.f.size(collected.copy()).eq(0), NULL, values)
        composite(result)
        return result

    def visit_FirstValue(self, op, *, arg):
        # ibis turns first()/last() over a window into FIRST_VALUE/LAST_VALUE; DuckDB's keep a
        # NULL in the first (last) row, ibis's Spark rule adds IGNORE NULLS
        return self.f.first(arg)

    def visit_LastValue(self, op, *, arg):
        # as visit_FirstValue
        return self.f.last(arg)

    def visit_WindowFunction(self, op, *, func, **kw):
        # a rule that combines several aggregates (see _moment) is windowed aggregate by
        # aggregate: Spark has no window over a CASE of aggregates
        if isinstance(op.func, (ops.CountDistinct, ops.CountDistinctStar)):
            # Spark has no DISTINCT window function: the distinct values of the frame are a
            # set (NULLs left out, as COUNT(DISTINCT) leaves them), and the count its size
            (distinct,) = func.find_all(sge.Distinct)
            values = self.f.collect_set(distinct.expressions[0].copy())
            return self.f.size(super().visit_WindowFunction(op, func=values, **kw))
        if isinstance(op.func, ops.NthValue):
            # ibis's Spark rule drops the frame of every analytic function but first/last;
            # nth_value takes its frame on both engines (ibis's default: the whole partition)
            return SQLGlotCompiler.visit_WindowFunction(self, op, func=func, **kw)
        if not func.meta.get("nb2jvm_composite"):
            return super().visit_WindowFunction(op, func=func, **kw)

        def window(node):
            if not node.meta.get("nb2jvm_aggregate"):
                return node
            inner = node.copy()
            inner.meta.pop("nb2jvm_aggregate", None)
            return super(AggregateRules, self).visit_WindowFunction(op, func=inner, **kw)

        return func.transform(window)
