"""Python's ``re`` patterns (of a UDF body) as java.util.regex patterns that match the same
strings, and replacement templates as literal parts and group numbers.

The pattern is read by Python's own parser (``re._parser``: the tree is the pattern exactly as
the notebook's ``re`` reads it, escapes, verbose mode and optimisations included), then emitted
one node kind at a time (``op_<NODE>``); a kind without a method is refused by name.  Both
engines are backtracking, leftmost-first, greedy-by-default matchers over code points, so the
tree carries over; what differs is handled here:

* literals are emitted as ``\\x{..}`` only, so no notebook character is Java syntax;
* ``\\w``, ``\\d``, ``\\s`` are Python's str predicates (``isalnum() or '_'``, ``isdecimal``,
  ``isspace``) of the notebook's Unicode version: placeholders (``\\p{PyWord}``) that the runtime
  (PyRe.java) expands from its tables generated from that Python; Java's follow the JDK's;
* ``.`` is any code point but ``\\n``, ``$`` is the end or before a final ``\\n``, ``\\Z`` the end
  (Java's ``.``/``$`` also stop at ``\\r``, ``\\u0085``, ``\\u2028``, ``\\u2029``);
* ``\\b``/``\\B`` are lookarounds on Python's ``\\w``; ``\\B`` never matches an empty string
  (CPython before 3.14);
* a repetition of something that can match empty is refused (the engines end such a loop at
  different iterations, which shows in groups), as are case-insensitive and ASCII flags (case
  folding differs), conditionals (``(?(1)..)``, no Java form), and nested repetitions whose
  iterations could split a string in several ways (exponential backtracking on both sides).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from re import _constants as C  # Python's own opcodes: the parser's vocabulary
from re import _parser as sre

MAX_PATTERN = 4_000  # characters of one pattern
MAX_REPEAT = 1_000  # an explicit {m,n} bound (Java unrolls nothing, but a bound is a bound)
JVM_BUDGET = 50_000_000  # characters one call may read on the JVM (runtime PyRe.BUDGET)
ALLOWED_FLAGS = C.SRE_FLAG_UNICODE | C.SRE_FLAG_VERBOSE | C.SRE_FLAG_DOTALL | \
    C.SRE_FLAG_MULTILINE | C.SRE_FLAG_IGNORECASE
MAX_FOLDED_RANGES = 400  # a case-insensitive class spelled out beyond its placeholders
FLAG_NAMES = {"DOTALL": C.SRE_FLAG_DOTALL, "S": C.SRE_FLAG_DOTALL,
              "MULTILINE": C.SRE_FLAG_MULTILINE, "M": C.SRE_FLAG_MULTILINE,
              "VERBOSE": C.SRE_FLAG_VERBOSE, "X": C.SRE_FLAG_VERBOSE,
              "UNICODE": C.SRE_FLAG_UNICODE, "U": C.SRE_FLAG_UNICODE,
              "IGNORECASE": C.SRE_FLAG_IGNORECASE, "I": C.SRE_FLAG_IGNORECASE,
              "ASCII": C.SRE_FLAG_ASCII, "A": C.SRE_FLAG_ASCII,
              "NOFLAG": 0}
REFUSED_FLAGS = {C.SRE_FLAG_LOCALE: "LOCALE (Python refuses it for str patterns)"}
REFUSED_FLAG_NAMES = {"LOCALE": C.SRE_FLAG_LOCALE, "L": C.SRE_FLAG_LOCALE}
# Python's spelling of a category, to ask Python's engine about a class under IGNORECASE
CATEGORY_SYNTAX = {C.CATEGORY_WORD: "\\w", C.CATEGORY_NOT_WORD: "\\W", C.CATEGORY_DIGIT: "\\d",
                   C.CATEGORY_NOT_DIGIT: "\\D", C.CATEGORY_SPACE: "\\s",
                   C.CATEGORY_NOT_SPACE: "\\S"}

# Category -> the runtime's placeholder (expanded inside a class by PyRe.expand).
CATEGORIES = {C.CATEGORY_WORD: "PyWord", C.CATEGORY_NOT_WORD: "PyNotWord",
              C.CATEGORY_DIGIT: "PyDigit", C.CATEGORY_NOT_DIGIT: "PyNotDigit",
              C.CATEGORY_SPACE: "PySpace", C.CATEGORY_NOT_SPACE: "PyNotSpace"}
def _cp(cp: int) -> str:
    """A code point in Java syntax: ``\\x{..}``, or the character itself beyond the BMP, so
    that Java knows the pattern has supplementary characters (its lookbehind otherwise steps
    back one UTF-16 unit, half of one)."""
    return chr(cp) if cp > 0xFFFF else f"\\x{{{cp:x}}}"


# Matches nothing, holds a supplementary character: Java steps a lookbehind back by code points
# only if its body holds one (else `(?<=a.)x` misses "a\U0001F600x").
BEHIND = f"(?:{chr(0x10FFFF)}){{0}}"
WORD = "[\\p{PyWord}]"
COMPLEMENT = {C.CATEGORY_WORD: C.CATEGORY_NOT_WORD, C.CATEGORY_NOT_WORD: C.CATEGORY_WORD,
              C.CATEGORY_DIGIT: C.CATEGORY_NOT_DIGIT, C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT,
              C.CATEGORY_SPACE: C.CATEGORY_NOT_SPACE, C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE}
NEWLINE = "\\x{a}"
ANY_CP = f"[\\x{{0}}-{_cp(0x10FFFF)}]"
# Anchors: Python's (MULTILINE off, on) -> Java's.
AT = {
    C.AT_BEGINNING: ("\\A", f"(?:\\A|(?<={NEWLINE}))"),
    C.AT_BEGINNING_STRING: ("\\A", "\\A"),
    C.AT_END: (f"(?={NEWLINE}?\\z)", f"(?={NEWLINE}|\\z)"),
    C.AT_END_STRING: ("\\z", "\\z"),
    C.AT_BOUNDARY: (f"(?:(?<={WORD})(?!{WORD})|(?<!{WORD})(?={WORD}))",) * 2,
    # CPython < 3.14: \B fails on an empty string
    C.AT_NON_BOUNDARY: (f"(?!\\A\\z)(?:(?<={WORD})(?={WORD})|(?<!{WORD})(?!{WORD}))",) * 2,
}


class PyRegexRefusal(ValueError):
    """A Python pattern (or template) the translation cannot carry with Python's semantics."""

    def __init__(self, pattern: str, reason: str):
        self.pattern, self.reason = pattern, reason
        super().__init__(f"re pattern {pattern!r}: {reason}")


