"""The notebook as the front end sees it: cells (extract), parsed cells (parse), bound inputs
(inputs).  Records only: the stages that make them import this module, never the reverse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import ibis

from . import cellast as A
from .errors import Diagnostic, Span


@dataclass(frozen=True)
class ExportMark:
    """How a cell is exported: declared feature-set names (empty: every assigned table)."""

    names: tuple[str, ...]
    first_body_line: int
    unique: tuple[str, ...] = ()  # columns the author declares unique (--unique=COL,...)


@dataclass(frozen=True)
class Cell:
    """One code cell: its 1-based position among all cells, id, source and export mark."""

    index: int
    cell_id: str | None
    source: str
    export: ExportMark | None
    outputs: tuple[dict, ...] = ()

    @property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    def span(self, notebook: str, line: int | None = None, column: int | None = None,
             end_line: int | None = None, end_column: int | None = None) -> Span:
        return Span(notebook, self.index, self.cell_id, line, column, end_line, end_column)

    def line_text(self, line: int | None) -> str | None:
        if line is None or not 1 <= line <= len(self.lines):
            return None
        return self.lines[line - 1]


@dataclass(frozen=True)
class Notebook:
    """The code cells of one notebook file, in notebook order."""

    path: str
    directory: Path
    cells: tuple[Cell, ...]

    @property
    def exported(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.export is not None)


@dataclass(frozen=True)
class ParsedCell:
    """An exported cell and its statements."""

    cell: Cell
    body: tuple[A.Stmt, ...]


@dataclass(frozen=True)
class RefusedCell:
    """An exported cell outside the subset: why, and the names it would define (read with
    Python's own parser, so a cell the subset grammar refuses still says what it assigns)."""

    cell: Cell
    diagnostics: tuple[Diagnostic, ...]
    names: tuple[str, ...] = ()  # every name the cell assigns or defines, in order
    tables: tuple[str, ...] = ()  # of those, the ones that are feature sets (declared, assigned)


@dataclass(frozen=True)
class ParsedNotebook:
    """A notebook's exported cells: those inside the subset as ASTs, the others refused."""

    notebook: Notebook
    cells: tuple[ParsedCell, ...]
    refused: tuple[RefusedCell, ...] = ()


@dataclass(frozen=True)
class DataBinding:
    """``--data NAME=PATH`` from the user, or a recognised set-up-cell read."""

    name: str
    path: Path
    origin: str
    span: Span = field(default_factory=Span)


@dataclass(frozen=True)
class Declaration:
    """A schema known without data: recorded by the magic, or an ``ibis.table`` declaration."""

    variable: str
    table: str
    schema: ibis.Schema
    origin: str
    exported_cell: bool = False
    ordered: bool = True  # False: a JSON object whose key order a saved notebook may have sorted


@dataclass(frozen=True)
class InputTable:
    """A table the feature sets read: its schema and, when known, its data file."""

    name: str
    schema: ibis.Schema
    path: Path | None
    format: str | None
    origin: str
    variable: str = ""

    @property
    def var(self) -> str:
        return self.variable or self.name


@dataclass(frozen=True)
class Unbound:
    """An input table that has no schema (or whose file cannot be read), and why: only the
    feature sets that read it are refused."""

    variable: str
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class BoundNotebook:
    """A parsed notebook with a schema for each of its inputs, or why an input has none."""

    parsed: ParsedNotebook
    inputs: tuple[InputTable, ...]
    unbound: tuple[Unbound, ...] = ()
