"""Stage 3, bind inputs: :class:`ParsedNotebook` -> :class:`BoundNotebook`.

Inputs are the tables the exported cells read but do not define, plus tables they declare with
``NAME = ibis.table(schema, name="table")``.  Each gets a schema from the first of:

1. ``--data NAME=PATH`` on the command line (Parquet or CSV; the file's schema as DuckDB reads it);
2. a schema the ``%%export`` magic recorded in the notebook's saved outputs;
3. an ``ibis.table(schema, name=...)`` declaration (in an exported or a set-up cell);
4. a set-up cell ``NAME = con.read_parquet("path", ...)`` / ``read_csv`` / ``con.table("t")``
   (also ``ibis.read_parquet``; the path a literal or a name bound to one earlier).

A set-up cell counts wherever it is in the notebook, if it comes before the input's first use
(the last such one wins, as when the notebook runs top to bottom); a read after the use is
named in the diagnostic.

Data (needed to verify or run, not to build) comes from ``--data`` or from a recognised read.
Set-up cells are parsed with Python's parser and never executed.
"""

from __future__ import annotations

import ast
import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from ..ir import cellast as A
from ..ir.errors import Diagnostic, InputError, Span, error
from ..ir.notebook import (BoundNotebook, Cell, DataBinding, Declaration, InputTable, Notebook,
                           ParsedCell, ParsedNotebook, RefusedCell, Unbound)

# Names every exported cell may use without defining them: the notebook's setup provides them.
AMBIENT_NAMES = frozenset({"ibis", "_", "math", "datetime", "unicodedata", "re", "string"})
READERS = {"read_parquet": "parquet", "read_csv": "csv"}
SUFFIX_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv"}
RECORDED_MIME = "application/vnd.nb2jvm.inputs+json"



def builtin_names() -> frozenset[str]:
    """Names that are never input tables: Python's builtins (the evaluator decides which of
    them a cell may use)."""
    import builtins

    return frozenset(dir(builtins))


def in_order(parsed: ParsedNotebook) -> list[ParsedCell | RefusedCell]:
    """The exported cells in notebook order, parsed and refused alike."""
    return sorted([*parsed.cells, *parsed.refused], key=lambda c: c.cell.index)


def used_inputs(parsed: ParsedNotebook) -> dict[str, tuple[Cell, A.Name]]:
    """Names read by exported cells before any exported cell defines them (first use wins); a
    refused cell still defines the names Python's parser sees in it."""
    defined = set(AMBIENT_NAMES) | builtin_names()
    used: dict[str, tuple[Cell, A.Name]] = {}
    for pcell in in_order(parsed):
        if isinstance(pcell, RefusedCell):
            defined.update(pcell.names)
            continue
        for stmt in pcell.body:
            if isinstance(stmt, (A.Assign, A.ExprStmt)):
                for name in A.free_names(stmt.value):
                    if name.id not in defined and name.id not in used \
                            and not name.id.startswith("_"):
                        used[name.id] = (pcell.cell, name)
            if isinstance(stmt, A.Assign):
                defined.add(stmt.target)
            elif isinstance(stmt, A.FunctionDef):
                defined.add(stmt.name)
            elif isinstance(stmt, A.ImportFrom):
                defined.update(stmt.names)
    return used


def _python_body(cell: Cell) -> ast.Module | None:
    # IPython magics and shell escapes are not Python; blank them so line numbers stay right.
    # A cell magic (%%writefile, %%bash, ...) makes the whole cell something else.
    if cell.export is None and cell.source.lstrip().startswith("%%"):
        return None
    lines = cell.source.split("\n")
    if cell.export is not None:
        lines = [""] * (cell.export.first_body_line - 1) + lines[cell.export.first_body_line - 1:]
    text = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in lines)
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not Python: no reads
        return None


def _simple_assignments(tree: ast.Module):
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call) \
                and isinstance(stmt.value.func, ast.Attribute):
            yield stmt.targets[0].id, stmt.value, stmt