@dataclass(frozen=True)
class PyPattern:
    """A Python pattern as java.util.regex source, with the facts the UDF translator needs."""

    source: str
    java: str
    groups: int  # capturing groups; Python's numbering is Java's
    names: tuple[tuple[str, int], ...]
    mandatory: frozenset[int]  # groups that take part in every match (never None)
    nullable: bool  # can match the empty string
    # groups whose span Java may leave from an abandoned attempt (inside a repetition that can
    # run more than once, a lazy or possessive one, an atomic group or a negative lookaround:
    # measured, `(?P<n>[a-c_]٣??)*+\W` on "é_1 ab" keeps the
    # group from the failed attempt at 1, Python resets it); a UDF may not read them
    unreliable: frozenset[int] = frozenset()
    flags: int = 0  # as given (verbose mode changes what the template's group names are)


@dataclass(frozen=True)
class Template:
    """A ``re.sub`` replacement: literal parts around group numbers (``\\1``, ``\\g<name>``)."""

    literals: tuple[str, ...]  # one more than groups
    groups: tuple[int, ...]


# ---- character sets (sorted, disjoint (lo, hi) ranges) for the analyses -------------------------

Ranges = tuple[tuple[int, int], ...]
ALL: Ranges = ((0, 0x10FFFF),)


