"""Stage 4, evaluate: :class:`BoundNotebook` -> :class:`FeatureSets` (ibis table expressions).

Each exported cell is interpreted statement by statement by :class:`~transpiler.frontend.interpreter.
Interpreter` (never executed), in notebook order; the tables it assigns become feature sets.
"""

from __future__ import annotations


import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from ..ir import cellast as A
from ..udf import udfsig
from ..ir.errors import Diagnostic
from ..ir.notebook import BoundNotebook, Cell, InputTable, RefusedCell
from .inputs import AMBIENT_NAMES, in_order
from .interpreter import (FROM_IMPORTS, MODULES, Interpreter, Allowed, Failed, Helper, IbisModule,
                          imported, Module, Refusal)
from ..ir.features import FeatureSet, Refused, FeatureSets


def _initial_env(inputs: tuple[InputTable, ...]) -> dict:
    env = {"ibis": IbisModule(), "_": ibis._, **MODULES}
    assert set(env) == set(AMBIENT_NAMES), "the inputs stage and the evaluator must agree"
    for table in inputs:
        env[table.var] = ibis.table(table.schema, name=table.name)
    return env


def evaluate(bound: BoundNotebook) -> FeatureSets:
    """Interpret the exported cells in notebook order; collect the tables they export.

    A refused statement does not stop the others: its target is marked failed, and the
    feature sets that depend on it are refused in turn with their own diagnostic.
    """
    nb = bound.parsed.notebook
    env = _initial_env(bound.inputs)
    for unbound in bound.unbound:
        first = unbound.diagnostics[0]
        env[unbound.variable] = Failed(unbound.variable, f"input table: {first.message}",
                                       unbound.diagnostics)
    # declarations the inputs stage decided (bound, or refused with its reason) are not re-run;
    # another declaration of the same name (a re-declaration after the use) is evaluated, and
    # refused there
    declared_inputs = {t.var: t.origin for t in bound.inputs}
    declared_inputs.update({u.variable: f"cell {u.diagnostics[0].span.cell}"
                            for u in bound.unbound})
    interp = Interpreter()
    rebound: dict[str, tuple[Cell, A.Stmt]] = {}  # the last statement binding each name
    refused: dict[str, list[Diagnostic]] = {}
    exported: dict[str, FeatureSet] = {}
    for pcell in in_order(bound.parsed):
        cell = interp.cell = pcell.cell
        if isinstance(pcell, RefusedCell):
            _refuse_cell(pcell, env, refused, exported)
            continue
        declared = set(cell.export.names)
        assigned = set()
        general = f"cell {cell.index}"
        for stmt in pcell.body:
            target = stmt.target if isinstance(stmt, A.Assign) else \
                stmt.name if isinstance(stmt, A.FunctionDef) else general
            if _is_declaration(stmt, declared_inputs, cell):
                continue  # bound by the inputs stage, with the schema it declares
            for name in _binds(stmt):
                rebound[name] = (cell, stmt)
            interp.start_budget()
            try:
                _check_statement(stmt)
                if isinstance(stmt, A.Assign):
                    assigned.add(stmt.target)
                    exported.pop(stmt.target, None)
                    refused.pop(stmt.target, None)
                    value = interp.eval(stmt.value, env)
                    env[stmt.target] = value
                    if isinstance(value, ir.Table) and (not declared
                                                        or stmt.target in declared):
                        exported[stmt.target] = FeatureSet(stmt.target, value, cell, stmt.pos)
                elif isinstance(stmt, A.ExprStmt):
                    interp.eval(stmt.value, env)
                elif isinstance(stmt, A.FunctionDef):
                    env[stmt.name] = _define_function(stmt, cell, env)
                elif isinstance(stmt, A.ImportFrom):
                    for name in stmt.names:
                        if (value := imported(stmt.module, name)) is not None:
                            env[name] = value
            except Refusal as exc:
                diagnostic = exc.diagnostic(cell, nb.path)
                if isinstance(stmt, A.Assign):
                    env[stmt.target] = Failed(stmt.target, _where(diagnostic))
                elif isinstance(stmt, A.FunctionDef):
                    env[stmt.name] = Failed(stmt.name, _where(diagnostic))
                found = refused.setdefault(target, [])
                # the first diagnostic says where the feature set is: a cause in another cell
                # (an input's problem at an earlier use) comes after its own
                here = [d for d in exc.causes if d.span.cell == cell.index]
                order = (*here, diagnostic, *(d for d in exc.causes if d not in here))
                found += [d for d in order if d not in found]
        for name in sorted(declared - assigned):
            refused.setdefault(name, []).append(Diagnostic(
                "E215", f"%%export names '{name}' but the cell does not assign it",
                cell.span(nb.path, 1, 1), source_line=cell.line_text(1)))
        for name in sorted(declared & assigned):
            if name not in exported and name not in refused:
                refused[name] = [Diagnostic(
                    "E216", f"'{name}' is exported but is not a table "
                    f"(it is a {type(env.get(name)).__name__})", cell.span(nb.path, 1, 1),
                    source_line=cell.line_text(1))]
    reported = {d for found in refused.values() for d in found}
    for unbound in bound.unbound:  # an input nothing reads still has its problem reported
        if not set(unbound.diagnostics) <= reported:
            refused[f"input {unbound.variable}"] = list(unbound.diagnostics)
    _refuse_stale_udfs(exported, env, rebound, refused, nb.path)
    if not exported and not refused:
        refused["<notebook>"] = [Diagnostic("E217", "the exported cells define no table",
                                            nb.exported[0].span(nb.path, 1, 1))]
    return FeatureSets(bound, tuple(exported.values()),
                       tuple(Refused(n, tuple(d)) for n, d in refused.items()), interp.origins)


