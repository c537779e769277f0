"""Stage 3, bind inputs: :class:`ParsedNotebook` -> :class:`BoundNotebook`.

Inputs are the tables the exported cells read but do not define, plus tables they declare with
``NAME = ibis.table(schema, name="table")``.  Each gets a schema from the first of:

1. ``--data NAME=PATH`` on the command line (Parquet or CSV; the file's schema as DuckDB reads it);
2. a schema the ``%%export`` magic recorded in the notebook's saved outputs;
3. an ``ibis.table(schema, name=...)`` declaration (in an exported or a set-up cell);
4. a set-up cell ``NAME = con.read_parquet("path")`` / ``con.read_csv`` / ``con.table("t")``.

Data (needed to verify or run, not to build) comes from ``--data`` or from a recognised read.
Set-up cells are parsed with Python's parser and never executed.
"""

from __future__ import annotations

import ast
import contextlib
import json
from pathlib import Path

import ibis

from ..ir import cellast as A
from ..ir.errors import Diagnostic, InputError, Span, error
from ..ir.notebook import Cell, Notebook
from ..ir.notebook import ParsedNotebook
from ..ir.notebook import DataBinding, Declaration, InputTable, BoundNotebook

# Names every exported cell may use without defining them: the notebook's setup provides them.
AMBIENT_NAMES = frozenset({"ibis", "_", "math", "datetime"})
READERS = {"read_parquet": "parquet", "read_csv": "csv"}
SUFFIX_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv"}
RECORDED_MIME = "application/vnd.nb2jvm.inputs+json"



def builtin_names() -> frozenset[str]:
    """Names that are never input tables: Python's builtins (the evaluator decides which of
    them a cell may use)."""
    import builtins

    return frozenset(dir(builtins))


def used_inputs(parsed: ParsedNotebook) -> dict[str, tuple[Cell, A.Name]]:
    """Names read by exported cells before any exported cell defines them (first use wins)."""
    defined = set(AMBIENT_NAMES) | builtin_names()
    used: dict[str, tuple[Cell, A.Name]] = {}
    for pcell in parsed.cells:
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
    lines = cell.source.split("\n")
    if cell.export is not None:
        lines = [""] * (cell.export.first_body_line - 1) + lines[cell.export.first_body_line - 1:]
    text = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in lines)
    try:
        return ast.parse(text)
    except SyntaxError:
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


def scan_cells(parsed: ParsedNotebook) -> tuple[dict[str, DataBinding], dict[str, Declaration],
                                                    dict[str, Declaration], list[Diagnostic]]:
    """Statically recognised reads, declarations and magic-recorded schemas, by variable."""
    nb = parsed.notebook
    first_export = min(c.index for c in nb.exported)
    reads: dict[str, DataBinding] = {}
    declared: dict[str, Declaration] = {}
    recorded: dict[str, Declaration] = {}
    problems: list[Diagnostic] = []
    for cell in nb.cells:
        recorded.update(_recorded(cell))
        tree = _python_body(cell)
        if tree is None:
            continue
        for var, call, stmt in _simple_assignments(tree):
            found = _declaration(var, call, cell, nb, stmt)
            if isinstance(found, Diagnostic):
                problems.append(found)
            elif found is not None and (cell.export is not None or cell.index < first_export):
                declared[var] = found
            elif cell.export is None and cell.index < first_export:
                _recognise_read(var, call, stmt, cell, nb, reads, declared)
    return reads, declared, recorded, problems


def _recognise_read(var, call, stmt, cell, nb, reads, declared):
    attr = call.func.attr
    first = call.args[0] if call.args else None
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return
    span = cell.span(nb.path, stmt.lineno, stmt.col_offset + 1)
    if attr in READERS:
        path = Path(first.value)
        reads[var] = DataBinding(var, path if path.is_absolute() else nb.directory / path,
                                 f"cell {cell.index}", span)
    elif attr == "table":
        # A table of the notebook's own database: recognised, but it carries no schema.
        reads[var] = DataBinding(var, Path(), f"cell {cell.index}: con.table({first.value!r})",
                                 span)


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
            table = entry.get("table", var)
            if not (isinstance(table, str) and table and isinstance(entry.get("schema"), dict)):
                continue
            try:
                found[var] = Declaration(var, table, ibis.schema(entry["schema"]),
                                         f"schema recorded in cell {cell.index}")
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

    Files are read only inside the notebook's folder tree and the ``allow_read`` folders (for
    ``--data``, also the current directory's tree): see :func:`confine`."""
    roots = [parsed.notebook.directory.resolve(), *(Path(a).resolve() for a in allow_read)]
    cli_roots = [*roots, Path.cwd().resolve()]
    used = used_inputs(parsed)
    reads, declared, recorded, problems = scan_cells(parsed)
    given = {b.name: b for b in data}
    in_exported = {v for v, d in declared.items() if d.exported_cell}
    wanted = list(used) + [v for v in declared if v in in_exported and v not in used]
    by_table = {d.table: v for v, d in declared.items()}
    for name in sorted(n for n in given if n not in wanted and n not in by_table):
        problems.append(Diagnostic(
            "IN005", f"--data {name}=...: no exported cell uses a table named '{name}'",
            Span(parsed.notebook.path),
            hint="inputs of this notebook: " + (", ".join(sorted(wanted)) or "none")))
    inputs = []
    for var in wanted:
        decl = recorded.get(var) or declared.get(var)
        table = decl.table if decl else var
        chosen = given.get(table) or given.get(var)
        read = reads.get(var)
        if read is not None and read.path == Path():
            if chosen is None and decl is None:
                cell, node = used[var]
                problems.append(_missing(var, cell, node, parsed.notebook.path,
                                         f"it comes from the notebook's database "
                                         f"({read.origin}), whose schema nb2jvm cannot see"))
                continue
            read = None
        try:
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
            elif read is not None:
                read = confine(read, roots)
                schema, fmt = read_schema(read)
                origin, path = read.origin, read.path
            else:
                cell, node = used[var]
                later = _defined_later(parsed, var, cell)
                problems.append(_missing(var, cell, node, parsed.notebook.path,
                                         f"it is defined only in a later exported cell "
                                         f"(cell {later}), and cells run top to bottom"
                                         if later else None))
                continue
        except InputError as exc:
            problems.extend(exc.diagnostics)
            continue
        inputs.append(InputTable(table, schema, path, fmt, origin, var))
    if problems:
        raise InputError(problems)
    return BoundNotebook(parsed, tuple(inputs))


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
