"""Inline a Python UDF into the feature set's expression when Spark SQL can compute exactly what
Python computes, so Catalyst optimises it instead of calling a compiled function per row.

The body is evaluated symbolically over ibis values (the UDF's arguments): assignments bind
names, ``if``/``elif``/``else`` with ``return`` become ``CASE WHEN``.  Only constructs whose SQL
meaning equals Python's on the values that reach the body are accepted (``INLINE`` below);
anything else returns None and the UDF is compiled instead.  The result still passes the
lowering's op tables, and ``verify`` compares it with the notebook's real Python UDF.

Python vs SQL, and what the rules do about it:
* NULL never reaches a Python UDF (the notebook's engine returns NULL for the row): the inlined
  expression is guarded by ``CASE WHEN argument IS NULL THEN NULL``, for the arguments whose NULL
  would not already make the result NULL (``_null_strict``) or when the body can raise;
* a NaN returned by a Python UDF becomes NULL (measured): float results are guarded likewise;
* comparisons with NaN are False in Python (``!=`` True) where Spark orders NaN above
  everything and has NaN = NaN: float comparisons get explicit ``isnan`` terms where the
  answers differ;
* int vs float comparison is exact in Python and rounds in SQL: not inlined;
* ``/`` by anything but a non-zero constant, ``//``, ``%``, ``**``, string case mapping, ``strip`` and formatting differ in edge cases
  (division by zero raises in Python; whitespace sets and case tables differ): not inlined.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ..ir import cellast as A
from ..ir import udf_ast as U
from .udf_scala import udf_type

DTYPES = {"int": "int64", "float": "float64", "str": "string", "bool": "boolean"}
MAX_NODES = 400  # beyond this a CASE tree is no longer what an expert would write
# Inlined or compiled, whichever is faster (measured, benchmarks/README.md): risk_score, whose SQL
# evaluates `score` again in each condition and branch (repeated work 24 by repeated_work), ran
# 1.2-1.9x the expert inlined and 1.1-1.2x compiled, because Spark's generated code does not
# share work across CASE branches; discount (repeated work 0) ran faster inlined at every size,
# paying no UDF call, boxing or conversion.  The bound sits between the two measured points: a
# few repeated arithmetic operations cost less than a UDF call.
MAX_REPEATED_WORK = 8


class NotInlinable(Exception):
    """The body uses something without an exact SQL equivalent."""


def _kind(value: ir.Value) -> str:
    t = value.type()
    if t.is_boolean():
        return "bool"
    if t.is_integer():
        return "int"
    if t.is_floating():
        return "float"
    if t.is_string():
        return "str"
    raise NotInlinable(str(t))


class _Inliner:
    def __init__(self, fn: U.Function):
        self.fn = fn

    def body(self, stmts, env: dict) -> ir.Value:
        if not stmts:
            raise NotInlinable("falls off the end (returns None)")
        stmt, rest = stmts[0], list(stmts[1:])
        if isinstance(stmt, A.Assign):
            return self.body(rest, {**env, stmt.target: self.value(stmt.value, env)})
        if isinstance(stmt, U.AugAssign):
            current = A.Name(stmt.pos, stmt.target)
            value = self.value(A.BinOp(stmt.pos, stmt.op, current, stmt.value), env)
            return self.body(rest, {**env, stmt.target: value})
        if isinstance(stmt, A.ExprStmt) and isinstance(stmt.value, A.Const):
            return self.body(rest, env)  # a docstring
        if isinstance(stmt, U.Jump) and stmt.kind == "pass":
            return self.body(rest, env)
        if isinstance(stmt, U.Return) and stmt.value is not None:
            return self.value(stmt.value, env)
        if isinstance(stmt, U.If):
            then = self.body(list(stmt.body) + rest, env)
            other = self.body(list(stmt.orelse) + rest, env)
            return ibis.cases((self.cond(stmt.test, env), then), else_=self._same(then, other))
        raise NotInlinable(type(stmt).__name__)

    def _same(self, a: ir.Value, b: ir.Value) -> ir.Value:
        ka, kb = _kind(a), _kind(b)
        if ka == kb:
            return b
        if {ka, kb} == {"int", "float"}:
            raise NotInlinable("branches return int and float")
        raise NotInlinable("branches of different types")

    def cond(self, node, env) -> ir.BooleanValue:
        if isinstance(node, A.BoolOp):
            a, b = self.cond(node.left, env), self.cond(node.right, env)
            return (a & b) if node.op == "and" else (a | b)
        if isinstance(node, A.UnaryOp) and node.op == "not":
            return ~self.cond(node.operand, env)
        value = self.value(node, env)
        kind = _kind(value)
        if kind == "bool":
            return value
        if kind == "int":
            return value != 0
        if kind == "str":
            return value.length() > 0
        return (value != 0.0) | value.isnan()  # NaN is truthy in Python

    def value(self, node, env) -> ir.Value:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise NotInlinable(type(node).__name__)
        return method(node, env)

    def visit_Name(self, node, env):
        if node.id not in env:
            raise NotInlinable(node.id)
        return env[node.id]

    def visit_Const(self, node, env):
        v = node.value
        for py, dtype in ((bool, "boolean"), (int, "int64"), (float, "float64"), (str, "string")):
            if isinstance(v, py):
                if py is int and not -(2**63) <= v < 2**63:
                    raise NotInlinable("int literal")
                return ibis.literal(v, type=dtype)
        raise NotInlinable(repr(v))

    def visit_BinOp(self, node, env):
        a, b = self.value(node.left, env), self.value(node.right, env)
        ka, kb = _kind(a), _kind(b)
        if node.op == "+" and ka == kb == "str":
            return a + b
        if node.op == "/" and isinstance(node.right, A.Const) and not isinstance(
                node.right.value, bool) and isinstance(node.right.value, (int, float)) and \
                node.right.value != 0 and ka == "float":
            # A float by a non-zero constant: IEEE division on both sides, no raise.  (An int
            # dividend is not inlined: Python divides big ints exactly, a cast rounds first.)
            return a / ibis.literal(float(node.right.value), type="float64")
        if node.op not in ("+", "-", "*") or "bool" in (ka, kb) or "str" in (ka, kb):
            raise NotInlinable(f"operator {node.op}")
        if ka != kb:  # int with float: Python converts the int exactly as a SQL cast does
            a, b = a.cast("float64"), b.cast("float64")
        return {"+": a + b, "-": a - b, "*": a * b}[node.op]

    def visit_UnaryOp(self, node, env):
        if node.op == "not":
            return ~self.cond(node.operand, env)
        v = self.value(node.operand, env)
        if node.op == "-" and _kind(v) in ("int", "float"):
            return -v
        raise NotInlinable(f"unary {node.op}")

    def visit_BoolOp(self, node, env):
        a, b = self.value(node.left, env), self.value(node.right, env)
        if _kind(a) == _kind(b) == "bool":
            return (a & b) if node.op == "and" else (a | b)
        raise NotInlinable("and/or returning non-bool operands")

    def visit_IfExp(self, node, env):
        a, b = self.value(node.body, env), self.value(node.orelse, env)
        return ibis.ifelse(self.cond(node.test, env), a, self._same(a, b))

    _OPS = {"==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__",
            ">=": "__ge__"}

    def _compare(self, op, a, b, a_literal=False, b_literal=False) -> ir.BooleanValue:
        ka, kb = _kind(a), _kind(b)
        if ka != kb:
            raise NotInlinable(f"comparing {ka} with {kb}")
        result = getattr(a, self._OPS[op])(b)
        if ka != "float":
            return result
        # Python: every comparison with NaN is False, except !=.  Spark orders NaN above every
        # number and has NaN = NaN, so against a literal (never NaN: Python has no NaN literal)
        # it already agrees unless the NaN side is the greater one (x > 1.0, 1.0 < x).
        greater = {">": a, ">=": a, "<": b, "<=": b}.get(op)
        nans = [x.isnan() for x, lit in ((a, a_literal), (b, b_literal))
                if not lit and (greater is x or not (a_literal or b_literal))]
        if not nans:
            return result
        either = nans[0] if len(nans) == 1 else nans[0] | nans[1]
        return (result | either) if op == "!=" else (result & ~either)

    def visit_Compare(self, node, env):
        if len(node.ops) != 1:
            raise NotInlinable("chained comparison")
        op, right = node.ops[0], node.comparators[0]
        left = self.value(node.left, env)
        if op in ("in", "not in"):
            if isinstance(right, A.Collection):
                items = [self.value(i, env) for i in right.items]
                if not items or any(_kind(i) != _kind(left) for i in items) or \
                        _kind(left) == "float":
                    raise NotInlinable("in")
                result = left.isin(items)
            else:
                haystack = self.value(right, env)
                if _kind(left) != "str" or _kind(haystack) != "str":
                    raise NotInlinable("in")
                result = haystack.contains(left)
            return ~result if op == "not in" else result
        if op not in self._OPS:
            raise NotInlinable(op)
        value = self.value(right, env)
        # An int literal up to 2**53 converts to float exactly, so comparing it with a float
        # in SQL (as a double) is Python's exact comparison.
        if _kind(left) == "float" and _kind(value) == "int" and _small_literal(right):
            value = ibis.literal(float(_literal_value(right)), type="float64")
        elif _kind(left) == "int" and _kind(value) == "float" and _small_literal(node.left):
            left = ibis.literal(float(_literal_value(node.left)), type="float64")
        return self._compare(op, left, value, _is_literal(node.left), _is_literal(right))

    def visit_Call(self, node, env):
        f = node.func
        if node.keywords:
            raise NotInlinable("keywords")
        args = [self.value(a, env) for a in node.args]
        if isinstance(f, A.Name) and f.id == "len" and len(args) == 1 and _kind(args[0]) == "str":
            return args[0].length().cast("int64")
        if isinstance(f, A.Name) and f.id == "abs" and len(args) == 1 and \
                _kind(args[0]) in ("int", "float"):
            return args[0].abs()
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and f.value.id == "math" \
                and f.attr == "isnan" and len(args) == 1 and _kind(args[0]) == "float":
            return args[0].isnan()
        if isinstance(f, A.Attribute) and f.attr in ("startswith", "endswith") and \
                len(args) == 1:
            recv = self.value(f.value, env)
            if _kind(recv) == "str" and _kind(args[0]) == "str":
                return getattr(recv, f.attr)(args[0])
        raise NotInlinable("call")


def _is_literal(node) -> bool:
    if isinstance(node, A.UnaryOp) and node.op == "-":
        node = node.operand
    return isinstance(node, A.Const)


def _literal_value(node):
    if isinstance(node, A.UnaryOp) and node.op == "-":
        return -node.operand.value
    return node.value


def _small_literal(node) -> bool:
    if isinstance(node, A.UnaryOp) and node.op == "-":
        node = node.operand
    return isinstance(node, A.Const) and isinstance(node.value, int) and \
        not isinstance(node.value, bool) and abs(node.value) <= 2**53


def _size(value: ir.Value) -> int:
    import ibis.expr.operations as ops

    return sum(1 for _ in value.op().find(ops.Node))


def repeated_work(value: ir.Value) -> int:
    """Computations the SQL text evaluates more than once: for each computed node met again in
    the expression tree (ibis shares it, SQL spells it out), the arithmetic, string and math
    operations under it.  Tests, casts and guards on values (comparisons, IS NULL, isnan, CASE,
    NULLIF) cost next to nothing and are not counted."""
    import ibis.expr.operations as ops

    free = (ops.Field, ops.Literal, ops.Cast, ops.Comparison, ops.And, ops.Or, ops.Not,
            ops.IsNull, ops.NotNull, ops.IsNan, ops.IfElse, ops.SearchedCase, ops.NullIf,
            ops.Coalesce)
    seen: dict = {}

    def walk(node) -> int:
        if isinstance(node, (ops.Field, ops.Literal)):
            return 0
        size = (0 if isinstance(node, free) else 1) + sum(walk(child)
                                                          for child in node.__children__)
        count, _ = seen.get(node, (0, size))
        seen[node] = (count + 1, size)
        return size

    walk(value.op())
    return sum((count - 1) * size for count, size in seen.values())


def _null_strict(value: ir.Value, arg) -> bool:
    """Whether ``value`` is NULL whenever ``arg`` is, whatever the other arguments are: then the
    guard for ``arg`` is redundant (Python never sees the NULL; the SQL returns it anyway)."""
    import ibis.expr.operations as ops

    def strict(node) -> bool:
        if node == arg:
            return True
        if isinstance(node, (ops.Cast, ops.Negate, ops.Abs)):
            return strict(node.arg)
        if isinstance(node, ops.NullIf):
            return strict(node.arg)
        if isinstance(node, (ops.Add, ops.Subtract, ops.Multiply, ops.Divide)):
            return strict(node.left) or strict(node.right)
        if isinstance(node, ops.StringConcat):
            return any(strict(a) for a in node.arg)
        # every branch NULL: whichever a NULL test picks, the result is NULL
        if isinstance(node, ops.SearchedCase):
            return all(strict(r) for r in node.results) and strict(node.default)
        if isinstance(node, ops.IfElse):
            return strict(node.true_expr) and strict(node.false_null_expr)
        return False

    return strict(value.op())


def _can_raise(value: ir.Value) -> bool:
    """Whether Spark (ANSI) can raise evaluating ``value``: integer arithmetic overflows, casts
    from non-numbers.  A
    guard is kept then, so that a row Python never computes (a NULL argument) cannot fail."""
    import ibis.expr.operations as ops

    arith = (ops.Add, ops.Subtract, ops.Multiply, ops.Negate, ops.Abs)
    return any(node.dtype.is_integer() for node in value.op().find(arith)) or any(
        not node.arg.dtype.is_numeric() for node in value.op().find(ops.Cast))


def _int_intermediate(value: ir.Value) -> bool:
    """Whether integer arithmetic computes a value that is not itself the result: Python
    computes it exactly (an unbounded int, e.g. 3 * x beyond 64 bits) where Spark's BIGINT
    raises, so what is built from it (3 * x - 7, 3 * x > 10) can differ.  Such a body is
    compiled (with its exact variant), never inlined.  At a result position an overflow fails
    both: the notebook's engine refuses an int beyond BIGINT."""
    import ibis.expr.operations as ops

    arith = (ops.Add, ops.Subtract, ops.Multiply, ops.Negate, ops.Abs, ops.Power,
             ops.FloorDivide, ops.Modulus)

    # by path from the root, not by node: ibis nodes compare by structure, so the `x * 3`
    # of a condition and the `x * 3` of a branch are one node
    def bad(node, at_result: bool) -> bool:
        if isinstance(node, ops.IfElse):
            return bad(node.bool_expr, False) or bad(node.true_expr, at_result) or \
                bad(node.false_null_expr, at_result)
        if isinstance(node, ops.SearchedCase):
            return any(bad(c, False) for c in node.cases) or \
                any(bad(r, at_result) for r in node.results) or bad(node.default, at_result)
        if isinstance(node, ops.Cast):
            return bad(node.arg, at_result)
        if isinstance(node, arith) and node.dtype.is_integer() and not all(
                isinstance(a, ops.Literal) for a in node.args):
            if not at_result:
                return True
            return any(bad(a, False) for a in node.args if isinstance(a, ops.Node))
        return any(bad(a, False) for a in node.args if isinstance(a, ops.Node))

    return bad(value.op(), True)


