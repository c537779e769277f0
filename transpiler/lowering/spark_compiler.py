"""nb2jvm's Spark SQL compiler: ibis's PySpark compiler with the notebook's semantics.

Each override is one measured divergence between ibis-on-DuckDB (the notebook) and ibis's own
PySpark lowering; the differential table in tests/test_differential.py shows each one.  Rules
are grouped by kind in ``RULES`` (text, numeric, temporal, aggregate modules); the ones here are
relational (joins, as-of joins, memtables, unnest), operand types, IEEE division and NULL/NaN
tests.
"""

from __future__ import annotations

import sqlglot as sg
import sqlglot.expressions as sge
import ibis.common.exceptions as com
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
from ibis.backends.sql.compilers.pyspark import PySparkCompiler, offset_to_filter

from ..common import escape
from .spark_aggregates import AggregateRules
from .spark_collections import CollectionRules
from .spark_json import JsonRules
from .spark_numeric import INT_ARITH, NumericRules, duckdb_type, int_literal, narrow
from .spark_sql import NULL, atom, cast, double
from .spark_stats import StatisticsRules
from .spark_temporal import TemporalRules
from .spark_time import TimeRules
from .spark_text import TextRules

RULES = (JsonRules, TextRules, NumericRules, TimeRules, TemporalRules, CollectionRules,
         AggregateRules, StatisticsRules)  # in nb2jvm's other modules




