"""Stage 2, parse: :class:`Notebook` -> :class:`ParsedNotebook` (each exported cell as an AST).

The grammars in ``grammar/`` decide what is inside the subset: ``cell.lark`` for the statements
of an exported cell, ``udf.lark`` for UDF and helper function definitions (cut out of the cell
and parsed on their own), ``expr.lark`` for the expressions both share.  Python's own parser
runs first (parsing only, never executing) so that a refused construct is named in the author's
words (:mod:`transpiler.frontend.refusals`); every diagnostic of every cell is collected before raising.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.indenter import PythonIndenter

from ..ir import cellast as A
from ..ir import pyast, udf_ast
from . import reading, refusals
from ..ir.errors import Diagnostic, Refusal
from ..ir.notebook import RefusedCell, Cell, Notebook
from ..common.paths import GRAMMAR_DIR, cache_dir
from .tree_to_ast import ToAst
from ..ir.notebook import ParsedCell, ParsedNotebook



def _load(name: str) -> Lark:
    # Building the LALR tables takes about a second; lark's cache file (checked against a hash
    # of the grammar and options) makes later loads take milliseconds.
    cache = cache_dir() / f"{name}.lark-cache"
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = None
    return Lark.open(str(GRAMMAR_DIR / f"{name}.lark"), parser="lalr", strict=True,
                     postlex=PythonIndenter(), propagate_positions=True,
                     maybe_placeholders=True, cache=str(cache) if cache else False)


@lru_cache(maxsize=None)
def cell_parser() -> Lark:
    return _load("cell")


@lru_cache(maxsize=None)
def udf_parser() -> Lark:
    return _load("udf")


class _Refused(Exception):
    """A diagnostic raised from deep inside the tree builder."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _column(body_lines: list[str], node: ast.AST) -> int:
    # Python's col_offset counts UTF-8 bytes; diagnostics count characters.
    text = body_lines[node.lineno - 1]
    return len(text.encode()[: node.col_offset].decode(errors="replace")) + 1


def _python_check(cell: Cell, tree: ast.Module, body_lines: list[str], offset: int,
                  notebook: str) -> list[Diagnostic]:
    """Name every construct of the cell that is outside the subset (one per construct)."""
    found = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.FunctionDef):
            message = refusals.function_header(node, nested=in_function)
            if message is None:
                for stmt in node.body:
                    visit(stmt, True)
                return
        else:
            message = (refusals.in_udf if in_function else refusals.in_cell)(node)
        if message and hasattr(node, "lineno"):
            found.add((node.lineno + offset, _column(body_lines, node), message))
            return  # inside a refused construct, one diagnostic is enough
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return [Diagnostic("E101", message, cell.span(notebook, line, column),
                       source_line=cell.line_text(line))
            for line, column, message in sorted(found)]


def _lark_diagnostic(exc: UnexpectedInput, cell: Cell, line_offset: int, notebook: str,
                     what_subset: str) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    if isinstance(exc, UnexpectedEOF) or line < 0:
        line, column = len(cell.lines) - line_offset, len(cell.lines[-1]) + 1
    line += line_offset
    if isinstance(exc, UnexpectedToken):
        what = f"unexpected {exc.token!r}"
        expected = sorted(exc.accepts or exc.expected)
    elif isinstance(exc, UnexpectedCharacters):
        what = f"unexpected character {exc.char!r}"
        expected = sorted(exc.allowed or [])
    else:
        what, expected = "unexpected end of input", sorted(getattr(exc, "expected", []) or [])
    hint = ("expected one of: " + ", ".join(expected[:12])) if expected else None
    return Diagnostic("E102", f"{what}: outside the {what_subset} subset",
                      cell.span(notebook, line, column), hint=hint,
                      source_line=cell.line_text(line))


def _builder(cell: Cell, notebook: str, line_offset: int, col_offset: int = 0) -> ToAst:
    def parse_expr(source: str, line: int, column: int) -> A.Node:
        try:
            tree = cell_parser().parse(source.strip() + "\n")
        except UnexpectedInput as exc:
            raise _Refused(_lark_diagnostic(exc, cell, line - 1, notebook, "f-string")) from None
        stmts = _builder(cell, notebook, line - 1, column - 1 + (len(source) -
                                                                  len(source.lstrip()))
                         ).transform(tree)
        if len(stmts) != 1 or not isinstance(stmts[0], A.ExprStmt):
            raise _Refused(Diagnostic("E103", "an f-string field must be one expression",
                                      cell.span(notebook, line, column),
                                      source_line=cell.line_text(line)))
        return stmts[0].value

    return ToAst(line_offset, parse_expr, col_offset)


