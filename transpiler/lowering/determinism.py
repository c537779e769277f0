"""Order-sensitive operations: where "both engines are right and still differ".

``row_number()`` over keys that tie, ``lag``/``lead``, a running sum over ROWS, or a ``limit``
after an ``order_by`` with ties pick an arbitrary row among equals, and DuckDB and Spark pick
differently.  That is non-determinism, not a lowering bug.  :func:`risks` finds such operations
at transpile time (they become warnings that name the fix: a unique tie-breaker), and
:func:`tied_groups` measures on the notebook's engine whether the data actually has ties, so that
``verify`` can say *non-deterministic* instead of *mismatch*.
"""

from __future__ import annotations


import ibis
import ibis.expr.operations as ops

from ..ir.errors import Diagnostic
from ..ir.features import Risk

ORDER_SENSITIVE_FUNCS = (ops.RowNumber, ops.NTile, ops.Lag, ops.Lead, ops.First, ops.Last,
                         ops.NthValue)



def _keys_text(keys) -> str:
    names = []
    for key in keys:
        names.append(key.name if isinstance(key, ops.Field) else type(key).__name__)
    return ", ".join(names) or "nothing"


def _relation(values) -> ops.Relation | None:
    for value in values:
        for field in value.find(ops.Field):
            return field.rel
    return None


def risks(expr: ibis.Table) -> tuple[Risk, ...]:
    """Every order-sensitive operation in a feature set, outermost last."""
    found = []
    for link in expr.op().find(ops.JoinLink):
        if link.how == "asof":
            # DuckDB keeps an arbitrary one of the right rows that tie on (keys, on-column)
            keys = tuple(f for pred in link.predicates for f in (pred.left, pred.right)
                         if isinstance(f, ops.Field) and f.rel == link.table)
            found.append(Risk(f"as-of join over ({_keys_text(keys)})", keys, link.table))
            # and matches a NULL `on` value on the left by table size (loop join up to 64 rows)
            on = link.predicates[0]
            left = [side for side in (on.left, on.right)
                    if not any(f.rel == link.table for f in side.find(ops.Field))]
            if left:
                found.append(Risk(f"as-of join on ({_keys_text(left)})",
                                  tuple(left), _relation(left), nulls=True))
    for agg in expr.op().find(ops.Aggregate):
        for metric in agg.metrics.values():
            for ordered in metric.find((ops.First, ops.Last, ops.ArrayCollect, ops.GroupConcat)):
                if not ordered.order_by:
                    continue
                keys = tuple(agg.groups.values()) + tuple(k.arg for k in ordered.order_by)
                found.append(Risk(f"{type(ordered).__name__} over ({_keys_text(keys)})", keys,
                                  agg.parent))
    for op in expr.op().find((ops.WindowFunction, ops.Limit)):
        if isinstance(op, ops.Limit):
            if isinstance(op.parent, ops.Sort):
                keys = tuple(k.arg for k in op.parent.keys)
                found.append(Risk(f"limit({op.n}) after order_by({_keys_text(keys)})", keys,
                                  op.parent.parent))
            else:
                found.append(Risk(f"limit({op.n}) without order_by", (), None, always=True))
            continue
        rows_frame = op.how == "rows" and (op.start is not None or op.end is not None)
        if not isinstance(op.func, ORDER_SENSITIVE_FUNCS) and not rows_frame:
            continue
        keys = tuple(op.group_by) + tuple(k.arg for k in op.order_by)
        name = type(op.func).__name__
        what = (f"{name} over a ROWS frame" if rows_frame and
                not isinstance(op.func, ORDER_SENSITIVE_FUNCS) else name)
        found.append(Risk(f"{what} over ({_keys_text(keys)})", keys,
                          _relation(keys) or _relation([op.func]), always=not op.order_by))
    return tuple(found)


def warnings(feature_name: str, found: tuple[Risk, ...], span, source_line) -> list[Diagnostic]:
    """Transpile-time warnings, one per set of order keys, each naming the operations and the
    fix."""
    by_keys: dict[str, list[Risk]] = {}
    out = []
    for risk in found:
        if risk.nulls:
            out.append(Diagnostic(
                "W301", f"feature set '{feature_name}': {risk.what}: if these may be NULL, "
                "DuckDB matches a NULL `on` value by the size of the left table (nothing for 64 "
                "rows or fewer, else the last right row of its keys) and nb2jvm follows the "
                "larger-table rule, so the engines may differ", span,
                severity="warning", source_line=source_line,
                hint="filter out or fill the NULL values before the join; `nb2jvm verify` "
                "checks the data for them"))
            continue
        by_keys.setdefault(risk.what.split(" over (")[-1], []).append(risk)
    for keys, group in by_keys.items():
        names = ", ".join(dict.fromkeys(r.what.split(" over (")[0] for r in group))
        always = any(r.always for r in group)
        message = (f"feature set '{feature_name}': {names} " +
                   ("has no order at all, so its rows are picked arbitrarily" if always else
                    f"may depend on the order of rows: if rows can tie on ({keys}, DuckDB and "
                    "Spark may both be right and still differ"))
        out.append(Diagnostic(
            "W300", message, span, severity="warning", source_line=source_line,
            hint="add an order_by with a unique key" if always else
            "make the last order key unique (e.g. an id), or declare a unique column with "
            "`%%export --unique=COL`; `nb2jvm verify` checks the data for ties"))
    return out


def without_declared_unique(found: list[Risk], unique: tuple[str, ...]) -> list[Risk]:
    """The risks left once the author's ``%%export --unique=COL,...`` is taken at its word: an
    order with a unique column among its keys has no ties (NULL and no-order risks stay)."""
    if not unique:
        return list(found)

    def declared(risk: Risk) -> bool:
        return not risk.always and not risk.nulls and any(
            isinstance(k, ops.Field) and k.name in unique for k in risk.keys)
    return [r for r in found if not declared(r)]


def tied_groups(con, risk: Risk) -> int | None:
    """How many groups of rows tie on the risk's keys in the data (None: cannot tell)."""
    if risk.always:
        return 1
    if risk.relation is None or not risk.keys:
        return None
    table = risk.relation.to_expr()
    if risk.nulls:
        try:
            return int(con.execute(table.filter(ibis.or_(*(k.to_expr().isnull()
                                                            for k in risk.keys))).count()))
        except Exception:
            return None
    by = {f"k{i}": key.to_expr() for i, key in enumerate(risk.keys)}
    try:
        ties = table.group_by(**by).aggregate(n=ibis._.count()).filter(ibis._.n > 1).count()
        return int(con.execute(ties))
    except Exception:  # a key DuckDB cannot group by; treat as unknown
        return None
