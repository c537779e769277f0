"""The ``%%export`` cell magic, minimal form: run the cell as usual, record what a build needs.

The cell runs in the notebook's namespace exactly as it would without the magic (the last
expression still displays).  After it ran, the magic records in the cell's output the schema of
every input table the cell reads (an ibis table it uses but no exported cell defined), so that
``nb2jvm build`` on the saved notebook needs no data files.
"""

from __future__ import annotations

import ast

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display

from .inputs import RECORDED_MIME

_EXPORTED: list[tuple[str, str]] = []
_DEFINED: set[str] = set()


def _names(source: str) -> tuple[list[str], set[str]]:
    """Names the cell reads (in order of first use) and names it assigns."""
    try:
        tree = ast.parse("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                                   for ln in source.split("\n")))
    except SyntaxError:
        return [], set()
    read, assigned = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id not in read:
                read.append(node.id)
            elif isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
    return read, assigned


def input_schemas(source: str, namespace: dict, defined: set[str]) -> dict:
    """``{variable: {"table", "schema"}}`` for the ibis tables the cell reads as inputs."""
    import ibis.expr.operations as ops
    import ibis.expr.types as ir

    read, _ = _names(source)
    found = {}
    for name in read:
        value = namespace.get(name)
        if name in defined or not isinstance(value, ir.Table):
            continue
        op = value.op()
        table = op.name if isinstance(op, ops.UnboundTable) else name
        found[name] = {"table": table,
                       "schema": {col: str(dtype) for col, dtype in value.schema().items()}}
    return found


@magics_class
class ExportMagics(Magics):
    """Holds the ``%%export`` cell magic."""

    @cell_magic
    def export(self, line: str, cell: str):
        """Run the cell unchanged, then record its input schemas (``%%export [NAME ...]``)."""
        _EXPORTED.append((line.strip(), cell))
        result = self.shell.run_cell(cell, store_history=False)
        if result.error_in_exec is not None or result.error_before_exec is not None:
            return None
        inputs = input_schemas(cell, self.shell.user_ns, _DEFINED)
        _DEFINED.update(_names(cell)[1])
        if inputs:
            summary = ", ".join(f"{v}({len(e['schema'])} columns)" for v, e in inputs.items())
            display({RECORDED_MIME: {"inputs": inputs},
                     "text/plain": f"nb2jvm: recorded input schemas: {summary}"}, raw=True)
        return None


def exported_cells() -> list[tuple[str, str]]:
    """The (arguments, source) of every cell run with ``%%export`` in this kernel."""
    return list(_EXPORTED)


def register(ipython) -> None:
    ipython.register_magics(ExportMagics)