def _binds(stmt: A.Stmt) -> tuple[str, ...]:
    if isinstance(stmt, A.Assign):
        return (stmt.target,)
    if isinstance(stmt, A.FunctionDef):
        return (stmt.name,)
    if isinstance(stmt, A.ImportFrom):
        return tuple(stmt.names)
    return ()


def _refuse_stale_udfs(exported: dict, env: dict, rebound: dict, refused: dict,
                       notebook: str) -> None:
    """Refuse the feature sets whose UDFs read a name that a statement after the ``def`` binds
    again (a constant of another value, another helper, a builtin's or ``datetime``'s name):
    the notebook's UDF looks the name up when the query runs (the last binding), the artifact
    freezes what the name held at the ``def``.  ``datetime``'s names keep their binding at the
    ``def``, as the reference run does."""
    from ..udf.udf_source import constants_of, free_names, source_of

    for name, feature in list(exported.items()):
        for op in feature.expr.op().find(ops.ScalarUDF):
            src = source_of(op)
            if src is None:
                continue
            bodies = [src.fn, *(h for _, h, _ in src.helpers)]
            now, then = dict(constants_of(bodies, env)), dict(src.constants)
            helpers = {n: h for n, h, _ in src.helpers}
            defined = (src.cell.index, src.fn.pos.line)

            def same(n: str) -> bool:
                if n in then or n in now:
                    return now.get(n) == then.get(n)
                if n in helpers:
                    return isinstance(env.get(n), Helper) and env[n].fn is helpers[n]
                if n in ("datetime", "date", "timedelta"):
                    # what the cell's imports bound at the `def` (the reference runs the UDF
                    # with those too): `import datetime` and a later `from datetime import
                    # datetime` are common, and both sides agree on the first
                    return True
                return False  # a builtin's name, or one the UDF could not see: bound anew
            stale = sorted(n for n in free_names(bodies) if n in rebound and
                           (rebound[n][0].index, rebound[n][1].pos.line) > defined and
                           not same(n))
            if not stale:
                continue
            cell, stmt = rebound[stale[0]]
            exported.pop(name)
            refused.setdefault(name, []).append(Diagnostic(
                "E223", f"'{stale[0]}' is bound again here, after UDF '{src.fn.name}' (cell "
                f"{src.cell.index}) reads it: the notebook's UDF sees the last value when the "
                "query runs, a compiled one the value at its definition",
                cell.span(notebook, stmt.pos.line, stmt.pos.column),
                hint="give the new value another name", source_line=cell.line_text(stmt.pos.line)))
            break


