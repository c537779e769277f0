"""``re`` in UDF bodies: the module's functions and a match's methods, for
:class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin: it uses the translator's
``visit``, ``_err``, ``_as``, ``_long`` and ``consts``).

A pattern is a str known when the UDF is built (a literal or the cell's str constant, in the
call or in ``re.compile`` in the body), or a cell-level ``PAT = re.compile(...)`` (a value of
type ``pattern``): translated then (:mod:`transpiler.udf.pyregex`) and compiled once per UDF
object (a field); the runtime (``PyRe``, ``PyMatch``) runs it with Python's semantics.  A match is a value of type ``match`` (null for Python's None); its groups
are readable where they take part in every match, so a group is never Python's None.
"""

from __future__ import annotations

import re

from ..ir import cellast as A
from .pyregex import (FLAG_NAMES, REFUSED_FLAG_NAMES, REFUSED_FLAGS, PyRegexRefusal, flags_value,
                      template, translate)
from .typed import Ex

# Python's parameters of each function, in order (the pattern first); all take flags last.
FUNCTIONS = {
    "match": ("pattern", "string", "flags"),
    "search": ("pattern", "string", "flags"),
    "fullmatch": ("pattern", "string", "flags"),
    "sub": ("pattern", "repl", "string", "count", "flags"),
    "findall": ("pattern", "string", "flags"),
    "finditer": ("pattern", "string", "flags"),
    "split": ("pattern", "string", "maxsplit", "flags"),
    "escape": ("pattern",),
    "compile": ("pattern", "flags"),
}
MATCHERS = {"match": "PyRe.matchAt", "search": "PyRe.search", "fullmatch": "PyRe.fullmatch"}
MATCH_METHODS = ("group", "start", "end")
REGEX = "U127"
_UNRELIABLE = ("a group inside a repetition (other than ?), a lazy or possessive one, an atomic "
               "group or a lookaround is not read in a UDF (Java can keep its span from an "
               "abandoned attempt where Python resets it)")


