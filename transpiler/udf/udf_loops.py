"""Comprehensions, generator expressions and what loops run over (``range``, str, lists,
``enumerate``, ``zip``, a constant dict), as Scala loops in place."""

from __future__ import annotations

import sys

from ..ir import cellast as A
from .typed import Ex
from .udf_lists import BOOLS, EMPTY, iterated


class LoopTranslation:
    """The iteration part of :class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin)."""

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
            var = self._fresh("c")
            header, cond, advance, t = self._iteration(c.iter, var)
            for target, (code, vt) in zip(c.targets, self._unpacked(c.targets, var, t, c)):
                self.scope[target] = Ex(code, vt, regex=self.iter_regex if vt == "match" else ())
            running = iterated(c.iter)  # what the clause runs over: not shrunk inside it
            self.iterating += running
            try:
                body = clause(k + 1)
            finally:
                del self.iterating[len(self.iterating) - len(running):]
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
        (for loops and comprehensions alike).  ``enumerate``, ``zip`` and a dict's ``items()``
        bind ``var_0``, ``var_1``, ... and give a tuple of types."""
        if isinstance(it, A.Call) and isinstance(it.func, A.Name) and \
                it.func.id in ("enumerate", "zip") and it.func.id not in self.locals:
            return self._tuples(it, var, what)
        if isinstance(it, A.Call) and isinstance(it.func, A.Attribute) and not it.args and \
                it.func.attr in ("items", "keys", "values"):
            d = self.visit(it.func.value)
            if d.type.startswith("dict["):
                return self._dict_iteration(d, it.func.attr, var)
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
        e = self._as_list(it) if isinstance(it, A.Call) and isinstance(it.func, A.Name) and \
            it.func.id == "reversed" else self.visit(it)
        if e.type == EMPTY:
            e = Ex("new Array[String](0)", "list[str]")
        if e.type == BOOLS:
            arr, k = self._fresh("items"), self._fresh("k")
            return ([f"val {arr} = {e.code}", f"var {k} = 0"], f"{k} < {arr}.length",
                    [f"val {var} = {arr}({k})", f"{k} += 1"], "bool")
        if e.type == "matches":  # re.finditer: each a match of the pattern
            arr, k = self._fresh("ms"), self._fresh("k")
            self.iter_regex = e.regex
            return ([f"val {arr} = {e.code}", f"var {k} = 0"], f"{k} < {arr}.length",
                    [f"val {var} = {arr}({k})", f"{k} += 1"], "match")
        if e.type.startswith("dict["):
            return self._dict_iteration(e, "keys", var)
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

    def _tuples(self, it: A.Call, var: str, what: str):
        """``enumerate(x[, start])`` and ``zip(a, b, ...)``: zip stops at its shortest
        argument, testing them in order (none has side effects to tell the order)."""
        name = it.func.id
        args = list(it.args)
        if name == "enumerate" and len(args) == 1 and len(it.keywords) == 1 and \
                it.keywords[0].name == "start":
            args.append(it.keywords[0].value)
        elif it.keywords:
            args = []
        if not args or name == "enumerate" and len(args) > 2:
            raise self._err(it, f"{name}() with these arguments is not supported in a UDF",
                            "U120")
        if name == "enumerate":
            header, cond, advance, t = self._iteration(args[0], f"{var}_1", what)
            if isinstance(t, tuple):
                raise self._err(it, "enumerate() of tuples is not supported in a UDF", "U120")
            k = self._fresh("n")
            start = self._as(self.visit(args[1]), "int", args[1], "enumerate()") \
                if len(args) == 2 else self._int_literal(0).code
            return ([*header, f"var {k}: {self.scala_of['int']} = {start}"], cond,
                    [*advance, f"val {var}_0 = {k}",
                     f"{k} = {'PyBig.add' if self.wide else 'Py.add'}({k}, "
                     f"{self._int_literal(1).code})"], ("int", t))
        headers, conds, advances, types = [], [], [], []
        for i, arg in enumerate(it.args):
            header, cond, advance, t = self._iteration(arg, f"{var}_{i}", what)
            if isinstance(t, tuple):
                raise self._err(arg, "zip() of tuples is not supported in a UDF", "U120")
            headers += header
            conds.append(cond)
            advances += advance
            types.append(t)
        return headers, " && ".join(conds), advances, tuple(types)

    def _dict_iteration(self, d: Ex, part: str, var: str):
        """A dict's keys, values or items in insertion order (the cell's order for its
        constants).  Values are read when the loop reaches them, and the size is checked at
        every step, as CPython's dict iterator does: a dict local the body changes sees the
        new values, and a key added makes the next step raise RuntimeError (no key is removed
        during such a loop: udf_dicts refuses it)."""
        k, t = self._dict_types(d.type)
        m, keys, n, i = self._fresh("m"), self._fresh("keys"), self._fresh("n"), self._fresh("k")
        header = [f"val {m} = {d.code}",
                  f"val {keys} = PyDict.keys({m}, new Array[{self._BOXED[k]}](0))",
                  f"val {n} = {keys}.length", f"var {i} = 0"]
        key = self._unboxed(f"{keys}({i})", k)
        value = self._unboxed(f"PyDict.value({m}, {keys}({i}))", t)
        bind = {"keys": [f"val {var} = {key}"], "values": [f"val {var} = {value}"],
                "items": [f"val {var}_0 = {key}", f"val {var}_1 = {value}"]}[part]
        # the loop's own line is where Python reports the RuntimeError (the body set another)
        check = f"{{ {'fr.' if self.frame else ''}ln = {self.line}; PyDict.unchanged({m}, {n}) }}"
        return (header, f"{check} && {i} < {n}", [*bind, f"{i} += 1"],
                (k, t) if part == "items" else k if part == "keys" else t)

    def _fold(self, n: A.Comprehension, init: list[str], step, result: str, t: str,
              done: str | None = None) -> Ex:
        flag = done or self._fresh("done")
        lines = [*init] + ([] if done else [f"var {flag} = false"])
        lines += self._comp_loops(n, flag, step)
        return Ex("{\n" + "\n".join([*lines, result]) + "\n}", t)

    def _collect(self, n: A.Comprehension) -> Ex:
        """``{k: v for ...}`` and ``{x for ...}``: a fresh dict (each key before its value, a
        repeated key keeping its first place and its last value, as in Python) or set."""
        acc = self._fresh("acc")
        probe = self._element_type(n)
        if n.kind == "set":
            t = "int" if probe == "bool" else probe
            if t not in ("str", "int"):
                raise self._err(n, f"a set of {probe} values is not supported in a UDF (str and "
                                "int are)", "U120")

            def add(e: Ex) -> list[str]:
                code = self._as(e, t, n.element, "set")
                return [f"{acc}.add({self._box_key(Ex(code, t), n.element)})"]
            boxed = "String" if t == "str" else "java.lang.Long"
            return self._fold(n, [f"val {acc} = new java.util.HashSet[{boxed}]()"], add, acc,
                              f"set[{t}]")
        kt, vt = probe
        if kt not in ("str", "int"):
            raise self._err(n.element, f"a {kt} key in a UDF's dict (str and int keys are "
                            "supported)", "U120")
        if vt not in ("str", "int", "float", "bool"):
            raise self._err(n.value, f"a dict of {vt} values is not supported in a UDF", "U120")
        k, v = self._fresh("k"), self._fresh("v")

        def put(key: Ex) -> list[str]:
            # the element is the key; the value is visited in the same scope, after it
            value = self.visit(n.value)
            return [f"val {k} = {self._box_key(key, n.element)}",
                    f"val {v} = {self._box_value(value, vt, n.value)}",
                    f"PyDict.put({acc}, {k}, {v})"]
        return self._fold(n, [f"val {acc} = PyDict.mutable[{self._BOXED[kt]}, "
                              f"{self._BOXED[vt]}]()"], put, acc, f"dict[{kt},{vt}]")

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
            if probe == "bool":  # what loops, indexing, len, sum, any and all read
                return self._fold(comp, [f"val {acc} = scala.collection.mutable.ArrayBuffer"
                                         "[Boolean]()"], lambda e: [f"{acc} += {e.code}"],
                                  f"{acc}.toArray", BOOLS)
            t = probe
            if t not in ("str", "int", "float"):
                raise self._err(comp, f"a list of {probe} values is not supported in a UDF "
                                "(lists of str, int and float are)", "U120")
            return self._fold(comp, [f"val {acc} = scala.collection.mutable.ArrayBuffer"
                                     f"[{self.SCALAR[t]}]()"],
                              lambda e: [f"{acc} += {self._element_code(e, t, comp, 'list')}"],
                              f"{acc}.toArray", f"list[{t}]")
        if name in ("sum", "prod"):
            if probe not in ("int", "float", "bool"):
                raise self._err(comp, f"{name}() of {probe} values (Python raises TypeError)",
                                "U120")
            t = "float" if probe == "float" else "int"
            if name == "sum" and t == "float" and sys.version_info >= (3, 12):
                raise self._err(comp, "sum() of floats: Python 3.12+ adds them with "
                                "compensation, which the runtime does not reproduce", "U120")
            op = "+" if name == "sum" else "*"
            start = self._int_literal(0 if name == "sum" else 1)
            zero = ("0.0" if name == "sum" else "1.0") if t == "float" else start.code

            def step(e: Ex) -> list[str]:
                return [f"{acc} = {self._binop(op, Ex(acc, t), e, comp).code}"]
            folded = self._fold(comp, [f"var {acc}: {self.scala_of[t]} = {zero}"], step, acc, t)
            # Python's sum (prod) starts from the int 0 (1): empty, a float one is that int
            return Ex(folded.code, t, mixed=t == "float")
        # min / max
        if probe not in ("int", "float", "str"):
            raise self._err(comp, f"{name}() of {probe} values is not supported in a UDF", "U120")
        seen = self._fresh("seen")
        op = "<" if name == "min" else ">"
        marks: list[bool] = []

        def step(e: Ex) -> list[str]:
            if e.type != probe:
                raise self._err(comp, f"{name}() of mixed values", "U120")
            marks.append(e.mixed)  # the item picked may be Python's int
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
        folded = self._fold(comp, [f"var {acc}: {self.scala_of[probe]} = "
                                   f"{self.default_of[probe]}", f"var {seen} = false"], step,
                            f"{empty}\n{acc}", probe)
        return Ex(folded.code, probe, mixed=any(marks))

    def _element_type(self, n: A.Comprehension):
        """The element's type, translating once with the clause variables bound (a dict
        comprehension's: the key's and the value's)."""
        found: list = []

        def inner(e: Ex) -> list[str]:
            found.append(e.type if n.kind != "dict" else (e.type, self.visit(n.value).type))
            return []
        counter = self.counter
        self._comp_loops(n, "false", inner)
        self.counter = counter
        return found[0]

    def visit_Comprehension(self, n: A.Comprehension) -> Ex:
        if n.kind == "list":
            return self._reduce("list", A.Call(n.pos, A.Name(n.pos, "list"), (n,), ()))
        if n.kind in ("dict", "set"):
            return self._collect(n)
        raise self._err(n, f"a {n.kind} comprehension is only supported as the argument of "
                        "str.join, sum, any, all, min, max, len or list in a UDF (or as a list "
                        "comprehension of str)", "U120")
