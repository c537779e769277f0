"""nb2jvm's Spark SQL compiler: ibis's PySpark compiler with the notebook's semantics.

Each override is one measured divergence between ibis-on-DuckDB (the notebook) and ibis's own
PySpark lowering; the differential table in tests/test_differential.py shows each one.
"""

from __future__ import annotations

import functools

import sqlglot as sg
import sqlglot.expressions as sge
import ibis.common.exceptions as com
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from .regex import quote, check_rewrite, to_java

NULL = sge.Null()


def _cast(expr: sge.Expression, to: str) -> sge.Expression:
    return sge.Cast(this=expr, to=sge.DataType.build(to))


def _atom(expr: sge.Expression) -> sge.Expression:
    """Parenthesise a compound operand so that it stays one operand when embedded."""
    simple = (sge.Column, sge.Literal, sge.Cast, sge.Func, sge.Paren, sge.Null)
    return expr if isinstance(expr, simple) else sge.paren(expr)


def _double(text: str) -> sge.Expression:
    return _cast(sge.Literal.string(text), "double")


# Integer arithmetic where DuckDB's integer literals take the other operand's narrow type.
_INT_ARITH = (ops.Add, ops.Subtract, ops.Multiply, ops.FloorDivide, ops.Modulus)
_NARROW = {dt.int8: ("tinyint", -(2 ** 7), 2 ** 7 - 1), dt.int16: ("smallint", -(2 ** 15),
                                                                     2 ** 15 - 1)}


def _narrow(dtype) -> tuple | None:
    return _NARROW.get(dtype.copy(nullable=True))


def _int_literal(node) -> int | None:
    if isinstance(node, ops.Literal) and node.dtype.is_integer() and node.value is not None:
        return node.value
    return None


@functools.lru_cache(maxsize=4096)
def duckdb_type(node: ops.Value) -> dt.DataType:
    """The type DuckDB computes ``node`` in, where it is narrower than ibis's: an integer
    literal that fits the other operand's int8/int16 takes that type (`i8 * 3` is a TINYINT
    and overflows at -128 * 3), and so does the result."""
    if isinstance(node, ops.Negate):
        return duckdb_type(node.arg)
    if isinstance(node, _INT_ARITH):
        left, right = node.left, node.right
        types = [duckdb_type(left), duckdb_type(right)]
        for lit, other, t in ((left, right, types[1]), (right, left, types[0])):
            value = _int_literal(lit)
            if value is not None and _int_literal(other) is None and _narrow(t) \
                    and _narrow(t)[1] <= value <= _narrow(t)[2]:
                return t
        if all(_narrow(t) for t in types):
            return max(types, key=lambda t: _narrow(t)[2])
    return node.dtype