@functools.lru_cache(maxsize=None)
def category_ranges(category, ascii: bool = False) -> Ranges:
    """The code points of a category under the running Python's ``re`` (its engine decides,
    over every code point, as for :func:`folded`); ``ascii``: under re.ASCII."""
    return ranges_of(sorted(map(ord, re.findall(CATEGORY_SYNTAX[category],
                                                _every_code_point(),
                                                re.ASCII if ascii else 0))))


def union(*sets: Ranges) -> Ranges:
    out: list[list[int]] = []
    for lo, hi in sorted(r for s in sets for r in s):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def complement(s: Ranges) -> Ranges:
    out, at = [], 0
    for lo, hi in s:
        if lo > at:
            out.append((at, lo - 1))
        at = hi + 1
    if at <= 0x10FFFF:
        out.append((at, 0x10FFFF))
    return tuple(out)


def overlap(a: Ranges, b: Ranges) -> bool:
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


def ranges_of(cps) -> Ranges:
    """Sorted code points as ranges."""
    out: list[list[int]] = []
    for cp in cps:
        if out and cp == out[-1][1] + 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return tuple((lo, hi) for lo, hi in out)


@functools.lru_cache(maxsize=1)
def _every_code_point() -> str:
    return "".join(map(chr, range(0x110000)))


@functools.lru_cache(maxsize=4096)
def folded(item: str) -> Ranges:
    """The code points that ``item`` (one character in Python's syntax: a literal or a class
    without negation) matches under IGNORECASE, as Python's own engine decides over every code
    point (its simple case mappings and its extra equivalences such as K, KELVIN SIGN)."""
    return ranges_of(sorted(map(ord, re.findall(f"(?i:{item})", _every_code_point()))))


def _py_item(op, av) -> str:
    """A class item in Python's syntax."""
    if op is C.LITERAL:
        return f"\\U{av:08x}"
    if op is C.RANGE:
        return f"\\U{av[0]:08x}-\\U{av[1]:08x}"
    return CATEGORY_SYNTAX[av]


def _plain(items) -> Ranges:
    """The code points of class items, case-sensitively."""
    sets = []
    for op, av in items:
        if op is C.LITERAL:
            sets.append(((av, av),))
        elif op is C.RANGE:
            sets.append((tuple(av),))
        elif op is C.CATEGORY and av in CATEGORIES:
            sets.append(category_ranges(av))
        else:
            return ALL
    return union(*sets)


def _folded_items(items) -> Ranges:
    if not items:
        return ()
    return folded("[" + "".join(_py_item(op, av) for op, av in items) + "]")


def _class(ranges: Ranges, negate: bool = False) -> str:
    return f"[{'^' if negate else ''}" + "".join(
        _cp(lo) if lo == hi else f"{_cp(lo)}-{_cp(hi)}" for lo, hi in ranges) + "]"


def _uses_flag(items, flag: int) -> bool:
    """Whether a scoped group of ``items`` turns ``flag`` on."""
    for op, av in items:
        if op is C.SUBPATTERN and (av[1] & flag or _uses_flag(av[3], flag)):
            return True
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and _uses_flag(av[2], flag):
            return True
        if op is C.BRANCH and any(_uses_flag(alt, flag) for alt in av[1]):
            return True
        if op in (C.ASSERT, C.ASSERT_NOT) and _uses_flag(av[1], flag):
            return True
        if op is C.ATOMIC_GROUP and _uses_flag(av, flag):
            return True
    return False


# ---- translation --------------------------------------------------------------------------------

