"""UDF bodies -> Scala, type-checked from the annotations, with Python's semantics.

One :class:`FunctionTranslator` per Python function: a visitor with ``visit_<Node>`` per
expression kind returning a typed Scala expression (:class:`Ex`), statements emitted as lines.
Python semantics that differ from the JVM's live in the runtime library (``Py``, ``PyStr``,
``PyFormat`` in ``runtime-jvm/``), called from the generated code; the tables of calls are in
:mod:`transpiler.udf.udf_tables`.  Anything outside the tables is refused with its position.

Generated identifiers are prefixed and ASCII-mangled (``v_name``, ``p_name``), and string
constants that are not plain ASCII are built from code points, so neither a name nor a literal
from the notebook can break or inject into the Scala source.
"""

from __future__ import annotations

import re

from ..ir import cellast as A
from ..ir import udf_ast as U
from .typed import NUMERIC, Ex, Signature, UdfError, float_literal, mangle
from .udf_loops import LoopTranslation
from .udf_statements import StatementTranslation
from .udf_values import ValueTranslation
from .udf_lists import EMPTY, LISTS, MUTATORS, ListTranslation, mutated_names, over
from .udf_regex import RegexTranslation
from .udf_sets import SetTranslation, is_set
from .udf_tables import (ARG_CHECK, BOX, ATTRIBUTES, BUILTINS, CONSTRUCTORS, DEFAULT, MATH,
                         MATH_CONSTANTS, UNICODEDATA, SCALA, STR_METHODS, TEMPORAL,
                         TEMPORAL_BINOPS, TEMPORAL_METHODS, TO_STR, TRUTHY, TYPES, WIDE_DEFAULT,
                         WIDE_SCALA, WIDE_TEMPLATES, WIDE_TO_STR, WIDE_TRUTHY)

# the str methods whose int arguments are positions, clamped as slice bounds are
CLAMPED = ("str.find", "str.rfind", "str.index", "str.rindex", "str.count", "str.startswith",
           "str.endswith", "math.ldexp")  # ldexp's exponent too (CPython clamps it)


def udf_type(annotation: str, pos: A.Pos) -> str:
    """A UDF type from an annotation; ``Optional[X]``/``X | None`` is X (NULLs never enter)."""
    text = annotation.strip()
    match = re.match(r"^(?:typing\.)?Optional\[(.+)\]$", text) or \
        re.match(r"^(.+?)\s*\|\s*None$", text) or re.match(r"^None\s*\|\s*(.+)$", text)
    if match:
        text = match.group(1).strip()
    if text in TYPES:
        return TYPES[text]
    raise UdfError("U110", f"type '{annotation}' is not supported in a UDF (int, float, str, "
                   "bool, datetime.date, datetime.datetime, Optional[...])", pos)


class Constants:
    """String constants of one Scala object, as fields built from code points when needed."""

    SAFE = re.compile(r"^[A-Za-z0-9 _.,:;!?@#%&*()+=/<>|~^'\[\]-]*$")

    def __init__(self):
        self.fields: dict[str, str] = {}
        self.values: dict[tuple[str, str], str] = {}

    def string(self, value: str) -> str:
        if self.SAFE.fullmatch(value):  # match's `$` would accept a trailing newline
            return f'"{value}"'
        if value not in self.fields:
            self.fields[value] = f"S{len(self.fields)}"
        return self.fields[value]

    def value(self, scala_type: str, code: str) -> str:
        """A field holding a constant of the cell (one per distinct value)."""
        key = (scala_type, code)
        if key not in self.values:
            self.values[key] = f"K{len(self.values)}"
        return self.values[key]

    def declarations(self) -> list[str]:
        lines = []
        for value, name in self.fields.items():
            cps = ", ".join(str(ord(c)) for c in value)
            lines.append(f"  private val {name}: String = new String(Array[Int]({cps}), 0, "
                         f"{len(value)})")
        # after the strings: a constant's elements may be string fields
        for (scala_type, code), name in self.values.items():
            lines.append(f"  private val {name}: {scala_type} = {code}")
        return lines


MAX_LINES = 1200
CHUNK_LINES = 400



# Runtime calls of the fast path that throw PyWiden when an int leaves 64 bits: a method that
# makes one (or calls a helper that does) gets an exact variant.
WIDENING = re.compile(r"\bPy\.(add|sub|mul|neg|abs|floordiv|pow|toInt|round|floor|ceil|trunc|"
                      r"parseInt|tooBig|lshift|gcd|factorial|comb|perm|lcm)\(")


