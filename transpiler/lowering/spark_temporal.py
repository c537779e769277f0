"""Calendar rules of nb2jvm's Spark compiler: `delta()` as DuckDB counts boundaries, quarter
intervals and epoch seconds as the notebook computes them (tests/test_calendar.py)."""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge

from .spark_sql import cast


# Spark's trunc() formats for the date units DuckDB's date_trunc takes (weeks start on Monday
# in both)
_DATE_TRUNC = {"Y": "YEAR", "Q": "QUARTER", "M": "MONTH", "W": "WEEK"}


class TemporalRules:
    """Dates and timestamps as DuckDB computes them (the session time zone is UTC)."""

    def visit_DateTruncate(self, op, *, arg, unit):
        # ibis's Spark rule is date_trunc(), which returns a timestamp; trunc() keeps the date
        if unit.short == "D":
            return arg
        if unit.short not in _DATE_TRUNC:
            raise ValueError(f"date truncation to {unit.singular}s")
        return self.f.trunc(arg, sge.Literal.string(_DATE_TRUNC[unit.short]))

    def visit_ExtractIsoYear(self, op, *, arg):
        # no Spark rule in ibis: the ISO year is the year of the week's Thursday
        monday = self.f.trunc(cast(arg, "date"), sge.Literal.string("WEEK"))
        return cast(self.f.year(self.f.date_add(monday, 3)), "int")

    def visit_ExtractMicrosecond(self, op, *, arg):
        # no Spark rule in ibis; ibis's DuckDB rule gives the microseconds within the second,
        # counted up from the second's start (before 1970 too)
        return cast(self.f.pmod(self.f.unix_micros(cast(arg, "timestamp")),
                                sge.Literal.number(1_000_000)), "int")

    def visit_TimestampFromYMDHMS(self, op, *, year, month, day, hours, minutes, seconds):
        # no Spark rule in ibis; both engines fail on an invalid date or time (ANSI)
        return self.f.make_timestamp(year, month, day, hours, minutes, seconds)

    def visit_FindInSet(self, op, *, needle, values):
        # DuckDB's rule (list_indexof, 0 when absent, NULL for a NULL needle) is Spark's
        # array_position
        return self.if_(needle.is_(sge.Null()), sge.Null(),
                        self.f.array_position(self.f.array(*values), needle))

    def visit_NonNullLiteral(self, op, *, value, dtype):
        # Spark has no QUARTER interval unit (it reads `INTERVAL '1' QUARTER` as an alias):
        # a quarter is three months in both engines
        if dtype.is_interval() and dtype.unit.short == "Q":
            return sge.Interval(this=sge.convert(str(int(value) * 3)), unit=sge.Var(this="MONTH"))
        return super().visit_NonNullLiteral(op, value=value, dtype=dtype)

    _MICROS = {"hour": 3_600_000_000, "minute": 60_000_000, "second": 1_000_000,
               "millisecond": 1_000, "microsecond": 1}

    def visit_TimestampDelta(self, op, *, part, left, right):
        # DuckDB's date_diff counts unit boundaries crossed (calendar days, months, ...); Spark's
        # datediff(unit, ...) counts whole elapsed units, so they differ by one whenever the
        # time of day (or day of month) goes backwards: measured one day apart for timestamps
        # before 1970.  Boundaries, as DuckDB counts them (measured on 3000 random pairs per
        # unit over years 1..9999): the difference of floor(epoch / unit) for hours and
        # smaller, of calendar dates for days, days truncated towards zero for weeks, of
        # year * 12 + month for months, year * 4 + quarter for quarters, and of years.
        unit = op.part.value
        if unit in ("day", "week"):
            days = sge.Sub(this=self._epoch_days(op.left, left),
                           expression=self._epoch_days(op.right, right))
            if unit == "day":
                return cast(days, "bigint")
            return cast(sge.IntDiv(this=sge.paren(days), expression=sge.Literal.number(7)),
                         "bigint")
        if unit in self._MICROS:
            size = sge.Literal.number(self._MICROS[unit])
            ticks = [self._epoch_micros(node, sql) for node, sql in ((op.left, left),
                                                                   (op.right, right))]
            # floor division of longs: x - pmod(x, u) is an exact multiple of u
            floors = [sge.IntDiv(this=sge.paren(sge.Sub(this=t, expression=self.f.pmod(
                t.copy(), size))), expression=size.copy()) for t in ticks]
            return sge.Sub(this=floors[0], expression=floors[1])
        months = {"year": (1, self.f.year), "quarter": (4, self.f.quarter),
                  "month": (12, self.f.month)}[unit]
        per_year, field = months

        def index(x):
            year = sge.Mul(this=cast(self.f.year(x), "bigint"),
                           expression=sge.Literal.number(per_year))
            return year if unit == "year" else sge.paren(sge.Add(this=year,
                                                                   expression=field(x.copy())))

        return sge.paren(sge.Sub(this=index(left), expression=index(right)))

    visit_DateDelta = visit_TimestampDelta

    def _epoch_days(self, node, sql):
        return self.f.unix_date(sql if node.dtype.is_date() else cast(sql, "date"))

    def _epoch_micros(self, node, sql):
        if node.dtype.is_date():
            return sge.Mul(this=cast(self.f.unix_date(sql), "bigint"),
                           expression=sge.Literal.number(86_400_000_000))
        return self.f.unix_micros(cast(sql, "timestamp"))

    def visit_ExtractEpochSeconds(self, op, *, arg):
        # DuckDB's epoch() is a double with the fraction; ibis types the result int32 and its
        # conversion fails on a fraction or outside int32 (1901-2038), so the notebook computes
        # only whole seconds in that range.  Spark's unix_timestamp() would floor and widen.
        micros = self.f.unix_micros(cast(arg, "timestamp"))
        seconds = self.f.unix_seconds(cast(arg.copy(), "timestamp"))
        fails = sg.or_(self.f.pmod(micros, sge.Literal.number(1_000_000)).neq(0),
                       seconds < sge.Literal.number(-(2 ** 31)),
                       seconds.copy() > sge.Literal.number(2 ** 31 - 1))
        return self.if_(fails, self.f.raise_error(sge.Literal.string(
            "epoch_seconds(): not a whole number of seconds within int32 (the notebook's ibis "
            "conversion raises)")), cast(seconds.copy(), "int"))