def translate(pattern: str, flags: int = 0) -> PyPattern:
    """``pattern`` (a str pattern of ``re``, with ``flags``) as Java, or :class:`PyRegexRefusal`."""
    if len(pattern) > MAX_PATTERN:
        raise PyRegexRefusal(pattern[:40] + "...", f"longer than {MAX_PATTERN:,} characters")
    try:
        tree = sre.parse(pattern, flags)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        raise PyRegexRefusal(pattern, f"Python rejects it ({exc})") from None
    for bit, name in REFUSED_FLAGS.items():
        if tree.state.flags & bit:
            raise PyRegexRefusal(pattern, f"the flag {name} is not supported in a UDF")
    emitter = _Emitter(pattern, tree.state)
    emitter.fold = bool(tree.state.flags & C.SRE_FLAG_IGNORECASE) or \
        _uses_flag(tree, C.SRE_FLAG_IGNORECASE)
    # re.ASCII: \w, \d, \s and \b of ASCII alone, spelled out as Python's engine decides
    # them; with IGNORECASE, folding too would be ASCII-only (not translated)
    emitter.ascii = bool(tree.state.flags & C.SRE_FLAG_ASCII)
    if emitter.ascii and emitter.fold:
        raise PyRegexRefusal(pattern, "the flags ASCII and IGNORECASE together are not supported "
                             "in a UDF (Python folds ASCII letters only)")
    try:
        java = emitter.seq(tree)
    except RecursionError:
        raise PyRegexRefusal(pattern, "nested too deeply") from None
    lo, _ = tree.getwidth()
    return PyPattern(pattern, java, tree.state.groups - 1,
                     tuple(sorted(tree.state.groupdict.items())),
                     frozenset(emitter.mandatory - emitter.unreliable), lo == 0,
                     frozenset(emitter.unreliable), flags)


