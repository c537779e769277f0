"""Stage 2, parse: :class:`Notebook` -> :class:`ParsedNotebook` (each exported cell as an AST).

The cell grammar (``grammar/cell.lark``) decides what is inside the subset.  When it refuses a
cell, the cell is parsed again with Python's own parser (parsing only, never executing) to name
the construct in the author's words: "`class` definitions are not allowed in an exported cell"
instead of "unexpected token".  Every diagnostic of every cell is collected before raising.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.indenter import PythonIndenter

from . import cellast as A
from .errors import Diagnostic, SubsetError
from .extract import Cell, Notebook
from .paths import GRAMMAR_DIR, cache_dir



@dataclass(frozen=True)
class ParsedCell:
    """An exported cell and its statements."""

    cell: Cell
    body: tuple[A.Stmt, ...]


@dataclass(frozen=True)
class ParsedNotebook:
    """A notebook whose exported cells all parsed inside the subset."""

    notebook: Notebook
    cells: tuple[ParsedCell, ...]


@lru_cache(maxsize=None)
def cell_parser() -> Lark:
    # Building the LALR tables takes about a second; lark's cache file (checked against a hash
    # of the grammar and options) makes later loads take milliseconds.
    cache = cache_dir() / "cell-grammar.lark-cache"
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = None
    return Lark((GRAMMAR_DIR / "cell.lark").read_text(), parser="lalr", strict=True,
                postlex=PythonIndenter(), propagate_positions=True, maybe_placeholders=True,
                cache=str(cache) if cache else False)


# Python constructs that parse as Python but are outside the subset, in the author's words.
REFUSED_PYTHON = {
    ast.ClassDef: "`class` definitions are not allowed in an exported cell",
    ast.FunctionDef: "function definitions are not supported in exported cells yet "
                     "(Python UDFs come with the UDF translator)",
    ast.AsyncFunctionDef: "`async` functions are not allowed in an exported cell",
    ast.With: "`with` blocks are not allowed in an exported cell",
    ast.AsyncWith: "`async with` is not allowed in an exported cell",
    ast.Try: "`try` blocks are not allowed in an exported cell",
    ast.Raise: "`raise` is not allowed in an exported cell",
    ast.Assert: "`assert` is not allowed in an exported cell",
    ast.Global: "`global` is not allowed in an exported cell",
    ast.Nonlocal: "`nonlocal` is not allowed in an exported cell",
    ast.Delete: "`del` is not allowed in an exported cell",
    ast.For: "`for` loops are not allowed in an exported cell; build columns with expressions",
    ast.AsyncFor: "`async for` is not allowed in an exported cell",
    ast.While: "`while` loops are not allowed in an exported cell",
    ast.If: "`if` statements are not allowed in an exported cell; use ibis.ifelse or a "
            "conditional expression",
    ast.Return: "`return` outside a function is not allowed",
    ast.Pass: "`pass` is not allowed in an exported cell",
    ast.Break: "`break` is not allowed in an exported cell",
    ast.Continue: "`continue` is not allowed in an exported cell",
    ast.AugAssign: "augmented assignment (`+=` and friends) is not allowed in an exported cell; "
                   "assign a new name",
    ast.AnnAssign: "annotated assignment is not allowed in an exported cell",
    ast.Yield: "`yield` is not allowed in an exported cell",
    ast.YieldFrom: "`yield from` is not allowed in an exported cell",
    ast.Await: "`await` is not allowed in an exported cell",
    ast.NamedExpr: "the walrus operator `:=` is not allowed in an exported cell",
    ast.Starred: "star-unpacking (`*x`) is not allowed in an exported cell",
    ast.ListComp: "list comprehensions are not supported in exported cells yet",
    ast.SetComp: "set comprehensions are not supported in exported cells yet",
    ast.DictComp: "dict comprehensions are not supported in exported cells yet",
    ast.GeneratorExp: "generator expressions are not supported in exported cells yet",
    ast.JoinedStr: "f-strings are not supported in exported cells yet",
    ast.MatMult: "the `@` operator is not allowed in an exported cell",
    ast.LShift: "shift operators are not allowed in an exported cell",
    ast.RShift: "shift operators are not allowed in an exported cell",
}
if hasattr(ast, "Match"):
    REFUSED_PYTHON[ast.Match] = "`match` statements are not allowed in an exported cell"


def _python_diagnostics(cell: Cell, body: str, offset: int, notebook: str) -> list[Diagnostic]:
    """Name, in the author's terms, each Python construct of the cell outside the subset."""
    try:
        tree = ast.parse(body)
    except SyntaxError as exc:
        line = (exc.lineno or 1) + offset
        return [Diagnostic("E100", f"syntax error: {exc.msg}",
                           cell.span(notebook, line, exc.offset or 1),
                           source_line=cell.line_text(line))]
    found = []
    todo = [tree]
    while todo:
        node = todo.pop()
        message = _refusal_of(node)
        if message and hasattr(node, "lineno"):
            line = node.lineno + offset
            text = body.split("\n")[node.lineno - 1]
            column = len(text.encode()[: node.col_offset].decode(errors="replace")) + 1
            found.append((line, column, message))
        else:  # inside a refused construct, one diagnostic is enough
            todo.extend(ast.iter_child_nodes(node))
    return [Diagnostic("E101", message, cell.span(notebook, line, column),
                       source_line=cell.line_text(line))
            for line, column, message in sorted(set(found))]


