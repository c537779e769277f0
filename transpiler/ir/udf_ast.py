"""UDF statements from the ``udf.lark`` parse tree: :func:`function` builds a
:class:`transpiler.ir.cellast.Function` (the node classes of a UDF body live with the other AST
nodes in :mod:`transpiler.ir.cellast`; they are re-exported here, where the translators look).
"""

from __future__ import annotations

from lark import Token, Tree

from . import cellast as A
from .cellast import (AugAssign, For, Function, Handler, If, ItemAugAssign, Jump, Raise, Return,
                      Try, Unpack, While)


def _pos(tree: Tree, line_offset: int) -> A.Pos:
    m = tree.meta
    return A.Pos(m.line + line_offset, m.column, m.end_line + line_offset, m.end_column)


def _type(tree) -> str:
    """The annotation's source text, normalised (``str | None``, ``Optional[int]``)."""
    if isinstance(tree, str):
        return tree
    if tree.data == "named_type":
        return tree.children[0]
    if tree.data == "none_type":
        return "None"
    if tree.data == "union_type":
        return " | ".join(_type(c) for c in tree.children)
    if tree.data == "generic_type":
        return f"{tree.children[0]}[{', '.join(_type(c) for c in tree.children[1:])}]"
    raise ValueError(f"unexpected type node {tree.data}")


def function(tree: Tree, line_offset: int) -> Function:
    """The ``funcdef`` tree (expressions already cell AST nodes) as a :class:`Function`."""
    decorators, name, params, returns, suite, defaults = [], None, (), None, None, ()
    for child in tree.children:
        if isinstance(child, Tree) and child.data == "decorator":
            decorators.append(child.children[0])
        elif isinstance(child, Token) and name is None:
            name = str(child)
        elif isinstance(child, Tree) and child.data == "parameters":
            params = tuple((str(p.children[0]), _type(p.children[1])) for p in child.children)
            defaults = tuple((str(p.children[0]), p.children[2]) for p in child.children
                             if len(p.children) > 2 and p.children[2] is not None)
        elif isinstance(child, Tree) and child.data == "suite":
            suite = child
        elif child is not None and returns is None and name is not None:
            returns = _type(child)
    pos = _pos(tree, line_offset)
    pos = A.Pos(pos.line + len(decorators), pos.column, pos.end_line, pos.end_column)  # `def`
    return Function(pos, name, tuple(decorators), params, returns, _suite(suite, line_offset),
                    defaults)


def _suite(tree: Tree, off: int) -> tuple:
    return tuple(s for c in tree.children if (s := _stmt(c, off)) is not None)


def _names(node) -> str | tuple[str, ...]:
    """A loop's or unpacking's target: one name, or the names of a ``names`` tree."""
    if isinstance(node, Tree):
        return tuple(str(t) for t in node.children if t is not None)
    return str(node)


def _stmt(node, off: int):
    if isinstance(node, A.Node):
        return node  # Assign and ExprStmt come built
    kind = node.data
    pos = _pos(node, off)
    c = node.children
    if kind == "return_stmt":
        return Return(pos, c[0])
    if kind == "augassign":
        target, op = c[0], str(c[1])[:-1]
        if isinstance(target, A.Subscript):
            return ItemAugAssign(pos, target.value.id, target.index, op, c[2])
        return AugAssign(pos, target.id, op, c[2])
    if kind in ("break_stmt", "continue_stmt", "pass_stmt"):
        return Jump(pos, kind.split("_")[0])
    if kind == "while_stmt":
        return While(pos, c[0], _suite(c[1], off))
    if kind == "for_stmt":
        return For(pos, _names(c[0]), c[1], _suite(c[2], off))
    if kind == "unpack":
        target, value = c
        if isinstance(value, Tree) and value.data == "values":
            value = A.Collection(_pos(value, off), "tuple", tuple(value.children))
        return Unpack(pos, _names(target), value)
    if kind == "if_stmt":
        test, body, *rest = c
        orelse = _suite(rest[-1], off) if rest and rest[-1] is not None else ()
        for clause in reversed([r for r in rest[:-1] if r is not None]):
            orelse = (If(_pos(clause, off), clause.children[0],
                         _suite(clause.children[1], off), orelse),)
        return If(pos, test, _suite(body, off), orelse)
    if kind == "funcdef":
        return function(node, off)
    if kind == "raise_stmt":
        return Raise(pos, c[0] if c else None)
    if kind == "try_stmt":
        handlers, orelse, final = [], (), ()
        for part in c:
            if part is None:
                continue
            if part.data == "except_clause":
                types, name, suite = part.children
                names = tuple(str(t) for t in types.children) if types is not None else ()
                is_tuple = types is not None and types.data == "except_many"
                handlers.append(Handler(_pos(part, off), names, is_tuple,
                                        str(name) if name is not None else None,
                                        _suite(suite, off)))
            elif part.data == "else_clause":
                orelse = _suite(part.children[0], off)
            elif part.data == "finally_clause":
                final = _suite(part.children[0], off)
        return Try(pos, _suite(c[0], off), tuple(handlers), orelse, final)
    raise ValueError(f"unexpected UDF statement {kind}")
