"""Dicts as locals of a UDF body (``counts = {}``, ``counts[w] = counts.get(w, 0) + 1``,
``d[k] += 1``, ``pop``, ``setdefault``, loops over ``d.items()``), and item assignment of list
locals (``xs[i] = v``), for :class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin: it
uses the translator's ``visit``, ``_err``, ``_key``, ``_element_code`` and the list hints).

A dict local is a ``java.util.LinkedHashMap``: a reference, as a Python dict is, iterating in
insertion order, a key assigned again keeping its first place (Python's rules).  Keys are str
or int, values str, int, float or bool, each dict of one key and one value type.  An empty
``{}`` takes its types from what the function stores in it (``d[k] = v``); reads (``get``,
``in``, ``d[k]``) only guess them, so the first pass over the body never fails on a guess.

A loop over a dict checks its size at every step, as CPython does (RuntimeError "dictionary
changed size during iteration"); what would need CPython's entry table to match (a key removed
while a loop runs over a dict) is refused.  A dict the cell defines is frozen: changing it is
refused (the notebook's would keep the change from one row to the next).
"""

from __future__ import annotations

from ..ir import cellast as A
from .typed import Ex
from .udf_lists import LISTS, element
from .udf_tables import BOX, BOXED

KEYS = ("str", "int")
VALUES = ("str", "int", "float", "bool")
DICTS = tuple(f"dict[{k},{v}]" for k in KEYS for v in VALUES)
EMPTY_DICT = "dict[?]"  # `{}` before the translator has seen what goes in
DICT_MUTATORS = ("pop", "setdefault", "update", "clear")


def is_dict(t: str) -> bool:
    return t.startswith("dict[")


def dict_type(k: str, v: str) -> str:
    return f"dict[{k},{v}]"


def fresh_dict(value: A.Node | None, locals_: dict, frozen: set, local) -> bool:
    """Whether an assigned value is a new dict (a display or comprehension, ``dict(...)``,
    ``d.copy()``, or a dict local that is not the cell's), as opposed to one that may be the
    cell's constant."""
    return isinstance(value, A.DictDisplay) or \
        isinstance(value, A.Comprehension) and value.kind == "dict" or \
        isinstance(value, A.Call) and isinstance(value.func, A.Name) and \
        value.func.id == "dict" or \
        isinstance(value, A.Call) and isinstance(value.func, A.Attribute) and \
        value.func.attr == "copy" or \
        isinstance(value, A.Name) and value.id in locals_ and local(value.id) not in frozen