def _refusal_of(node: ast.AST) -> str | None:
    """Why a Python AST node is outside the subset, in the author's terms (None: it is not)."""
    if type(node) in REFUSED_PYTHON:
        return REFUSED_PYTHON[type(node)]
    if isinstance(node, ast.BinOp) and type(node.op) in REFUSED_PYTHON:
        return REFUSED_PYTHON[type(node.op)]
    if isinstance(node, ast.Assign) and (
            len(node.targets) > 1 or not isinstance(node.targets[0], ast.Name)):
        return "only assignment to a single name is allowed in an exported cell"
    if isinstance(node, ast.Call) and any(k.arg is None for k in node.keywords):
        return "`**kwargs` unpacking is not allowed in an exported cell"
    if isinstance(node, ast.Constant) and isinstance(node.value, complex):
        return "complex numbers are not allowed in an exported cell"
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return "`...` is not allowed in an exported cell"
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
        return "multi-dimensional subscripts are not allowed in an exported cell"
    return None


def _lark_diagnostic(exc: UnexpectedInput, cell: Cell, offset: int, notebook: str) -> Diagnostic:
    line = (getattr(exc, "line", None) or 1)
    column = getattr(exc, "column", None) or 1
    if isinstance(exc, UnexpectedEOF) or line < 0:
        lines = cell.lines
        line, column = len(lines) - offset, len(lines[-1]) + 1
    line += offset
    if isinstance(exc, UnexpectedToken):
        what = f"unexpected {exc.token!r}"
        expected = sorted(exc.accepts or exc.expected)
    elif isinstance(exc, UnexpectedCharacters):
        what = f"unexpected character {exc.char!r}"
        expected = sorted(exc.allowed or [])
    else:
        what, expected = "unexpected end of cell", sorted(getattr(exc, "expected", []) or [])
    hint = ("expected one of: " + ", ".join(expected[:12])) if expected else None
    return Diagnostic("E102", f"{what}: outside the exported-cell subset",
                      cell.span(notebook, line, column), hint=hint,
                      source_line=cell.line_text(line))


def parse_cell(cell: Cell, notebook: str) -> tuple[ParsedCell | None, list[Diagnostic]]:
    """Parse one exported cell; return the AST or the diagnostics explaining the refusal."""
    assert cell.export is not None
    offset = cell.export.first_body_line - 1
    body = "\n".join(cell.lines[offset:])
    if not body.endswith("\n"):
        body += "\n"
    # Python's parser first: it names refused constructs better than a parser state can.
    diagnostics = _python_diagnostics(cell, body, offset, notebook)
    if diagnostics:
        return None, diagnostics
    try:
        tree = cell_parser().parse(body)
    except UnexpectedInput as exc:
        return None, [_lark_diagnostic(exc, cell, offset, notebook)]
    builder = _ToAst(offset)
    stmts = builder.transform(tree)
    return ParsedCell(cell, tuple(stmts.children if hasattr(stmts, "children") else stmts)), []


def parse(notebook: Notebook) -> ParsedNotebook:
    """Parse every exported cell; raise one :class:`SubsetError` with all diagnostics."""
    parsed, diagnostics = [], []
    for cell in notebook.exported:
        result, problems = parse_cell(cell, notebook.path)
        diagnostics.extend(problems)
        if result is not None:
            parsed.append(result)
    if diagnostics:
        raise SubsetError(diagnostics)
    return ParsedNotebook(notebook, tuple(parsed))


def _tok_pos(tok: Token, offset: int) -> A.Pos:
    return A.Pos(tok.line + offset, tok.column, tok.end_line + offset, tok.end_column)


