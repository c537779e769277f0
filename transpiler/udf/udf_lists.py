"""A UDF's lists: displays, ``append``/``extend``/``pop``/``sort``, slicing, ``sorted``,
``reversed``, ``sum``/``min``/``max`` of a list, as arrays (runtime ``PyList``).

A list is a value in the generated code (``append`` stores a new array back in its variable).
That equals Python's in-place mutation only while no second name sees the list and no loop
runs over the list being mutated: both are refused here, with the reason
(:func:`mutated_names`).
"""

from __future__ import annotations

from ..ir import cellast as A
from ..ir import udf_ast as U
from .typed import Ex

LISTS = ("list[str]", "list[int]", "list[float]")
# a list of bools: an Array[Boolean] that loops, comprehensions, indexing, len, sum, any and
# all read (Python's bools print as True/False: no int array may hold them); no list method
BOOLS = "list[bool]"
EMPTY = "list[?]"  # `[]` before the translator has seen what goes in
# the methods that change the list they are called on
MUTATORS = ("append", "extend", "pop", "sort", "reverse", "clear", "insert", "remove")
# a name that is no Python identifier: the variable of a synthesized generator (`sum(xs)` runs
# as `sum(· for · in xs)`)
ITEM = "·"


def element(t: str) -> str:
    return t[len("list["):-1]


def mutated_names(stmts) -> set[str]:
    """The names a statement list mutates in place (``x.append(..)``, ``x += ..``)."""
    found: set[str] = set()
    for node in A.walk(tuple(stmts)):
        if isinstance(node, A.Call) and isinstance(node.func, A.Attribute) and \
                isinstance(node.func.value, A.Name) and node.func.attr in MUTATORS:
            found.add(node.func.value.id)
        if isinstance(node, (U.AugAssign, A.ItemAssign, A.ItemAugAssign)):
            found.add(node.target)
    return found


def tuple_names(stmts) -> frozenset[str]:
    """The names some statement assigns a tuple (``t = (1, 2)``, ``t = tuple(xs)``)."""
    return frozenset(
        node.target for node in A.walk(tuple(stmts))
        if isinstance(node, A.Assign) and (
            isinstance(node.value, A.Collection) and node.value.kind == "tuple" or
            isinstance(node.value, A.Call) and isinstance(node.value.func, A.Name) and
            node.value.func.id == "tuple"))


def iterated(it: A.Node) -> list[str]:
    """The names whose lists a loop over ``it`` runs over (``a``, ``enumerate(a)``,
    ``zip(a, b)``, ``reversed(a)``): mutating one inside the loop is refused."""
    if isinstance(it, A.Name):
        return [it.id]
    if isinstance(it, A.IfExp):
        return iterated(it.body) + iterated(it.orelse)
    if isinstance(it, A.BoolOp):
        return iterated(it.left) + iterated(it.right)
    if isinstance(it, A.Call) and isinstance(it.func, A.Name) and \
            it.func.id in ("enumerate", "zip", "reversed"):
        return [n for a in it.args for n in iterated(a)]
    if isinstance(it, A.Call) and isinstance(it.func, A.Attribute) and \
            it.func.attr in ("items", "keys", "values"):
        return iterated(it.func.value)
    return []


def over(it: A.Node) -> A.Comprehension:
    """``(· for · in it)``: what ``sum(it)``, ``list(it)``, ``sorted(it)`` run over."""
    return A.Comprehension(it.pos, "generator", A.Name(it.pos, ITEM), None,
                           (A.CompFor(it.pos, (ITEM,), it, ()),))


def _names_dict_keys(it: A.Node, name: str) -> bool:
    """``it`` is ``name`` or ``name.keys()`` (what ``key=name.get`` is then called with)."""
    return isinstance(it, A.Name) and it.id == name or \
        isinstance(it, A.Call) and not it.args and isinstance(it.func, A.Attribute) and \
        it.func.attr == "keys" and isinstance(it.func.value, A.Name) and \
        it.func.value.id == name


def _dict_view(it: A.Node) -> bool:
    """``d.keys()``, ``d.values()``, ``d.items()``: iterated, never a value of their own."""
    return isinstance(it, A.Call) and not it.args and isinstance(it.func, A.Attribute) and \
        it.func.attr in ("keys", "values", "items")


