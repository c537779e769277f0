"""Characters that Python and the subset grammar could read differently: refused before parsing.

CPython ends a line at a lone carriage return (lark's comment token does not), resets its
indentation count at a form feed (lark treats it as a blank), and has its own view of what the
other control and separator characters mean; bidirectional controls make the text a reviewer sees
differ from the text that runs. None of them has a use in feature code outside a string literal,
so they are refused there (with their code point), and a carriage return is refused everywhere:
inside a string CPython reads it as a newline.

>>> [(c.line, c.column, c.char) for c in suspicious(["x = 1 # \\r y = 2"])]
[(1, 9, '\\r')]
>>> suspicious(['s = "a\\x0cb"'])
[]
"""

from __future__ import annotations

import io
import tokenize
import unicodedata
from dataclasses import dataclass

from ..ir.errors import BIDI

# Allowed control characters: tab, and the newline that separates our lines.
_ALLOWED = {"\t", "\n"}
# Trojan-source controls (CVE-2021-42574): embeddings, overrides, isolates, marks.
_BIDI = BIDI


@dataclass(frozen=True)
class Suspicious:
    """A character at a 1-based line and column of the text given to :func:`suspicious`."""

    line: int
    column: int
    char: str

    def describe(self) -> str:
        name = unicodedata.name(self.char, "") or {"\r": "CARRIAGE RETURN", "\x0c": "FORM FEED",
                                                   "\x0b": "LINE TABULATION"}.get(self.char,
                                                                                  "CONTROL")
        return f"U+{ord(self.char):04X} {name}"


def _odd(ch: str) -> bool:
    if ch in _ALLOWED:
        return False
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") or ch == "\ufeff"


def _string_spans(lines: list[str]) -> list[tuple[tuple[int, int], tuple[int, int]]] | None:
    """(start, end) of every string literal token, in (line, column0) form; None if Python's
    tokenizer does not accept the text."""
    text = "\n".join(lines) + "\n"
    try:
        return [(t.start, t.end) for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type == tokenize.STRING]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None


def suspicious(lines: list[str]) -> list[Suspicious]:
    """Every character of ``lines`` that is refused where it stands."""
    found = [(i + 1, j, ch) for i, line in enumerate(lines) for j, ch in enumerate(line)
             if _odd(ch)]
    if not found:
        return []
    spans = None if any(ch == "\r" for _, _, ch in found) else _string_spans(lines)

    def in_string(line: int, col0: int) -> bool:
        return spans is not None and any(s <= (line, col0) < e for s, e in spans)

    return [Suspicious(line, col0 + 1, ch) for line, col0, ch in found
            if ch == "\r" or ch in _BIDI or unicodedata.category(ch) == "Cs"
            or not in_string(line, col0)]
