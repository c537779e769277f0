"""The AST of an exported cell: what the cell grammar accepts, as frozen dataclasses.

Positions are relative to the cell as the author sees it (line 1 is the ``%%export`` line).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pos:
    """Line and column (1-based) of a node's first and last character within its cell."""

    line: int
    column: int
    end_line: int
    end_column: int


# ---- expressions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """Base of every cell AST node."""

    pos: Pos


@dataclass(frozen=True)
class Name(Node):
    """A variable reference."""

    id: str


@dataclass(frozen=True)
class Const(Node):
    """A literal number, string, bytes, bool or None."""

    value: object


@dataclass(frozen=True)
class Attribute(Node):
    """``value.attr``."""

    value: Node
    attr: str
    attr_pos: Pos


@dataclass(frozen=True)
class Keyword(Node):
    """A keyword argument ``name=value`` of a call."""

    name: str
    value: Node


@dataclass(frozen=True)
class Call(Node):
    """``func(*args, **kwargs)`` with positional and keyword arguments."""

    func: Node
    args: tuple[Node, ...]
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True)
class Slice(Node):
    """``start:stop:step`` inside a subscript."""

    start: Node | None
    stop: Node | None
    step: Node | None


@dataclass(frozen=True)
class Subscript(Node):
    """``value[index]``."""

    value: Node
    index: Node


@dataclass(frozen=True)
class BinOp(Node):
    """An arithmetic or bitwise binary operator (``+ - * / // % ** & | ^``)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class UnaryOp(Node):
    """``-x``, ``+x``, ``~x`` or ``not x``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class BoolOp(Node):
    """``a and b`` / ``a or b``: Python truthiness, so never applied to column expressions."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    """A (possibly chained) comparison ``a < b <= c``."""

    left: Node
    ops: tuple[str, ...]
    comparators: tuple[Node, ...]


@dataclass(frozen=True)
class IfExp(Node):
    """``body if test else orelse``."""

    test: Node
    body: Node
    orelse: Node


@dataclass(frozen=True)
class Lambda(Node):
    """``lambda a, b: body``."""

    params: tuple[str, ...]
    body: Node


@dataclass(frozen=True)
class Collection(Node):
    """A list, tuple or set display."""

    kind: str
    items: tuple[Node, ...]


@dataclass(frozen=True)
class DictDisplay(Node):
    """A dict display ``{k: v, ...}``."""

    keys: tuple[Node, ...]
    values: tuple[Node, ...]


@dataclass(frozen=True)
class FormatField(Node):
    """A replacement field ``{value!conversion:spec}`` of an f-string."""

    value: Node
    conversion: str | None
    spec: str


@dataclass(frozen=True)
class FString(Node):
    """An f-string: literal text (str) and replacement fields, in order."""

    parts: tuple[object, ...]


@dataclass(frozen=True)
class CompFor(Node):
    """One ``for targets in iter if cond ...`` clause of a comprehension."""

    targets: tuple[str, ...]
    iter: Node
    conditions: tuple[Node, ...]


@dataclass(frozen=True)
class Comprehension(Node):
    """A list, set or dict comprehension, or a generator expression."""

    kind: str
    element: Node
    value: Node | None
    clauses: tuple[CompFor, ...]


# ---- statements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assign(Node):
    """``name = value``."""

    target: str
    value: Node


@dataclass(frozen=True)
class ExprStmt(Node):
    """An expression on its own line (displayed by Jupyter, ignored by the build)."""

    value: Node


@dataclass(frozen=True)
class Import(Node):
    """``import ibis``."""

    module: str


@dataclass(frozen=True)
class ImportFrom(Node):
    """``from ibis import _``."""

    module: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class FunctionDef(Node):
    """A UDF (``@ibis.udf.scalar.python``) or helper definition, checked against udf.lark.

    ``params`` and ``returns`` hold the annotations' source text; ``body`` is the
    :class:`transpiler.ir.udf_ast.Function` the UDF translator consumes.
    """

    name: str
    decorators: tuple[str, ...]
    params: tuple[tuple[str, str], ...]
    returns: str
    body: Function
    body_line_offset: int


# ---- statements of a UDF body (built by transpiler.ir.udf_ast from the udf.lark tree) ------------


@dataclass(frozen=True)
class Return(Node):
    """``return [value]``."""

    value: Node | None


@dataclass(frozen=True)
class Unpack(Node):
    """``a, b = value``: a tuple's items to names (``value`` a tuple display or a call)."""

    targets: tuple[str, ...]
    value: Node


