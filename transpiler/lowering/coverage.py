"""Every ibis operation class and what nb2jvm does with it: the table behind ``nb2jvm ops`` and
the coverage section of ``docs/subset.md``.

The classes are enumerated from the installed ibis (never a hand list), so a new ibis operation
appears here, as ``unverified``, the day ibis adds it.  Statuses:

* ``conformant``: in ``spark_rules.CONFORMANT_OPS``, lowered by ibis's own Spark rule, proven
  by the differential tests;
* ``emulated``: conformant through nb2jvm's own rule (a rewrite or a runtime function that gives
  DuckDB's result: ``spark_compiler`` overrides the ``visit_<Op>``);
* ``checked``: conformant under a per-use condition (``spark_rules.CHECKED_OPS``);
* ``refused``: measured to differ, with the difference (``spark_rules.REFUSED_OPS``);
* ``not-in-notebook-engine``: ibis's DuckDB backend itself cannot compile it, so no notebook
  computes it;
* ``unverified``: not lowered yet; refused at transpile time ("no verified Spark lowering").
"""

from __future__ import annotations

import functools
import inspect
import re
from collections import defaultdict
from dataclasses import asdict, dataclass

import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.expr.operations.core import Node

from . import spark_rules
from .spark_compiler import Nb2jvmSparkCompiler

STATUSES = ("conformant", "emulated", "checked", "refused", "not-in-notebook-engine",
            "unverified")
# What a family of operations is, by the ibis module that defines it.
KINDS = {"relations": "relation", "subqueries": "relation", "sortkeys": "relation",
         "reductions": "aggregate", "histograms": "aggregate", "analytic": "window",
         "window": "window", "temporal_windows": "window", "geospatial": "geospatial",
         "vectorized": "udf", "udf": "udf", "core": "core"}


# Ops whose family module says otherwise: unnest() changes the number of rows, a relational
# operation (the relational coverage issue)
OP_KINDS = {"Unnest": "relation"}


@dataclass(frozen=True)
class OpCoverage:
    """One ibis operation: how a user writes it, its family, what nb2jvm does with it, why."""

    op: str
    spelling: str
    family: str
    kind: str
    status: str
    reason: str

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "kind"}


def operation_classes() -> list[type]:
    """Every concrete operation class ibis exports from ``ibis.expr.operations``."""
    found = {v for n in dir(ops) if inspect.isclass(v := getattr(ops, n))}
    return sorted((c for c in found if inspect.isclass(c) and issubclass(c, Node)
                   and c is not Node and not inspect.isabstract(c)
                   and c.__module__.startswith("ibis.expr.operations")),
                  key=lambda c: c.__name__)


_OPS_IN_SOURCE = re.compile(r"\bops\.([A-Z]\w+)\b")


@functools.lru_cache(maxsize=1)
def spellings() -> dict[str, tuple[str, ...]]:
    """Op class name -> the ibis API names whose source builds it (``StringValue.lpad``)."""
    import ibis.expr.api as api

    found: dict[str, set[str]] = defaultdict(set)

    def scan(owner: str, fn) -> None:
        try:
            source = inspect.getsource(fn)
        except (OSError, TypeError):
            return
        for name in _OPS_IN_SOURCE.findall(source):
            found[name].add(owner)

    for cls_name in dir(ir):
        cls = getattr(ir, cls_name)
        if not (inspect.isclass(cls) and issubclass(cls, ir.Expr)):
            continue
        for attr, value in vars(cls).items():
            private = attr.startswith("_") and not (attr.startswith("__") and attr.endswith("__"))
            fn = value.fget if isinstance(value, property) else value
            if not private and callable(fn) and attr not in ("visualize", "__repr__"):
                scan(f"{cls.__name__}.{attr}", fn)
    for attr, value in vars(api).items():
        if not attr.startswith("_") and callable(value) and not inspect.isclass(value):
            scan(f"ibis.{attr}", value)
    # dunder spellings read as the operator a user types
    return {k: tuple(sorted(v, key=lambda s: (s.split(".")[-1].startswith("__"), s)))
            for k, v in found.items()}


