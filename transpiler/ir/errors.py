"""Errors as data: one root exception, diagnostics that carry a place and an expectation.

Every user-facing failure is a :class:`Diagnostic` (code, message, span, hint) wrapped in a
:class:`Nb2jvmError`.  The CLI renders them the way a compiler does: ``path:cell N:line:col``,
the source line and a caret under the offending column.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field

# Bidirectional controls: shown escaped, so a diagnostic reads as the text really is.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def terminal_safe(text: str) -> str:
    """:func:`shown` line by line: newlines and tabs kept, every other control character (ESC,
    CR, BEL: the terminal's own commands), bidi control and lone surrogate escaped."""
    return "\n".join(shown(line) for line in text.split("\n"))


def shown(text: str) -> str:
    """``text`` safe to print anywhere: control, separator, bidi and surrogate characters as
    ``\\xNN``/``\\uNNNN`` escapes (tabs kept), so a hostile notebook cannot rewrite the terminal
    or make printing fail."""
    if text.isprintable() and not (BIDI & set(text)):
        return text
    out = []
    for ch in text:
        if ch == "\t" or (ch not in BIDI and (ch.isprintable() or ch == " ")) and \
                unicodedata.category(ch) not in ("Cs", "Cc", "Zl", "Zp"):
            out.append(ch)
        else:
            # \uXXXX for every one: also a valid escape inside a JSON string, so JSON
            # output stays JSON
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


@dataclass(frozen=True)
class Span:
    """A place in a notebook: path, cell index (1-based) and cell id, line and column (1-based)."""

    notebook: str = ""
    cell: int | None = None
    cell_id: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None

    def where(self) -> str:
        parts = [self.notebook or "<input>"]
        if self.cell is not None:
            parts.append(f"cell {self.cell}" + (f" [{self.cell_id}]" if self.cell_id else ""))
        if self.line is not None:
            parts.append(f"line {self.line}")
            if self.column is not None:
                parts.append(f"col {self.column}")
        parts[0] = shown(parts[0])
        return ":".join(parts[:1]) + ("" if len(parts) == 1 else ": " + ", ".join(parts[1:]))


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in user input, with where it is and what was expected."""

    code: str
    message: str
    span: Span = field(default_factory=Span)
    hint: str | None = None
    source_line: str | None = None
    severity: str = "error"

    def render(self) -> str:
        lines = [f"{self.span.where()}: {self.severity} {self.code}: {shown(self.message)}"]
        if self.source_line is not None and self.span.line is not None:
            gutter = f"{self.span.line:>4} | "
            lines.append(gutter + shown(self.source_line.rstrip("\n")))
            col = max(1, self.span.column or 1)
            width = 1
            if self.span.end_column and self.span.end_line == self.span.line:
                width = max(1, self.span.end_column - col)
            # Tabs keep their width so the caret lines up under the right character.
            prefix = "".join(c if c == "\t" else " " for c in shown(self.source_line[: col - 1]))
            lines.append(" " * len(gutter) + prefix + "^" * width)
        if self.hint:
            lines.append(f"  hint: {shown(self.hint)}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        data = {k: shown(v) if isinstance(v, str) else v for k, v in asdict(self).items()}
        data["span"] = {k: shown(v) if isinstance(v, str) else v
                        for k, v in data["span"].items() if v is not None}
        return {k: v for k, v in data.items() if v is not None}


class Nb2jvmError(Exception):
    """Root of every error nb2jvm raises on purpose; carries one or more diagnostics."""

    exit_code = 2

    def __init__(self, diagnostics: Diagnostic | list[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)

    def to_json(self) -> str:
        return json.dumps([d.to_json() for d in self.diagnostics], indent=2, ensure_ascii=False)


class InputError(Nb2jvmError):
    """Bad input: a notebook, a data file, a CLI argument."""


class SubsetError(Nb2jvmError):
    """An exported cell is outside the supported subset."""


class NotYetSupported(SubsetError):
    """A construct we have no lowering for yet (our gap, not Spark's)."""


class UnsupportedOnTarget(SubsetError):
    """Spark cannot compute this with the notebook's exact semantics."""


class EnvironmentProblem(Nb2jvmError):
    """Something outside the project is missing, e.g. a JDK."""


class JvmError(Nb2jvmError):
    """The JVM side failed while building or running an artifact."""


class Refusal(Exception):
    """Why a construct of a cell is refused, at a place in the cell: the one exception the
    parser's tree builder, the interpreter and the UDF translator raise (``pos`` has 1-based
    ``line``, ``column``, ``end_line``, ``end_column`` within the cell); :meth:`diagnostic`
    turns it into the user's :class:`Diagnostic`."""

    def __init__(self, code: str, message: str, pos, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.pos, self.hint = code, message, pos, hint
        self.causes: tuple[Diagnostic, ...] = ()  # upstream diagnostics a dependent repeats

    def diagnostic(self, cell, notebook: str, prefix: str = "") -> Diagnostic:
        """The diagnostic at ``self.pos`` in ``cell`` (an extract.Cell) of ``notebook``."""
        p = self.pos
        return Diagnostic(self.code, prefix + self.message,
                          cell.span(notebook, p.line, p.column, getattr(p, "end_line", None),
                                    getattr(p, "end_column", None)),
                          hint=self.hint, source_line=cell.line_text(p.line))


def error(code: str, message: str, span: Span | None = None, *, hint: str | None = None,
          source_line: str | None = None, cls: type[Nb2jvmError] = InputError) -> Nb2jvmError:
    """Build an exception holding a single diagnostic."""
    return cls(Diagnostic(code, message, span or Span(), hint=hint, source_line=source_line))
