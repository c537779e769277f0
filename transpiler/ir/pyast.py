"""Our AST -> Python's own ``ast``: one reading of the source for checking, translating and running.

Two uses, both about the same promise: what runs is what was checked.

* :func:`agrees` compares a cell's statements as the subset grammar read them with Python's own
  parse of the same text, node for node (positions aside). A cell that the two read differently
  (a lone carriage return that ends a comment for Python only, a form feed that changes Python's
  block structure, an f-string our field splitter reads otherwise) is refused: otherwise the JVM
  would compute what lark saw while Jupyter runs what CPython saw.
* :func:`function_module` builds the notebook-side Python of a UDF from the checked AST (never
  from the cell's text), so ``verify`` and the golden rows run exactly the statements the
  translator accepted.

>>> import ast
>>> from transpiler import cellast as A
>>> p = A.Pos(1, 1, 1, 6)
>>> ast.unparse(expr(A.BinOp(p, "+", A.Name(p, "x"), A.Const(p, 1))))
'x + 1'
"""

from __future__ import annotations

import ast

from . import cellast as A
from . import udf_ast as U

BINOPS = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "//": ast.FloorDiv,
          "%": ast.Mod, "**": ast.Pow, "@": ast.MatMult, "<<": ast.LShift, ">>": ast.RShift,
          "&": ast.BitAnd, "|": ast.BitOr, "^": ast.BitXor}
UNARY = {"-": ast.USub, "+": ast.UAdd, "not": ast.Not, "~": ast.Invert}
BOOL = {"and": ast.And, "or": ast.Or}
COMPARE = {"==": ast.Eq, "!=": ast.NotEq, "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt,
           ">=": ast.GtE, "in": ast.In, "not in": ast.NotIn, "is": ast.Is, "is not": ast.IsNot}
COLLECTIONS = {"list": ast.List, "tuple": ast.Tuple, "set": ast.Set}
COMPREHENSIONS = {"list": ast.ListComp, "set": ast.SetComp, "generator": ast.GeneratorExp}
JUMPS = {"pass": ast.Pass, "break": ast.Break, "continue": ast.Continue}


class Unconvertible(Exception):
    """A node kind this module has no Python counterpart for (a bug if it escapes)."""


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def _at(node: ast.AST, pos: A.Pos | None) -> ast.AST:
    if pos is not None and isinstance(node, (ast.expr, ast.stmt)):
        node.lineno, node.col_offset = pos.line, max(pos.column - 1, 0)
        node.end_lineno, node.end_col_offset = pos.end_line, max(pos.end_column - 1, 0)
    return node


def expr(n: A.Node) -> ast.expr:
    """One expression of our AST as a Python ``ast.expr``."""
    visit = globals().get(f"_expr_{type(n).__name__}")
    if visit is None:
        raise Unconvertible(f"no Python form for expression node {type(n).__name__}")
    return _at(visit(n), n.pos)


def _expr_Name(n: A.Name):
    return _load(n.id)


def _expr_Const(n: A.Const):
    return ast.Constant(n.value)


def _expr_Attribute(n: A.Attribute):
    return ast.Attribute(expr(n.value), n.attr, ast.Load())


def _expr_Call(n: A.Call):
    return ast.Call(expr(n.func), [expr(a) for a in n.args],
                    [ast.keyword(k.name, expr(k.value)) for k in n.keywords])


def _expr_Slice(n: A.Slice):
    return ast.Slice(*(None if p is None else expr(p) for p in (n.start, n.stop, n.step)))


def _expr_Subscript(n: A.Subscript):
    return ast.Subscript(expr(n.value), expr(n.index), ast.Load())


def _expr_BinOp(n: A.BinOp):
    return ast.BinOp(expr(n.left), BINOPS[n.op](), expr(n.right))


def _expr_UnaryOp(n: A.UnaryOp):
    return ast.UnaryOp(UNARY[n.op](), expr(n.operand))


def _expr_BoolOp(n: A.BoolOp):
    return ast.BoolOp(BOOL[n.op](), [expr(n.left), expr(n.right)])


def _expr_Compare(n: A.Compare):
    return ast.Compare(expr(n.left), [COMPARE[o]() for o in n.ops],
                       [expr(c) for c in n.comparators])


def _expr_IfExp(n: A.IfExp):
    return ast.IfExp(expr(n.test), expr(n.body), expr(n.orelse))


def _expr_Lambda(n: A.Lambda):
    return ast.Lambda(_arguments(n.params), expr(n.body))


def _expr_Collection(n: A.Collection):
    items = [expr(i) for i in n.items]
    return COLLECTIONS[n.kind](items, ast.Load()) if n.kind != "set" else ast.Set(items)


def _expr_DictDisplay(n: A.DictDisplay):
    return ast.Dict([expr(k) for k in n.keys], [expr(v) for v in n.values])


