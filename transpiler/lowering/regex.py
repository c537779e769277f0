"""RE2 patterns (the notebook's engine, DuckDB) as java.util.regex patterns (Spark) that match
the same strings: one pass over the pattern, a table of what each construct becomes.

Both dialects share most syntax but not its meaning.  Measured differences (DuckDB 1.4 against
Spark 4 on JDK 17), each handled by a row of the tables below:

* `.` matches anything but `\\n` in RE2; Java's also stops at `\\r`, `\\u0085`, `\\u2028`, `\\u2029`;
* `$` is the end of the text in RE2; Java's also matches before a final line terminator;
* `\\s` is `[\\t\\n\\f\\r ]` in RE2; Java's also has `\\x0B`; `\\v` is `\\x0B` in RE2, a class in Java;
* `\\b` is an ASCII word boundary in RE2; Java 17's uses Unicode letters and digits;
* `[[:alpha:]]` is a POSIX class in RE2; Java reads nested brackets as a union of characters, and
  `&&` inside a class as an intersection;
* replacing: RE2 names groups `\\1`, Java `$1`, and the global loops differ on empty matches
  (the runtime's Re2Replace.java runs RE2's loop).

What is not in the tables is refused with the construct's position: Unicode classes (`\\p`: the
engines' Unicode versions differ), inline flags (case folding differs), lookaround and possessive
quantifiers (not RE2: the notebook fails), backreferences in patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

import re


class RegexRefusal(ValueError):
    """A regex construct with no verified Java equivalent (the lowering refuses the op)."""

    def __init__(self, pattern: str, pos: int, reason: str):
        self.pattern, self.pos, self.reason = pattern, pos, reason
        super().__init__(f"regex {pattern!r} at offset {pos}: {reason}")


# RE2's \s and \v, spelled out so that Java's larger classes do not apply.
_SPACE = "\\t\\n\\f\\r "
_VT = "\\x0B"
# An ASCII word character: Java's \w without UNICODE_CHARACTER_CLASS is exactly RE2's.
_W = "[0-9A-Za-z_]"

# Escapes outside a character class: RE2 spelling -> Java spelling.
_ESCAPES = {
    "s": f"[{_SPACE}]", "S": f"[^{_SPACE}]", "v": _VT,
    "d": "\\d", "D": "\\D", "w": "\\w", "W": "\\W",
    "b": f"(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W}))",
    "A": "\\A", "z": "\\z",
    "n": "\\n", "t": "\\t", "r": "\\r", "f": "\\f", "a": "\\a",
}
# Escapes inside a character class.
_CLASS_ESCAPES = {
    "s": _SPACE, "v": _VT, "d": "\\d", "w": "\\w", "D": "\\D", "W": "\\W",
    "n": "\\n", "t": "\\t", "r": "\\r", "f": "\\f", "a": "\\a",
}
# POSIX classes (ASCII in both engines); Java's \p{..} without flags is ASCII too.
_POSIX = {
    "alnum": "Alnum", "alpha": "Alpha", "ascii": "ASCII", "blank": "Blank", "cntrl": "Cntrl",
    "digit": "Digit", "graph": "Graph", "lower": "Lower", "print": "Print", "punct": "Punct",
    "space": "Space", "upper": "Upper", "xdigit": "XDigit",
}
_REFUSED_ESCAPES = {
    "p": "Unicode classes (\\p) follow each engine's own Unicode version",
    "P": "Unicode classes (\\P) follow each engine's own Unicode version",
    "C": "\\C (any byte) has no Java equivalent",
    # measured: DuckDB's RE2 matches \B between the bytes of one UTF-8 character, and its
    # re_replace then writes invalid UTF-8 ('aé' with \B -> 'a\xc3<>\xa9')
    "B": "\\B matches inside multi-byte characters in DuckDB (its RE2 works on bytes)",
    "Q": "\\Q...\\E quoting is not verified; escape the characters instead",
    "Z": "\\Z is not RE2 (the notebook's query fails)",
}
# RE2 reads `{` as a repetition only in these forms (else literally); Java rejects the rest.
_REPEAT = re.compile(r"\{\d+(?:,\d*)?\}")


@dataclass(frozen=True)
class JavaRegex:
    """A pattern translated to java.util.regex, and its number of capturing groups."""

    pattern: str
    groups: int


def to_java(pattern: str) -> JavaRegex:
    """The java.util.regex pattern matching what ``pattern`` matches under RE2."""
    out: list[str] = []
    i, n, groups = 0, len(pattern), 0
    opened: list[int] = []  # offsets of the groups not closed yet

    def refuse(pos, reason):
        raise RegexRefusal(pattern, pos, reason)

    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                refuse(i, "a trailing backslash")
            e = pattern[i + 1]
            if e == "x":
                text, i = _hex(pattern, i, refuse)
                out.append(text)
                continue
            out.append(_escape(pattern, i, e, _ESCAPES, refuse))
            i += 2
        elif c == "[":
            text, i = _char_class(pattern, i, refuse)
            out.append(text)
        elif c == ".":
            out.append("[^\\n]")
            i += 1
        elif c == "$":
            out.append("\\z")
            i += 1
        elif c == "(":
            opened.append(i)
            if pattern.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif pattern.startswith("(?P<", i):
                # names do not change what matches; Java's name syntax is narrower than RE2's
                close = pattern.find(">", i)
                if close == -1:
                    refuse(i, "an unterminated group name")
                out.append("(")
                groups += 1
                i = close + 1
            elif pattern.startswith("(?", i):
                refuse(i, "inline flags and lookaround are not verified (case folding differs; "
                          "lookaround is not RE2)")
            else:
                out.append("(")
                groups += 1
                i += 1
        elif c == ")":
            if not opened:
                refuse(i, "a ')' that closes no group (RE2 rejects the pattern)")
            opened.pop()
            out.append(c)
            i += 1
        elif c in "*+?}" and i + 1 < n and pattern[i + 1] == "+":
            refuse(i + 1, "possessive quantifiers are not RE2 (the notebook's query fails)")
        elif c == "{":
            m = _REPEAT.match(pattern, i)
            out.append(m.group() if m else "\\{")
            i = m.end() if m else i + 1
        else:
            out.append(c)
            i += 1
    if opened:
        refuse(opened[-1], "a group that is never closed (RE2 rejects the pattern)")
    return JavaRegex("".join(out), groups)


def _escape(pattern, i, e, table, refuse) -> str:
    if e in table:
        return table[e]
    if e in _REFUSED_ESCAPES:
        refuse(i, _REFUSED_ESCAPES[e])
    if e.isdigit():
        refuse(i, "backreferences and octal escapes are not RE2 (the notebook's query fails)")
    if e.isascii() and not e.isalnum():
        return "\\" + e  # escaped punctuation is literal in both
    refuse(i, f"the escape \\{e} is not verified")


_HEX = re.compile(r"\\x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,6})\})")


def _hex(pattern, i, refuse) -> tuple[str, int]:
    """`\\xhh` or `\\x{h...}` at ``i``: the same code point in Java's spelling."""
    m = _HEX.match(pattern, i)
    if not m or int(m.group(1) or m.group(2), 16) > 0x10FFFF:
        refuse(i, "a malformed hexadecimal escape")
    return "\\x{%X}" % int(m.group(1) or m.group(2), 16), m.end()


