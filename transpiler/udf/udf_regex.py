"""``re`` in UDF bodies: the module's functions and a match's methods, for
:class:`~transpiler.udf.udf_scala.FunctionTranslator` (a mixin: it uses the translator's
``visit``, ``_err``, ``_as``, ``_long`` and ``consts``).

A pattern is a literal, translated when the UDF is built (:mod:`transpiler.udf.pyregex`) and
compiled once per UDF object (a field); the runtime (``PyRe``, ``PyMatch``) runs it with
Python's semantics.  A match is a value of type ``match`` (null for Python's None); its groups
are readable where they take part in every match, so a group is never Python's None.
"""

from __future__ import annotations

from ..ir import cellast as A
from .pyregex import FLAG_NAMES, PyPattern, PyRegexRefusal, flags_value, template, translate
from .typed import Ex

# Python's parameters of each function, in order (the pattern first); all take flags last.
FUNCTIONS = {
    "match": ("pattern", "string", "flags"),
    "search": ("pattern", "string", "flags"),
    "fullmatch": ("pattern", "string", "flags"),
    "sub": ("pattern", "repl", "string", "count", "flags"),
    "findall": ("pattern", "string", "flags"),
    "split": ("pattern", "string", "maxsplit", "flags"),
    "escape": ("pattern",),
}
MATCHERS = {"match": "PyRe.matchAt", "search": "PyRe.search", "fullmatch": "PyRe.fullmatch"}
MATCH_METHODS = ("group", "start", "end")
REGEX = "U127"


class RegexTranslation:
    """The ``re`` part of the UDF translator."""

    def _re_call(self, n: A.Call) -> Ex:
        name = n.func.attr
        if name not in FUNCTIONS:
            raise self._err(n.func, f"re.{name} is not supported in a UDF (supported: "
                            f"{', '.join(sorted(FUNCTIONS))})", "U102")
        args = self._re_bind(name, n)
        if name == "escape":
            return Ex(f"PyRe.escape({self._as(self.visit(args['pattern']), 'str', n, name)})",
                      "str")
        pat = self._re_pattern(args, name)
        field = self.consts.value("java.util.regex.Pattern",
                                  f"PyRe.compile({self.consts.string(pat.java)})")
        text = self._re_str(args["string"], name)
        if name in MATCHERS:
            return Ex(f"{MATCHERS[name]}({field}, {text})", "match", regex=(pat,))
        if pat.nullable:
            raise self._err(args["pattern"], f"re.{name} with a pattern that can match the "
                            "empty string is not supported in a UDF (Python's loop over empty "
                            "matches differs from Java's)", REGEX)
        if name == "findall":
            if pat.groups > 1:
                raise self._err(args["pattern"], "re.findall with more than one group gives "
                                "tuples, which a UDF does not hold", REGEX)
            return Ex(f"PyRe.findall({field}, {text}, {pat.groups})", "list[str]")
        if name == "split":
            if set(range(1, pat.groups + 1)) - pat.mandatory:
                raise self._err(args["pattern"], "re.split with a group that may not take part "
                                "in a match (Python puts None in the list)", REGEX)
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
        lits = ", ".join(self.consts.string(s) for s in parts.literals)
        groups = ", ".join(str(g) for g in parts.groups)
        code = (f"PyRe.sub({field}, Array[String]({lits}), Array[Int]({groups}), {text}, "
                f"{self._re_int(args, 'count', name)})")
        return Ex(code, "str")

    def _re_bind(self, name: str, n: A.Call) -> dict[str, A.Node]:
        """The arguments by Python's parameter names (positional and keyword)."""
        params = FUNCTIONS[name]
        if len(n.args) > len(params):
            raise self._err(n, f"re.{name}() takes at most {len(params)} arguments", REGEX)
        given = dict(zip(params, n.args))
        for kw in n.keywords:
            if kw.name not in params or kw.name in given:
                raise self._err(kw, f"re.{name}() got an unexpected or repeated argument "
                                f"'{kw.name}'", REGEX)
            given[kw.name] = kw.value
        required = params[:{"escape": 1, "sub": 3}.get(name, 2)]
        missing = [p for p in required if p not in given]
        if missing:
            raise self._err(n, f"re.{name}() is missing the argument '{missing[0]}'", REGEX)
        return given

    def _re_pattern(self, args: dict[str, A.Node], name: str) -> PyPattern:
        node = args["pattern"]
        if not (isinstance(node, A.Const) and isinstance(node.value, str)):
            raise self._err(node, f"the pattern of re.{name} must be a literal string in a UDF "
                            "(it is translated to the JVM's regex when the UDF is built)", REGEX)
        flags = self._re_flags(args["flags"]) if "flags" in args else 0
        try:
            return translate(node.value, flags)
        except PyRegexRefusal as exc:
            raise self._err(node, str(exc), REGEX) from None

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
                    x.value.id == "re" and x.attr in ("I", "IGNORECASE", "A", "ASCII", "L",
                                                      "LOCALE"):
                raise self._err(x, f"the flag re.{x.attr} is not supported in a UDF (case "
                                "folding and ASCII classes differ on the JVM)", REGEX)
            elif not (isinstance(x, A.Const) and x.value == 0 and type(x.value) is int):
                raise self._err(x, "flags of re in a UDF are re.S, re.M, re.X (or their long "
                                "names) joined with |", REGEX)
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
        return self._long(self.visit(args[param]), args[param], f"re.{name}({param}=...)")

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
            if g and g not in pat.mandatory:
                raise self._err(arg, f"group {arg.value!r} of {pat.source!r} may not take part "
                                "in a match (Python gives None there, which a UDF's str does "
                                "not hold)", REGEX)
            numbers.add(g)
        if len(numbers) != 1:
            raise self._err(arg, "this match comes from different patterns whose groups "
                            "differ", REGEX)
        return numbers.pop()