class _Emitter:
    """One pattern's tree -> Java source, ``op_<OPCODE>`` per node kind."""

    def __init__(self, pattern: str, state):
        self.pattern, self.state = pattern, state
        self.flags = [state.flags]
        # the analyses take case variants into account wherever IGNORECASE is on somewhere
        self.fold = False
        self.optional = 0  # depth under a branch, a repeat that may run 0 times or a (?!..)
        self.mandatory: set[int] = set()
        self.unreliable: set[int] = set()
        self.sticky = 0  # depth under a lazy or possessive repetition or an atomic group
        self.behind = 0  # depth under a lookbehind
        self.ascii = False  # re.ASCII: categories spelled out as ASCII classes

    def refuse(self, reason: str) -> PyRegexRefusal:
        return PyRegexRefusal(self.pattern, reason)

    def width(self, op, av) -> tuple[int, int]:
        return sre.SubPattern(self.state, [(op, av)]).getwidth()

    def seq(self, items) -> str:
        return "".join(self.node(op, av) for op, av in items)

    def node(self, op, av) -> str:
        method = getattr(self, f"op_{op}", None)
        if method is None:
            raise self.refuse(f"{str(op).lower()} is not supported in a UDF pattern")
        return method(av)

    # single characters; under IGNORECASE each is the set Python's engine matches
    @property
    def ignorecase(self) -> bool:
        return bool(self.flags[-1] & C.SRE_FLAG_IGNORECASE)

    def op_LITERAL(self, cp: int) -> str:
        if self.ignorecase:
            cps = folded(_py_item(C.LITERAL, cp))
            if cps != ((cp, cp),):
                return _class(cps)
        return _cp(cp)

    def op_NOT_LITERAL(self, cp: int) -> str:
        if self.ignorecase:
            return _class(folded(_py_item(C.LITERAL, cp)), negate=True)
        return f"[^{_cp(cp)}]"

    def op_ANY(self, _) -> str:
        return ANY_CP if self.flags[-1] & C.SRE_FLAG_DOTALL else f"[^{NEWLINE}]"

    def op_IN(self, items) -> str:
        negate = bool(items) and items[0][0] is C.NEGATE
        if self.ascii:  # no IGNORECASE here (translate refuses the two together)
            sets = []
            for op, av in items[1:] if negate else items:
                if op is C.LITERAL:
                    sets.append(((av, av),))
                elif op is C.RANGE:
                    sets.append((tuple(av),))
                elif op is C.CATEGORY and av in CATEGORIES:
                    sets.append(category_ranges(av, ascii=True))
                else:
                    raise self.refuse(f"{str(op).lower()} in a character class is not supported")
            ranges = union(*sets)
            if not ranges:
                return ANY_CP if negate else "(?!)"
            return _class(ranges, negate)
        if self.ignorecase:
            # a class is the union of its items (Python tests each on the lowercased
            # character): the literals and ranges folded and spelled out, the categories
            # as they are where folding leaves them unchanged (\w, \d, \s: checked)
            members = items[1:] if negate else items
            lits = [(op, av) for op, av in members if op is not C.CATEGORY]
            cats = [(op, av) for op, av in members if op is C.CATEGORY]
            for _, c in cats:
                if c not in CATEGORIES or folded(CATEGORY_SYNTAX[c]) != category_ranges(c):
                    raise self.refuse(f"the category {c} under IGNORECASE is not supported")
            cps = _folded_items(lits)
            if len(cps) > MAX_FOLDED_RANGES:
                raise self.refuse("a case-insensitive class too large to spell out")
            items = ([(C.NEGATE, None)] if negate else []) + [
                (C.LITERAL, lo) if lo == hi else (C.RANGE, (lo, hi)) for lo, hi in cps] + cats
        parts = []
        for op, av in items[1:] if negate else items:
            if op is C.LITERAL:
                parts.append(_cp(av))
            elif op is C.RANGE:
                parts.append(f"{_cp(av[0])}-{_cp(av[1])}")
            elif op is C.CATEGORY and av in CATEGORIES:
                parts.append(f"\\p{{{CATEGORIES[av]}}}")
            else:
                raise self.refuse(f"{str(op).lower()} in a character class is not supported")
        if not parts:
            return ANY_CP if negate else "(?!)"
        cats = [av for op, av in (items[1:] if negate else items) if op is C.CATEGORY]
        if negate and cats:
            # not (lits or cat...) is [^lits] and each category's complement: the runtime's
            # classes are nested ones, which a negated class would not negate the same way
            lits = [p for p in parts if not p.startswith("\\p{")]
            operands = ([f"[^{''.join(lits)}]"] if lits else []) + [
                f"\\p{{{CATEGORIES[COMPLEMENT[c]]}}}" for c in cats]
            return "[" + "&&".join(operands) + "]"
        return f"[{'^' if negate else ''}{''.join(parts)}]"

    # structure
    def op_SUBPATTERN(self, av) -> str:
        group, add, remove, body = av
        if (add | remove) & ~ALLOWED_FLAGS:
            raise self.refuse("scoped flags other than i, s, m and x are not supported in a UDF")
        self.flags.append((self.flags[-1] | add) & ~remove)
        try:
            inner = self.seq(body)
        finally:
            self.flags.pop()
        if group is None:
            return f"(?:{inner})"
        if not self.optional:
            self.mandatory.add(group)
        if self.sticky:
            self.unreliable.add(group)
        return f"({inner})"

    def op_BRANCH(self, av) -> str:
        self.optional += 1
        try:
            return "(?:" + "|".join(self.seq(alt) for alt in av[1]) + ")"
        finally:
            self.optional -= 1

    def op_ATOMIC_GROUP(self, body) -> str:
        self.sticky += 1
        try:
            return f"(?>{self.seq(body)})"
        finally:
            self.sticky -= 1

    def op_AT(self, where) -> str:
        if where not in AT:
            raise self.refuse(f"the anchor {where} is not supported")
        java = AT[where][1 if self.flags[-1] & C.SRE_FLAG_MULTILINE else 0]
        if self.ascii:  # \b and \B on ASCII word characters
            java = java.replace(WORD, _class(category_ranges(C.CATEGORY_WORD, ascii=True)))
        return java

    def op_GROUPREF(self, group: int) -> str:
        if self.behind:
            raise self.refuse("a backreference inside a lookbehind (Java needs a lookbehind's "
                              "maximum length)")
        if self.ignorecase:
            raise self.refuse("a backreference under IGNORECASE (Python compares lowercased "
                              "characters, Java its own case folding)")
        return f"(?:\\{group})"

    def _around(self, av, positive: bool) -> str:
        direction, body = av
        self.behind += direction < 0
        # a group inside a negative one is None in Python's every match; Java keeps what a
        # lookaround captured when the match backtracks past it (measured: `(?<!(?=(\w)))`
        # on "a", `a(?:(?<=(a))b)?` on "a")
        self.optional += not positive
        self.sticky += 1
        try:
            inner = self.seq(body)
        finally:
            self.behind -= direction < 0
            self.optional -= not positive
            self.sticky -= 1
        op = ("=" if positive else "!")
        return f"(?<{op}{BEHIND}{inner})" if direction < 0 else f"(?{op}{inner})"

    def op_ASSERT(self, av) -> str:
        return self._around(av, True)

    def op_ASSERT_NOT(self, av) -> str:
        return self._around(av, False)

    def _repeat(self, av, suffix: str) -> str:
        lo, hi, body = av
        width = body.getwidth()
        if width[0] == 0 and hi > 1:
            raise self.refuse("a repetition of something that can match the empty string "
                              "(Python and Java stop such a loop at different iterations)")
        if lo > MAX_REPEAT or (hi != C.MAXREPEAT and hi > MAX_REPEAT):
            raise self.refuse(f"a repetition count above {MAX_REPEAT:,}")
        if hi > 1 and not _single(body):
            _check_unambiguous(self, body)
        # Java keeps a repeated group's span from the last iteration it tried, not the last one
        # kept after backtracking (measured: `(\w)+b` on "abb" gives (2, 3), Python (1, 2))
        sticky = suffix != "" or hi > 1
        self.optional += lo == 0
        self.sticky += sticky
        try:
            inner = self.seq(body)
        finally:
            self.optional -= lo == 0
            self.sticky -= sticky
        count = ("*" if lo == 0 else "+" if lo == 1 else f"{{{lo},}}") if hi == C.MAXREPEAT \
            else "?" if (lo, hi) == (0, 1) else f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"
        # one character repeated: no group around it, so Java uses its iterative node (a
        # group repeated recurses once per iteration: a stack overflow on a long value)
        atom = inner if _single(body) is not None and not _has_group(body) else f"(?:{inner})"
        return f"{atom}{count}{suffix}"

    def op_MAX_REPEAT(self, av) -> str:
        return self._repeat(av, "")

    def op_MIN_REPEAT(self, av) -> str:
        return self._repeat(av, "?")

    def op_POSSESSIVE_REPEAT(self, av) -> str:
        return self._repeat(av, "+")