@dataclass(frozen=True)
class AugAssign(Node):
    """``target op= value``."""

    target: str
    op: str
    value: Node


@dataclass(frozen=True)
class ItemAssign(Node):
    """``name[index] = value``: an item of a dict or list local."""

    target: str
    index: Node
    value: Node


@dataclass(frozen=True)
class ItemAugAssign(Node):
    """``name[index] op= value``."""

    target: str
    index: Node
    op: str
    value: Node


@dataclass(frozen=True)
class If(Node):
    """``if test: body else: orelse`` (``elif`` nests in ``orelse``)."""

    test: Node
    body: tuple
    orelse: tuple


@dataclass(frozen=True)
class While(Node):
    """``while test: body``."""

    test: Node
    body: tuple


@dataclass(frozen=True)
class For(Node):
    """``for target in iter: body`` (``for i, ch in enumerate(s)``: a tuple of names)."""

    target: str | tuple[str, ...]
    iter: Node
    body: tuple


@dataclass(frozen=True)
class Jump(Node):
    """``break``, ``continue`` or ``pass``."""

    kind: str


@dataclass(frozen=True)
class Handler(Node):
    """``except [types [as name]]: body``; no types is a bare ``except:``."""

    types: tuple[str, ...]
    is_tuple: bool  # `except (A,):` and `except (A, B):` (Python's AST keeps the tuple)
    name: str | None
    body: tuple


@dataclass(frozen=True)
class Try(Node):
    """``try: body`` with its handlers, ``else`` and ``finally`` parts."""

    body: tuple
    handlers: tuple[Handler, ...]
    orelse: tuple
    finalbody: tuple


@dataclass(frozen=True)
class Raise(Node):
    """``raise [exc]`` (a bare ``raise`` re-raises in a handler)."""

    exc: Node | None


@dataclass(frozen=True)
class Function(Node):
    """A UDF or helper function: typed parameters, return type and body."""

    name: str
    decorators: tuple[str, ...]
    params: tuple[tuple[str, str], ...]
    returns: str
    body: tuple
    # ``name: type = default``: the default expressions, by parameter name (literals)
    defaults: tuple[tuple[str, Node], ...] = ()


Stmt = Assign | ExprStmt | Import | ImportFrom | FunctionDef


def children(node: Node):
    """The direct child nodes of ``node``, in source order (inside tuples of pairs too)."""
    for name in node.__dataclass_fields__:
        if name == "pos":
            continue
        yield from _nodes(getattr(node, name))


def _nodes(value):
    if isinstance(value, Node):
        yield value
    elif isinstance(value, tuple):
        for v in value:
            yield from _nodes(v)


def walk(nodes):
    """Every node of ``nodes`` (a node or a tuple of them) and below, in source order."""
    for node in _nodes(nodes):
        yield node
        yield from walk(tuple(children(node)))


def free_names(node: Node, bound: frozenset[str] = frozenset()):
    """Yield every :class:`Name` read by ``node`` that is not bound by an enclosing lambda."""
    if isinstance(node, Name):
        if node.id not in bound:
            yield node
        return
    if isinstance(node, Lambda):
        bound = bound | set(node.params)
    if isinstance(node, Comprehension):
        # Clauses bind left to right; the element sees every target.
        for clause in node.clauses:
            yield from free_names(clause.iter, bound)
            bound = bound | set(clause.targets)
            for cond in clause.conditions:
                yield from free_names(cond, bound)
        for part in (node.element, node.value):
            if part is not None:
                yield from free_names(part, bound)
        return
    for child in children(node):
        yield from free_names(child, bound)