def _literal(node: ast.AST | None):
    if node is None:
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "schema" and len(node.args) == 1:
        node = node.args[0]  # ibis.schema({...})
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def _declaration(var: str, call: ast.Call, cell: Cell, nb: Notebook,
                 stmt: ast.stmt) -> Declaration | Diagnostic | None:
    func = call.func
    if not (func.attr == "table" and isinstance(func.value, ast.Name) and func.value.id == "ibis"):
        return None
    kwargs = {k.arg: k.value for k in call.keywords}
    schema_node = call.args[0] if call.args else kwargs.get("schema")
    name_node = call.args[1] if len(call.args) > 1 else kwargs.get("name")
    schema, name = _literal(schema_node), _literal(name_node) if name_node else var
    span = cell.span(nb.path, stmt.lineno, stmt.col_offset + 1)
    try:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError("the table name must be a literal identifier string")
        return Declaration(var, name, ibis.schema(schema), f"cell {cell.index}",
                           cell.export is not None)
    except Exception as exc:  # ibis raises several types for a bad schema
        return Diagnostic("IN007", f"cannot read the declaration of input '{var}': the schema "
                          f"must be a literal dict of column -> ibis type ({exc})", span,
                          source_line=cell.line_text(stmt.lineno),
                          hint='e.g. t = ibis.table({"id": "int64", "ts": "timestamp"}, name="t")')


@dataclass(frozen=True)
class Scan:
    """What the cells say about inputs, statically: reads and declarations by variable (each
    with every cell that makes one, in notebook order), schemas the magic recorded."""

    reads: dict[str, list[DataBinding]]
    declared: dict[str, list[tuple[int, Declaration]]]
    recorded: dict[str, Declaration]
    problems: dict[str, list[Diagnostic]]  # declarations nb2jvm cannot read, by variable
    # cells that rebind a read input by code nb2jvm does not run (t = t.filter(...))
    rebound: dict[str, list[int]] = field(default_factory=dict)


def scan_cells(parsed: ParsedNotebook) -> Scan:
    """Statically recognised reads, declarations and magic-recorded schemas, by variable.

    A set-up cell counts wherever it is: the one to use for an input is the last one before
    the input's first use (:func:`before`), as when the notebook runs top to bottom."""
    nb = parsed.notebook
    scan = Scan({}, {}, {}, {})
    constants: dict[str, str] = {}  # NAME = "literal" seen so far, for read_parquet(NAME)
    for cell in nb.cells:
        scan.recorded.update(_recorded(cell))
        tree = _python_body(cell)
        if tree is None:
            continue
        for stmt in tree.body:
            for var in _assigned(stmt):  # any rebinding ends what a name held
                constants.pop(var, None)
                if cell.export is None and var in scan.reads and not _is_read(stmt, var):
                    scan.rebound.setdefault(var, []).append(cell.index)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name):
                var = stmt.targets[0].id
                if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    constants[var] = stmt.value.value
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)
                    and isinstance(stmt.value.func, ast.Attribute)):
                continue
            var, call = stmt.targets[0].id, stmt.value
            found = _declaration(var, call, cell, nb, stmt)
            if isinstance(found, Diagnostic):
                scan.problems.setdefault(var, []).append(found)
            elif found is not None:
                scan.declared.setdefault(var, []).append((cell.index, found))
            elif cell.export is None:
                read = _recognise_read(var, call, stmt, cell, nb, constants)
                if read is not None:
                    scan.reads.setdefault(var, []).append(read)
    return scan


