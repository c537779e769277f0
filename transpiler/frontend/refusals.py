"""Python constructs outside the subset, named in the author's words (one table per context).

The grammars decide what is inside the subset; these tables only turn "the grammar refused it"
into "`class` definitions are not allowed in an exported cell".  Python's own parser finds the
construct (parsing only, never executing).
"""

from __future__ import annotations

import ast

from ..udf.udfsig import UDF_DECORATOR


# In an exported cell, outside any function definition.
CELL = {
    ast.ClassDef: "`class` definitions are not allowed in an exported cell",
    ast.AsyncFunctionDef: "`async` functions are not allowed in an exported cell",
    ast.With: "`with` blocks are not allowed in an exported cell",
    ast.AsyncWith: "`async with` is not allowed in an exported cell",
    ast.Try: "`try` blocks are not allowed in an exported cell",
    ast.Raise: "`raise` is not allowed in an exported cell",
    ast.Assert: "`assert` is not allowed in an exported cell",
    ast.Global: "`global` is not allowed in an exported cell",
    ast.Nonlocal: "`nonlocal` is not allowed in an exported cell",
    ast.Delete: "`del` is not allowed in an exported cell",
    ast.For: "`for` loops are not allowed in an exported cell; use a comprehension",
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
    ast.MatMult: "the `@` operator is not allowed in an exported cell",
}
if hasattr(ast, "Match"):
    CELL[ast.Match] = "`match` statements are not allowed in an exported cell"

# Inside a UDF or helper function body.
UDF = {
    ast.ClassDef: "`class` is not supported in a UDF",
    ast.AsyncFunctionDef: "`async` functions are not supported in a UDF",
    ast.With: "`with` is not supported in a UDF",
    ast.Assert: "`assert` is not supported in a UDF",
    ast.Global: "`global` is not supported in a UDF",
    ast.Nonlocal: "`nonlocal` is not supported in a UDF",
    ast.Delete: "`del` is not supported in a UDF",
    ast.Import: "imports are not supported inside a UDF; `import math` at the top of the cell",
    ast.ImportFrom: "imports are not supported inside a UDF",
    ast.Yield: "`yield` is not supported in a UDF",
    ast.YieldFrom: "`yield from` is not supported in a UDF",
    ast.Await: "`await` is not supported in a UDF",
    ast.Lambda: "`lambda` is not supported in a UDF; define a local helper function",
    ast.NamedExpr: "the walrus operator `:=` is not supported in a UDF",
    ast.Starred: "star-unpacking (`*x`) is not supported in a UDF",
    ast.AnnAssign: "annotated local variables are not supported in a UDF",
    ast.MatMult: "the `@` operator is not supported in a UDF",
}
if hasattr(ast, "Match"):
    UDF[ast.Match] = "`match` is not supported in a UDF"


def _common(node: ast.AST, where: str) -> str | None:
    if isinstance(node, ast.Assign) and (
            len(node.targets) > 1 or not isinstance(node.targets[0], ast.Name)):
        return f"only assignment to a single name is allowed {where}"
    if isinstance(node, ast.AugAssign) and not isinstance(node.target, ast.Name):
        return f"only assignment to a single name is allowed {where}"
    if isinstance(node, ast.Call) and any(k.arg is None for k in node.keywords):
        return f"`**kwargs` unpacking is not allowed {where}"
    if isinstance(node, ast.Constant) and isinstance(node.value, complex):
        return f"complex numbers are not allowed {where}"
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return f"`...` is not allowed {where}"
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
        return f"multi-dimensional subscripts are not allowed {where}"
    if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr) \
            and any(isinstance(v, ast.FormattedValue) for v in node.format_spec.values):
        return f"nested replacement fields in a format spec are not allowed {where}"
    return None


