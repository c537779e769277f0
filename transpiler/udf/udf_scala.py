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
import sys
from dataclasses import dataclass

from ..ir import cellast as A
from ..ir import udf_ast as U
from ..ir.errors import Refusal
from .udf_tables import (ARG_CHECK, BOX, ATTRIBUTES, BUILTINS, CONSTRUCTORS, DEFAULT, FORMAT_TYPES,
                         MATH, MATH_CONSTANTS, SCALA, STR_METHODS, TEMPORAL, TEMPORAL_BINOPS,
                         TEMPORAL_METHODS, TO_STR, TRUTHY, TYPES, WIDE_DEFAULT, WIDE_SCALA,
                         WIDE_TEMPLATES, WIDE_TO_STR, WIDE_TRUTHY)

NUMERIC = ("int", "float", "bool")

# The Python exceptions the runtime raises (PyError.pythonType), by the class an `except`
# clause names: what it catches, as in Python's hierarchy.  A bare `except:` and `Exception`
# catch them all (not PyWiden, which is no Python exception).
RAISED = ("ValueError", "ZeroDivisionError", "OverflowError", "IndexError", "KeyError",
          "TypeError", "MemoryError")
EXCEPTIONS = {
    "Exception": None, "ArithmeticError": ("ZeroDivisionError", "OverflowError"),
    "LookupError": ("IndexError", "KeyError"), **{name: (name,) for name in RAISED},
}


class UdfError(Refusal):
    """A construct or type error in a UDF, at a position in the cell."""


@dataclass(frozen=True)
class Ex:
    """A typed Scala expression; ``const`` holds a literal's Python value."""

    code: str
    type: str
    const: object = None
    # a float here that Python may hold as an int of the same value (`max(0, x)`, `1 if c
    # else x`): fine in float arithmetic, comparisons and as a float result; refused where
    # the type shows (str, formatting, `-`, arithmetic with an int)
    mixed: bool = False


@dataclass(frozen=True)
class Signature:
    """A function's Scala method name and typed parameters and result."""

    scala: str
    params: tuple[tuple[str, str], ...]
    returns: str


def mangle(name: str) -> str:
    """An ASCII Scala identifier part for a Python identifier, injective and ending in a digit.

    ``_`` is doubled and other characters become ``_uXXXX_``, so no two names collide; the
    final ``0`` keeps Scala from reading ``p_val_:`` as the operator identifier ``val_:``.
    """
    return "".join(ch if ch.isascii() and ch.isalnum() else "__" if ch == "_" else
                   f"_u{ord(ch):04x}_" for ch in name) + "0"


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


def _float_literal(value: float) -> str:
    text = repr(value)
    if re.match(r"^-?\d+\.\d+$", text):
        return text
    return f"java.lang.Double.longBitsToDouble(0x{_bits(value):016x}L)"


def _bits(value: float) -> int:
    import struct

    return struct.unpack("<q", struct.pack("<d", value))[0] & 0xFFFFFFFFFFFFFFFF


# Generated lines per method before a body is split (a line compiles to ~10-40 bytes of
# bytecode; the JVM refuses methods over 64 KB).
MAX_LINES = 1200
CHUNK_LINES = 400

_SPEC = re.compile(r"^(?:.?[<>=^])?[+\- ]?0?\d*[,_]?(?:\.\d+)?[a-zA-Z%]?$")


# Runtime calls of the fast path that throw PyWiden when an int leaves 64 bits: a method that
# makes one (or calls a helper that does) gets an exact variant.
WIDENING = re.compile(r"\bPy\.(add|sub|mul|neg|abs|floordiv|pow|toInt|round|floor|ceil|trunc|"
                      r"parseInt|tooBig|lshift|gcd|factorial)\(")


