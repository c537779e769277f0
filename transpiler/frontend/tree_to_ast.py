"""Lark parse trees -> :mod:`cellast` nodes, with positions in the cell's own lines.

Rules imported from ``grammar/expr.lark`` arrive namespaced (``expr__call``); the namespace is
dropped so that one method serves both the cell and the UDF grammars.  f-strings are single
STRING tokens: their replacement fields are parsed again as expressions, at their own columns.
"""

from __future__ import annotations

import ast
from typing import Callable

from lark import Token, Transformer, v_args

from ..ir import cellast as A
from ..ir.errors import Refusal


class FStringError(Refusal):
    """An f-string construct outside the subset, at (line, column) within the cell (E103)."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__("E103", message, A.Pos(line, column, line, column))


@v_args(meta=True)
class ToAst(Transformer):
    """Build cell AST nodes; ``line_offset``/``col_offset`` place a sub-parse in its cell."""

    def __init__(self, line_offset: int, parse_expr: Callable[[str], object], col_offset: int = 0):
        super().__init__()
        self.line_offset, self.col_offset, self.parse_expr = line_offset, col_offset, parse_expr

    def _call_userfunc(self, tree, new_children=None):
        data = tree.data
        if isinstance(data, str) and "__" in data:
            tree.data = data.split("__", 1)[1]
        return super()._call_userfunc(tree, new_children)

    def _at(self, line: int, column: int) -> tuple[int, int]:
        return line + self.line_offset, column + (self.col_offset if line == 1 else 0)

    def _pos(self, meta) -> A.Pos:
        line, col = self._at(meta.line, meta.column)
        end_line, end_col = self._at(meta.end_line, meta.end_column)
        return A.Pos(line, col, end_line, end_col)

    def _tok_pos(self, tok: Token) -> A.Pos:
        line, col = self._at(tok.line, tok.column)
        end_line, end_col = self._at(tok.end_line, tok.end_column)
        return A.Pos(line, col, end_line, end_col)

    # ---- statements ----------------------------------------------------------------------

    def start(self, meta, children):
        return [c for c in children if c is not None]

    def assign(self, meta, c):
        target = c[0]
        if isinstance(target, A.Subscript):  # a UDF's `d[k] = v` (targets_checked vetted it)
            return A.ItemAssign(self._pos(meta), target.value.id, target.index, c[1])
        return A.Assign(self._pos(meta), target.id if isinstance(target, A.Name) else str(target),
                        c[1])

    def expr_stmt(self, meta, c):
        return A.ExprStmt(self._pos(meta), c[0])

    def dotted_name(self, meta, c):
        return ".".join(str(t) for t in c)

    def import_name(self, meta, c):
        return A.Import(self._pos(meta), c[0])

    def import_from(self, meta, c):
        return A.ImportFrom(self._pos(meta), c[0], tuple(str(t) for t in c[1:]))

    # ---- expressions ---------------------------------------------------------------------

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

    mul_op = unary_op = shift_op = add_op

    def unary(self, meta, c):
        return A.UnaryOp(self._pos(meta), c[0], c[1])

    def call(self, meta, c):
        func, arglist = c
        args, keywords = [], []
        for a in (arglist or []):
            (keywords if isinstance(a, A.Keyword) else args).append(a)
        return A.Call(self._pos(meta), func, tuple(args), tuple(keywords))

    def call_genexp(self, meta, c):
        func, element, clauses = c
        gen = A.Comprehension(self._pos(meta), "generator", element, None, clauses)
        return A.Call(self._pos(meta), func, (gen,), ())

    def arguments(self, meta, c):
        return [a for a in c if a is not None]

    def kwarg(self, meta, c):
        return A.Keyword(self._pos(meta), str(c[0]), c[1])

    def getitem(self, meta, c):
        return A.Subscript(self._pos(meta), c[0], c[1])

    def slice(self, meta, c):
        return A.Slice(self._pos(meta), *c)

    def getattr(self, meta, c):
        return A.Attribute(self._pos(meta), c[0], str(c[1]), self._tok_pos(c[1]))

    def _collection(self, meta, kind, c):
        return A.Collection(self._pos(meta), kind, tuple(x for x in c if x is not None))

    def tuple(self, meta, c):
        return self._collection(meta, "tuple", c)

    def list(self, meta, c):
        return self._collection(meta, "list", c)

    def set(self, meta, c):
        return self._collection(meta, "set", c)

    def dict(self, meta, c):
        pairs = [x for x in c if x is not None]
        return A.DictDisplay(self._pos(meta), tuple(k for k, _ in pairs),
                             tuple(v for _, v in pairs))

    def key_value(self, meta, c):
        return (c[0], c[1])

    def comp_target(self, meta, c):
        return tuple(str(t) for t in c)

    def comp_for(self, meta, c):
        clauses, current = [], None
        for item in c:
            if isinstance(item, tuple) and all(isinstance(x, str) for x in item):
                current = [item, None, []]
                clauses.append(current)
            elif current[1] is None:
                current[1] = item
            else:
                current[2].append(item)
        pos = self._pos(meta)
        return tuple(A.CompFor(pos, t, it, tuple(conds)) for t, it, conds in clauses)

    def _comp(self, meta, kind, c):
        element, clauses = c
        if kind == "dict":
            return A.Comprehension(self._pos(meta), kind, element[0], element[1], clauses)
        return A.Comprehension(self._pos(meta), kind, element, None, clauses)

    def list_comp(self, meta, c):
        return self._comp(meta, "list", c)

    def set_comp(self, meta, c):
        return self._comp(meta, "set", c)

    def dict_comp(self, meta, c):
        return self._comp(meta, "dict", c)

    def generator(self, meta, c):
        return self._comp(meta, "generator", c)

    def var(self, meta, c):
        return A.Name(self._pos(meta), str(c[0]))

    def number(self, meta, c):
        return A.Const(self._pos(meta), ast.literal_eval(str(c[0])))

    def const_none(self, meta, c):
        return A.Const(self._pos(meta), None)

    def const_true(self, meta, c):
        return A.Const(self._pos(meta), True)

    def const_false(self, meta, c):
        return A.Const(self._pos(meta), False)

    def string(self, meta, c):
        return c[0]  # the token; `strings` joins adjacent literals

    def strings(self, meta, tokens):
        parts: list[object] = []
        for tok in tokens:
            text = str(tok)
            prefix = text[: len(text) - len(text.lstrip("bBrRuUfF"))].lower()
            if "f" in prefix:
                parts.extend(self._fstring(tok, prefix))
            else:
                parts.append(ast.literal_eval(text))
        if all(not isinstance(p, A.FormatField) for p in parts):
            first = parts[0]
            if any(type(p) is not type(first) for p in parts):
                line, col = self._at(tokens[0].line, tokens[0].column)
                raise FStringError("cannot mix bytes and str literals", line, col)
            return A.Const(self._pos(meta), first[:0].join(parts))
        return A.FString(self._pos(meta), tuple(parts))

    def _fstring(self, tok: Token, prefix: str):
        text = str(tok)
        quote = text[len(prefix): len(prefix) + 3]
        quote = quote if quote in ('"""', "'''") else quote[0]
        body = text[len(prefix) + len(quote): len(text) - len(quote)]
        raw = "r" in prefix
        base = len(prefix) + len(quote)

        def where(index: int) -> tuple[int, int]:
            before = text[: base + index]
            line = tok.line + before.count("\n")
            col = (tok.column + base + index) if "\n" not in before else \
                len(before) - before.rfind("\n")
            return self._at(line, col)

        def literal(chunk: str) -> str:
            return chunk if raw else ast.literal_eval(quote + chunk + quote)

        i, buf, out = 0, "", []
        while i < len(body):
            ch = body[i]
            if body.startswith("{{", i) or body.startswith("}}", i):
                buf += ch
                i += 2
                continue
            if ch == "}":
                raise FStringError("single '}' is not allowed in an f-string", *where(i))
            if ch != "{":
                buf += ch
                i += 1
                continue
            if buf:
                out.append(literal(buf))
                buf = ""
            end, conv, spec_at = _field_end(body, i + 1)
            if end is None:
                raise FStringError("unterminated replacement field in f-string", *where(i))
            expr_end = conv if conv is not None else (spec_at if spec_at is not None else end)
            source = body[i + 1: expr_end]
            if source.rstrip().endswith("=") and not source.rstrip().endswith(("==", "!=", "<=",
                                                                               ">=")):
                raise FStringError("the '=' specifier of f-strings is not supported", *where(i))
            conversion = body[conv + 1: spec_at if spec_at is not None else end].strip() \
                if conv is not None else None
            spec = body[spec_at + 1: end] if spec_at is not None else ""
            if "{" in spec:
                raise FStringError("nested replacement fields in a format spec are not "
                                   "supported", *where(spec_at))
            line, col = where(i + 1)
            value = self.parse_expr(source, line, col)
            out.append(A.FormatField(A.Pos(line, col, line, col + len(source)), value,
                                     conversion, spec))
            i = end + 1
        if buf:
            out.append(literal(buf))
        return out


def _field_end(body: str, start: int):
    """End index of a replacement field starting at ``start``, with its ``!`` and ``:`` places."""
    depth, quote, conv, spec = 0, None, None, None
    i = start
    while i < len(body):
        ch = body[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        elif ch == "}" and depth == 0:
            return i, conv, spec
        elif ch == "!" and depth == 0 and spec is None and body[i + 1: i + 2] != "=":
            conv = i
        elif ch == ":" and depth == 0 and spec is None:
            spec = i
        i += 1
    return None, None, None
