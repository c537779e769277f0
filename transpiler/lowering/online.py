"""The online path: a feature set's Spark SQL (the batch artifact's own form) compiled to the
body of a plain Java row function that needs no Spark, or the reason it cannot be.

The input is the SQL the batch path runs, parsed back with sqlglot, so the online function
computes what the Spark job computes, with Spark's semantics (runtime SparkOps), not a second
reading of the notebook.  A feature set is row-local when its SQL is a chain of SELECTs over one
input with projections and filters only; anything else (a join, a group-by, a window, an order,
a limit, DISTINCT, a set operation, a generator) is refused with the reason.  One ``visit_<Node>``
per sqlglot node kind; the default refuses by name.  Evaluation is lazy where Spark's is (AND,
OR, IF, CASE, COALESCE), so a guard that keeps Spark from raising keeps this function from
raising too.  tests/test_differential.py runs its table three ways to prove it.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from ..common import escape
from ..ir.online import OnlineFeature
from .online_rules import CALLS, CLAUSES, INTERVAL_MICROS, INTERVAL_MONTHS, ROW_LOCAL_ARGS
from .online_lookup import LookupJoins
from .online_types import (API, FROM_API, JAVA, NUMERIC, TO_API, WIDEN, Refusal, Scope, Val,
                           double, input_type, wider)
from .online_values import ValueVisitors

MAX_NODES = 20_000  # a feature set's SQL bigger than this is not compiled for the online path


class RowCompiler(ValueVisitors, LookupJoins):
    """One feature set's SQL to Java statements of a row function (see the module doc)."""

    def __init__(self, ops: str, udfs: dict, inputs: dict[str, tuple], markers: dict[str, str]):
        self.ops, self.udfs, self.inputs, self.markers = ops, udfs, inputs, markers
        self.lines: list[str] = []
        self.fields: list[str] = []
        self.constants: dict[tuple[str, str], str] = {}
        self.memo: dict[tuple[int, str], list[tuple[tuple, Val]]] = {}
        self.path: tuple = ()
        self.blocks = 0
        self.counter = 0
        self.lookups = 0  # joins to constant tables so far (online_lookup.py)
        self.scope: Scope | None = None
        self.input: str | None = None
        self.params: list[tuple[str, str, str]] = []  # (column, Spark type, Java local)

    # ---- emitting ----

    def tmp(self, type_: str, code: str) -> Val:
        self.counter += 1
        name = f"v{self.counter}"
        self.lines.append(f"final {JAVA[type_]} {name} = {code};")
        return Val(name, type_)

    def constant(self, java_type: str, code: str) -> str:
        key = (java_type, code)
        if key not in self.constants:
            self.constants[key] = f"K{len(self.constants)}"
            self.fields.append(f"private static final {java_type} {self.constants[key]} = "
                               f"{code};")
        return self.constants[key]

    def block(self, fn):
        """Run ``fn`` with its statements collected apart (a branch); returns (lines, value)."""
        saved_lines, saved_path = self.lines, self.path
        self.blocks += 1
        self.lines, self.path = [], self.path + (self.blocks,)
        try:
            value = fn()
            return self.lines, value
        finally:
            self.lines, self.path = saved_lines, saved_path

    def branch(self, lines: list[str], value: Val, to: str, target: str) -> list[str]:
        saved = self.lines
        self.lines = lines
        try:
            v = self.coerce(value, to)
        finally:
            self.lines = saved
        return ["  " + line for line in lines + [f"{target} = {v.code};"]]

    # ---- the SELECT chain ----

    def compile(self, sql: str) -> tuple[list[Val], list[str]]:
        tree = sqlglot.parse_one(sql, read="spark")
        if sum(1 for _ in tree.walk()) > MAX_NODES:
            raise Refusal(f"its SQL has more than {MAX_NODES} nodes")
        if not isinstance(tree, exp.Select):
            raise Refusal(f"it is {_what(tree)}, not a projection and filter of one input")
        self.scope = self.scope_of(tree)
        scopes = []
        s = self.scope
        while s is not None:
            scopes.append(s)
            s = s.inner
        # Spark pushes every filter below the projections: the innermost first, each before any
        # column that only the output needs
        for s in reversed(scopes):
            if s.join is not None:
                self.emit_lookup(s)  # after the filters below the join, before those above
            where = s.select.args.get("where") if s.select is not None else None
            if where is not None:
                saved, self.scope = self.scope, s.inner  # WHERE reads the FROM's columns
                try:
                    cond = self.coerce(self.visit(where.this), "boolean")
                finally:
                    self.scope = saved
                self.lines.append(f"if (!Boolean.TRUE.equals({cond.code})) return null;")
        outputs = [self.column(self.scope, name) for name in self.scope.columns]
        return outputs, list(self.scope.columns)

    def scope_of(self, select: exp.Select) -> Scope:
        for key, value in select.args.items():
            if value and key not in ROW_LOCAL_ARGS and key != "joins":
                raise Refusal(f"it has {CLAUSES.get(key, key)}, which is not row-local")
        if select.args.get("kind") or select.args.get("hint"):
            raise Refusal("its SELECT has a modifier the online path does not know")
        source = select.args.get("from_") or select.args.get("from")
        if source is None:
            raise Refusal("it reads no input (a constant table)")
        src = source.this
        alias = src.alias_or_name
        if isinstance(src, exp.Table) and isinstance(src.this, exp.Anonymous) and \
                src.this.name.upper() == "IDENTIFIER":
            marker = src.this.expressions[0].name
            name = self.markers.get(marker, marker)
            if self.input is not None and self.input != name:
                raise Refusal("it reads two inputs")
            if name not in self.inputs:
                raise Refusal(f"it reads '{name}', which is not an input of the notebook")
            self.input = name
            columns = {}
            for i, (col, spark) in enumerate(self.inputs[name]):
                t = input_type(spark)
                if t is None:
                    # a column of a type the path does not hold is refused only when read
                    columns[col] = ("unsupported", spark)
                    continue
                local = f"c{i}"
                self.params.append((col, t, local))
                columns[col] = ("input", Val(local, t))
            inner = Scope(alias, columns)
        elif isinstance(src, exp.Subquery) and isinstance(src.this, exp.Select):
            inner = self.scope_of(src.this)
            inner.alias = alias
        else:
            raise Refusal(f"it reads {_what(src)}, not one input")
        if select.args.get("joins"):
            inner = self.join_scope(select.args["joins"], inner)
        columns = {}
        for e in select.expressions:
            if isinstance(e, exp.Star):
                columns.update({n: ("ref", inner, n) for n in inner.columns})
                continue
            name = e.alias_or_name
            if name in columns:
                raise Refusal(f"it computes the column '{name}' twice")
            columns[name] = ("expr", e.this if isinstance(e, exp.Alias) else e)
        return Scope(alias, columns, select, inner)

    def column(self, scope: Scope, name: str) -> Val:
        """The value of a column of ``scope`` (computed once per branch it is used in)."""
        entry = scope.columns.get(name)
        if entry is None:
            raise Refusal(f"it reads a column '{name}' that its source does not have")
        if entry[0] == "input":
            return entry[1]
        if entry[0] == "unsupported":
            raise Refusal(f"it reads the column '{name}' of type {entry[1]}, which the online "
                          "path does not hold yet")
        if entry[0] == "ref":
            return self.column(entry[1], entry[2])
        if entry[0] == "ambiguous":
            raise Refusal(f"both sides of its join have a column '{name}'")
        key = (id(scope), name)
        for path, val in self.memo.get(key, []):
            if self.path[:len(path)] == path:
                return val
        saved, self.scope = self.scope, scope.inner
        try:
            val = self.visit(entry[1])
        finally:
            self.scope = saved
        self.memo.setdefault(key, []).append((self.path, val))
        return val

    # ---- values ----

    def visit(self, node: exp.Expression) -> Val:
        kind = type(node).__name__
        if kind in CALLS:
            args = [node.this] + [node.args[k] for k in ("expression", "replacement")
                                  if node.args.get(k) is not None]
            if kind == "Repeat":
                args = [node.this, node.args["times"]]
            return self._call(*CALLS[kind], args)
        method = getattr(self, f"visit_{kind}", None)
        if method is None:
            raise Refusal(f"{_what(node)} is not on the online path yet")
        return method(node)

    def coerce(self, v: Val, to: str) -> Val:
        if v.type == to:
            return v
        if v.type == "null":
            return Val(f"(({JAVA[to]}) null)", to)
        if v.type == "decimal" and to == "double":
            return Val(self.constant("Double", double(float(v.literal))), to)
        if v.literal is not None and v.type == "int" and to in ("bigint", "double"):
            value = int(v.literal)
            return Val(self.constant("Long", f"{value}L") if to == "bigint"
                       else self.constant("Double", double(float(value))), to, v.literal)
        rule = WIDEN.get((v.type, to))
        if rule is None:
            raise Refusal(f"a {v.type} used as a {to} is not on the online path yet")
        return self.tmp(to, rule.format(v.code, ops=self.ops))

    def common(self, vals: list[Val], what: str) -> str:
        t = "null"
        for v in vals:
            w = wider(t, v.type)
            if w is None:
                raise Refusal(f"{what} of {t} and {v.type} is not on the online path yet")
            t = w
        if t == "decimal":
            raise Refusal(f"{what} of DECIMAL values is not on the online path yet")
        return "boolean" if t == "null" else t

    def visit_Paren(self, n):
        return self.visit(n.this)

    def visit_Column(self, n):
        if self.scope.join is not None:
            return self.column(self.side_of(self.scope, n), n.name)
        if n.table and n.table != self.scope.alias:
            raise Refusal(f"it reads a column of '{n.table}', not of its one source")
        return self.column(self.scope, n.name)

    def visit_Literal(self, n):
        text = n.this
        if n.is_string:
            return Val(self.constant("String", escape.java_string(text)), "string", text)
        if re.fullmatch(r"[0-9]+", text):
            value = int(text)
            if value <= 2**31 - 1:
                return Val(self.constant("Integer", str(value)), "int", text)
            if value <= 2**63 - 1:
                return Val(self.constant("Long", f"{value}L"), "bigint", text)
            raise Refusal(f"the literal {text} is a DECIMAL in Spark")
        if re.fullmatch(r"[0-9]*\.[0-9]*", text):
            return Val("", "decimal", text)  # Spark reads 0.92 as DECIMAL(2, 2)
        if re.fullmatch(r"[0-9.]+[eE][+-]?[0-9]+", text):
            return Val(self.constant("Double", double(float(text))), "double", text)
        raise Refusal(f"the literal {text} is not on the online path yet")

    def visit_Boolean(self, n):
        return Val("Boolean.TRUE" if n.this else "Boolean.FALSE", "boolean")

    def visit_Null(self, n):
        return Val("null", "null")

    def visit_Neg(self, n):
        v = self.visit(n.this)
        if v.literal is not None and v.type in ("int", "bigint", "decimal", "double"):
            return self._negative_literal(v)  # Spark folds -3 into the literal
        if v.type not in NUMERIC:
            raise Refusal(f"minus of a {v.type} is not on the online path yet")
        return self.tmp(v.type, f"{self.ops}.neg({v.code})")

    def _negative_literal(self, v: Val) -> Val:
        text = "-" + v.literal
        if v.type == "decimal":
            return Val("", "decimal", text)
        if v.type == "double":
            return Val(self.constant("Double", double(-float(v.literal))), "double", text)
        value = -int(v.literal)
        if v.type == "int":
            return Val(self.constant("Integer", str(value)), "int", text)
        return Val(self.constant("Long", f"{value}L"), "bigint", text)

    def _arith(self, n, method: str) -> Val:
        if isinstance(n.expression, exp.Interval) or isinstance(n.this, exp.Interval):
            return self._interval(n, method)
        a, b = self.visit(n.this), self.visit(n.expression)
        t = self.common([a, b], f"'{method}'")
        if t not in NUMERIC:
            raise Refusal(f"'{method}' of {t} values is not on the online path yet")
        a, b = self.coerce(a, t), self.coerce(b, t)
        return self.tmp(t, f"{self.ops}.{method}({a.code}, {b.code})")

    def visit_Add(self, n):
        return self._arith(n, "add")

    def visit_Sub(self, n):
        return self._arith(n, "sub")

    def visit_Mul(self, n):
        return self._arith(n, "mul")

    def visit_Mod(self, n):
        return self._arith(n, "rem")

    def visit_Div(self, n):
        # Spark's Divide works on DOUBLE (or DECIMAL): both sides are cast first
        a, b = self.visit(n.this), self.visit(n.expression)
        if "decimal" in (a.type, b.type) and "double" not in (a.type, b.type):
            raise Refusal("division of DECIMAL values is not on the online path yet")
        a, b = self.coerce(a, "double"), self.coerce(b, "double")
        return self.tmp("double", f"{self.ops}.div({a.code}, {b.code})")

    def visit_IntDiv(self, n):
        a, b = self.visit(n.this), self.visit(n.expression)
        if a.type not in ("int", "bigint") or b.type not in ("int", "bigint"):
            raise Refusal("DIV of non-integers is not on the online path yet")
        a, b = self.coerce(a, "bigint"), self.coerce(b, "bigint")
        return self.tmp("bigint", f"{self.ops}.idiv({a.code}, {b.code})")

    def _interval(self, n, method: str) -> Val:
        if isinstance(n.this, exp.Interval):
            raise Refusal("an interval on the left is not on the online path yet")
        v, iv = self.visit(n.this), n.expression
        text = iv.this.name if isinstance(iv.this, exp.Literal) else None
        unit = iv.args.get("unit")
        unit = unit.name.upper() if unit is not None else None
        if text is None or not re.fullmatch(r"-?[0-9]{1,9}", text) or unit is None:
            raise Refusal(f"the interval {iv.sql('spark')} is not on the online path yet")
        k = int(text) * (-1 if method == "sub" else 1)
        if v.type == "date" and unit in ("DAY", "WEEK"):
            days = k * (7 if unit == "WEEK" else 1)
            return self.tmp("date", f"{self.ops}.addDays({v.code}, {days})")
        if v.type == "date" and unit in INTERVAL_MONTHS:
            return self.tmp("date", f"{self.ops}.addMonthsToDate({v.code}, "
                            f"{k * INTERVAL_MONTHS[unit]})")
        if v.type in ("timestamp", "timestamp_ntz") and unit in INTERVAL_MONTHS:
            return self.tmp(v.type, f"{self.ops}.addMonths({v.code}, {k * INTERVAL_MONTHS[unit]})")
        if v.type in ("timestamp", "timestamp_ntz") and unit in INTERVAL_MICROS:
            return self.tmp(v.type, f"{self.ops}.addMicros({v.code}, "
                            f"{k * INTERVAL_MICROS[unit]}L)")
        raise Refusal(f"a {v.type} plus an interval of {unit} is not on the online path yet")

    def _compare(self, n, test: str) -> Val:
        a, b = self.visit(n.this), self.visit(n.expression)
        t = self.common([a, b], "a comparison")
        if t not in (*NUMERIC, "string", "boolean", "date", "timestamp", "timestamp_ntz"):
            raise Refusal(f"comparing {t} values is not on the online path yet")
        a, b = self.coerce(a, t), self.coerce(b, t)
        return self.tmp("boolean", f"({a.code} == null || {b.code} == null ? null : "
                        f"Boolean.valueOf({self.ops}.compare({a.code}, {b.code}) {test}))")

    def visit_EQ(self, n):
        return self._compare(n, "== 0")

    def visit_NEQ(self, n):
        return self._compare(n, "!= 0")

    def visit_GT(self, n):
        return self._compare(n, "> 0")

    def visit_GTE(self, n):
        return self._compare(n, ">= 0")

    def visit_LT(self, n):
        return self._compare(n, "< 0")

    def visit_LTE(self, n):
        return self._compare(n, "<= 0")

    def visit_Between(self, n):
        # Spark's Between is (x >= low) AND (x <= high)
        return self.visit(exp.and_(exp.GTE(this=n.this, expression=n.args["low"]),
                                   exp.LTE(this=n.this, expression=n.args["high"])))

    def _logic(self, n, stop: str) -> Val:
        """AND (stop FALSE) / OR (stop TRUE): three-valued, the right side only when needed."""
        a = self.coerce(self.visit(n.this), "boolean")
        self.counter += 1
        target = f"v{self.counter}"
        lines, b = self.block(lambda: self.coerce(self.visit(n.expression), "boolean"))
        other = "Boolean.FALSE" if stop == "Boolean.TRUE" else "Boolean.TRUE"
        self.lines += [f"Boolean {target};", f"if ({stop}.equals({a.code})) {target} = {stop};",
                       "else {", *["  " + x for x in lines],
                       f"  if ({stop}.equals({b.code})) {target} = {stop};",
                       f"  else if ({a.code} == null || {b.code} == null) {target} = null;",
                       f"  else {target} = {other};", "}"]
        return Val(target, "boolean")

    def visit_And(self, n):
        return self._logic(n, "Boolean.FALSE")

    def visit_Or(self, n):
        return self._logic(n, "Boolean.TRUE")

    def visit_Not(self, n):
        v = self.coerce(self.visit(n.this), "boolean")
        return self.tmp("boolean", f"({v.code} == null ? null : Boolean.valueOf(!{v.code}))")

    def visit_Is(self, n):
        if not isinstance(n.expression, exp.Null):
            raise Refusal(f"{n.sql('spark')} is not on the online path yet")
        v = self.visit(n.this)
        if v.type == "decimal":  # a DECIMAL literal is never NULL
            return Val("Boolean.FALSE", "boolean")
        return self.tmp("boolean", f"Boolean.valueOf({v.code} == null)")

    def _choice(self, arms, default) -> Val:
        """IF / CASE: each arm's condition, then its value only when it holds."""
        self.counter += 1
        target = f"v{self.counter}"
        built = []
        for cond, value in arms:
            c = self.coerce(self.visit(cond), "boolean") if not built else None
            built.append((cond, c, self.block(lambda value=value: self.visit(value))))
        default_block = self.block(lambda: self.visit(default) if default is not None
                                   else Val("null", "null"))
        t = self.common([v for _, _, (_, v) in built] + [default_block[1]], "IF/CASE")
        out, closing = [], ""
        for k, (cond, c, (lines, v)) in enumerate(built):
            if k == 0:
                out += [f"if (Boolean.TRUE.equals({c.code})) {{"]
            else:  # a later condition is computed only when the earlier ones did not hold
                cl, cv = self.block(lambda cond=cond: self.coerce(self.visit(cond), "boolean"))
                out += ["} else {", *["  " + x for x in cl],
                        f"  if (Boolean.TRUE.equals({cv.code})) {{"]
                closing += "}"
            out += self.branch(lines, v, t, target)
        out += ["} else {", *self.branch(*default_block, t, target), "}" + closing]
        self.lines += [f"{JAVA[t]} {target};", *out]
        return Val(target, t)

    def visit_If(self, n):
        return self._choice([(n.this, n.args["true"])], n.args.get("false"))

    def visit_Case(self, n):
        if n.this is not None:
            raise Refusal("CASE x WHEN ... is not on the online path yet")
        return self._choice([(w.this, w.args["true"]) for w in n.args["ifs"]],
                            n.args.get("default"))

    def visit_Coalesce(self, n):
        args = [n.this, *n.expressions]
        self.counter += 1
        target = f"v{self.counter}"
        blocks = [self.block(lambda a=a: self.visit(a)) for a in args]
        t = self.common([v for _, v in blocks], "COALESCE")
        out = []
        for k, (lines, v) in enumerate(blocks):
            body = self.branch(lines, v, t, target)
            if k == 0:
                out += [line[2:] for line in body]
            else:
                out += [f"if ({target} == null) {{", *body, "}"]
        self.lines += [f"{JAVA[t]} {target};", *out]
        return Val(target, t)

    def visit_Nullif(self, n):
        a, b = self.visit(n.this), self.visit(n.expression)
        if a.type == "decimal":
            raise Refusal("NULLIF of a DECIMAL is not on the online path yet")
        t = self.common([a, b], "NULLIF")
        ca, cb = self.coerce(a, t), self.coerce(b, t)
        return self.tmp(a.type, f"({ca.code} != null && {cb.code} != null && "
                        f"{self.ops}.compare({ca.code}, {cb.code}) == 0 ? null : {a.code})")

    def _extreme(self, n, test: str) -> Val:
        vals = [self.visit(a) for a in [n.this, *n.expressions]]
        t = self.common(vals, "GREATEST/LEAST")
        vals = [self.coerce(v, t) for v in vals]
        self.counter += 1
        target = f"v{self.counter}"
        self.lines.append(f"{JAVA[t]} {target} = null;")
        for v in vals:  # NULLs are skipped; NaN is the largest double, as Spark orders it
            self.lines.append(f"if ({v.code} != null && ({target} == null || "
                              f"{self.ops}.compare({v.code}, {target}) {test} 0)) "
                              f"{target} = {v.code};")
        return Val(target, t)

    def visit_Greatest(self, n):
        return self._extreme(n, ">")

    def visit_Least(self, n):
        return self._extreme(n, "<")

    def visit_In(self, n):
        if n.args.get("query") is not None or n.args.get("unnest") is not None:
            raise Refusal("IN of a subquery is not row-local")
        v = self.visit(n.this)
        items = [self.visit(e) for e in n.expressions]
        t = self.common([v, *items], "IN")
        v, items = self.coerce(v, t), [self.coerce(i, t) for i in items]
        self.counter += 1
        target = f"v{self.counter}"
        self.lines += [f"Boolean {target};", f"if ({v.code} == null) {target} = null;", "else {",
                       "  boolean found = false, nulls = false;"]
        for i in items:  # Spark's In: a match wins, else a NULL item makes it NULL
            self.lines.append(f"  if (!found) {{ if ({i.code} == null) nulls = true; else if "
                              f"({self.ops}.compare({v.code}, {i.code}) == 0) found = true; }}")
        self.lines += [f"  {target} = found ? Boolean.TRUE : (nulls ? null : Boolean.FALSE);",
                       "}"]
        return Val(target, "boolean")


