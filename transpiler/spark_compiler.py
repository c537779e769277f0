"""nb2jvm's Spark SQL compiler: ibis's PySpark compiler with the notebook's semantics.

Each override is one measured divergence between ibis-on-DuckDB (the notebook) and ibis's own
PySpark lowering; the differential table in tests/test_differential.py shows each one.
"""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge
import ibis.common.exceptions as com
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

    _ASOF_FLIP = {ops.GreaterEqual: ops.LessEqual, ops.Greater: ops.Less,
                  ops.LessEqual: ops.GreaterEqual, ops.Less: ops.Greater}

    def visit_JoinLink(self, op, *, how, table, predicates):
        # every join kind as ibis lowers it, except as-of joins (see _asof_link)
        if how != "asof":
            return super().visit_JoinLink(op, how=how, table=table, predicates=predicates)
        return self._asof_link(op, table, predicates)

    def _asof_link(self, op, table, predicates):
        # Spark has no ASOF join (ibis refuses it).  DuckDB's `ASOF LEFT JOIN r ON l.t >= r.t
        # AND l.k = r.k` matches each left row with the right row of the same keys whose `t` is
        # the greatest not above `l.t`.  The same as a plain LEFT JOIN: give each right row the
        # interval of `l.t` values it wins, [r.t, next r.t of its keys), and join on it.  NULL
        # `t` values follow DuckDB's sort-based ASOF operator (measured, DuckDB 1.4): a NULL sorts
        # last in the scan order (greatest for >= and >, smallest for <= and <) and equals NULL;
        # for 64 left rows or fewer DuckDB plans a loop join where a NULL matches nothing, so
        # verify reports NULL `on` values on the left as non-deterministic.  Of right rows that
        # tie on (keys, t) DuckDB keeps an arbitrary one, here one chosen by all columns.
        on, *equal = op.predicates
        right = op.table

        def is_right(node):
            return isinstance(node, ops.Field) and node.rel == right

        def uses_right(node):
            return any(f.rel == right for f in node.find(ops.Field))

        on_sql = predicates[0]
        if is_right(on.right) and not uses_right(on.left):
            kind, right_on, left_sql = type(on), on.right, on_sql.this
        elif is_right(on.left) and not uses_right(on.right):
            kind, right_on, left_sql = self._ASOF_FLIP[type(on)], on.left, on_sql.expression
        else:
            raise com.UnsupportedOperationError(
                "as-of join: `on` must compare a column of the right table with an expression of "
                "the left one")
        keys = []
        for pred in equal:
            sides = [s for s in (pred.left, pred.right) if is_right(s)]
            others = [s for s in (pred.left, pred.right) if not uses_right(s)]
            if not isinstance(pred, ops.Equals) or len(sides) != 1 or len(others) != 1:
                raise com.UnsupportedOperationError(
                    "as-of join: `predicates` must be equalities between a column of the right "
                    "table and an expression of the left one")
            keys.append(sides[0].name)
        alias = table.alias_or_name
        t = sg.column(sg.to_identifier(right_on.name, quoted=True))
        partition = [sg.column(k, quoted=True) for k in keys]
        columns = [sg.column(name, quoted=True) for name in right.schema.names]
        ascending = kind in (ops.GreaterEqual, ops.Greater)
        ranked = sg.select(sge.Star(), sge.Window(
            this=sge.RowNumber(), partition_by=[*partition, t.copy()],
            order=sge.Order(expressions=[sge.Ordered(this=c, nulls_first=True)
                                         for c in columns])).as_("__nb2jvm_rn")) \
            .from_(table.copy())
        scan = sge.Order(expressions=[sge.Ordered(this=t.copy(), desc=not ascending,
                                                  nulls_first=False)])
        derived = sg.select(
            sge.Star(),
            sge.alias_(sge.Window(this=sge.Lead(this=t.copy()), partition_by=partition,
                                  order=scan), "__nb2jvm_next", quoted=True),
            sge.alias_(sge.Window(this=sge.Lead(this=sge.true()), partition_by=partition,
                                  order=scan.copy()), "__nb2jvm_has_next", quoted=True)) \
            .from_(ranked.subquery(alias)).where(
                sg.column("__nb2jvm_rn", quoted=True).eq(sge.Literal.number(1)))

        def before(a, b, strict):
            # a comes before b (or equals it, unless strict) in the scan order, NULL last
            op = (sge.LT if strict else sge.LTE) if ascending else (sge.GT if strict else sge.GTE)
            cmp = op(this=a.copy(), expression=b.copy())
            if strict:
                return sg.and_(sg.not_(a.is_(NULL)), sge.paren(sg.or_(b.is_(NULL), cmp)))
            return sg.or_(b.is_(NULL), sge.paren(sg.and_(sg.not_(a.is_(NULL)), cmp)))

        r_t = sg.column(sg.to_identifier(right_on.name, quoted=True), table=alias, quoted=True)
        nxt = sg.column("__nb2jvm_next", table=alias, quoted=True)
        has_next = sg.column("__nb2jvm_has_next", table=alias, quoted=True)
        strict = kind in (ops.Greater, ops.Less)
        reached = before(r_t, left_sql.copy(), strict)  # r.t at or before l.t
        not_passed = before(left_sql.copy(), nxt, not strict)  # l.t before the next r.t
        on_all = sg.and_(*predicates[1:], sge.paren(reached),
                         sge.paren(sg.or_(has_next.is_(NULL), sge.paren(not_passed))))
        return sge.Join(this=derived.subquery(alias), side="left", on=on_all)

    def visit_Divide(self, op, *, left, right):
        # DuckDB divides floats by IEEE rules: x / ±0 is ±inf, or NaN for 0/0 and NaN/0.  Spark
        # in ANSI mode raises DIVIDE_BY_ZERO instead, so the zero divisor is handled here; the
        # sign of a zero divisor is only visible in its text form ('-0.0').  A float literal is a
        # DECIMAL in both engines' SQL, but DuckDB divides decimals as doubles where Spark keeps
        # decimal arithmetic (scale 6: 1 / (1 / -2.25) is -2.25000225), so both operands of a
        # float division are doubles first.
        if op.dtype.is_floating():
            left, right = (_cast(x, "double") if node.dtype.is_decimal() or (
                node.dtype.is_floating() and not isinstance(node, ops.Field)) else x
                for x, node in ((left, op.left), (right, op.right)))
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

    def visit_Uppercase(self, op, *, arg):
        # Spark's upper() is Java's full mapping ('ß' -> 'SS'); DuckDB maps one code point at a
        # time ('ß' -> 'ẞ'): the runtime's function with DuckDB's own table (DuckDbCase.java)
        return self.f.nb2jvm_duckdb_upper(arg)

    def visit_Lowercase(self, op, *, arg):
        # Spark's lower() is context-sensitive (final 'Σ' -> 'ς', 'İ' -> 'i̇'); DuckDB's is per
        # code point ('Σ' -> 'σ', 'İ' -> 'i'): the runtime's function with DuckDB's table
        return self.f.nb2jvm_duckdb_lower(arg)

    def visit_IsNull(self, op, *, arg):
        # ibis's PySpark compiler counts NaN as NULL in isnull(); DuckDB does not.
        return arg.is_(NULL)

    def visit_NotNull(self, op, *, arg):
        # the negation of IsNull: a NaN is not NULL (ibis's PySpark compiler says it is)
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