def _expr_FString(n: A.FString):
    values = []
    for part in n.parts:
        if isinstance(part, A.FormatField):
            conversion = ord(part.conversion) if part.conversion else -1
            spec = ast.JoinedStr([ast.Constant(part.spec)]) if part.spec else None
            values.append(ast.FormattedValue(expr(part.value), conversion, spec))
        else:
            values.append(ast.Constant(part))
    return ast.JoinedStr(values)


def _expr_Comprehension(n: A.Comprehension):
    clauses = [ast.comprehension(_target(c.targets), expr(c.iter),
                                 [expr(x) for x in c.conditions], 0) for c in n.clauses]
    if n.kind == "dict":
        return ast.DictComp(expr(n.element), expr(n.value), clauses)
    return COMPREHENSIONS[n.kind](expr(n.element), clauses)


def _target(names: tuple[str, ...]) -> ast.expr:
    if len(names) == 1:
        return _store(names[0])
    return ast.Tuple([_store(t) for t in names], ast.Store())


def _arguments(names, defaults=()) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(x) for x in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None,
                         defaults=[expr(d) for _, d in defaults])


def stmt(n: A.Node) -> ast.stmt:
    """One statement of a cell or UDF body as a Python ``ast.stmt``."""
    visit = globals().get(f"_stmt_{type(n).__name__}")
    if visit is None:
        raise Unconvertible(f"no Python form for statement node {type(n).__name__}")
    return _at(visit(n), n.pos)


def _body(stmts) -> list[ast.stmt]:
    return [stmt(s) for s in stmts]


def _stmt_Assign(n: A.Assign):
    return ast.Assign([_store(n.target)], expr(n.value))


def _stmt_ExprStmt(n: A.ExprStmt):
    return ast.Expr(expr(n.value))


def _stmt_Import(n: A.Import):
    return ast.Import([ast.alias(n.module)])


def _stmt_ImportFrom(n: A.ImportFrom):
    return ast.ImportFrom(n.module, [ast.alias(x) for x in n.names], 0)


def _stmt_FunctionDef(n: A.FunctionDef):
    return stmt(n.body)


def _stmt_Function(n: U.Function):
    # Decorators and annotations are not part of what runs: the stand-in carries the signature.
    return ast.FunctionDef(n.name, _arguments([p for p, _ in n.params], n.defaults),
                           _body(n.body), [], None)


def _stmt_Return(n: U.Return):
    return ast.Return(None if n.value is None else expr(n.value))


def _stmt_AugAssign(n: U.AugAssign):
    return ast.AugAssign(_store(n.target), BINOPS[n.op](), expr(n.value))


def _item_target(n) -> ast.Subscript:
    return ast.Subscript(_load(n.target), expr(n.index), ast.Store())


def _stmt_ItemAssign(n: A.ItemAssign):
    return ast.Assign([_item_target(n)], expr(n.value))


def _stmt_ItemAugAssign(n: A.ItemAugAssign):
    return ast.AugAssign(_item_target(n), BINOPS[n.op](), expr(n.value))


def _stmt_If(n: U.If):
    return ast.If(expr(n.test), _body(n.body), _body(n.orelse))


def _stmt_While(n: U.While):
    return ast.While(expr(n.test), _body(n.body), [])


def _stmt_For(n: U.For):
    names = (n.target,) if isinstance(n.target, str) else n.target
    return ast.For(_target(names), expr(n.iter), _body(n.body), [])


def _stmt_Unpack(n: U.Unpack):
    return ast.Assign([_target(n.targets)], expr(n.value))


def _stmt_Jump(n: U.Jump):
    return JUMPS[n.kind]()


def _stmt_Raise(n: U.Raise):
    return ast.Raise(expr(n.exc) if n.exc is not None else None, None)


def _stmt_Try(n: U.Try):
    handlers = []
    for h in n.handlers:
        kind = None if not h.types else ast.Tuple([_load(t) for t in h.types], ast.Load()) \
            if h.is_tuple else _load(h.types[0])
        handlers.append(ast.ExceptHandler(kind, h.name, _body(h.body)))
    return ast.Try(_body(n.body), handlers, _body(n.orelse), _body(n.finalbody))


# A name no source text can spell (it has a hyphen): the sandbox's budget check, called at the
# start of every function body and every loop iteration of the generated notebook-side code.
TICK = "nb2jvm-tick"
# Likewise for the operations that one C call can make enormous (`x ** 10**8`, `s * n`,
# `s.zfill(n)`): the generated code calls the sandbox's bounded versions instead.
BINOP = "nb2jvm-binop"
METHOD = "nb2jvm-method"
ITEM_KEY = "nb2jvm-key"  # the key of an augmented item assignment, evaluated once
BOUNDED_BINOPS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<"}
BOUNDED_METHODS = frozenset({"zfill", "ljust", "rjust", "center", "expandtabs", "replace",
                             "join"})