def inline(fn: U.Function, args: list[ir.Value], always: bool = False) -> ir.Value | None:
    """The UDF's body as an ibis expression over ``args``, or None if it is not inlinable (or,
    unless ``always``, if its SQL would repeat work: compiled is the faster form then)."""
    try:
        params = [(name, udf_type(t, fn.pos)) for name, t in fn.params]
        returns = udf_type(fn.returns, fn.pos)
        env = {}
        for (name, kind), arg in zip(params, args):
            env[name] = arg.cast(DTYPES[kind])
        if any(isinstance(s, U.Function) for s in fn.body):
            return None
        result = _Inliner(fn).body(list(fn.body), env)
        if _kind(result) != returns and not (returns == "float" and _kind(result) == "int"):
            return None
        if _int_intermediate(result):
            return None
        result = result.cast(DTYPES[returns])
        if returns == "float":
            # A NaN returned by a Python UDF becomes NULL (measured).  NULLIF references the
            # result once; Spark's NaN = NaN is true, so it matches exactly the NaNs.
            result = result.nullif(ibis.literal(float("nan"), type="float64"))
        null_arg = None
        may_raise = _can_raise(result)
        for arg, name in zip(args, env):
            if not may_raise and _null_strict(result, env[name].op()):
                continue  # a NULL already propagates to the result: no guard to evaluate
            null_arg = arg.isnull() if null_arg is None else null_arg | arg.isnull()
        if null_arg is not None:
            result = ibis.cases((null_arg, ibis.null(DTYPES[returns])), else_=result)
        if _size(result) > MAX_NODES or (not always and
                                         repeated_work(result) > MAX_REPEATED_WORK):
            return None
        return result
    except NotInlinable:
        return None
    except Exception:  # an ibis type error: leave this UDF to the compiler
        return None
