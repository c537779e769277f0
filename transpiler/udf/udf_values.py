"""The cell's constants (frozen lookup tables), subscripts and slices, f-strings and
``str.format``, ``isinstance``."""

from __future__ import annotations

import re
import string

from ..ir import cellast as A
from .typed import MAX_WIDTH, NUMERIC, Ex, float_literal, too_wide
from .udf_lists import LISTS
from .udf_tables import FORMAT_TYPES, STRING_CONSTANTS, TEMPORAL, TO_STR


# a format spec the runtime implements (fill, align, sign, zero, width, grouping, precision, type)
_SPEC = re.compile(r"^(?:.?[<>=^])?[+\- ]?0?\d*[,_]?(?:\.\d+)?[a-zA-Z%]?$")


class ValueTranslation:
    """The value part of :class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin)."""

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
            return float_literal(v)
        return self.consts.string(v)

    def _one_type(self, items, n: A.Node, what: str) -> str:
        types = {self._ELEM[type(v)] for v in items}
        if len(types) > 1:
            raise self._err(n, f"{what} mixes {' and '.join(sorted(types))} values; a UDF reads "
                            "constants of one element type", "U120")
        return types.pop() if types else "str"

    def _constant(self, n: A.Name) -> Ex:
        v = self.constants[n.id]
        if isinstance(v, re.Pattern):
            return self._compiled(v.pattern, v.flags, n)
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
            raise self._err(node, f"looking up a {e.type} among {want} keys (Python finds "
                            "nothing there; convert first)", "U120")
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

    def visit_Subscript(self, n: A.Subscript) -> Ex:
        split_item = self._split_item(n)
        if split_item is not None:
            return split_item
        v = self.visit(n.value)
        if isinstance(n.index, A.Slice) and v.type in LISTS:
            return self._list_slice(v, n.index)
        if isinstance(n.index, A.Slice):
            if v.type != "str":
                raise self._err(n, f"slicing a {v.type}", "U120")
            s = n.index
            bound = [self._bound(self.visit(x), x, "slice") if x is not None else "PyStr.NONE"
                     for x in (s.start, s.stop)]
            step = self._bound(self.visit(s.step), s.step, "slice") if s.step else "1L"
            return Ex(f"PyStr.slice({v.code}, {bound[0]}, {bound[1]}, {step})", "str")
        if v.type.startswith("dict["):
            index = self.visit(n.index)
            if self._placeholder_dict(n.value) is not None:
                self._dict_guess(n.value, index.type, None)
                v = self.visit(n.value)
            k, t = self._dict_types(v.type)
            key = self._key(index, k, n.index)
            return Ex(self._unboxed(f"PyDict.item({v.code}, {key})", t), t)
        e = self._as(self.visit(n.index), "int", n.index, "index")
        i = f"PyBig.subscript({e})" if self.wide else e
        if v.type in ("list[int]", "list[float]"):
            t = v.type[len("list["):-1]
            code = f"PyDict.at({v.code}, {i})"
            return Ex(self._from_long(code) if t == "int" else code, t)
        if v.type == "str":
            return Ex(f"PyStr.at({v.code}, {i})", "str")
        if v.type == "list[str]":
            return Ex(f"PyStr.item({v.code}, {i})", "str")
        if v.type == "list[bool]":
            arr = self._fresh("bs")
            return Ex(f"{{ val {arr} = {v.code}; {arr}(PyList.slot({arr}.length, {i}, false)) }}",
                      "bool")
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
            if part.conversion in ("r", "a") and e.type == "str":
                fn = "repr" if part.conversion == "r" else "ascii"
                e = Ex(f"PyStr.{fn}({e.code})", "str")
            elif part.conversion in ("r", "a") and e.type in TEMPORAL:
                raise self._err(part, f"!{part.conversion} of a {e.type} is not supported in a "
                                "UDF")
            if e.type not in TO_STR:
                raise self._err(part, f"a {e.type} cannot be formatted in an f-string", "U120")
            self._not_mixed(e, part, "formatting")
            if part.conversion in ("s", "r", "a") and e.type != "str":
                # `{x!s:>6}`: the spec formats the converted str (repr and ascii of a number
                # or bool are its str)
                e = Ex(self.to_str_of[e.type].format(e.code), "str")
            if not part.spec:
                parts.append(self.to_str_of[e.type].format(e.code))
                continue
            spec = self._check_spec(part, e)
            parts.append(f"PyFormat.format({e.code}, {self.consts.string(spec)})")
        return Ex("(" + " + ".join(['""', *parts]) + ")", "str")

    def _check_spec(self, node: A.FormatField, e: Ex) -> str:
        """The spec the runtime formats with, once checked: type ``n`` is ``d`` for an int and
        ``g`` for a float in the C locale Python starts in (no grouping, a ``.`` point)."""
        sample = {"int": 7, "float": 1.5, "str": "a", "bool": True}.get(e.type)
        try:
            format(sample, node.spec)  # what Python itself rejects (',n', a sign on a str)
            valid = True
        except (ValueError, TypeError):
            valid = False
        spec = node.spec
        if valid and spec.endswith("n") and e.type in NUMERIC:
            spec = spec[:-1] + ("g" if e.type == "float" else "d")
        kind = spec[-1] if spec and (spec[-1].isalpha() or spec[-1] == "%") else ""
        ok = valid and _SPEC.match(spec) and kind in FORMAT_TYPES.get(e.type, ()) and not (
            e.type == "float" and not kind and "." in spec)
        if ok and too_wide(spec):
            raise self._err(node, f"format spec '{node.spec}': a width or precision beyond "
                            f"{MAX_WIDTH:,} is not supported in a UDF", "U125")
        if not ok:
            raise self._err(node, f"format spec '{node.spec}' for a {e.type} is not supported in "
                            "a UDF (supported: fill, align, sign, 0, width, , or _, .precision "
                            "and the types c d b o x X n f F e E g G % s)", "U125")
        return spec

    def _string_constant(self, n: A.Node) -> str | None:
        """``string.punctuation`` and the other str constants of ``string``, else None."""
        if isinstance(n, A.Attribute) and isinstance(n.value, A.Name) and \
                n.value.id == "string" and "string" not in self.locals and \
                n.attr in STRING_CONSTANTS:
            return getattr(string, n.attr)
        return None

    def _literal_str(self, n: A.Node) -> str | None:
        """A str known when the UDF is built: a literal, ``string.X``, a str constant, and
        ``+`` and literal slices of those."""
        if isinstance(n, A.Const) and isinstance(n.value, str):
            return n.value
        if isinstance(n, A.BinOp) and n.op == "+":
            a, b = self._literal_str(n.left), self._literal_str(n.right)
            return a + b if a is not None and b is not None else None
        if isinstance(n, A.Subscript) and isinstance(n.index, A.Slice):
            text, bounds = self._literal_str(n.value), (n.index.start, n.index.stop, n.index.step)
            if text is not None and all(b is None or isinstance(b, A.Const) and type(b.value) is
                                        int for b in bounds) and n.index.step is None:
                return text[slice(*(None if b is None else b.value for b in bounds))]
            return None
        if isinstance(n, A.Name) and n.id in self.constants and n.id not in self.locals and \
                type(self.constants[n.id]) is str:
            return self.constants[n.id]
        return self._string_constant(n)

    def _translate(self, recv: Ex, n: A.Call) -> Ex:
        """``s.translate(str.maketrans(x, y[, z]))`` of str known when the UDF is built: the
        table Python builds, frozen (code point -> replacement, or deleted)."""
        table = n.args[0] if len(n.args) == 1 and not n.keywords else None
        if not (isinstance(table, A.Call) and isinstance(table.func, A.Attribute) and
                isinstance(table.func.value, A.Name) and table.func.value.id == "str" and
                table.func.attr == "maketrans" and "str" not in self.locals and
                not table.keywords and 2 <= len(table.args) <= 3):
            raise self._err(n, "str.translate() takes str.maketrans(x, y[, z]) in a UDF",
                            "U120")
        texts = [self._literal_str(a) for a in table.args]
        if None in texts:
            at = table.args[texts.index(None)]
            raise self._err(at, "str.maketrans() of a str that is not known when the UDF is "
                            "built (a literal, string.punctuation, ... or a str constant)", "U120")
        try:
            mapping = str.maketrans(*texts)
        except ValueError as exc:
            raise self._err(table, f"str.maketrans(): {exc} (Python raises ValueError)", "U120")
        keys = sorted(mapping)
        values = ", ".join("null" if mapping[k] is None else self.consts.string(chr(mapping[k]))
                           for k in keys)
        code = (f"PyStr.translate({recv.code}, Array[Int]({', '.join(map(str, keys))}), "
                f"Array[String]({values}))")
        return Ex(code, "str")

    def _str_format(self, fmt: A.Node, n: A.Call) -> Ex:
        """``"{} {:.2f}".format(a, b)`` of a literal template: the f-string it equals, over
        the arguments evaluated first, in order (as Python evaluates a call's arguments)."""
        import string

        if not isinstance(fmt, A.Const) or not isinstance(fmt.value, str):
            raise self._err(fmt, "str.format() of a template that is not a literal is not "
                            "supported in a UDF", "U120")
        try:
            fields = list(string.Formatter().parse(fmt.value))
        except ValueError as exc:
            raise self._err(fmt, f"str.format() template: {exc} (Python raises ValueError)",
                            "U120") from None
        temps, binds = [], []
        for a in (*n.args, *(kw.value for kw in n.keywords)):
            e = self.visit(a)
            tmp = self._fresh("f")
            binds.append(f"val {tmp} = {e.code}")
            temps.append(Ex(tmp, e.type, e.const, e.mixed))
        positional = temps[:len(n.args)]
        named = {kw.name: temps[len(n.args) + i] for i, kw in enumerate(n.keywords)}
        parts, auto, manual, saved = [], 0, False, dict(self.scope)
        try:
            for literal, field, spec, conversion in fields:
                if literal:
                    parts.append(literal)
                if field is None:
                    continue
                if conversion not in (None, "s", "r", "a"):
                    raise self._err(fmt, f"str.format() conversion '!{conversion}' (Python "
                                    "raises ValueError)", "U120")
                if spec and "{" in spec or any(ch in field for ch in ".["):
                    raise self._err(fmt, "str.format() with nested fields, attributes or "
                                    "indexes is not supported in a UDF", "U120")
                if field == "":
                    if manual:
                        raise self._err(fmt, "str.format() mixing automatic and manual field "
                                        "numbering (Python raises ValueError)", "U120")
                    value, auto = positional[auto] if auto < len(positional) else None, auto + 1
                elif field.isdecimal():
                    manual = True
                    if auto:
                        raise self._err(fmt, "str.format() mixing automatic and manual field "
                                        "numbering (Python raises ValueError)", "U120")
                    value = positional[int(field)] if int(field) < len(positional) else None
                else:
                    value = named.get(field)
                if value is None:
                    raise self._err(fmt, f"str.format() has no argument for '{{{field}}}' "
                                    "(Python raises IndexError or KeyError)", "U120")
                name = f"·{len(parts)}"
                self.scope[name] = value
                parts.append(A.FormatField(fmt.pos, A.Name(fmt.pos, name), conversion,
                                           spec or ""))
            text = self.visit_FString(A.FString(fmt.pos, tuple(parts)))
        finally:
            self.scope = saved
        return Ex("{ " + "; ".join([*binds, text.code]) + " }", "str")

    def _isinstance(self, n: A.Call) -> Ex:
        """``isinstance(x, T)``: known from the static type (bool is an int in Python)."""
        e = self.visit(n.args[0])
        spec = n.args[1]
        names = spec.items if isinstance(spec, A.Collection) and spec.kind == "tuple" else (spec,)
        wanted = []
        for t in names:
            if not isinstance(t, A.Name) or t.id not in ("int", "float", "str", "bool") or \
                    t.id in self.locals:
                raise self._err(t, "isinstance() with int, float, str, bool or a tuple of them "
                                "in a UDF", "U120")
            wanted.append(t.id)
        if e.mixed or e.type == "float" and "int" in wanted and "float" not in wanted:
            self._not_mixed(e, n, "isinstance()")
        if e.type == "int" and "bool" in wanted and "int" not in wanted:
            raise self._err(n, "isinstance(x, bool) of an int value (a helper may have been "
                            "given a bool)", "U120")
        hit = e.type in wanted or e.type == "bool" and "int" in wanted
        if isinstance(n.args[0], A.Const):
            return Ex("true" if hit else "false", "bool", hit)
        # the argument still runs (it may raise, or read a name Python finds unbound)
        return Ex(f"{{ {e.code}; {'true' if hit else 'false'} }}", "bool")