class ListTranslation:
    """The list part of :class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin: it
    uses the translator's ``visit``, ``_store``, ``_err`` and its tables)."""

    # ---- values ----------------------------------------------------------------------------

    def _element_code(self, e, t: str, node: A.Node, what: str) -> str:
        # Python keeps what goes in: an int in a float list prints as an int, a bool in an int
        # list as True; the arrays would hold the converted value
        if t == "float" and (e.type != "float" or e.mixed) or t == "int" and e.type == "bool":
            raise self._err(node, f"a {e.type if not e.mixed else 'value that may be an int'} "
                            f"in a list of {t} (Python keeps it as it is, and it prints so); "
                            f"write {t}(...)", "U120")
        code = self._as(e, t, node, what)
        # the arrays hold longs: an int beyond 64 bits has no place in them (a limit, not a
        # Python error: the notebook's list holds it)
        return f"PyBig.element({code})" if self.wide and t == "int" else code

    def visit_Collection(self, n: A.Collection):
        if n.kind == "set":  # {a, b}: a fresh set of the items' type
            return self._new_set(n, self.visit(A.Collection(n.pos, "list", n.items)))
        if n.kind not in ("list", "tuple"):
            raise self._err(n, f"a {n.kind} is only supported on the right of 'in' in a UDF",
                            "U120")
        items = [self.visit(i) for i in n.items]
        if not items:
            return Ex("new Array[String](0)", EMPTY)
        if all(e.type == "bool" for e in items):
            return Ex(f"Array[Boolean]({', '.join(e.code for e in items)})", BOOLS)
        types = {"int" if e.type == "bool" else e.type for e in items}
        if len(types) != 1 or not types <= {"int", "float", "str"}:
            raise self._err(n, f"a {n.kind} of {' and '.join(sorted(types))} values is not "
                            "supported in a UDF (one of str, int or float)", "U120")
        t = types.pop()
        codes = [self._element_code(e, t, i, n.kind) for e, i in zip(items, n.items)]
        return Ex(f"Array[{self.SCALAR[t]}]({', '.join(codes)})", f"list[{t}]")

    SCALAR = {"str": "String", "int": "Long", "float": "Double"}

    def _hint(self, name: str, t: str) -> bool:
        """An empty list's element type, learnt where something goes in (``append``)."""
        key = self._local(name)
        if key not in self.placeholders or t not in LISTS:
            return False
        if self.list_hints.get(key, t) != t:
            raise self._err(self.fn, f"'{name}' gets {element(self.list_hints[key])} and "
                            f"{element(t)} items (a UDF's list holds one type)", "U121")
        changed = self.locals.get(key) != t
        self.locals[key] = self.list_hints[key] = t
        return changed

    def _list_store(self, key: str, e) -> str:
        """The local type an assignment of ``e`` gives a new local (``[]``: from its uses)."""
        if e.type == EMPTY:
            self.placeholders.add(key)
            return self.list_hints.get(key, "list[str]")
        if e.type == "set[?]":
            self.placeholders.add(key)
            return self.list_hints.get(key, "set[str]")
        if e.type == "dict[?]":
            self.placeholders.add(key)
            return self.list_hints.get(key) or self._dict_weak_type(key)
        return e.type

    def _aliases(self, v: A.Node) -> set[str]:
        """The list-valued names ``v`` may evaluate to as the same object (``a``, ``a if c
        else b``, ``a or b``); the cell's constant lists count (they outlive the call)."""
        if isinstance(v, A.Name):
            is_list = v.id in self.locals and self.locals[self._local(v.id)] in LISTS or \
                v.id not in self.locals and isinstance(self.constants.get(v.id), list)
            return {v.id} if is_list else set()
        if isinstance(v, A.IfExp):
            return self._aliases(v.body) | self._aliases(v.orelse)
        if isinstance(v, A.BoolOp):
            return self._aliases(v.left) | self._aliases(v.right)
        return set()

    def _check_alias(self, target: str, v: A.Node, node: A.Node) -> None:
        """``b = a`` of a list that either name mutates: one list under two names in Python,
        two values here (a constant of the cell: one list for every row)."""
        shared = self._aliases(v)
        if shared and ({target} | shared) & self.mutated:
            raise self._err(node, f"'{target} = {sorted(shared)[0]}' makes two names for one "
                            "list, and the UDF mutates it (write list(...) for a copy)", "U126")

    def _check_iterating(self, name: str, node: A.Node) -> None:
        if name in self.iterating:
            raise self._err(node, f"'{name}' is mutated inside a loop over it (Python's loop "
                            "sees the new items)", "U126")

    # ---- operators -------------------------------------------------------------------------

    def _list_binop(self, op: str, a, b, node: A.Node):
        if op == "+" and a.type in (*LISTS, EMPTY) and b.type in (*LISTS, EMPTY):
            if EMPTY in (a.type, b.type):
                return b if a.type == EMPTY else a
            if a.type != b.type:
                raise self._err(node, f"'+' of a {a.type} and a {b.type} is not supported in "
                                "a UDF (a list holds one type)", "U120")
            return Ex(f"PyList.concat({a.code}, {b.code})", a.type)
        if op == "*" and {a.type, b.type} & {"int", "bool"} and \
                {a.type, b.type} & {"list[str]"}:
            lst, k = (a, b) if a.type == "list[str]" else (b, a)
            return Ex(f"PyList.repeat({lst.code}, {self._long(k, node, '*')})", "list[str]")
        raise self._err(node, f"unsupported operand types for {op}: {a.type} and {b.type}",
                        "U120")

    def _list_slice(self, v, s: A.Slice):
        bound = [self._bound(self.visit(x), x, "slice") if x is not None else "PyStr.NONE"
                 for x in (s.start, s.stop)]
        step = self._bound(self.visit(s.step), s.step, "slice") if s.step else "1L"
        return Ex(f"PyList.slice({v.code}, {bound[0]}, {bound[1]}, {step})", v.type)

    # ---- methods ---------------------------------------------------------------------------

    def _list_method(self, recv_node: A.Node, attr: str, n: A.Call):
        if attr in (*MUTATORS, "copy") and isinstance(recv_node, A.Name) and \
                recv_node.id in tuple_names(self.fn.body):
            # a tuple is read as a list of one type; Python has no such method on it
            raise self._err(n.func, f"'{recv_node.id}' is a tuple here: Python raises "
                            f"AttributeError ('tuple' object has no attribute '{attr}')", "U120")
        if attr == "count" and len(n.args) == 1 and not n.keywords:
            recv = self.visit(recv_node)
            t = element(recv.type)
            if t == "float":
                raise self._err(n, "count() of a float list is not supported in a UDF (NaN "
                                "identity)", "U120")
            x = self._element_code(self.visit(n.args[0]), t, n.args[0], "count")
            return Ex(self._from_long(f"PyList.count({recv.code}, {x})"), "int")
        if attr == "copy" and not n.args and not n.keywords:
            return self.visit(recv_node)
        if attr not in MUTATORS:
            raise self._err(n.func, f"list method '{attr}' is not supported in a UDF", "U102")
        if not isinstance(recv_node, A.Name) or recv_node.id not in self.locals:
            raise self._err(n.func, f"'{attr}' of a list that is not a local variable of the "
                            "UDF", "U126")
        name = recv_node.id
        if self.scope:
            raise self._err(n, "a list mutated inside a comprehension", "U126")
        self._check_iterating(name, n)
        if attr in ("append", "extend") and len(n.args) == 1 and not n.keywords:
            item = self.visit(n.args[0])
            if attr == "append":
                t = "int" if item.type == "bool" else item.type
                self._hint(name, f"list[{t}]")
            elif item.type in (*LISTS, "str"):
                self._hint(name, "list[str]" if item.type == "str" else item.type)
            recv = self.visit(recv_node)
            t = element(recv.type)
            if attr == "append":
                code = f"PyList.append({recv.code}, {self._element_code(item, t, n.args[0], attr)})"
            else:
                other = f"PyStr.codePoints({item.code})" if item.type == "str" else item.code
                if (item.type if item.type != "str" else "list[str]") != recv.type:
                    raise self._err(n, f"extend() of a {recv.type} with a {item.type}", "U120")
                code = f"PyList.concat({recv.code}, {other})"
            return Ex(f"{self._v(name)} = {code}{self._bind(name)}", "None")
        recv = self.visit(recv_node)
        if recv.type not in LISTS:
            raise self._err(n.func, f"'{attr}' of a {recv.type}", "U120")
        if attr == "pop" and n is not self.statement_call:
            # `xs.append(xs.pop())`: the rest of the expression would read the list before
            # the pop changed it
            raise self._err(n, "pop() inside a larger expression is not supported in a UDF "
                            "(write `x = xs.pop()` first)", "U126")
        if attr == "pop" and not n.args and not n.keywords:
            t, tmp = element(recv.type), self._fresh("t")
            value = self._from_long(tmp) if t == "int" else tmp
            return Ex(f"{{ val {tmp} = PyList.last({recv.code}); {self._v(name)} = "
                      f"PyList.init({recv.code}); {value} }}", t)
        if attr == "clear" and not n.args and not n.keywords:
            return Ex(f"{self._v(name)} = {self.default_of[recv.type]}", "None")
        if attr == "reverse" and not n.args and not n.keywords:
            return Ex(f"{self._v(name)} = PyList.reversed({recv.code})", "None")
        if attr == "sort" and not n.args:
            return Ex(f"{self._v(name)} = {self._sorted_code(recv, n)}", "None")
        raise self._err(n, f"list.{attr}() with these arguments is not supported in a UDF",
                        "U120")

    # ---- builtins over lists ---------------------------------------------------------------

    def _sorted_code(self, lst, n: A.Call) -> str:
        reverse, key = "false", None
        for kw in n.keywords:
            if kw.name == "key":
                key = kw.value
                continue
            if kw.name != "reverse":
                raise self._err(kw, f"sorted()/sort() with '{kw.name}=' is not supported in a "
                                "UDF (key= and reverse= are)", "U120")
            flag = self.visit(kw.value)
            if flag.type not in ("bool", "int"):
                raise self._err(kw, f"reverse= takes a bool (Python raises TypeError for a "
                                f"{flag.type})", "U120")
            reverse = self._truthy(flag)
        if key is None or isinstance(key, A.Const) and key.value is None:
            return f"PyList.sorted({lst.code}, {reverse})"
        # every key first, in the items' order (as Python calls key=), then a stable sort of
        # the positions by key; float keys are refused (a NaN key's place is CPython's merge)
        xs, keys = self._keys(key, lst, "sorted()/sort()", n.args[0] if n.args else None)
        return (f"{{ val {xs} = {lst.code}; PyList.permute({xs}, PyList.order({keys.code}, "
                f"{reverse})) }}")

    def _keys(self, key: A.Node | None, lst, what: str, over: A.Node | None = None):
        """(the name the list is bound to, the list of its items' keys: ``key(x)`` for each
        item in order, or the items themselves without a key)."""
        xs, name, saved = self._fresh("xs"), ITEM + "xs", dict(self.scope)
        if key is None or isinstance(key, A.Const) and key.value is None:
            return xs, Ex(xs, lst.type)
        self.scope[name] = Ex(xs, lst.type)
        try:
            keys = self._reduce("list", A.Call(key.pos, A.Name(key.pos, "list"), (
                A.Comprehension(key.pos, "list", self._key_call(key, over), None, (
                    A.CompFor(key.pos, (ITEM + "k",), A.Name(key.pos, name), ()),)),), ()))
        finally:
            self.scope = saved
        if keys.type not in ("list[int]", "list[str]"):
            raise self._err(key, f"{what} with a key= of {element(keys.type)} values is not "
                            "supported in a UDF (int, bool and str keys are)", "U120")
        return xs, keys

    def _minmax_key(self, name: str, arg: A.Node, n: A.Call) -> Ex:
        """``min``/``max`` of one iterable with ``key=`` and/or ``default=``: every key first,
        in the items' order (as Python calls key=), then the first item of the least (greatest)
        key: a stable order of the positions, reversed for max, keeps the first of equals."""
        given = {}
        for kw in n.keywords:
            if kw.name not in ("key", "default") or kw.name in given:
                raise self._err(kw, f"{name}() got an unexpected or repeated keyword argument "
                                f"'{kw.name}'", "U120")
            given[kw.name] = kw.value
        key = given.get("key")
        lst = self._as_list(arg)
        if lst.type == EMPTY or element(lst.type) == "float":
            raise self._err(arg, f"{name}() with key= or default= of a list of "
                            f"{'float' if lst.type != EMPTY else 'nothing'} is not supported "
                            "in a UDF (of str or int items it is)", "U120")
        t = element(lst.type)
        xs, keys = self._keys(key, lst, f"{name}()", arg)
        empty = f'throw new PyError("ValueError", "{name}() arg is an empty sequence")'
        if "default" in given:
            d = self.visit(given["default"])
            if d.type != t and not (t == "int" and d.type == "bool"):
                raise self._err(given["default"], f"the default of {name}() is a {d.type}, the "
                                f"items are {t} (the result's type would depend on the items)",
                                "U120")
            empty = self._as(d, t, given["default"], name)
        o = self._fresh("o")
        first = f"{xs}({o}(0))" if t == "str" else self._from_long(f"{xs}({o}(0))")
        order = f"PyList.order({keys.code}, {'true' if name == 'max' else 'false'})"
        return Ex(f"{{ val {xs} = {lst.code}; val {o} = {order}; if ({o}.length == 0) {empty} "
                  f"else {first} }}", t)

    def _key_call(self, key: A.Node, over: A.Node | None = None) -> A.Node:
        """``key(·k)`` for a ``key=`` argument: a helper, a builtin, or ``str.<method>``;
        ``d.get`` over ``d``'s own keys is ``d[·k]`` (every key is there, so never None)."""
        arg = A.Name(key.pos, ITEM + "k")
        if isinstance(key, A.Attribute) and key.attr == "get" and \
                isinstance(key.value, A.Name) and over is not None and \
                _names_dict_keys(over, key.value.id):
            return A.Subscript(key.pos, key.value, arg)
        if isinstance(key, A.Attribute) and isinstance(key.value, A.Name) and \
                key.value.id == "str" and "str" not in self.locals:
            return A.Call(key.pos, A.Attribute(key.pos, arg, key.attr, key.attr_pos), (), ())
        if isinstance(key, A.Name):
            return A.Call(key.pos, key, (arg,), ())
        raise self._err(key, "key= takes a function's name in a UDF (a helper, a builtin "
                        "such as len or abs, or str.lower)", "U120")

    def _as_list(self, it: A.Node, unordered: bool = False):
        """What ``it`` iterates, as a fresh list value (``list(it)``); ``unordered``: the
        caller's result does not depend on the order (a set's items are then allowed)."""
        e = self._as_list_of(it, unordered)
        if e.type == BOOLS:
            raise self._err(it, "a list of bool values is read by loops, comprehensions, "
                            "indexing, len, sum, any and all in a UDF; not here", "U120")
        return e

    def _as_list_of(self, it: A.Node, unordered: bool):
        if isinstance(it, A.Call) and isinstance(it.func, A.Name) and it.func.id == "reversed" \
                and "reversed" not in self.locals:
            if len(it.args) != 1 or it.keywords:
                raise self._err(it, "reversed() takes one argument", "U120")
            inner = self._as_list(it.args[0])
            return Ex(f"PyList.reversed({inner.code})", inner.type)
        if not (isinstance(it, A.Comprehension) and it.kind in ("generator", "list")) and \
                not _dict_view(it):  # a set or dict comprehension is a value
            e = self.visit(it)
            if e.type in LISTS:
                return e
            if e.type.startswith("set["):
                if unordered:
                    return self._set_items(e)
                raise self._err(it, "iterating a set shows Python's hash order (randomised for "
                                "str in each process): write sorted(...) over it", "U120")
            if e.type == "str":
                return Ex(f"PyStr.codePoints({e.code})", "list[str]")
            if e.type == EMPTY:
                return e
        return self._reduce("list", A.Call(it.pos, A.Name(it.pos, "list"), (
            it if isinstance(it, A.Comprehension) and it.kind in ("generator", "list") else
            over(it),), ()))

    def _list_builtin(self, name: str, n: A.Call):
        """``sorted``, ``reversed``, ``list``, ``tuple`` and ``sum``/``min``/``max``/``any``/
        ``all`` of something other than a comprehension; None where they do not apply."""
        if name in self.locals or len(n.args) != 1:
            return None
        arg = n.args[0]
        if name == "sorted":
            lst = self._as_list(arg, unordered=True)
            if lst.type == EMPTY:
                return lst
            return Ex(self._sorted_code(lst, n), lst.type)
        if name in ("min", "max") and n.keywords:
            return self._minmax_key(name, arg, n)
        if n.keywords:
            return None
        if name in ("list", "tuple"):
            return self._as_list(arg)
        if name == "reversed":
            raise self._err(n, "reversed() is supported as what a loop, a comprehension, "
                            "join(), list() or sorted() runs over", "U120")
        if name == "len" and isinstance(arg, A.Call) and isinstance(arg.func, A.Name) and \
                arg.func.id == "set" and "set" not in self.locals and len(arg.args) == 1:
            lst = self._as_list(arg.args[0])
            if lst.type == "list[float]":
                raise self._err(arg, "a set of floats is not supported in a UDF (0.0 and "
                                "-0.0, NaN identity)", "U120")
            if lst.type == EMPTY:
                return Ex(self._from_long("0L"), "int")
            return Ex(self._from_long(f"PyList.distinct({lst.code})"), "int")
        if name in ("sum", "min", "max", "any", "all") and not isinstance(arg, A.Comprehension):
            return self._reduce(name, A.Call(n.pos, n.func, (over(arg),), ()))
        return None
