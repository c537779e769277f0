"""Calendar rules of nb2jvm's Spark compiler: `delta()` as DuckDB counts boundaries, quarter
intervals and epoch seconds as the notebook computes them (tests/test_calendar.py)."""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge
import ibis.expr.operations as ops

from .spark_sql import atom, cast


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

    def visit_Strftime(self, op, *, arg, format_str):
        # Spark's date_format patterns (ibis's Spark rule) have no %-d, %U, %W, %j or ISO weeks
        # as C and DuckDB count them: the runtime formats with DuckDB's directives
        # (DuckDbStrftime.java) from the timestamp's microseconds
        return self.f.nb2jvm_duckdb_strftime(self.f.unix_micros(cast(arg, "timestamp")),
                                             format_str)

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

    # make_interval(years, months, weeks, days, hours, mins, secs): the argument's position, and
    # the multiple of that unit (a quarter is three months)
    _MAKE_INTERVAL = {"Y": (0, 1), "Q": (1, 3), "M": (1, 1), "W": (2, 1), "D": (3, 1),
                      "h": (4, 1), "m": (5, 1), "s": (6, 1)}

    def visit_IntervalFromInteger(self, op, *, arg, unit):
        # ibis's Spark rule casts the text '<n> <units>' to an interval, which is NULL for a
        # unit Spark does not spell (quarters) where DuckDB's to_quarters() counts three months;
        # make_interval() takes int32 fields and fails beyond them (ANSI), as DuckDB's int32
        # months and days do
        if unit.short not in self._MAKE_INTERVAL:
            raise ValueError(f"an interval in {unit.plural}")
        position, multiple = self._MAKE_INTERVAL[unit.short]
        value = cast(arg, "int")
        if multiple != 1:
            value = sge.Mul(this=value, expression=sge.Literal.number(multiple))
        if unit.short == "s":
            value = cast(arg.copy(), "decimal(18, 6)")
        fields = [sge.Literal.number(0)] * position + [value]
        return self.f.make_interval(*fields)

    def _calendar(self, node, sql):
        # Spark cannot add its ANSI literal intervals (`INTERVAL '1' SECOND`) to the calendar
        # intervals make_interval() builds: in interval arithmetic a literal becomes one too
        if isinstance(node, ops.Literal) and node.dtype.unit.short in self._MAKE_INTERVAL:
            return self.visit_IntervalFromInteger(node, arg=sge.Literal.number(node.value),
                                                  unit=node.dtype.unit)
        return sql

    def visit_IntervalAdd(self, op, *, left, right):
        # Spark cannot add its ANSI literal intervals to make_interval()'s calendar ones:
        # both sides as calendar intervals (months, days and microseconds, as DuckDB's)
        return sge.Add(this=atom(self._calendar(op.left, left)),
                       expression=atom(self._calendar(op.right, right)))

    def visit_IntervalSubtract(self, op, *, left, right):
        # as visit_IntervalAdd: both sides as calendar intervals
        return sge.Sub(this=atom(self._calendar(op.left, left)),
                       expression=atom(self._calendar(op.right, right)))

    def visit_IntervalMultiply(self, op, *, left, right):
        # as visit_IntervalAdd; each field is multiplied and fails beyond int32 (ANSI), as
        # DuckDB's
        return sge.Mul(this=atom(self._calendar(op.left, left)), expression=atom(right))

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

    _BUCKET_MICROS = {"W": 7 * 86_400_000_000, "D": 86_400_000_000, "h": 3_600_000_000,
                      "m": 60_000_000, "s": 1_000_000, "ms": 1_000, "us": 1}
    _BUCKET_MONTHS = {"M": 1, "Q": 3, "Y": 12}

    def visit_TimestampBucket(self, op, *, arg, interval, offset):
        # No Spark rule in ibis.  ibis's DuckDB rule is time_bucket(width, ts, epoch + offset):
        # for a fixed width, the origin plus a whole number of widths at or below ts (floor,
        # before 1970 too); for months, quarters and years, whole months counted from
        # 1970-01-01
        width, start = op.interval, op.offset
        if not isinstance(width, ops.Literal) or start is not None and not isinstance(
                start, ops.Literal):
            raise ValueError("bucket() with a width or offset that is not a constant")
        unit, count = width.dtype.unit.short, int(width.value)
        if count <= 0:
            raise ValueError("bucket() with a width that is not positive")
        if unit in self._BUCKET_MONTHS:
            if start is not None:
                raise ValueError("bucket() by months with an offset")
            months = sge.Add(this=sge.Mul(
                this=sge.paren(sge.Sub(this=cast(self.f.year(arg), "bigint"),
                                       expression=sge.Literal.number(1970))),
                expression=sge.Literal.number(12)), expression=sge.Sub(
                this=self.f.month(arg.copy()), expression=sge.Literal.number(1)))
            size = sge.Literal.number(count * self._BUCKET_MONTHS[unit])
            floor = sge.Sub(this=sge.paren(months), expression=self.f.pmod(
                sge.paren(months.copy()), size))
            return cast(self.f.add_months(cast(sge.Literal.string("1970-01-01"), "date"),
                                          cast(floor, "int")), "timestamp")
        if unit not in self._BUCKET_MICROS:
            raise ValueError(f"bucket() by {width.dtype.unit.plural}")
        size = sge.Literal.number(count * self._BUCKET_MICROS[unit])
        origin = 0
        if start is not None:
            origin_unit = start.dtype.unit.short
            if origin_unit not in self._BUCKET_MICROS:
                raise ValueError(f"bucket() with an offset in {start.dtype.unit.plural}")
            origin = int(start.value) * self._BUCKET_MICROS[origin_unit]
        micros = self.f.unix_micros(cast(arg, "timestamp"))
        since = sge.Sub(this=micros, expression=sge.Literal.number(origin)) if origin else micros
        return self.f.timestamp_micros(sge.Sub(this=micros.copy(), expression=self.f.pmod(
            sge.paren(since.copy()), size)))

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