def _what(node) -> str:
    names = {"Union": "a UNION", "Except": "an EXCEPT", "Intersect": "an INTERSECT",
             "Window": "a window function", "Values": "a constant table (VALUES)",
             "Explode": "an unnest", "PosexplodeOuter": "an unnest"}
    kind = type(node).__name__
    if isinstance(node, exp.AggFunc):
        return f"the aggregate {kind.upper()}, which is not row-local,"
    return names.get(kind, kind.upper() if isinstance(node, exp.Func) else kind)


def online_feature(name: str, sql: str, inputs: dict[str, tuple], markers: dict[str, str],
                   udfs: dict, ops: str, outputs_declared: dict[str, str]) -> OnlineFeature:
    """The row function of one feature set, or :class:`Refusal` with why not.

    ``inputs``: input name -> ((column, Spark type), ...); ``markers``: SQL marker -> input;
    ``udfs``: SQL name (lower case) -> (class, method, param types, result type); ``ops``: the
    runtime's SparkOps class; ``outputs_declared``: the columns' declared Spark types."""
    c = RowCompiler(ops, udfs, inputs, markers)
    try:
        values, names = c.compile(sql)
    except (sqlglot.errors.ParseError, RecursionError) as exc:
        raise Refusal(f"its SQL did not parse back ({type(exc).__name__})") from None
    outputs = []
    for n, v in zip(names, values):
        want = outputs_declared.get(n)
        if v.type == "null":
            if want is None or want not in JAVA:
                raise Refusal(f"its column '{n}' is always NULL, of a type the path does not hold")
            v = c.coerce(v, want)
        elif v.type == "decimal":
            raise Refusal(f"its column '{n}' is a DECIMAL, which the online path does not hold yet")
        elif want in JAVA and (v.type, want) in (("int", "bigint"),):
            v = c.coerce(v, want)  # the batch widens integers to the declared width
        if v.type not in API:
            raise Refusal(f"its column '{n}' is a {v.type}, which the path does not hold yet")
        outputs.append((n, v))
    ret = ", ".join(TO_API.get(v.type, "{0}").format(v.code, ops=ops) for _, v in outputs)
    body = [*c.lines, f"return new Object[] {{{ret}}};"]
    params = tuple((col, t, local, FROM_API.get(t, "{0}").format("p" + local[1:], ops=ops))
                   for col, t, local in c.params)
    return OnlineFeature(name=name, input=c.input, params=params,
                         outputs=tuple((n, v.type) for n, v in outputs),
                         fields=tuple(c.fields), body=tuple(body))
