"""Per-column lineage: which input columns each output column of a feature set derives from.

Walks the ibis relation tree from the output column down to the input tables' fields: a
projection or aggregate maps the column to the fields its expression reads; filters, sorts,
limits and distinct pass columns through; a union merges both sides.  Inputs that only filter,
join or order rows are listed under the feature set's ``inputs``, not per column.
"""

from __future__ import annotations

import ibis.expr.operations as ops


def _of(rel: ops.Relation, column: str, memo: dict) -> frozenset[str]:
    key = (rel, column)
    if key in memo:
        return memo[key]
    if isinstance(rel, ops.UnboundTable):
        found = frozenset({f"{rel.name}.{column}"})
    elif isinstance(rel, ops.Union) or isinstance(rel, ops.Set):
        found = _of(rel.left, column, memo) | _of(rel.right, column, memo)
    else:
        values = getattr(rel, "values", None)
        if isinstance(rel, ops.Aggregate):
            values = {**rel.groups, **rel.metrics}
        if values is not None and column in values:
            found = frozenset().union(*(_of(f.rel, f.name, memo)
                                        for f in values[column].find(ops.Field, filter=ops.Value)))
        elif getattr(rel, "parent", None) is not None:
            found = _of(rel.parent, column, memo)
        else:
            found = frozenset()
    memo[key] = found
    return found


def lineage(expr) -> dict[str, list[str]]:
    """``{output column: sorted ["input.column", ...]}``."""
    rel = expr.op()
    memo: dict = {}
    return {name: sorted(_of(rel, name, memo)) for name in expr.schema().names}
