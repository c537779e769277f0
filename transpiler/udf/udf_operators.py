"""A UDF's operators as Scala: arithmetic with Python's int and float rules, comparisons
(chained, int/float exact, ``in``, ``is``), for
:class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin)."""

from __future__ import annotations

from ..ir import cellast as A
from .typed import NUMERIC, Ex, float_literal
from .udf_lists import EMPTY, LISTS, tuple_names

# lists whose == is Java's Arrays.equals (a float list is not: -0.0 == 0.0, and NaN items
# compare by identity in Python)
EQUAL_LISTS = ("list[str]", "list[int]", "list[bool]")
from .udf_tables import TEMPORAL, TEMPORAL_BINOPS


class OperatorTranslation:
    """The operator part of the UDF translator."""

    def _binop(self, op: str, a: Ex, b: Ex, node: A.Node) -> Ex:
        if a.type in TEMPORAL or b.type in TEMPORAL:
            types = [("int" if t == "bool" else t) for t in (a.type, b.type)]
            if (types[0], op, types[1]) not in TEMPORAL_BINOPS:
                raise self._err(node, f"unsupported operand types for {op}: {a.type} and "
                                f"{b.type}", "U120")
            result, template = TEMPORAL_BINOPS[types[0], op, types[1]]
            code = template.format(*(self._long(e, node, op) if t == "int" else
                                     self._as(e, t, node, op) for e, t in zip((a, b), types)))
            return Ex(self._from_long(code) if result == "int" else code, result)
        if op == "+" and a.type == b.type == "str":
            return Ex(f"({a.code} + {b.code})", "str")
        if a.type in (*LISTS, EMPTY) or b.type in (*LISTS, EMPTY):
            return self._list_binop(op, a, b, node)
        if op == "*" and {a.type, b.type} in ({"str", "int"}, {"str", "bool"}):
            s, k = (a, b) if a.type == "str" else (b, a)
            return Ex(f"PyStr.repeat({s.code}, {self._long(k, node, '*')})", "str")
        if a.type not in NUMERIC or b.type not in NUMERIC:
            raise self._err(node, f"unsupported operand types for {op}: {a.type} and {b.type}",
                            "U120")
        if (a.mixed or b.mixed) and op != "/":
            # with a float the result is a float either way; with an int it is not
            other = b if a.mixed else a
            if other.mixed or other.type != "float":
                self._not_mixed(a if a.mixed else b, node, f"'{op}' with an int")
        if op in ("&", "|", "^", "<<", ">>"):
            if a.type == b.type == "bool" and op not in ("<<", ">>"):
                return Ex(f"({a.code} {op} {b.code})", "bool")
            if "float" in (a.type, b.type):
                raise self._err(node, f"unsupported operand types for {op}: {a.type} and "
                                f"{b.type} (Python raises TypeError)", "U120")
            x, y = self._as(a, 'int', node, op), self._as(b, 'int', node, op)
            name = {"&": "and", "|": "or", "^": "xor", "<<": "lshift", ">>": "rshift"}[op]
            if self.wide:
                return Ex(f"PyBig.{name}({x}, {y})", "int")
            if op in ("<<", ">>"):  # Python's shifts: a negative count raises, >> floors
                return Ex(f"Py.{name}({x}, {y})", "int")
            return Ex(f"({x} {op} {y})", "int")
        t = "float" if "float" in (a.type, b.type) else "int"
        x, y = self._as(a, t, node, op), self._as(b, t, node, op)
        if op == "/":
            # a literal non-zero divisor cannot raise: plain IEEE division (the same result)
            if t == "float" and isinstance(b.const, (int, float)) and b.const and \
                    not isinstance(b.const, bool) and abs(b.const) <= 2 ** 53:
                return Ex(f"({x} / {float_literal(float(b.const))})", "float")
            return Ex(f"{'PyBig' if self.wide and t == 'int' else 'Py'}.truediv({x}, {y})",
                      "float")
        if t == "int" and op == "**" and isinstance(b.const, int) and b.const < 0:
            # Python's int ** negative int is float(a) ** float(b) (CPython's long_pow): a
            # float, with float pow's errors (0 ** -2 raises ZeroDivisionError)
            return Ex(f"Py.pow({self._as(a, 'float', node, op)}, "
                      f"{float_literal(float(b.const))})", "float")
        if t == "int":
            fn = {"+": "add", "-": "sub", "*": "mul", "//": "floordiv", "%": "mod",
                  "**": "pow"}.get(op)
        else:
            if op in ("+", "-", "*"):
                return Ex(f"({x} {op} {y})", "float")
            fn = {"//": "floordiv", "%": "mod", "**": "pow"}.get(op)
        if fn is None:
            raise self._err(node, f"operator {op} is not supported in a UDF")
        lib = 'PyBig' if self.wide and t == 'int' else 'Py'
        if t == "int" and op == "**" and not (isinstance(b.const, int) and b.const >= 0):
            # the exponent's sign shows only at run time: where a float is wanted, Python's
            # value on every row (a float when it is negative)
            return Ex(f"{lib}.pow({x}, {y})", t, float_code=f"{lib}.powAsFloat({x}, {y})")
        return Ex(f"{lib}.{fn}({x}, {y})", t)

    def visit_BinOp(self, n: A.BinOp) -> Ex:
        return self._binop(n.op, self.visit(n.left), self.visit(n.right), n)

    def visit_BoolOp(self, n: A.BoolOp) -> Ex:
        a, b = self.visit(n.left), self.visit(n.right)
        if a.type != b.type:
            raise self._err(n, f"'{n.op}' returns one of its operands, here a {a.type} or a "
                            f"{b.type}; give both the same type (or use it in a condition)",
                            "U120")
        t = self._fresh("t")
        branch = f"{b.code} else {t}" if n.op == "and" else f"{t} else {b.code}"
        return Ex(f"{{ val {t} = {a.code}; if ({self._truthy(Ex(t, a.type))}) {branch} }}",
                  a.type, mixed=a.mixed or b.mixed)

    def visit_IfExp(self, n: A.IfExp) -> Ex:
        cond, a, b = self.cond(n.test), self.visit(n.body), self.visit(n.orelse)
        t = a.type if a.type == b.type else "float" if {a.type, b.type} <= {"int", "float"} \
            else None
        if t is None:
            raise self._err(n, f"the two branches give a {a.type} and a {b.type}; give them one "
                            "type", "U120")
        def side(e: Ex) -> str:
            return self._mixing(e, n, "if") if t == "float" else self._as(e, t, n, "if")
        return Ex(f"(if ({cond}) {side(a)} else {side(b)})", t,
                  mixed=a.mixed or b.mixed or a.type != b.type)

    _CMP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
    _PY_CMP = {"==": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
    _FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

    def _compare(self, op: str, a: Ex, b: Ex, right: A.Node, node: A.Node) -> str:
        if op in ("is", "is not"):
            if not (isinstance(right, A.Const) and right.value is None):
                raise self._err(node, "'is' is only supported with None in a UDF")
            if a.type == "match":  # re's None is null
                return f"({a.code} {'==' if op == 'is' else '!='} null)"
            # NULL inputs never reach the body (the notebook's engine skips the call), and no
            # other UDF value is None, so `x is None` is always False.
            return "false" if op == "is" else "true"
        if op in ("in", "not in"):
            neg = "!" if op == "not in" else ""
            if isinstance(right, A.Collection):
                items = [self.visit(i) for i in right.items]
                tests = [self._compare("==", a, i, i, node) for i in items] or ["false"]
                return f"{neg}({' || '.join(tests)})"
            if b.type == "str" and a.type == "str":
                return f"{neg}{b.code}.contains({a.code})"
            if b.type == "list[str]" and a.type == "str":
                return f"{neg}PyStr.contains({b.code}, {a.code})"
            if self._placeholder_dict(right) is not None:
                self._dict_guess(right, a.type, None)
                b = self.visit(right)
            if b.type.startswith(("dict[", "set[")):
                k = self._dict_types(b.type)[0] if b.type.startswith("dict[") else \
                    b.type[len("set["):-1]
                return f"{neg}PyDict.contains({b.code}, {self._key(a, k, node)})"
            if b.type in ("list[int]", "list[float]"):
                t = b.type[len("list["):-1]
                if a.type not in NUMERIC or (t == "int" and a.type == "float"):
                    raise self._err(node, f"'in' of a {a.type} in a list of {t}", "U120")
                if t == "int" and self.wide:
                    # an int beyond 64 bits is in no list of longs (never an OverflowError)
                    k = self._fresh("k")
                    return (f"{neg}{{ val {k} = PyBig.key({self._as(a, 'int', node, 'in')}); "
                            f"{k} != null && PyDict.contains({b.code}, {k}.longValue) }}")
                code = self._as(a, t, node, "in") if t == "int" else \
                    self._mixing(a, node, "in")  # an int compares exactly: a limit beyond 2**53
                # a local float list may hold a NaN object (PyList: Python tests identity)
                return f"{neg}{'PyList' if t == 'float' else 'PyDict'}.contains({b.code}, {code})"
            raise self._err(node, f"'in' with a {b.type} on the right is not supported", "U120")
        if a.type == b.type and a.type in TEMPORAL:
            return f"({a.code} {op} {b.code})"
        if a.type == b.type == "str":
            if op in ("==", "!="):
                return f"({a.code} {op} {b.code})"
            return f"(PyStr.compare({a.code}, {b.code}) {op} 0)"
        if a.type in NUMERIC and b.type in NUMERIC:
            if a.type == b.type == "bool" or "float" not in (a.type, b.type) or \
                    a.type == b.type:
                t = "int" if a.type != b.type else a.type
                x, y = self._as(a, t, node, op), self._as(b, t, node, op)
                if self.wide and t == "int":
                    return f"(PyBig.cmp({x}, {y}) {op} 0)"
                return f"({x} {op} {y})"
            # int vs float: Python compares exactly (2**53 + 1 != 2.0**53); Java would round.
            # An int literal that a double holds exactly compares as that double.
            lit = a if a.type != "float" else b
            if type(lit.const) is int and abs(lit.const) <= 2 ** 53:
                x, y = (float_literal(float(a.const)), b.code) if lit is a else \
                    (a.code, float_literal(float(b.const)))
                return f"({x} {op} {y})"
            if a.type != "float":
                x, y, o = self._as(a, "int", node, op), b.code, op
            else:
                x, y, o = self._as(b, "int", node, op), a.code, self._FLIP[op]
            lib = "PyBig" if self.wide else "Py"
            if o == "!=":
                return f"!{lib}.eq({x}, {y})"
            return f"{lib}.{self._PY_CMP[o]}({x}, {y})"
        if op in ("==", "!=") and {a.type, b.type} <= {*EQUAL_LISTS, EMPTY} and \
                (a.type == b.type or EMPTY in (a.type, b.type)):
            # item by item, as Python's list == (str by value, ints and bools exactly); a
            # Scala Array[String] is no Array[Object] (invariant), which Arrays.equals takes
            cast = ".asInstanceOf[Array[Object]]" if a.type == "list[str]" else ""
            test = f"({(a if b.type == EMPTY else b).code}.length == 0)" \
                if EMPTY in (a.type, b.type) else \
                f"java.util.Arrays.equals({a.code}{cast}, {b.code}{cast})"
            return test if op == "==" else f"!{test}"
        if a.type == b.type:
            raise self._err(node, f"comparing two {a.type} values with {op} is not supported in a "
                            "UDF", "U120")
        why = "always unequal in Python" if op in ("==", "!=") else "Python raises TypeError"
        raise self._err(node, f"comparing a {a.type} with a {b.type} ({why}); convert one side "
                        "first", "U120")

    def _tuple_like(self, node: A.Node) -> bool:
        """A value that is a tuple in Python (the UDF holds it as a list)."""
        return isinstance(node, A.Collection) and node.kind == "tuple" or \
            isinstance(node, A.Call) and isinstance(node.func, A.Name) and \
            node.func.id == "tuple" or \
            isinstance(node, A.Call) and isinstance(node.func, A.Attribute) and \
            node.func.attr in ("partition", "rpartition") or \
            isinstance(node, A.Name) and (node.id in tuple_names(self.fn.body) or
                                          node.id not in self.locals and
                                          isinstance(self.constants.get(node.id), tuple))

    def visit_Compare(self, n: A.Compare) -> Ex:
        left = self.visit(n.left)
        # a display right of `in` is tested item by item (no list is built)
        for op, c in zip(n.ops, n.comparators):
            if op in ("==", "!=") and (self._tuple_like(n.left) or self._tuple_like(c)):
                raise self._err(n, "== of tuples is not supported in a UDF (a tuple here is a "
                                "list, and Python's list never equals a tuple)", "U120")
        values = [left] + [None if isinstance(c, A.Collection) and op in ("in", "not in") else
                           self.visit(c) if not (isinstance(c, A.Const) and c.value is None)
                           else Ex("null", "None") for op, c in zip(n.ops, n.comparators)]
        if len(n.ops) == 1:
            return Ex(self._compare(n.ops[0], left, values[1], n.comparators[0], n), "bool")
        # a < b < c evaluates b once, and c only when a < b holds (Python stops at the first
        # false comparison: `0 < d < 1 / d` never divides by a zero d)
        steps = list(zip(n.ops, n.comparators, values[1:]))

        def chain(i: int, prev: Ex) -> str:
            op, node, value = steps[i]
            if value is None or value.type == "None":
                test, bind = self._compare(op, prev, value, node, n), ""
            else:
                t = self._fresh("c")
                bind = f"val {t} = {value.code}; "
                value = Ex(t, value.type)
                test = self._compare(op, prev, value, node, n)
            rest = f" && {chain(i + 1, value)}" if i + 1 < len(steps) else ""
            return f"{{ {bind}{test}{rest} }}"
        return Ex(chain(0, left), "bool")