class Nb2jvmSparkCompiler(*RULES, PySparkCompiler):
    """Spark SQL that computes what the notebook computes."""

    # ibis replaces the rule of an op it lists as unsupported in every subclass: the ops that
    # nb2jvm's rules lower come off the list
    UNSUPPORTED_OPS = tuple(op for op in PySparkCompiler.UNSUPPORTED_OPS
                            if op not in (ops.TimestampBucket, ops.StringToTime, ops.Kurtosis))

    # ibis's Spark rewrite of limit(n, offset=k) numbers the rows with ROW_NUMBER() OVER
    # (ORDER BY NULL), whose order Spark does not tie to the sorted input, and leaves the
    # number as an extra output column; Spark 4 has LIMIT ... OFFSET itself
    rewrites = tuple(r for r in PySparkCompiler.rewrites if r is not offset_to_filter)

    def visit_node(self, op, **kw):
        # Operand types as DuckDB has them, before the op's own rule (see _operand_types)
        if isinstance(op, ops.Value) and not isinstance(op, (ops.Cast, ops.Literal)):
            self._operand_types(op, kw)
        return super().visit_node(op, **kw)

    def _operand_types(self, op, kw) -> None:
        # Spark in ANSI mode widens float32 with an integer to double; DuckDB computes in float32
        # (0.1f - 2 is -1.899999976 there, -1.8999999985 on Spark): integer operands become
        # FLOAT.  An integer literal next to an int8/int16 is that narrow type in DuckDB (so
        # `i8 * 3` overflows at -128 * 3) and an INT on Spark: it is cast to the narrow type.
        args = [(name, node) for name, node in zip(op.argnames, op.args)
                if isinstance(node, ops.Value) and name in kw]
        if any(node.dtype.is_float32() for _, node in args):
            for name, node in args:
                if node.dtype.is_integer():
                    kw[name] = cast(kw[name], "float")
        if isinstance(op, INT_ARITH):
            for name, node in args:
                other = op.right if node is op.left else op.left
                small = narrow(duckdb_type(other))
                value = int_literal(node)
                if value is not None and int_literal(other) is None and small \
                        and small[1] <= value <= small[2]:
                    kw[name] = cast(kw[name], small[0])

    def visit_ScalarUDF(self, op, **kw):
        # ibis names Python UDFs after a memory address; nb2jvm's compiled UDFs are registered
        # under a stable name.  Java UDFs get no input coercion from Spark, so each argument
        # is cast to the declared type (an int32 column passed to an int parameter, say).
        from ..udf.udfsig import to_dtype

        source = op.__func__.__nb2jvm__
        args = []
        for arg, (_, t) in zip(kw.values(), source.fn.params):
            dtype = to_dtype(t)
            arg = cast(arg, self.type_mapper.from_ibis(dtype).sql("spark"))
            # Dates and timestamps cross into the JVM as days / microseconds since the epoch
            # (exact under the UTC session time zone the runtime enforces), not as
            # java.sql.Date/Timestamp, which depend on the JVM's default zone and calendar.
            if dtype.is_date():
                arg = cast(self.f.unix_date(arg), "bigint")
            elif dtype.is_timestamp():
                arg = self.f.unix_micros(cast(arg, "timestamp"))
            args.append(arg)
        call = self.f[source.sql_name](*args)
        returns = to_dtype(source.fn.returns)
        if returns.is_date():
            return self.f.date_from_unix_date(cast(call, "int"))
        if returns.is_timestamp():
            return cast(self.f.timestamp_micros(call),
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
        types = (op.left.dtype, op.right.dtype)
        if any(t.is_float32() for t in types) and all(t.is_float32() or t.is_integer()
                                                      for t in types):
            # DuckDB divides float32 in single precision; Spark's `/` is a double division,
            # which rounded to float is the same correctly rounded quotient
            return cast(self.visit_Divide(op.copy(left=ops.Cast(op.left, dt.float64),
                                                   right=ops.Cast(op.right, dt.float64)),
                                           left=cast(left, "double"),
                                           right=cast(right, "double")), "float")
        if op.dtype.is_floating():
            left, right = (cast(x, "double") if node.dtype.is_decimal() or (
                node.dtype.is_floating() and not isinstance(node, (ops.Field, ops.Cast))) else x
                for x, node in ((left, op.left), (right, op.right)))
        left, right = atom(left), atom(right)
        divisor = op.right
        if isinstance(divisor, ops.Literal) and divisor.value not in (0, None):
            return sge.Div(this=left, expression=right)
        positive_zero = sge.paren(sg.not_(cast(right, "string").like(sge.Literal.string("-%"))))
        by_zero = self.if_(
            left.is_(NULL), NULL,
            self.if_(self.f.isnan(cast(left, "double")) | left.eq(sge.Literal.number(0)), double("NaN"),
                     self.if_(sge.EQ(this=sge.paren(sge.GT(this=left,
                                                          expression=sge.Literal.number(0))),
                                     expression=positive_zero), double("Infinity"),
                              double("-Infinity"))))
        return self.if_(right.eq(sge.Literal.number(0)), by_zero,
                        sge.Div(this=left, expression=right))

    def visit_TableUnnest(self, op, **kw):
        # ibis's lowering (LATERAL VIEW [pos]explode[_outer], which drops or keeps NULL and
        # empty arrays as DuckDB's UNNEST does) names its column at random; the SQL must be
        # the same on every run, so the name is derived from the column's
        stable = f"__nb2jvm_unnest_{kw['column_name']}"

        def rename(node):
            if isinstance(node, sge.Identifier) and node.name.startswith("ibis_table_unnest"):
                return sg.to_identifier(stable, quoted=node.quoted)
            return node

        return super().visit_TableUnnest(op, **kw).transform(rename)

    def visit_InMemoryTable(self, op, *, name, schema, data):
        # an ibis.memtable in the notebook: its rows are written into the SQL as VALUES (the
        # JVM has no table of that name); the values are those DuckDB reads (NaN in a pandas
        # float column is NULL there), each cast to its column's type
        table = data.to_pyarrow(schema)
        columns = list(schema.items())
        types = [self.type_mapper.from_ibis(t) for _, t in columns]

        def value(v, dtype, spark_type):
            if v is None:
                return cast(NULL, spark_type.sql("spark"))
            return sge.Cast(this=self.visit_Literal(ops.Literal(v, dtype), value=v, dtype=dtype),
                            to=spark_type.copy())

        rows = [sge.Tuple(expressions=[value(v, t, st) for v, (_, t), st in
                                       zip(row.values(), columns, types)])
                for row in table.to_pylist()]
        names = [sg.to_identifier(f"c{i}") for i in range(len(columns))]
        select = [cast(sge.column(n.copy()), st.sql("spark")).as_(c, quoted=True)
                  for n, (c, _), st in zip(names, columns, types)]
        # VALUES needs a row: an empty table is one row of NULLs, filtered out
        empty = not rows
        rows = rows or [sge.Tuple(expressions=[cast(NULL, st.sql("spark")) for st in types])]
        values = sg.select(*select).from_(sge.Values(expressions=rows, alias=sge.TableAlias(
            this=sg.to_identifier("v"), columns=names)))
        return values.where(sge.false()) if empty else values

    def visit_InSubquery(self, op, *, rel, needle):
        # SQL's IN is three-valued: NULL when the value is NULL (and the subquery has rows), or
        # when it is not found and the subquery holds a NULL.  DuckDB answers so everywhere;
        # Spark does in a filter but gives false for a NULL value in a projection (measured),
        # so the answer is spelled out with the subquery's row and NULL counts
        found = super().visit_InSubquery(op, rel=rel, needle=needle)
        query = found.args["query"]
        inner = sg.column(op.rel.schema.names[0], table="nb2jvm_in", quoted=self.quoted)
        stats = [sge.Subquery(this=sg.select(self.f.count(sge.Star())).from_(
                     query.this.copy().subquery("nb2jvm_in", copy=False)).where(condition))
                 for condition in (None, inner.is_(NULL))]
        empty = stats[0].eq(sge.Literal.number(0))
        has_null = stats[1] > sge.Literal.number(0)
        return sge.Case(ifs=[
            sge.If(this=empty, true=sge.false()),
            sge.If(this=needle.copy().is_(NULL), true=cast(NULL, "boolean")),
            sge.If(this=found, true=sge.true()),
            sge.If(this=has_null, true=cast(NULL, "boolean"))], default=sge.false())

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
        return self.if_(arg.is_(NULL), NULL, self.f.abs(arg).eq(double("Infinity")))

    # ibis's __init_subclass__ turns every SIMPLE_OPS entry into a visit_ method of the
    # subclass, replacing a rule written above with the same name (visit_Log10 was): keep ours
    SIMPLE_OPS = dict(filter(lambda item, ours=frozenset(locals()).union(*map(vars, RULES)):
                             f"visit_{item[0].__name__}" not in ours,
                             PySparkCompiler.SIMPLE_OPS.items()))


class SparkDialect(PySparkCompiler.dialect):
    """ibis's Spark dialect, writing string literals the way Spark's parser reads them."""


# sqlglot's escapes \a \f \v are letters to Spark (common/escape.py says why)
SparkDialect.ESCAPED_SEQUENCES = dict(escape.SPARK_SQL_ESCAPES)

compiler = Nb2jvmSparkCompiler()
