"""Numeric rules of nb2jvm's Spark compiler: DuckDB's rounding, domain errors, integer results
and narrow integer literals (each a measured divergence; tests/test_round.py,
tests/test_numeric_types.py)."""

from __future__ import annotations

import functools

import ibis.expr.datatypes as dt
import sqlglot as sg
import sqlglot.expressions as sge
import ibis.expr.operations as ops

from .spark_sql import NULL, atom, cast, double

# Integer arithmetic where DuckDB's integer literals take the other operand's narrow type.
INT_ARITH = (ops.Add, ops.Subtract, ops.Multiply, ops.FloorDivide, ops.Modulus)
NARROW = {dt.int8: ("tinyint", -(2 ** 7), 2 ** 7 - 1), dt.int16: ("smallint", -(2 ** 15),
                                                                     2 ** 15 - 1)}


def narrow(dtype) -> tuple | None:
    return NARROW.get(dtype.copy(nullable=True))


def int_literal(node) -> int | None:
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
    if isinstance(node, INT_ARITH):
        left, right = node.left, node.right
        types = [duckdb_type(left), duckdb_type(right)]
        for lit, other, t in ((left, right, types[1]), (right, left, types[0])):
            value = int_literal(lit)
            if value is not None and int_literal(other) is None and narrow(t) \
                    and narrow(t)[1] <= value <= narrow(t)[2]:
                return t
        if all(narrow(t) for t in types):
            return max(types, key=lambda t: narrow(t)[2])
    return node.dtype


