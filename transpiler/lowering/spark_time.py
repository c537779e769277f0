"""Times of day on Spark as DuckDB computes them (tests/test_value_space.py).

ibis's Spark rule for ``ts.time()`` is ``ts - date_trunc('day', ts)``, an interval that Spark
can neither compare with a time literal nor pass to ``delta()``.  nb2jvm carries a time of day
as its microseconds since midnight (a BIGINT): comparisons, ``min``/``max``, sorting and
equality then behave as DuckDB's TIME does, and the ops below compute from the number.  An op
that is not listed here and receives a time is refused (``time_refusal``), and so is a time
output column (``lower._unwritable``), so the number never leaves the query.
"""

from __future__ import annotations

import datetime as _dt

import ibis.expr.operations as ops
import sqlglot as sg
import sqlglot.expressions as sge

from .spark_sql import NULL, atom, cast

DAY = 86_400_000_000
_TIME_UNITS = ("h", "m", "s")
_DELTA_MICROS = {"hour": 3_600_000_000, "minute": 60_000_000, "second": 1_000_000,
                 "millisecond": 1_000, "microsecond": 1}

# Ops whose meaning on a time is the same on its microseconds: order, equality, choice, NULLs
_ORDER_SAFE = (ops.Equals, ops.NotEquals, ops.Greater, ops.GreaterEqual, ops.Less,
               ops.LessEqual, ops.Between, ops.IfElse, ops.SearchedCase, ops.SimpleCase,
               ops.Coalesce, ops.IsNull, ops.NotNull, ops.Min, ops.Max, ops.Count,
               ops.CountDistinct, ops.IdenticalTo, ops.InValues, ops.NullIf, ops.Greatest,
               ops.Least, ops.Alias, ops.Field, ops.SortKey, ops.Literal, ops.First, ops.Last,
               ops.Lag, ops.Lead, ops.WindowFunction)
_COMPUTED = (ops.Time, ops.TimeAdd, ops.TimeSub, ops.TimeDelta, ops.TimeFromHMS,
             ops.StringToTime, ops.ExtractHour, ops.ExtractMinute, ops.ExtractSecond)


# Ops whose operands must all be times (or NULL): DuckDB casts a string to a TIME there
_ALL_TIMES = (ops.Equals, ops.NotEquals, ops.Greater, ops.GreaterEqual, ops.Less,
              ops.LessEqual, ops.Between, ops.IdenticalTo, ops.NullIf, ops.Greatest, ops.Least,
              ops.Coalesce, ops.InValues)


def time_refusal(op) -> str | None:
    """Why ``op`` cannot take a time of day as nb2jvm carries it, or None."""
    if not isinstance(op, ops.Value) or isinstance(op, _COMPUTED):
        return None
    values = [a for a in op.args if isinstance(a, ops.Value)] + [
        v for a in op.args if isinstance(a, tuple) for v in a if isinstance(v, ops.Value)]
    if not any(v.dtype.is_time() for v in values):
        return None
    if not isinstance(op, _ORDER_SAFE):
        return f"{type(op).__name__} of a time of day: not verified"
    if isinstance(op, _ALL_TIMES) and not all(v.dtype.is_time() or v.dtype.is_null()
                                              for v in values):
        return (f"{type(op).__name__} of a time of day with a value of another type: write "
                "the other side as ibis.time(...)")
    return None


def _interval_micros(node, sql) -> sge.Expression:
    # DuckDB adds an interval's time part to a time and ignores its days and months; only
    # hours, minutes and seconds are verified.  The interval's microseconds: the epoch plus it
    if node.dtype.unit.short not in _TIME_UNITS:
        raise ValueError(f"adding {node.dtype.unit.plural} to a time of day")
    epoch = cast(sge.Literal.string("1970-01-01 00:00:00"), "timestamp")
    return sge.Anonymous(this="unix_micros", expressions=[sge.Add(this=epoch, expression=atom(sql))])


