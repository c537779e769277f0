"""Stage 3, bind inputs: :class:`ParsedNotebook` -> :class:`BoundNotebook`.

Inputs are the tables the exported cells read but do not define.  Each is bound to a schema and
(where known) a data file, in this order of precedence:

1. ``--data NAME=PATH`` on the command line (Parquet or CSV);
2. a setup cell ``NAME = con.read_parquet("path")`` / ``con.read_csv("path")``, recognised
   statically: the cell is parsed with Python's parser and never executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from . import cellast as A
from .errors import Diagnostic, InputError, Span, error
from .extract import Cell
from .parse import ParsedNotebook

# Names every exported cell may use without defining them: the notebook's setup provides them.
AMBIENT_NAMES = frozenset({"ibis", "_"})
READERS = {"read_parquet": "parquet", "read_csv": "csv"}
SUFFIX_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv"}


@dataclass(frozen=True)
class DataBinding:
    """``--data NAME=PATH`` from the user, or a recognised setup-cell read."""

    name: str
    path: Path
    origin: str
    span: Span = field(default_factory=Span)


@dataclass(frozen=True)
class InputTable:
    """A table the exported cells use but do not define: its schema and its data file."""

    name: str
    schema: ibis.Schema
    path: Path
    format: str
    origin: str


@dataclass(frozen=True)
class BoundNotebook:
    """A parsed notebook whose inputs all have a schema and data."""

    parsed: ParsedNotebook
    inputs: tuple[InputTable, ...]


def builtin_names() -> frozenset[str]:
    """Names that are never input tables: Python's builtins (the evaluator decides which of
    them a cell may use)."""
    import builtins

    return frozenset(dir(builtins))


def used_inputs(parsed: ParsedNotebook) -> dict[str, tuple[Cell, A.Name]]:
    """Names read by exported cells before any exported cell defines them (first use wins)."""
    defined = set(AMBIENT_NAMES) | builtin_names()
    used: dict[str, tuple[Cell, A.Name]] = {}
    for pcell in parsed.cells:
        for stmt in pcell.body:
            if isinstance(stmt, (A.Assign, A.ExprStmt)):
                for name in A.free_names(stmt.value):
                    if name.id not in defined and name.id not in used \
                            and not name.id.startswith("_"):
                        used[name.id] = (pcell.cell, name)
            if isinstance(stmt, A.Assign):
                defined.add(stmt.target)
    return used


def _strip_magics(source: str) -> str:
    # IPython magics and shell escapes are not Python; blank them so line numbers stay right.
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                     for ln in source.split("\n"))


def recognised_reads(parsed: ParsedNotebook) -> dict[str, DataBinding]:
    """Setup-cell reads ``NAME = <con>.read_parquet("path")`` found before the first export."""
    nb = parsed.notebook
    first_export = min(c.index for c in nb.exported)
    found: dict[str, DataBinding] = {}
    for cell in nb.cells:
        if cell.export is not None or cell.index > first_export:
            continue
        try:
            tree = ast.parse(_strip_magics(cell.source))
        except SyntaxError:
            continue
        for stmt in tree.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.Call)
                    and isinstance(stmt.value.func, ast.Attribute)
                    and stmt.value.func.attr in READERS and stmt.value.args
                    and isinstance(stmt.value.args[0], ast.Constant)
                    and isinstance(stmt.value.args[0].value, str)):
                continue
            path = Path(stmt.value.args[0].value)
            if not path.is_absolute():
                path = nb.directory / path
            name = stmt.targets[0].id
            found[name] = DataBinding(name, path, f"cell {cell.index}",
                                      cell.span(nb.path, stmt.lineno, stmt.col_offset + 1))
    return found


def data_format(binding: DataBinding) -> str:
    fmt = SUFFIX_FORMATS.get(binding.path.suffix.lower())
    if fmt is None:
        raise error("IN003", f"input '{binding.name}': unsupported data file type "
                    f"'{binding.path.suffix or binding.path.name}'", binding.span,
                    hint="nb2jvm reads Parquet (.parquet) and CSV (.csv) files")
    return fmt


def read_schema(binding: DataBinding) -> tuple[ibis.Schema, str]:
    """The ibis schema DuckDB (the notebook's engine) sees in a data file."""
    fmt = data_format(binding)
    if not binding.path.is_file():
        raise error("IN002", f"input '{binding.name}': data file not found: {binding.path}",
                    binding.span, hint=f"bound by {binding.origin}; pass --data "
                    f"{binding.name}=PATH to use another file")
    con = ibis.duckdb.connect()
    try:
        reader = con.read_parquet if fmt == "parquet" else con.read_csv
        return reader(str(binding.path)).schema(), fmt
    except Exception as exc:  # DuckDB's error types differ per format; all mean "bad file"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise error("IN004", f"input '{binding.name}': cannot read {binding.path} as "
                    f"{fmt}: {first}", binding.span) from None
    finally:
        con.disconnect()


def bind_inputs(parsed: ParsedNotebook, data: tuple[DataBinding, ...] = ()) -> BoundNotebook:
    """Give every input table a schema and a data file, or say precisely which one lacks it."""
    used = used_inputs(parsed)
    bindings = recognised_reads(parsed)
    bindings.update({b.name: b for b in data})
    problems: list[Diagnostic] = []
    unknown = sorted(b.name for b in data if b.name not in used)
    for name in unknown:
        problems.append(Diagnostic(
            "IN005", f"--data {name}=...: no exported cell uses a table named '{name}'",
            Span(parsed.notebook.path),
            hint="inputs of this notebook: " + (", ".join(sorted(used)) or "none")))
    inputs = []
    for name, (cell, node) in used.items():
        binding = bindings.get(name)
        if binding is None:
            problems.append(Diagnostic(
                "IN001", f"input table '{name}' has no schema: it is used here but defined "
                "neither in an exported cell nor by a recognised setup cell",
                cell.span(parsed.notebook.path, node.pos.line, node.pos.column,
                          node.pos.end_line, node.pos.end_column),
                hint=f"pass --data {name}=PATH.parquet, or read it in a setup cell with "
                     f"{name} = con.read_parquet(\"PATH\")",
                source_line=cell.line_text(node.pos.line)))
            continue
        try:
            schema, fmt = read_schema(binding)
        except InputError as exc:
            problems.extend(exc.diagnostics)
            continue
        inputs.append(InputTable(name, schema, binding.path, fmt, binding.origin))
    if problems:
        raise InputError(problems)
    return BoundNotebook(parsed, tuple(inputs))