class DictTranslation:
    """The dict part of the UDF translator."""

    # ---- values ----------------------------------------------------------------------------

    def _empty_dict(self, t: str = EMPTY_DICT) -> Ex:
        k, v = ("str", "str") if t == EMPTY_DICT else self._dict_types(t)
        return Ex(f"PyDict.mutable[{BOXED[k]}, {BOXED[v]}]()", t)

    def _box_key(self, e: Ex, node: A.Node) -> str:
        """A key going into a dict local: an int beyond 64 bits has no place there (a limit)."""
        if e.type not in KEYS:
            raise self._err(node, f"a {e.type} key in a UDF's dict (str and int keys are "
                            "supported)", "U120")
        if e.type == "str":
            return e.code
        return f"java.lang.Long.valueOf({f'PyBig.element({e.code})' if self.wide else e.code})"

    def _box_value(self, e: Ex, t: str, node: A.Node) -> str:
        return BOX[t].format(self._element_code(e, t, node, "dict"))

    def _value_type(self, e: Ex, node: A.Node) -> str:
        t = e.type
        if t not in VALUES:
            raise self._err(node, f"a dict of {e.type} values is not supported in a UDF (str, "
                            "int, float and bool are)", "U120")
        return t

    def visit_DictDisplay(self, n: A.DictDisplay) -> Ex:
        """``{}`` or ``{k: v, ...}``: a fresh dict, keys and values evaluated in Python's order
        (each key before its value)."""
        if not n.keys:
            return self._empty_dict()
        m = self._fresh("m")
        pairs = []
        for k, v in zip(n.keys, n.values):
            pairs.append((self.visit(k), k, self.visit(v), v))
        kt = {e.type for e, *_ in pairs}
        vt = {e.type for _, _, e, _ in pairs}
        if len(kt) != 1 or len(vt) != 1:
            raise self._err(n, f"a dict of {' and '.join(sorted(kt))} keys and "
                            f"{' and '.join(sorted(vt))} values: a UDF's dict holds one key "
                            "and one value type", "U120")
        t = dict_type(kt.pop(), self._value_type(pairs[0][2], pairs[0][3]))
        k, v = self._dict_types(t)
        if k not in KEYS:
            raise self._err(n, f"a {k} key in a UDF's dict (str and int keys are supported)",
                            "U120")
        lines = [f"val {m} = PyDict.mutable[{BOXED[k]}, {BOXED[v]}]()"]
        for ke, kn, ve, vn in pairs:
            key, kv = self._fresh("k"), self._fresh("v")
            lines += [f"val {key} = {self._box_key(ke, kn)}",
                      f"val {kv} = {self._box_value(ve, v, vn)}",
                      f"PyDict.put({m}, {key}, {kv})"]
        return Ex("{\n" + "\n".join([*lines, m]) + "\n}", t)

    def _dict_of(self, n: A.Call) -> Ex:
        """``dict()`` and ``dict(d)`` (a copy of a dict)."""
        if n.keywords or len(n.args) > 1:
            raise self._err(n, "dict() takes no or one dict argument in a UDF", "U120")
        if not n.args:
            return self._empty_dict()
        d = self.visit(n.args[0])
        if not is_dict(d.type):
            raise self._err(n.args[0], f"dict() of a {d.type} is not supported in a UDF (a "
                            "copy of a dict is)", "U120")
        return Ex(f"PyDict.copy({d.code})", d.type)

    def _dict_store(self, want: str, e: Ex) -> Ex:
        """``{}`` stored in a local whose types its uses gave."""
        if e.type == EMPTY_DICT and is_dict(want) and want != EMPTY_DICT:
            return self._empty_dict(want)
        return e

    # ---- what a dict holds, learnt from its uses -----------------------------------------

    def _placeholder_dict(self, node: A.Node) -> str | None:
        """The local key of an empty ``{}`` dict whose types no store has given yet."""
        if not isinstance(node, A.Name) or node.id in self.scope or node.id not in self.locals:
            return None
        key = self._local(node.id)
        if key in self.placeholders and is_dict(self.locals[key]) and key not in self.list_hints:
            return key
        return None

    def _dict_guess(self, node: A.Node, k: str | None, v: str | None) -> None:
        """A read's key or value type for a dict no store has typed (the first guess stays)."""
        key = self._placeholder_dict(node)
        if key is None:
            return
        gk, gv = self.weak_hints.get(key, (None, None))
        k = "int" if k == "bool" else k
        gk = gk or (k if k in KEYS else None)
        gv = gv or (v if v in VALUES else None)
        self.weak_hints[key] = (gk, gv)
        self.locals[key] = dict_type(gk or "str", gv or "str")

    def _dict_hint(self, name: str, k: Ex, v: Ex, node: A.Node) -> None:
        """A store's key and value types: the dict's (one of each per dict)."""
        key = self._local(name)
        if key not in self.placeholders or not is_dict(self.locals.get(key, "")):
            return
        if k.type not in KEYS:
            raise self._err(getattr(node, "index", node), f"a {k.type} key in a UDF's dict (str "
                            "and int keys are supported)", "U120")
        t = dict_type(k.type, self._value_type(v, node))
        if self.list_hints.get(key, t) != t:
            raise self._err(node, f"'{name}' gets {k.type} keys and {v.type} values here, and "
                            f"other types elsewhere: a UDF's dict holds one key and one value "
                            "type", "U121")
        self.locals[key] = self.list_hints[key] = t

    def _dict_weak_type(self, key: str) -> str:
        k, v = self.weak_hints.get(key, (None, None))
        return dict_type(k or "str", v or "str")

    # ---- statements ------------------------------------------------------------------------

    def _item_target(self, s, what: str) -> Ex:
        if s.target in self.scope or s.target not in self.locals:
            raise self._err(s, f"{what} of '{s.target}', which is no local of the UDF: the "
                            "cell's value would keep the change from one row to the next",
                            "U126")
        recv = self.visit(A.Name(s.pos, s.target))
        if is_dict(recv.type) and self._local(s.target) in self.frozen:
            raise self._err(s, f"'{s.target}' may be a dict the cell defines, which a UDF does "
                            "not change (the notebook's would keep the change for the next row;"
                            " write dict(...) for a copy)", "U126")
        if not is_dict(recv.type) and recv.type not in LISTS:
            raise self._err(s, f"{what} of a {recv.type} is not supported in a UDF (of a dict "
                            "or a list local it is)", "U120")
        return recv

    def stmt_ItemAssign(self, s: A.ItemAssign) -> list[str]:
        """``d[k] = v`` (the value first, then the key, as Python evaluates them) and
        ``xs[i] = v`` (IndexError beyond the list)."""
        value = self.visit(s.value)
        self._item_target(s, "item assignment")
        index = self.visit(s.index)
        if self._local(s.target) in self.placeholders and \
                is_dict(self.locals[self._local(s.target)]):
            self._dict_hint(s.target, index, value, s)
        recv = self._item_target(s, "item assignment")
        v = self._fresh("v")
        if recv.type in LISTS:
            # a list is a value here (udf_lists): a new array with the item replaced, so that
            # no other list built from it (`list(xs)`) sees the change
            self._check_iterating(s.target, s)
            t = element(recv.type)
            i = self._long(index, s.index, "list index")
            return [f"val {v} = {self._element_code(value, t, s.value, 'list')}",
                    self._store(s.target, Ex(f"PyList.replaced({recv.code}, {i}, {v})",
                                             recv.type), s)]
        k, t = self._dict_types(recv.type)
        self._key_type(index, k, s.index)
        return [f"val {v} = {self._box_value(value, t, s.value)}",
                f"PyDict.put({recv.code}, {self._box_key(index, s.index)}, {v})"]

    def stmt_ItemAugAssign(self, s: A.ItemAugAssign) -> list[str]:
        """``d[k] += v``: the key, then the item (KeyError, IndexError), then the value, as
        Python evaluates them; the result keeps the item's type."""
        self._item_target(s, "augmented item assignment")
        index = self.visit(s.index)
        # `d[w] += 1` before the `d[w] = 1` that types `d`: the added value's type is the guess
        self._dict_guess(A.Name(s.pos, s.target), index.type, self.visit(s.value).type)
        recv = self._item_target(s, "augmented item assignment")
        at, cur = self._fresh("at"), self._fresh("cur")
        if recv.type in LISTS:
            self._check_iterating(s.target, s)
            t = element(recv.type)
            i = self._long(index, s.index, "list index")
            item = f"{recv.code}({at})"
            lines = [f"val {at} = PyList.slot({recv.code}.length, {i}, false)",
                     f"val {cur} = {self._from_long(item) if t == 'int' else item}"]
        else:
            k, t = self._dict_types(recv.type)
            self._key_type(index, k, s.index)
            lines = [f"val {at} = {self._box_key(index, s.index)}",
                     f"val {cur} = {self._unboxed(f'PyDict.item({recv.code}, {at})', t)}"]
        result = self._binop(s.op, Ex(cur, t), self.visit(s.value), s)
        if result.type != t:
            raise self._err(s, f"'{s.target}' holds {t} items; this makes a {result.type} "
                            "(Python would hold both kinds: a UDF's dict or list holds one type)",
                            "U121")
        if recv.type in LISTS:
            replaced = f"PyList.replaced({recv.code}, {at}.toLong, " \
                f"{self._element_code(result, t, s, 'list')})"
            return [*lines, self._store(s.target, Ex(replaced, recv.type), s)]
        return [*lines, f"PyDict.put({recv.code}, {at}, {self._box_value(result, t, s)})"]

    def _key_type(self, e: Ex, k: str, node: A.Node) -> None:
        if e.type != k:
            raise self._err(node, f"a {e.type} key in a dict of {k} keys (Python would hold "
                            "both kinds: a UDF's dict holds one key type)", "U121")

    # ---- methods ---------------------------------------------------------------------------

    def _dict_method(self, recv_node: A.Name, f: A.Attribute, n: A.Call) -> Ex:
        """``get``/``pop``/``setdefault``/``update``/``clear``/``copy`` of a dict local."""
        attr = f.attr
        if attr == "get":
            if n.args:
                self._dict_guess(recv_node, self.visit(n.args[0]).type,
                                 self.visit(n.args[1]).type if len(n.args) == 2 else None)
            return self._dict_get(self.visit(recv_node), f, n)
        if attr == "copy" and not n.args and not n.keywords:
            d = self.visit(recv_node)
            return Ex(f"PyDict.copy({d.code})", d.type)
        if attr in ("items", "keys", "values"):
            raise self._err(n, f"dict.{attr}() is supported as what a loop or a comprehension "
                            "runs over in a UDF", "U120")
        if attr not in DICT_MUTATORS:
            raise self._err(f, f"dict method '{attr}' is not supported in a UDF (supported: get, "
                            f"{', '.join(DICT_MUTATORS)}, copy, items, keys, values)", "U102")
        name = recv_node.id
        if self._local(name) in self.frozen:
            raise self._err(f, f"'{name}' may be a dict the cell defines, which a UDF does not "
                            "change (the notebook's would keep the change for the next row; "
                            "write dict(...) for a copy)", "U126")
        if n.keywords:
            raise self._err(n.keywords[0], f"dict.{attr}() takes no keyword arguments", "U120")
        if attr in ("pop", "clear") and any(self._is_dict_name(x) for x in self.iterating):
            raise self._err(n, f"dict.{attr}() inside a loop over a dict: where CPython's loop "
                            "goes on after a key is removed depends on its entry table", "U126")
        if attr == "clear":
            if n.args:
                raise self._err(n, "dict.clear() takes no argument", "U120")
            if n is not self.statement_call or self.scope:
                raise self._err(n, "dict.clear() inside a larger expression is not supported "
                                "in a UDF (it returns None)", "U120")
            return Ex(f"{self.visit(recv_node).code}.clear()", "None")
        if attr == "update":
            if len(n.args) != 1:
                raise self._err(n, "dict.update() takes one dict in a UDF", "U120")
            if n is not self.statement_call or self.scope:
                raise self._err(n, "dict.update() inside a larger expression is not supported "
                                "in a UDF (it returns None)", "U120")
            other = self.visit(n.args[0])
            if is_dict(other.type) and other.type != EMPTY_DICT:
                k, v = self._dict_types(other.type)
                self._dict_hint(name, Ex("", k), Ex("", v), n)
            d = self.visit(recv_node)
            if other.type != d.type:
                raise self._err(n.args[0], f"update() of a {d.type} with a {other.type} (a UDF's "
                                "dict holds one key and one value type)", "U121")
            return Ex(f"{d.code}.putAll({other.code})", "None")
        if not 1 <= len(n.args) <= 2 or attr == "setdefault" and len(n.args) != 2:
            raise self._err(n, "dict.pop() takes a key and an optional default, "
                            "dict.setdefault() a key and a default, in a UDF", "U120")
        key = self.visit(n.args[0])
        default = self.visit(n.args[1]) if len(n.args) == 2 else None
        if attr == "setdefault":
            self._dict_hint(name, key, default, n)
        else:
            self._dict_guess(recv_node, key.type, default.type if default else None)
        d = self.visit(recv_node)
        k, t = self._dict_types(d.type)
        if attr == "setdefault":
            self._key_type(key, k, n.args[0])
            code = (f"PyDict.setdefault({d.code}, {self._box_key(key, n.args[0])}, "
                    f"{self._box_value(default, t, n.args[1])})")
            return Ex(self._unboxed(code, t), t)
        lookup = self._key(key, k, n.args[0])
        if default is None:
            return Ex(self._unboxed(f"PyDict.pop({d.code}, {lookup})", t), t)
        if default.type != t:
            raise self._err(n.args[1], f"the default of pop() is a {default.type}, the values "
                            f"are {t} (the result's type would depend on the key)", "U120")
        boxed = self._box_value(default, t, n.args[1])  # an exact int: its long (or a limit)
        return Ex(self._unboxed(f"PyDict.pop({d.code}, {lookup}, {boxed})", t), t)

    def _is_dict_name(self, name: str) -> bool:
        return name in self.locals and is_dict(self.locals[self._local(name)])

    def _dict_get(self, recv: Ex, f: A.Attribute, n: A.Call) -> Ex:
        """``d.get(key, default)`` of a dict local or the cell's."""
        if len(n.args) != 2:
            raise self._err(n, "dict.get() with one argument gives None for a missing key; "
                            "give a default of the values' type", "U120")
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
