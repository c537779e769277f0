"""Feature sets as ibis expressions (evaluate) and as Spark SQL (lower), and the ordering risks
the determinism check finds in them.  Records only."""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from . import cellast as A
from .errors import Diagnostic
from .notebook import BoundNotebook, Cell, InputTable
from .udf import UdfBundle, UdfSource


@dataclass(frozen=True)
class FeatureSet:
    """One exported table: its name, ibis expression and the cell that defines it."""

    name: str
    expr: ir.Table
    cell: Cell
    pos: A.Pos


@dataclass(frozen=True)
class Refused:
    """A feature set (or a whole statement) that is outside the subset, and why."""

    name: str
    diagnostics: tuple[Diagnostic, ...]


def in_cell_order(refused) -> tuple[Refused, ...]:
    """Refusals in notebook order (of the cell of their first diagnostic; stable)."""
    return tuple(sorted(refused, key=lambda r: (r.diagnostics[0].span.cell or 0)
                        if r.diagnostics else 0))


@dataclass(frozen=True)
class FeatureSets:
    """Every feature set of a notebook, in definition order, with the inputs they read."""

    bound: BoundNotebook
    features: tuple[FeatureSet, ...]
    refused: tuple[Refused, ...] = ()
    # ibis op -> (cell, AST node) where the author wrote it: a later refusal points there
    origins: dict[ops.Node, tuple[Cell, A.Node]] = field(default_factory=dict, compare=False,
                                                          repr=False)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every refusal's diagnostics, each once (a cell that assigns two feature sets refuses
        both for the same reason)."""
        return list(dict.fromkeys(d for r in self.refused for d in r.diagnostics))

    @property
    def inputs(self) -> tuple[InputTable, ...]:
        return self.bound.inputs


@dataclass(frozen=True)
class Risk:
    """An operation whose result depends on how rows that tie on ``keys`` are ordered."""

    what: str
    keys: tuple[ops.Value, ...]
    relation: ops.Relation | None
    always: bool = False
    nulls: bool = False  # what matters is a NULL in a key (not rows that tie on the keys)


@dataclass(frozen=True)
class Variant:
    """A feature set's SQL computed from already-computed upstream feature sets (read as inputs
    under their names) instead of recomputing them from the notebook's inputs."""

    upstreams: tuple[str, ...]
    sql: str
    inputs: tuple[str, ...]  # input tables and upstream feature sets the SQL reads, sorted
    markers: tuple[tuple[str, str], ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LoweredFeature:
    """One feature set as Spark SQL, with its output schema."""

    name: str
    sql: str
    schema: ibis.Schema
    ordered: bool
    feature: FeatureSet
    risks: tuple[Risk, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    spark_expr: ibis.Table | None = None  # the expression the SQL is compiled from
    inlined: tuple[UdfSource, ...] = ()  # each UDF inlined into the SQL
    # (input table, its IDENTIFIER(:marker)) where the two differ, and (notebook name, name in
    # the SQL) of every identifier renamed away from Spark's ${...} substitution
    markers: tuple[tuple[str, str], ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    # output columns holding an unordered collect(): arrays whose element order is arbitrary on
    # both engines, compared as multisets (lowering/unordered.py)
    unordered: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()  # the same rows from pre-computed upstream feature sets


@dataclass(frozen=True)
class LoweredNotebook:
    """Every feature set of a notebook lowered to Spark SQL, and those refused (with why)."""

    features: FeatureSets
    lowered: tuple[LoweredFeature, ...]
    refused: tuple[Refused, ...] = ()
    udfs: UdfBundle | None = None  # once UDFs are translated

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every refusal's diagnostics, each once (a cell that assigns two feature sets refuses
        both for the same reason)."""
        return list(dict.fromkeys(d for r in self.refused for d in r.diagnostics))

    @property
    def warnings(self) -> list[Diagnostic]:
        return [w for lf in self.lowered for w in lf.warnings]
