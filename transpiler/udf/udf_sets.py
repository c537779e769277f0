"""Sets as locals of a UDF body (``seen = set()``, ``seen.add(w)``, ``w in seen``, ``len``,
``sorted``), for :class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin: it uses the
translator's ``visit``, ``_err``, ``_key``, ``_as_list`` and the list hints).

A set local is a ``java.util.HashSet`` of Strings or Longs: a reference, as a Python set is, so
two names for one set see each other's changes on both sides.  What would show Python's hash
order is refused (iterating a set, ``list(s)``): str hashes are randomised per process, so the
notebook itself has no fixed order; ``sorted(s)``, ``len``, ``in``, ``min``/``max``/``sum`` do
not depend on it.  A set the cell defines is frozen: mutating it is refused (the notebook's
would keep the change from one row to the next).
"""

from __future__ import annotations

from ..ir import cellast as A
from .typed import Ex
from .udf_lists import element as list_element

SETS = ("set[str]", "set[int]")
EMPTY_SET = "set[?]"  # `set()` before the translator has seen what goes in
BOXED = {"str": "String", "int": "java.lang.Long"}
SET_MUTATORS = ("add", "discard", "remove", "update", "clear")


def element(t: str) -> str:
    """The item type of a set or list type."""
    return t[t.index("[") + 1:-1] if t.startswith("set[") else list_element(t)


def is_set(t: str) -> bool:
    return t in SETS or t == EMPTY_SET


class SetTranslation:
    """The set part of the UDF translator."""

    def _new_set(self, n: A.Node, items: Ex | None) -> Ex:
        """``set()``, ``set(iterable)``, ``{a, b}``: a fresh mutable set."""
        if items is None:
            return Ex("new java.util.HashSet[String]()", EMPTY_SET)
        t = element(items.type)
        if t not in BOXED:
            raise self._err(n, f"a set of {t} values is not supported in a UDF (str and int "
                            "are)", "U120")
        return Ex(f"PyDict.mutableSet({items.code})", f"set[{t}]")

    def _set_of(self, n: A.Call) -> Ex:
        if n.keywords or len(n.args) > 1:
            raise self._err(n, "set() takes at most one argument", "U120")
        if not n.args:
            return self._new_set(n, None)
        items = self._as_list(n.args[0], unordered=True)  # a set's order makes no set
        if items.type == "list[?]":
            return self._new_set(n, None)
        return self._new_set(n.args[0], items)

    def _set_store(self, want: str, e: Ex) -> Ex:
        """``set()`` stored in a local whose element type its uses gave."""
        if e.type == EMPTY_SET and want in SETS:
            return Ex(f"new java.util.HashSet[{BOXED[element(want)]}]()", want)
        return e

    def _set_hint(self, name: str, item: Ex, node: A.Node) -> None:
        key = self._local(name)
        t = "int" if item.type == "bool" else item.type
        if t not in BOXED:
            raise self._err(node, f"a set of {item.type} values is not supported in a UDF (str "
                            "and int are)", "U120")
        if key in self.placeholders:
            if self.list_hints.get(key, f"set[{t}]") != f"set[{t}]":
                raise self._err(node, f"'{name}' gets {element(self.list_hints[key])} and {t} "
                                "items (a UDF's set holds one type)", "U121")
            self.locals[key] = self.list_hints[key] = f"set[{t}]"

    def _set_method(self, recv_node: A.Node, attr: str, n: A.Call) -> Ex:
        """``s.add(x)``, ``discard``, ``remove`` (KeyError), ``update(iterable)``, ``clear()``
        of a set local, as statements."""
        if attr not in SET_MUTATORS:
            raise self._err(n.func, f"set method '{attr}' is not supported in a UDF (supported: "
                            f"{', '.join(SET_MUTATORS)}, in, len, sorted)", "U102")
        name = recv_node.id
        if self._local(name) in self.frozen:
            raise self._err(n.func, f"'{name}' may be a set the cell defines, which a UDF does "
                            "not change (the notebook's would keep the change for the next row)",
                            "U126")
        if n is not self.statement_call or self.scope:
            raise self._err(n, f"set.{attr}() inside a larger expression is not supported in a "
                            "UDF (it returns None)", "U120")
        if attr == "clear":
            if n.args:
                raise self._err(n, "set.clear() takes no argument", "U120")
            return Ex(f"{self.visit(recv_node).code}.clear()", "None")
        if len(n.args) != 1 or n.keywords:
            raise self._err(n, f"set.{attr}() takes one argument", "U120")
        if attr == "update":
            items = self._as_list(n.args[0], unordered=True)
            if items.type == "list[?]":
                return Ex("()", "None")
            self._set_hint(name, Ex("", element(items.type)), n.args[0])
            recv = self.visit(recv_node)
            if element(items.type) != element(recv.type):
                raise self._err(n.args[0], f"update() of a {recv.type} with {items.type} "
                                "items", "U120")
            return Ex(f"PyDict.addAll({recv.code}, {items.code})", "None")
        item = self.visit(n.args[0])
        self._set_hint(name, item, n.args[0])
        recv = self.visit(recv_node)
        t = element(recv.type)
        if attr == "add":
            code = self._as(item, t, n.args[0], "add")
            if t == "int":  # beyond 64 bits the set of longs has no place for it: a limit
                long = f"PyBig.element({code})" if self.wide else code
                code = f"java.lang.Long.valueOf({long})"
            boxed = code
            return Ex(f"{recv.code}.add({boxed})", "None")
        key = self._key(item, t, n.args[0])
        if attr == "discard":
            return Ex(f"{recv.code}.remove({key})", "None")
        return Ex(f"PyDict.remove({recv.code}, {key})", "None")

    def _set_items(self, e: Ex) -> Ex:
        """A set's items as a list, in an order Python's need not share: for ``sorted``,
        ``min``, ``max`` and ``sum`` only."""
        t = element(e.type)
        empty = "new Array[String](0)" if t == "str" else "new Array[java.lang.Long](0)"
        code = f"PyDict.items({e.code}, {empty})"
        return Ex(code if t == "str" else f"{code}.map(_.longValue)", f"list[{t}]")