class FunctionTranslator(StatementTranslation, LoopTranslation, ValueTranslation,
                         ListTranslation, RegexTranslation, SetTranslation):
    """Translate one function; ``functions`` are the helpers it may call, by Python name.

    ``wide`` translates the function's exact variant: every int is a BigInteger (runtime
    ``PyBig``), for the rows on which the fast variant's longs left 64 bits (``PyWiden``).
    """

    def __init__(self, fn: U.Function, sig: Signature, functions: dict[str, Signature],
                 consts: Constants, where: tuple[str, int], names: dict[str, str] | None = None,
                 entry: bool = False, wide: bool = False, constants: dict | None = None,
                 mixed_params: bool = False):
        self.fn, self.sig, self.functions, self.consts = fn, sig, functions, consts
        self.given_functions = dict(functions)  # without the nested ones a pass adds
        self.notebook, self.cell = where
        # what `datetime`, `date`, `timedelta` are bound to in the cell ("module" or a class)
        self.names = names or {}
        self.entry = entry  # called by Spark: check that arguments are in Python's range
        self.wide = wide
        # the cell's literal constants the body reads; a name the function assigns is a local
        # everywhere in it (Python's scoping), never the constant
        bound = bound_names(fn)
        self.constants = {k: v for k, v in (constants or {}).items() if k not in bound}
        # the per-type tables of this variant (an int is a long or a BigInteger)
        self.scala_of, self.default_of, self.truthy_of, self.to_str_of = (
            (WIDE_SCALA, WIDE_DEFAULT, WIDE_TRUTHY, WIDE_TO_STR) if wide
            else (SCALA, DEFAULT, TRUTHY, TO_STR))
        self.locals: dict[str, str] = {}
        self.assigned: set[str] = set()
        self.loops: list[tuple[str, str]] = []
        self.counter = 0
        self.nested: list[tuple[U.Function, Signature]] = []
        self.frame = False
        self.scope: dict[str, Ex] = {}  # comprehension variables (local to their expression)
        self.handling: list[str] = []  # the caught exceptions of the enclosing handlers
        self.mixed_vars: set[str] = set()  # float locals that may hold an int in Python
        # the variant called with an int (or a value that may be one) for a float parameter:
        # Python passes the int, so those parameters are mixed
        if mixed_params:
            self.mixed_vars |= {n for n, t in sig.params if t == "float"}
        self.mixed_calls: set[str] = set()  # the helpers this calls that way
        # int locals that also get floats where a new version cannot start (a loop, a branch):
        # floats from their first assignment on, mixed (Python holds the int until then)
        self.promoted: set[str] = set()
        # locals read where some path did not assign them: a flag each, checked at the read
        # (Python raises UnboundLocalError there, and only when that path runs)
        self.unbound_vars: set[str] = set()
        # a name assigned a value of another type in the function's top-level statements gets
        # a new local ("x#2"): code after that statement reads the new one (sequential code has
        # one version of each name at each point)
        self.version: dict[str, str] = {}
        self.nesting = 0
        # lists: the element types of `[]` locals learnt from their uses, the locals assigned
        # `[]`, what the function mutates in place, the lists loops are running over
        self.list_hints: dict[str, str] = {}
        self.placeholders: set[str] = set()
        self.mutated = mutated_names(fn.body)
        self.iterating: list[str] = []
        self.statement_call: A.Node | None = None  # the call a statement consists of
        self.loop_targets: set[str] = set()  # a loop's variable keeps the loop's type
        # match locals: the patterns each may hold, and those whose groups were read (a later
        # assignment of another pattern would change what was checked)
        self.regex_of: dict[str, tuple] = {}
        self.regex_read: set[str] = set()
        self.frozen_sets: set[str] = set()  # set locals that may be the cell's constant

    # ---- helpers ---------------------------------------------------------------------------

    def _fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _err(self, node: A.Node, message: str, code: str = "U100", hint: str | None = None):
        return UdfError(code, message, node.pos, hint)

    def _long(self, e: Ex, node: A.Node, what: str) -> str:
        """An int where the runtime takes a machine integer (an index, a count, a width)."""
        code = self._as(e, "int", node, what)
        return f"PyBig.index({code})" if self.wide else code

    def _bound(self, e: Ex, node: A.Node, what: str) -> str:
        """A slice bound or search start: Python clamps an int of any size (never raises)."""
        code = self._as(e, "int", node, what)
        return f"PyBig.clamp({code})" if self.wide else f"PyStr.bound({code})"

    def _from_long(self, code: str) -> str:
        """A runtime call's long result as an int of this variant."""
        return f"PyBig.of({code})" if self.wide else code

    def _int_literal(self, v: int) -> Ex:
        if not self.wide:
            # beyond 64 bits only the exact variant holds it: the fast one hands over
            return Ex(f"{v}L" if -(2 ** 63) <= v < 2 ** 63 else "Py.tooBig()", "int", v)
        if -(2 ** 63) <= v < 2 ** 63:
            return Ex(f"PyBig.of({v}L)", "int", v)
        return Ex(f'PyBig.literal("{v}")', "int", v)

    def _not_mixed(self, e: Ex, node: A.Node, what: str) -> None:
        if e.mixed:
            raise self._err(node, f"{what} of a value that Python may hold as an int or as a "
                            "float (a float variable or parameter given an int, `max(0, x)`, "
                            "`1 if c else x`): the two print differently; write 0.0 or "
                            "float(...) to make it a float", "U120")

    def _mixing(self, e: Ex, node: A.Node, what: str) -> str:
        """An int where Python keeps the int and the JVM holds a float (a mixed value): the
        same value only while a double holds it exactly; beyond, the call fails (a limit)."""
        if e.type != "int" or isinstance(e.const, int) and abs(e.const) <= 2 ** 53:
            return self._as(e, "float", node, what)
        return f"{'PyBig' if self.wide else 'Py'}.exactFloat({e.code})"

    def _truthy(self, e: Ex) -> str:
        if e.type not in TRUTHY:  # only None: every other UDF value has a truth value
            raise UdfError("U120", "None has no use as a condition in a UDF", self.fn.pos)
        return self.truthy_of[e.type].format(e.code)

    def _as(self, e: Ex, want: str, node: A.Node, what: str) -> str:
        """``e`` converted to ``want`` where Python converts implicitly (bool -> int -> float)."""
        if e.type == want:
            return e.code
        if want == "float" and e.type == "int":
            if self.wide:
                return f"PyBig.toFloat({e.code})"
            return f"{e.code}.toDouble"
        if want == "float" and e.type == "bool":
            return f"(if ({e.code}) 1.0 else 0.0)"
        if want == "int" and e.type == "bool":
            return f"PyBig.of({e.code})" if self.wide else f"(if ({e.code}) 1L else 0L)"
        raise self._err(node, f"{what}: expected {want}, got {e.type}", "U120")

    # ---- functions -------------------------------------------------------------------------

    def _local(self, name: str) -> str:
        """The local that holds ``name`` here (its version, if its type changed)."""
        return self.version.get(name, name)

    def _v(self, name: str) -> str:
        key = mangle(self._local(name))
        return f"fr.v_{key}" if self.frame else f"v_{key}"

    def _flag(self, name: str) -> str:
        key = mangle(self._local(name))
        return f"fr.b_{key}" if self.frame else f"b_{key}"

    def _bind(self, name: str) -> str:
        """After a store: the flag of a local read where some path did not assign it."""
        return f"; {self._flag(name)} = true" if self._local(name) in self.unbound_vars else ""

    def _flags(self) -> list[tuple[str, str]]:
        return [(f"b_{mangle(n)}", "false") for n in sorted(self.unbound_vars)
                if n in self.locals]

    def _reset(self) -> None:
        self.locals = {n: t for n, t in self.sig.params}
        self.assigned = set(self.locals)
        self.version = {}
        self.nested, self.counter = [], 0
        self.functions = dict(self.given_functions)

    def translate(self) -> list[str]:
        """The Scala method(s); nested helper functions are left in ``self.nested``.

        A body that would come near the JVM's 64 KB method limit is split: its locals move
        to a frame object and its top-level statements into chunk methods of about
        ``CHUNK_LINES`` lines each, called in order until one returns.
        """
        self.frame = False
        self._reset()
        body = self._block(self.fn.body)
        for _ in range(4 * len(bound_names(self.fn)) + 4):  # the marks only grow
            # a loop may read a variable before the statement that makes it mixed, or that
            # needs its flag: again, with every such variable marked from the start
            seen = (set(self.mixed_vars), set(self.unbound_vars), dict(self.list_hints),
                    set(self.promoted))
            if not any(seen):
                break
            self._reset()
            body = self._block(self.fn.body)
            if seen == (self.mixed_vars, self.unbound_vars, self.list_hints, self.promoted):
                break
        else:
            raise self._err(self.fn, "the types of this function's locals did not settle",
                            "U121")
        if len(body) <= MAX_LINES:
            return self._plain(body)
        self.frame = True
        self._reset()
        return self._framed()

    def _epilogue(self, ln: str) -> list[str]:
        notebook = self.consts.string(self.notebook)
        name = self.consts.string(self.fn.name)
        return ["      throw Py.returnedNone()", "    } catch {",
                f"      case e: PyError => throw e.at({name}, {notebook}, {self.cell}, {ln})",
                "    }", "  }"]

    @property
    def method(self) -> str:
        """This variant's method name (the exact variant of ``f`` is ``f_w``)."""
        return f"{self.sig.scala}_w" if self.wide else self.sig.scala

    def _boundary(self) -> dict[str, str]:
        """The Scala types of the parameters and result: Spark's for the entry, else ours."""
        return SCALA if self.entry else self.scala_of

    def _params(self) -> str:
        return ", ".join(f"p_{mangle(n)}: {self._boundary()[t]}" for n, t in self.sig.params)

    def _param(self, name: str, t: str) -> str:
        p = f"p_{mangle(name)}"
        if self.entry and t in ARG_CHECK:
            return ARG_CHECK[t].format(p)
        return f"PyBig.of({p})" if self.entry and self.wide and t == "int" else p

    def _plain(self, body: list[str]) -> list[str]:
        ret = self._boundary()[self.sig.returns]
        lines = [f"  def {self.method}({self._params()}): {ret} = {{",
                 f"    var ln = {self.fn.pos.line}", "    try {"]
        for name, t in self.locals.items():
            init = self._param(name, t) if name in dict(self.sig.params) else self.default_of[t]
            lines.append(f"      var v_{mangle(name)}: {self.scala_of[t]} = {init}")
        lines += [f"      var {flag} = {init}" for flag, init in self._flags()]
        return lines + ["      " + ln for ln in body] + self._epilogue("ln")

    def _framed(self) -> list[str]:
        chunks: list[list[str]] = [[]]
        stmts = [s for s in self.fn.body if not isinstance(s, U.Function)]
        for stmt in self.fn.body:
            if isinstance(stmt, U.Function):
                self._nested(stmt)
        for stmt in stmts:
            lines = self._stmt(stmt)
            if chunks[-1] and len(chunks[-1]) + len(lines) > CHUNK_LINES:
                chunks.append([])
            chunks[-1] += lines
            if self._terminates(stmt):
                self.assigned = set(self.locals)
        frame = f"Frame_{self.method}"
        ret = self._boundary()[self.sig.returns]
        default = (DEFAULT if self.entry else self.default_of)[self.sig.returns]
        out = [f"  final class {frame} {{", "    var ln: Int = 0", "    var done = false",
               f"    var ret: {ret} = {default}"]
        out += [f"    var v_{mangle(n)}: {self.scala_of[t]} = {self.default_of[t]}"
                for n, t in self.locals.items()]
        out += [f"    var {flag} = {init}" for flag, init in self._flags()]
        out += ["  }"]
        for k, chunk in enumerate(chunks):
            out += [f"  private def {self.method}_{k}(fr: {frame}): Unit = {{",
                    *("    " + ln for ln in chunk), "  }"]
        out += [f"  def {self.method}({self._params()}): {ret} = {{",
                f"    val fr = new {frame}", f"    fr.ln = {self.fn.pos.line}", "    try {"]
        out += [f"      fr.v_{mangle(n)} = {self._param(n, t)}" for n, t in self.sig.params]
        for k in range(len(chunks)):
            out += [f"      {self.method}_{k}(fr)", "      if (fr.done) return fr.ret"]
        return out + self._epilogue("fr.ln")

    def _nested(self, fn: U.Function) -> None:
        # Python binds a nested `def` when it runs: one in a branch, or a second `def` of the
        # name, would pick the body by the path taken
        if self.nesting > 1 or any(f.name == fn.name for f, _ in self.nested):
            raise self._err(fn, f"a nested 'def {fn.name}' inside a branch or loop, or defined "
                            "twice, is not supported in a UDF", "U120")
        # named after the enclosing function's cell and line (the same in every variant of
        # it): two UDFs' nested helpers of one name stay apart
        sig = signature(fn, f"h_{mangle(self.fn.name)}_{self.cell}_{self.fn.pos.line}_"
                            f"{mangle(fn.name)}")
        self.functions = {**self.functions, fn.name: sig}
        self.nested.append((fn, sig))

    # ---- expressions -----------------------------------------------------------------------

    def visit(self, node: A.Node) -> Ex:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self._err(node, f"{type(node).__name__} expressions are not supported in a UDF")
        return method(node)

    def cond(self, node: A.Node) -> str:
        """``node`` in a test position: Python's truthiness, ``and``/``or`` as booleans."""
        if isinstance(node, A.BoolOp):
            op = "&&" if node.op == "and" else "||"
            return f"({self.cond(node.left)} {op} {self.cond(node.right)})"
        if isinstance(node, A.UnaryOp) and node.op == "not":
            return f"!({self.cond(node.operand)})"
        return self._truthy(self.visit(node))

    def visit_Const(self, n: A.Const) -> Ex:
        v = n.value
        if isinstance(v, bool):
            return Ex("true" if v else "false", "bool", v)
        if isinstance(v, int):
            if v.bit_length() > 14000:  # CPython's int/str limit is 4300 digits (~14,284 bits)
                raise self._err(n, "int literal of more than 4300 digits", "U123")
            return self._int_literal(v)
        if isinstance(v, float):
            return Ex(float_literal(v), "float", v)
        if isinstance(v, str):
            return Ex(self.consts.string(v), "str", v)
        if v is None:
            return Ex("null", "None", None)
        raise self._err(n, f"a {type(v).__name__} literal is not supported in a UDF")

    def visit_Name(self, n: A.Name) -> Ex:
        if n.id in self.scope:
            return self.scope[n.id]
        if n.id in self.constants and n.id not in self.locals:
            return self._constant(n)
        if n.id in self.locals:
            key, code = self._local(n.id), self._v(n.id)
            if key not in self.assigned:
                self.unbound_vars.add(key)
                code = (f"(if ({self._flag(n.id)}) {code} else throw Py.unbound("
                        f"{self.consts.string(n.id)}))")
            if self.locals[key] in ("match", "pattern"):
                self.regex_read.add(key)
            return Ex(code, self.locals[key], mixed=key in self.mixed_vars,
                      regex=self.regex_of.get(key, ()))
        raise self._err(n, f"name '{n.id}' is not defined in the UDF (UDFs see their "
                        "parameters, locals, helper functions and math)", "U101")

    def visit_Attribute(self, n: A.Attribute) -> Ex:
        if isinstance(n.value, A.Name) and n.value.id == "math" and n.attr in MATH_CONSTANTS:
            return Ex(MATH_CONSTANTS[n.attr], "float")
        text = self._string_constant(n)
        if text is not None:
            return self.visit_Const(A.Const(n.pos, text))
        if isinstance(n.value, A.Name) and n.value.id in ("math", *self.names) and \
                n.value.id not in self.locals:
            raise self._err(n, f"attribute '{n.attr}' is not supported in a UDF")
        value = self.visit(n.value)
        if (value.type, n.attr) in ATTRIBUTES:
            result, template = ATTRIBUTES[value.type, n.attr]
            code = template.format(value.code)
            return Ex(self._from_long(code) if result == "int" else code, result)
        raise self._err(n, f"attribute '{n.attr}' of a {value.type} is not supported in a UDF",
                        "U102")

    def visit_UnaryOp(self, n: A.UnaryOp) -> Ex:
        if n.op == "not":
            return Ex(f"!({self.cond(n.operand)})", "bool")
        e = self.visit(n.operand)
        if n.op == "-":
            self._not_mixed(e, n, "negation (-0 is 0 for an int, -0.0 for a float)")
        if e.type == "timedelta" and n.op in ("-", "+"):
            return Ex(f"PyDate.negDelta({e.code})" if n.op == "-" else e.code, "timedelta")
        if e.type not in NUMERIC:
            raise self._err(n, f"unary {n.op} of a {e.type}", "U120")
        t = "int" if e.type == "bool" else e.type
        code = self._as(e, t, n, "unary")
        if n.op == "+":
            return Ex(code, t, mixed=e.mixed)
        if n.op == "-":
            if isinstance(e.const, int) and not isinstance(e.const, bool):
                return self._int_literal(-e.const)  # a literal: folded
            if t == "int":
                return Ex(f"PyBig.neg({code})" if self.wide else f"Py.neg({code})", t)
            return Ex(f"(-{code})", t)
        if n.op == "~" and t == "int":
            return Ex(f"PyBig.invert({code})" if self.wide else f"(~{code})", "int")
        raise self._err(n, f"unary {n.op} is not supported in a UDF")

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
        return Ex(f"{'PyBig' if self.wide and t == 'int' else 'Py'}.{fn}({x}, {y})", t)

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
        raise self._err(node, f"comparing a {a.type} with a {b.type} (always unequal in Python); "
                        "convert one side first", "U120")

    def visit_Compare(self, n: A.Compare) -> Ex:
        left = self.visit(n.left)
        values = [left] + [None if isinstance(c, A.Collection) else
                           self.visit(c) if not (isinstance(c, A.Const) and c.value is None)
                           else Ex("null", "None") for c in n.comparators]
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

    def _constructor(self, f: A.Node) -> str | None:
        """The datetime class ``f`` names in the cell (``datetime.date``, ``date``...), if any."""
        # a local variable of that name hides the import, as in Python
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and \
                f.value.id not in self.locals and self.names.get(f.value.id) == "module" and \
                f.attr in CONSTRUCTORS:
            return f.attr
        if isinstance(f, A.Name) and f.id not in self.locals and \
                self.names.get(f.id) in CONSTRUCTORS:
            return self.names[f.id]
        return None

    def _construct(self, cls: str, n: A.Call) -> Ex:
        params, required, result, template = CONSTRUCTORS[cls]
        given: dict[str, A.Node] = dict(zip(params, n.args))
        if len(n.args) > len(params):
            raise self._err(n, f"{cls}() takes at most {len(params)} arguments", "U120")
        for kw in n.keywords:
            if kw.name not in params or kw.name in given:
                raise self._err(kw, f"{cls}() has no argument '{kw.name}' (or it is given "
                                "twice)", "U120")
            given[kw.name] = kw.value
        missing = [p for p in params[:required] if p not in given]
        if missing:
            raise self._err(n, f"{cls}() needs {', '.join(missing)}", "U120")
        args = []
        for p in params:
            if p not in given:
                args.append("0L")
                continue
            e = self.visit(given[p])
            if e.type == "float":
                raise self._err(given[p], f"{cls}({p}=...) with a float is not supported in a "
                                "UDF (Python rounds it to microseconds); pass an int", "U120")
            args.append(self._long(e, given[p], f"{cls}({p}=...)"))
        return Ex(template.format(", ".join(args)), result)

    def visit_Call(self, n: A.Call) -> Ex:
        f = n.func
        cls = self._constructor(f)
        if cls is not None:
            return self._construct(cls, n)
        if isinstance(f, A.Name) and f.id in self.functions:
            return self._call_helper(f.id, n)
        if isinstance(f, A.Name) and f.id in ("sorted", "reversed", "list", "tuple", "len",
                                              "sum", "min", "max", "any", "all"):
            e = self._list_builtin(f.id, n)
            if e is not None:
                return e
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and \
                f.value.id in self.locals and f.attr in (*MUTATORS, "count", "copy") and \
                self.locals[self._local(f.value.id)] in LISTS:
            return self._list_method(f.value, f.attr, n)
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and f.value.id == "re" \
                and "re" not in self.locals:
            return self._re_call(n)
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and \
                f.value.id in self.locals and f.value.id not in self.scope and \
                is_set(self.locals[self._local(f.value.id)]):
            return self._set_method(f.value, f.attr, n)
        if isinstance(f, A.Attribute) and self._names_pattern(f.value):
            return self._pattern_method(self.visit(f.value), f, n)  # keywords of its own
        if n.keywords and not (isinstance(f, A.Attribute) and f.attr == "format"):
            raise self._err(n.keywords[0], "keyword arguments are not supported in a UDF "
                            "(except in calls of helper functions)")
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and f.value.id == "math" \
                and f.attr in ("prod", "fsum") and "math" not in self.locals and len(n.args) == 1:
            if f.attr == "prod":
                return self._reduce("prod", A.Call(n.pos, f, (
                    n.args[0] if isinstance(n.args[0], A.Comprehension) else over(n.args[0]),), ()))
            xs = self._as_list(n.args[0])
            if xs.type == EMPTY:
                return Ex("0.0", "float")
            if xs.type not in ("list[float]", "list[int]"):
                raise self._err(n.args[0], f"math.fsum() of {xs.type} values", "U120")
            code = xs.code if xs.type == "list[float]" else f"{xs.code}.map(_.toDouble)"
            return Ex(f"Py.fsum({code})", "float")
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and f.value.id == "math":
            if f.attr not in MATH:
                raise self._err(f, f"math.{f.attr} is not supported in a UDF (supported: "
                                f"{', '.join(sorted(MATH))})", "U102")
            return self._table(f"math.{f.attr}", MATH[f.attr], None, n.args, n)
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and \
                f.value.id == "unicodedata" and "unicodedata" not in self.locals:
            if f.attr not in UNICODEDATA:
                raise self._err(f, f"unicodedata.{f.attr} is not supported in a UDF (supported: "
                                f"{', '.join(sorted(UNICODEDATA))})", "U102")
            return self._table(f"unicodedata.{f.attr}", UNICODEDATA[f.attr], None, n.args, n)
        if isinstance(f, A.Attribute):
            if isinstance(f.value, A.Name) and f.value.id in self.names and \
                    f.value.id not in self.locals:
                raise self._err(f, f"{f.value.id}.{f.attr}() is not supported in a UDF", "U102")
            recv = self.visit(f.value)
            if recv.type == "match":
                return self._match_method(recv, f, n)
            if recv.type == "pattern":
                return self._pattern_method(recv, f, n)
            if recv.type in LISTS:
                return self._list_method(f.value, f.attr, n)
            if recv.type.startswith("dict[") and f.attr == "get" and len(n.args) == 2:
                k, t = self._dict_types(recv.type)
                key = self._key(self.visit(n.args[0]), k, n.args[0])
                default = self.visit(n.args[1])
                if default.type != t and not (t == "float" and default.type == "int"):
                    raise self._err(n.args[1], f"the default of {f.attr}() is a {default.type}, "
                                    f"the values are {t} (the result's type would depend on the "
                                    "key)", "U120")
                boxed = BOX[t].format(self._long(default, n.args[1], "get") if t == "int"
                                      else self._mixing(default, n.args[1], "get") if t == "float"
                                      else self._as(default, t, n.args[1], "get"))
                return Ex(self._unboxed(f"PyDict.get({recv.code}, {key}, {boxed})", t), t,
                          mixed=t == "float" and (default.type != "float" or default.mixed))
            if recv.type.startswith("dict[") and f.attr == "get":
                raise self._err(n, "dict.get() with one argument gives None for a missing key; "
                                "give a default of the values' type", "U120")
            if recv.type in TEMPORAL_METHODS and f.attr in TEMPORAL_METHODS[recv.type]:
                return self._table(f"{recv.type}.{f.attr}", TEMPORAL_METHODS[recv.type][f.attr],
                                   recv, n.args, n)
            if recv.type == "str" and f.attr == "format":
                return self._str_format(f.value, n)
            if recv.type == "str" and f.attr == "translate":
                return self._translate(recv, n)
            if recv.type != "str" or f.attr not in STR_METHODS:
                raise self._err(f, f"method '{f.attr}' of a {recv.type} is not supported in a "
                                "UDF", "U102")
            if f.attr == "join" and len(n.args) == 1 and isinstance(n.args[0], A.Comprehension):
                return self._join(recv, n.args[0])
            if f.attr == "join" and len(n.args) == 1:
                parts = self._as_list(n.args[0])
                if parts.type not in ("list[str]", EMPTY):
                    raise self._err(n.args[0], f"str.join() of a {parts.type} (Python raises "
                                    "TypeError)", "U120")
                return Ex(f"PyStr.join({recv.code}, {parts.code})", "str")
            if f.attr in ("startswith", "endswith") and n.args and \
                    isinstance(n.args[0], A.Collection):
                tests = [f"PyStr.{f.attr}({recv.code}, {self._as(self.visit(x), 'str', x, f.attr)})"
                         for x in n.args[0].items]
                return Ex(f"({' || '.join(tests) or 'false'})", "bool")
            return self._table(f"str.{f.attr}", STR_METHODS[f.attr], recv, n.args, n)
        if not isinstance(f, A.Name):
            raise self._err(n, "only functions, math functions and str methods can be called")
        name = f.id
        if name in ("sum", "any", "all", "min", "max", "len", "list") and len(n.args) == 1 \
                and isinstance(n.args[0], A.Comprehension) and name not in self.locals:
            return self._reduce(name, n)
        if name == "isinstance" and len(n.args) == 2:
            return self._isinstance(n)
        if name == "format" and 1 <= len(n.args) <= 2 and name not in self.locals:
            # format(x, spec) is the f-string f"{x:spec}" (a literal spec, checked as one)
            spec = n.args[1] if len(n.args) == 2 else A.Const(n.pos, "")
            if not (isinstance(spec, A.Const) and isinstance(spec.value, str)):
                raise self._err(spec, "format() with a spec that is not a literal str is not "
                                "supported in a UDF", "U125")
            return self.visit(A.FString(n.pos, (A.FormatField(spec.pos, n.args[0], None,
                                                              spec.value),)))
        if name == "set" and name not in self.locals:
            return self._set_of(n)
        if name == "bool" and len(n.args) == 1:
            return Ex(self.cond(n.args[0]), "bool")
        if name in ("min", "max") and len(n.args) >= 2:
            return self._minmax(name, n)
        if name == "len" and len(n.args) == 1:
            e = self.visit(n.args[0])
            if e.type.startswith(("dict[", "set[")):
                return Ex(self._from_long(f"{e.code}.size.toLong"), "int")
            if e.type in ("list[int]", "list[float]"):
                return Ex(self._from_long(f"{e.code}.length.toLong"), "int")
        if name in BUILTINS:
            return self._table(name, BUILTINS[name], None, n.args, n)
        raise self._err(f, f"'{name}' cannot be called in a UDF", "U102")

    def _call_helper(self, name: str, n: A.Call) -> Ex:
        """A helper's call, its arguments bound as Python binds them (positional, keyword,
        default), checked here: a wrong call is Python's TypeError on every row."""
        sig = self.functions[name]
        names = [p for p, _ in sig.params]
        given: dict[str, A.Node] = {}
        if len(n.args) > len(names):
            raise self._err(n, f"'{name}' takes {len(names)} arguments, {len(n.args)} given",
                            "U120")
        given.update(zip(names, n.args))
        for kw in n.keywords:
            if kw.name not in names or kw.name in given:
                raise self._err(kw, f"'{name}' got an unexpected or repeated argument "
                                f"'{kw.name}'", "U120")
            given[kw.name] = kw.value
        defaults = dict(sig.defaults)
        missing = [p for p in names if p not in given and p not in defaults]
        if missing:
            raise self._err(n, f"'{name}' is missing the argument '{missing[0]}'", "U120")
        types = dict(sig.params)
        # Python evaluates the arguments in source order (`given`'s), defaults at the `def`
        values = {p: self.visit(node) for p, node in given.items()}
        values.update({p: self.visit(defaults[p]) for p in names if p not in given})
        for p in names:
            if types[p] == "int" and values[p].type == "bool":
                raise self._err(given.get(p, n), f"a bool for the int parameter '{p}' of "
                                f"'{name}': Python passes the bool (str() shows True); write "
                                "int(...)", "U120")
        codes = {p: self._mixing(values[p], given.get(p, n), f"argument '{p}' of {name}")
                 if types[p] == "float" else
                 self._as(values[p], types[p], given.get(p, n), f"argument '{p}' of {name}")
                 for p in names}
        # an int (or a value that may be one) for a float parameter: Python passes the int,
        # and the helper's variant with mixed float parameters takes it
        mixed = any(types[p] == "float" and (values[p].type != "float" or values[p].mixed)
                    for p in names)
        if mixed:
            self.mixed_calls.add(name)
        method = f"{sig.scala}{'_m' if mixed else ''}{'_w' if self.wide else ''}"
        if n.keywords and not all(isinstance(a, (A.Const, A.Name)) for a in given.values()):
            temps = {p: self._fresh("a") for p in given}
            binds = [f"val {temps[p]} = {codes[p]}" for p in given]
            args = [temps.get(p, codes[p]) for p in names]
            return Ex(f"{{ {'; '.join(binds)}; {method}({', '.join(args)}) }}", sig.returns)
        return Ex(f"{method}({', '.join(codes[p] for p in names)})", sig.returns)

    def _table(self, shown: str, sigs, recv: Ex | None, args, node) -> Ex:
        values = [self.visit(a) for a in args]
        if shown in ("str", "repr"):
            for v, a in zip(values, args):
                self._not_mixed(v, a, f"{shown}()")
        # Exact argument types first (str(True) is 'True', not str(1)), then Python's implicit
        # widening bool -> int -> float.
        for exact in (True, False):
            for params, result, template in sigs:
                if len(params) != len(values):
                    continue
                if all(v.type == p or not exact and (
                        (p == "float" and v.type in ("int", "bool"))
                        or (p == "int" and v.type == "bool")) for v, p in zip(values, params)):
                    return self._apply(template, params, result, recv, values, args, shown)
        got = ", ".join(v.type for v in values)
        accepted = "; ".join("(" + ", ".join(p) + ")" for p, _, _ in sigs)
        raise self._err(node, f"{shown}() does not take ({got}) in a UDF (accepted: {accepted})",
                        "U120")

    def _apply(self, template: str, params, result: str, recv: Ex | None, values, args,
               shown: str) -> Ex:
        """A table template over typed arguments, in this variant's int representation."""
        if self.wide and template == "{1}" and result == "int":
            return Ex(self._as(values[0], "int", args[0], shown), "int")  # the int itself
        wide = self.wide and WIDE_TEMPLATES.get((template, tuple(params)))
        if wide:
            codes = [self._as(v, p, a, shown) for v, p, a in zip(values, params, args)]
            return Ex(wide.format(recv.code if recv else "", *codes), result,
                      mixed=result == "float" and any(v.mixed for v in values))
        # a search start is a slice bound (clamped); other ints are sizes (OverflowError)
        codes = [(self._bound if shown in CLAMPED else self._long)(v, a, shown) if p == "int"
                 else self._as(v, p, a, shown) for v, p, a in zip(values, params, args)]
        code = template.format(recv.code if recv else "", *codes)
        # abs(max(0, x)) or round(max(0, x), 2) is an int where the argument is one
        mixed = result == "float" and any(v.mixed for v in values)
        return Ex(self._from_long(code) if result == "int" else code, result, mixed=mixed)

    def _minmax(self, name: str, n: A.Call) -> Ex:
        values = [self.visit(a) for a in n.args]
        types = {v.type for v in values}
        mixed = types == {"int", "float"} and all(
            type(v.const) is int and abs(v.const) <= 2 ** 53 for v in values if v.type == "int")
        if mixed:
            # max(0, x): the int literal or x, of the same value as a float (a literal a
            # double holds exactly); the Ex says Python may hold an int there
            types = {"float"}
        t = types.pop() if len(types) == 1 and types <= {"int", "float", *TEMPORAL} else None
        if t is None:
            # min(1.5, 1) is the int 1 in Python: the result's type depends on the values.
            raise self._err(n, f"{name}() of {' and '.join(sorted({v.type for v in values}))} "
                            "values is not supported in a UDF (give all arguments one type, "
                            "int or float)", "U120")
        code = self._as(values[0], t, n.args[0], name)
        for v, a in zip(values[1:], n.args[1:]):
            other = self._as(v, t, a, name)
            # Python keeps the first of equal values and never picks NaN over an earlier value
            code = f"Py.{name}({code}, {other})" if t == "float" else \
                f"PyBig.{name}({code}, {other})" if self.wide and t == "int" else \
                f"java.lang.Math.{name}({code}, {other})"
        return Ex(code, t, mixed=mixed or any(v.mixed for v in values))


