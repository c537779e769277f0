"""Maps and arrays as DuckDB computes them, where ibis's Spark rule differs
(tests/test_value_space.py proves each rule on the generated value space)."""

from __future__ import annotations

import ibis.expr.operations as ops
import sqlglot as sg
import sqlglot.expressions as sge

from .spark_sql import NULL, atom, cast

# Lambda parameters: prefixed so that they cannot shadow a column of the same name
_KEY, _VALUE = sg.to_identifier("nb2jvm_k"), sg.to_identifier("nb2jvm_v")


def _lambda(body: sge.Expression) -> sge.Expression:
    return sge.Lambda(this=body, expressions=[_KEY.copy(), _VALUE.copy()])


class CollectionRules:
    """Maps and arrays with DuckDB's NULL and duplicate-key rules."""

    def _key(self, op, key):
        # the key as the map's key type: Spark reads a float literal as a DECIMAL, which it does
        # not compare with a DOUBLE key
        return cast(key, self.type_mapper.from_ibis(op.arg.dtype.key_type).sql("spark"))

    def visit_MapGet(self, op, *, arg, key, default):
        # ibis's DuckDB rule is COALESCE(map[key], default): a key present with a NULL value
        # gives the default too; ibis's Spark rule gives the NULL
        key = self._key(op, key)
        if default is None:
            return self.f.try_element_at(arg, key)
        return self.if_(arg.is_(NULL), NULL,
                        self.f.coalesce(self.f.try_element_at(arg.copy(), key), default))

    def visit_MapContains(self, op, *, arg, key):
        # as visit_MapGet: the key as the map's key type
        return super().visit_MapContains(op, arg=arg, key=self._key(op, key))

    def visit_ArrayFlatten(self, op, *, arg):
        # DuckDB's flatten skips a NULL inner array; Spark's is NULL when one is
        x = sg.to_identifier("nb2jvm_x")
        return self.f.flatten(self.f.filter(arg, sge.Lambda(this=x.is_(sg.not_(NULL)),
                                                            expressions=[x.copy()])))

    def visit_MapMerge(self, op, *, left, right):
        # DuckDB's map_concat lets the right map win on a duplicate key (kept at the left map's
        # place, the right map's new keys after); Spark's map_concat fails on one
        # (DUPLICATED_MAP_KEY) unless the session's dedup policy is changed, which nb2jvm must
        # not do to the caller's session
        kept = self.f.transform_values(left, _lambda(self.if_(
            self.f.map_contains_key(right, _KEY.copy()),
            self.f.element_at(right.copy(), _KEY.copy()), _VALUE.copy())))
        added = self.f.map_filter(right.copy(), _lambda(sge.Not(
            this=self.f.map_contains_key(left.copy(), _KEY.copy()))))
        return self.if_(sg.or_(left.copy().is_(NULL), right.copy().is_(NULL)), NULL,
                        self.f.map_concat(kept, added))

    def visit_ArrayRepeat(self, op, *, arg, times):
        # ibis's DuckDB rule flattens `times` copies: a NULL array repeated is [] there (NULL on
        # Spark, whose flatten() is NULL when an element is) and a NULL count is NULL.  Spark's
        # array_repeat() takes an INT count: the ANSI cast fails beyond int32, where DuckDB
        # runs out of memory building the list
        empty = sge.Cast(this=self.f.array(), to=self.type_mapper.from_ibis(op.dtype))
        return self.if_(times.is_(NULL), NULL, self.f.flatten(self.f.array_repeat(
            self.f.coalesce(arg, empty), cast(times.copy(), "int"))))

    def visit_IntegerRange(self, op, *, start, stop, step):
        # DuckDB's range() stops before `stop`, is [] for a zero step or the wrong direction and
        # NULL when an argument is; Spark's sequence() includes its end, so it ends one before
        # (never past int64: stop is beyond start then).  ibis's Spark rule also computes
        # stop - start, which overflows int64 at the extremes where DuckDB's range does not.
        start, stop, step = atom(start), atom(stop), atom(step)
        one = sge.Literal.number(1)
        zero = sge.Literal.number(0)
        up = sg.and_(step > zero, stop > start)
        down = sg.and_(step.copy() < zero.copy(), stop.copy() < start.copy())
        empty = sge.Cast(this=self.f.array(), to=self.type_mapper.from_ibis(op.dtype))
        return sge.Case(ifs=[
            sge.If(this=sg.or_(start.copy().is_(NULL), stop.copy().is_(NULL),
                               step.copy().is_(NULL)), true=NULL),
            sge.If(this=up, true=self.f.sequence(start.copy(), sge.Sub(
                this=stop.copy(), expression=one), step.copy())),
            sge.If(this=down, true=self.f.sequence(start.copy(), sge.Add(
                this=stop.copy(), expression=one.copy()), step.copy()))], default=empty)

    def visit_TimestampRange(self, op, *, start, stop, step):
        # DuckDB's range() of timestamps stops before `stop`, is [] in the wrong direction and
        # NULL when an end is; Spark's sequence() includes its end, which the filter drops.  A
        # constant step of days or less only: a month's length depends on where it starts
        if not isinstance(op.step, ops.Literal) or op.step.dtype.unit.short not in (
                "W", "D", "h", "m", "s"):
            raise ValueError("range() of timestamps with a step that is not a constant of "
                             "weeks, days, hours, minutes or seconds")
        value = int(op.step.value)
        if value == 0:
            raise ValueError("range() of timestamps with a zero step")
        start, stop = atom(start), atom(stop)
        element = sg.to_identifier("nb2jvm_x")
        if value > 0:
            ahead, keep = stop > start, element < stop.copy()
        else:
            ahead, keep = stop < start, element > stop.copy()
        empty = sge.Cast(this=self.f.array(), to=self.type_mapper.from_ibis(op.dtype))
        seq = self.f.filter(self.f.sequence(start.copy(), stop.copy(), step),
                            sge.Lambda(this=keep, expressions=[element.copy()]))
        return sge.Case(ifs=[
            sge.If(this=sg.or_(start.copy().is_(NULL), stop.copy().is_(NULL)), true=NULL),
            sge.If(this=ahead, true=seq)], default=empty)