def _assigned(stmt: ast.stmt) -> set[str]:
    """Every name a statement binds, in nested blocks too (tuple targets, +=, for, with, :=)."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _is_read(stmt: ast.stmt, var: str) -> bool:
    """``var = <something>.read_parquet/read_csv/table(...)``: a read the scan recognises."""
    return (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == var
            and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr in (*READERS, "table"))


def _cell_of(binding: DataBinding) -> int:
    return binding.span.cell or 0


def before(found: list, use: int, index=_cell_of):
    """The last of ``found`` (in notebook order) made in a cell before cell ``use``."""
    earlier = [f for f in found if index(f) < use]
    return earlier[-1] if earlier else None


def _recognise_read(var, call, stmt, cell, nb, constants) -> DataBinding | None:
    attr = call.func.attr
    first = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg in ("path", "paths", "source", "source_list")),
        None)
    if isinstance(first, ast.Name) and first.id in constants:
        text = constants[first.id]
    elif isinstance(first, ast.Constant) and isinstance(first.value, str):
        text = first.value
    else:
        return None
    span = cell.span(nb.path, stmt.lineno, stmt.col_offset + 1)
    if attr in READERS:
        path = Path(text)
        return DataBinding(var, path if path.is_absolute() else nb.directory / path,
                           f"cell {cell.index}", span)
    if attr == "table":
        # A table of the notebook's own database: recognised, but it carries no schema.
        return DataBinding(var, Path(), f"cell {cell.index}: con.table({text!r})", span)
    return None


def _recorded(cell: Cell) -> dict[str, Declaration]:
    """Input schemas the %%export magic saved in the cell's outputs."""
    found = {}
    for output in cell.outputs:
        bundle = output.get("data")
        data = bundle.get(RECORDED_MIME) if isinstance(bundle, dict) else None
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):
                continue
        entries = data.get("inputs") if isinstance(data, dict) else None
        # A recorded output is untrusted data (hand-edited, foreign or hostile): whatever is not
        # of the shape the magic writes is passed over, and the other sources still apply.
        for var, entry in (entries.items() if isinstance(entries, dict) else ()):
            if not (isinstance(var, str) and var.isidentifier() and isinstance(entry, dict)):
                continue
            table, schema = entry.get("table", var), entry.get("schema")
            ordered = isinstance(schema, list)
            if ordered:  # [[column, type], ...]: the order survives a saved notebook
                if not all(isinstance(c, list) and len(c) == 2 and isinstance(c[0], str)
                           for c in schema):
                    continue
                schema = dict(schema)
            if not (isinstance(table, str) and table and isinstance(schema, dict)):
                continue
            try:
                found[var] = Declaration(var, table, ibis.schema(schema),
                                         f"schema recorded in cell {cell.index}",
                                         ordered=ordered)
            except Exception:  # ibis raises several types for a bad schema
                continue
    return found


def data_format(binding: DataBinding) -> str:
    fmt = SUFFIX_FORMATS.get(binding.path.suffix.lower())
    if fmt is None:
        raise error("IN003", f"input '{binding.name}': unsupported data file type "
                    f"'{binding.path.suffix or binding.path.name}'", binding.span,
                    hint="nb2jvm reads Parquet (.parquet) and CSV (.csv) files")
    return fmt


def read_schema(binding: DataBinding) -> tuple[ibis.Schema, str]:
    """The ibis schema DuckDB (the notebook's engine) sees in a data file."""
    fmt = data_format(binding)
    if not binding.path.is_file():
        raise error("IN002", f"input '{binding.name}': data file not found: {binding.path}",
                    binding.span, hint=f"bound by {binding.origin}; pass --data "
                    f"{binding.name}=PATH to use another file")
    con = ibis.duckdb.connect()
    try:
        reader = con.read_parquet if fmt == "parquet" else con.read_csv
        return reader(str(binding.path)).schema(), fmt
    except Exception as exc:  # DuckDB's error types differ per format; all mean "bad file"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise error("IN004", f"input '{binding.name}': cannot read {binding.path} as "
                    f"{fmt}: {first}", binding.span) from None
    finally:
        con.disconnect()


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def confine(binding: DataBinding, roots: list[Path]) -> DataBinding:
    """``binding`` with its path resolved (symlinks followed), if that lies inside one of
    ``roots``; a notebook's set-up read of `../../.aws/credentials`, an absolute path or a
    symlink named `data.csv` pointing out of the tree is refused (IN008), so no file the notebook
    did not ship ends up in a jar's golden rows."""
    data_format(binding)  # an unsupported file type is the first thing to say (IN003)
    if any(ch in str(binding.path) for ch in "*?[]{}"):
        # DuckDB reads such a path as a glob and follows every match, symlinks included: the
        # check below would see one literal name while DuckDB reads other files.
        raise error("IN009", f"input '{binding.name}': {binding.path} has glob characters "
                    "(* ? [ ] { }), which nb2jvm does not read yet", binding.span,
                    hint="name one file, or pass --data NAME=FILE")
    if not binding.path.exists():
        return binding  # reported as a missing file where it is read (IN002)
    resolved = binding.path.resolve()
    if _inside(resolved, roots):
        return DataBinding(binding.name, resolved, binding.origin, binding.span)
    shown = ", ".join(str(r) for r in roots)
    raise error("IN008", f"input '{binding.name}': {binding.path} is outside the folders nb2jvm "
                f"reads from ({shown})", binding.span,
                hint=f"move the file under the notebook's folder, or allow its folder with "
                f"--allow-read {resolved.parent}")


