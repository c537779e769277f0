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
from .udf_lists import ListTranslation, mutated_names
from .udf_regex import RegexTranslation
from .udf_sets import SetTranslation
from .udf_dicts import DictTranslation
from .udf_operators import OperatorTranslation
from .udf_calls import CallTranslation
from .udf_tables import (ARG_CHECK, ATTRIBUTES, DEFAULT, MATH_CONSTANTS, SCALA, TO_STR, TRUTHY,
                         TYPES, WIDE_DEFAULT, WIDE_SCALA, WIDE_TO_STR, WIDE_TRUTHY)

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
                         OperatorTranslation, CallTranslation, ListTranslation, RegexTranslation,
                         SetTranslation, DictTranslation):
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
        self.bound = bound = bound_names(fn)
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
        # set and dict locals that may be the cell's constant somewhere in the function (a
        # loop may come back to a mutation after the assignment): never mutated
        self.frozen: set[str] = set()
        # `{}` locals no store has typed yet: the (key, value) types reads suggest
        self.weak_hints: dict[str, tuple] = {}
        self.discovering = False  # a pass that skips failing statements to find the stores
        self.line = fn.pos.line  # the statement being translated
        self.iter_regex: tuple = ()  # the patterns of the re.finditer a loop just ran over

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
        if e.type != "int" or isinstance(e.const, int) and abs(e.const) <= 2 ** 53 or \
                e.float_code is not None:
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
        if want == "float" and e.type == "int" and e.float_code is not None:
            return e.float_code
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
        try:
            body = self._block(self.fn.body)
        except UdfError:
            if not self._discovered():
                raise
            self._reset()
            body = self._block(self.fn.body)
        for _ in range(4 * len(bound_names(self.fn)) + 4):  # the marks only grow
            # a loop may read a variable before the statement that makes it mixed, or that
            # needs its flag: again, with every such variable marked from the start
            seen = (set(self.mixed_vars), set(self.unbound_vars), dict(self.list_hints),
                    set(self.promoted), dict(self.weak_hints), set(self.frozen))
            if not any(seen):
                break
            self._reset()
            body = self._block(self.fn.body)
            if seen == (self.mixed_vars, self.unbound_vars, self.list_hints, self.promoted,
                        self.weak_hints, self.frozen):
                break
        else:
            raise self._err(self.fn, "the types of this function's locals did not settle",
                            "U121")
        if len(body) <= MAX_LINES:
            return self._plain(body)
        self.frame = True
        self._reset()
        return self._framed()

    def _discovered(self) -> bool:
        """After a failed first pass: one more that skips failing statements, to learn the
        types that a later statement gives an empty ``{}`` or ``[]`` (``d[w] = 1`` after a read
        of ``d[w]``).  True when it learnt some; the caller translates again."""
        before = dict(self.list_hints)
        saved = (list(self.loops), list(self.iterating), dict(self.scope), list(self.handling),
                 self.nesting)
        self._reset()
        self.discovering = True
        try:
            self._block(self.fn.body)
        except UdfError:
            pass
        finally:
            self.discovering = False
            (self.loops, self.iterating, self.scope, self.handling, self.nesting) = saved
        return self.list_hints != before

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
        if n.id in self.bound:
            raise self._err(n, f"'{n.id}' is assigned in the function, so it is a local "
                            "everywhere in it (Python's scoping); read here before any "
                            "assignment, Python raises UnboundLocalError", "U101")
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