class _Ticks(ast.NodeTransformer):
    """Insert ``TICK()`` at the top of every function and loop body, and route the operations
    that can build huge values through the sandbox's bounded versions."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        op = BOUNDED_BINOPS.get(type(node.op))
        if op is None:
            return node
        return ast.copy_location(ast.Call(_load(BINOP), [ast.Constant(op), node.left,
                                                         node.right], []), node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        op = BOUNDED_BINOPS.get(type(node.op))
        if op is None:
            return node
        if isinstance(node.target, ast.Subscript):
            # `d[k] *= n`: the key once, into a name no source can spell, then Python's order
            # (the item is read before the value is computed)
            key = ast.copy_location(ast.Assign([_store(ITEM_KEY)], node.target.slice), node)
            item = ast.Subscript(node.target.value, _load(ITEM_KEY), ast.Load())
            value = ast.Call(_load(BINOP), [ast.Constant(op), item, node.value], [])
            store = ast.Subscript(node.target.value, _load(ITEM_KEY), ast.Store())
            return [key, ast.copy_location(ast.Assign([store], value), node)]
        target = ast.Name(node.target.id, ast.Load())
        value = ast.Call(_load(BINOP), [ast.Constant(op), target, node.value], [])
        return ast.copy_location(ast.Assign([node.target], value), node)

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in BOUNDED_METHODS and not node.keywords:
            return ast.copy_location(ast.Call(_load(METHOD), [func.value, ast.Constant(func.attr),
                                                              *node.args], []), node)
        return node

    def _tick(self, body: list[ast.stmt], at: ast.AST) -> list[ast.stmt]:
        call = ast.Expr(ast.Call(_load(TICK), [], []))
        ast.copy_location(call, at)
        ast.copy_location(call.value, at)
        ast.copy_location(call.value.func, at)
        return [call, *body]

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        node.body = self._tick(node.body, node)
        return node

    def visit_comprehension(self, node):
        # a comprehension's loop runs in C around the element's bytecode: a condition that
        # ticks (`TICK() or True`) counts each step, as a loop body's TICK() does
        self.generic_visit(node)
        call = ast.Call(_load(TICK), [], [])
        node.ifs = [ast.BoolOp(ast.Or(), [call, ast.Constant(True)]), *node.ifs]
        return node

    def visit_While(self, node):
        self.generic_visit(node)
        node.body = self._tick(node.body, node)
        return node

    visit_For = visit_While


def function_module(functions: list[U.Function], filename: str):
    """A code object defining ``functions`` (helpers first), built from the checked AST, with a
    budget check (``TICK``) in every function and loop body."""
    module = _Ticks().visit(ast.Module([stmt(f) for f in functions], []))
    ast.fix_missing_locations(module)
    return compile(module, filename, "exec", dont_inherit=True)


# ---- agreement with Python's own parse ----------------------------------------------------------


class _Canonical(ast.NodeTransformer):
    """What both readings must agree on: no positions, no type comments, no annotations or
    decorators of functions (checked separately), nested ``and``/``or`` chains flattened, and
    adjacent literal parts of f-strings merged (Python merges them, our reader may not)."""

    def visit_BoolOp(self, node: ast.BoolOp):
        self.generic_visit(node)
        values = []
        for v in node.values:
            if isinstance(v, ast.BoolOp) and type(v.op) is type(node.op):
                values.extend(v.values)
            else:
                values.append(v)
        node.values = values
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr):
        self.generic_visit(node)
        merged: list[ast.expr] = []
        for v in node.values:
            if isinstance(v, ast.Constant) and merged and isinstance(merged[-1], ast.Constant):
                merged[-1] = ast.Constant(merged[-1].value + v.value)
            elif not (isinstance(v, ast.Constant) and v.value == ""):
                merged.append(v)
        node.values = merged
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue):
        self.generic_visit(node)
        if isinstance(node.format_spec, ast.JoinedStr) and not node.format_spec.values:
            node.format_spec = None  # `f"{x:}"`: Python keeps an empty spec, we keep none
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef):
        self.generic_visit(node)
        node.decorator_list, node.returns = [], None
        for a in node.args.args:
            a.annotation = None
        return node


def canonical(node: ast.AST) -> str:
    """A position-free dump of ``node`` for comparing two readings of one text."""
    import copy

    return ast.dump(_Canonical().visit(copy.deepcopy(node)), include_attributes=False)


def agrees(ours: list[A.Node], python: list[ast.stmt]) -> int | None:
    """Index of the first statement where the two readings differ, or None if they agree."""
    for i in range(max(len(ours), len(python))):
        if i >= len(ours) or i >= len(python):
            return i
        if canonical(stmt(ours[i])) != canonical(python[i]):
            return i
    return None