@v_args(meta=True)
class _ToAst(Transformer):
    """Lark parse tree -> :mod:`cellast` nodes, positions shifted to the cell's own lines."""

    def __init__(self, offset: int):
        super().__init__()
        self.offset = offset

    def _pos(self, meta) -> A.Pos:
        o = self.offset
        return A.Pos(meta.line + o, meta.column, meta.end_line + o, meta.end_column)

    def start(self, meta, children):
        return [c for c in children if c is not None]

    def assign(self, meta, c):
        return A.Assign(self._pos(meta), str(c[0]), c[1])

    def expr_stmt(self, meta, c):
        return A.ExprStmt(self._pos(meta), c[0])

    def dotted_name(self, meta, c):
        return ".".join(str(t) for t in c)

    def import_name(self, meta, c):
        return A.Import(self._pos(meta), c[0])

    def import_from(self, meta, c):
        return A.ImportFrom(self._pos(meta), c[0], tuple(str(t) for t in c[1:]))

    def ifexp(self, meta, c):
        return A.IfExp(self._pos(meta), c[1], c[0], c[2])

    def lambdef(self, meta, c):
        return A.Lambda(self._pos(meta), c[0] or (), c[1])

    def lambda_params(self, meta, c):
        return tuple(str(t) for t in c)

    def or_op(self, meta, c):
        return A.BoolOp(self._pos(meta), "or", c[0], c[1])

    def and_op(self, meta, c):
        return A.BoolOp(self._pos(meta), "and", c[0], c[1])

    def not_op(self, meta, c):
        return A.UnaryOp(self._pos(meta), "not", c[0])

    def comp_op(self, meta, c):
        return " ".join(str(t) for t in c)

    def compare(self, meta, c):
        return A.Compare(self._pos(meta), c[0], tuple(c[1::2]), tuple(c[2::2]))

    def _bin(self, meta, op, c):
        return A.BinOp(self._pos(meta), op, c[0], c[-1])

    def bitor(self, meta, c):
        return self._bin(meta, "|", c)

    def bitxor(self, meta, c):
        return self._bin(meta, "^", c)

    def bitand(self, meta, c):
        return self._bin(meta, "&", c)

    def pow(self, meta, c):
        return self._bin(meta, "**", c)

    def binop(self, meta, c):
        return A.BinOp(self._pos(meta), c[1], c[0], c[2])

    def add_op(self, meta, c):
        return str(c[0])

    mul_op = unary_op = add_op

    def unary(self, meta, c):
        return A.UnaryOp(self._pos(meta), c[0], c[1])

    def call(self, meta, c):
        func, arglist = c
        args, keywords = [], []
        for a in (arglist or []):
            (keywords if isinstance(a, A.Keyword) else args).append(a)
        return A.Call(self._pos(meta), func, tuple(args), tuple(keywords))

    def arguments(self, meta, c):
        return [a for a in c if a is not None]

    def kwarg(self, meta, c):
        return A.Keyword(self._pos(meta), str(c[0]), c[1])

    def getitem(self, meta, c):
        return A.Subscript(self._pos(meta), c[0], c[1])

    def slice(self, meta, c):
        return A.Slice(self._pos(meta), *c)

    def getattr(self, meta, c):
        return A.Attribute(self._pos(meta), c[0], str(c[1]), _tok_pos(c[1], self.offset))

    def tuple(self, meta, c):
        return A.Collection(self._pos(meta), "tuple", tuple(x for x in c if x is not None))

    def list(self, meta, c):
        return A.Collection(self._pos(meta), "list", tuple(x for x in c if x is not None))

    def set(self, meta, c):
        return A.Collection(self._pos(meta), "set", tuple(x for x in c if x is not None))

    def dict(self, meta, c):
        pairs = [x for x in c if x is not None]
        return A.DictDisplay(self._pos(meta), tuple(k for k, _ in pairs),
                             tuple(v for _, v in pairs))

    def key_value(self, meta, c):
        return (c[0], c[1])

    def var(self, meta, c):
        return A.Name(self._pos(meta), str(c[0]))

    def number(self, meta, c):
        return A.Const(self._pos(meta), ast.literal_eval(str(c[0])))

    def string(self, meta, c):
        return ast.literal_eval(str(c[0]))

    def strings(self, meta, c):
        first = c[0]
        value = first[:0].join(c) if all(type(x) is type(first) for x in c) else None
        return A.Const(self._pos(meta), value)

    def const_none(self, meta, c):
        return A.Const(self._pos(meta), None)

    def const_true(self, meta, c):
        return A.Const(self._pos(meta), True)

    def const_false(self, meta, c):
        return A.Const(self._pos(meta), False)
