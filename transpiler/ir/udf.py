"""What the evaluator knows of a UDF, and the UDFs of an artifact (the Scala source and how Spark
calls each one).  Records only."""

from __future__ import annotations

from dataclasses import dataclass

from . import cellast as A
from .notebook import Cell


@dataclass(frozen=True)
class UdfSource:
    """What the evaluator knows of a UDF: its definition, cell, visible helpers, SQL name."""

    fn: A.FunctionDef
    cell: Cell
    helpers: tuple[tuple[str, A.FunctionDef, Cell], ...]
    sql_name: str
    # what `datetime`, `date`, `timedelta` name in the cell: "module" or the class
    names: tuple[tuple[str, str], ...] = ()
    # the cell's literal constants the bodies read (`CODES = {...}`), frozen as their repr
    constants: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CompiledUdf:
    """A UDF in the artifact: how Spark calls it (manifest entry)."""

    name: str
    sql_name: str
    class_name: str
    params: tuple[tuple[str, str], ...]
    returns: str
    cell: int
    mode: str = "compiled"


@dataclass(frozen=True)
class UdfBundle:
    """The Scala source of a notebook's UDFs and what each one is."""

    package: str
    scala: str
    udfs: tuple[CompiledUdf, ...]