class RegexTranslation:
    """The ``re`` part of the UDF translator."""

    def _re_call(self, n: A.Call) -> Ex:
        name = n.func.attr
        if name not in FUNCTIONS:
            raise self._err(n.func, f"re.{name} is not supported in a UDF (supported: "
                            f"{', '.join(sorted(FUNCTIONS))})", "U102")
        args = self._re_bind(name, FUNCTIONS[name], n, f"re.{name}")
        if name == "escape":
            return Ex(f"PyRe.escape({self._as(self.visit(args['pattern']), 'str', n, name)})",
                      "str")
        node = args["pattern"]
        source = self._literal_str(node)
        if source is None:
            raise self._err(node, f"the pattern of re.{name} must be a str known when the UDF "
                            "is built (a literal or a str constant of the cell): it is "
                            "translated to the JVM's regex then", REGEX)
        flags = self._re_flags(args["flags"]) if "flags" in args else 0
        compiled = self._compiled(source, flags, node)
        if name == "compile":
            return compiled
        return self._re_apply(name, compiled, args, node)

    def _compiled(self, source: str, flags: int, node: A.Node) -> Ex:
        """A pattern value: the translation, compiled once per UDF object (a field)."""
        try:
            pat = translate(source, flags)
        except PyRegexRefusal as exc:
            raise self._err(node, str(exc), REGEX) from None
        field = self.consts.value("java.util.regex.Pattern",
                                  f"PyRe.compile({self.consts.string(pat.java)})")
        return Ex(field, "pattern", regex=(pat,))

    def _names_pattern(self, node: A.Node) -> bool:
        """Whether ``node`` is a name of a compiled pattern (a local or the cell's constant)."""
        if not isinstance(node, A.Name) or node.id in self.scope:
            return False
        if node.id in self.locals:
            return self.locals[self._local(node.id)] == "pattern"
        return isinstance(self.constants.get(node.id), re.Pattern)

    def _pattern_method(self, recv: Ex, node: A.Attribute, n: A.Call) -> Ex:
        """``p.match(s)``, ``p.sub(repl, s)``, ... of a compiled pattern (a literal one)."""
        name = node.attr
        if name not in FUNCTIONS or name in ("escape", "compile"):
            raise self._err(node, f"Pattern.{name}() is not supported in a UDF", "U102")
        if len(recv.regex) != 1:
            raise self._err(node, "this pattern variable may hold different patterns here",
                            REGEX)
        params = tuple(p for p in FUNCTIONS[name] if p not in ("pattern", "flags"))
        args = self._re_bind(name, params, n, f"Pattern.{name}")
        return self._re_apply(name, recv, args, node)

    def _re_apply(self, name: str, compiled: Ex, args: dict[str, A.Node], node: A.Node) -> Ex:
        (pat,), field = compiled.regex, compiled.code
        text = self._re_str(args["string"], name)
        if name in MATCHERS:
            return Ex(f"{MATCHERS[name]}({field}, {text})", "match", regex=(pat,))
        if pat.nullable:
            raise self._err(node, f"re.{name} with a pattern that can match the empty string "
                            "is not supported in a UDF (Python's loop over empty matches "
                            "differs from Java's)", REGEX)
        if name == "finditer":
            # what a loop or a comprehension runs over: every match, as re.search would
            # find them one after the other (udf_loops binds each as a match)
            return Ex(f"PyRe.finditer({field}, {text})", "matches", regex=(pat,))
        if name == "findall":
            if pat.groups > 1:
                raise self._err(node, "re.findall with more than one group gives tuples, "
                                "which a UDF does not hold", REGEX)
            if pat.unreliable:
                raise self._err(node, _UNRELIABLE, REGEX)
            return Ex(f"PyRe.findall({field}, {text}, {pat.groups})", "list[str]")
        if name == "split":
            if set(range(1, pat.groups + 1)) - pat.mandatory:
                raise self._err(node, "re.split with a group that may not take part in a "
                                "match (Python puts None in the list)", REGEX)
            limit = self._re_int(args, "maxsplit", name)
            return Ex(f"PyRe.split({field}, {text}, {limit})", "list[str]")
        repl = args["repl"]
        if not (isinstance(repl, A.Const) and isinstance(repl.value, str)):
            raise self._err(repl, "the replacement of re.sub must be a literal string in a UDF "
                            "(a function as replacement is not supported)", REGEX)
        try:
            parts = template(repl.value, pat)
        except PyRegexRefusal as exc:
            raise self._err(repl, str(exc), REGEX) from None
        if set(parts.groups) & pat.unreliable:
            raise self._err(repl, _UNRELIABLE, REGEX)
        lits = ", ".join(self.consts.string(s) for s in parts.literals)
        groups = ", ".join(str(g) for g in parts.groups)
        code = (f"PyRe.sub({field}, Array[String]({lits}), Array[Int]({groups}), {text}, "
                f"{self._re_int(args, 'count', name)})")
        return Ex(code, "str")

    def _re_bind(self, name: str, params: tuple[str, ...], n: A.Call,
                 shown: str) -> dict[str, A.Node]:
        """The arguments by Python's parameter names (positional and keyword)."""
        if len(n.args) > len(params):
            raise self._err(n, f"{shown}() takes at most {len(params)} arguments in a UDF",
                            REGEX)
        given = dict(zip(params, n.args))
        for kw in n.keywords:
            if kw.name not in params or kw.name in given:
                raise self._err(kw, f"{shown}() got an unexpected or repeated argument "
                                f"'{kw.name}'", REGEX)
            given[kw.name] = kw.value
        required = [p for p in params if p in ("pattern", "repl", "string")]
        missing = [p for p in required if p not in given]
        if missing:
            raise self._err(n, f"{shown}() is missing the argument '{missing[0]}'", REGEX)
        return given

    def _re_flags(self, node: A.Node) -> int:
        """``re.S | re.M`` (names of ``re``'s flags, or 0) as Python's flag bits."""
        names: list[str] = []

        def walk(x: A.Node) -> None:
            if isinstance(x, A.BinOp) and x.op == "|":
                walk(x.left)
                walk(x.right)
            elif isinstance(x, A.Attribute) and isinstance(x.value, A.Name) and \
                    x.value.id == "re" and "re" not in self.locals and x.attr in FLAG_NAMES:
                names.append(x.attr)
            elif isinstance(x, A.Attribute) and isinstance(x.value, A.Name) and \
                    x.value.id == "re" and x.attr in REFUSED_FLAG_NAMES:
                raise self._err(x, f"the flag re.{x.attr} is not supported in a UDF: "
                                f"{REFUSED_FLAGS[REFUSED_FLAG_NAMES[x.attr]]}", REGEX)
            elif not (isinstance(x, A.Const) and x.value == 0 and type(x.value) is int):
                raise self._err(x, "flags of re in a UDF are re.I, re.S, re.M, re.X, re.A (or "
                                "their long names) joined with |", REGEX)
        walk(node)
        return flags_value(names)

    def _re_str(self, node: A.Node, name: str) -> str:
        e = self.visit(node)
        if e.type != "str":
            raise self._err(node, f"re.{name}() of a {e.type} (Python raises TypeError: "
                            "expected string)", REGEX)
        return e.code

    def _re_int(self, args: dict[str, A.Node], param: str, name: str) -> str:
        if param not in args:
            return "0L"
        x = args[param]
        if isinstance(x, A.Attribute) and isinstance(x.value, A.Name) and x.value.id == "re" \
                and x.attr in FLAG_NAMES:
            # `re.sub(p, r, s, re.I)`: Python takes the flag's number as the count
            raise self._err(x, f"re.{x.attr} given as {param}: the argument in that place is "
                            f"{param}, not flags (Python would use the flag's number as the "
                            f"{param}); write flags=re.{x.attr}", REGEX)
        return self._long(self.visit(x), x, f"re.{name}({param}=...)")

    def _match_method(self, recv: Ex, node: A.Attribute, n: A.Call) -> Ex:
        """``m.group(g)``, ``m.start(g)``, ``m.end(g)`` of a match (None: AttributeError)."""
        if node.attr not in MATCH_METHODS or n.keywords or len(n.args) > 1:
            raise self._err(node, f"match.{node.attr}() is not supported in a UDF (supported: "
                            "group, start and end of one group)", "U102")
        group = self._group_number(recv, n.args[0] if n.args else None, node)
        if node.attr == "group":
            return Ex(f"PyMatch.group({recv.code}, {group})", "str")
        return Ex(self._from_long(f"PyMatch.{node.attr}({recv.code}, {group})"), "int")

    def _group_number(self, recv: Ex, arg: A.Node | None, node: A.Node) -> int:
        patterns = recv.regex or ()
        if arg is None:
            return 0
        if not (isinstance(arg, A.Const) and type(arg.value) in (int, str)):
            raise self._err(arg, "a match's group must be a literal number or name in a UDF",
                            REGEX)
        numbers = set()
        for pat in patterns:
            g = dict(pat.names).get(arg.value) if isinstance(arg.value, str) else arg.value
            if g is None or not 0 <= g <= pat.groups:
                raise self._err(arg, f"no such group {arg.value!r} in {pat.source!r} (Python "
                                "raises IndexError)", REGEX)
            if g in pat.unreliable:
                raise self._err(arg, _UNRELIABLE, REGEX)
            if g and g not in pat.mandatory:
                raise self._err(arg, f"group {arg.value!r} of {pat.source!r} may not take part "
                                "in a match (Python gives None there, which a UDF's str does "
                                "not hold)", REGEX)
            numbers.add(g)
        if len(numbers) != 1:
            raise self._err(arg, "this match comes from different patterns whose groups "
                            "differ", REGEX)
        return numbers.pop()