def bind_inputs(parsed: ParsedNotebook, data: tuple[DataBinding, ...] = (),
                allow_read: tuple[Path, ...] = ()) -> BoundNotebook:
    """Give every input table a schema (and data where known), or say precisely which lacks it.

    An input without a schema refuses only the feature sets that read it (:class:`Unbound`);
    a problem with the command line itself (``--data`` for no input) raises.  Files are read
    only inside the notebook's folder tree and the ``allow_read`` folders (for ``--data``, also
    the current directory's tree): see :func:`confine`."""
    roots = [parsed.notebook.directory.resolve(), *(Path(a).resolve() for a in allow_read)]
    cli_roots = [*roots, Path.cwd().resolve()]
    used = used_inputs(parsed)
    scan = scan_cells(parsed)
    given = {b.name: b for b in data}
    first_use = {v: cell.index for v, (cell, _) in used.items()}
    exported_decl = {v: found[-1][1] for v, found in scan.declared.items()
                     if any(d.exported_cell for _, d in found) and v not in used}
    # a declaration in an exported cell that nb2jvm cannot read is that input's problem
    bad_decl = [v for v, found in scan.problems.items() if v not in used and v not in
                exported_decl and any(_exported(parsed, d.span.cell) for d in found)]
    wanted = list(used) + list(exported_decl) + bad_decl
    tables = {d.table for found in scan.declared.values() for _, d in found}
    for name in sorted(n for n in given if n not in wanted and n not in tables):
        raise error("IN005", f"--data {name}=...: no exported cell uses a table named '{name}'",
                    Span(parsed.notebook.path),
                    hint="inputs of this notebook: " + (", ".join(sorted(wanted)) or "none"))
    inputs, unbound = [], []
    for var in wanted:
        use = first_use.get(var, 10**9)
        bad = before(scan.problems.get(var, []), use + 1, index=lambda d: d.span.cell or 0)
        problems: list[Diagnostic] = [bad] if bad else []
        declared = before(scan.declared.get(var, []), use + 1, index=lambda f: f[0])
        read = before(scan.reads.get(var, []), use)
        if declared and read and _cell_of(read) > declared[0]:
            declared = None  # the read comes later, and wins (as running the cells would)
        decl = scan.recorded.get(var) or (declared[1] if declared else exported_decl.get(var))
        if declared and read and declared[0] > _cell_of(read) and not scan.recorded.get(var):
            read = None  # a later declaration rebinds the name: the earlier file is not its data
        table = decl.table if decl else var
        chosen = given.get(table) or given.get(var)
        rebound = [c for c in scan.rebound.get(var, []) if read and _cell_of(read) <= c < use]
        if rebound and chosen is None and decl is None:
            problems.append(Diagnostic(
                "IN010", f"input '{var}' is read in cell {_cell_of(read)} and then rebound in "
                f"cell {rebound[0]} by code nb2jvm does not run, so its rows are not the file's",
                read.span, hint=f"move that step into an exported cell, or pass --data "
                f"{var}=PATH with the data as the notebook uses it"))
        try:
            if problems:
                raise InputError(problems)
            if read is not None and read.path == Path():
                if chosen is None and decl is None:
                    cell, node = used[var]
                    raise InputError(_missing(
                        var, cell, node, parsed.notebook.path,
                        f"it comes from the notebook's database ({read.origin}), whose schema "
                        "nb2jvm cannot see"))
                read = None
            if chosen is not None:
                chosen = confine(chosen, cli_roots)
                schema, fmt = read_schema(chosen)
                origin, path = chosen.origin, chosen.path
            elif decl is not None:
                # The schema is known; a set-up cell's file is the data only if it is there.
                schema, origin, fmt, path = decl.schema, decl.origin, None, None
                if read is not None and read.path.is_file():
                    # the schema is known: a file nb2jvm may not read only means no data here
                    with contextlib.suppress(InputError):
                        read = confine(read, roots)
                        fmt, path = data_format(read), read.path
                        schema = _in_file_order(schema, decl, read)
            elif read is not None:
                read = confine(read, roots)
                schema, fmt = read_schema(read)
                origin, path = read.origin, read.path
            else:
                cell, node = used[var]
                raise InputError(_missing(var, cell, node, parsed.notebook.path,
                                          _why_missing(parsed, scan, var, cell)))
        except InputError as exc:
            problems = list(dict.fromkeys([*problems, *exc.diagnostics]))
        if problems:
            unbound.append(Unbound(var, tuple(problems)))
        else:
            inputs.append(InputTable(table, schema, path, fmt, origin, var))
    by_name: dict[str, InputTable] = {}
    for t in list(inputs):
        first = by_name.setdefault(t.name, t)
        if first is not t and first.schema != t.schema:
            # both would be bound to the one IDENTIFIER(:name) of the SQL
            inputs.remove(t)
            cell, node = used.get(t.var) or (None, None)
            unbound.append(Unbound(t.var, (Diagnostic(
                "IN011", f"input '{t.var}' is table '{t.name}', as is input '{first.var}' with "
                "another schema: one name cannot stand for two tables", Span(
                    parsed.notebook.path, cell.index if cell else None),
                hint=f"give each ibis.table its own name= (e.g. name=\"{t.var}\")"),)))
    return BoundNotebook(parsed, tuple(inputs), tuple(unbound))