class NumericRules:
    """Rounding, math domains and float-to-int results as DuckDB computes them."""

    def visit_Round(self, op, *, arg, digits):
        # Spark rounds the double's shortest decimal text half-up (round(2.675, 2) is 2.68);
        # DuckDB rounds in binary (2.67) and treats non-finite steps its own way: the runtime's
        # function (DuckDbRound.java) with the scale DuckDB computes, the C library's
        # pow(10, |n|) (not always the nearest double to 10^n: n = 23), taken from Python's pow.
        n = op.digits.value if op.digits is not None else 0
        x = cast(arg, "double")
        if op.dtype.is_integer():
            return self.f.nb2jvm_duckdb_round_int(x)
        scale = repr(10.0 ** abs(n)) if abs(n) < 309 else "Infinity"
        return self.f.nb2jvm_duckdb_round(x, double(scale), sge.Boolean(this=n < 0))

    # DuckDB raises outside a function's domain where Spark returns NaN (sqrt) or NULL (logs):
    # the same error is raised on Spark.  Inside the domain both are the C/Java math functions.
    _DOMAIN = {ops.Sqrt: ("sqrt", sge.LT, "cannot take square root of a negative number"),
               ops.Ln: ("ln", sge.LTE, "cannot take logarithm of zero or a negative number"),
               ops.Log10: ("log10", sge.LTE, "cannot take logarithm of zero or a negative number"),
               ops.Log2: ("log2", sge.LTE, "cannot take logarithm of zero or a negative number")}

    def _domain_checked(self, op, *, arg):
        # outside the domain DuckDB raises (Out of Range Error); Spark returns NaN or NULL
        name, outside, message = self._DOMAIN[type(op)]
        x = atom(arg)
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
        if not op.arg.dtype.is_floating():
            return super().visit_Floor(op, arg=arg) if isinstance(op, ops.Floor) else \
                super().visit_Ceil(op, arg=arg)
        x = atom(cast(arg, "double"))
        in_range = sg.and_(x >= double("-9.223372036854775808E18"),
                           x.copy() < double("9.223372036854775807E18"))
        name = "floor" if isinstance(op, ops.Floor) else "ceil"
        return self.if_(sg.not_(sge.paren(in_range)), self.f.raise_error(sge.Literal.string(
            f"{name}(): the value is not a finite int64 (the notebook's DuckDB raises a "
            "Conversion Error)")), cast(self.f[name](x.copy()), "bigint"))

    visit_Floor = visit_Ceil = _whole_checked

    def visit_Cast(self, op, *, arg, to):
        # DuckDB casts a double to an integer by rounding half to even (2.5 -> 2, -0.5 -> 0,
        # measured on Parquet columns; a literal like 2.5 is a DECIMAL there and rounds half
        # away) and raises on NaN, ±inf and out of range; Spark truncates (2.7 -> 2): bround()
        # first, then Spark's ANSI cast, which raises the same way
        if op.arg.dtype.is_floating() and to.is_integer():
            rounded = self.f.bround(cast(arg, "double"), sge.Literal.number(0))
            if to.nbytes == 8:
                # Spark's ANSI check compares in double, where int64's maximum rounds to 2^63:
                # 2^63 itself would pass as 9223372036854775807; DuckDB raises
                return self.if_(self._beyond_int64(rounded), self.f.raise_error(
                    sge.Literal.string("cast to int64: the value is out of range (the "
                                       "notebook's DuckDB raises a Conversion Error)")),
                    self.cast(rounded.copy(), to))
            return self.cast(rounded, to)
        if op.arg.dtype.is_string() and _TEXT_TARGET(to):
            # Spark's text casts read other forms than DuckDB's ('1.5' and '0x10' are integers
            # there, ' true ' is not a boolean): the runtime's reader (DuckDbCast.java), and a
            # failure where DuckDB's CAST raises
            value = self._text_value(arg, to)
            return self.f.coalesce(value, self.if_(arg.copy().is_(NULL), NULL, self.f.raise_error(
                sge.Literal.string(f"cast to {to}: the text is not a {to} value (the notebook's "
                                   "DuckDB raises a Conversion Error)"))))
        return super().visit_Cast(op, arg=arg, to=to)

    def _beyond_int64(self, x):
        # 2^63 and beyond, or below -2^63 (NaN compares false: Spark's own check fails on it)
        return sg.or_(x >= double("9.223372036854775808E18"),
                      x.copy() < double("-9.223372036854775808E18"))

    def _text_value(self, arg, to):
        if to.is_integer():
            return cast(self.f.nb2jvm_duckdb_try_int(arg, sge.Literal.number(to.nbytes * 8)),
                        self.type_mapper.from_ibis(to).sql("spark"))
        if to.is_float64():
            return self.f.nb2jvm_duckdb_try_double(arg)
        return self.f.nb2jvm_duckdb_try_bool(arg)

    def visit_TryCast(self, op, *, arg, to):
        # as visit_Cast (half-even rounding of a double to an integer), with NULL where the cast
        # fails: NaN, ±inf and out of range are NULL in both engines' try_cast
        if op.arg.dtype.is_floating() and to.is_integer():
            arg = self.f.bround(cast(arg, "double"), sge.Literal.number(0))
            if to.nbytes == 8:  # see visit_Cast
                return self.if_(self._beyond_int64(arg), NULL, sge.TryCast(
                    this=arg.copy(), to=self.type_mapper.from_ibis(to), safe=True))
        if op.arg.dtype.is_string() and _TEXT_TARGET(to):
            return self._text_value(arg, to)  # see visit_Cast
        return sge.TryCast(this=arg, to=self.type_mapper.from_ibis(to), safe=True)

    def visit_ArraySum(self, op, *, arg):
        # DuckDB's list_sum/list_avg skip NULL elements (NULL when none is left); ibis's Spark
        # fold adds a NULL element into its running sum, which the next element then drops:
        # the NULLs are filtered out first
        return super().visit_ArraySum(op, arg=self._without_nulls(arg))

    def visit_ArrayMean(self, op, *, arg):
        # as visit_ArraySum
        return super().visit_ArrayMean(op, arg=self._without_nulls(arg))

    def _without_nulls(self, arg):
        x = sg.to_identifier("nb2jvm_x", quoted=True)
        return self.f.filter(arg, sge.Lambda(this=x.is_(sg.not_(NULL)), expressions=[x]))

    def visit_Sign(self, op, *, arg):
        # DuckDB's sign(NaN) is 0, Spark's signum(NaN) is NaN
        if not op.arg.dtype.is_floating():
            return super().visit_Sign(op, arg=arg)
        x = atom(cast(arg, "double"))
        return self.if_(self.f.isnan(x), double("0.0"), self.f.signum(x.copy()))

    # DuckDB raises outside the trigonometric functions' domains (acos/asin beyond [-1, 1],
    # sin/cos/tan/cot of ±inf: "out of range for numeric function"), where Spark returns NaN;
    # NaN itself passes through both
    _TRIG = {ops.Acos: ("acos", "outside"), ops.Asin: ("asin", "outside"),
             ops.Sin: ("sin", "infinite"), ops.Cos: ("cos", "infinite"),
             ops.Tan: ("tan", "infinite"), ops.Cot: ("cot", "infinite")}

    def _trig(self, op, *, arg):
        name, domain = self._TRIG[type(op)]
        x = atom(cast(arg, "double"))
        bad = sg.or_(x < double("-1.0"), x.copy() > double("1.0")) if domain == "outside" \
            else sg.or_(x.eq(double("Infinity")), x.copy().eq(double("-Infinity")))
        message = (f"{name.upper()} is undefined outside [-1,1]" if domain == "outside" else
                   "input value is out of range for numeric function")
        return self.if_(sge.paren(bad), self.f.raise_error(sge.Literal.string(
            f"{name}(): {message} (the notebook's DuckDB raises)")), self.f[name](x.copy()))

    visit_Acos = visit_Asin = visit_Sin = visit_Cos = visit_Tan = visit_Cot = _trig

    def visit_Atan2(self, op, *, left, right):
        # Spark's atan2 adds 0.0 to both arguments (-0.0 becomes 0.0): the runtime's
        # Math.atan2, the C library's function that DuckDB calls (DuckDbMath.java)
        return self.f.nb2jvm_duckdb_atan2(cast(left, "double"), cast(right, "double"))

    def _shift_width(self, op) -> int:
        # DuckDB shifts in its own type of the operands, which ibis's types do not tell: an
        # int32 >> int32 is an INTEGER of width 32 where ibis types it int64, a length() or a
        # year() is a BIGINT where ibis says int32, a sum a HUGEINT.  Only operands whose DuckDB
        # type is known are lowered (shift_width)
        return shift_width(op)

    def visit_BitwiseLeftShift(self, op, *, left, right):
        # DuckDB's << (measured over int64 values and shifts from -65 to 65): fails on a
        # negative value, a negative shift, a shift of the width or more (except of 0) and on
        # an overflow into the sign bit; Spark's shiftleft() takes the shift modulo the width
        # and wraps
        width = self._shift_width(op)
        left, right = atom(left), atom(right)

        def fail(message):
            return self.f.raise_error(sge.Literal.string(f"<<: {message} (the notebook's "
                                                         "DuckDB raises)"))

        zero = sge.Literal.number(0)
        limit = self.f.shiftleft(cast(sge.Literal.number(1), "bigint"), cast(sge.Sub(
            this=sge.Literal.number(width - 1), expression=right.copy()), "int"))
        return sge.Case(ifs=[
            sge.If(this=sg.or_(left.is_(NULL), right.is_(NULL)), true=NULL),
            sge.If(this=left.copy() < zero, true=fail("cannot left-shift a negative number")),
            sge.If(this=right.copy() < zero.copy(), true=fail("cannot left-shift by a negative "
                                                              "number")),
            sge.If(this=right.copy() >= sge.Literal.number(width), true=self.if_(
                left.copy().eq(0), cast(zero.copy(), _int_type(width)),
                fail("shift out of range"))),
            sge.If(this=right.copy().eq(0), true=cast(left.copy(), _int_type(width))),
            sge.If(this=cast(left.copy(), "bigint") >= limit, true=fail("overflow")),
        ], default=self.f.shiftleft(cast(left.copy(), _int_type(width)),
                                         cast(right.copy(), "int")))

    def visit_BitwiseRightShift(self, op, *, left, right):
        # DuckDB's >> is 0 for a negative shift or one of the width or more (measured as for
        # <<); Spark's shiftright() takes the shift modulo the width
        width = self._shift_width(op)
        left, right = atom(left), atom(right)
        zero = sge.Literal.number(0)
        return sge.Case(ifs=[
            sge.If(this=sg.or_(left.is_(NULL), right.is_(NULL)), true=NULL),
            sge.If(this=sg.or_(right.copy() < zero, right.copy() >= sge.Literal.number(width)),
                   true=cast(zero.copy(), _int_type(width)))],
            default=self.f.shiftright(cast(left.copy(), _int_type(width)),
                                          cast(right.copy(), "int")))