class Nb2jvmSparkCompiler(PySparkCompiler):
    """Spark SQL that computes what the notebook computes."""

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
                    kw[name] = _cast(kw[name], "float")
        if isinstance(op, _INT_ARITH):
            for name, node in args:
                other = op.right if node is op.left else op.left
                narrow = _narrow(duckdb_type(other))
                value = _int_literal(node)
                if value is not None and _int_literal(other) is None and narrow \
                        and narrow[1] <= value <= narrow[2]:
                    kw[name] = _cast(kw[name], narrow[0])

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
        types = (op.left.dtype, op.right.dtype)
        if any(t.is_float32() for t in types) and all(t.is_float32() or t.is_integer()
                                                      for t in types):
            # DuckDB divides float32 in single precision; Spark's `/` is a double division,
            # which rounded to float is the same correctly rounded quotient
            return _cast(self.visit_Divide(op.copy(left=ops.Cast(op.left, dt.float64),
                                                   right=ops.Cast(op.right, dt.float64)),
                                           left=_cast(left, "double"),
                                           right=_cast(right, "double")), "float")
        if op.dtype.is_floating():
            left, right = (_cast(x, "double") if node.dtype.is_decimal() or (
                node.dtype.is_floating() and not isinstance(node, (ops.Field, ops.Cast))) else x
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

    def visit_RegexSearch(self, op, *, arg, pattern):
        # DuckDB's regexes are RE2, Spark's java.util.regex: the pattern is translated so that it
        # matches the same strings (`.`, `$`, `\s`, `\b`, POSIX classes differ; transpiler/regex.py)
        return self.f.regexp_like(arg, self._java_regex(op.pattern))

    def visit_RegexExtract(self, op, *, arg, pattern, index):
        # the RE2 pattern translated to Java (see visit_RegexSearch)
        return self.f.regexp_extract(arg, self._java_regex(op.pattern), index)

    def visit_RegexReplace(self, op, *, arg, pattern, replacement):
        # Spark's regexp_replace loops with Java's Matcher.find(), which replaces an empty match
        # right after the previous match (RE2 does not) and can step into the middle of a
        # character; its replacement syntax differs too ($1 vs \1): the runtime's RE2 loop
        # (Re2Replace.java) on the translated pattern, with the replacement as written
        java = to_java(op.pattern.value)
        check_rewrite(op.replacement.value, java.groups)
        return self.f.nb2jvm_re2_replace(arg, sge.Literal.string(java.pattern), replacement)

    def visit_RegexSplit(self, op, *, arg, pattern):
        # DuckDB splits by searching each rest of the string as a text of its own (anchors at
        # its start) and cuts one character off at an empty match; Spark's split follows Java's
        # String.split: the runtime's loop (Re2Split.java) on the translated pattern
        return self.f.nb2jvm_re2_split(arg, self._java_regex(op.pattern))

    def visit_StringSplit(self, op, *, arg, delimiter):
        # DuckDB splits on the delimiter's text; Spark's split() takes a regex: quote it
        return self.f.split(arg, sge.Literal.string(quote(op.delimiter.value)), -1)

    @staticmethod
    def _java_regex(pattern: ops.Literal) -> sge.Expression:
        return sge.Literal.string(to_java(pattern.value).pattern)

    def visit_Round(self, op, *, arg, digits):
        # Spark rounds the double's shortest decimal text half-up (round(2.675, 2) is 2.68);
        # DuckDB rounds in binary (2.67) and treats non-finite steps its own way: the runtime's
        # function (DuckDbRound.java) with the scale DuckDB computes, the C library's
        # pow(10, |n|) (not always the nearest double to 10^n: n = 23), taken from Python's pow.
        n = op.digits.value if op.digits is not None else 0
        x = _cast(arg, "double")
        if op.dtype.is_integer():
            return self.f.nb2jvm_duckdb_round_int(x)
        scale = repr(10.0 ** abs(n)) if abs(n) < 309 else "Infinity"
        return self.f.nb2jvm_duckdb_round(x, _double(scale), sge.Boolean(this=n < 0))

    # DuckDB raises outside a function's domain where Spark returns NaN (sqrt) or NULL (logs):
    # the same error is raised on Spark.  Inside the domain both are the C/Java math functions.
    _DOMAIN = {ops.Sqrt: ("sqrt", sge.LT, "cannot take square root of a negative number"),
               ops.Ln: ("ln", sge.LTE, "cannot take logarithm of zero or a negative number"),
               ops.Log10: ("log10", sge.LTE, "cannot take logarithm of zero or a negative number"),
               ops.Log2: ("log2", sge.LTE, "cannot take logarithm of zero or a negative number")}

    def _domain_checked(self, op, *, arg):
        # outside the domain DuckDB raises (Out of Range Error); Spark returns NaN or NULL
        name, outside, message = self._DOMAIN[type(op)]
        x = _atom(arg)
        return self.if_(outside(this=x, expression=sge.Literal.number(0)),
                        self.f.raise_error(sge.Literal.string(f"{name}(): {message} (the "
                                                              "notebook's DuckDB raises)")),
                        self.f[name](x.copy()))

    visit_Sqrt = visit_Ln = visit_Log10 = visit_Log2 = _domain_checked

    def visit_Log(self, op, *, arg, base):
        # DuckDB computes log(x, b) as ln(x) / ln(b): both logs raise outside their domain and
        # the quotient follows IEEE rules (b = 1 divides by zero), as visit_Divide does
        lns = ops.Ln(op.arg), ops.Ln(op.base)
        return self.visit_Divide(ops.Divide(*lns), left=self._domain_checked(lns[0], arg=arg),
                                 right=self._domain_checked(lns[1], arg=base))

    def _whole_checked(self, op, *, arg):
        # floor()/ceil() of a float are int64 in ibis: DuckDB casts and raises on NaN, ±inf and
        # beyond int64, where Spark's floor()/ceil() to BIGINT clamp (NaN becomes 0)
        x = _atom(_cast(arg, "double"))
        in_range = sg.and_(x >= _double("-9.223372036854775808E18"),
                           x.copy() < _double("9.223372036854775807E18"))
        name = "floor" if isinstance(op, ops.Floor) else "ceil"
        if not op.arg.dtype.is_floating():
            return super().visit_Floor(op, arg=arg) if isinstance(op, ops.Floor) else \
                super().visit_Ceil(op, arg=arg)
        return self.if_(sg.not_(sge.paren(in_range)), self.f.raise_error(sge.Literal.string(
            f"{name}(): the value is not a finite int64 (the notebook's DuckDB raises a "
            "Conversion Error)")), _cast(self.f[name](x.copy()), "bigint"))

    visit_Floor = visit_Ceil = _whole_checked

    def _moment(self, op, *, arg, how, where):
        # DuckDB raises "out of range" when a std/var result is not finite (an infinite or NaN
        # input, or an overflowing sum of squares) and returns 0.0 (population) or NULL (sample)
        # for one value whatever it is, NaN included; Spark returns NaN or inf.  So: count 1 gives
        # DuckDB's answer, a non-finite result raises, anything else is Spark's (the same to
        # rounding: Welford's update in DuckDB, merged central moments in Spark).
        kind = "pop" if how == "pop" else "samp"
        name = ("stddev" if isinstance(op, ops.StandardDev) else "var") + "_" + kind
        if op.arg.dtype.is_boolean():
            arg = _cast(arg, "int")
        value = self.agg[name](arg, where=where)
        count = self.agg.count(arg.copy(), where=where.copy() if where is not None else None)
        for aggregate in (value, count):
            aggregate.meta["nb2jvm_aggregate"] = True
        label = name.upper().replace("VAR_", "VAR")
        composite = sge.Case(ifs=[
            sge.If(this=count.eq(sge.Literal.number(1)),
                   true=_double("0.0") if kind == "pop" else _cast(NULL, "double")),
            sge.If(this=self.f.isnan(value) | self.f.abs(value.copy()).eq(_double("Infinity")),
                   true=self.f.raise_error(sge.Literal.string(
                       f"{label} is out of range (the notebook's DuckDB raises)")))],
            default=value.copy())
        composite.meta["nb2jvm_composite"] = True
        return composite

    visit_StandardDev = visit_Variance = _moment

    def _ordered_values(self, op, arg, where, order_by, include_null):
        # DuckDB aggregates in the ORDER BY of first/last/array_agg; Spark has no ordered
        # aggregate (ibis refuses them): collect (keys, value) structs, sort them with a
        # comparator that has DuckDB's order (NULL keys last unless nulls_first, NaN greatest,
        # strings by code point), and read the first, the last or all values
        keys = [sort.this for sort in order_by]
        fields = []
        for i, key in enumerate(keys):
            fields += [sge.Literal.string(f"k{i}"), key]
        item = self.f.named_struct(*fields, sge.Literal.string("v"), arg)
        keep = [] if include_null else [sg.not_(arg.copy().is_(NULL))]
        if where is not None:
            keep.append(where)
        collected = self.f.collect_list(self.if_(sg.and_(*keep), item, NULL) if keep else item)
        collected.meta["nb2jvm_aggregate"] = True
        left, right = sg.to_identifier("l"), sg.to_identifier("r")
        order = sge.Literal.number(0)
        for i, sort in reversed(list(enumerate(op.order_by))):
            lk, rk = (sge.Dot(this=sge.column(side.copy()), expression=sg.to_identifier(f"k{i}"))
                      for side in (left, right))
            first, after = (-1, 1) if sort.nulls_first else (1, -1)
            less, more = (-1, 1) if sort.ascending else (1, -1)
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
        value.meta["nb2jvm_composite"] = True
        return value

    visit_Last = visit_First

    def visit_ArrayCollect(self, op, *, arg, where, order_by, include_null, distinct):
        # see _ordered_values; DuckDB's array_agg of no rows is NULL, not an empty array
        if not order_by:
            return super().visit_ArrayCollect(op, arg=arg, where=where, order_by=order_by,
                                              include_null=include_null, distinct=distinct)
        ordered = self._ordered_values(op, arg, where, order_by, include_null)
        element = sg.to_identifier("e")
        values = self.f.transform(ordered, sge.Lambda(
            this=sge.Dot(this=sge.column(element.copy()), expression=sg.to_identifier("v")),
            expressions=[element]))
        result = self.if_(self.f.size(ordered.copy()).eq(0), NULL, values)
        result.meta["nb2jvm_composite"] = True
        return result

    def visit_WindowFunction(self, op, *, func, **kw):
        # a rule that combines several aggregates (see _moment) is windowed aggregate by
        # aggregate: Spark has no window over a CASE of aggregates
        if not func.meta.get("nb2jvm_composite"):
            return super().visit_WindowFunction(op, func=func, **kw)

        def window(node):
            if not node.meta.get("nb2jvm_aggregate"):
                return node
            inner = node.copy()
            inner.meta.pop("nb2jvm_aggregate", None)
            return super(Nb2jvmSparkCompiler, self).visit_WindowFunction(op, func=inner, **kw)

        return func.transform(window)

    def visit_StringToTimestamp(self, op, *, arg, format_str):
        # DuckDB's strptime skips surrounding whitespace, matches a format space to any run of
        # whitespace and reads numbers of 1-4 (%Y) or 1-2 digits, where Spark's to_timestamp
        # patterns are strict: the runtime's parser with DuckDB's rules (DuckDbStrptime.java)
        micros = self.f.nb2jvm_duckdb_strptime(arg, sge.Literal.string(op.format_str.value))
        return self.f.timestamp_micros(micros)

    def visit_StringToDate(self, op, *, arg, format_str):
        # DuckDB's strptime (see visit_StringToTimestamp), then the date of that timestamp
        return _cast(self.visit_StringToTimestamp(op, arg=arg, format_str=format_str), "date")

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
                return _cast(NULL, spark_type.sql("spark"))
            return sge.Cast(this=self.visit_Literal(ops.Literal(v, dtype), value=v, dtype=dtype),
                            to=spark_type.copy())

        rows = [sge.Tuple(expressions=[value(v, t, st) for v, (_, t), st in
                                       zip(row.values(), columns, types)])
                for row in table.to_pylist()]
        names = [sg.to_identifier(f"c{i}") for i in range(len(columns))]
        select = [_cast(sge.column(n.copy()), st.sql("spark")).as_(c, quoted=True)
                  for n, (c, _), st in zip(names, columns, types)]
        if not rows:  # VALUES needs a row: one of NULLs, filtered out
            rows = [sge.Tuple(expressions=[_cast(NULL, st.sql("spark")) for st in types])]
            return sg.select(*select).from_(sge.Values(expressions=rows, alias=sge.TableAlias(
                this=sg.to_identifier("v"), columns=names))).where(sge.false())
        return sg.select(*select).from_(sge.Values(expressions=rows, alias=sge.TableAlias(
            this=sg.to_identifier("v"), columns=names)))

    def visit_ExtractEpochSeconds(self, op, *, arg):
        # DuckDB's epoch() is a double with the fraction; ibis types the result int32 and its
        # conversion fails on a fraction or outside int32 (1901-2038), so the notebook computes
        # only whole seconds in that range.  Spark's unix_timestamp() would floor and widen.
        micros = self.f.unix_micros(_cast(arg, "timestamp"))
        seconds = self.f.unix_seconds(_cast(arg.copy(), "timestamp"))
        fails = sg.or_(self.f.pmod(micros, sge.Literal.number(1_000_000)).neq(0),
                       seconds < sge.Literal.number(-(2 ** 31)),
                       seconds.copy() > sge.Literal.number(2 ** 31 - 1))
        return self.if_(fails, self.f.raise_error(sge.Literal.string(
            "epoch_seconds(): not a whole number of seconds within int32 (the notebook's ibis "
            "conversion raises)")), _cast(seconds.copy(), "int"))

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
                return _cast(days, "bigint")
            return _cast(sge.IntDiv(this=sge.paren(days), expression=sge.Literal.number(7)),
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
            year = sge.Mul(this=_cast(self.f.year(x), "bigint"),
                           expression=sge.Literal.number(per_year))
            return year if unit == "year" else sge.paren(sge.Add(this=year,
                                                                   expression=field(x.copy())))

        return sge.paren(sge.Sub(this=index(left), expression=index(right)))

    visit_DateDelta = visit_TimestampDelta

    def _epoch_days(self, node, sql):
        return self.f.unix_date(sql if node.dtype.is_date() else _cast(sql, "date"))

    def _epoch_micros(self, node, sql):
        if node.dtype.is_date():
            return sge.Mul(this=_cast(self.f.unix_date(sql), "bigint"),
                           expression=sge.Literal.number(86_400_000_000))
        return self.f.unix_micros(_cast(sql, "timestamp"))

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

    # ibis's __init_subclass__ turns every SIMPLE_OPS entry into a visit_ method of the
    # subclass, replacing a rule written above with the same name (visit_Log10 was): keep ours
    SIMPLE_OPS = dict(filter(lambda item, ours=frozenset(locals()):
                             f"visit_{item[0].__name__}" not in ours,
                             PySparkCompiler.SIMPLE_OPS.items()))


compiler = Nb2jvmSparkCompiler()