def _overridden() -> set[str]:
    """Op names whose Spark rule is nb2jvm's own (a ``visit_<Op>`` outside ibis)."""
    names = set()
    for cls in Nb2jvmSparkCompiler.__mro__:
        # ibis generates a visit_ method per SIMPLE_OPS entry in every subclass: only the
        # functions written in nb2jvm count
        names.update(n[len("visit_"):] for n, fn in vars(cls).items() if n.startswith("visit_")
                     and getattr(fn, "__module__", "").startswith("transpiler"))
    return names


# Ops ibis's DuckDB compiler has a rule for, but whose SQL DuckDB itself cannot run (measured:
# tests/test_ops_table.py runs each and expects the failure)
NOT_RUN_BY_DUCKDB = {
    "TimeTruncate": "DuckDB has no date_trunc() of a TIME (Binder Error)",
    "TimeDiff": "DuckDB cannot subtract a TIME from a TIME (Binder Error)",
}


# Ops every ibis SQL backend rewrites before its compiler sees them (ibis.backends.sql.rewrites:
# fill_null_to_select and drop_null_to_select in sqlize), so they have no visit_ rule of their own
REWRITTEN_BY_IBIS = frozenset({ops.FillNull, ops.DropNull})


def _in_duckdb(cls: type) -> bool:
    from ibis.backends.sql.compilers.duckdb import DuckDBCompiler

    if cls.__name__ in NOT_RUN_BY_DUCKDB:
        return False
    if cls in REWRITTEN_BY_IBIS:
        return True
    if cls in getattr(DuckDBCompiler, "UNSUPPORTED_OPS", ()):
        return False
    visit = getattr(DuckDBCompiler, f"visit_{cls.__name__}", None)
    return visit is not None and getattr(visit, "__name__", "") != "visit_Undefined"


def _doc(fn) -> str:
    return " ".join((fn.__doc__ or fn.__name__).split())


def table() -> list[OpCoverage]:
    """One row per ibis operation class, by name."""
    emulated = _overridden()
    rows = []
    for cls in operation_classes():
        name = cls.__name__
        family = cls.__module__.rsplit(".", 1)[-1]
        kind = OP_KINDS.get(name, KINDS.get(family, "scalar"))
        spelled = spellings().get(name, ())
        spelling = ", ".join(spelled[:3]) or f"ops.{name}"
        if cls in spark_rules.CONFORMANT_OPS:
            status = "emulated" if name in emulated else "conformant"
            reason = ("nb2jvm's own Spark rule gives DuckDB's result" if name in emulated else
                      "ibis's Spark rule gives DuckDB's result")
        elif cls in spark_rules.CHECKED_OPS:
            status, reason = "checked", _doc(spark_rules.CHECKED_OPS[cls])
        elif cls in spark_rules.REFUSED_OPS:
            status, reason = "refused", spark_rules.REFUSED_OPS[cls]
        elif not _in_duckdb(cls):
            status, reason = "not-in-notebook-engine", NOT_RUN_BY_DUCKDB.get(
                name, "ibis's DuckDB backend cannot compile it")
        else:
            status, reason = "unverified", "no verified Spark lowering yet: refused at transpile time"
        rows.append(OpCoverage(name, spelling, family, kind, status, reason))
    return rows


def summary(rows: list[OpCoverage]) -> dict[str, dict[str, int]]:
    """Counts per kind and status."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row.kind, dict.fromkeys(STATUSES, 0))[row.status] += 1
    return counts


def share(rows: list[OpCoverage], kinds: tuple[str, ...]) -> tuple[int, int]:
    """(lowered, total) over the operations of these kinds the notebook's engine executes."""
    ran = [r for r in rows if r.kind in kinds and r.status != "not-in-notebook-engine"]
    done = [r for r in ran if r.status in ("conformant", "emulated", "checked")]
    return len(done), len(ran)


def scalar_share(rows: list[OpCoverage]) -> tuple[int, int]:
    """(lowered, total) over the scalar operations the notebook's engine executes."""
    return share(rows, ("scalar",))


RELATIONAL_KINDS = ("relation", "aggregate", "window")


def relational_share(rows: list[OpCoverage]) -> tuple[int, int]:
    """(lowered, total) over the relational, aggregate and window operations DuckDB executes."""
    return share(rows, RELATIONAL_KINDS)