_SHIFT_INPUTS = (ops.UnboundTable, ops.DatabaseTable, ops.InMemoryTable)


def _column_width(rel, name: str) -> int | None:
    # the DuckDB width of a relation's column: an input's own type, or the expression a
    # projection gives it, through filters, sorts and limits
    if isinstance(rel, _SHIFT_INPUTS):
        dtype = rel.schema[name]
        if not dtype.is_signed_integer() or dtype.nbytes < 4:
            raise ValueError(f"a shift of a {dtype} column: only int32 and int64 are verified")
        return dtype.nbytes * 8
    values = getattr(rel, "values", None)
    if isinstance(rel, ops.Project) and name in values:
        return _operand_width(values[name])
    if isinstance(rel, (ops.Filter, ops.Sort, ops.Limit)):
        return _column_width(rel.parent, name)
    raise ValueError("a shift of a column computed by a join, an aggregate or a window: "
                     "DuckDB's integer type for it is not known")


def _operand_width(node) -> int | None:
    """DuckDB's width of a shift operand, None for a literal (which takes the other's type)."""
    if isinstance(node, ops.Literal):
        return None
    if isinstance(node, ops.Cast) and node.to.is_signed_integer() and node.to.nbytes >= 4:
        return node.to.nbytes * 8
    if isinstance(node, ops.Field):
        return _column_width(node.rel, node.name)
    if isinstance(node, (ops.Negate, ops.Abs)):
        return _operand_width(node.arg)
    if isinstance(node, (ops.BitwiseLeftShift, ops.BitwiseRightShift)):
        return shift_width(node)
    if isinstance(node, ops.IfElse):
        widths = [w for w in (_operand_width(node.true_expr), _operand_width(node.false_null_expr))
                  if w is not None]
        return max(widths) if widths else None
    raise ValueError(f"a shift of an integer computed by {type(node).__name__}: DuckDB's integer "
                     "type for it may be wider than ibis's; cast it to int32 or int64 first")


def _literal_width(node) -> int:
    value = node.value
    return 32 if -(2 ** 31) <= value < 2 ** 31 else 64


def shift_width(op) -> int:
    """The width DuckDB shifts ``op``'s operands in: that of the wider operand, where a literal
    takes the other operand's type when it fits it (DuckDB's integer literals)."""
    widths = [_operand_width(node) for node in (op.left, op.right)]
    known = [w for w in widths if w is not None]
    if not known:
        raise ValueError("a shift of two literals")
    literals = [_literal_width(node) for node, w in zip((op.left, op.right), widths)
                if w is None and node.value is not None]
    return max(known + literals)


def _TEXT_TARGET(to) -> bool:
    """The types the runtime reads text into as DuckDB does (DuckDbCast.java)."""
    return to.is_signed_integer() or to.is_float64() or to.is_boolean()


def _int_type(width: int) -> str:
    return "int" if width == 32 else "bigint"
