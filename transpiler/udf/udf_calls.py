"""A UDF's calls as Scala: builtins, ``math``/``unicodedata``/``re`` functions, str and
temporal methods (the tables of :mod:`transpiler.udf.udf_tables`), datetime constructors and
helper functions, for :class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin)."""

from __future__ import annotations

from ..ir import cellast as A
from .typed import Ex
from .udf_dicts import is_dict
from .udf_lists import EMPTY, LISTS, MUTATORS, over
from .udf_sets import is_set
from .udf_tables import (BUILTINS, CONSTRUCTORS, MATH, MATH_REFUSED, STR_METHODS, TEMPORAL,
                         TEMPORAL_METHODS, UNICODEDATA, WIDE_TEMPLATES)

# the str methods whose int arguments are positions, clamped as slice bounds are
CLAMPED = ("str.find", "str.rfind", "str.index", "str.rindex", "str.count", "str.startswith",
           "str.endswith", "math.ldexp")  # ldexp's exponent too (CPython clamps it)


class CallTranslation:
    """The call part of the UDF translator."""

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
        if isinstance(f, A.Attribute) and isinstance(f.value, A.Name) and \
                f.value.id in self.locals and f.value.id not in self.scope and \
                is_dict(self.locals[self._local(f.value.id)]):
            return self._dict_method(f.value, f, n)
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
            if f.attr in MATH_REFUSED:
                raise self._err(f, f"math.{f.attr} is not supported in a UDF: "
                                f"{MATH_REFUSED[f.attr]}", "U102")
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
            if is_dict(recv.type) and f.attr == "get":
                return self._dict_get(recv, f, n)
            if is_dict(recv.type) and f.attr == "copy" and not n.args:
                return Ex(f"PyDict.copy({recv.code})", recv.type)  # a fresh dict local
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
                and isinstance(n.args[0], A.Comprehension) and name not in self.locals \
                and n.args[0].kind in ("generator", "list"):  # a set's or dict's: a value
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
        if name == "dict" and name not in self.locals:
            return self._dict_of(n)
        if name == "bool" and len(n.args) == 1:
            return Ex(self.cond(n.args[0]), "bool")
        if name in ("min", "max") and len(n.args) >= 2:
            return self._minmax(name, n)
        if name == "len" and len(n.args) == 1:
            e = self.visit(n.args[0])
            if e.type.startswith(("dict[", "set[")):
                return Ex(self._from_long(f"{e.code}.size.toLong"), "int")
            if e.type in ("list[int]", "list[float]", "list[bool]"):
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
