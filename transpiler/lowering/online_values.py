"""The online path's visitors of strings, patterns, numbers' functions, dates, casts, the
runtime's functions and compiled UDFs, for :class:`~transpiler.lowering.online.RowCompiler`
(a mixin: it uses the compiler's visit, coerce, tmp and constant)."""

from __future__ import annotations

import datetime as dt
import math
import re

from sqlglot import exp

from ..common import escape
from .online_rules import ANONYMOUS, EXTRACT, UDF_TYPES, UNBOX
from .online_types import CASTS, NUMERIC, SQL_TYPES, WIDEN, Refusal, Val, double

# a timestamp literal the path folds: date, then optional time and up to 6 fraction digits
TIMESTAMP_TEXT = r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?)?"


class ValueVisitors:
    """Strings, patterns, functions of numbers, dates, casts, NB2JVM_* calls and UDFs."""

    def _pattern(self, node, make: str, what: str) -> str:
        if not (isinstance(node, exp.Literal) and node.is_string):
            # computed per row (Spark compiles such a pattern per row too)
            v = self.coerce(self.visit(node), "string")
            self.counter += 1
            name = f"v{self.counter}"
            self.lines.append(f"final java.util.regex.Pattern {name} = {v.code} == null ? null "
                              f": {make.format(v.code, ops=self.ops)};")
            return name
        return self.constant("java.util.regex.Pattern", make.format(
            escape.java_string(node.this), ops=self.ops))

    def visit_Like(self, n):
        if n.args.get("escape") is not None:
            raise Refusal("LIKE ... ESCAPE is not on the online path yet")
        s = self.coerce(self.visit(n.this), "string")
        p = self._pattern(n.expression, "{ops}.likePattern({0})", "LIKE")
        return self.tmp("boolean", f"{self.ops}.like({s.code}, {p})")

    def visit_ILike(self, n):
        if n.args.get("escape") is not None:
            raise Refusal("ILIKE ... ESCAPE is not on the online path yet")
        s = self.coerce(self.visit(n.this), "string")
        p = self._pattern(n.expression, "{ops}.likePattern({ops}.lower({0}))", "ILIKE")
        return self.tmp("boolean", f"{self.ops}.like({self.ops}.lower({s.code}), {p})")

    def visit_RegexpLike(self, n):
        s = self.coerce(self.visit(n.this), "string")
        p = self._pattern(n.expression, "java.util.regex.Pattern.compile({0})", "RLIKE")
        return self.tmp("boolean", f"{self.ops}.rlike({s.code}, {p})")

    def visit_RegexpSplit(self, n):
        s = self.coerce(self.visit(n.this), "string")
        p = self._pattern(n.expression, "java.util.regex.Pattern.compile({0})", "SPLIT")
        limit = self.coerce(self.visit(n.args["limit"]) if n.args.get("limit") is not None
                            else self.visit(exp.Literal.number(-1)), "int")
        return self.tmp("array<string>", f"{self.ops}.split({s.code}, {p}, {limit.code})")

    def visit_RegexpExtract(self, n):
        s = self.coerce(self.visit(n.this), "string")
        p = self._pattern(n.expression, "java.util.regex.Pattern.compile({0})",
                          "REGEXP_EXTRACT")
        group = n.args.get("group")
        g = self.coerce(self.visit(group) if group is not None
                        else self.visit(exp.Literal.number(1)), "int")
        return self.tmp("string", f"{self.ops}.regexpExtract({s.code}, {p}, {g.code})")

    def _call(self, types, result: str, method: str, args) -> Val:
        if len(args) != len(types):
            raise Refusal(f"{method} with {len(args)} argument(s) is not on the online path yet")
        codes = []
        for t, a in zip(types, args):
            if t == "pattern":
                codes.append(self._pattern(a, "java.util.regex.Pattern.compile({0})", method))
            else:
                codes.append(self.coerce(self.visit(a), t).code)
        return self.tmp(result, f"{self.ops}.{method}({', '.join(codes)})")

    def visit_Abs(self, n):
        v = self.visit(n.this)
        if v.type not in NUMERIC:
            raise Refusal(f"ABS of a {v.type} is not on the online path yet")
        return self.tmp(v.type, f"{self.ops}.abs({v.code})")

    def visit_Floor(self, n):
        return self._rounding(n, "floor")

    def visit_Ceil(self, n):
        return self._rounding(n, "ceil")

    def _rounding(self, n, method: str) -> Val:
        if n.args.get("decimals") is not None or n.args.get("to") is not None:
            raise Refusal(f"{method.upper()} to a scale is not on the online path yet")
        v = self.visit(n.this)
        if v.type in ("int", "bigint"):
            return self.coerce(v, "bigint")  # FLOOR of an integer is the integer, a BIGINT
        if v.type != "double":
            raise Refusal(f"{method.upper()} of a {v.type} is not on the online path yet")
        return self.tmp("bigint", f"{self.ops}.{method}({v.code})")

    def visit_Log(self, n):
        if n.expression is None:
            return self._call(("double",), "double", "ln", [n.this])
        return self._call(("double", "double"), "double", "log", [n.this, n.expression])

    def visit_Concat(self, n):
        vals = [self.visit(a) for a in n.expressions]
        if any(v.type not in ("string", "null") for v in vals):
            raise Refusal("CONCAT of non-strings is not on the online path yet")
        codes = [self.coerce(v, "string").code for v in vals]
        return self.tmp("string", f"{self.ops}.concat({', '.join(codes)})")

    def visit_Trim(self, n):
        s = self.coerce(self.visit(n.this), "string")
        position = (n.args.get("position") or "BOTH").upper()
        chars = n.expression
        if chars is None:
            method = {"BOTH": "trim", "LEADING": "ltrim", "TRAILING": "rtrim"}[position]
            return self.tmp("string", f"{self.ops}.{method}({s.code})")
        c = self.coerce(self.visit(chars), "string")
        return self.tmp("string", f"{self.ops}.trimChars({s.code}, {c.code}, "
                        f"{escape.java_string(position)})")

    def visit_Substring(self, n):
        args = [n.this, n.args["start"]] + ([n.args["length"]] if n.args.get("length") else [])
        return self._call(("string", "int", "int")[:len(args)], "string", "substring", args)

    def visit_StrPosition(self, n):
        pos = n.args.get("position")
        return self._call(("string", "string", "int"), "int", "locate",
                          [n.args["substr"], n.this,
                           pos if pos is not None else exp.Literal.number(1)])

    def visit_Extract(self, n):
        unit = n.this.name.upper()
        if unit not in EXTRACT:
            raise Refusal(f"EXTRACT({unit}) is not on the online path yet")
        reads, method = EXTRACT[unit]
        v = self._temporal(self.visit(n.expression), reads)
        return self.tmp("int", f"{self.ops}.{method}({v.code})")

    def _temporal(self, v: Val, reads: str) -> Val:
        if reads == "date" and v.type in ("timestamp", "timestamp_ntz"):
            return self.tmp("date", f"{self.ops}.toDate({v.code})")
        if reads == "timestamp" and v.type == "timestamp_ntz":
            return Val(v.code, "timestamp")
        if v.type != reads:
            raise Refusal(f"a {v.type} where a {reads} is read is not on the online path yet")
        return v

    def visit_TsOrDsToDate(self, n):
        if n.args.get("format") is not None:
            raise Refusal("TO_DATE with a format is not on the online path yet")
        return self._temporal(self.visit(n.this), "date")

    def visit_DateDiff(self, n):
        unit = n.args.get("unit")
        if unit is not None and unit.name.upper() != "DAY":
            raise Refusal(f"DATEDIFF in {unit.name} is not on the online path yet")
        end, start = self.visit(n.this), self.visit(n.expression)
        if end.type != "date" or start.type != "date":
            raise Refusal("DATEDIFF of timestamps is not on the online path yet")
        diff = self.tmp("int", f"{self.ops}.dateDiff({end.code}, {start.code})")
        # the three-argument form is TIMESTAMPDIFF, a BIGINT
        return self.coerce(diff, "bigint") if unit is not None else diff

    def visit_TimestampTrunc(self, n):
        unit = n.args.get("unit")
        v = self._temporal(self.visit(n.this), "timestamp")
        return self.tmp("timestamp", f"{self.ops}.truncTimestamp("
                        f"{escape.java_string(unit.name.upper())}, {v.code})")

    def _cast(self, n) -> Val:
        to = n.args["to"]
        target = SQL_TYPES.get(to.this.name)
        if target is None or to.expressions:
            raise Refusal(f"CAST to {to.sql('spark')} is not on the online path yet")
        v = self.visit(n.this)
        folded = self._fold_cast(v, target)
        if folded is not None:
            return folded
        if v.type == target:
            return v
        if v.type == "null":
            return self.coerce(v, target)
        if (v.type, target) in WIDEN or v.type in ("int",) and v.literal is not None:
            return self.coerce(v, target)
        rule = CASTS.get((v.type, target))
        if rule is None:
            raise Refusal(f"CAST from {v.type} to {target} is not on the online path yet")
        return self.tmp(target, rule.format(v.code, ops=self.ops))

    def _fold_cast(self, v: Val, target: str) -> Val | None:
        """A constant cast computed here: Spark folds it too (ConstantFolding)."""
        if v.literal is None:
            return None
        text = v.literal
        if target == "double" and v.type in ("string", "decimal", "int", "bigint", "double"):
            t = text.strip()
            special = {"nan": math.nan, "infinity": math.inf, "-infinity": -math.inf,
                       "inf": math.inf, "-inf": -math.inf, "+infinity": math.inf}
            if t.lower() in special:
                return Val(self.constant("Double", double(special[t.lower()])), "double")
            if re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", t):
                return Val(self.constant("Double", double(float(t))), "double", t)
            raise Refusal(f"CAST('{text}' AS DOUBLE) is not on the online path")
        if v.type == "string" and target in ("timestamp", "timestamp_ntz"):
            m = re.fullmatch(TIMESTAMP_TEXT, text.strip())
            if m is None:
                raise Refusal(f"CAST('{text}' AS TIMESTAMP) is not on the online path")
            y, mo, d, h, mi, s, f = m.groups()
            t = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                            int((f or "0").ljust(6, "0")))
            micros = (t - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
            return Val(self.constant("Long", f"{micros}L"), target)
        if v.type == "string" and target == "date":
            m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", text.strip())
            if m is None:
                raise Refusal(f"CAST('{text}' AS DATE) is not on the online path")
            days = (dt.date(*map(int, m.groups())) - dt.date(1970, 1, 1)).days
            return Val(self.constant("Integer", str(days)), "date")
        if v.type == "int" and target == "bigint":
            return Val(self.constant("Long", f"{int(text)}L"), "bigint", text)
        if v.type == "string" and target == "string":
            return v
        return None

    def visit_Cast(self, n):
        return self._cast(n)

    def visit_TryCast(self, n):  # sqlglot reads Spark's CAST as TRY_CAST; the session is ANSI
        return self._cast(n)

    def visit_Anonymous(self, n):
        name = n.name.upper()
        args = list(n.expressions)
        if name in ANONYMOUS:
            return self._call(*ANONYMOUS[name], args)
        if name == "RAISE_ERROR":
            msg = self.coerce(self.visit(args[0]), "string")
            self.lines.append(f"{self.ops}.raiseError({msg.code});")
            return Val("null", "null")
        if name == "BROUND":
            if len(args) != 2 or not isinstance(args[1], exp.Literal):
                raise Refusal("BROUND to a scale that is not a literal is not on the online path")
            v = self.visit(args[0])
            if v.type != "double":
                raise Refusal(f"BROUND of a {v.type} is not on the online path yet")
            return self._call(("double", "int"), "double", "bround", args)
        if name == "PMOD":
            a, b = self.visit(args[0]), self.visit(args[1])
            t = self.common([a, b], "PMOD")
            if t not in ("int", "bigint"):
                raise Refusal(f"PMOD of {t} values is not on the online path yet")
            a, b = self.coerce(a, t), self.coerce(b, t)
            return self.tmp(t, f"{self.ops}.pmod({a.code}, {b.code})")
        udf = self.udfs.get(name.lower())
        if udf is not None:
            return self._udf(udf, args)
        raise Refusal(f"the function {name} is not on the online path yet")

    def _udf(self, udf, args) -> Val:
        """A compiled Python UDF: the Scala method the Spark wrapper calls, with its rules (NULL
        in, NULL out; a NaN result is NULL, as the notebook's engine makes it)."""
        cls, method, params, returns = udf
        if len(args) != len(params):
            raise Refusal(f"UDF {method} called with {len(args)} argument(s)")
        vals = [self.coerce(self.visit(a), UDF_TYPES[t]) for a, t in zip(args, params)]
        ret = UDF_TYPES[returns]
        nulls = " || ".join(f"{v.code} == null" for v in vals) or "false"
        call = f"{cls}.{method}({', '.join(UNBOX[v.type].format(v.code) for v in vals)})"
        if ret == "double":
            r = self.tmp("double", f"({nulls}) ? null : Double.valueOf({call})")
            return self.tmp("double", f"({r.code} == null || Double.isNaN({r.code}) ? null : "
                            f"{r.code})")
        box = {"bigint": "Long.valueOf({})", "boolean": "Boolean.valueOf({})",
               "string": "{}"}[ret]
        return self.tmp(ret, f"({nulls}) ? null : {box.format(call)}")