class TimeRules:
    """``time()``, time arithmetic, extraction and construction on microseconds since midnight."""

    def visit_NonNullLiteral(self, op, *, value, dtype):
        # a time literal is its microseconds since midnight, as every time is here
        if dtype.is_time():
            return self._time_literal(value)
        return super().visit_NonNullLiteral(op, value=value, dtype=dtype)

    def visit_Time(self, op, *, arg):
        # ibis's Spark rule is ts - date_trunc('day', ts), an interval Spark cannot compare
        # with a time or pass to delta(): the microseconds since midnight instead
        return self.f.pmod(self.f.unix_micros(cast(arg, "timestamp")), sge.Literal.number(DAY))

    def _time_literal(self, value: _dt.time) -> sge.Expression:
        micros = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + \
            value.microsecond
        return cast(sge.Literal.number(micros), "bigint")

    def visit_TimeAdd(self, op, *, left, right):
        # DuckDB wraps around midnight (23:30 + 1 hour is 00:30; 00:30 - 90 minutes is 23:00)
        return self.f.pmod(sge.Add(this=atom(left), expression=_interval_micros(op.right, right)),
                           sge.Literal.number(DAY))

    def visit_TimeSub(self, op, *, left, right):
        # DuckDB wraps around midnight (see visit_TimeAdd)
        return self.f.pmod(sge.Sub(this=atom(left), expression=_interval_micros(op.right, right)),
                           sge.Literal.number(DAY))

    def visit_TimeDelta(self, op, *, part, left, right):
        # DuckDB's date_diff on times counts unit boundaries: the difference of the floors
        unit = op.part.value
        if unit not in _DELTA_MICROS:
            raise ValueError(f"delta() of times in {unit}s")
        size = sge.Literal.number(_DELTA_MICROS[unit])
        return sge.Sub(this=sge.paren(sge.IntDiv(this=atom(left), expression=size)),
                       expression=sge.paren(sge.IntDiv(this=atom(right), expression=size.copy())))

    def visit_TimeFromHMS(self, op, *, hours, minutes, seconds):
        # DuckDB's make_time accepts hours 0-24, minutes 0-59 and seconds 0-60 (23:59:60 is
        # 24:00:00), 24 only as 24:00:00, and fails on anything else
        h, m, s = cast(hours, "bigint"), cast(minutes, "bigint"), cast(seconds, "bigint")
        valid = sg.and_(h.between(0, 24), m.between(0, 59), s.between(0, 60), sg.not_(sg.and_(
            h.copy().eq(24), sg.or_(m.copy() > 0, s.copy() > 0))))
        micros = sge.Add(this=sge.Add(
            this=sge.Mul(this=h.copy(), expression=sge.Literal.number(3_600_000_000)),
            expression=sge.Mul(this=m.copy(), expression=sge.Literal.number(60_000_000))),
            expression=sge.Mul(this=s.copy(), expression=sge.Literal.number(1_000_000)))
        return sge.Case(ifs=[
            sge.If(this=sg.or_(hours.is_(NULL), minutes.is_(NULL), seconds.is_(NULL)),
                   true=NULL),
            sge.If(this=sg.not_(sge.paren(valid)), true=self.f.raise_error(sge.Literal.string(
                "time(): time out of range (the notebook's DuckDB raises)")))], default=micros)

    def visit_StringToTime(self, op, *, arg, format_str):
        # DuckDB's strptime, then the time of that timestamp (visit_StringToTimestamp)
        return self.f.pmod(self.f.nb2jvm_duckdb_strptime(
            arg, sge.Literal.string(op.format_str.value)), sge.Literal.number(DAY))

    def _of_time(self, op, arg, size: int, modulo: int | None):
        value = sge.paren(sge.IntDiv(this=atom(arg), expression=sge.Literal.number(size)))
        if modulo is not None:
            value = self.f.pmod(value, sge.Literal.number(modulo))
        return cast(value, "int")

    def visit_ExtractHour(self, op, *, arg):
        # a time is its microseconds since midnight (ibis's Spark rule reads a timestamp)
        if op.arg.dtype.is_time():
            return self._of_time(op, arg, 3_600_000_000, None)  # 24:00:00 is hour 24
        return super().visit_ExtractHour(op, arg=arg)

    def visit_ExtractMinute(self, op, *, arg):
        # a time is its microseconds since midnight (ibis's Spark rule reads a timestamp)
        if op.arg.dtype.is_time():
            return self._of_time(op, arg, 60_000_000, 60)
        return super().visit_ExtractMinute(op, arg=arg)

    def visit_ExtractSecond(self, op, *, arg):
        # a time is its microseconds since midnight; DuckDB's second() drops the fraction
        if op.arg.dtype.is_time():
            return self._of_time(op, arg, 1_000_000, 60)
        return super().visit_ExtractSecond(op, arg=arg)