def bound_names(fn: U.Function) -> set[str]:
    """The names a function binds (parameters, assignments, loop targets, nested functions):
    its locals in Python, wherever in the body the binding is."""
    names = {n for n, _ in fn.params}

    def walk(stmts):
        for st in stmts:
            if isinstance(st, (A.Assign, U.AugAssign)):
                names.add(st.target)
            elif isinstance(st, U.Unpack):
                names.update(st.targets)
            elif isinstance(st, U.For):
                names.update((st.target,) if isinstance(st.target, str) else st.target)
                walk(st.body)
            elif isinstance(st, U.Function):
                names.add(st.name)
            elif isinstance(st, (U.If,)):
                walk(st.body)
                walk(st.orelse)
            elif isinstance(st, U.While):
                walk(st.body)
            elif isinstance(st, U.Try):
                walk(st.body)
                walk(st.orelse)
                walk(st.finalbody)
                for h in st.handlers:
                    if h.name is not None:
                        names.add(h.name)
                    walk(h.body)
    walk(fn.body)
    return names


def signature(fn: U.Function, scala: str) -> Signature:
    if len(fn.params) > 22:  # Spark's Java UDF interfaces stop at UDF22
        raise UdfError("U110", f"'{fn.name}' has {len(fn.params)} parameters; a UDF takes at "
                       "most 22", fn.pos)
    params = tuple((n, udf_type(t, fn.pos)) for n, t in fn.params)
    return Signature(scala, params, udf_type(fn.returns, fn.pos), fn.defaults)