def _where(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    line = f", line {span.line}" if span.line else ""
    return f"cell {span.cell}{line}: {diagnostic.code} {diagnostic.message}"


def _refuse_cell(refused_cell: RefusedCell, env: dict, refused: dict, exported: dict) -> None:
    """A cell outside the subset refuses the feature sets it assigns, and only those; what it
    defines is marked, so a feature set built on it names it (not a missing input)."""
    first = refused_cell.diagnostics[0] if refused_cell.diagnostics else None
    why = _where(first) if first else f"cell {refused_cell.cell.index} is outside the subset"
    for name in refused_cell.names:
        if name in AMBIENT_NAMES:
            continue  # `import ibis` in a refused cell: ibis is still ibis for the others
        env[name] = Failed(name, why)
        exported.pop(name, None)
    names = refused_cell.tables or (f"cell {refused_cell.cell.index}",)
    for name in names:
        refused[name] = list(refused_cell.diagnostics)


def _define_function(fn: A.FunctionDef, cell: Cell, env: dict):
    if not udfsig.is_udf(fn):
        return Helper(fn.name, fn, cell)
    from ..udf.udf_source import sql_name
    from ..ir.udf import UdfSource

    # The helpers visible now are the ones the UDF's body can call, as when the notebook runs.
    helpers = tuple((name, h.fn, h.cell) for name, h in sorted(env.items())
                    if isinstance(h, Helper))
    names = tuple((name, kind) for name in ("datetime", "date", "timedelta")
                  if (kind := _datetime_binding(env.get(name))) is not None)
    from ..udf.udf_source import constants_of

    constants = constants_of([fn, *(h for _, h, _ in helpers)], env)
    try:
        return Allowed(udfsig.stub(fn, UdfSource(
            fn, cell, helpers, sql_name(fn, cell, helpers, names, constants), names,
            constants)), fn.name)
    except udfsig.UdfTypeError as exc:
        raise Refusal("E111", str(exc), fn) from None


def _datetime_binding(value) -> str | None:
    """"module" for the datetime module, the class name for datetime's classes, else None."""
    import datetime

    if isinstance(value, Module) and value.module is datetime:
        return "module"
    if isinstance(value, Allowed) and value.fn in (datetime.date, datetime.datetime,
                                                    datetime.timedelta):
        return value.fn.__name__
    return None


def _is_declaration(stmt: A.Stmt, inputs: dict[str, str], cell: Cell) -> bool:
    """``NAME = ibis.table(...)`` in the cell the inputs stage bound NAME from."""
    value = getattr(stmt, "value", None)
    return (isinstance(stmt, A.Assign) and inputs.get(stmt.target) == f"cell {cell.index}"
            and isinstance(value, A.Call)
            and isinstance(value.func, A.Attribute) and value.func.attr == "table"
            and isinstance(value.func.value, A.Name) and value.func.value.id == "ibis")


def _check_statement(stmt: A.Stmt) -> None:
    if isinstance(stmt, A.Import) and stmt.module not in ("ibis", "typing", *MODULES):
        raise Refusal("E213", f"`import {stmt.module}` is not allowed in an exported cell "
                       "(allowed: ibis, math, datetime, typing, unicodedata, re, string)", stmt)
    if isinstance(stmt, A.ImportFrom) and (stmt.module not in FROM_IMPORTS or
                                           set(stmt.names) - FROM_IMPORTS[stmt.module]):
        allowed = "; ".join(f"from {m} import {', '.join(sorted(n))}"
                            for m, n in FROM_IMPORTS.items())
        raise Refusal("E213", f"`from {stmt.module} import {', '.join(stmt.names)}` is not "
                       f"allowed in an exported cell (allowed: {allowed})", stmt)
    if isinstance(stmt, A.Assign) and stmt.target.startswith("_"):
        raise Refusal("E201", "names starting with '_' cannot be assigned", stmt)
    if isinstance(stmt, A.Assign) and stmt.target in AMBIENT_NAMES:
        raise Refusal("E214", f"'{stmt.target}' cannot be reassigned in an exported cell", stmt)