class FunctionTranslator:
    """Translate one function; ``functions`` are the helpers it may call, by Python name.

    ``wide`` translates the function's exact variant: every int is a BigInteger (runtime
    ``PyBig``), for the rows on which the fast variant's longs left 64 bits (``PyWiden``).
    """

    def __init__(self, fn: U.Function, sig: Signature, functions: dict[str, Signature],
                 consts: Constants, where: tuple[str, int], names: dict[str, str] | None = None,
                 entry: bool = False, wide: bool = False, constants: dict | None = None):
        self.fn, self.sig, self.functions, self.consts = fn, sig, functions, consts
        self.notebook, self.cell = where
        # what `datetime`, `date`, `timedelta` are bound to in the cell ("module" or a class)
        self.names = names or {}
        self.entry = entry  # called by Spark: check that arguments are in Python's range
        self.wide = wide
        # the cell's literal constants the body reads; a name the function assigns is a local
        # everywhere in it (Python's scoping), never the constant
        bound = _bound_names(fn)
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
                            "float (`max(0, x)`, `1 if c else x`): the two print differently; "
                            "write 0.0 or float(...) to make it a float", "U120")

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

    def _v(self, name: str) -> str:
        return f"fr.v_{mangle(name)}" if self.frame else f"v_{mangle(name)}"

    def _reset(self) -> None:
        self.locals = {n: t for n, t in self.sig.params}
        self.assigned = set(self.locals)
        self.nested, self.counter = [], 0

    def translate(self) -> list[str]:
        """The Scala method(s); nested helper functions are left in ``self.nested``.

        A body that would come near the JVM's 64 KB method limit is split: its locals move
        to a frame object and its top-level statements into chunk methods of about
        ``CHUNK_LINES`` lines each, called in order until one returns.
        """
        self.frame = False
        self._reset()
        body = self._block(self.fn.body)
        if self.mixed_vars:
            # a loop may read a variable before the statement that makes it mixed: again,
            # with every such variable mixed from the start
            self._reset()
            body = self._block(self.fn.body)
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

    # ---- statements ------------------------------------------------------------------------

    def _block(self, stmts) -> list[str]:
        out: list[str] = []
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, U.Function):
                self._nested(stmt)
                continue
            out += self._stmt(stmt)
            rest = stmts[i + 1:]
            if rest and self.loops and self._jumps(stmt):
                brk, cont = self.loops[-1]
                inner = self._block(rest)
                out += [f"if (!{brk} && !{cont}) {{", *("  " + ln for ln in inner), "}"]
                break
            if rest and self._terminates(stmt):
                self.assigned = set(self.locals)  # dead code follows: nothing is unassigned
        return out

    def _jumps(self, stmt) -> bool:
        if isinstance(stmt, U.Jump):
            return stmt.kind in ("break", "continue")
        if isinstance(stmt, U.If):
            return any(self._jumps(s) for s in (*stmt.body, *stmt.orelse))
        if isinstance(stmt, U.Try):
            return any(self._jumps(s) for s in (*stmt.body, *stmt.orelse, *stmt.finalbody,
                                                 *(x for h in stmt.handlers for x in h.body)))
        return False  # loops own their jumps; functions are separate

    def _terminates(self, stmt) -> bool:
        if isinstance(stmt, U.Return) or (isinstance(stmt, U.Jump) and stmt.kind != "pass"):
            return True
        if isinstance(stmt, U.If):
            return bool(stmt.body and stmt.orelse and self._terminates(stmt.body[-1])
                        and self._terminates(stmt.orelse[-1]))
        if isinstance(stmt, U.Raise):
            return True
        if isinstance(stmt, U.Try):
            ends = stmt.orelse or stmt.body
            return bool(ends and self._terminates(ends[-1]) and all(
                h.body and self._terminates(h.body[-1]) for h in stmt.handlers))
        return False

    def _stmt(self, stmt) -> list[str]:
        # `;`: a block on the next line must not read as an argument of this line
        line = f"{'fr.' if self.frame else ''}ln = {stmt.pos.line};"
        method = getattr(self, f"stmt_{type(stmt).__name__}", None)
        if method is None:
            raise self._err(stmt, f"{type(stmt).__name__} is not supported in a UDF")
        return [line, *method(stmt)]

    def _store(self, target: str, e: Ex, node: A.Node) -> str:
        if target not in self.locals:
            if e.type not in SCALA:
                raise self._err(node, f"a {e.type} value cannot be stored in a variable")
            self.locals[target] = e.type
        want = self.locals[target]
        if e.type != want and not (want == "float" and e.type in ("int", "bool")):
            raise self._err(node, f"'{target}' holds {want} values; this assigns a {e.type} "
                            "(give each variable one type)", "U121")
        self.assigned.add(target)
        if e.mixed:
            self.mixed_vars.add(target)
        return f"{self._v(target)} = {self._as(e, want, node, 'assignment')}"

    def stmt_Assign(self, s: A.Assign) -> list[str]:
        return [self._store(s.target, self.visit(s.value), s)]

    def stmt_AugAssign(self, s: U.AugAssign) -> list[str]:
        current = A.Name(s.pos, s.target)
        value = self._binop(s.op, self.visit(current), self.visit(s.value), s)
        return [self._store(s.target, value, s)]

    def stmt_ExprStmt(self, s: A.ExprStmt) -> list[str]:
        if isinstance(s.value, A.Const):
            return []  # a docstring
        return [self.visit(s.value).code]

    @staticmethod
    def _is_none(n: A.Node | None) -> bool:
        return n is None or (isinstance(n, A.Const) and n.value is None)

    def _returned(self, n: A.Node) -> Ex:
        """A return value; a None branch (``x or None``, ``y if c else None``) fails the call
        there, as the notebook's engine fails the query on a None result (measured)."""
        if isinstance(n, A.BoolOp) and n.op == "or" and self._is_none(n.right):
            a = self._returned(n.left)
            t = self._fresh("t")
            return Ex(f"{{ val {t} = {a.code}; if ({self._truthy(Ex(t, a.type))}) {t} else "
                      "throw Py.returnedNone() }", a.type, mixed=a.mixed)
        if isinstance(n, A.IfExp) and (self._is_none(n.body) or self._is_none(n.orelse)):
            cond = self.cond(n.test)
            if self._is_none(n.body) and self._is_none(n.orelse):
                return Ex("throw Py.returnedNone()", self.sig.returns)
            if self._is_none(n.body):
                e = self._returned(n.orelse)
                return Ex(f"(if ({cond}) throw Py.returnedNone() else {e.code})", e.type,
                          mixed=e.mixed)
            e = self._returned(n.body)
            return Ex(f"(if ({cond}) {e.code} else throw Py.returnedNone())", e.type,
                      mixed=e.mixed)
        return self.visit(n)

    def stmt_Return(self, s: U.Return) -> list[str]:
        if self._is_none(s.value):
            return ["throw Py.returnedNone()"]
        e = self._returned(s.value)
        want = self.sig.returns
        if e.type != want and not (want == "float" and e.type == "int"):
            raise self._err(s, f"'{self.fn.name}' is declared to return {want}, but this returns "
                            f"a {e.type}", "U122")
        if e.mixed and not self.entry:
            self._not_mixed(e, s, "returning from a helper function")
        value = self._as(e, want, s, "return")
        if self.wide and self.entry and want == "int":
            value = f"PyBig.result({value})"  # the notebook's engine fails beyond BIGINT
        if self.frame:
            return [f"fr.ret = {value}", "fr.done = true", "return"]
        return [f"return {value}"]

    def stmt_Jump(self, s: U.Jump) -> list[str]:
        if s.kind == "pass":
            return []
        if not self.loops:
            raise self._err(s, f"'{s.kind}' outside a loop")
        brk, cont = self.loops[-1]
        return [f"{brk if s.kind == 'break' else cont} = true"]

    def stmt_Raise(self, s: U.Raise) -> list[str]:
        if s.exc is None:
            if not self.handling:
                raise self._err(s, "a bare 'raise' outside an except clause (Python raises "
                                "RuntimeError)", "U120")
            return [f"throw {self.handling[-1]}"]
        exc, args = s.exc, ()
        if isinstance(exc, A.Call):
            exc, args = exc.func, exc.args
            if s.exc.keywords or len(args) > 1:
                raise self._err(s, "raise takes an exception with at most one message argument "
                                "in a UDF", "U120")
        if not isinstance(exc, A.Name) or exc.id not in RAISED or exc.id in self.locals:
            raise self._err(s, f"a UDF raises one of {', '.join(RAISED)}", "U120")
        message = '""'
        if args:
            e = self.visit(args[0])
            if e.type not in TO_STR:
                raise self._err(args[0], f"a {e.type} as an exception message", "U120")
            message = self.to_str_of[e.type].format(e.code)
        return [f'throw new PyError("{exc.id}", {message})']

    def stmt_Try(self, s: U.Try) -> list[str]:
        """try/except/else/finally: a Scala try that catches the PyErrors the handlers name.

        Only Python's exceptions are caught (PyError), never PyWiden: a fast variant's long
        leaving 64 bits is no Python error, and the exact variant runs the whole UDF again.
        """
        before = set(self.assigned)
        ok = self._fresh("ok")
        if s.orelse and self.loops and any(self._jumps(x) for x in s.body):
            raise self._err(s, "break or continue in a try body with an else clause is not "
                            "supported in a UDF", "U120")
        body = self._block(s.body)
        after_body = set(self.locals) if s.body and self._terminates(s.body[-1]) \
            else set(self.assigned)
        if s.orelse:
            orelse = self._block(s.orelse)
            after_body = set(self.locals) if self._terminates(s.orelse[-1]) else \
                after_body | self.assigned
        else:
            orelse = []
        cases, after = [], after_body
        seen_all = False
        for h in s.handlers:
            if seen_all:
                raise self._err(h, "an except clause after one that catches everything", "U120")
            names: list[str] = []
            for t in h.types:
                if t not in EXCEPTIONS or t in self.locals:
                    raise self._err(h, f"'except {t}': a UDF catches {', '.join(EXCEPTIONS)}",
                                    "U120")
                caught = EXCEPTIONS[t]
                if caught is None:
                    names = []
                    break
                names += caught
            else:
                if not h.types:
                    names = []
            if h.name is not None:
                raise self._err(h, "'except ... as name' is not supported in a UDF (the "
                                "exception object has no UDF type)", "U120")
            var = self._fresh("e")
            self.assigned = set(before)  # the exception may come before any assignment
            self.handling.append(var)
            try:
                hbody = self._block(h.body)
            finally:
                self.handling.pop()
            ends = set(self.locals) if h.body and self._terminates(h.body[-1]) \
                else set(self.assigned)
            after = after & ends
            # only Python's exceptions: a limit (a None or beyond-BIGINT result, a size bound)
            # fails the call wherever it happens, as the notebook's engine fails the query
            kinds = " || ".join(f'{var}.pythonType == "{n}"' for n in dict.fromkeys(names))
            guard = f" if {var}.catchable" + (f" && ({kinds})" if names else "")
            seen_all = not names
            cases += [f"  case {var}: PyError{guard} =>", *("    " + ln for ln in hbody)]
        final = []
        if s.finalbody:
            if any(self._jumps(x) or self._returns(x) for x in s.finalbody):
                raise self._err(s, "return, break or continue in a finally clause is not "
                                "supported in a UDF", "U120")
            self.assigned = set(before)
            final = self._block(s.finalbody)
        self.assigned = after | (self.assigned if s.finalbody else set())
        # try { try { body; ok = true } catch { handlers }; if (ok) else } finally { final }:
        # `else` runs after the body and before `finally`, outside the handlers' reach; the
        # finally block is skipped when the fast path hands over to the exact variant (PyWiden),
        # which runs the whole call again
        inner = [*body, f"{ok} = true"] if orelse else body
        out = [f"var {ok} = false"] if orelse else []
        out += ["try {", *("  " + ln for ln in inner), "} catch {", *cases, "}"] if cases \
            else ["{", *("  " + ln for ln in inner), "}"]
        if orelse:
            out += [f"if ({ok}) {{", *("  " + ln for ln in orelse), "}"]
        if final:
            wid = self._fresh("wid")
            out = [f"var {wid} = false", "try {", *("  " + ln for ln in out), "} catch {",
                   f"  case w: PyWiden => {wid} = true; throw w", "} finally {",
                   f"  if (!{wid}) {{", *("    " + ln for ln in final), "  }", "}"]
        return out

    def _returns(self, stmt) -> bool:
        if isinstance(stmt, U.Return):
            return True
        if isinstance(stmt, U.If):
            return any(self._returns(x) for x in (*stmt.body, *stmt.orelse))
        return False

    def stmt_If(self, s: U.If) -> list[str]:
        cond = self.cond(s.test)
        before = set(self.assigned)
        body = self._block(s.body)
        after_body = set(self.locals) if s.body and self._terminates(s.body[-1]) \
            else self.assigned
        self.assigned = set(before)
        orelse = self._block(s.orelse)
        after_else = set(self.locals) if s.orelse and self._terminates(s.orelse[-1]) \
            else self.assigned
        self.assigned = after_body & after_else
        out = [f"if ({cond}) {{", *("  " + ln for ln in body), "}"]
        if orelse:
            out[-1] = "} else {"
            out += ["  " + ln for ln in orelse] + ["}"]
        return out

    def _loop(self, header: list[str], cond: str, setup: list[str], body_stmts,
              target: str | None = None) -> list[str]:
        brk, cont = self._fresh("brk"), self._fresh("cont")
        before = set(self.assigned)
        if target:
            self.assigned.add(target)
        self.loops.append((brk, cont))
        body = self._block(body_stmts)
        self.loops.pop()
        self.assigned = before  # the body may run zero times
        return ["{", f"  var {brk} = false", f"  var {cont} = false", *("  " + h for h in header),
                f"  while (!{brk} && {cond}) {{", f"    {cont} = false",
                *("    " + ln for ln in setup), *("    " + ln for ln in body), "  }", "}"]

    def stmt_While(self, s: U.While) -> list[str]:
        return self._loop([], f"({self.cond(s.test)})", [], s.body)

    def stmt_For(self, s: U.For) -> list[str]:
        var = self._fresh("c")
        header, cond, advance, t = self._iteration(s.iter, var, "for loops run")
        self._declare(s.target, t, s)
        return self._loop(header, cond, [*advance, f"{self._v(s.target)} = {var}"], s.body,
                          s.target)

    def _declare(self, target: str, t: str, node) -> None:
        if self.locals.setdefault(target, t) != t:
            raise self._err(node, f"'{target}' holds {self.locals[target]} values; the loop "
                            f"assigns {t} values", "U121")

    def _nested(self, fn: U.Function) -> None:
        sig = signature(fn, f"h_{mangle(self.fn.name)}_{mangle(fn.name)}")
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
            return Ex(_float_literal(v), "float", v)
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
            if n.id not in self.assigned:
                raise self._err(n, f"'{n.id}' may be unassigned here (Python raises "
                                "UnboundLocalError); assign it on every path first", "U124")
            return Ex(self._v(n.id), self.locals[n.id], mixed=n.id in self.mixed_vars)
        raise self._err(n, f"name '{n.id}' is not defined in the UDF (UDFs see their "
                        "parameters, locals, helper functions and math)", "U101")

    def visit_Attribute(self, n: A.Attribute) -> Ex:
        if isinstance(n.value, A.Name) and n.value.id == "math" and n.attr in MATH_CONSTANTS:
            return Ex(MATH_CONSTANTS[n.attr], "float")
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
            return Ex(code, t)
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
                return Ex(f"({x} / {_float_literal(float(b.const))})", "float")
            return Ex(f"{'PyBig' if self.wide and t == 'int' else 'Py'}.truediv({x}, {y})",
                      "float")
        if t == "int" and op == "**" and isinstance(b.const, int) and b.const < 0:
            # Python's int ** negative int is float(a) ** float(b) (CPython's long_pow): a
            # float, with float pow's errors (0 ** -2 raises ZeroDivisionError)
            return Ex(f"Py.pow({self._as(a, 'float', node, op)}, "
                      f"{_float_literal(float(b.const))})", "float")
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
                  a.type)

    def visit_IfExp(self, n: A.IfExp) -> Ex:
        cond, a, b = self.cond(n.test), self.visit(n.body), self.visit(n.orelse)
        t = a.type if a.type == b.type else "float" if {a.type, b.type} <= {"int", "float"} \
            else None
        if t is None:
            raise self._err(n, f"the two branches give a {a.type} and a {b.type}; give them one "
                            "type", "U120")
        return Ex(f"(if ({cond}) {self._as(a, t, n, 'if')} else {self._as(b, t, n, 'if')})", t,
                  mixed=a.mixed or b.mixed or a.type != b.type)

    _CMP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
    _PY_CMP = {"==": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
    _FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

    def _compare(self, op: str, a: Ex, b: Ex, right: A.Node, node: A.Node) -> str:
        if op in ("is", "is not"):
            if not (isinstance(right, A.Const) and right.value is None):
                raise self._err(node, "'is' is only supported with None in a UDF")
            # NULL inputs never reach the body (the notebook's engine skips the call), and no
            # UDF value is None, so `x is None` is always False.
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
                code = self._long(a, node, "in") if t == "int" else self._as(a, t, node, "in")
                return f"{neg}PyDict.contains({b.code}, {code})"
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
                x, y = (_float_literal(float(a.const)), b.code) if lit is a else \
                    (a.code, _float_literal(float(b.const)))
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
        # a < b < c evaluates b once
        temps, parts, prev = [], [], left
        for op, node, value in zip(n.ops, n.comparators, values[1:]):
            if value is not None and value.type not in ("None",):
                t = self._fresh("c")
                temps.append(f"val {t} = {value.code}")
                value = Ex(t, value.type)
            parts.append(self._compare(op, prev, value, node, n))
            prev = value
        return Ex(f"{{ {'; '.join(temps)}; {' && '.join(parts)} }}", "bool")

    # ---- comprehensions and generator expressions ------------------------------------------
    # Evaluated as loops in a Scala block, never as a materialised list unless one is asked
    # for, and left as soon as the result is known (any/all stop as in Python, so an element
    # Python never computes cannot raise).

    def _comprehension(self, n: A.Node, what: str) -> A.Comprehension:
        if not isinstance(n, A.Comprehension) or n.kind not in ("generator", "list"):
            raise self._err(n, f"{what} takes a generator expression or a list comprehension "
                            "here", "U120")
        return n

    def _comp_loops(self, n: A.Comprehension, done: str, inner) -> list[str]:
        """Scala lines running ``inner(element)`` for each element of ``n``'s clauses."""
        saved = dict(self.scope)

        def clause(k: int) -> list[str]:
            if k == len(n.clauses):
                return inner(self.visit(n.element))
            c = n.clauses[k]
            if len(c.targets) != 1:
                raise self._err(c, "a comprehension in a UDF binds a single name", "U120")
            var = self._fresh("c")
            header, cond, advance, t = self._iteration(c.iter, var)
            self.scope[c.targets[0]] = Ex(var, t)
            body = clause(k + 1)
            for test in reversed(c.conditions):
                body = [f"if ({self.cond(test)}) {{", *("  " + ln for ln in body), "}"]
            return [*header, f"while (!{done} && {cond}) {{", *("  " + ln for ln in advance),
                    *("  " + ln for ln in body), "}"]

        try:
            return clause(0)
        finally:
            self.scope = saved

    def _iteration(self, it: A.Node, var: str, what: str = "a comprehension runs"
                   ) -> tuple[list[str], str, list[str], str]:
        """How to run over ``it``: header lines, loop condition, lines binding ``var``, type
        (for loops and comprehensions alike)."""
        if isinstance(it, A.Call) and isinstance(it.func, A.Name) and it.func.id == "range" \
                and it.func.id not in self.locals:
            args = [self._long(self.visit(a), a, "range()") for a in it.args]
            if not 1 <= len(args) <= 3 or it.keywords:
                raise self._err(it, "range() takes 1 to 3 int arguments")
            start, stop, step = (["0L", *args, "1L"] if len(args) == 1 else [*args, "1L"]
                                 if len(args) == 2 else args)
            i, hi, st = self._fresh("i"), self._fresh("stop"), self._fresh("step")
            header = [f"var {i}: Long = {start}", f"val {hi}: Long = {stop}",
                      f"val {st}: Long = {step}",
                      f'if ({st} == 0L) throw new PyError("ValueError", '
                      '"range() arg 3 must not be zero")']
            cond = f"(if ({st} > 0L) {i} < {hi} else {i} > {hi})"
            advance = [f"val {var} = {self._from_long(i)}", f"{i} = Py.rangeNext({i}, {hi}, {st})"]
            return header, cond, advance, "int"
        e = self.visit(it)
        if e.type in ("list[int]", "list[float]"):
            arr, k = self._fresh("items"), self._fresh("k")
            t = e.type[len("list["):-1]
            item = self._from_long(f"{arr}({k})") if t == "int" else f"{arr}({k})"
            return ([f"val {arr} = {e.code}", f"var {k} = 0"], f"{k} < {arr}.length",
                    [f"val {var} = {item}", f"{k} += 1"], t)
        if e.type not in ("str", "list[str]"):
            raise self._err(it, f"{what} over range(...), a str, a list of str or a constant "
                            f"list of the cell, not a {e.type}", "U120")
        arr, k = self._fresh("items"), self._fresh("k")
        items = f"PyStr.codePoints({e.code})" if e.type == "str" else e.code
        return ([f"val {arr}: Array[String] = {items}", f"var {k} = 0"], f"{k} < {arr}.length",
                [f"val {var} = {arr}({k})", f"{k} += 1"], "str")

    def _fold(self, n: A.Comprehension, init: list[str], step, result: str, t: str,
              done: str | None = None) -> Ex:
        flag = done or self._fresh("done")
        lines = [*init] + ([] if done else [f"var {flag} = false"])
        lines += self._comp_loops(n, flag, step)
        return Ex("{\n" + "\n".join([*lines, result]) + "\n}", t)

    def _join(self, sep: Ex, arg: A.Node) -> Ex:
        n = self._comprehension(arg, "str.join()")
        sb, first = self._fresh("sb"), self._fresh("first")

        def step(e: Ex) -> list[str]:
            if e.type != "str":
                raise self._err(n.element, f"str.join() needs str items, this is a {e.type} "
                                "(Python raises TypeError)", "U120")
            return [f"if (!{first}) {sb}.append({sep.code})", f"{first} = false",
                    f"{sb}.append({e.code})"]
        return self._fold(n, [f"val {sb} = new java.lang.StringBuilder", f"var {first} = true"],
                          step, f"{sb}.toString", "str")

    def _reduce(self, name: str, n: A.Call) -> Ex:
        """``sum``/``any``/``all``/``min``/``max``/``len``/``list`` of a comprehension."""
        comp = self._comprehension(n.args[0], f"{name}()")
        acc, done = self._fresh("acc"), self._fresh("done")
        probe = self._element_type(comp)
        if name in ("any", "all"):
            hit = "true" if name == "any" else "false"

            def step(e: Ex) -> list[str]:
                test = self._truthy(e) if name == "any" else f"!{self._truthy(e)}"
                return [f"if ({test}) {{ {acc} = {hit}; {done} = true }}"]
            return self._fold(comp, [f"var {acc} = {'false' if name == 'any' else 'true'}",
                                     f"var {done} = false"], step, acc, "bool", done)
        if name == "len":
            if comp.kind == "generator":
                raise self._err(comp, "len() of a generator expression (Python raises "
                                "TypeError); use a list comprehension", "U120")
            return self._fold(comp, [f"var {acc} = 0L"], lambda e: [f"{acc} += 1L"],
                              self._from_long(acc), "int")
        if name == "list":
            if probe != "str":
                raise self._err(comp, f"a list of {probe} values is not supported in a UDF "
                                "(lists of str are)", "U120")
            return self._fold(comp, [f"val {acc} = scala.collection.mutable.ArrayBuffer"
                                     "[String]()"], lambda e: [f"{acc} += {e.code}"],
                              f"{acc}.toArray", "list[str]")
        if name == "sum":
            if probe not in ("int", "float", "bool"):
                raise self._err(comp, f"sum() of {probe} values (Python raises TypeError)",
                                "U120")
            t = "float" if probe == "float" else "int"
            if t == "float" and sys.version_info >= (3, 12):
                raise self._err(comp, "sum() of floats: Python 3.12+ adds them with "
                                "compensation, which the runtime does not reproduce", "U120")
            zero = "0.0" if t == "float" else self.default_of["int"]

            def step(e: Ex) -> list[str]:
                return [f"{acc} = {self._binop('+', Ex(acc, t), e, comp).code}"]
            folded = self._fold(comp, [f"var {acc}: {self.scala_of[t]} = {zero}"], step, acc, t)
            # Python's sum starts from the int 0: an empty float sum is the int 0
            return Ex(folded.code, t, mixed=t == "float")
        # min / max
        if probe not in ("int", "float", "str"):
            raise self._err(comp, f"{name}() of {probe} values is not supported in a UDF", "U120")
        seen = self._fresh("seen")
        op = "<" if name == "min" else ">"

        def step(e: Ex) -> list[str]:
            if e.type != probe:
                raise self._err(comp, f"{name}() of mixed values", "U120")
            tmp = self._fresh("v")
            if probe == "str":
                better = f"(PyStr.compare({tmp}, {acc}) {op} 0)"
            else:
                better = self._compare(op, Ex(tmp, probe), Ex(acc, probe), comp, comp)
            # Python keeps the first of equal items (and a NaN first stays)
            return [f"val {tmp} = {e.code}",
                    f"if (!{seen} || {better}) {{ {acc} = {tmp}; {seen} = true }}"]
        empty = (f'if (!{seen}) throw new PyError("ValueError", "{name}() arg is an empty '
                 'sequence")')
        return self._fold(comp, [f"var {acc}: {self.scala_of[probe]} = {self.default_of[probe]}",
                                 f"var {seen} = false"], step, f"{empty}\n{acc}", probe)

    def _element_type(self, n: A.Comprehension) -> str:
        """The element's type, translating once with the clause variables bound."""
        found: list[str] = []

        def inner(e: Ex) -> list[str]:
            found.append(e.type)
            return []
        counter = self.counter
        self._comp_loops(n, "false", inner)
        self.counter = counter
        return found[0]

    def visit_Comprehension(self, n: A.Comprehension) -> Ex:
        if n.kind == "list":
            return self._reduce("list", A.Call(n.pos, A.Name(n.pos, "list"), (n,), ()))
        raise self._err(n, f"a {n.kind} comprehension is only supported as the argument of "
                        "str.join, sum, any, all, min, max, len or list in a UDF (or as a list "
                        "comprehension of str)", "U120")

    # ---- the cell's constants (frozen at transpile time) -----------------------------------

    _ELEM = {bool: "bool", int: "int", float: "float", str: "str"}
    _BOXED = {"int": "java.lang.Long", "float": "java.lang.Double", "str": "String",
              "bool": "java.lang.Boolean"}

    def _literal_code(self, v) -> str:
        if type(v) is bool:
            return "true" if v else "false"
        if type(v) is int:
            return f"{v}L"
        if type(v) is float:
            return _float_literal(v)
        return self.consts.string(v)

    def _one_type(self, items, n: A.Node, what: str) -> str:
        types = {self._ELEM[type(v)] for v in items}
        if len(types) > 1:
            raise self._err(n, f"{what} mixes {' and '.join(sorted(types))} values; a UDF reads "
                            "constants of one element type", "U120")
        return types.pop() if types else "str"

    def _constant(self, n: A.Name) -> Ex:
        v = self.constants[n.id]
        if type(v) in self._ELEM:
            return self.visit_Const(A.Const(n.pos, v))
        if type(v) is dict:
            k = self._one_type(v.keys(), n, f"'{n.id}'")
            t = self._one_type(v.values(), n, f"'{n.id}'")
            if k not in ("str", "int"):
                raise self._err(n, f"'{n.id}' has {k} keys; a UDF reads dicts with str or int "
                                "keys", "U120")
            keys = ", ".join(self._literal_code(x) for x in v)
            values = ", ".join(self._literal_code(x) for x in v.values())
            code = (f"PyDict.of[{self._BOXED[k]}, {self._BOXED[t]}](Array[{self._BOXED[k]}]"
                    f"({keys}), Array[{self._BOXED[t]}]({values}))")
            field = self.consts.value(f"java.util.Map[{self._BOXED[k]}, {self._BOXED[t]}]", code)
            return Ex(field, f"dict[{k},{t}]")
        items = list(v)
        t = self._one_type(items, n, f"'{n.id}'")
        if type(v) in (set, frozenset):
            if t not in ("str", "int"):
                raise self._err(n, f"a set of {t} values is not supported in a UDF", "U120")
            code = (f"PyDict.set[{self._BOXED[t]}](Array[{self._BOXED[t]}]"
                    f"({', '.join(self._literal_code(x) for x in items)}))")
            return Ex(self.consts.value(f"java.util.Set[{self._BOXED[t]}]", code), f"set[{t}]")
        if t == "bool":
            raise self._err(n, "a list of bool values is not supported in a UDF", "U120")
        scala = {"str": "String", "int": "Long", "float": "Double"}[t]
        code = f"Array[{scala}]({', '.join(self._literal_code(x) for x in items)})"
        return Ex(self.consts.value(f"Array[{scala}]", code), f"list[{t}]")

    def _key(self, e: Ex, want: str, node: A.Node) -> str:
        """A lookup key of a constant: the key type, a long for ints (null beyond 64 bits)."""
        if e.type != want and not (want == "int" and e.type == "bool"):
            raise self._err(node, f"looking up a {e.type} in a constant with {want} keys (Python "
                            "finds nothing there; convert first)", "U120")
        code = self._as(e, want, node, "key")
        if want == "int":
            return f"PyBig.key({code})" if self.wide else f"java.lang.Long.valueOf({code})"
        return code

    def _unboxed(self, code: str, t: str) -> str:
        unbox = {"int": "{}.longValue", "float": "{}.doubleValue", "bool": "{}.booleanValue",
                 "str": "{}"}[t].format(code)
        return self._from_long(unbox) if t == "int" else unbox

    def _dict_types(self, t: str) -> tuple[str, str]:
        k, v = t[len("dict["):-1].split(",")
        return k, v

    def visit_Collection(self, n: A.Collection) -> Ex:
        raise self._err(n, f"a {n.kind} is only supported on the right of 'in' in a UDF")

    def visit_Subscript(self, n: A.Subscript) -> Ex:
        split_item = self._split_item(n)
        if split_item is not None:
            return split_item
        v = self.visit(n.value)
        if isinstance(n.index, A.Slice):
            if v.type != "str":
                raise self._err(n, f"slicing a {v.type}", "U120")
            s = n.index
            bound = [self._long(self.visit(x), x, "slice") if x is not None else "PyStr.NONE"
                     for x in (s.start, s.stop)]
            step = self._long(self.visit(s.step), s.step, "slice") if s.step else "1L"
            return Ex(f"PyStr.slice({v.code}, {bound[0]}, {bound[1]}, {step})", "str")
        if v.type.startswith("dict["):
            k, t = self._dict_types(v.type)
            key = self._key(self.visit(n.index), k, n.index)
            return Ex(self._unboxed(f"PyDict.item({v.code}, {key})", t), t)
        i = self._long(self.visit(n.index), n.index, "index")
        if v.type in ("list[int]", "list[float]"):
            t = v.type[len("list["):-1]
            code = f"PyDict.at({v.code}, {i})"
            return Ex(self._from_long(code) if t == "int" else code, t)
        if v.type == "str":
            return Ex(f"PyStr.at({v.code}, {i})", "str")
        if v.type == "list[str]":
            return Ex(f"PyStr.item({v.code}, {i})", "str")
        raise self._err(n, f"indexing a {v.type}", "U120")

    def _split_item(self, n: A.Subscript) -> Ex | None:
        """``s.split(sep)[k]`` with a literal k: the k-th piece without building the list."""
        call, index = n.value, n.index
        if not (isinstance(call, A.Call) and isinstance(call.func, A.Attribute)
                and call.func.attr == "split" and len(call.args) == 1 and not call.keywords
                and isinstance(index, A.Const) and type(index.value) is int
                and -(2 ** 63) <= index.value < 2 ** 63):
            return None
        recv, sep = self.visit(call.func.value), self.visit(call.args[0])
        if recv.type != "str" or sep.type != "str":
            return None
        return Ex(f"PyStr.splitItem({recv.code}, {sep.code}, {index.value}L)", "str")

    def visit_FString(self, n: A.FString) -> Ex:
        parts = []
        for part in n.parts:
            if isinstance(part, str):
                parts.append(self.consts.string(part))
                continue
            e = self.visit(part.value)
            if part.conversion in ("r", "a") and e.type in ("str", *TEMPORAL):
                raise self._err(part, f"!{part.conversion} of a str is not supported in a UDF")
            if e.type not in TO_STR:
                raise self._err(part, f"a {e.type} cannot be formatted in an f-string", "U120")
            self._not_mixed(e, part, "formatting")
            if not part.spec:
                parts.append(self.to_str_of[e.type].format(e.code))
                continue
            self._check_spec(part, e)
            parts.append(f"PyFormat.format({e.code}, {self.consts.string(part.spec)})")
        return Ex("(" + " + ".join(['""', *parts]) + ")", "str")

    def _check_spec(self, node: A.FormatField, e: Ex) -> None:
        spec = node.spec
        kind = spec[-1] if spec and (spec[-1].isalpha() or spec[-1] == "%") else ""
        sample = {"int": 7, "float": 1.5, "str": "a", "bool": True}.get(e.type)
        ok = _SPEC.match(spec) and kind in FORMAT_TYPES.get(e.type, ()) and not (
            e.type == "float" and not kind and "." in spec)
        try:
            format(sample, spec)
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise self._err(node, f"format spec '{spec}' for a {e.type} is not supported in a UDF "
                            "(supported: fill, align, sign, 0, width, , or _, .precision and "
                            "the types d b o x X f F e E g G % s)", "U125")

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
        if n.keywords:
            raise self._err(n.keywords[0], "keyword arguments are not supported in a UDF")
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and f.value.id == "math":
            if f.attr not in MATH:
                raise self._err(f, f"math.{f.attr} is not supported in a UDF (supported: "
                                f"{', '.join(sorted(MATH))})", "U102")
            return self._table(f"math.{f.attr}", MATH[f.attr], None, n.args, n)
        if isinstance(f, A.Attribute):
            if isinstance(f.value, A.Name) and f.value.id in self.names and \
                    f.value.id not in self.locals:
                raise self._err(f, f"{f.value.id}.{f.attr}() is not supported in a UDF", "U102")
            recv = self.visit(f.value)
            if recv.type.startswith("dict[") and f.attr == "get" and len(n.args) == 2:
                k, t = self._dict_types(recv.type)
                key = self._key(self.visit(n.args[0]), k, n.args[0])
                default = self.visit(n.args[1])
                if default.type != t and not (t == "float" and default.type == "int"):
                    raise self._err(n.args[1], f"the default of {f.attr}() is a {default.type}, "
                                    f"the values are {t} (the result's type would depend on the "
                                    "key)", "U120")
                boxed = BOX[t].format(self._long(default, n.args[1], "get") if t == "int"
                                      else self._as(default, t, n.args[1], "get"))
                return Ex(self._unboxed(f"PyDict.get({recv.code}, {key}, {boxed})", t), t,
                          mixed=t == "float" and (default.type != "float" or default.mixed))
            if recv.type.startswith("dict[") and f.attr == "get":
                raise self._err(n, "dict.get() with one argument gives None for a missing key; "
                                "give a default of the values' type", "U120")
            if recv.type in TEMPORAL_METHODS and f.attr in TEMPORAL_METHODS[recv.type]:
                return self._table(f"{recv.type}.{f.attr}", TEMPORAL_METHODS[recv.type][f.attr],
                                   recv, n.args, n)
            if recv.type != "str" or f.attr not in STR_METHODS:
                raise self._err(f, f"method '{f.attr}' of a {recv.type} is not supported in a "
                                "UDF", "U102")
            if f.attr == "join" and len(n.args) == 1 and isinstance(n.args[0], A.Comprehension):
                return self._join(recv, n.args[0])
            if f.attr in ("startswith", "endswith") and n.args and \
                    isinstance(n.args[0], A.Collection):
                tests = [f"PyStr.{f.attr}({recv.code}, {self._as(self.visit(x), 'str', x, f.attr)})"
                         for x in n.args[0].items]
                return Ex(f"({' || '.join(tests) or 'false'})", "bool")
            return self._table(f"str.{f.attr}", STR_METHODS[f.attr], recv, n.args, n)
        if not isinstance(f, A.Name):
            raise self._err(n, "only functions, math functions and str methods can be called")
        name = f.id
        if name in self.functions:
            sig = self.functions[name]
            if len(n.args) != len(sig.params):
                raise self._err(n, f"'{name}' takes {len(sig.params)} arguments, "
                                f"{len(n.args)} given", "U120")
            args = [self._as(self.visit(a), t, a, f"argument '{p}' of {name}")
                    for a, (p, t) in zip(n.args, sig.params)]
            method = f"{sig.scala}_w" if self.wide else sig.scala
            return Ex(f"{method}({', '.join(args)})", sig.returns)
        if name in ("sum", "any", "all", "min", "max", "len", "list") and len(n.args) == 1 \
                and isinstance(n.args[0], A.Comprehension) and name not in self.locals:
            return self._reduce(name, n)
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

    def _table(self, shown: str, sigs, recv: Ex | None, args, node) -> Ex:
        values = [self.visit(a) for a in args]
        if shown == "str":
            for v, a in zip(values, args):
                self._not_mixed(v, a, "str()")
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
        codes = [self._long(v, a, shown) if p == "int" else self._as(v, p, a, shown)
                 for v, p, a in zip(values, params, args)]
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


def _bound_names(fn: U.Function) -> set[str]:
    """The names a function binds (parameters, assignments, loop targets, nested functions):
    its locals in Python, wherever in the body the binding is."""
    names = {n for n, _ in fn.params}

    def walk(stmts):
        for st in stmts:
            if isinstance(st, (A.Assign, U.AugAssign)):
                names.add(st.target)
            elif isinstance(st, U.For):
                names.add(st.target)
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
                    walk(h.body)
    walk(fn.body)
    return names


def signature(fn: U.Function, scala: str) -> Signature:
    if len(fn.params) > 22:  # Spark's Java UDF interfaces stop at UDF22
        raise UdfError("U110", f"'{fn.name}' has {len(fn.params)} parameters; a UDF takes at "
                       "most 22", fn.pos)
    params = tuple((n, udf_type(t, fn.pos)) for n, t in fn.params)
    return Signature(scala, params, udf_type(fn.returns, fn.pos))