def _transform(builder: ToAst, tree, cell: Cell, notebook: str):
    try:
        return builder.transform(tree), []
    except Exception as exc:  # lark wraps callback errors in VisitError
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, _Refused):
            return None, [inner.diagnostic]
        if isinstance(inner, Refusal):
            return None, [inner.diagnostic(cell, notebook)]
        raise


# How deeply expressions may nest (operators, calls, brackets). lark's tree builder and our own
# visitors recurse per level; Python's parser allows ~200 levels of brackets. A long chain of
# `a + b + ...` nests one level per operator.
MAX_DEPTH = 150


def _too_deep(tree: ast.AST) -> ast.AST | None:
    """The first node nested deeper than MAX_DEPTH, found without recursion."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def _disagreement(cell: Cell, notebook: str, line: int, column: int, what: str) -> Diagnostic:
    return Diagnostic("E105", f"Python and the subset grammar read {what} differently: "
                      "nb2jvm would translate other code than the notebook runs",
                      cell.span(notebook, line, column), source_line=cell.line_text(line),
                      hint="write it as plain Python source (one statement per line, no "
                      "unusual whitespace or control characters)")


def _odd_characters(cell: Cell, body_lines: list[str], offset: int,
                    notebook: str) -> list[Diagnostic]:
    return [Diagnostic("E104", f"character {c.describe()} is not allowed here: Python and the "
                       "subset grammar could read the cell differently",
                       cell.span(notebook, c.line + offset, c.column),
                       source_line=cell.line_text(c.line + offset),
                       hint="remove it, or write it as an escape (e.g. \\r) inside a string")
            for c in reading.suspicious(body_lines)[:8]]


def _function_def(cell: Cell, node: ast.FunctionDef, body_lines: list[str], offset: int,
                  notebook: str) -> tuple[A.FunctionDef | None, list[Diagnostic]]:
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    source = "\n".join(body_lines[first - 1: node.end_lineno]) + "\n"
    try:
        tree = udf_parser().parse(source)
    except UnexpectedInput as exc:
        return None, [_lark_diagnostic(exc, cell, offset + first - 1, notebook, "UDF")]
    # Expressions become cell AST nodes now, so f-string errors surface at parse time too.
    built, problems = _transform(_builder(cell, notebook, offset + first - 1), tree, cell,
                                 notebook)
    if problems:
        return None, problems
    function = udf_ast.function(built[0], offset + first - 1)
    line = node.lineno + offset
    if pyast.canonical(pyast.stmt(function)) != pyast.canonical(node):
        return None, [_disagreement(cell, notebook, line, _column(body_lines, node),
                                    f"function '{node.name}'")]
    pos = A.Pos(line, _column(body_lines, node), node.end_lineno + offset,
                (node.end_col_offset or 0) + 1)
    params = tuple((a.arg, ast.unparse(a.annotation)) for a in node.args.args)
    return A.FunctionDef(pos, node.name, tuple(ast.unparse(d) for d in node.decorator_list),
                         params, ast.unparse(node.returns), function, offset + first - 1), []


# A long-lived process (a kernel, `build --watch`) rebuilds notebooks of which most cells did not
# change: their statements (immutable nodes) are kept by everything that decides them.
_PARSED: dict[tuple, tuple] = {}
_PARSED_MAX = 4096


def parse_cell(cell: Cell, notebook: str) -> tuple[ParsedCell | None, list[Diagnostic]]:
    """Parse one exported cell; return its AST or the diagnostics explaining the refusal."""
    key = (notebook, cell.index, cell.cell_id, cell.source, cell.export)
    hit = _PARSED.get(key)
    if hit is None:
        parsed, diagnostics = _parse_cell(cell, notebook)
        hit = (parsed.body if parsed is not None else None, tuple(diagnostics))
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = hit
    statements, diagnostics = hit
    return (ParsedCell(cell, statements) if statements is not None else None), list(diagnostics)


def _parse_cell(cell: Cell, notebook: str) -> tuple[ParsedCell | None, list[Diagnostic]]:
    assert cell.export is not None
    offset = cell.export.first_body_line - 1
    body_lines = cell.lines[offset:]
    body = "\n".join(body_lines) + "\n"
    odd = _odd_characters(cell, body_lines, offset, notebook)
    if odd:
        return None, odd
    try:
        pytree = ast.parse(body)
    except SyntaxError as exc:
        line = (exc.lineno or 1) + offset
        return None, [Diagnostic("E100", f"syntax error: {exc.msg}",
                                 cell.span(notebook, line, exc.offset or 1),
                                 source_line=cell.line_text(line))]
    except (RecursionError, MemoryError):
        return None, [Diagnostic("E209", "the cell nests too deeply for Python's parser",
                                 cell.span(notebook, offset + 1, 1))]
    deep = _too_deep(pytree)
    if deep is not None:
        line = getattr(deep, "lineno", 1) + offset
        return None, [Diagnostic("E209", f"expression nested more than {MAX_DEPTH} levels deep "
                                 "(operators, calls and brackets)",
                                 cell.span(notebook, line, _column(body_lines, deep)
                                           if hasattr(deep, "col_offset") else 1),
                                 source_line=cell.line_text(line),
                                 hint="split it into several assignments")]
    diagnostics = _python_check(cell, pytree, body_lines, offset, notebook)
    if diagnostics:
        return None, diagnostics
    functions, blanked = [], list(body_lines)
    for node in pytree.body:
        if isinstance(node, ast.FunctionDef):
            fn, problems = _function_def(cell, node, body_lines, offset, notebook)
            diagnostics.extend(problems)
            functions.append(fn)
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            for i in range(first - 1, node.end_lineno):
                blanked[i] = ""  # the cell grammar sees the rest, at the same line numbers
    try:
        tree = cell_parser().parse("\n".join(blanked) + "\n")
    except UnexpectedInput as exc:
        return None, diagnostics + [_lark_diagnostic(exc, cell, offset, notebook,
                                                     "exported-cell")]
    stmts, problems = _transform(_builder(cell, notebook, offset), tree, cell, notebook)
    diagnostics.extend(problems)
    if diagnostics:
        return None, diagnostics
    python = [n for n in pytree.body if not isinstance(n, ast.FunctionDef)]
    differs = pyast.agrees(list(stmts), python)
    if differs is not None:
        where = python[differs] if differs < len(python) else stmts[differs]
        line = where.lineno + offset if isinstance(where, ast.AST) else where.pos.line
        column = _column(body_lines, where) if isinstance(where, ast.AST) else where.pos.column
        return None, [_disagreement(cell, notebook, line, column, "a statement")]
    body_stmts = sorted([*stmts, *(f for f in functions if f is not None)],
                        key=lambda s: (s.pos.line, s.pos.column))
    return ParsedCell(cell, tuple(body_stmts)), []


def parse(notebook: Notebook) -> ParsedNotebook:
    """Parse every exported cell.  A cell outside the subset is kept as a :class:`RefusedCell`
    (with every diagnostic of the cell, and the names it defines), never stopping the others."""
    parsed, refused = [], []
    for cell in notebook.exported:
        result, problems = parse_cell(cell, notebook.path)
        if result is not None:
            parsed.append(result)
        else:
            names, tables = defined_names(cell)
            refused.append(RefusedCell(cell, tuple(problems), names, tables))
    return ParsedNotebook(notebook, tuple(parsed), tuple(refused))


# `name = ...` or `name: T = ...` at the start of a line: how the names of a cell that Python
# itself cannot parse are found (the cell is refused either way; this only says what it defined).
_ASSIGNED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=(?!=)")
_DEFINED = re.compile(r"^(?:async\s+)?(?:def|class)\s+([A-Za-z_][A-Za-z0-9_]*)")


def defined_names(cell: Cell) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names an exported cell defines at its top level, and which of them are tables it
    exports (its declared names, else what it assigns), read with Python's parser."""
    offset = cell.export.first_body_line - 1
    body = "\n".join(cell.lines[offset:]) + "\n"
    names, tables = [], []
    try:
        tree = ast.parse(body)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        for line in body.split("\n"):
            if m := _ASSIGNED.match(line):
                names.append(m.group(1))
                tables.append(m.group(1))
            elif m := _DEFINED.match(line):
                names.append(m.group(1))
    else:
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
            for target in targets:
                for n in ast.walk(target):
                    if isinstance(n, ast.Name):
                        names.append(n.id)
                        tables.append(n.id)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.extend((a.asname or a.name).split(".")[0] for a in node.names)
    if cell.export.names:
        tables = list(cell.export.names)
    unique = lambda xs: tuple(dict.fromkeys(x for x in xs if not x.startswith("_")))
    return unique(names), unique(tables)
