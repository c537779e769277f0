"""A UDF's statements as Scala lines: assignments (with a new local where a name changes
type), returns, loops, ``try``/``except``, ``raise``, unpacking."""

from __future__ import annotations


from ..ir import cellast as A
from ..ir import udf_ast as U
from .typed import EXCEPTIONS, RAISED, Ex, UdfError
from .udf_dicts import EMPTY_DICT, fresh_dict, is_dict
from .udf_lists import EMPTY, LISTS, element, iterated
from .udf_tables import SCALA, TO_STR


class StatementTranslation:
    """The statement part of :class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin)."""

    # ---- statements ------------------------------------------------------------------------

    def _block(self, stmts) -> list[str]:
        self.nesting += 1
        try:
            return self._statements(stmts)
        finally:
            self.nesting -= 1

    def _statements(self, stmts) -> list[str]:
        out: list[str] = []
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, U.Function):
                self._nested(stmt)
                continue
            if self.discovering:
                try:
                    out += self._stmt(stmt)
                except UdfError:
                    continue  # a read before the store that types its dict: go on to the store
            else:
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
        self.line = stmt.pos.line
        method = getattr(self, f"stmt_{type(stmt).__name__}", None)
        if method is None:
            raise self._err(stmt, f"{type(stmt).__name__} is not supported in a UDF")
        return [line, *method(stmt)]

    def _store(self, target: str, e: Ex, node: A.Node) -> str:
        if e.type not in SCALA and e.type not in (EMPTY, "set[?]", EMPTY_DICT):
            raise self._err(node, f"a {e.type} value cannot be stored in a variable")
        key = self._local(target)
        if key not in self.locals:
            self.locals[key] = "float" if key in self.promoted and e.type in ("int", "bool") \
                else self._list_store(key, e)
        want = self.locals[key]
        if e.type == EMPTY and want in LISTS:
            e = Ex(self.default_of[want], want)  # `[]`: an empty list of the local's type
        e = self._dict_store(want, self._set_store(want, e))
        if is_dict(want):
            # a dict local from anything but a fresh dict may be the cell's (frozen) constant
            fresh = fresh_dict(getattr(node, "value", None), self.locals, self.frozen,
                               self._local)
            if not fresh:
                self.frozen.add(key)
        if want.startswith("set["):
            # a set local from anything but a fresh set or another set local may be the
            # cell's (frozen) constant
            value = getattr(node, "value", None)
            fresh = isinstance(value, (A.Collection, A.Comprehension)) and \
                value.kind == "set" or \
                isinstance(value, A.Call) and isinstance(value.func, A.Name) and \
                value.func.id == "set" or isinstance(value, A.Name) and \
                value.id in self.locals and self._local(value.id) not in self.frozen
            if not fresh:
                self.frozen.add(key)
        if want == "int" and e.type == "float" and (self.nesting > 1 or self.loops) and \
                key not in dict(self.sig.params) and key not in self.loop_targets:
            # `total = 0` then `total += price` in a loop: a float local from the start
            self.promoted.add(key)
            want = "float"
        if e.type != want and not (want == "float" and e.type in ("int", "bool")):
            if self.nesting > 1 or self.loops or self.scope:
                raise self._err(node, f"'{target}' holds {want} values; this assigns a {e.type} "
                                "inside a branch, loop or try (a name may change its type in "
                                "the function's top-level statements only)", "U121")
            key = f"{target}#{sum(k.split('#')[0] == target for k in self.locals) + 1}"
            self.version[target] = key
            self.locals[key] = want = "float" if key in self.promoted and \
                e.type in ("int", "bool") else self._list_store(key, e)
            if e.type == EMPTY:
                e = Ex(self.default_of[want], want)
            e = self._dict_store(want, self._set_store(want, e))
        self.assigned.add(key)
        if want in ("match", "pattern"):
            known = self.regex_of.get(key, ())
            if key in self.regex_read and not set(e.regex) <= set(known):
                raise self._err(node, f"'{target}' is given a match or pattern of another "
                                "pattern after it was used", "U127")
            self.regex_of[key] = known + tuple(p for p in e.regex if p not in known)
        if e.mixed or want == "float" and e.type in ("int", "bool"):
            # Python keeps the int (or bool) a float local is given: it prints as one
            self.mixed_vars.add(key)
        value = self._mixing(e, node, "assignment") if want == "float" else \
            self._as(e, want, node, "assignment")
        return f"{self._v(target)} = {value}{self._bind(target)}"

    def stmt_Assign(self, s: A.Assign) -> list[str]:
        self._check_alias(s.target, s.value, s)
        self.statement_call = s.value  # `c = st.pop()`: the pop is the whole statement
        return [self._store(s.target, self.visit(s.value), s)]

    def stmt_AugAssign(self, s: U.AugAssign) -> list[str]:
        current = A.Name(s.pos, s.target)
        added = self.visit(s.value)
        if s.target in self.locals and self.locals[self._local(s.target)] in LISTS:
            self._check_iterating(s.target, s)
            self._hint(s.target, added.type)
        value = self._binop(s.op, self.visit(current), added, s)
        return [self._store(s.target, value, s)]

    def stmt_ExprStmt(self, s: A.ExprStmt) -> list[str]:
        if isinstance(s.value, A.Const):
            return []  # a docstring
        self.statement_call = s.value
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
        if not self.entry and want == "float" and e.type in ("int", "bool"):
            # the caller would get Python's int (it prints as one) as a float
            raise self._err(s, f"'{self.fn.name}' is declared to return float, and this returns "
                            f"a{'n' if e.type == 'int' else ''} {e.type}: Python returns it as it "
                            "is; write float(...)", "U122")
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
            if h.name is not None and h.name in _mentioned(self.fn.body):
                # in the handler it is the exception object (no UDF type); after it Python
                # unbinds the name, whatever it held before
                raise self._err(h, "'except ... as name' with the name used in the function is "
                                "not supported in a UDF", "U120")
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
              target: tuple[str, ...] = ()) -> list[str]:
        brk, cont = self._fresh("brk"), self._fresh("cont")
        before = set(self.assigned)
        for name in target or ():
            self.assigned.add(self._local(name))
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
        targets = (s.target,) if isinstance(s.target, str) else s.target
        values = self._unpacked(targets, var, t, s)
        binds = []
        for target, (code, vt) in zip(targets, values):
            self._declare(target, vt, s)
            if vt == "match":  # re.finditer's matches: their groups are the pattern's
                key = self._local(target)
                known = self.regex_of.get(key, ())
                if key in self.regex_read and not set(self.iter_regex) <= set(known):
                    raise self._err(s, f"'{target}' is given a match of another pattern after "
                                    "it was used", "U127")
                self.regex_of[key] = known + tuple(p for p in self.iter_regex if p not in known)
            binds.append(f"{self._v(target)} = {code}{self._bind(target)}")
        running = iterated(s.iter)
        self.iterating += running
        try:
            return self._loop(header, cond, [*advance, *binds], s.body, targets)
        finally:
            del self.iterating[len(self.iterating) - len(running):]

    def _unpacked(self, targets, var: str, t, node) -> list[tuple[str, str]]:
        """The (code, type) each target takes from an item of type ``t`` (a tuple of types
        for ``enumerate``/``zip``/``items()``: their parts ``var_0``, ``var_1``, ...)."""
        if isinstance(t, tuple):
            if len(targets) != len(t):
                raise self._err(node, f"unpacking {len(t)} values into {len(targets)} names "
                                "(Python raises ValueError)" if len(targets) > 1 else
                                "a tuple item bound to one name is not supported in a UDF "
                                "(unpack it: `for i, x in ...`)", "U120")
            return [(f"{var}_{k}", tk) for k, tk in enumerate(t)]
        if len(targets) != 1:
            raise self._err(node, f"unpacking a {t} into {len(targets)} names is not supported "
                            "in a UDF", "U120")
        return [(var, t)]

    def stmt_Unpack(self, s: U.Unpack) -> list[str]:
        """``a, b = x, y`` (every value first, then the names, as Python does) and
        ``q, r = divmod(a, b)``."""
        v = s.value
        if isinstance(v, A.Call) and isinstance(v.func, A.Name) and v.func.id == "divmod" \
                and "divmod" not in self.locals and len(v.args) == 2 and not v.keywords:
            a, b = self.visit(v.args[0]), self.visit(v.args[1])
            parts = [self._binop("//", a, b, v), self._binop("%", a, b, v)]
        elif isinstance(v, A.Call) and isinstance(v.func, A.Attribute) and \
                isinstance(v.func.value, A.Name) and v.func.value.id == "math" and \
                v.func.attr in ("frexp", "modf") and len(v.args) == 1 and not v.keywords:
            x = self._fresh("x")
            value = self._as(self.visit(v.args[0]), "float", v.args[0], f"math.{v.func.attr}")
            if v.func.attr == "frexp":
                parts = [Ex(f"Py.frexpMantissa({x})", "float"),
                         Ex(self._from_long(f"Py.frexpExponent({x})"), "int")]
            else:
                parts = [Ex(f"Py.modfFrac({x})", "float"), Ex(f"Py.modfInt({x})", "float")]
            return [f"val {x} = {value}", *self._unpack_parts(s, parts)]
        elif isinstance(v, A.Collection) and v.kind == "tuple":
            for target, item in zip(s.targets, v.items):
                self._check_alias(target, item, s)
            parts = [self.visit(x) for x in v.items]
        else:
            e = self.visit(v)
            if e.type == "str":
                e = Ex(f"PyStr.codePoints({e.code})", "list[str]")
            if e.type not in LISTS:
                raise self._err(v, f"unpacking a {e.type} is not supported in a UDF (a tuple, "
                                "a list, a str or divmod(...) is)", "U120")
            # `a, b = s.split(",")`: Python checks the length when it unpacks
            seq, k = self._fresh("u"), len(s.targets)
            t = element(e.type)
            out = [f"val {seq} = {e.code}",
                   f"if ({seq}.length != {k}) throw PyList.unpack({seq}.length, {k})"]
            return out + [self._store(target, Ex(self._from_long(f"{seq}({i})") if t == "int"
                                                 else f"{seq}({i})", t), s)
                          for i, target in enumerate(s.targets)]
        return self._unpack_parts(s, parts)

    def _unpack_parts(self, s: U.Unpack, parts: list[Ex]) -> list[str]:
        if len(parts) != len(s.targets):
            raise self._err(s, f"unpacking {len(parts)} values into {len(s.targets)} names "
                            "(Python raises ValueError)", "U120")
        temps = [self._fresh("u") for _ in parts]
        out = [f"val {tmp} = {e.code}" for tmp, e in zip(temps, parts)]
        return out + [self._store(target, Ex(tmp, e.type, mixed=e.mixed), s)
                      for target, tmp, e in zip(s.targets, temps, parts)]

    def _declare(self, target: str, t: str, node) -> None:
        key = self._local(target)
        self.loop_targets.add(key)
        if self.locals.setdefault(key, t) != t:
            raise self._err(node, f"'{target}' holds {self.locals[key]} values; the loop "
                            f"assigns {t} values", "U121")


def _mentioned(stmts) -> set[str]:
    """Every name a statement list mentions."""
    return {node.id for node in A.walk(tuple(stmts)) if isinstance(node, A.Name)}