def in_cell(node: ast.AST) -> str | None:
    """Why a node of an exported cell (outside functions) is outside the subset, or None."""
    table_hit = CELL.get(type(node)) or (isinstance(node, ast.BinOp) and CELL.get(type(node.op)))
    return table_hit or _common(node, "in an exported cell")


def _names_tuple(target: ast.AST) -> bool:
    return isinstance(target, ast.Tuple) and len(target.elts) >= 2 and \
        all(isinstance(e, ast.Name) for e in target.elts)


def _item(target: ast.AST) -> bool:
    return isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and \
        not isinstance(target.slice, (ast.Slice, ast.Tuple))


def in_udf(node: ast.AST) -> str | None:
    """Why a node inside a UDF body is outside the UDF subset, or None."""
    if isinstance(node, ast.While) and node.orelse:
        return "while-else is not supported in a UDF"
    if isinstance(node, (ast.For, ast.AsyncFor)) and node.orelse:
        return "for-else is not supported in a UDF"
    if isinstance(node, ast.For) and not isinstance(node.target, ast.Name) and \
            not _names_tuple(node.target):
        return "a `for` loop in a UDF binds a name or a tuple of names"
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and _names_tuple(node.targets[0]):
        return None  # `q, r = divmod(a, b)`: the value's checks are its own
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and _item(node.targets[0]) or \
            isinstance(node, ast.AugAssign) and _item(node.target):
        return None  # `counts[w] = n`, `counts[w] += 1`: an item of a local
    if isinstance(node, (ast.Assign, ast.AugAssign)) and any(
            isinstance(t, (ast.Subscript, ast.Attribute)) for t in
            (node.targets if isinstance(node, ast.Assign) else [node.target])):
        return ("a UDF assigns to a name or to an item of a local (`d[key] = value`); not to a "
                "slice, an attribute or an item of an expression")
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Tuple) for t in node.targets):
        return ("a UDF unpacks into plain names only (`a, b = ...`; no `*rest`, nested tuples "
                "or chained targets)")
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        return f"attributes starting with '_' are not allowed in a UDF ('{node.attr}')"
    if isinstance(node, ast.Raise) and node.cause is not None:
        return "`raise ... from ...` is not supported in a UDF"
    if hasattr(ast, "TryStar") and isinstance(node, ast.TryStar):
        return "`except*` is not supported in a UDF"
    if isinstance(node, ast.Name) and node.id.startswith("__"):
        return f"names starting with '__' are not allowed in a UDF ('{node.id}')"
    table_hit = UDF.get(type(node)) or (isinstance(node, ast.BinOp) and UDF.get(type(node.op)))
    return table_hit or _common(node, "in a UDF")


def function_header(node: ast.FunctionDef, nested: bool) -> str | None:
    """Why a function definition's header is outside the subset, or None."""
    decorators = [ast.unparse(d) for d in node.decorator_list]
    if nested and decorators:
        return "local helper functions inside a UDF take no decorators"
    if decorators and decorators != [UDF_DECORATOR]:
        return (f"only @{UDF_DECORATOR} UDFs can be defined in an exported cell "
                f"(found @{', @'.join(decorators)})")
    a = node.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        return "UDF parameters must be plain positional parameters (no *args, **kwargs, /, *)"
    if a.defaults and decorators:
        return ("a UDF's parameters take no default values (Spark passes every column); "
                "helper functions' parameters may")
    if not all(isinstance(d, ast.Constant) and type(d.value) in (int, float, str, bool)
               or isinstance(d, ast.UnaryOp) and isinstance(d.op, ast.USub)
               and isinstance(d.operand, ast.Constant) and type(d.operand.value) in (int, float)
               for d in a.defaults):
        return "a default value of a helper function's parameter is an int, float, str or bool"
    missing = [p.arg for p in a.args if p.annotation is None]
    if missing:
        return f"UDF parameter '{missing[0]}' needs a type annotation"
    if node.returns is None:
        return "a UDF needs a return type annotation (-> type)"
    return None