def _char_class(pattern, start, refuse) -> tuple[str, int]:
    """Translate the class starting at ``pattern[start] == '['``; return it and the next index."""
    i, n = start + 1, len(pattern)
    out = ["["]
    if i < n and pattern[i] == "^":
        out.append("^")
        i += 1
    first = True
    while True:
        if i >= n:
            refuse(start, "an unclosed character class")
        c = pattern[i]
        if c == "]" and not first:
            out.append("]")
            return "".join(out), i + 1
        if c == "[" and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            name = pattern[i + 2:end] if end != -1 else ""
            negated = name.startswith("^")
            key = name[1:] if negated else name
            if key == "word":
                out.append("\\W" if negated else "\\w")
            elif key in _POSIX:
                out.append(("\\P{%s}" if negated else "\\p{%s}") % _POSIX[key])
            else:
                refuse(i, f"unknown POSIX class [:{name}:]")
            i = end + 2
        elif c == "\\":
            if i + 1 >= n:
                refuse(i, "a trailing backslash")
            e = pattern[i + 1]
            if e in ("b", "B", "A", "z", "S"):
                refuse(i, f"\\{e} inside a character class is not verified")
            if e == "x":
                text, i = _hex(pattern, i, refuse)
                out.append(text)
            else:
                out.append(_escape(pattern, i, e, _CLASS_ESCAPES, refuse))
                i += 2
        elif c in "[&]":
            # Java nests classes and intersects with &&; RE2 reads both literally (a ']' first
            # in the class is literal in RE2 too).
            out.append("\\" + c)
            i += 1
        else:
            out.append(c)
            i += 1
        first = False


_START = ("^", "\\A")
_END = ("$", "\\z")


def check_search(pattern: str) -> None:
    """Refuse a search pattern whose anchors DuckDB's optimizer would drop.

    DuckDB rewrites `regexp_matches(s, 'literal pattern')` into a LIKE when the pattern parses to
    a concatenation of literals and anchors, and drops anchors that are not first or last
    (measured: '^^' matches only '', 'a^b' matches 'ab'); RE2 and Java agree with each other
    there, not with the notebook.  So an anchor is accepted only as the first or the last item.
    """
    tokens = _tokens(pattern)
    for k, (pos, tok) in enumerate(tokens):
        if (tok in _START and k != 0) or (tok in _END and k != len(tokens) - 1) \
                or (tok in _START + _END and len(tokens) == 2 and tokens[1 - k][1] in _START + _END
                    and (tok in _START) == (tokens[1 - k][1] in _START)):
            raise RegexRefusal(pattern, pos, "an anchor (^ $ \\A \\z) that is not the first or "
                                             "last item of a search pattern: DuckDB's optimizer "
                                             "may turn the pattern into a LIKE that ignores it")


def _tokens(pattern: str) -> list[tuple[int, str]]:
    """The pattern's items outside character classes: escapes, classes and single characters."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append((i, pattern[i:i + 2]))
            i += 2
        elif c == "[":
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else (pattern.find(":]", j) + 2 - j
                                                     if pattern.startswith("[:", j) else 1)
            out.append((i, pattern[i:j + 1]))
            i = j + 1
        else:
            out.append((i, c))
            i += 1
    return out


def check_rewrite(replacement: str, groups: int) -> None:
    """Refuse an RE2 rewrite string that RE2 rejects (only `\\0`..`\\9` for groups of the
    pattern and `\\\\` for a backslash); the runtime applies it as written (Re2Replace.java)."""
    i, n = 0, len(replacement)
    while i < n:
        if replacement[i] == "\\":
            e = replacement[i + 1] if i + 1 < n else ""
            if e.isascii() and e.isdigit():
                if int(e) > groups:
                    raise RegexRefusal(replacement, i, f"\\{e} names a group the pattern does not "
                                                       f"have ({groups} groups)")
            elif e != "\\":
                raise RegexRefusal(replacement, i, "in a replacement, a backslash must be "
                                                   "followed by a digit or a backslash (RE2)")
            i += 2
        else:
            i += 1


def quote(text: str) -> str:
    """A Java pattern matching ``text`` literally (Spark's split() takes a regex)."""
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in text)