# ---- the exponential-backtracking check ----------------------------------------------------------

def _single(body, fold: bool = False) -> Ranges | None:
    """The characters of a one-character item (a literal, a class, ``.``), else None; with
    ``fold``, those with or without IGNORECASE (a superset of either)."""
    items = list(body)
    if len(items) != 1:
        return None
    op, av = items[0]
    if op in (C.LITERAL, C.NOT_LITERAL):
        s = union(((av, av),), folded(_py_item(C.LITERAL, av)) if fold else ())
        # [^x] under IGNORECASE matches fewer characters than without: the plain set covers it
        return s if op is C.LITERAL else complement(((av, av),))
    if op is C.ANY:
        return ALL
    if op is C.IN:
        negate = bool(av) and av[0][0] is C.NEGATE
        members = av[1:] if negate else av
        s = _plain(members)
        if negate:
            return complement(s)
        return union(s, _folded_items(members)) if fold and s != ALL else s
    if op is C.SUBPATTERN:
        return _single(av[3], fold)
    return None


def _has_group(items) -> bool:
    return any(op is C.SUBPATTERN and (av[0] is not None or _has_group(av[3]))
               for op, av in items)


def _chars(items, fold: bool = False) -> Ranges:
    """Every character ``items`` can consume (an over-approximation is safe)."""
    out: list[Ranges] = []
    for op, av in items:
        single = _single([(op, av)], fold)
        if single is not None:
            out.append(single)
        elif op is C.SUBPATTERN:
            out.append(_chars(av[3], fold))
        elif op is C.ATOMIC_GROUP:
            out.append(_chars(av, fold))
        elif op is C.BRANCH:
            out.extend(_chars(alt, fold) for alt in av[1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            out.append(_chars(av[2], fold))
        elif op is C.GROUPREF:
            out.append(ALL)
    return union(*out)


def _first(emitter: _Emitter, items) -> Ranges:
    """The characters a match of ``items`` can start with (over-approximated)."""
    out: list[Ranges] = []
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op is C.SUBPATTERN:
            out.append(_first(emitter, av[3]))
        elif op is C.BRANCH:
            out.extend(_first(emitter, alt) for alt in av[1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            out.append(_first(emitter, av[2]))
        else:
            out.append(_chars([(op, av)], emitter.fold))
        if emitter.width(op, av)[0] > 0:
            break
    return union(*out)


def _check_unambiguous(emitter: _Emitter, body) -> None:
    """A repeated item longer than one character must split any string into iterations one way:
    each part that varies in length is followed, inside the item, by a character it cannot
    consume, and the item's alternatives start with different characters.  ``(\\d+,)*`` passes;
    ``(a+)+``, ``(\\w+\\s?)*``, ``(a|ab)*`` do not (they backtrack exponentially on a failing
    input, in Python as in Java)."""
    items = list(body)
    while len(items) == 1 and items[0][0] is C.SUBPATTERN:
        items = list(items[0][1][3])
    if len(items) == 1 and items[0][0] is C.BRANCH:
        alts = items[0][1][1]
        firsts = [_first(emitter, alt) for alt in alts]
        for i, a in enumerate(firsts):
            if any(overlap(a, b) for b in firsts[i + 1:]):
                raise emitter.refuse("a repeated alternation whose branches can start with the "
                                     "same character (exponential backtracking)")
        for alt in alts:
            _check_sequence(emitter, list(alt), _first(emitter, items))
        return
    _check_sequence(emitter, items, _first(emitter, items))


def _check_sequence(emitter: _Emitter, items, first: Ranges) -> None:
    pending: Ranges | None = None
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        lo, hi = emitter.width(op, av)
        chars = _chars([(op, av)], emitter.fold)
        if lo == hi and lo > 0 and op is not C.BRANCH:
            if pending is not None and overlap(pending, _first(emitter, [(op, av)])):
                break
            pending = None
        else:
            # two parts of one iteration that can trade characters (`b?b?`, `\d*\d*`): the
            # ways to split multiply over the iterations
            if pending is not None and overlap(pending, _first(emitter, [(op, av)])):
                break
            pending = union(pending or (), chars)
    else:
        if pending is None or not overlap(pending, first):
            return
    raise emitter.refuse("a repetition of an item that can split a string in several ways "
                         "(exponential backtracking); end each repeated part at a character it "
                         "cannot match, e.g. (\\d+,)*")


# ---- replacement templates -----------------------------------------------------------------------

def template(repl: str, pattern: PyPattern) -> Template:
    """``repl`` of ``re.sub`` as Python parses it against ``pattern`` (``\\n``, ``\\1``,
    ``\\g<name>``; a bad escape or group is Python's error, refused here)."""
    try:
        compiled = re.compile(pattern.source, pattern.flags)
        groups, literals = re._compile_repl(repl, compiled)  # Python's own template parser
    except (re.error, IndexError) as exc:
        raise PyRegexRefusal(pattern.source, f"the replacement {repl!r} is rejected by Python "
                             f"({exc})") from None
    parts, numbers, current = [], [], []
    by_index = dict(groups)
    for i, lit in enumerate(literals):
        if i in by_index:
            parts.append("".join(current))
            current = []
            numbers.append(by_index[i])
        elif lit is not None:
            current.append(lit)
    parts.append("".join(current))
    return Template(tuple(parts), tuple(numbers))


def flags_value(names: list[str]) -> int:
    """``re.S | re.M`` as an int (names checked by the caller against FLAG_NAMES)."""
    value = 0
    for name in names:
        value |= FLAG_NAMES[name]
    return value