def _exported(parsed: ParsedNotebook, index: int | None) -> bool:
    return any(c.index == index for c in parsed.notebook.exported)


def _in_file_order(schema: ibis.Schema, decl: Declaration, read: DataBinding) -> ibis.Schema:
    """A recorded schema saved as a JSON object may have lost its column order (a saved notebook
    sorts keys): the data file, when it has the same columns, gives the order back."""
    if decl.ordered:
        return schema
    try:
        in_file, _ = read_schema(read)
    except InputError:
        return schema
    if set(in_file.names) != set(schema.names):
        return schema
    return ibis.schema({n: schema[n] for n in in_file.names})


def _why_missing(parsed: ParsedNotebook, scan: Scan, var: str, use: Cell) -> str | None:
    later_read = [r for r in scan.reads.get(var, []) if _cell_of(r) > use.index]
    if later_read:
        return (f"it is read in cell {_cell_of(later_read[0])}, after its first use here "
                f"(cell {use.index}), and cells run top to bottom: move the read above")
    later = _defined_later(parsed, var, use)
    if later:
        return (f"it is defined only in a later exported cell (cell {later}), and cells run "
                "top to bottom")
    return None


def _defined_later(parsed: ParsedNotebook, var: str, use: Cell) -> int | None:
    for pcell in parsed.cells:
        if pcell.cell.index > use.index and any(
                isinstance(s, A.Assign) and s.target == var for s in pcell.body):
            return pcell.cell.index
    return None


def _missing(var: str, cell: Cell, node: A.Name, notebook: str,
             why: str | None = None) -> Diagnostic:
    why = why or ("it is used here but defined neither in an exported cell nor by a recognised "
                  "set-up cell")
    return Diagnostic(
        "IN001", f"input table '{var}' has no schema: {why}",
        cell.span(notebook, node.pos.line, node.pos.column, node.pos.end_line,
                  node.pos.end_column),
        hint=f"pass --data {var}=PATH.parquet, read it in a set-up cell with {var} = "
             f"con.read_parquet(\"PATH\"), or declare it: {var} = ibis.table({{...}}, "
             f"name=\"{var}\")",
        source_line=cell.line_text(node.pos.line))


def require_data(inputs: tuple[InputTable, ...], notebook: str) -> None:
    """Verify and run need rows, not only schemas: name every input without a data file."""
    missing = [t for t in inputs if t.path is None]
    if missing:
        raise InputError([Diagnostic(
            "IN006", f"input '{t.name}' has a schema ({t.origin}) but no data to run on",
            Span(notebook), hint=f"pass --data {t.name}=PATH.parquet") for t in missing])
